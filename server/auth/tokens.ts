// API tokens: a recognisable prefix (so secret scanners can spot a leaked one) and 256 bits of
// randomness. Only a SHA-256 hash is stored: with that much entropy a slow hash adds nothing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'personal' | 'service';

const PREFIX: Record<TokenKind, string> = { personal: 'scrt_pat_', service: 'scrt_svc_' };
const TOKEN_PATTERN = /^scrt_(pat|svc)_[A-Za-z0-9_-]{43}$/;

export function generateToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The kind a well-formed token claims, or null for anything that cannot be one of ours. */
export function tokenKind(token: string): TokenKind | null {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return null;
  return m[1] === 'pat' ? 'personal' : 'service';
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
