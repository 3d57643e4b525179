// Operator settings of keyless CI, read from the environment (docs/api.md "Operations").

export interface OidcSettings {
  /**
   * Development only: trust issuers served over plain http (a test issuer on loopback). Off by default;
   * with it off a policy's issuer, its discovery document and its JWKS must all be https.
   */
  allowHttpIssuers: boolean;
  /** After a JWKS fetch, an unknown `kid` triggers no refetch for this long (bounds what tokens can make us fetch). */
  jwksCooldownMs: number;
  /** Deadline of each discovery or JWKS fetch. */
  fetchTimeoutMs: number;
}

export const DEFAULT_OIDC_SETTINGS: Readonly<OidcSettings> = { allowHttpIssuers: false, jwksCooldownMs: 30_000, fetchTimeoutMs: 5_000 };

export const OIDC_ALLOW_HTTP_ENV = 'SECRETS_OIDC_ALLOW_HTTP_ISSUERS';
export const OIDC_JWKS_COOLDOWN_ENV = 'SECRETS_OIDC_JWKS_COOLDOWN_SECONDS';

export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv, invalid: (message: string) => never): OidcSettings {
  const settings = { ...DEFAULT_OIDC_SETTINGS };
  const http = env[OIDC_ALLOW_HTTP_ENV];
  if (http !== undefined && http !== '') {
    if (http !== 'true' && http !== 'false') invalid(`${OIDC_ALLOW_HTTP_ENV} must be true or false, got "${http}"`);
    settings.allowHttpIssuers = http === 'true';
  }
  const cooldown = env[OIDC_JWKS_COOLDOWN_ENV];
  if (cooldown !== undefined && cooldown !== '') {
    if (!/^\d+$/.test(cooldown) || Number(cooldown) < 1) invalid(`${OIDC_JWKS_COOLDOWN_ENV} must be a whole number of at least 1, got "${cooldown}"`);
    settings.jwksCooldownMs = Number(cooldown) * 1000;
  }
  return settings;
}
