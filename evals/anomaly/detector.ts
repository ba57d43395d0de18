/** One series as a detector sees it: rows in time order. */
export interface Series {
  timestamps: Date[];
  values: number[];
}

/** A detector's answer for every row of a series: a score (higher is more anomalous) and whether it raises a flag. */
export interface Detection {
  scores: number[];
  flagged: boolean[];
}

/**
 * Anything the NAB evaluation can run. `trainCount` is the probationary length: a detector that
 * learns may fit on `values.slice(0, trainCount)` only; the rows after it are what is scored.
 */
export interface SeriesDetector {
  readonly name: string;
  detect(series: Series, trainCount: number): Promise<Detection>;
}

/**
 * Keeps a flag only when no kept flag lies within the `points` rows before it: one alarm per
 * incident, since NAB charges every flagged row outside a window. `points` 0 keeps every flag.
 */
export function suppressRepeats(flagged: readonly boolean[], points: number): boolean[] {
  const kept: boolean[] = new Array<boolean>(flagged.length).fill(false);
  let last = -Infinity;
  flagged.forEach((flag, i) => {
    if (flag && i - last > points) {
      kept[i] = true;
      last = i;
    }
  });
  return kept;
}
