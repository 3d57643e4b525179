// Which audit events `secrets audit` shows. The audit API pages newest first with no filters of its own,
// so the filters are applied here while paging; --since also tells the pager where to stop.
import type { AuditEvent } from '../core/api-types.ts';
import { normalizeKey } from '../core/secret-key.ts';
import { timeAgoOrAt } from './duration.ts';
import { CliError } from './errors.ts';
import type { Flags } from './args.ts';

export interface AuditFilter {
  since?: number;
  until?: number;
  actor?: string;
  action?: string;
  key?: string;
  env?: string;
  outcome?: 'allowed' | 'denied';
}

export function auditFilter(flags: Flags, now = Date.now()): AuditFilter {
  const f: AuditFilter = {};
  if (flags.since !== undefined) f.since = timeAgoOrAt(flags.since, '--since', now);
  if (flags.until !== undefined) f.until = timeAgoOrAt(flags.until, '--until', now);
  if (flags.actor !== undefined) f.actor = flags.actor.toLowerCase();
  if (flags.action !== undefined) f.action = flags.action.toLowerCase();
  if (flags.key !== undefined) f.key = normalizeKey(flags.key);
  if (flags.env !== undefined) f.env = flags.env;
  if (flags.outcome !== undefined) {
    if (flags.outcome !== 'allowed' && flags.outcome !== 'denied') throw new CliError('CLI_INVALID_INPUT', '--outcome must be allowed or denied');
    f.outcome = flags.outcome;
  }
  return f;
}

/**
 * --actor matches the actor's id or name (ignoring case); --action an action (`secret.reveal`) or a
 * family (`secret`, `secret.*`); --key any of the event's keys.
 */
export function matches(e: AuditEvent, f: AuditFilter): boolean {
  const t = Date.parse(e.time);
  if (f.since !== undefined && t < f.since) return false;
  if (f.until !== undefined && t > f.until) return false;
  if (f.actor !== undefined && e.actor.id?.toLowerCase() !== f.actor && e.actor.name?.toLowerCase() !== f.actor) return false;
  if (f.action !== undefined) {
    const family = f.action.replace(/\.?\*$/, '');
    if (e.action !== f.action && !e.action.startsWith(family + '.')) return false;
  }
  if (f.key !== undefined && !e.keys.includes(f.key)) return false;
  if (f.env !== undefined && e.environment !== f.env) return false;
  if (f.outcome !== undefined && e.outcome !== f.outcome) return false;
  return true;
}

/** Events are newest first: once one is older than --since, every later one is too. */
export function pastSince(e: AuditEvent, f: AuditFilter): boolean {
  return f.since !== undefined && Date.parse(e.time) < f.since;
}
