// Sign-ins and sign-outs belong to a person, not to one organization; each organization the person is
// a member of records them, so every Admin who can see the person's actions sees how they got in.
import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '../../core/api-types.ts';
import type { Deps } from '../deps.ts';
import type { UserRow } from '../storage/types.ts';
import { auditEvent } from './events.ts';

export async function auditInEveryOrg(deps: Deps, request: FastifyRequest, user: UserRow, action: AuditAction): Promise<void> {
  const actor = { type: 'user' as const, id: user.id, name: user.name, display: user.name };
  const orgs = await deps.storage.listOrgsForUser(user.id);
  await Promise.all(orgs.map((o) => deps.storage.appendAudit(o.id, auditEvent(request, actor, action, 'allowed', null, []))));
}
