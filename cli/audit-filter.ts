// The filters of `secrets audit`, from flags to the audit API's query (the server filters; see
// docs/api.md, Audit). Times may be typed as a duration ago (`--since 2h`) and are sent as ISO times.
import type { AuditQuery } from '../core/api-types.ts';
import type { Flags } from './args.ts';
import { timeAgoOrAt } from './duration.ts';
import { CliError } from './errors.ts';

export type AuditFilter = Omit<AuditQuery, 'limit' | 'cursor' | 'after'>;

export function auditFilter(flags: Flags, now = Date.now()): AuditFilter {
  const f: AuditFilter = {};
  if (flags.since !== undefined) f.since = new Date(timeAgoOrAt(flags.since, '--since', now)).toISOString();
  if (flags.until !== undefined) f.until = new Date(timeAgoOrAt(flags.until, '--until', now)).toISOString();
  if (flags.actor !== undefined) f.actor = flags.actor;
  if (flags.action !== undefined) {
    // `secret.*` reads naturally on a command line; the API calls that family `secret`.
    const action = flags.action.toLowerCase().replace(/\.\*$/, '');
    if (!/^[a-z_]{1,32}(\.[a-z_]{1,32})?$/.test(action)) throw new CliError('CLI_INVALID_INPUT', '--action must be an action such as secret.reveal, or a family such as secret');
    f.action = action;
  }
  if (flags.key !== undefined) f.key = flags.key;
  if (flags.env !== undefined) f.environment = flags.env;
  if (flags.workspace !== undefined) f.workspace = flags.workspace;
  if (flags.outcome !== undefined) {
    if (flags.outcome !== 'allowed' && flags.outcome !== 'denied') throw new CliError('CLI_INVALID_INPUT', '--outcome must be allowed or denied');
    f.outcome = flags.outcome;
  }
  return f;
}
