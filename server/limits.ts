// Limits that keep one hostile client from holding the server: connection and request timeouts, the
// connections one client address may hold, failed authentications per address, how denied attempts
// are aggregated in the audit log, and how long a dashboard session lives. Read from the environment (docs/api.md "Operations").

export interface ServerLimits {
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic either way for this long is closed (e.g. a client that stops reading). */
  connectionTimeoutMs: number;
  /** Requests served on one connection before it is closed; the client reconnects. */
  maxRequestsPerSocket: number;
  /** Open connections one client address (an IPv4 address, an IPv6 /64) may hold. */
  maxConnectionsPerClient: number;
  /** Open connections in total. */
  maxConnections: number;
  /** Failed authentications one client address may make per window before it gets 429. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Repeats of one denied attempt within this window are one audit event with a count. */
  auditDenialWindowMs: number;
  /** A dashboard session unused for this long ends. */
  sessionIdleMs: number;
  /** A dashboard session ends this long after sign-in, however busy. */
  sessionMaxMs: number;
  /** A comment line is sent on each event stream this often, so proxies and clients see it alive. */
  eventsHeartbeatMs: number;
  /** Change events kept per environment for resuming with Last-Event-ID; an older id gets a `reset`. */
  eventsBacklog: number;
  /** Event streams one principal (user or service token) may hold open on this instance. */
  eventsMaxPerPrincipal: number;
  /** Event streams open on this instance in total. */
  eventsMaxSubscribers: number;
  /** How long the dashboard shows a revealed value before masking it again. */
  revealMs: number;
  /** How often each instance applies the organizations' history retention (prunes old versions). */
  historyPruneIntervalMs: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionTimeoutMs: 30_000,
  maxRequestsPerSocket: 1_000,
  maxConnectionsPerClient: 64,
  maxConnections: 2_048,
  authFailureLimit: 20,
  authFailureWindowMs: 60_000,
  auditDenialWindowMs: 60_000,
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 3_600_000,
  eventsHeartbeatMs: 15_000,
  eventsBacklog: 10_000,
  eventsMaxPerPrincipal: 8,
  eventsMaxSubscribers: 1_000,
  revealMs: 30_000,
  historyPruneIntervalMs: 3_600_000,
};

/** The environment variable of each limit, and the unit it is given in. */
export const LIMIT_SETTINGS: Record<keyof ServerLimits, { env: string; unit: 'ms' | 's' | 'count' }> = {
  headersTimeoutMs: { env: 'SECRETS_HEADERS_TIMEOUT_MS', unit: 'ms' },
  requestTimeoutMs: { env: 'SECRETS_REQUEST_TIMEOUT_MS', unit: 'ms' },
  keepAliveTimeoutMs: { env: 'SECRETS_KEEP_ALIVE_TIMEOUT_MS', unit: 'ms' },
  connectionTimeoutMs: { env: 'SECRETS_CONNECTION_TIMEOUT_MS', unit: 'ms' },
  maxRequestsPerSocket: { env: 'SECRETS_MAX_REQUESTS_PER_CONNECTION', unit: 'count' },
  maxConnectionsPerClient: { env: 'SECRETS_MAX_CONNECTIONS_PER_CLIENT', unit: 'count' },
  maxConnections: { env: 'SECRETS_MAX_CONNECTIONS', unit: 'count' },
  authFailureLimit: { env: 'SECRETS_AUTH_FAILURE_LIMIT', unit: 'count' },
  authFailureWindowMs: { env: 'SECRETS_AUTH_FAILURE_WINDOW_SECONDS', unit: 's' },
  auditDenialWindowMs: { env: 'SECRETS_AUDIT_DENIAL_WINDOW_SECONDS', unit: 's' },
  sessionIdleMs: { env: 'SECRETS_SESSION_IDLE_SECONDS', unit: 's' },
  sessionMaxMs: { env: 'SECRETS_SESSION_MAX_SECONDS', unit: 's' },
  eventsHeartbeatMs: { env: 'SECRETS_EVENTS_HEARTBEAT_SECONDS', unit: 's' },
  eventsBacklog: { env: 'SECRETS_EVENTS_BACKLOG', unit: 'count' },
  eventsMaxPerPrincipal: { env: 'SECRETS_EVENTS_MAX_PER_PRINCIPAL', unit: 'count' },
  eventsMaxSubscribers: { env: 'SECRETS_EVENTS_MAX_SUBSCRIBERS', unit: 'count' },
  revealMs: { env: 'SECRETS_REVEAL_SECONDS', unit: 's' },
  historyPruneIntervalMs: { env: 'SECRETS_HISTORY_PRUNE_INTERVAL_SECONDS', unit: 's' },
};

/** `invalid` raises the configuration error (config.ts owns its type). */
export function limitsFromEnv(env: NodeJS.ProcessEnv, invalid: (message: string) => never): ServerLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [field, setting] of Object.entries(LIMIT_SETTINGS) as [keyof ServerLimits, (typeof LIMIT_SETTINGS)[keyof ServerLimits]][]) {
    const text = env[setting.env];
    if (text === undefined || text === '') continue;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) invalid(`${setting.env} must be a whole number of at least 1, got "${text}"`);
    limits[field] = setting.unit === 's' ? n * 1000 : n;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    invalid(`${LIMIT_SETTINGS.headersTimeoutMs.env} must not exceed ${LIMIT_SETTINGS.requestTimeoutMs.env}`);
  }
  if (limits.eventsHeartbeatMs >= limits.connectionTimeoutMs) {
    invalid(`${LIMIT_SETTINGS.eventsHeartbeatMs.env} must be shorter than ${LIMIT_SETTINGS.connectionTimeoutMs.env}, or idle event streams are cut`);
  }
  return limits;
}
