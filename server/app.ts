// Builds the fastify application: strict JSON-schema validation (unknown fields are rejected, never
// stripped; no type coercion), a 1 MiB body limit, logs that never carry bodies or credentials, and
// every route of docs/api.md.
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Authenticator, installAuthentication } from './auth/authenticate.ts';
import type { Deps } from './deps.ts';
import { FailedAuthLimiter } from './auth/failed-auth-limiter.ts';
import { installAccessLog } from './http/access-log.ts';
import { dashboardFallback } from './http/dashboard.ts';
import { installConnectionLimits, timeoutOptions } from './http/connection-limits.ts';
import { installJsonParser } from './http/json-body.ts';
import { installMethodNotAllowed } from './http/method-not-allowed.ts';
import { frameworkErrorHandler, installProblemHandlers } from './http/problems.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerBulkRevealRoutes } from './routes/bulk-reveal.ts';
import { registerEnvironmentRoutes } from './routes/environments.ts';
import { registerEventRoutes } from './routes/events.ts';
import { EventStreams } from './events/event-streams.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerHistoryRetentionRoutes } from './routes/history-retention.ts';
import { schedulePruning } from './services/secrets/history-retention.ts';
import { registerMeRoutes } from './routes/me.ts';
import { registerOrgRoutes } from './routes/orgs.ts';
import { registerSecretRoutes } from './routes/secrets.ts';
import { registerSecretBatchRoutes } from './routes/secrets-batch.ts';
import { registerServiceTokenRoutes } from './routes/service-tokens.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerWorkspaceRoutes } from './routes/workspaces.ts';
import { SessionService } from './auth/sessions.ts';
import { ChallengeStore } from './auth/challenges.ts';
import { PasskeyCeremonies } from './auth/passkeys.ts';
import { registerInvitationRoutes } from './routes/invitations.ts';
import { registerPasskeyRoutes } from './routes/passkeys.ts';
import { ServerMetrics } from './ops/metrics.ts';
import type { MetricsAccess } from './ops/settings.ts';
import { registerOidcAuthRoutes } from './routes/oidc-auth.ts';
import { registerOidcPolicyRoutes } from './routes/oidc-policies.ts';
import { OidcExchangeService } from './services/oidc/exchange.ts';
import { IssuerKeys } from './services/oidc/issuer-keys.ts';
import { OidcPolicyService } from './services/oidc/policies.ts';
import { DEFAULT_OIDC_SETTINGS } from './services/oidc/settings.ts';
import { createServices } from './services/services.ts';

export const BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  logLevel: string;
  /** Told about every API route as it is registered (the contract test lists them this way). */
  onRoute?: (method: string, url: string) => void;
  /** Who may read /metrics (SECRETS_METRICS); `loopback` when not given. */
  metricsAccess?: MetricsAccess;
  /** Where the built dashboard is; web/dist by default. */
  dashboardDir?: string;
}

export function buildApp(plainDeps: Deps, options: AppOptions): FastifyInstance {
  const metrics = new ServerMetrics();
  const deps = metrics.instrument(plainDeps);
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // The default request serializer logs no headers or bodies; redaction is a second belt.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    // Two log lines per request would cost more than a cached bulk reveal itself; access lines are
    // written at debug level (LOG_LEVEL=debug) by http/access-log.ts, failures always.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Keys may be 128 characters; anything much longer is refused as a 400 by frameworkErrors.
    routerOptions: { maxParamLength: 600 },
    frameworkErrors: frameworkErrorHandler,
    return503OnClosing: true,
    ...timeoutOptions(deps.limits),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  const { onRoute } = options;
  if (onRoute) {
    app.addHook('onRoute', (route) => {
      if (route.config?.methodNotAllowed) return;
      for (const m of [route.method].flat()) if (m !== 'HEAD') onRoute(m, route.url);
    });
  }
  installProblemHandlers(app, dashboardFallback({ distDir: options.dashboardDir, site: deps.site }));
  installSecurityHeaders(app);
  installAccessLog(app);
  installJsonParser(app);
  installMethodNotAllowed(app);
  installConnectionLimits(app.server, deps.limits);
  // Parses the Cookie header only; nothing here signs or sets cookies but web/session-cookie.ts.
  void app.register(fastifyCookie);
  metrics.install(app, options.metricsAccess ?? 'loopback');
  const auth = new Authenticator(deps);
  const sessions = new SessionService(deps);
  const limiter = new FailedAuthLimiter(deps.clock, deps.limits.authFailureLimit, deps.limits.authFailureWindowMs);
  installAuthentication(app, deps, auth, sessions, limiter);

  const services = createServices(deps, (tokenId) => auth.forget(tokenId));

  registerHealthRoutes(app, deps);
  const ceremonies = new PasskeyCeremonies(deps, new ChallengeStore(deps.storage, deps.clock));
  registerSessionRoutes(app, deps, auth, sessions, limiter);
  registerPasskeyRoutes(app, deps, sessions, ceremonies, limiter);
  registerInvitationRoutes(app, deps, sessions, ceremonies, limiter);
  registerMeRoutes(app, deps, services.users);
  registerOrgRoutes(app, deps, services);
  registerEnvironmentRoutes(app, deps, services.orgs);
  registerSecretRoutes(app, deps, services.secrets, services.history);
  registerSecretBatchRoutes(app, deps, services.secretBatches);
  registerBulkRevealRoutes(app, deps, services.secrets, services.history);
  registerServiceTokenRoutes(app, deps, services.serviceTokens, services.workspaces);
  registerWorkspaceRoutes(app, deps, services.workspaces);
  registerAuditRoutes(app, deps);
  registerOidcPolicyRoutes(app, deps, new OidcPolicyService(deps));
  registerOidcAuthRoutes(app, new OidcExchangeService(deps, new IssuerKeys(deps.oidc ?? DEFAULT_OIDC_SETTINGS)), limiter);
  registerHistoryRetentionRoutes(app, deps, services.retention);
  // Retention is applied by every instance on its own schedule (storage lets one prune at a time).
  const pruning = schedulePruning(services.retention, deps.limits.historyPruneIntervalMs, (err) => app.log.warn(`history pruning failed: ${(err as Error).message}`));
  app.addHook('onReady', async () => pruning.start());
  // Before storage closes (start.ts closes it on onClose), so no pruning runs on a closed database.
  app.addHook('preClose', async () => pruning.stop());
  const streams = new EventStreams(deps.storage, deps.limits);
  registerEventRoutes(app, deps, streams);
  // Open event streams would otherwise keep the server from closing; clients resume with Last-Event-ID.
  app.addHook('preClose', async () => streams.closeAll());
  return app;
}
