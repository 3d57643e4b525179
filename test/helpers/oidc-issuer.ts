// A real OIDC issuer on loopback, shaped like GitHub Actions': a discovery document, a JWKS, and tokens
// signed with jose (RS256 by default, ES256 on request) carrying GitHub's claims. Keys can be added
// (rotation) after tokens were signed with them, and it counts JWKS fetches.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface IssuerKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SignOptions {
  key?: IssuerKey;
  /** Seconds since the epoch the token says it was issued at; default now. */
  iat?: number;
  /** Lifetime in seconds from iat; default 300. */
  ttl?: number;
  /** nbf; default iat. */
  nbf?: number;
  /** The header's kid; default the key's. */
  kid?: string;
}

export class TestIssuer {
  readonly url: string;
  readonly keys: IssuerKey[] = [];
  /** Keys the JWKS currently publishes (a subset of keys: unpublished ones sign "unknown kid" tokens). */
  readonly published = new Set<string>();
  jwksFetches = 0;
  discoveryFetches = 0;
  /** When set, every request is answered 503 (an issuer that is down). */
  down = false;
  private readonly server: Server;

  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<TestIssuer> {
    let issuer: TestIssuer | undefined;
    const server = createServer((req, res) => issuer!.handle(req.url ?? '', res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    issuer = new TestIssuer(server, `http://127.0.0.1:${port}`);
    await issuer.addKey('RS256', true);
    return issuer;
  }

  private handle(url: string, res: import('node:http').ServerResponse): void {
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url === '/.well-known/openid-configuration') this.discoveryFetches += 1;
    if (this.down) {
      res.writeHead(503).end();
      return;
    }
    if (url === '/.well-known/openid-configuration') return json({ issuer: this.url, jwks_uri: `${this.url}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
    if (url === '/.well-known/jwks') {
      this.jwksFetches += 1;
      return json({ keys: this.keys.filter((k) => this.published.has(k.kid)).map((k) => k.publicJwk) });
    }
    res.writeHead(404).end();
  }

  async addKey(alg: 'RS256' | 'ES256', publish: boolean): Promise<IssuerKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `kid-${alg.toLowerCase()}-${this.keys.length + 1}-${Math.random().toString(36).slice(2, 10)}`;
    const key: IssuerKey = { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    this.keys.push(key);
    if (publish) this.published.add(kid);
    return key;
  }

  publish(key: IssuerKey): void {
    this.published.add(key.kid);
  }

  /** Claims like a GitHub Actions token of `repository` on `ref`, overridable one by one. */
  claims(audience: string, overrides: Record<string, unknown> = {}): JWTPayload {
    const repository = (overrides.repository as string | undefined) ?? 'acme/app';
    const ref = (overrides.ref as string | undefined) ?? 'refs/heads/main';
    const owner = repository.split('/')[0]!;
    return {
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      sub: `repo:${repository}:ref:${ref}`,
      aud: audience,
      ref,
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      repository,
      repository_owner: owner,
      repository_owner_id: '90001',
      repository_id: '70001',
      repository_visibility: 'private',
      run_id: '4242424242',
      run_number: '17',
      run_attempt: '1',
      actor: 'octo-dev',
      actor_id: '50001',
      workflow: 'deploy',
      workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
      job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
      event_name: 'push',
      ref_type: 'branch',
      runner_environment: 'github-hosted',
      ...overrides,
    };
  }

  async sign(payload: JWTPayload, options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.keys[0]!;
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
      .setIssuer(this.url)
      .setIssuedAt(iat)
      .setNotBefore(options.nbf ?? iat)
      .setExpirationTime(iat + (options.ttl ?? 300))
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
