// Service tokens: read-only, one organization, one environment (Admin+ manages them).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServiceToken } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { mintedExpiry } from '../auth/token-lifetime.ts';
import { auditEvent } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, id, isoTime, name, orgParams, params, parseExpiry, serviceTokenSchema, slug } from '../http/schemas.ts';
import type { TokenRow } from '../storage/types.ts';

function toServiceToken(t: TokenRow, envSlugs: Map<string, string>): ServiceToken {
  return {
    id: t.id,
    name: t.name,
    environment: envSlugs.get(t.environmentId ?? '') ?? '',
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
  };
}

export function registerServiceTokenRoutes(app: FastifyInstance, deps: Deps, auth: Authenticator): void {
  const { storage } = deps;

  const envSlugs = async (orgId: string) => new Map((await storage.listEnvironments(orgId)).map((e) => [e.id, e.slug]));

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/tokens',
    { config: { action: 'token.list' }, schema: { params: orgParams, response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: serviceTokenSchema } } } } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const slugs = await envSlugs(access.org.id);
      return { tokens: (await storage.listServiceTokens(access.org.id)).map((t) => toServiceToken(t, slugs)) };
    },
  );

  app.post<{ Params: { org: string }; Body: { name: string; environment: string; expiresAt?: string } }>(
    '/v1/orgs/:org/tokens',
    {
      config: { action: 'token.create' },
      schema: {
        params: orgParams,
        body: body({ name, environment: slug, expiresAt: isoTime }, ['name', 'environment']),
        response: { 201: { type: 'object', properties: { ...serviceTokenSchema.properties, token: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const env = await storage.getEnvironment(access.org.id, request.body.environment);
      if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${request.body.environment} does not exist in ${access.org.slug}`);
      const expiresAt = mintedExpiry(access.principal, parseExpiry(request.body.expiresAt, 'body.expiresAt'), 'body.expiresAt');
      const token = generateToken('service');
      const row: TokenRow = {
        id: randomUUID(),
        kind: 'service',
        hash: hashToken(token),
        name: request.body.name,
        userId: null,
        orgId: access.org.id,
        environmentId: env.id,
        createdAt: new Date().toISOString(),
        createdBy: access.actor.display,
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
      };
      await storage.createServiceToken(access.org.id, row, auditEvent(request, access.actor, 'token.create', 'allowed', env.slug, []));
      reply.code(201).header('cache-control', 'no-store');
      return { ...toServiceToken(row, new Map([[env.id, env.slug]])), token };
    },
  );

  app.delete<{ Params: { org: string; id: string } }>(
    '/v1/orgs/:org/tokens/:id',
    { config: { action: 'token.revoke' }, schema: { params: params({ org: slug, id }) } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const revoked = await storage.revokeServiceToken(
        access.org.id,
        request.params.id,
        new Date().toISOString(),
        auditEvent(request, access.actor, 'token.revoke', 'allowed', null, []),
      );
      if (!revoked) throw new ApiError('TOKEN_NOT_FOUND', 'No such token in this organization');
      auth.forget(request.params.id);
      return reply.code(204).send();
    },
  );
}
