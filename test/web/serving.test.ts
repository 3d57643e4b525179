// How the server serves the dashboard: the app for / and any unknown non-/v1 path, /v1 keeps the
// API's problem+json 404, the page's own headers (a CSP with nothing inline, no framing, no referrer,
// nosniff; HSTS only when the public URL is https), content-hashed assets cached for a year, JS under
// 150 KB gzipped, nothing loaded from anywhere else, and 127.0.0.1 sent to the public URL's host name.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from '../../web/build.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from '../server/support/lifecycle.ts';
import { ensureBuilt } from './support/dashboard.ts';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });

function assertPageHeaders(r: Response, what: string): void {
  assert.equal(r.headers.get('content-security-policy'), CSP, what);
  assert.doesNotMatch(r.headers.get('content-security-policy')!, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
}

describe('web: the server serves the dashboard', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let tls: RunningServer;

  before(async () => {
    await ensureBuilt();
    server = await startServer();
    tls = await startServer({ env: { SECRETS_PUBLIC_URL: 'https://secrets.example.test' } });
  });
  after(() => stopAndRemove(server, tls));

  const local = (path: string) => `${server.url.replace('127.0.0.1', 'localhost')}${path}`;

  it('answers / and unknown dashboard paths with the app, with the dashboard CSP and no HSTS over plain http', async () => {
    for (const path of ['/', '/secrets', '/audit', '/no/such/page', '/invite']) {
      const r = await get(local(path), { host: new URL(local('/')).host });
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type')!, /^text\/html/);
      assertPageHeaders(r, path);
      assert.equal(r.headers.get('strict-transport-security'), null);
      const body = await r.text();
      assert.match(body, /<script type="module" src="\/assets\/app-[0-9a-f]{16}\.js"><\/script>/);
    }
  });

  it('keeps the API problem+json 404 and the API headers for /v1 paths, and leaves POST to other paths a 404 problem', async () => {
    const r = await get(`${server.url}/v1/no/such/route`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type')!, /^application\/problem\+json/);
    assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    assert.equal(((await r.json()) as { code: string }).code, 'NOT_FOUND');
    const later = await get(local('/v2/orgs'));
    assert.equal(later.status, 404, 'a later API version is the API\'s, not the dashboard\'s');
    assert.match(later.headers.get('content-type')!, /^application\/problem\+json/);
    const post = await fetch(local('/secrets'), { method: 'POST' });
    assert.equal(post.status, 404);
    assert.match(post.headers.get('content-type')!, /^application\/problem\+json/);
  });

  it('serves only its content-hashed assets, cached immutably; an unknown asset is 404', async () => {
    const html = await (await get(local('/'))).text();
    const names = [...html.matchAll(/\/assets\/(app-[0-9a-f]{16}\.(?:js|css))/g)].map((m) => m[1]!);
    assert.equal(names.length, 2, html);
    for (const name of names) {
      const r = await get(local(`/assets/${name}`));
      assert.equal(r.status, 200, name);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assertPageHeaders(r, name);
      assert.equal(Buffer.from(await r.arrayBuffer()).equals(readFileSync(join(DIST, 'assets', name))), true);
    }
    assert.equal((await get(local('/assets/app-0000000000000000.js'))).status, 404);
    assert.equal((await get(local('/assets/%2e%2e%2f%2e%2e%2fpackage.json'))).status, 404);
  });

  it('loads nothing from another origin: no http(s) URL in the page, and JS under 150 KB gzipped', () => {
    const index = readFileSync(join(DIST, 'index.html'), 'utf8');
    assert.doesNotMatch(index, /(src|href)="(https?:)?\/\//);
    const js = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
    const total = js.reduce((n, f) => n + gzipSync(readFileSync(join(DIST, 'assets', f))).length, 0);
    assert.ok(total < 150 * 1024, `dashboard JS is ${total} bytes gzipped`);
    assert.ok(total > 1000, 'the bundle was built');
  });

  it('sends a page opened at 127.0.0.1 to the same path at the public URL (http://localhost:PORT)', async () => {
    const r = await get(`${server.url}/audit?x=1`);
    assert.equal(r.status, 308);
    assert.equal(r.headers.get('location'), local('/audit?x=1'));
  });

  it('adds HSTS when the public URL is https, and does not redirect to it', async () => {
    const r = await get(`${tls.url}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('strict-transport-security'), 'max-age=63072000; includeSubDomains');
    assertPageHeaders(r, 'tls');
  });
});
