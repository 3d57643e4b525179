// A progress bar on stderr for long operations, shown only on a terminal; elsewhere (pipes, CI logs) it
// prints nothing, so logs stay quiet.
import type { Io } from './io.ts';

const WIDTH = 24;

export interface Progress {
  step(label: string): void;
  done(): void;
}

const QUIET: Progress = { step() {}, done() {} };

/** A bar of `steps` equal steps, redrawn in place; quiet unless stderr is a terminal and `worthIt`. */
export function progress(io: Io, steps: number, worthIt: boolean): Progress {
  if (!io.stderr.isTTY || !worthIt) return QUIET;
  let at = 0;
  let shown = false;
  return {
    step(label) {
      at = Math.min(at + 1, steps);
      const filled = Math.round((at / steps) * WIDTH);
      io.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${label}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}
