// Where the server reads the time when behaviour depends on it (rate-limit windows, audit aggregation
// windows), so tests can move time instead of sleeping.
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
