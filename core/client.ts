// The typed client for the whole v1 API contract (docs/api.md). Each method is one route; transport,
// retries and error mapping live in core/client/.
import type {
  CreatedInvitation,
  CreatedSecret,
  Invitation,
  AuditPage,
  AuditQuery,
  BulkReveal,
  EnvironmentEvent,
  Environment,
  Me,
  Member,
  OidcDryRun,
  OidcExchange,
  OidcPolicy,
  OidcPolicyInput,
  Org,
  PersonalToken,
  RevealedSecret,
  Role,
  SecretBatch,
  SecretBatchItem,
  SecretMeta,
  SecretVersionList,
  SecretsAtMoment,
  EnvironmentChanges,
  EnvironmentRollback,
  HistoryRetention,
  ServiceToken,
  User,
  Workspace,
} from './api-types.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './client/retry.ts';
import { environmentPath, path, withQuery, type EnvironmentRef } from './client/paths.ts';
import { followEvents, readEvents, type FollowOptions } from './client/events.ts';
import { Transport, type ResponseInfo, type RetryInfo } from './client/transport.ts';
import { isSendableToken } from './token.ts';

export type { ResponseInfo, RetryInfo } from './client/transport.ts';

export interface SecretsClientOptions {
  /**
   * The server, e.g. `https://secrets.example.com` (a path prefix is kept), checked by core/server-url.ts:
   * a URL it refuses throws ServerUrlError (SECRETS_URL_INVALID).
   */
  baseUrl: string;
  /** A `scrt_pat_…` or `scrt_svc_…` token. Held privately; never part of an error or inspection. */
  token: string;
  /** Names the consumer and its version, e.g. `secrets-action/0.1.0`. */
  userAgent: string;
  /** Deadline for each attempt, from sending to the last byte of the answer. Default 10,000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. Default 3; 0 disables retrying. */
  retries?: number;
  /** Called before each retry's wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Called for every HTTP answer received (each attempt), e.g. for a debug log. */
  onResponse?: (info: ResponseInfo) => void;
  /** First back-off ceiling in ms (doubles per attempt, full jitter). Default 200. */
  retryBaseDelayMs?: number;
  /** Largest back-off in ms. Default 5,000. */
  retryMaxDelayMs?: number;
  /** Longest Retry-After honoured, in ms; a longer one fails at once with SECRETS_RATE_LIMITED. Default 30,000. */
  maxRetryAfterMs?: number;
  /**
   * Headers sent with every request: `workflowContextHeader()` (core/workflow-context.ts) describes a CI
   * run to the audit log. Never a credential.
   */
  headers?: Record<string, string>;
}

/** The options of a client without a token: the one tokenless call, the OIDC exchange. */
export type TokenlessOptions = Omit<SecretsClientOptions, 'token'>;

export const DEFAULT_TIMEOUT_MS = 10_000;
/** An event stream with no byte (not even a heartbeat) for this long is taken as dropped. */
export const DEFAULT_EVENTS_IDLE_MS = 45_000;

export class SecretsClient {
  readonly #http: Transport;

  constructor(options: SecretsClientOptions) {
    if (typeof options.token !== 'string' || options.token === '') throw new TypeError('A token is required');
    // A stray newline (token pasted from a file) would otherwise surface as an undici header error.
    if (!isSendableToken(options.token)) {
      throw new TypeError('The token contains whitespace or control characters');
    }
    this.#http = transportFor(options, options.token);
  }

  /** The server this client talks to; safe to print. */
  get baseUrl(): string {
    return this.#http.origin;
  }

  // Me, users and personal tokens

  async me(): Promise<Me> {
    return this.#get<Me>('/v1/me');
  }

  async createUser(body: { name: string; email: string }): Promise<{ user: User; token: string }> {
    return this.#post('/v1/users', body);
  }

  async listPersonalTokens(): Promise<PersonalToken[]> {
    return (await this.#get<{ tokens: PersonalToken[] }>('/v1/me/tokens')).tokens;
  }

  async createPersonalToken(body: { name: string; expiresAt?: string }): Promise<PersonalToken & { token: string }> {
    return this.#post('/v1/me/tokens', body);
  }

  async revokePersonalToken(id: string): Promise<void> {
    await this.#delete(path`/v1/me/tokens/${id}`);
  }

  // Organizations and members

  async listOrgs(): Promise<Org[]> {
    return (await this.#get<{ orgs: Org[] }>('/v1/orgs')).orgs;
  }

  async createOrg(body: { slug: string; name: string }): Promise<Org> {
    return this.#post('/v1/orgs', body);
  }

  async getOrg(org: string): Promise<Org> {
    return this.#get(path`/v1/orgs/${org}`);
  }

  async listMembers(org: string): Promise<Member[]> {
    return (await this.#get<{ members: Member[] }>(path`/v1/orgs/${org}/members`)).members;
  }

  async getMember(org: string, userId: string): Promise<Member> {
    return this.#get(path`/v1/orgs/${org}/members/${userId}`);
  }

  async putMember(org: string, userId: string, role: Role): Promise<Member> {
    const r = await this.#http.send<Member>({ method: 'PUT', path: path`/v1/orgs/${org}/members/${userId}`, body: { role }, idempotent: true });
    return r.data;
  }

  async removeMember(org: string, userId: string): Promise<void> {
    await this.#delete(path`/v1/orgs/${org}/members/${userId}`);
  }

  // Environments

  async listEnvironments(org: string): Promise<Environment[]> {
    return (await this.#get<{ environments: Environment[] }>(path`/v1/orgs/${org}/environments`)).environments;
  }

  async createEnvironment(org: string, body: { slug: string; name?: string }): Promise<Environment> {
    return this.#post(path`/v1/orgs/${org}/environments`, body);
  }

  // Secrets

  async listSecrets(org: string, env: EnvironmentRef, opts: { search?: string } = {}): Promise<SecretMeta[]> {
    const p = withQuery(environmentPath(org, env) + path`/secrets`, { search: opts.search });
    return (await this.#get<{ secrets: SecretMeta[] }>(p)).secrets;
  }

  async getSecret(org: string, env: EnvironmentRef, key: string): Promise<SecretMeta> {
    const r = await this.#http.send<SecretMeta>({ method: 'GET', path: environmentPath(org, env) + path`/secrets/${key}`, idempotent: true });
    return withEtagVersion(r.data, r.headers.etag);
  }

  /** A POST, but retried: its only effect besides returning the value is an audit event. */
  async revealSecret(org: string, env: EnvironmentRef, key: string): Promise<RevealedSecret> {
    const r = await this.#http.send<RevealedSecret>({
      method: 'POST',
      path: environmentPath(org, env) + path`/secrets/${key}/reveal`,
      idempotent: true,
    });
    return r.data;
  }

  async createSecret(org: string, env: EnvironmentRef, body: { key: string; value: string; description?: string; workspaces?: string[] }): Promise<CreatedSecret> {
    const r = await this.#http.send<CreatedSecret>({
      method: 'POST',
      path: environmentPath(org, env) + path`/secrets`,
      body,
      idempotent: false,
      sensitive: [body.value],
    });
    return withEtagVersion(r.data, r.headers.etag);
  }

  /** `ifMatch` is the version the caller last saw; a newer one on the server fails with SECRETS_STALE_VERSION. */
  async updateSecret(
    org: string,
    env: EnvironmentRef,
    key: string,
    body: { value?: string; description?: string; workspaces?: string[] },
    opts: { ifMatch?: number } = {},
  ): Promise<SecretMeta> {
    const r = await this.#http.send<SecretMeta>({
      method: 'PATCH',
      path: environmentPath(org, env) + path`/secrets/${key}`,
      body,
      ...(opts.ifMatch !== undefined && { headers: { 'if-match': `"${opts.ifMatch}"` } }),
      // Sending a PATCH twice would bump the version twice; it is never retried.
      idempotent: false,
      sensitive: body.value !== undefined ? [body.value] : [],
    });
    return withEtagVersion(r.data, r.headers.etag);
  }

  /** Every kept version of a secret, newest first (the current one first); never values. */
  async listSecretVersions(org: string, env: EnvironmentRef, key: string): Promise<SecretVersionList> {
    const r = await this.#http.send<SecretVersionList>({ method: 'GET', path: environmentPath(org, env) + path`/secrets/${key}/versions`, idempotent: true });
    return r.data;
  }

  /** One kept version's value; retried like a reveal (its only effect is an audit event). */
  async revealSecretVersion(org: string, env: EnvironmentRef, key: string, version: number): Promise<RevealedSecret> {
    const r = await this.#http.send<RevealedSecret>({
      method: 'POST',
      path: environmentPath(org, env) + path`/secrets/${key}/versions/${version}/reveal`,
      idempotent: true,
    });
    return r.data;
  }

  /** A new version with the value and description of `version`; like an update, never retried. */
  async rollbackSecret(org: string, env: EnvironmentRef, key: string, version: number, opts: { ifMatch?: number } = {}): Promise<SecretMeta> {
    const r = await this.#http.send<SecretMeta>({
      method: 'POST',
      path: environmentPath(org, env) + path`/secrets/${key}/rollback`,
      body: { version },
      ...(opts.ifMatch !== undefined && { headers: { 'if-match': `"${opts.ifMatch}"` } }),
      idempotent: false,
    });
    return withEtagVersion(r.data, r.headers.etag);
  }

  /** The keys and versions of the environment at a moment (an ISO time with a zone); never values. */
  async listSecretsAt(org: string, env: EnvironmentRef, at: string): Promise<SecretsAtMoment> {
    const r = await this.#http.send<SecretsAtMoment>({ method: 'GET', path: withQuery(environmentPath(org, env) + path`/secrets`, { at }), idempotent: true });
    return r.data;
  }

  /** Keys added, changed and removed between two moments (`to` defaults to now); never values. */
  async environmentChanges(org: string, env: EnvironmentRef, from: string, to?: string): Promise<EnvironmentChanges> {
    const r = await this.#http.send<EnvironmentChanges>({
      method: 'GET',
      path: withQuery(environmentPath(org, env) + path`/changes`, { from, ...(to !== undefined && { to }) }),
      idempotent: true,
    });
    return r.data;
  }

  /** Admin+: every key changed since `at` gets its value of then as a new version; never retried. */
  async rollbackEnvironment(org: string, env: EnvironmentRef, at: string, opts: { removeNew?: boolean } = {}): Promise<EnvironmentRollback> {
    const r = await this.#http.send<EnvironmentRollback>({
      method: 'POST',
      path: environmentPath(org, env) + path`/rollback`,
      body: { at, ...(opts.removeNew !== undefined && { removeNew: opts.removeNew }) },
      idempotent: false,
    });
    return r.data;
  }

  async deleteSecret(org: string, env: EnvironmentRef, key: string): Promise<void> {
    await this.#delete(environmentPath(org, env) + path`/secrets/${key}`);
  }

  /** Every secret of the environment (or the named ones) in one round trip; retried like a single reveal. */
  async bulkReveal(org: string, env: EnvironmentRef, opts: { keys?: string[]; at?: string } = {}): Promise<BulkReveal> {
    const r = await this.#http.send<BulkReveal>({
      method: 'POST',
      path: environmentPath(org, env) + path`/reveal`,
      // With `at`: the values the environment had at that moment (versions of deleted secrets are in `missing`).
      body: { ...(opts.keys !== undefined && { keys: opts.keys }), ...(opts.at !== undefined && { at: opts.at }) },
      idempotent: true,
    });
    return r.data;
  }

  /**
   * Creates and updates many secrets in one transaction (all or nothing); `dryRun` reports what would
   * happen without writing. Not retried unless a dry run: a lost answer may hide a committed batch.
   */
  async applySecretBatch(org: string, env: EnvironmentRef, body: { secrets: SecretBatchItem[]; dryRun?: boolean }): Promise<SecretBatch> {
    const r = await this.#http.send<SecretBatch>({
      method: 'POST',
      path: environmentPath(org, env) + path`/batch`,
      body,
      idempotent: body.dryRun === true,
      sensitive: body.secrets.map((s) => s.value),
    });
    return r.data;
  }

  // Live events

  /**
   * One connection to the environment's event stream (docs/api.md, Live events), from `lastEventId`
   * when given. Ends when the server ends the stream; throws SecretsError on failure. Use followEvents
   * to reconnect without losing events.
   */
  async *openEvents(
    org: string,
    env: EnvironmentRef,
    opts: { lastEventId?: string; signal?: AbortSignal; idleTimeoutMs?: number; onRetry?: (ms: number) => void } = {},
  ): AsyncGenerator<EnvironmentEvent> {
    const headers: Record<string, string> = opts.lastEventId !== undefined ? { 'last-event-id': opts.lastEventId } : {};
    const body = await this.#http.openStream(environmentPath(org, env) + path`/events`, headers, opts.idleTimeoutMs ?? DEFAULT_EVENTS_IDLE_MS, opts.signal);
    yield* readEvents(body, opts.onRetry);
  }

  /** Follows the environment's events until `options.signal` aborts, reconnecting with Last-Event-ID. */
  async followEvents(org: string, env: EnvironmentRef, options: FollowOptions & { idleTimeoutMs?: number }): Promise<void> {
    const idle = options.idleTimeoutMs;
    return followEvents((o) => this.openEvents(org, env, { ...o, ...(idle !== undefined && { idleTimeoutMs: idle }) }), options);
  }

  // Workspaces

  async listWorkspaces(org: string): Promise<Workspace[]> {
    return (await this.#get<{ workspaces: Workspace[] }>(path`/v1/orgs/${org}/workspaces`)).workspaces;
  }

  async getWorkspace(org: string, ws: string): Promise<Workspace> {
    return this.#get(path`/v1/orgs/${org}/workspaces/${ws}`);
  }

  async createWorkspace(org: string, body: { slug: string; name?: string; owner?: string }): Promise<Workspace> {
    return this.#post(path`/v1/orgs/${org}/workspaces`, body);
  }

  async updateWorkspace(org: string, ws: string, body: { name?: string; owner?: string }): Promise<Workspace> {
    const r = await this.#http.send<Workspace>({ method: 'PATCH', path: path`/v1/orgs/${org}/workspaces/${ws}`, body, idempotent: false });
    return r.data;
  }

  async deleteWorkspace(org: string, ws: string): Promise<void> {
    await this.#delete(path`/v1/orgs/${org}/workspaces/${ws}`);
  }

  // Service tokens

  async listServiceTokens(org: string): Promise<ServiceToken[]> {
    return (await this.#get<{ tokens: ServiceToken[] }>(path`/v1/orgs/${org}/tokens`)).tokens;
  }

  async createServiceToken(
    org: string,
    body: { name: string; environment: string; workspace?: string; expiresAt?: string },
  ): Promise<ServiceToken & { token: string }> {
    return this.#post(path`/v1/orgs/${org}/tokens`, body);
  }

  async revokeServiceToken(org: string, id: string): Promise<void> {
    await this.#delete(path`/v1/orgs/${org}/tokens/${id}`);
  }

  // Invitations

  async listInvitations(org: string): Promise<Invitation[]> {
    return (await this.#get<{ invitations: Invitation[] }>(path`/v1/orgs/${org}/invitations`)).invitations;
  }

  /** The answer carries the one-time link (`url`), shown this once. */
  async createInvitation(org: string, body: { email: string; role: Role }): Promise<CreatedInvitation> {
    return this.#post(path`/v1/orgs/${org}/invitations`, body);
  }

  async revokeInvitation(org: string, id: string): Promise<void> {
    await this.#delete(path`/v1/orgs/${org}/invitations/${id}`);
  }

  // Audit

  /** Newest first (page back with `cursor`), or oldest first after the event `after`; filters narrow either. */
  async listAudit(org: string, opts: AuditQuery = {}): Promise<AuditPage> {
    return this.#get(withQuery(path`/v1/orgs/${org}/audit`, { ...opts }));
  }

  // History retention

  /** How long the organization keeps replaced versions (any member). */
  async getHistoryRetention(org: string): Promise<HistoryRetention> {
    return this.#get(path`/v1/orgs/${org}/settings/history-retention`);
  }

  /** Sets it (Admin+); the server's next pruning applies it. A PUT of the same body is safe to repeat. */
  async setHistoryRetention(org: string, body: { days: number; minVersions: number }): Promise<HistoryRetention> {
    return (await this.#http.send<HistoryRetention>({ method: 'PUT', path: path`/v1/orgs/${org}/settings/history-retention`, body, idempotent: true })).data;
  }

  /** Closes the keep-alive connections; the client cannot be used afterwards. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /**
   * `POST /v1/auth/oidc`: exchanges a CI run's OIDC token for a short-lived read-only token of one
   * environment. Sent without a bearer token; the OIDC token is redacted from any error. Not retried
   * (each attempt is audited and counts against the address's failed-authentication budget), except
   * when the request provably never left. An OIDC token is exchanged once: a second exchange of it is
   * refused (SECRETS_UNAUTHORIZED, problem OIDC_TOKEN_ALREADY_USED); ask the issuer for a new one.
   */
  static async exchangeOidcToken(options: TokenlessOptions, body: { org: string; token: string; policy?: string }): Promise<OidcExchange> {
    const http = transportFor(options, null);
    try {
      return (await http.send<OidcExchange>({ method: 'POST', path: '/v1/auth/oidc', body, idempotent: false, sensitive: [body.token] })).data;
    } finally {
      await http.close();
    }
  }

  // Keyless CI trust policies (Admin+)

  async listOidcPolicies(org: string): Promise<OidcPolicy[]> {
    return (await this.#get<{ policies: OidcPolicy[] }>(path`/v1/orgs/${org}/oidc-policies`)).policies;
  }

  async getOidcPolicy(org: string, id: string): Promise<OidcPolicy> {
    return this.#get(path`/v1/orgs/${org}/oidc-policies/${id}`);
  }

  async createOidcPolicy(org: string, body: OidcPolicyInput): Promise<OidcPolicy> {
    return this.#post(path`/v1/orgs/${org}/oidc-policies`, body);
  }

  async updateOidcPolicy(org: string, id: string, body: Partial<OidcPolicyInput>): Promise<OidcPolicy> {
    return (await this.#http.send<OidcPolicy>({ method: 'PATCH', path: path`/v1/orgs/${org}/oidc-policies/${id}`, body, idempotent: false })).data;
  }

  async deleteOidcPolicy(org: string, id: string): Promise<void> {
    await this.#delete(path`/v1/orgs/${org}/oidc-policies/${id}`);
  }

  /** A dry run: how the policy judges these claims, claim by claim. */
  async testOidcPolicy(org: string, id: string, claims: Record<string, string | number | boolean | string[]>): Promise<OidcDryRun> {
    return (await this.#http.send<OidcDryRun>({ method: 'POST', path: path`/v1/orgs/${org}/oidc-policies/${id}/test`, body: { claims }, idempotent: true })).data;
  }

  async #get<T>(p: string): Promise<T> {
    return (await this.#http.send<T>({ method: 'GET', path: p, idempotent: true })).data;
  }

  async #post<T>(p: string, body: unknown): Promise<T> {
    return (await this.#http.send<T>({ method: 'POST', path: p, body, idempotent: false })).data;
  }

  async #delete(p: string): Promise<void> {
    // Retried: if a lost answer hid a successful first attempt, the retry fails with SECRETS_NOT_FOUND and
    // `attempts > 1`, which tells the caller the thing is gone either way.
    await this.#http.send<void>({ method: 'DELETE', path: p, idempotent: true });
  }
}

function transportFor(options: TokenlessOptions, token: string | null): Transport {
  if (typeof options.userAgent !== 'string' || options.userAgent.trim() === '') throw new TypeError('A userAgent is required');
  const policy: RetryPolicy = {
    retries: nonNegative(options.retries, DEFAULT_RETRY_POLICY.retries, 'retries'),
    baseDelayMs: nonNegative(options.retryBaseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 'retryBaseDelayMs'),
    maxDelayMs: nonNegative(options.retryMaxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 'retryMaxDelayMs'),
    maxRetryAfterMs: nonNegative(options.maxRetryAfterMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs, 'maxRetryAfterMs'),
  };
  return new Transport({
    baseUrl: options.baseUrl,
    token,
    userAgent: options.userAgent,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    policy,
    ...(options.onRetry && { onRetry: options.onRetry }),
    ...(options.onResponse && { onResponse: options.onResponse }),
    ...(options.headers && { headers: options.headers }),
  });
}

/** The ETag is the version the server will check an If-Match against, so it wins over the body. */
function withEtagVersion<T extends SecretMeta>(meta: T, etag: string | string[] | undefined): T {
  const raw = Array.isArray(etag) ? etag[0] : etag;
  const m = raw !== undefined ? /^(?:W\/)?"(\d+)"$/.exec(raw.trim()) : null;
  return m ? { ...meta, version: Number(m[1]) } : meta;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}
