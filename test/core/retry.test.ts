import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { SecretsClient, type SecretsClientOptions } from '../../core/client.ts';
import { SecretsError } from '../../core/errors.ts';
import { backoffCeiling, backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../core/client/retry.ts';
import type { RetryInfo } from '../../core/client/transport.ts';
import { problem, startScriptedServer, type ScriptedServer, type Step } from './support/scripted-server.ts';

const ME = { user: null, tokenKind: 'service', organization: 'acme', environment: 'production' };
const META = { key: 'A', description: '', version: 1, createdAt: 'x', createdBy: 'x', updatedAt: 'x', updatedBy: 'x' };
const ok = (body: unknown = ME): Step => ({ status: 200, body });

describe('core/client retries (against a misbehaving HTTP server of the test’s own)', () => {
  let server: ScriptedServer | undefined;
  let client: SecretsClient | undefined;
  let retries: RetryInfo[];

  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function setup(steps: Step[], options: Partial<SecretsClientOptions> = {}): Promise<SecretsClient> {
    server = await startScriptedServer(steps);
    retries = [];
    client = new SecretsClient({
      baseUrl: server.url,
      token: 'scrt_pat_test',
      userAgent: 'secrets-test/0.0.1',
      retryBaseDelayMs: 10,
      onRetry: (i) => retries.push(i),
      ...options,
    });
    return client;
  }

  async function failure(p: Promise<unknown>): Promise<SecretsError> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof SecretsError, `expected a SecretsError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected the call to fail');
  }

  it('retries a GET after a 503 and returns the later success', async () => {
    const c = await setup([problem(503, 'INTERNAL', 'down'), ok()]);
    assert.deepEqual(await c.me(), ME);
    assert.equal(server!.received.length, 2);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]!.attempt, 1);
    assert.equal(retries[0]!.reason, 'HTTP 503');
  });

  it('waits the Retry-After seconds of a 429 before retrying', async () => {
    const c = await setup([{ ...problem(429, 'RATE_LIMITED', 'slow down'), headers: { 'retry-after': '1' } }, ok()]);
    await c.me();
    assert.equal(retries[0]!.delayMs, 1000);
    const gap = server!.received[1]!.at - server!.received[0]!.at;
    assert.ok(gap >= 950, `second attempt came after ${gap} ms`);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const when = new Date(Date.now() + 2000).toUTCString();
    const c = await setup([{ ...problem(503, 'INTERNAL', 'busy'), headers: { 'retry-after': when } }, ok()]);
    await c.me();
    assert.ok(retries[0]!.delayMs > 0 && retries[0]!.delayMs <= 2000, `waited ${retries[0]!.delayMs} ms`);
  });

  it('fails at once with SECRETS_RATE_LIMITED when Retry-After asks for longer than the cap', async () => {
    const c = await setup([{ ...problem(429, 'RATE_LIMITED', 'Too many requests'), headers: { 'retry-after': '120' } }, ok()], {
      maxRetryAfterMs: 5000,
    });
    const err = await failure(c.me());
    assert.equal(err.code, 'SECRETS_RATE_LIMITED');
    assert.equal(err.retryAfterMs, 120_000);
    assert.equal(err.message, 'Too many requests');
    assert.equal(server!.received.length, 1);
    assert.equal(retries.length, 0);
  });

  it('retries a GET whose connection was reset', async () => {
    const c = await setup([{ reset: true }, ok()]);
    assert.deepEqual(await c.me(), ME);
    assert.equal(server!.received.length, 2);
    assert.equal(retries.length, 1);
    assert.match(retries[0]!.reason, /ECONNRESET|UND_ERR_SOCKET/);
  });

  it('retries after a refused connection for every method, since the request never left', async () => {
    const port = await closedPort();
    const c = await setup([ok()], { baseUrl: `http://127.0.0.1:${port}`, retries: 2 });
    const err = await failure(c.createSecret('acme', 'production', { key: 'A', value: 'v' }));
    assert.equal(err.code, 'SECRETS_NETWORK');
    assert.equal(err.attempts, 3);
    assert.deepEqual(retries.map((r) => r.reason), ['ECONNREFUSED', 'ECONNREFUSED']);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  describe('never retries a request that may have changed something', () => {
    it('createSecret after a 503', async () => {
      const c = await setup([problem(503, 'INTERNAL', 'x'), { status: 201, body: META }]);
      const err = await failure(c.createSecret('acme', 'production', { key: 'A', value: 'v' }));
      assert.equal(err.code, 'SECRETS_SERVER');
      assert.equal(err.status, 503);
      assert.equal(server!.received.length, 1);
      assert.equal(retries.length, 0);
    });
    it('createSecret after a connection reset', async () => {
      const c = await setup([{ reset: true }, { status: 201, body: META }]);
      const err = await failure(c.createSecret('acme', 'production', { key: 'A', value: 'v' }));
      assert.equal(err.code, 'SECRETS_NETWORK');
      assert.equal(server!.received.length, 1);
    });
    it('createSecret after a 429', async () => {
      const c = await setup([{ ...problem(429, 'RATE_LIMITED', 'x'), headers: { 'retry-after': '0' } }, { status: 201, body: META }]);
      const err = await failure(c.createSecret('acme', 'production', { key: 'A', value: 'v' }));
      assert.equal(err.code, 'SECRETS_RATE_LIMITED');
      assert.equal(server!.received.length, 1);
    });
    it('updateSecret (PATCH) after a 502', async () => {
      const c = await setup([{ status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } }, ok(META)]);
      const err = await failure(c.updateSecret('acme', 'production', 'A', { value: 'v' }));
      assert.equal(err.code, 'SECRETS_SERVER');
      assert.equal(err.message, 'The secrets server failed to answer the request');
      assert.equal(server!.received.length, 1);
    });
    it('createOrg after a timeout', async () => {
      const c = await setup([{ hang: true }], { timeoutMs: 200 });
      const err = await failure(c.createOrg({ slug: 'acme', name: 'Acme' }));
      assert.equal(err.code, 'SECRETS_TIMEOUT');
      assert.equal(server!.received.length, 1);
    });
  });

  it('retries reveal and bulk reveal POSTs, whose only side effect is an audit event', async () => {
    const revealed = { key: 'A', value: 'v', version: 1 };
    const c = await setup([problem(503, 'AUDIT_UNAVAILABLE', 'audit down'), ok(revealed)]);
    assert.deepEqual(await c.revealSecret('acme', 'production', 'A'), revealed);
    assert.equal(server!.received.length, 2);
    await server!.close();
    const bulk = { environment: 'production', secrets: [revealed], missing: [] };
    server = await startScriptedServer([{ reset: true }, ok(bulk)]);
    await client!.close();
    client = new SecretsClient({ baseUrl: server.url, token: 'scrt_pat_test', userAgent: 't/1', retryBaseDelayMs: 10 });
    assert.deepEqual(await client.bulkReveal('acme', 'production'), bulk);
    assert.equal(server.received.length, 2);
  });

  it('retries PUT and DELETE, which are idempotent', async () => {
    const member = { userId: 'u1', name: 'N', email: 'e', role: 'viewer', addedAt: 'x' };
    const c = await setup([problem(500, 'INTERNAL', 'x'), ok(member), problem(503, 'INTERNAL', 'x'), { status: 204 }]);
    assert.deepEqual(await c.putMember('acme', 'u1', 'viewer'), member);
    await c.deleteSecret('acme', 'production', 'A');
    assert.deepEqual(server!.received.map((r) => r.method), ['PUT', 'PUT', 'DELETE', 'DELETE']);
  });

  it('does not retry a 4xx answer, even for a GET', async () => {
    const c = await setup([problem(404, 'SECRET_NOT_FOUND', 'Secret A does not exist in production'), ok(META)]);
    const err = await failure(c.getSecret('acme', 'production', 'A'));
    assert.equal(err.code, 'SECRETS_NOT_FOUND');
    assert.equal(err.attempts, 1);
    assert.equal(server!.received.length, 1);
  });

  it('gives up after retries + 1 attempts and reports how many were made', async () => {
    const c = await setup([problem(503, 'INTERNAL', 'still down')], { retries: 2 });
    const err = await failure(c.me());
    assert.equal(err.code, 'SECRETS_SERVER');
    assert.equal(err.message, 'still down');
    assert.equal(err.attempts, 3);
    assert.equal(server!.received.length, 3);
    assert.deepEqual(retries.map((r) => r.attempt), [1, 2]);
  });

  it('makes exactly one attempt when retries is 0', async () => {
    const c = await setup([problem(503, 'INTERNAL', 'x'), ok()], { retries: 0 });
    await failure(c.me());
    assert.equal(server!.received.length, 1);
  });

  it('times out an attempt that gets no answer, and retries it when idempotent', async () => {
    const c = await setup([{ hang: true }, ok()], { timeoutMs: 300 });
    const started = Date.now();
    assert.deepEqual(await c.me(), ME);
    assert.equal(server!.received.length, 2);
    assert.match(retries[0]!.reason, /timeout after 300 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  it('times out a body that stops arriving half-way', async () => {
    const c = await setup([{ stallBody: true }], { timeoutMs: 300, retries: 1 });
    const err = await failure(c.me());
    assert.equal(err.code, 'SECRETS_TIMEOUT');
    assert.match(err.message, /did not answer within 300 ms/);
    assert.equal(err.attempts, 2);
  });

  it('spreads back-off with full jitter inside the exponential ceiling', async () => {
    const c = await setup([problem(503, 'INTERNAL', 'x')], { retries: 6, retryBaseDelayMs: 20, retryMaxDelayMs: 100 });
    await failure(c.me());
    assert.equal(retries.length, 6);
    for (const r of retries) {
      const ceiling = Math.min(100, 20 * 2 ** (r.attempt - 1));
      assert.ok(r.delayMs >= 0 && r.delayMs < ceiling, `attempt ${r.attempt} waited ${r.delayMs}, ceiling ${ceiling}`);
    }
    const at = server!.received.map((r) => r.at);
    retries.forEach((r, i) => assert.ok(at[i + 1]! - at[i]! >= r.delayMs - 5, 'the client waited the announced delay'));
  });

  it('still completes the request when an onRetry or onResponse hook throws', async () => {
    const boom = (): never => {
      throw new Error('hook failed');
    };
    const c = await setup([problem(503, 'INTERNAL', 'x'), ok()], { onRetry: boom, onResponse: boom });
    assert.deepEqual(await c.me(), ME);
    assert.equal(server!.received.length, 2);
  });

  it('keeps the connection alive across requests and sends the user agent and bearer token', async () => {
    const c = await setup([ok()]);
    for (let i = 0; i < 20; i++) await c.me();
    // undici may open a second socket while the first is still finishing its previous answer, but twenty
    // requests must not cost twenty handshakes.
    assert.ok(server!.connections() <= 2, `${server!.connections()} connections for 20 requests`);
    const h = server!.received[0]!.headers;
    assert.equal(h['user-agent'], 'secrets-test/0.0.1');
    assert.equal(h.authorization, 'Bearer scrt_pat_test');
  });
});

describe('core/client/retry policy', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the back-off ceiling per attempt up to the maximum', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, policy)), [100, 200, 400, 800, 1000, 1000]);
  });

  it('draws each delay uniformly between 0 and the ceiling', () => {
    assert.equal(backoffDelay(3, policy, () => 0), 0);
    assert.equal(backoffDelay(3, policy, () => 0.5), 200);
    assert.ok(backoffDelay(3, policy, () => 0.999999) < 400);
    const samples = Array.from({ length: 2000 }, () => backoffDelay(4, policy));
    assert.ok(samples.every((d) => d >= 0 && d < 800));
    assert.ok(Math.min(...samples) < 80 && Math.max(...samples) > 720, 'samples cover the whole range');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T18:00:00Z');
    assert.equal(parseRetryAfter('5', now), 5000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 18:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 17:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
