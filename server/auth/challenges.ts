// WebAuthn challenges, kept on the server: each is 256 random bits, issued for one purpose and bound
// to one subject (the user adding a passkey, the invitation being accepted; nothing for a sign-in),
// lives CHALLENGE_TTL_MS, and is taken (deleted) by the first verification that presents it, whether
// or not that verification then succeeds. They live in the database (storage's putChallenge and
// takeChallenge), not in this process, so a ceremony begun on one instance ends on any other behind
// the same load balancer, and is taken once across all of them. Only the challenge's SHA-256 is
// stored: its end is found by equality, and the value never needs to be read back.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Storage } from '../storage/types.ts';

export type CeremonyPurpose = 'register' | 'invite' | 'sign-in';

export const CHALLENGE_TTL_MS = 5 * 60_000;
/**
 * Challenges held at once, by every instance together: the public sign-in options route could
 * otherwise grow the table without bound. Oldest go first (a ceremony that old is rarely still open).
 */
export const MAX_CHALLENGES = 10_000;

export class ChallengeStore {
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly max: number;

  constructor(storage: Storage, clock: Clock, max = MAX_CHALLENGES) {
    this.storage = storage;
    this.clock = clock;
    this.max = max;
  }

  async issue(purpose: CeremonyPurpose, subject: string, data: Record<string, string> = {}): Promise<string> {
    const now = this.clock.now();
    const challenge = randomBytes(32).toString('base64url');
    await this.storage.putChallenge({ hash: hashOf(challenge), purpose, subject, data, expiresAt: now + CHALLENGE_TTL_MS }, now, this.max);
    return challenge;
  }

  /** Takes the challenge (single use) and returns its data when it was issued for this purpose and subject and has not expired. */
  async take(challenge: string, purpose: CeremonyPurpose, subject: string): Promise<Record<string, string> | null> {
    const p = await this.storage.takeChallenge(hashOf(challenge));
    if (!p) return null;
    if (p.purpose !== purpose || p.subject !== subject || this.clock.now() >= p.expiresAt) return null;
    return p.data;
  }
}

function hashOf(challenge: string): Uint8Array {
  return createHash('sha256').update(challenge, 'utf8').digest();
}
