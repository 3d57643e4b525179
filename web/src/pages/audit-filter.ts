// The Audit Logs page's filters and CSV export, kept apart from the page so they read on their own.
// The filters mean what the API's audit filters mean (docs/api.md, Audit): actor is an actor's id or
// name (ASCII case ignored), key an exact key, the time range inclusive. They are sent to the server
// (serverQuery); a server without audit filters refuses them as unknown query fields, and the page
// then applies the same rules to the events it loaded (matchesFilter), so the result is the same.
import type { AuditEvent } from '../../../core/api-types.ts';

export interface AuditFilter {
  actor: string;
  action: string;
  environment: string;
  /** A workspace's slug: its events only. */
  workspace: string;
  key: string;
  outcome: string;
  /** `datetime-local` values (the browser's local time, to the minute), or empty. */
  since: string;
  until: string;
}

export const NO_FILTER: AuditFilter = { actor: '', action: '', environment: '', workspace: '', key: '', outcome: '', since: '', until: '' };

const lowerAscii = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** The range's ends in ms; `until` covers its whole minute. */
function range(f: AuditFilter): { since?: number; until?: number } {
  const since = f.since ? new Date(f.since).getTime() : NaN;
  const until = f.until ? new Date(f.until).getTime() + 59_999 : NaN;
  return { since: Number.isNaN(since) ? undefined : since, until: Number.isNaN(until) ? undefined : until };
}

export function matchesFilter(e: AuditEvent, f: AuditFilter): boolean {
  const actor = lowerAscii(f.actor.trim());
  if (actor && lowerAscii(e.actor.name ?? '') !== actor && lowerAscii(e.actor.id ?? '') !== actor) return false;
  if (f.action && e.action !== f.action) return false;
  if (f.environment && e.environment !== f.environment) return false;
  if (f.workspace && e.workspace !== f.workspace) return false;
  if (f.key.trim() && !e.keys.includes(f.key.trim())) return false;
  if (f.outcome && e.outcome !== f.outcome) return false;
  const t = Date.parse(e.time);
  const { since, until } = range(f);
  if (since !== undefined && t < since) return false;
  if (until !== undefined && t > until) return false;
  return true;
}

/** The filter as the audit API's query parameters (only those set). */
export function serverQuery(f: AuditFilter): [string, string][] {
  const q: [string, string][] = [];
  if (f.actor.trim()) q.push(['actor', f.actor.trim()]);
  if (f.action) q.push(['action', f.action]);
  if (f.environment) q.push(['environment', f.environment]);
  if (f.workspace) q.push(['workspace', f.workspace]);
  if (f.key.trim()) q.push(['key', f.key.trim()]);
  // `error` outcomes are newer than the API's outcome filter: those are picked out in the page.
  if (f.outcome && f.outcome !== 'error') q.push(['outcome', f.outcome]);
  const { since, until } = range(f);
  if (since !== undefined) q.push(['since', new Date(since).toISOString()]);
  if (until !== undefined) q.push(['until', new Date(until).toISOString()]);
  return q;
}

/** A spreadsheet reads a cell starting with = + - @ as a formula: such cells get a leading '. */
function cell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditCsv(events: AuditEvent[]): string {
  const head = ['time', 'actor_type', 'actor', 'action', 'environment', 'workspace', 'keys', 'outcome', 'count', 'ip', 'user_agent'];
  const rows = events.map((e) =>
    [e.time, e.actor.type, e.actor.name ?? e.actor.id ?? '', e.action, e.environment ?? '', e.workspace ?? '', e.keys.join(' '), e.outcome, String(e.count), e.ip, e.userAgent ?? '']
      .map(cell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}
