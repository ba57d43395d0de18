/** Where the bar is drawn: a stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The progress of a suite: one call per finished play. */
export interface ProgressBar {
  played(label: string, passed: boolean, wallMs: number): void;
  /** Ends the bar's line on a terminal. */
  done(): void;
}

/**
 * A plain-text progress bar. On a terminal one line is redrawn in place
 * (`[########------------]  8/20  ndcg-drop pass 5.2s`); anywhere else (CI logs, a pipe) each
 * finished play is one line, so the log reads top to bottom.
 */
export function createProgressBar(total: number, stream: ProgressStream): ProgressBar {
  let done = 0;
  const width = 24;
  return {
    played(label, passed, wallMs) {
      done++;
      const what = `${String(done).padStart(String(total).length)}/${total}  ${label} ${passed ? "pass" : "FAIL"} ${(wallMs / 1000).toFixed(1)}s`;
      if (!stream.isTTY) {
        stream.write(`eval ${what}\n`);
        return;
      }
      const filled = Math.round((done / total) * width);
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${what}`;
      // Clear what a longer previous line left behind.
      stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}\x1b[K`);
    },
    done() {
      if (stream.isTTY && done > 0) stream.write("\n");
    },
  };
}
