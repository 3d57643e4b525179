// What a trust policy must say before it is stored. The rule that matters most: a policy binds the
// repository or its owner with a value whose owner part is literal, so no policy can accept "any
// repository on GitHub" by accident (an empty claims list, `repository: "*"`, `repository: "*/app"`).
import { OIDC_MAX_TTL_SECONDS, type ClaimConditions } from '../../../core/api-types.ts';
import { ValidationProblem } from '../../http/schemas.ts';
import { ApiError } from '../../errors.ts';
import { isGlob } from './claim-pattern.ts';

export const OIDC_MIN_TTL_SECONDS = 60;
export const MAX_CLAIM_CONDITIONS = 32;
const CLAIM_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** Checked by the policy's own fields and the token's validity, never as conditions. */
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/** The claims that can bind a repository or owner, and whether a condition on one does. */
const BINDS: Record<string, (value: string) => boolean> = {
  repository: (v) => {
    const slash = v.indexOf('/');
    return slash > 0 && !isGlob(v.slice(0, slash));
  },
  repository_id: (v) => v !== '' && !isGlob(v),
  repository_owner: (v) => v !== '' && !isGlob(v),
  repository_owner_id: (v) => v !== '' && !isGlob(v),
  // GitHub's subject: `repo:<owner>/<name>:<context>`.
  sub: (v) => /^repo:[^*?/]+\//.test(v),
};

export function bindsRepositoryOrOwner(claims: ClaimConditions): boolean {
  return Object.entries(claims).some(([name, value]) => BINDS[name]?.(value) ?? false);
}

export function checkClaimConditions(claims: ClaimConditions): void {
  const entries = Object.entries(claims);
  if (entries.length > MAX_CLAIM_CONDITIONS) throw new ValidationProblem('body.claims', `at most ${MAX_CLAIM_CONDITIONS} claims`);
  for (const [name, value] of entries) {
    const path = `body.claims.${CLAIM_NAME.test(name) ? name : '?'}`;
    if (!CLAIM_NAME.test(name)) throw new ValidationProblem(path, 'claim names are lowercase letters, digits and _ (max 64)');
    if (RESERVED_CLAIMS.has(name)) throw new ValidationProblem(path, `${name} is checked by the policy's issuer, audience and the token's validity, not as a claim`);
    if (value === '') throw new ValidationProblem(path, 'must not be empty');
  }
  if (!bindsRepositoryOrOwner(claims)) throw new ApiError('OIDC_POLICY_TOO_BROAD');
}

/** The issuer as stored: an absolute https URL (http only when the development setting allows it), no credentials, query or fragment. */
export function checkIssuer(issuer: string, allowHttp: boolean, path = 'body.issuer'): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ValidationProblem(path, 'must be an absolute URL');
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new ValidationProblem(path, 'must be an https URL (plain http is accepted only with SECRETS_OIDC_ALLOW_HTTP_ISSUERS=true, for development)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationProblem(path, 'must be an https URL');
  if (url.username || url.password || url.search || url.hash) throw new ValidationProblem(path, 'must have no credentials, query or fragment');
  return issuer;
}

export function checkTtl(ttlSeconds: number): number {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < OIDC_MIN_TTL_SECONDS || ttlSeconds > OIDC_MAX_TTL_SECONDS) {
    throw new ValidationProblem('body.ttlSeconds', `must be a whole number of seconds from ${OIDC_MIN_TTL_SECONDS} to ${OIDC_MAX_TTL_SECONDS}`);
  }
  return ttlSeconds;
}
