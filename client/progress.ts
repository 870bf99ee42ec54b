/**
 * Console output of the client: a one-line progress bar on an interactive terminal (stderr is a TTY),
 * nothing of it otherwise; warnings and notes are always written (on their own lines, the bar redrawn
 * after them). ModuleFast shows `Write-Progress` the same way (plan: resolving n/m, install: n/m).
 */

/** The stream the reporter writes to (process.stderr or a test double). */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createReporter}. */
export interface ReporterOptions {
  /** Draw the bar (default: `stream.isTTY`). */
  bar?: boolean;
  /** Print notes (`info`) and verbose lines. Default: notes yes, verbose no. */
  verbose?: boolean;
  /** Minimum ms between redraws (default 80). */
  intervalMs?: number;
}

/** Progress and message reporter. */
export interface Reporter {
  /** Starts (or switches to) a phase, e.g. "Resolving" with a total. */
  phase(label: string, total: number): void;
  /** Updates the current phase's count (and total, which may grow while planning). */
  update(done: number, total?: number, detail?: string): void;
  /** Prints a warning line ("WARNING: ..."). */
  warn(message: string): void;
  /** Prints a note line. */
  info(message: string): void;
  /** Prints a line only in verbose mode. */
  verbose(message: string): void;
  /** Removes the bar. */
  done(): void;
}

/**
 * Creates a reporter writing to `stream`.
 * @example createReporter(process.stderr).phase('Installing', 86)
 */
export function createReporter(stream: ProgressStream, options: ReporterOptions = {}): Reporter {
  const bar = options.bar ?? stream.isTTY === true;
  const interval = options.intervalMs ?? 80;
  let label = '';
  let total = 0;
  let done = 0;
  let detail = '';
  let drawn = false;
  let lastDraw = 0;

  const clear = () => {
    if (drawn) {
      stream.write('\r\x1b[2K');
      drawn = false;
    }
  };
  const draw = (force = false) => {
    if (!bar || label === '') return;
    const now = Date.now();
    if (!force && now - lastDraw < interval) return;
    lastDraw = now;
    const columns = stream.columns && stream.columns >= 20 ? stream.columns : 80;
    stream.write(`\r\x1b[2K${renderBar(label, done, total, detail, columns)}`);
    drawn = true;
  };
  const line = (text: string) => {
    clear();
    stream.write(`${text}\n`);
    draw(true);
  };

  return {
    phase(l, t) {
      label = l;
      total = t;
      done = 0;
      detail = '';
      draw(true);
    },
    update(d, t, det) {
      done = d;
      if (t !== undefined) total = t;
      if (det !== undefined) detail = det;
      draw(d >= total);
    },
    warn(message) {
      line(`WARNING: ${message}`);
    },
    info(message) {
      line(message);
    },
    verbose(message) {
      if (options.verbose) line(`VERBOSE: ${message}`);
    },
    done() {
      clear();
      label = '';
    },
  };
}

/**
 * Renders one bar line that fits `columns`: `Installing [#######-------] 34/86 Az.Network`.
 */
export function renderBar(label: string, done: number, total: number, detail: string, columns: number): string {
  const count = `${done}/${total}`;
  const width = Math.max(10, Math.min(40, columns - label.length - count.length - 6 - Math.min(detail.length, 30)));
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(width * ratio);
  const text = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}${detail ? ` ${detail}` : ''}`;
  return text.length > columns - 1 ? text.slice(0, Math.max(0, columns - 1)) : text;
}
