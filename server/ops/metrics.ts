// Prometheus metrics at /metrics (prom-client). Every label value comes from a small fixed set: the
// route *pattern* fastify matched (`/v1/orgs/:org/…`, or `unmatched`), a known HTTP method, the status
// code, an audit action or outcome. Nothing a client sends (a path, an org slug, a key, a value, a
// token) can become a label, so a scrape never carries one and a hostile client cannot blow up the
// number of series.
//
// The audit and reveal figures are taken by wrapping the storage's `appendAudit` and the reveal
// cache's `get` (whichever backend and routes are in use) rather than by code in each route: a value
// is revealed exactly when an allowed reveal event commits, since no value leaves before that.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { AuditInput, Storage } from '../storage/types.ts';
import type { RevealCache } from '../crypto/reveal-cache.ts';
import type { MetricsAccess } from './settings.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REVEAL_ACTIONS = new Set<string>(['secret.reveal', 'secret.bulk_reveal']);

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'secrets_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'secrets_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly revealed = new Counter({
    name: 'secrets_revealed_values_total',
    help: 'Secret values revealed (a bulk reveal counts each value), once their audit event committed',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  private readonly auditQueue = new Gauge({
    name: 'secrets_audit_queue_depth',
    help: 'Audit events handed to storage and not yet committed (or failed)',
    registers: [this.registry],
  });
  private readonly auditCommit = new Histogram({
    name: 'secrets_audit_commit_seconds',
    help: 'Time from handing an audit event to storage until it is durably committed',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'secrets_reveal_cache_lookups_total',
    help: "Lookups of an environment's decrypted values in the reveal cache, by result (hit or miss)",
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'secrets_' });
    // Series that exist from the start, so a dashboard shows 0 rather than no data.
    for (const action of REVEAL_ACTIONS) this.revealed.inc({ action }, 0);
    for (const result of ['hit', 'miss']) this.cacheLookups.inc({ result }, 0);
  }

  /** The same deps with storage and reveal cache reporting to these metrics. */
  instrument(deps: Deps): Deps {
    return { ...deps, storage: this.instrumentStorage(deps.storage), revealCache: this.instrumentCache(deps.revealCache) };
  }

  private instrumentStorage(storage: Storage): Storage {
    const appendAudit = (orgId: string, event: AuditInput): Promise<void> => {
      const started = performance.now();
      this.auditQueue.inc();
      const done = (outcome: 'committed' | 'failed') => {
        this.auditQueue.dec();
        this.auditCommit.observe({ outcome }, (performance.now() - started) / 1000);
      };
      const appended = storage.appendAudit(orgId, event);
      appended.then(
        () => {
          done('committed');
          if (event.outcome === 'allowed' && REVEAL_ACTIONS.has(event.action)) this.revealed.inc({ action: event.action }, event.keys.length);
        },
        () => done('failed'),
      );
      return appended;
    };
    return intercept(storage, { appendAudit });
  }

  private instrumentCache(cache: RevealCache): RevealCache {
    const get: RevealCache['get'] = (environmentId, revision) => {
      const entry = cache.get(environmentId, revision);
      this.cacheLookups.inc({ result: entry ? 'hit' : 'miss' });
      return entry;
    };
    return intercept(cache, { get });
  }

  /** Counts every answered request under its route pattern (never the URL it arrived with). */
  install(app: FastifyInstance, access: MetricsAccess): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = routeLabel(request);
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      this.requests.inc({ route, method, status: String(reply.statusCode) });
      this.duration.observe({ route, method }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!mayScrape(request, access)) throw new ApiError('NOT_FOUND');
      reply.type(this.registry.contentType);
      return this.registry.metrics();
    });
  }
}

function routeLabel(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return url === undefined ? 'unmatched' : url;
}

/**
 * `loopback` admits only a peer on this machine, and not one that says it forwards someone else's
 * request (a reverse proxy on the same host would otherwise make every client a loopback peer).
 */
export function mayScrape(request: FastifyRequest, access: MetricsAccess): boolean {
  if (access === 'open') return true;
  if (access === 'off') return false;
  if (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined) return false;
  return isLoopback(request.socket.remoteAddress);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** `target` with some methods replaced; every other member reads through (methods bound once). */
function intercept<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(t);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}
