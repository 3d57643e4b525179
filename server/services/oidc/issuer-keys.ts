// The signing keys of trusted issuers: the discovery document (`<issuer>/.well-known/openid-configuration`)
// names the JWKS, which jose's remote key set fetches, caches, and refetches when a token names a `kid`
// it does not hold (at most once per cooldown, so tokens cannot make us fetch at will). Only issuers of
// stored policies are ever fetched, never an issuer a token names, so a token cannot point the server
// at an address of its choosing. Fetches have deadlines, refuse redirects and are size-bounded.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { OidcSettings } from './settings.ts';

/** Issuers whose keys are held at once; past this the oldest is dropped (and refetched when needed). */
const MAX_ISSUERS = 64;
const MAX_DISCOVERY_BYTES = 64 * 1024;
/** The JWKS location is re-read from the discovery document this often. */
const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;
/** A failed discovery is remembered this long, so tokens naming a down issuer do not each cause a fetch. */
const FAILURE_MAX_AGE_MS = 10 * 1000;

/** The issuer's discovery document or keys could not be fetched or read; says which and why, never a token. */
export class IssuerUnavailableError extends Error {
  readonly code = 'OIDC_ISSUER_UNAVAILABLE';
}

interface Entry {
  keys: Promise<JWTVerifyGetKey>;
  /** When the entry is fetched anew: an hour after a success, seconds after a failure. */
  expiresAt: number;
}

export class IssuerKeys {
  private readonly entries = new Map<string, Entry>();
  private readonly settings: OidcSettings;

  constructor(settings: OidcSettings) {
    this.settings = settings;
  }

  keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const now = Date.now();
    const cached = this.entries.get(issuer);
    if (cached && now < cached.expiresAt) return cached.keys;
    this.entries.delete(issuer);
    if (this.entries.size >= MAX_ISSUERS) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const keys = this.discover(issuer);
    const entry: Entry = { keys, expiresAt: now + DISCOVERY_MAX_AGE_MS };
    this.entries.set(issuer, entry);
    keys.catch(() => {
      entry.expiresAt = Math.min(entry.expiresAt, Date.now() + FAILURE_MAX_AGE_MS);
    });
    return keys;
  }

  private allowed(url: URL): boolean {
    return url.protocol === 'https:' || (url.protocol === 'http:' && this.settings.allowHttpIssuers);
  }

  private async discover(issuer: string): Promise<JWTVerifyGetKey> {
    const where = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const doc = await this.fetchJson(where);
    if (doc.issuer !== issuer) throw new IssuerUnavailableError(`the discovery document at ${where} names a different issuer`);
    let jwksUri: URL;
    try {
      jwksUri = new URL(String(doc.jwks_uri));
    } catch {
      throw new IssuerUnavailableError(`the discovery document at ${where} has no valid jwks_uri`);
    }
    if (!this.allowed(jwksUri)) throw new IssuerUnavailableError(`the jwks_uri of ${issuer} is not https`);
    return createRemoteJWKSet(jwksUri, {
      timeoutDuration: this.settings.fetchTimeoutMs,
      cooldownDuration: this.settings.jwksCooldownMs,
      cacheMaxAge: JWKS_MAX_AGE_MS,
    });
  }

  private async fetchJson(where: string): Promise<Record<string, unknown>> {
    const url = new URL(where);
    if (!this.allowed(url)) throw new IssuerUnavailableError(`${where} is not https`);
    let text: string;
    try {
      const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.settings.fetchTimeoutMs), headers: { accept: 'application/json' } });
      if (res.status !== 200) throw new IssuerUnavailableError(`${where} answered HTTP ${res.status}`);
      const length = Number(res.headers.get('content-length') ?? '0');
      if (length > MAX_DISCOVERY_BYTES) throw new IssuerUnavailableError(`${where} is larger than ${MAX_DISCOVERY_BYTES} bytes`);
      text = await res.text();
    } catch (err) {
      if (err instanceof IssuerUnavailableError) throw err;
      throw new IssuerUnavailableError(`${where} could not be fetched (${(err as Error).name})`);
    }
    if (text.length > MAX_DISCOVERY_BYTES) throw new IssuerUnavailableError(`${where} is larger than ${MAX_DISCOVERY_BYTES} bytes`);
    try {
      const doc = JSON.parse(text) as unknown;
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
      return doc as Record<string, unknown>;
    } catch {
      throw new IssuerUnavailableError(`${where} is not a JSON object`);
    }
  }
}
