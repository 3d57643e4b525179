// Prometheus metrics at /metrics and the readiness probe, against the real server: the series an
// operator needs are there and move with the traffic, no label carries anything a client sent (canary
// org slugs, keys, values, tokens, hostile paths), and only the clients SECRETS_METRICS admits read them.
import { PublicSite } from '../../server/web/public-site.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app.ts';
import { systemClock } from '../../server/clock.ts';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { Keyring } from '../../server/crypto/keyring.ts';
import { toKeyObject } from '../../server/crypto/envelope.ts';
import { RevealCache } from '../../server/crypto/reveal-cache.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { MetricsAccess } from '../../server/ops/settings.ts';
import { queryDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openDb } from './helpers-api.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createOrg, createSecret, reveal, secretPath } from './support/fixtures.ts';
import { startExpectingRefusal } from './support/operator.ts';

/** The value of one series (`name{labels}`) in a Prometheus text scrape; 0 when absent. */
function sample(scrape: string, series: string): number {
  for (const line of scrape.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

function labelValues(scrape: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const m of scrape.matchAll(new RegExp(`[{,]${label}="([^"]*)"`, 'g'))) values.add(m[1]!);
  return values;
}

describe('server: /metrics and /readyz', function () {
  let server: RunningServer;
  let api: Http;
  const scrape = async () => {
    const r = await api.get('/metrics');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    return r.text;
  };

  before(async () => {
    server = await startServer();
    api = http(server.url);
  });
  after(() => stopAndRemove(server));

  it('/readyz answers 200 ready while the database answers and is migrated, without a token', async () => {
    const r = await api.get<{ status: string }>('/readyz');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { status: 'ready' });
  });

  it('/readyz answers 503 NOT_READY when the schema is behind this server (a real query, not a constant), and 200 again once it is not', async () => {
    // The same statements on either backend (the PostgreSQL run stores in its own database).
    const url = server.databaseUrl;
    const db = url ? undefined : openDb(server.dataDir);
    const query = async <T,>(sql: string, params: (string | number)[] = []): Promise<T[]> => {
      if (url) return queryDatabase(url, sql.replace(/\?/g, (_m, i: number) => `$${sql.slice(0, i).split('?').length}`), params) as Promise<T[]>;
      return db!.prepare(sql).all(...params) as T[];
    };
    try {
      const [newest] = await query<{ version: number; name: string; applied_at: string }>('SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 1');
      await query('DELETE FROM schema_migrations WHERE version = ?', [newest!.version]);
      try {
        const r = await api.get('/readyz');
        assertProblem(r, 503, 'NOT_READY');
        assert.doesNotMatch(r.text, /version|schema/i, 'the probe answer does not describe the database');
        assert.equal((await api.get('/healthz')).status, 200, 'alive all the same');
      } finally {
        await query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [newest!.version, newest!.name, newest!.applied_at]);
      }
    } finally {
      db?.close();
    }
    assert.equal((await api.get('/readyz')).status, 200);
    assert.match(server.output(), /not ready: the database schema is at version/);
  });

  it('serves the Prometheus text format with request, latency, reveal, audit, cache and process series', async () => {
    const r = await api.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    for (const name of [
      'secrets_http_requests_total',
      'secrets_http_request_duration_seconds_bucket',
      'secrets_revealed_values_total',
      'secrets_audit_queue_depth',
      'secrets_audit_commit_seconds',
      'secrets_reveal_cache_lookups_total',
      'secrets_process_cpu_seconds_total',
      'secrets_process_resident_memory_bytes',
      'secrets_nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(r.text, new RegExp(`^# TYPE ${name.replace(/_bucket$/, '')} `, 'm'), name);
    }
  });

  it('counts requests by route pattern and status, revealed values, audit commits and reveal-cache hits and misses', async () => {
    const org = await createOrg(api, server.adminToken);
    const env = await createEnvironment(api, server.adminToken, org);
    for (const k of ['ONE', 'TWO', 'THREE']) await createSecret(api, server.adminToken, org, env, k, `canary-metrics-${k}-9f2c1d7e`);
    const before = await scrape();
    const bulk = '{action="secret.bulk_reveal"}';
    const single = '{action="secret.reveal"}';
    assert.equal((await api.post(bulkRevealPath(org, env), server.adminToken, {})).status, 200);
    assert.equal((await api.post(bulkRevealPath(org, env), server.adminToken, {})).status, 200);
    await reveal(api, server.adminToken, org, env, 'TWO');
    assert.equal((await api.get(secretPath(org, env, 'NOPE'), server.adminToken)).status, 404);
    const after = await scrape();

    assert.equal(sample(after, `secrets_revealed_values_total${bulk}`) - sample(before, `secrets_revealed_values_total${bulk}`), 6);
    assert.equal(sample(after, `secrets_revealed_values_total${single}`) - sample(before, `secrets_revealed_values_total${single}`), 1);
    const hits = (s: string) => sample(s, 'secrets_reveal_cache_lookups_total{result="hit"}');
    const misses = (s: string) => sample(s, 'secrets_reveal_cache_lookups_total{result="miss"}');
    assert.equal(misses(after) - misses(before), 1, 'the first bulk reveal of the environment misses');
    assert.equal(hits(after) - hits(before), 2, 'the second bulk reveal and the single reveal hit');
    const commits = (s: string) => sample(s, 'secrets_audit_commit_seconds_count{outcome="committed"}');
    assert.ok(commits(after) - commits(before) >= 3, 'three reveal events committed');
    assert.equal(sample(after, 'secrets_audit_queue_depth'), 0, 'nothing waits at rest');

    const route = '/v1/orgs/:org/environments/:env/reveal';
    const bulkCount = (s: string) => sample(s, `secrets_http_requests_total{route="${route}",method="POST",status="200"}`);
    assert.equal(bulkCount(after) - bulkCount(before), 2);
    const notFound = (s: string) => sample(s, 'secrets_http_requests_total{route="/v1/orgs/:org/environments/:env/secrets/:key",method="GET",status="404"}');
    assert.equal(notFound(after) - notFound(before), 1);
    assert.ok(sample(after, `secrets_http_request_duration_seconds_count{route="${route}",method="POST"}`) >= 2);
  });

  it('carries no org slug, environment, key, value, token or raw path in any label, however hostile the request', async () => {
    const id = randomBytes(12).toString('hex');
    const orgSlug = `canary-org-${id}`;
    const envSlug = `canary-env-${id}`;
    const key = `CANARY_KEY_${id.toUpperCase()}_${'X'.repeat(60)}`;
    const value = `canary-value-${id}-${randomBytes(24).toString('hex')}`;
    const token = `scrt_pat_canarytoken${id}${'q'.repeat(40)}`;
    const pathCanary = `canary-path-${id}`;
    await createOrg(api, server.adminToken, orgSlug);
    await createEnvironment(api, server.adminToken, orgSlug, envSlug);
    await createSecret(api, server.adminToken, orgSlug, envSlug, key, value);
    assert.equal(await reveal(api, server.adminToken, orgSlug, envSlug, key), value);
    assert.equal((await api.post(bulkRevealPath(orgSlug, envSlug), server.adminToken, { keys: [key, `${key}_MISSING`] })).status, 200);
    await api.get(secretPath(orgSlug, envSlug, key), token);
    await api.get(`/${pathCanary}`, server.adminToken);
    await api.get(`/v1/${pathCanary}/x?${pathCanary}=1`);
    await api.get(`/v1/orgs/${orgSlug}/environments/${envSlug}/secrets/${pathCanary}"} 1\nsecrets_injected 1`);
    await api.get(`/metrics?${pathCanary}`);
    await api.request('PROPFIND', `/v1/orgs/${orgSlug}`);
    await api.request('DELETE', `/metrics/${pathCanary}`);

    const text = await scrape();
    for (const canaryText of [id, id.toUpperCase(), orgSlug, envSlug, key, value, token, pathCanary]) {
      assert.ok(!text.includes(canaryText), `the scrape contains ${canaryText}`);
    }
    assert.doesNotMatch(text, /^secrets_injected/m);
    const routes = labelValues(text, 'route');
    for (const route of routes) assert.ok(route === 'unmatched' || route.startsWith('/'), route);
    for (const route of routes) assert.doesNotMatch(route, /canary|%|\?/i, route);
    assert.ok(routes.has('/v1/orgs/:org/environments/:env/secrets/:key'), [...routes].join(' '));
    assert.ok(routes.has('unmatched'));
    assert.deepEqual([...labelValues(text, 'method')].filter((m) => !['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER'].includes(m)), []);
  });

  it('refuses a client that says it forwards someone else\'s request (a reverse proxy on this host) with 404 NOT_FOUND', async () => {
    assertProblem(await api.get('/metrics', undefined, { 'x-forwarded-for': '203.0.113.9' }), 404, 'NOT_FOUND');
    assertProblem(await api.get('/metrics', undefined, { forwarded: 'for=203.0.113.9' }), 404, 'NOT_FOUND');
  });

  it('SECRETS_METRICS=off answers 404 NOT_FOUND even on loopback', async () => {
    const off = await startServer({ env: { SECRETS_METRICS: 'off' } });
    try {
      assertProblem(await http(off.url).get('/metrics'), 404, 'NOT_FOUND');
    } finally {
      await stopAndRemove(off);
    }
  });

  it('refuses to start on an unknown SECRETS_METRICS or SECRETS_SHUTDOWN_TIMEOUT_MS, naming the setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-metrics-'));
    try {
      const bad = await startExpectingRefusal(dir, { SECRETS_METRICS: 'everyone' });
      assert.notEqual(bad.code, 0);
      assert.match(bad.out, /SECRETS_METRICS must be one of loopback, open, off, got "everyone"/);
      const badTimeout = await startExpectingRefusal(dir, { SECRETS_SHUTDOWN_TIMEOUT_MS: '5s' });
      assert.notEqual(badTimeout.code, 0);
      assert.match(badTimeout.out, /SECRETS_SHUTDOWN_TIMEOUT_MS must be a whole number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('server: who may read /metrics (SECRETS_METRICS, by the peer address)', () => {
  // The real server listens on loopback, so a peer elsewhere is played by fastify's inject.
  async function scrapeFrom(access: MetricsAccess, remoteAddress: string): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-metrics-access-'));
    const storage = SqliteStorage.open(dir);
    const app = buildApp(
      { storage, keyring: new Keyring(toKeyObject(randomBytes(32))), revealCache: new RevealCache(), clock: systemClock, limits: DEFAULT_LIMITS, site: new PublicSite(new URL('http://localhost')) },
      { logLevel: 'silent', metricsAccess: access },
    );
    try {
      return (await app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode;
    } finally {
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('loopback (the default) admits 127.0.0.0/8, ::1 and IPv4-mapped loopback, and nobody else', async () => {
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) assert.equal(await scrapeFrom('loopback', address), 200, address);
    for (const address of ['203.0.113.5', '10.0.0.8', '::ffff:10.0.0.8', '2001:db8::1', '::', '0.0.0.0', '128.0.0.1']) {
      assert.equal(await scrapeFrom('loopback', address), 404, address);
    }
  });

  it('open admits every peer; off admits none', async () => {
    assert.equal(await scrapeFrom('open', '203.0.113.5'), 200);
    assert.equal(await scrapeFrom('off', '127.0.0.1'), 404);
  });
});
