// Dashboard sessions. The cookie holds 256 random bits; the database holds only their SHA-256 (so a
// copy of the database signs no one in), and the CSRF token is derived from the secret under another
// label, so it needs no storage and cannot be computed from the stored hash. A session ends when it
// is unused for `sessionIdleMs`, `sessionMaxMs` after sign-in, when its user signs out, and when the
// personal token it was signed in with is revoked or expires. Time comes from deps.clock.
import { createHash, randomBytes } from 'node:crypto';
import type { Session } from '../../core/api-types.ts';
import type { Deps } from '../deps.ts';
import type { SessionRow, TokenRow, UserRow } from '../storage/types.ts';
import { sameHash } from './tokens.ts';

/** Writing last-seen on every request would be an fsync per click; this fraction of the idle time is precise enough. */
const TOUCH_FRACTION = 20;

export interface LiveSession {
  row: SessionRow;
  user: UserRow;
  /** The expiry of the token signed in with (null for a passkey, or a token without one). */
  tokenExpiresAt: string | null;
}

function digest(label: string, secret: string): Buffer {
  return createHash('sha256').update(`${label}\n${secret}`, 'utf8').digest();
}

export function sessionHash(secret: string): Buffer {
  return digest('secrets-session-id', secret);
}

export function csrfTokenOf(secret: string): string {
  return digest('secrets-session-csrf', secret).toString('base64url');
}

/** The cookie's secret: well-formed ones only, so junk never reaches the database. */
export function wellFormedSecret(value: string | undefined): string | null {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

export class SessionService {
  private readonly deps: Deps;

  constructor(deps: Deps) {
    this.deps = deps;
  }

  /** Starts a session for `user`; returns the cookie's secret (the only copy). */
  async create(user: UserRow, via: { method: 'passkey' } | { method: 'token'; token: TokenRow }): Promise<{ secret: string; row: SessionRow }> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    let expiresAt = now + this.deps.limits.sessionMaxMs;
    // A session never outlives the token it was signed in with.
    if (via.method === 'token' && via.token.expiresAt !== null) expiresAt = Math.min(expiresAt, Date.parse(via.token.expiresAt));
    const row: SessionRow = {
      hash: sessionHash(secret),
      userId: user.id,
      tokenId: via.method === 'token' ? via.token.id : null,
      method: via.method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
    };
    // Sessions nobody comes back to are never resolved again; each sign-in sweeps them away.
    await this.deps.storage.deleteExpiredSessions(now, now - this.deps.limits.sessionIdleMs);
    await this.deps.storage.createSession(row);
    return { secret, row };
  }

  /** The live session of a cookie secret, touched as used; null when unknown, ended or expired. */
  /** `touch: false` checks the session without counting as activity (an open event stream is not the person acting). */
  async resolve(secret: string, touch = true): Promise<LiveSession | null> {
    const hash = sessionHash(secret);
    const row = await this.deps.storage.getSession(hash);
    if (!row || !sameHash(row.hash, hash)) return null;
    const now = this.deps.clock.now();
    if (now >= row.expiresAt || now >= row.lastSeenAt + this.deps.limits.sessionIdleMs) {
      await this.deps.storage.deleteSession(hash);
      return null;
    }
    let tokenExpiresAt: string | null = null;
    if (row.tokenId !== null) {
      const token = await this.tokenOf(row.tokenId, row.userId);
      if (!token || token.revokedAt !== null || (token.expiresAt !== null && Date.parse(token.expiresAt) <= now)) {
        await this.deps.storage.deleteSession(hash);
        return null;
      }
      tokenExpiresAt = token.expiresAt;
    }
    const user = await this.deps.storage.getUser(row.userId);
    if (!user) return null;
    if (touch && now - row.lastSeenAt >= this.deps.limits.sessionIdleMs / TOUCH_FRACTION) {
      await this.deps.storage.touchSession(hash, now);
      row.lastSeenAt = now;
    }
    return { row, user, tokenExpiresAt };
  }

  private async tokenOf(tokenId: string, userId: string): Promise<TokenRow | undefined> {
    return (await this.deps.storage.listPersonalTokens(userId)).find((t) => t.id === tokenId);
  }

  async end(secret: string): Promise<boolean> {
    return this.deps.storage.deleteSession(sessionHash(secret));
  }

  describe(live: LiveSession, secret: string): Session {
    const idleEnd = live.row.lastSeenAt + this.deps.limits.sessionIdleMs;
    return {
      user: { id: live.user.id, name: live.user.name, email: live.user.email, instanceAdmin: live.user.instanceAdmin, createdAt: live.user.createdAt },
      csrfToken: csrfTokenOf(secret),
      signedInWith: live.row.method,
      createdAt: new Date(live.row.createdAt).toISOString(),
      expiresAt: new Date(Math.min(idleEnd, live.row.expiresAt)).toISOString(),
      absoluteExpiresAt: new Date(live.row.expiresAt).toISOString(),
      revealSeconds: this.deps.limits.revealMs / 1000,
    };
  }
}
