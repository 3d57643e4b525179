// The WebAuthn ceremonies, with @simplewebauthn/server: the relying party is SECRETS_PUBLIC_URL (its
// host name the rpID, its origin the only accepted origin), challenges come from ChallengeStore
// (in the database, so any instance ends a ceremony; single use, short-lived, bound to their purpose
// and subject), credentials must be discoverable (so signing in needs no user name) and must verify the user (PIN or biometric: the
// passkey is the whole sign-in, so a lost security key alone must not be enough), and no attestation is asked for (we trust the
// person the invitation or session vouches for, not a make of authenticator).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { PasskeyRow } from '../storage/types.ts';
import { CHALLENGE_TTL_MS, type CeremonyPurpose, type ChallengeStore } from './challenges.ts';

const RP_NAME = 'Secrets';

export interface NewCredential {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
}

function rejected(): ApiError {
  return new ApiError('PASSKEY_REJECTED');
}

export class PasskeyCeremonies {
  private readonly deps: Deps;
  private readonly challenges: ChallengeStore;

  constructor(deps: Deps, challenges: ChallengeStore) {
    this.deps = deps;
    this.challenges = challenges;
  }

  async registrationOptions(
    purpose: Extract<CeremonyPurpose, 'register' | 'invite'>,
    subject: string,
    person: { userId: string; email: string; name: string },
    existing: PasskeyRow[],
    data: Record<string, string> = {},
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: this.deps.site.rpId,
      userName: person.email,
      userDisplayName: person.name,
      userID: new TextEncoder().encode(person.userId),
      challenge: challengeBytes(await this.challenges.issue(purpose, subject, data)),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((k) => ({ id: k.id, transports: JSON.parse(k.transports) as string[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  /** Verifies a registration; returns the credential and what the ceremony was started with. */
  async verifyRegistration(
    purpose: Extract<CeremonyPurpose, 'register' | 'invite'>,
    subject: string,
    response: RegistrationResponseJSON,
  ): Promise<{ credential: NewCredential; data: Record<string, string> }> {
    let data: Record<string, string> | null = null;
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: async (challenge) => (data = await this.challenges.take(challenge, purpose, subject)) !== null,
        expectedOrigin: this.deps.site.origin,
        expectedRPID: this.deps.site.rpId,
        requireUserVerification: true,
      });
      if (!result.verified || data === null) throw rejected();
      const c = result.registrationInfo.credential;
      return { credential: { id: c.id, publicKey: c.publicKey, counter: c.counter, transports: c.transports ?? [] }, data };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // The library's messages can quote the response; none of it goes to the caller or the log.
      throw rejected();
    }
  }

  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.deps.site.rpId,
      challenge: challengeBytes(await this.challenges.issue('sign-in', '')),
      timeout: CHALLENGE_TTL_MS,
      userVerification: 'required',
    });
  }

  /** Verifies a sign-in and returns the passkey used (its counter updated); PASSKEY_REJECTED otherwise. */
  async verifyAuthentication(response: AuthenticationResponseJSON): Promise<PasskeyRow> {
    const passkey = await this.deps.storage.getPasskey(response.id);
    let taken = false;
    try {
      if (!passkey) {
        // Spend the challenge anyway: an unknown credential must not leave it reusable.
        await this.challenges.take(challengeOf(response), 'sign-in', '');
        throw rejected();
      }
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: async (challenge) => (taken = (await this.challenges.take(challenge, 'sign-in', '')) !== null),
        expectedOrigin: this.deps.site.origin,
        expectedRPID: this.deps.site.rpId,
        credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: JSON.parse(passkey.transports) as never },
        requireUserVerification: true,
      });
      if (!result.verified || !taken) throw rejected();
      const at = new Date(this.deps.clock.now()).toISOString();
      await this.deps.storage.usePasskey(passkey.id, result.authenticationInfo.newCounter, at);
      return { ...passkey, counter: result.authenticationInfo.newCounter, lastUsedAt: at };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw rejected();
    }
  }
}

/** The library takes a string challenge as text to encode; ours is already base64url of random bytes. */
function challengeBytes(challenge: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(challenge, 'base64url'));
}

/** The challenge a response answers, read from its clientDataJSON ('' when unreadable). */
function challengeOf(response: AuthenticationResponseJSON): string {
  try {
    const client = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof client.challenge === 'string' ? client.challenge : '';
  } catch {
    return '';
  }
}
