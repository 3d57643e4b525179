// Durations and times typed on the command line: `--expires 30d`, `--since 2h` or an ISO 8601 time.
import { CliError } from './errors.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `12h`, `30d`, `2w` in milliseconds, or null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

/** `--expires 30d` (from now) or an ISO 8601 time, as the ISO time the server expects. */
export function expiryFromNow(text: string, now = Date.now()): string {
  const ms = parseDuration(text);
  if (ms !== null) {
    if (ms === 0) throw new CliError('CLI_INVALID_INPUT', '--expires must be longer than 0');
    return new Date(now + ms).toISOString();
  }
  return isoTime(text, '--expires');
}

/** `--since 2h` (that long ago) or an ISO 8601 time, as epoch milliseconds. */
export function timeAgoOrAt(text: string, flag: string, now = Date.now()): number {
  const ms = parseDuration(text);
  return ms !== null ? now - ms : Date.parse(isoTime(text, flag));
}

function isoTime(text: string, flag: string): string {
  // Date.parse accepts many shapes; only ISO 8601 dates and times are meant.
  const ms = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms)) {
    throw new CliError('CLI_INVALID_INPUT', `${flag} must be a duration such as 30d, 12h, 15m or an ISO 8601 time such as 2026-01-31T12:00:00Z`);
  }
  return new Date(ms).toISOString();
}

/** `500ms`, `2s`, `1m` (a bare number is milliseconds) within [min, max] ms, for waits such as --debounce. */
export function shortDuration(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const m = /^(\d{1,7})(ms|s|m)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1) : NaN;
  if (!(ms >= min && ms <= max)) throw new CliError('CLI_INVALID_INPUT', `${flag} must be between ${min}ms and ${max / 1000}s (e.g. 500ms, 10s)`);
  return ms;
}
