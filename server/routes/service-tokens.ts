// Service tokens: read-only, one organization, one environment (Admin+ manages them).
import type { FastifyInstance } from 'fastify';
import type { ServiceToken } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, id, isoTime, name, orgParams, params, parseExpiry, serviceTokenSchema, slug } from '../http/schemas.ts';
import type { ServiceTokenService } from '../services/tokens/service-token-service.ts';
import type { WorkspaceService } from '../services/workspaces/workspace-service.ts';
import type { TokenRow } from '../storage/types.ts';

function toServiceToken(t: TokenRow, envSlugs: Map<string, string>, wsSlugs: Map<string, string>): ServiceToken {
  return {
    id: t.id,
    name: t.name,
    environment: envSlugs.get(t.environmentId ?? '') ?? '',
    workspace: t.workspaceId ? (wsSlugs.get(t.workspaceId) ?? null) : null,
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
  };
}

export function registerServiceTokenRoutes(app: FastifyInstance, deps: Deps, serviceTokens: ServiceTokenService, workspaces: WorkspaceService): void {
  const { storage } = deps;

  const envSlugs = async (orgId: string) => new Map((await storage.listEnvironments(orgId)).map((e) => [e.id, e.slug]));

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/tokens',
    { config: { action: 'token.list' }, schema: { params: orgParams, response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: serviceTokenSchema } } } } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const slugs = await envSlugs(access.org.id);
      const wsSlugs = new Map((await workspaces.list(access.org)).map((w) => [w.id, w.slug]));
      return { tokens: (await storage.listServiceTokens(access.org.id)).map((t) => toServiceToken(t, slugs, wsSlugs)) };
    },
  );

  app.post<{ Params: { org: string }; Body: { name: string; environment: string; workspace?: string; expiresAt?: string } }>(
    '/v1/orgs/:org/tokens',
    {
      config: { action: 'token.create' },
      schema: {
        params: orgParams,
        body: body({ name, environment: slug, workspace: slug, expiresAt: isoTime }, ['name', 'environment']),
        response: { 201: { type: 'object', properties: { ...serviceTokenSchema.properties, token: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const env = await serviceTokens.environment(access.org, request.body.environment);
      const workspace = request.body.workspace === undefined ? null : await workspaces.get(access.org, request.body.workspace);
      const requestedExpiry = parseExpiry(request.body.expiresAt, 'body.expiresAt');
      const { row, token } = await serviceTokens.create(callerOf(request, access.actor), access.principal, access.org, env, workspace, request.body.name, requestedExpiry);
      reply.code(201).header('cache-control', 'no-store');
      return { ...toServiceToken(row, new Map([[env.id, env.slug]]), new Map(workspace ? [[workspace.id, workspace.slug]] : [])), token };
    },
  );

  app.delete<{ Params: { org: string; id: string } }>(
    '/v1/orgs/:org/tokens/:id',
    { config: { action: 'token.revoke' }, schema: { params: params({ org: slug, id }) } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      await serviceTokens.revoke(callerOf(request, access.actor), access.org, request.params.id);
      return reply.code(204).send();
    },
  );
}
