// Verifying one OIDC token against one policy's issuer and audience with jose: RS256 or ES256 only
// (`alg: none` and every HMAC alg are refused before any key is looked at: an HS256 token "signed"
// with the issuer's public key must never verify), the issuer's published keys, iss, aud, and exp /
// nbf / iat against the injected clock with a small leeway. The policy's claim conditions are judged
// afterwards (claim-checks.ts), only on a token whose signature held.
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcRefusal } from '../../../core/api-types.ts';
import { shown } from './claim-checks.ts';
import { IssuerUnavailableError, type IssuerKeys } from './issuer-keys.ts';

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256'] as const;
/** Clock skew tolerated on exp, nbf and iat. */
export const CLOCK_LEEWAY_SECONDS = 30;
/** A token issued longer ago than this is refused even before its exp (GitHub's live minutes). */
export const MAX_TOKEN_AGE_SECONDS = 60 * 60;

export interface PolicyRef {
  id: string;
  name: string;
  issuer: string;
  audience: string;
}

export type Verified = { ok: true; claims: JWTPayload } | { ok: false; refusal: OidcRefusal; /** Failed before the signature held. */ unsigned: boolean };

function refusal(claim: string, expected: string | null, got: string | null, reason: string, policy: PolicyRef | null): OidcRefusal {
  return { policy: policy && { id: policy.id, name: policy.name }, claim, expected, got: shown(got), reason };
}

const iso = (seconds: unknown) => (typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null);

/** The header check every token goes through first; null when it passes. */
export function headerRefusal(token: string): OidcRefusal | null {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return refusal('token', 'a signed JWT (compact JWS)', null, 'the token is not a signed JWT', null);
  }
  if (typeof alg !== 'string' || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    const got = typeof alg === 'string' ? alg : null;
    return refusal('alg', ALLOWED_ALGORITHMS.join(' or '), got, `the token's algorithm ${JSON.stringify(got)} is not accepted: only RS256 and ES256 (never none or HMAC)`, null);
  }
  return null;
}

export async function verifyToken(token: string, policy: PolicyRef, keys: IssuerKeys, nowMs: number): Promise<Verified> {
  const header = headerRefusal(token);
  if (header) return { ok: false, refusal: header, unsigned: true };
  const getKey = await keys.keysFor(policy.issuer);
  const now = new Date(nowMs);
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      currentDate: now,
      // jti: the exchange remembers it, so a token can be exchanged once (exchange.ts).
      requiredClaims: ['exp', 'jti'],
    });
    return { ok: true, claims: payload };
  } catch (err) {
    return judgeFailure(err, token, policy, now);
  }
}

function judgeFailure(err: unknown, token: string, policy: PolicyRef, now: Date): Verified {
  const leeway = `${CLOCK_LEEWAY_SECONDS} s of clock skew allowed`;
  if (err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed) {
    const claims = err.payload;
    const signed = (r: OidcRefusal): Verified => ({ ok: false, refusal: r, unsigned: false });
    if (err.reason === 'missing' && err.claim === 'jti') {
      return signed(refusal('jti', 'present', null, 'the token has no jti claim, so it could not be held to one exchange; it is refused', policy));
    }
    if (err.reason === 'missing') return signed(refusal(err.claim, 'present', null, `the token has no ${err.claim} claim`, policy));
    switch (err.claim) {
      case 'exp':
        return signed(refusal('exp', `after ${now.toISOString()}`, iso(claims.exp), `the token expired at ${iso(claims.exp)} (${leeway})`, policy));
      case 'nbf':
        return signed(refusal('nbf', `at or before ${now.toISOString()}`, iso(claims.nbf), `the token is not valid before ${iso(claims.nbf)} (${leeway})`, policy));
      case 'iat':
        return signed(
          refusal('iat', `within the last ${MAX_TOKEN_AGE_SECONDS} s, not in the future`, iso(claims.iat), `the token's issue time ${iso(claims.iat)} is in the future or too long ago (${leeway})`, policy),
        );
      case 'iss':
        return signed(refusal('iss', policy.issuer, typeof claims.iss === 'string' ? claims.iss : null, `the token was issued by another issuer`, policy));
      case 'aud': {
        const aud = [claims.aud ?? []].flat().join(', ');
        return signed(refusal('aud', policy.audience, aud, `the token's audience does not include ${JSON.stringify(policy.audience)}`, policy));
      }
      default:
        return signed(refusal(err.claim, null, null, `the token's ${err.claim} claim is invalid`, policy));
    }
  }
  let kid: string | null = null;
  try {
    const k = decodeProtectedHeader(token).kid;
    kid = typeof k === 'string' ? k : null;
  } catch {
    // headerRefusal already accepted the header; nothing more to say.
  }
  const unsigned = (r: OidcRefusal): Verified => ({ ok: false, refusal: r, unsigned: true });
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return unsigned(refusal('signature', `a signature by the issuer's key ${kid ?? ''}`.trim(), null, "the signature does not verify with the issuer's published key", null));
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return unsigned(refusal('kid', "a key in the issuer's JWKS", kid, "the issuer's JWKS has no key with the token's kid (refetched at most once per cooldown)", null));
  }
  // jose raises its generic error for a JWKS answer that is not 200 or not JSON, and fetch a TypeError.
  const fetchFailed = err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC';
  if (fetchFailed || err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError || err instanceof IssuerUnavailableError) {
    throw new IssuerUnavailableError(`the signing keys of ${policy.issuer} could not be fetched`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return unsigned(refusal('alg', ALLOWED_ALGORITHMS.join(' or '), null, 'the token uses an algorithm that is not accepted', null));
  }
  if (err instanceof errors.JOSEError) {
    return unsigned(refusal('token', 'a valid signed JWT', null, `the token could not be verified (${err.code})`, null));
  }
  throw err;
}
