// Resolves `Authorization: Bearer <token>`, or else the dashboard's session cookie, to a principal.
// Unknown, malformed, expired and revoked tokens and sessions are all the same 401; an anonymous
// attempt on an existing organization is audited as denied. Failures are counted per client address,
// and an address over its budget gets 429 (failed-auth-limiter.ts). A request riding on the cookie
// must pass the same-origin and CSRF checks (web/same-origin.ts); a bearer token needs neither, as a
// browser never attaches one by itself.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { recordDenial } from '../audit/denials.ts';
import { auditableSlug } from '../audit/target.ts';
import { clientKey } from '../http/client-address.ts';
import type { FailedAuthLimiter } from './failed-auth-limiter.ts';
import type { TokenRow, UserRow } from '../storage/types.ts';
import { hashToken, sameHash, tokenKind } from './tokens.ts';
import { actorOf, type Principal } from './principal.ts';
import { csrfTokenOf, wellFormedSecret, type LiveSession, type SessionService } from './sessions.ts';
import { assertCsrfToken, assertSameOrigin, changesState } from '../web/same-origin.ts';
import { readSessionCookie } from '../web/session-cookie.ts';

/** last-used is a write (and an fsync); once a minute per token is precise enough. */
const TOUCH_INTERVAL_MS = 60_000;

export class Authenticator {
  private readonly deps: Deps;
  private readonly touched = new Map<string, number>();

  constructor(deps: Deps) {
    this.deps = deps;
  }

  async principal(header: string | undefined): Promise<Principal | null> {
    if (!header) return null;
    const space = header.indexOf(' ');
    if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return null;
    const row = await this.validToken(header.slice(space + 1).trim());
    if (!row) return null;
    if (row.kind === 'personal') {
      const user = row.userId ? await this.deps.storage.getUser(row.userId) : undefined;
      return user ? { kind: 'personal', tokenId: row.id, user, expiresAt: row.expiresAt } : null;
    }
    if (!row.orgId || !row.environmentId) return null;
    return {
      kind: 'service',
      tokenId: row.id,
      name: row.name,
      orgId: row.orgId,
      environmentId: row.environmentId,
      workspaceId: row.workspaceId ?? null,
      ...(row.workflow && { workflow: row.workflow }),
    };
  }

  /** A personal token pasted into the sign-in form, with its user; null for anything else. */
  async personalToken(token: string): Promise<{ row: TokenRow; user: UserRow } | null> {
    const row = await this.validToken(token);
    if (!row || row.kind !== 'personal' || !row.userId) return null;
    const user = await this.deps.storage.getUser(row.userId);
    return user ? { row, user } : null;
  }

  private async validToken(token: string): Promise<TokenRow | null> {
    const kind = tokenKind(token);
    if (!kind) return null;
    const hash = hashToken(token);
    const row = await this.deps.storage.findTokenByHash(hash);
    if (!row || row.kind !== kind || !sameHash(row.hash, hash)) return null;
    const now = this.deps.clock.now();
    if (row.revokedAt !== null) return null;
    if (row.expiresAt !== null && Date.parse(row.expiresAt) <= now) return null;
    this.touch(row.id, now);
    return row;
  }

  private touch(tokenId: string, now: number): void {
    const last = this.touched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(tokenId, now);
    void this.deps.storage.touchToken(tokenId, new Date(now).toISOString()).catch(() => undefined);
  }

  forget(tokenId: string): void {
    this.touched.delete(tokenId);
  }
}

/** The session cookie's principal, after the cross-site checks; null when there is no live session. */
async function sessionPrincipal(request: FastifyRequest, deps: Deps, sessions: SessionService): Promise<Principal | null> {
  const secret = wellFormedSecret(readSessionCookie(request, deps.site));
  if (secret === null) return null;
  const live = await sessions.resolve(secret);
  if (!live) return null;
  assertSameOrigin(request, deps.site.origin, true);
  if (changesState(request)) assertCsrfToken(request, csrfTokenOf(secret));
  return sessionPrincipalOf(secret, live);
}

function sessionPrincipalOf(secret: string, live: LiveSession): Principal {
  return { kind: 'personal', tokenId: live.row.tokenId, user: live.user, expiresAt: live.tokenExpiresAt, session: { secret, live } };
}

export function installAuthentication(
  app: FastifyInstance,
  deps: Deps,
  auth: Authenticator,
  sessions: SessionService,
  limiter: FailedAuthLimiter,
): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('currentPrincipal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    if (request.routeOptions.url === undefined || config.methodNotAllowed || !request.url.startsWith('/v1/')) return;
    const client = clientKey(request.socket.remoteAddress);
    const wait = limiter.retryAfterSeconds(client);
    if (wait > 0) {
      const detail = 'Too many failed authentication attempts from this address; retry later';
      throw new ApiError('RATE_LIMITED', detail, { headers: { 'retry-after': String(wait) } });
    }
    const bearer = request.headers.authorization;
    let principal: Principal | null;
    try {
      principal = bearer ? await auth.principal(bearer) : await sessionPrincipal(request, deps, sessions);
    } catch (err) {
      // On a public route (signing in again, signing out) a cookie that fails the cross-site checks is
      // simply not used: the request goes on as anonymous and can do nothing in the session's name.
      if (!(config.public && err instanceof ApiError && err.code === 'CSRF_REJECTED')) throw err;
      principal = null;
    }
    if (principal) {
      request.principal = principal;
      const session = principal.kind === 'personal' ? principal.session : undefined;
      // The cross-site checks were passed by this request; later only the credential itself can end.
      request.currentPrincipal = bearer
        ? () => auth.principal(bearer)
        : async () => {
            const live = session ? await sessions.resolve(session.secret, false) : null;
            return live && session ? sessionPrincipalOf(session.secret, live) : null;
          };
      return;
    }
    if (config.public) {
      // Signing in and opening invitations: no principal needed, but a browser's request must be ours.
      assertSameOrigin(request, deps.site.origin, false);
      return;
    }
    limiter.recordFailure(client);
    await recordAnonymousDenial(request, deps);
    throw new ApiError('UNAUTHORIZED', undefined, { headers: { 'www-authenticate': 'Bearer' } });
  });
}

async function recordAnonymousDenial(request: FastifyRequest, deps: Deps): Promise<void> {
  const slug = auditableSlug((request.params as { org?: unknown } | undefined)?.org);
  if (!request.routeOptions.config.action || slug === null) return;
  const org = await deps.storage.getOrgBySlug(slug);
  if (org) recordDenial(deps, request, org.id, actorOf(null));
}
