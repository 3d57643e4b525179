// Every response of the API, successes and errors alike, carries the headers an API that hands out
// secret values should send: never sniffed into HTML, never framed, never stored by a browser or a
// proxy, never leaking its URL in a Referer.
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http, type Reply } from './support/http.ts';
import { bulkRevealPath, createSecret, secretPath, secretsPath } from './support/fixtures.ts';
import { canary } from './helpers-api.ts';

const EXPECTED: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};

function assertHeaders(r: Reply<unknown>, what: string): void {
  for (const [name, value] of Object.entries(EXPECTED)) assert.equal(r.headers.get(name), value, `${what} (${r.status}): ${name}`);
}

describe('server: security headers on every response', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    await createSecret(api, server.adminToken, 'default', 'production', 'HEADER_CHECK', canary('HEADERS'));
  });
  after(() => stopAndRemove(server));

  it('on successes: health, metadata, a reveal, a bulk reveal (fresh and from the cache) and a 204', async () => {
    const t = server.adminToken;
    assertHeaders(await api.get('/healthz'), 'healthz');
    assertHeaders(await api.get('/v1/me', t), 'me');
    assertHeaders(await api.get(secretsPath('default', 'production'), t), 'list');
    assertHeaders(await api.post(`${secretPath('default', 'production', 'HEADER_CHECK')}/reveal`, t), 'reveal');
    assertHeaders(await api.post(bulkRevealPath('default', 'production'), t, {}), 'bulk reveal');
    assertHeaders(await api.post(bulkRevealPath('default', 'production'), t, {}), 'cached bulk reveal');
    await createSecret(api, t, 'default', 'production', 'TO_DELETE', canary('DELETE'));
    assertHeaders(await api.del(secretPath('default', 'production', 'TO_DELETE'), t), 'delete');
  });

  it('on every kind of error: 400, 401, 404, 405, 413, 415 and a malformed URL', async () => {
    const t = server.adminToken;
    assertHeaders(await api.post(secretsPath('default', 'production'), t, { key: '1BAD', value: 'v' }), 'invalid key');
    assertHeaders(await api.get('/v1/me'), 'no token');
    assertHeaders(await api.get('/v1/no/such/route', t), 'unknown route');
    assertHeaders(await api.get(secretPath('default', 'production', 'MISSING'), t), 'missing secret');
    assertHeaders(await api.request('PUT', '/v1/me', { token: t }), 'wrong method');
    assertHeaders(await api.request('POST', secretsPath('default', 'production'), { token: t, raw: 'x'.repeat(1024 * 1024 + 10), headers: { 'content-type': 'application/json' }, retryOnReset: 3 }), 'too large');
    assertHeaders(await api.request('POST', secretsPath('default', 'production'), { token: t, raw: 'k=v', headers: { 'content-type': 'text/plain' } }), 'wrong type');
    assertHeaders(await api.get('/v1/orgs/default/environments/production/secrets/%E0%A4%A', t), 'malformed URL');
  });
});
