/** A label window as row indices, first and last inclusive. */
export interface WindowRows {
  startIndex: number;
  endIndex: number;
}

/** What precision and recall over label windows are computed from, for one file or summed over many. */
export interface WindowCounts {
  /** Label windows that reach past the probationary period. */
  windows: number;
  /** Of those, the windows holding at least one flagged row after the probationary period. */
  detectedWindows: number;
  /** Detection events after the probationary period: maximal runs of consecutive flagged rows. */
  events: number;
  /** Events whose first row lies inside a label window. */
  eventsInWindow: number;
}

/** Precision, recall and F1 over label windows; each is 0 where its denominator is (scikit-learn's zero_division=0). */
export interface WindowScores {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Counts windows and detection events of one file, skipping the first `probation` rows as the NAB
 * score does. A run of flagged rows is one event, placed at its first row: a detector that holds a
 * flag for ten rows has raised one alarm, not ten.
 */
export function countWindowHits(flagged: readonly boolean[], windows: readonly WindowRows[], probation: number): WindowCounts {
  const first = Math.ceil(probation);
  const scored = windows.filter((w) => w.endIndex >= first);
  const detectedWindows = scored.filter((w) => flagged.slice(Math.max(w.startIndex, first), w.endIndex + 1).includes(true)).length;
  let events = 0;
  let eventsInWindow = 0;
  for (let i = first; i < flagged.length; i++) {
    if (!flagged[i] || (i > first && flagged[i - 1])) continue;
    events++;
    if (windows.some((w) => w.startIndex <= i && i <= w.endIndex)) eventsInWindow++;
  }
  return { windows: scored.length, detectedWindows, events, eventsInWindow };
}

/** The sum of several files' counts, for scores micro-averaged over a corpus. */
export function addWindowCounts(counts: readonly WindowCounts[]): WindowCounts {
  const total: WindowCounts = { windows: 0, detectedWindows: 0, events: 0, eventsInWindow: 0 };
  for (const c of counts) {
    total.windows += c.windows;
    total.detectedWindows += c.detectedWindows;
    total.events += c.events;
    total.eventsInWindow += c.eventsInWindow;
  }
  return total;
}

/** Precision = events in a window / events, recall = detected windows / windows, F1 their harmonic mean. */
export function windowScores(counts: WindowCounts): WindowScores {
  const precision = counts.events === 0 ? 0 : counts.eventsInWindow / counts.events;
  const recall = counts.windows === 0 ? 0 : counts.detectedWindows / counts.windows;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
