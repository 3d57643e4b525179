// WebAuthn challenges, kept on the server: each is 256 random bits, issued for one purpose and bound
// to one subject (the user adding a passkey, the invitation being accepted; nothing for a sign-in),
// lives CHALLENGE_TTL_MS, and is taken (deleted) by the first verification that presents it, whether
// or not that verification then succeeds. A restart forgets them, which only means trying again.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';

export type CeremonyPurpose = 'register' | 'invite' | 'sign-in';

export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Challenges held at once; the public sign-in options route could otherwise fill memory. Oldest go first. */
const MAX_CHALLENGES = 10_000;

interface Pending {
  purpose: CeremonyPurpose;
  subject: string;
  expiresAt: number;
  /** What the ceremony was started with that its end needs (the new person's user id and name). */
  data: Record<string, string>;
}

export class ChallengeStore {
  private readonly pending = new Map<string, Pending>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  issue(purpose: CeremonyPurpose, subject: string, data: Record<string, string> = {}): string {
    const now = this.clock.now();
    for (const [c, p] of this.pending) {
      if (p.expiresAt > now && this.pending.size < MAX_CHALLENGES) break;
      this.pending.delete(c);
    }
    const challenge = randomBytes(32).toString('base64url');
    this.pending.set(challenge, { purpose, subject, expiresAt: now + CHALLENGE_TTL_MS, data });
    return challenge;
  }

  /** Takes the challenge (single use) and returns its data when it was issued for this purpose and subject and has not expired. */
  take(challenge: string, purpose: CeremonyPurpose, subject: string): Record<string, string> | null {
    const p = this.pending.get(challenge);
    if (!p) return null;
    this.pending.delete(challenge);
    if (p.purpose !== purpose || p.subject !== subject || this.clock.now() >= p.expiresAt) return null;
    return p.data;
  }
}
