// Environments: every organization starts with development, staging and production; Admins add more.
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, environmentSchema, name, orgParams, slug } from '../http/schemas.ts';
import type { OrgService } from '../services/orgs/org-service.ts';
import type { EnvironmentRow } from '../storage/types.ts';

export function toEnvironment(e: EnvironmentRow): Environment {
  return { slug: e.slug, name: e.name, createdAt: e.createdAt };
}

export function registerEnvironmentRoutes(app: FastifyInstance, deps: Deps, orgs: OrgService): void {
  const { storage } = deps;

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/environments',
    {
      config: { action: 'environment.list' },
      schema: { params: orgParams, response: { 200: { type: 'object', properties: { environments: { type: 'array', items: environmentSchema } } } } },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.view');
      return { environments: (await storage.listEnvironments(access.org.id)).map(toEnvironment) };
    },
  );

  app.post<{ Params: { org: string }; Body: { slug: string; name?: string } }>(
    '/v1/orgs/:org/environments',
    { config: { action: 'environment.create' }, schema: { params: orgParams, body: body({ slug, name }, ['slug']), response: { 201: environmentSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const env = await orgs.createEnvironment(callerOf(request, access.actor), access.org, request.body.slug, request.body.name);
      reply.code(201);
      return toEnvironment(env);
    },
  );
}
