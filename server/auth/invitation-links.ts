// Invitation link secrets: a recognisable prefix (secret scanners can spot a leaked link) and 256 bits
// of randomness; only the SHA-256 is stored. The link carries the secret in its fragment
// (`<public URL>/invite#scrt_inv_…`), which browsers never send to a server or put in a Referer.
import { createHash, randomBytes } from 'node:crypto';

export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
export const INVITATION_TOKEN_PATTERN = '^scrt_inv_[A-Za-z0-9_-]{43}$';

export function generateInvitationToken(): string {
  return `scrt_inv_${randomBytes(32).toString('base64url')}`;
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function invitationUrl(origin: string, token: string): string {
  return `${origin}/invite#${token}`;
}
