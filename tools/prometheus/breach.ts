/** A point of a series that completed a sustained run of breaching values. */
export interface SustainedBreach {
  timestamp: number;
  value: number;
}

/**
 * The first point at which `breaches` has held for `sustained` consecutive points. Points further
 * apart than one and a half steps are not consecutive (a gap resets the run), and only finite values breach (a finding holds finite numbers).
 */
export function firstSustainedBreach(
  points: { timestamp: number; value: number }[],
  breaches: (value: number) => boolean,
  sustained: number,
  stepSeconds: number,
): SustainedBreach | null {
  let run = 0;
  let previous: number | undefined;
  for (const p of points) {
    const consecutive = previous !== undefined && p.timestamp - previous <= stepSeconds * 1.5;
    run = Number.isFinite(p.value) && breaches(p.value) ? (consecutive ? run + 1 : 1) : 0;
    previous = p.timestamp;
    if (run >= sustained) return { timestamp: p.timestamp, value: p.value };
  }
  return null;
}
