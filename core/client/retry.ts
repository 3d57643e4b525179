// When and how long to wait before trying a request again. Pure functions, so the rules are testable
// without a clock and the transport only asks "again? after how long?".

export interface RetryPolicy {
  /** Retries after the first attempt (so at most retries + 1 attempts). */
  retries: number;
  /** The first back-off ceiling; it doubles with every attempt. */
  baseDelayMs: number;
  /** No single back-off is longer than this. */
  maxDelayMs: number;
  /** The longest Retry-After the client waits; a server asking for longer gets an error instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/**
 * Exponential back-off with full jitter (uniform in [0, min(max, base·2^(attempt−1))]): many clients
 * hitting one recovering server spread out instead of retrying in lock-step. `attempt` is the number
 * of the attempt that just failed, starting at 1.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  return Math.floor(random() * ceiling);
}

export function backoffCeiling(attempt: number, policy: RetryPolicy): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, exp);
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds to wait
 * (0 for a date in the past), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // All three HTTP date formats start with the day name; this keeps "-3" from parsing as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Statuses that mean "this did not happen; the same request may succeed later". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
