// The caller, instance users, and personal tokens.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Me, PersonalToken, User } from '../../core/api-types.ts';
import { principalOf } from '../auth/access.ts';
import { mintedExpiry } from '../auth/token-lifetime.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, email, id, isoTime, name, params, parseExpiry, personalTokenSchema, userSchema } from '../http/schemas.ts';
import { DuplicateError, type TokenRow, type UserRow } from '../storage/types.ts';


export function toUser(u: UserRow): User {
  return { id: u.id, name: u.name, email: u.email, instanceAdmin: u.instanceAdmin, createdAt: u.createdAt };
}

function toPersonalToken(t: TokenRow): PersonalToken {
  return { id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt };
}

function newPersonalToken(userId: string, userName: string, tokenName: string, expiresAt: string | null): { row: TokenRow; token: string } {
  const token = generateToken('personal');
  const at = new Date().toISOString();
  return {
    token,
    row: {
      id: randomUUID(),
      kind: 'personal',
      hash: hashToken(token),
      name: tokenName,
      userId,
      orgId: null,
      environmentId: null,
      createdAt: at,
      createdBy: userName,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
}

function requireUser(principal: ReturnType<typeof principalOf>): UserRow {
  if (principal.kind !== 'personal') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
  return principal.user;
}

export function registerMeRoutes(app: FastifyInstance, deps: Deps): void {
  const { storage } = deps;

  app.get('/v1/me', async (request): Promise<Me> => {
    const p = principalOf(request);
    if (p.kind === 'personal') return { user: toUser(p.user), tokenKind: 'personal' };
    const org = await storage.getOrgById(p.orgId);
    const env = await storage.getEnvironmentById(p.orgId, p.environmentId);
    const me: Me = { user: null, tokenKind: 'service' };
    if (org) me.organization = org.slug;
    if (env) me.environment = env.slug;
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
      if (!caller.instanceAdmin) throw new ApiError('FORBIDDEN', 'Only an instance admin can create users');
      const at = new Date().toISOString();
      const user: UserRow = { id: randomUUID(), name: request.body.name, email: request.body.email, instanceAdmin: false, createdAt: at };
      const { row, token } = newPersonalToken(user.id, user.name, 'initial', mintedExpiry(principal, null, 'body'));
      try {
        await storage.createUser(user, row);
      } catch (err) {
        if (err instanceof DuplicateError) throw new ApiError('USER_EXISTS', `A user with the e-mail ${user.email} already exists`);
        throw err;
      }
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
      const expiresAt = mintedExpiry(principal, parseExpiry(request.body.expiresAt, 'body.expiresAt'), 'body.expiresAt');
      const { row, token } = newPersonalToken(user.id, user.name, request.body.name, expiresAt);
      await storage.createPersonalToken(row);
      reply.code(201).header('cache-control', 'no-store');
      return { ...toPersonalToken(row), token };
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/me/tokens/:id', { schema: { params: params({ id }) } }, async (request, reply) => {
    const user = requireUser(principalOf(request));
    const revoked = await storage.revokePersonalToken(user.id, request.params.id, new Date().toISOString());
    if (!revoked) throw new ApiError('TOKEN_NOT_FOUND', 'No such token');
    return reply.code(204).send();
  });
}
