// Passkeys: signing in with one (ending in the same session cookie as a token sign-in), and "My
// account": list, add, rename and remove your own passkeys.
import type { FastifyInstance } from 'fastify';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Passkey } from '../../core/api-types.ts';
import { principalOf } from '../auth/access.ts';
import type { FailedAuthLimiter } from '../auth/failed-auth-limiter.ts';
import type { PasskeyCeremonies } from '../auth/passkeys.ts';
import type { SessionService } from '../auth/sessions.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { body, emptyBody, name, params, passkeyId, passkeySchema, sessionSchema, webauthnCredential } from '../http/schemas.ts';
import { DuplicateError, type PasskeyRow, type UserRow } from '../storage/types.ts';
import { signIn } from './session.ts';

function toPasskey(k: PasskeyRow): Passkey {
  return { id: k.id, name: k.name, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt };
}

function requireUser(request: Parameters<typeof principalOf>[0]): UserRow {
  const p = principalOf(request);
  if (p.kind !== 'personal') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
  return p.user;
}

/** A passkey being added is bound to the session that asked (or, with a bearer token, to that token). */
function subjectOf(request: Parameters<typeof principalOf>[0]): string {
  const p = principalOf(request);
  if (p.kind !== 'personal') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
  return p.session ? `session:${Buffer.from(p.session.live.row.hash).toString('base64url')}` : `token:${p.tokenId}`;
}
const passkeyParams = params({ id: passkeyId });

export function registerPasskeyRoutes(app: FastifyInstance, deps: Deps, sessions: SessionService, ceremonies: PasskeyCeremonies, limiter: FailedAuthLimiter): void {
  const { storage } = deps;

  app.post('/v1/session/passkey/options', { config: { public: true }, schema: { body: emptyBody } }, async () => ceremonies.authenticationOptions());

  app.post<{ Body: { credential: AuthenticationResponseJSON } }>(
    '/v1/session/passkey',
    { config: { public: true }, schema: { body: body({ credential: webauthnCredential }, ['credential']), response: { 201: sessionSchema } } },
    async (request, reply) => {
      let passkey: PasskeyRow;
      try {
        passkey = await ceremonies.verifyAuthentication(request.body.credential);
      } catch (err) {
        limiter.recordFailure(clientKey(request.socket.remoteAddress));
        throw err;
      }
      const user = await storage.getUser(passkey.userId);
      if (!user) throw new ApiError('PASSKEY_REJECTED');
      const session = await signIn(deps, sessions, request, reply, user, { method: 'passkey' });
      reply.code(201);
      return session;
    },
  );

  app.get('/v1/me/passkeys', { schema: { response: { 200: { type: 'object', properties: { passkeys: { type: 'array', items: passkeySchema } } } } } }, async (request) => {
    const user = requireUser(request);
    return { passkeys: (await storage.listPasskeys(user.id)).map(toPasskey) };
  });

  app.post('/v1/me/passkeys/options', { schema: { body: emptyBody } }, async (request) => {
    const user = requireUser(request);
    const existing = await storage.listPasskeys(user.id);
    return ceremonies.registrationOptions('register', subjectOf(request), { userId: user.id, email: user.email, name: user.name }, existing);
  });

  app.post<{ Body: { credential: RegistrationResponseJSON; name?: string } }>(
    '/v1/me/passkeys',
    { schema: { body: body({ credential: webauthnCredential, name }, ['credential']), response: { 201: passkeySchema } } },
    async (request, reply) => {
      const user = requireUser(request);
      const { credential: c } = await ceremonies.verifyRegistration('register', subjectOf(request), request.body.credential);
      const at = new Date(deps.clock.now()).toISOString();
      const row: PasskeyRow = {
        id: c.id,
        userId: user.id,
        name: request.body.name ?? 'Passkey',
        publicKey: c.publicKey,
        counter: c.counter,
        transports: JSON.stringify(c.transports),
        createdAt: at,
        lastUsedAt: null,
      };
      try {
        await storage.createPasskey(row);
      } catch (err) {
        if (err instanceof DuplicateError) throw new ApiError('PASSKEY_REJECTED', 'This passkey is already registered');
        throw err;
      }
      reply.code(201);
      return toPasskey(row);
    },
  );

  app.patch<{ Params: { id: string }; Body: { name: string } }>(
    '/v1/me/passkeys/:id',
    { schema: { params: passkeyParams, body: body({ name }, ['name']), response: { 200: passkeySchema } } },
    async (request) => {
      const user = requireUser(request);
      if (!(await storage.renamePasskey(user.id, request.params.id, request.body.name))) throw new ApiError('PASSKEY_NOT_FOUND');
      return toPasskey((await storage.getPasskey(request.params.id))!);
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/me/passkeys/:id', { schema: { params: passkeyParams } }, async (request, reply) => {
    const user = requireUser(request);
    const mine = await storage.listPasskeys(user.id);
    if (!mine.some((k) => k.id === request.params.id)) throw new ApiError('PASSKEY_NOT_FOUND');
    // A person with no passkey and no personal token left could never sign in again.
    const now = deps.clock.now();
    const tokens = (await storage.listPersonalTokens(user.id)).filter((t) => t.expiresAt === null || Date.parse(t.expiresAt) > now);
    if (mine.length === 1 && tokens.length === 0) throw new ApiError('LAST_SIGN_IN_METHOD');
    await storage.deletePasskey(user.id, request.params.id);
    return reply.code(204).send();
  });
}
