// The dashboard's session: sign in with a personal token, describe the session, sign out. Signing in
// with a passkey ends in the same session (routes/passkeys.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Session } from '../../core/api-types.ts';
import { auditInEveryOrg } from '../audit/sign-in.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import type { FailedAuthLimiter } from '../auth/failed-auth-limiter.ts';
import type { SessionService } from '../auth/sessions.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { body, sessionSchema } from '../http/schemas.ts';
import type { UserRow } from '../storage/types.ts';
import { clearSessionCookie, setSessionCookie } from '../web/session-cookie.ts';

const token = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** Starts a session, sets its cookie and audits the sign-in; the answer for 201. */
export async function signIn(
  deps: Deps,
  sessions: SessionService,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRow,
  via: Parameters<SessionService['create']>[1],
): Promise<Session> {
  const { secret, row } = await sessions.create(user, via);
  await auditInEveryOrg(deps, request, user, 'session.create');
  setSessionCookie(reply, deps.site, secret, row.expiresAt - row.createdAt);
  return sessions.describe({ row, user, tokenExpiresAt: via.method === 'token' ? via.token.expiresAt : null }, secret);
}

export function registerSessionRoutes(app: FastifyInstance, deps: Deps, auth: Authenticator, sessions: SessionService, limiter: FailedAuthLimiter): void {
  app.post<{ Body: { token: string } }>(
    '/v1/session',
    { config: { public: true }, schema: { body: body({ token }, ['token']), response: { 201: sessionSchema } } },
    async (request, reply) => {
      const found = await auth.personalToken(request.body.token);
      if (!found) {
        limiter.recordFailure(clientKey(request.socket.remoteAddress));
        throw new ApiError('UNAUTHORIZED', 'This token is unknown, expired or revoked, or not a personal token');
      }
      const session = await signIn(deps, sessions, request, reply, found.user, { method: 'token', token: found.row });
      reply.code(201);
      return session;
    },
  );

  // Public so that a dashboard asking "am I signed in?" is told no without spending the address's
  // failed-authentication budget.
  app.get('/v1/session', { config: { public: true }, schema: { response: { 200: sessionSchema } } }, async (request) => {
    const s = request.principal?.kind === 'personal' ? request.principal.session : undefined;
    if (!s) throw new ApiError('UNAUTHORIZED', 'Not signed in: no session, or it has expired or ended');
    return sessions.describe(s.live, s.secret);
  });

  app.delete('/v1/session', { config: { public: true } }, async (request, reply) => {
    const p = request.principal;
    if (p?.kind === 'personal' && p.session) {
      await sessions.end(p.session.secret);
      await auditInEveryOrg(deps, request, p.user, 'session.delete');
    }
    clearSessionCookie(reply, deps.site);
    return reply.code(204).send();
  });
}
