// A reveal that hits a ciphertext failing its integrity check is evidence of tampering with the
// database (or of a wrong key): it is refused, and recorded in the organization's audit log with the
// outcome `error` and the keys concerned, never anything of a value.
import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '../../core/api-types.ts';
import type { OrgAccess } from '../auth/access.ts';
import { auditEvent } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';

export function isUnreadable(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 'SECRET_UNREADABLE';
}

/** Audits the failed reveal of `keys`, then throws `refusal`. The refusal stands even if the audit write fails. */
export async function refuseUnreadable(
  deps: Deps,
  request: FastifyRequest,
  access: OrgAccess,
  action: AuditAction,
  environment: string,
  keys: string[],
  refusal: ApiError,
): Promise<never> {
  const event = auditEvent(request, access.actor, action, 'error', environment, keys);
  await deps.storage.appendAudit(access.org.id, event).catch((err: Error) => request.log.error({ errName: err.name }, 'audit write failed'));
  request.log.error({ keys }, 'a stored ciphertext failed its integrity check');
  throw refusal;
}
