// Organizations and their members.
import type { FastifyInstance } from 'fastify';
import { ROLES, type Member, type Org, type Role } from '../../core/api-types.ts';
import { accessOrg, authorize, principalOf } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import { actorOf } from '../auth/principal.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, id, memberSchema, name, orgParams, orgSchema, params, slug } from '../http/schemas.ts';
import type { Services } from '../services/services.ts';
import type { MemberRow, OrgRow } from '../storage/types.ts';

const role = { type: 'string', enum: ROLES } as const;
const memberParams = params({ org: slug, userId: id });

function toOrg(o: OrgRow, r: Role): Org {
  return { slug: o.slug, name: o.name, role: r, createdAt: o.createdAt };
}

function toMember(m: MemberRow): Member {
  return { userId: m.userId, name: m.name, email: m.email, role: m.role, addedAt: m.addedAt };
}

export function registerOrgRoutes(app: FastifyInstance, deps: Deps, services: Services): void {
  const { storage } = deps;
  const { members, orgs } = services;

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
      const org = await orgs.createOrg(callerOf(request, actorOf(p)), p.user.id, request.body.slug, request.body.name);
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
      return toMember(await members.get(access.org.id, request.params.userId));
    },
  );

  app.put<{ Params: { org: string; userId: string }; Body: { role: Role } }>(
    '/v1/orgs/:org/members/:userId',
    { config: { action: 'member.update' }, schema: { params: memberParams, body: body({ role }, ['role']), response: { 200: memberSchema, 201: memberSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const { member, created } = await members.put(callerOf(request, access.actor), access.org.id, access.role!, request.params.userId, request.body.role);
      reply.code(created ? 201 : 200);
      return toMember(member);
    },
  );

  app.delete<{ Params: { org: string; userId: string } }>(
    '/v1/orgs/:org/members/:userId',
    { config: { action: 'member.remove' }, schema: { params: memberParams } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      await members.remove(callerOf(request, access.actor), access.org.id, access.role!, request.params.userId);
      return reply.code(204).send();
    },
  );
}
