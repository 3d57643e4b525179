// The Audit Logs page's filters and CSV export, kept apart from the page so they read on their own.
import type { AuditEvent } from '../../../core/api-types.ts';

export interface AuditFilter {
  actor: string;
  action: string;
  environment: string;
  key: string;
  outcome: string;
  /** `datetime-local` values (the browser's local time), or empty. */
  since: string;
  until: string;
}

export function matchesFilter(e: AuditEvent, f: AuditFilter): boolean {
  const actor = f.actor.trim().toLowerCase();
  if (actor && !`${e.actor.name ?? ''} ${e.actor.id ?? ''} ${e.actor.type}`.toLowerCase().includes(actor)) return false;
  if (f.action && e.action !== f.action) return false;
  if (f.environment && e.environment !== f.environment) return false;
  if (f.key.trim() && !e.keys.some((k) => k.includes(f.key.trim()))) return false;
  if (f.outcome && e.outcome !== f.outcome) return false;
  const t = Date.parse(e.time);
  if (f.since && t < new Date(f.since).getTime()) return false;
  if (f.until && t > new Date(f.until).getTime() + 59_999) return false;
  return true;
}

/** A spreadsheet reads a cell starting with = + - @ as a formula: such cells get a leading '. */
function cell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditCsv(events: AuditEvent[]): string {
  const head = ['time', 'actor_type', 'actor', 'action', 'environment', 'keys', 'outcome', 'count', 'ip', 'user_agent'];
  const rows = events.map((e) =>
    [e.time, e.actor.type, e.actor.name ?? e.actor.id ?? '', e.action, e.environment ?? '', e.keys.join(' '), e.outcome, String(e.count), e.ip, e.userAgent ?? '']
      .map(cell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}
