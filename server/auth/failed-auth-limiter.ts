// Failed authentications per client address. Each address (see http/client-address.ts) may fail
// `limit` times in a window that starts at its first failure; after that every /v1 request from it is
// answered 429 until the window ends, before its token is looked at, so the limit is no oracle for
// guessed tokens and costs no storage read. Other addresses, and so valid tokens used from them, are
// unaffected. Only failures count: a client that authenticates never spends its budget.
import type { Clock } from '../clock.ts';

interface Window {
  start: number;
  failures: number;
}

/** Addresses tracked at once; past this the oldest window is forgotten first. */
const MAX_TRACKED = 100_000;

export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly clock: Clock;
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(clock: Clock, limit: number, windowMs: number) {
    this.clock = clock;
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Whole seconds this address must wait, or 0 when it may try. */
  retryAfterSeconds(key: string): number {
    const w = this.current(key, this.clock.now());
    if (!w || w.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.clock.now()) / 1000));
  }

  recordFailure(key: string): void {
    const now = this.clock.now();
    const w = this.current(key, now);
    if (w) {
      w.failures += 1;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { start: now, failures: 1 });
  }

  private current(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && now >= w.start + this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}
