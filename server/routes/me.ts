// The caller, instance users, and personal tokens.
import type { FastifyInstance } from 'fastify';
import type { Me, PersonalToken, User } from '../../core/api-types.ts';
import { principalOf } from '../auth/access.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, email, id, isoTime, name, params, parseExpiry, personalTokenSchema, userSchema } from '../http/schemas.ts';
import type { UserService } from '../services/users/user-service.ts';
import type { TokenRow, UserRow } from '../storage/types.ts';

export function toUser(u: UserRow): User {
  return { id: u.id, name: u.name, email: u.email, instanceAdmin: u.instanceAdmin, createdAt: u.createdAt };
}

function toPersonalToken(t: TokenRow): PersonalToken {
  return { id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt };
}

function requireUser(principal: ReturnType<typeof principalOf>): UserRow {
  if (principal.kind !== 'personal') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
  return principal.user;
}

export function registerMeRoutes(app: FastifyInstance, deps: Deps, users: UserService): void {
  const { storage } = deps;

  app.get('/v1/me', async (request): Promise<Me> => {
    const p = principalOf(request);
    if (p.kind === 'personal') return { user: toUser(p.user), tokenKind: 'personal' };
    const org = await storage.getOrgById(p.orgId);
    const env = await storage.getEnvironmentById(p.orgId, p.environmentId);
    const me: Me = { user: null, tokenKind: 'service' };
    if (org) me.organization = org.slug;
    if (env) me.environment = env.slug;
    const ws = p.workspaceId ? await storage.getWorkspaceById(p.orgId, p.workspaceId) : undefined;
    if (ws) me.workspace = ws.slug;
    return me;
  });

  app.post<{ Body: { name: string; email: string } }>(
    '/v1/users',
    {
      schema: {
        body: body({ name, email }, ['name', 'email']),
        response: { 201: { type: 'object', properties: { user: userSchema, token: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const caller = requireUser(principal);
      const { user, token } = await users.createUser(principal, caller, request.body.name, request.body.email);
      reply.code(201).header('cache-control', 'no-store');
      return { user: toUser(user), token };
    },
  );

  app.get('/v1/me/tokens', { schema: { response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: personalTokenSchema } } } } } }, async (request) => {
    const user = requireUser(principalOf(request));
    return { tokens: (await storage.listPersonalTokens(user.id)).map(toPersonalToken) };
  });

  app.post<{ Body: { name: string; expiresAt?: string } }>(
    '/v1/me/tokens',
    {
      schema: {
        body: body({ name, expiresAt: isoTime }, ['name']),
        response: { 201: { type: 'object', properties: { ...personalTokenSchema.properties, token: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const user = requireUser(principal);
      const { row, token } = await users.createToken(principal, user, request.body.name, parseExpiry(request.body.expiresAt, 'body.expiresAt'));
      reply.code(201).header('cache-control', 'no-store');
      return { ...toPersonalToken(row), token };
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/me/tokens/:id', { schema: { params: params({ id }) } }, async (request, reply) => {
    const user = requireUser(principalOf(request));
    await users.revokeToken(user, request.params.id);
    return reply.code(204).send();
  });
}
