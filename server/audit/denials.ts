// Recording denied attempts. Two rules keep this path safe against a hostile client:
// - The answer never waits for the audit write. Only an existing organization has an audit log, so a
//   denial that waited for its fsync would tell an existing organization from a missing one by response
//   time; and a client must not be able to hold requests open on the disk. A failed write is logged.
// - Repeats are aggregated: one event per (actor, action, target) per window, whose count grows, so a
//   client repeating an attempt cannot grow the log with the request rate. Anonymous attempts carry
//   attacker-chosen paths, so they aggregate per action alone (the event keeps the first target).
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../auth/principal.ts';
import type { Deps } from '../deps.ts';
import { auditEvent } from './events.ts';
import { auditableKeys, auditableSlug } from './target.ts';

export function recordDenial(deps: Deps, request: FastifyRequest, orgId: string, actor: Actor): void {
  const action = request.routeOptions.config.action;
  if (!action) return;
  const params = request.params as { env?: unknown; key?: unknown; ws?: unknown } | undefined;
  const environment = auditableSlug(params?.env);
  const keys = auditableKeys(params?.key);
  const workspace = auditableSlug(params?.ws);
  const event = { ...auditEvent(request, actor, action, 'denied', environment, keys), workspace };
  const window = Math.floor(deps.clock.now() / deps.limits.auditDenialWindowMs);
  const target = actor.type === 'anonymous' ? [] : [environment, keys, ...(workspace === null ? [] : [workspace])];
  event.repeatKey = JSON.stringify([window, actor.type, actor.id, action, ...target]);
  void deps.storage.appendAudit(orgId, event).catch((err: Error) => request.log.error({ errName: err.name }, 'audit write failed'));
}
