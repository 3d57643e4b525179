// Organizations and their members.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Member, type Org, type Role } from '../../core/api-types.ts';
import { accessOrg, authorize, principalOf } from '../auth/access.ts';
import { canManageRole } from '../auth/permissions.ts';
import { auditEvent } from '../audit/events.ts';
import { actorOf } from '../auth/principal.ts';
import { defaultEnvironments } from '../bootstrap.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, id, memberSchema, name, orgParams, orgSchema, params, slug } from '../http/schemas.ts';
import { DuplicateError, type MemberRow, type OrgRow } from '../storage/types.ts';

const role = { type: 'string', enum: ROLES } as const;
const memberParams = params({ org: slug, userId: id });

function toOrg(o: OrgRow, r: Role): Org {
  return { slug: o.slug, name: o.name, role: r, createdAt: o.createdAt };
}

function toMember(m: MemberRow): Member {
  return { userId: m.userId, name: m.name, email: m.email, role: m.role, addedAt: m.addedAt };
}

export function registerOrgRoutes(app: FastifyInstance, deps: Deps): void {
  const { storage, keyring } = deps;

  app.get('/v1/orgs', { schema: { response: { 200: { type: 'object', properties: { orgs: { type: 'array', items: orgSchema } } } } } }, async (request) => {
    const p = principalOf(request);
    if (p.kind === 'service') {
      // A service token sees its one organization; it reads like a viewer there (plus reveal in its environment).
      const org = await storage.getOrgById(p.orgId);
      return { orgs: org ? [toOrg(org, 'viewer')] : [] };
    }
    return { orgs: (await storage.listOrgsForUser(p.user.id)).map((o) => toOrg(o, o.role)) };
  });

  app.post<{ Body: { slug: string; name: string } }>(
    '/v1/orgs',
    { config: { action: 'org.create' }, schema: { body: body({ slug, name }, ['slug', 'name']), response: { 201: orgSchema } } },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.kind !== 'personal') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
      const at = new Date().toISOString();
      const orgId = randomUUID();
      const org: OrgRow = { id: orgId, slug: request.body.slug, name: request.body.name, wrappedKey: keyring.newOrgKey(orgId), createdAt: at };
      try {
        await storage.createOrg(org, p.user.id, defaultEnvironments(at), auditEvent(request, actorOf(p), 'org.create', 'allowed', null, []));
      } catch (err) {
        if (err instanceof DuplicateError) throw new ApiError('ORG_EXISTS', `An organization with the slug ${org.slug} already exists`);
        throw err;
      }
      reply.code(201);
      return toOrg(org, 'owner');
    },
  );

  app.get<{ Params: { org: string } }>('/v1/orgs/:org', { config: { action: 'org.read' }, schema: { params: orgParams, response: { 200: orgSchema } } }, async (request) => {
    const access = await accessOrg(deps, request, request.params.org);
    await authorize(deps, request, access, 'org.read');
    return toOrg(access.org, access.role ?? 'viewer');
  });

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/members',
    { config: { action: 'member.list' }, schema: { params: orgParams, response: { 200: { type: 'object', properties: { members: { type: 'array', items: memberSchema } } } } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.view');
      return { members: (await storage.listMembers(access.org.id)).map(toMember) };
    },
  );

  app.get<{ Params: { org: string; userId: string } }>(
    '/v1/orgs/:org/members/:userId',
    { config: { action: 'member.list' }, schema: { params: memberParams, response: { 200: memberSchema } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.view');
      const member = await storage.getMember(access.org.id, request.params.userId);
      if (!member) throw new ApiError('MEMBER_NOT_FOUND', 'That user is not a member of this organization');
      return toMember(member);
    },
  );

  app.put<{ Params: { org: string; userId: string }; Body: { role: Role } }>(
    '/v1/orgs/:org/members/:userId',
    { config: { action: 'member.update' }, schema: { params: memberParams, body: body({ role }, ['role']), response: { 200: memberSchema, 201: memberSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const { userId } = request.params;
      const newRole = request.body.role;
      const user = await storage.getUser(userId);
      if (!user) throw new ApiError('USER_NOT_FOUND', 'No such user');
      const current = await storage.getMember(access.org.id, userId);
      if (!canManageRole(access.role!, current?.role ?? null, newRole)) {
        throw new ApiError('OWNER_PROTECTED', 'Only an Owner can grant, change or remove the Owner role');
      }
      if (current?.role === 'owner' && newRole !== 'owner' && (await storage.countOwners(access.org.id)) <= 1) {
        throw new ApiError('LAST_OWNER', 'The organization must keep at least one Owner');
      }
      const action = current ? 'member.update' : 'member.add';
      await storage.putMember(access.org.id, userId, newRole, new Date().toISOString(), auditEvent(request, access.actor, action, 'allowed', null, []));
      reply.code(current ? 200 : 201);
      return toMember((await storage.getMember(access.org.id, userId))!);
    },
  );

  app.delete<{ Params: { org: string; userId: string } }>(
    '/v1/orgs/:org/members/:userId',
    { config: { action: 'member.remove' }, schema: { params: memberParams } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const current = await storage.getMember(access.org.id, request.params.userId);
      if (!current) throw new ApiError('MEMBER_NOT_FOUND', 'That user is not a member of this organization');
      if (!canManageRole(access.role!, current.role, null)) throw new ApiError('OWNER_PROTECTED', 'Only an Owner can remove an Owner');
      if (current.role === 'owner' && (await storage.countOwners(access.org.id)) <= 1) {
        throw new ApiError('LAST_OWNER', 'The organization must keep at least one Owner');
      }
      await storage.removeMember(access.org.id, current.userId, auditEvent(request, access.actor, 'member.remove', 'allowed', null, []));
      return reply.code(204).send();
    },
  );
}
