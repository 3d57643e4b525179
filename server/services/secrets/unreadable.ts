// A reveal that hits a ciphertext failing its integrity check is evidence of tampering with the
// database (or of a wrong key): it is refused, and recorded in the organization's audit log with the
// outcome `error` and the keys concerned, never anything of a value.
import type { AuditAction, AuditDetails } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import { ApiError } from '../../errors.ts';
import type { EnvironmentRow, OrgRow, Storage } from '../../storage/types.ts';

export function isUnreadable(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 'SECRET_UNREADABLE';
}

/** Audits the failed reveal of `keys`, then throws `refusal`. The refusal stands even if the audit write fails. */
export async function refuseUnreadable(
  storage: Storage,
  caller: Caller,
  org: OrgRow,
  action: AuditAction,
  env: EnvironmentRow,
  keys: string[],
  refusal: ApiError,
  details?: AuditDetails,
): Promise<never> {
  const event = callerEvent(caller, action, 'error', env.slug, keys, details);
  await storage.appendAudit(org.id, event).catch((err: Error) => caller.log.error({ errName: err.name }, 'audit write failed'));
  caller.log.error({ keys }, 'a stored ciphertext failed its integrity check');
  throw refusal;
}
