// Dashboard sessions against the real server process: signing in with a personal token sets an
// HttpOnly, SameSite=Strict cookie the API then accepts, state-changing requests with it need the
// same origin and the CSRF token, signing out ends it on the server, and only a hash is stored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Me, Org, PersonalToken, Session } from '../../core/api-types.ts';
import { databaseBytes, queryDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { pageHeaders, parseSetCookie, signInWithToken } from './support/browser-session.ts';
import { createUser, unique } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { requestFrom } from './support/sockets.ts';

describe('server: dashboard sessions (cookie, CSRF, sign-out)', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let origin: string;

  before(async () => {
    server = await startServer({ env: { LOG_LEVEL: 'debug' } });
    api = http(server.url);
    origin = `http://localhost:${new URL(server.url).port}`;
  });
  after(() => stopAndRemove(server));

  it('never logs the token signed in with, the cookie secret or the CSRF token', async () => {
    const person = await createUser(api, server.adminToken);
    const s = await signInWithToken(api, person.token, origin);
    await api.get('/v1/session', undefined, { cookie: s.header });
    await api.request('DELETE', '/v1/session', { headers: pageHeaders(s, origin) });
    const out = server.output();
    assert.match(out, /"path":"\/v1\/session"/, 'the debug access log did write the requests');
    for (const secret of [person.token, s.cookie.value, s.session.csrfToken]) assert.ok(!out.includes(secret));
  });

  it('prints the public URL at start-up, http://localhost:PORT by default', () => {
    assert.match(server.output(), new RegExp(`Public URL \\(passkeys and invitation links\\): ${origin.replaceAll('.', '\\.')}`));
  });

  it('signs in with a personal token: an HttpOnly, SameSite=Strict, path-wide cookie (not Secure over http) and a CSRF token', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    assert.equal(s.cookie.name, 'secrets_session');
    assert.ok(s.cookie.attributes.has('httponly'));
    assert.equal(s.cookie.attributes.get('samesite'), 'Strict');
    assert.equal(s.cookie.attributes.get('path'), '/');
    assert.ok(!s.cookie.attributes.has('secure'));
    assert.ok(!s.cookie.attributes.has('domain'));
    assert.equal(Number(s.cookie.attributes.get('max-age')), 12 * 3600);
    assert.match(s.cookie.value, /^[A-Za-z0-9_-]{43}$/);
    assert.match(s.session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(s.session.csrfToken, s.cookie.value);
    assert.equal(s.session.user.email, 'admin@localhost');
    assert.equal(s.session.signedInWith, 'token');
    assert.ok(!JSON.stringify(s.session).includes(s.cookie.value), 'the answer never carries the cookie secret');
  });

  it('describes the session (GET /v1/session) and lets the cookie read the API as the user', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    const described = await api.get<Session>('/v1/session', undefined, { cookie: s.header });
    assert.equal(described.status, 200);
    assert.equal(described.body.csrfToken, s.session.csrfToken);
    assert.equal(described.body.user.id, s.session.user.id);
    const me = await api.get<Me>('/v1/me', undefined, { cookie: s.header, 'sec-fetch-site': 'same-origin' });
    assert.equal(me.status, 200);
    assert.equal(me.body.user?.email, 'admin@localhost');
  });

  it('refuses a state-changing request with the cookie but without the CSRF token, with a wrong one, or from another origin', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    const create = (headers: Record<string, string>) => api.request<Org>('POST', '/v1/orgs', { json: { slug: unique('csrf'), name: 'CSRF' }, headers });
    assertProblem(await create(pageHeaders(s, origin, null)), 403, 'CSRF_REJECTED', /X-CSRF-Token is required/);
    assertProblem(await create(pageHeaders(s, origin, `${s.session.csrfToken.slice(0, -1)}${s.session.csrfToken.endsWith('A') ? 'B' : 'A'}`)), 403, 'CSRF_REJECTED', /does not match/);
    assertProblem(await create({ ...pageHeaders(s, origin), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), 403, 'CSRF_REJECTED');
    assertProblem(await create({ ...pageHeaders(s, origin), origin: 'http://localhost:1' }), 403, 'CSRF_REJECTED');
    const { origin: _o, ...noOrigin } = pageHeaders(s, origin);
    assertProblem(await create({ ...noOrigin, 'sec-fetch-site': 'same-site' }), 403, 'CSRF_REJECTED');
    const { 'sec-fetch-site': _s, ...bare } = noOrigin;
    assertProblem(await create(bare), 403, 'CSRF_REJECTED', /must send its Origin/);
    const orgs = await api.get<{ orgs: Org[] }>('/v1/orgs', server.adminToken);
    assert.ok(!orgs.body.orgs.some((o) => o.name === 'CSRF'), 'no refused request created anything');

    const ok = await create(pageHeaders(s, origin));
    assert.equal(ok.status, 201, ok.text);
    const { origin: _o2, ...sameOriginNoOriginHeader } = pageHeaders(s, origin);
    assert.equal((await create(sameOriginNoOriginHeader)).status, 201, 'Sec-Fetch-Site: same-origin stands in for a missing Origin');
  });

  it('keeps bearer tokens working without any CSRF token', async () => {
    const r = await api.post<Org>('/v1/orgs', server.adminToken, { slug: unique('bearer'), name: 'Bearer' });
    assert.equal(r.status, 201);
  });

  it('signs out on the server: the old cookie is refused afterwards, and the answer clears it', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    const out = await api.request('DELETE', '/v1/session', { headers: pageHeaders(s, origin) });
    assert.equal(out.status, 204);
    const cleared = parseSetCookie(out.headers)[0]!;
    assert.equal(cleared.name, s.cookie.name);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attributes.get('max-age'), '0');
    assertProblem(await api.get('/v1/me', undefined, { cookie: s.header }), 401, 'UNAUTHORIZED');
    assertProblem(await api.get('/v1/session', undefined, { cookie: s.header }), 401, 'UNAUTHORIZED');
  });

  it('audits sign-in and sign-out in the organizations of the user', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    await api.request('DELETE', '/v1/session', { headers: pageHeaders(s, origin) });
    const events = await auditEvents(api, server.adminToken, 'default');
    const ins = ofAction(events, 'session.create');
    const outs = ofAction(events, 'session.delete');
    assert.ok(ins.length >= 1 && outs.length >= 1);
    assert.equal(outs[0]!.actor.id, s.session.user.id);
    assert.ok(!JSON.stringify(events).includes(s.cookie.value) && !JSON.stringify(events).includes(s.session.csrfToken));
  });

  it('refuses a token that is not a valid personal token with 401, and counts it as a failed authentication', async () => {
    const svc = `scrt_svc_${'q'.repeat(43)}`;
    assertProblem(await api.post('/v1/session', undefined, { token: svc }), 401, 'UNAUTHORIZED');
    const from = '127.0.0.23';
    const bad = { token: `scrt_pat_${'z'.repeat(43)}` };
    for (let i = 0; i < 20; i++) assert.equal((await requestFrom(server.url, from, 'POST', '/v1/session', { json: bad })).status, 401);
    const limited = await requestFrom(server.url, from, 'POST', '/v1/session', { json: { token: server.adminToken } });
    assert.equal(limited.status, 429, 'the 21st attempt from the address is limited, a good token included');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it('refuses a sign-in posted from another origin (login CSRF)', async () => {
    const r = await api.request('POST', '/v1/session', { json: { token: server.adminToken }, headers: { origin: 'https://evil.example' } });
    assertProblem(r, 403, 'CSRF_REJECTED');
    assert.equal(r.headers.getSetCookie().length, 0);
  });

  it('ends a session signed in with a personal token when that token is revoked', async () => {
    const person = await createUser(api, server.adminToken);
    const s = await signInWithToken(api, person.token, origin);
    const tokens = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', person.token);
    assert.equal((await api.del(`/v1/me/tokens/${tokens.body.tokens[0]!.id}`, person.token)).status, 204);
    assertProblem(await api.get('/v1/me', undefined, { cookie: s.header }), 401, 'UNAUTHORIZED');
  });

  it('stores only a hash of the session id: neither the cookie secret nor the CSRF token is in the database', async () => {
    const s = await signInWithToken(api, server.adminToken, origin);
    const readSessions = async (): Promise<unknown[]> => {
      if (server.databaseUrl) return queryDatabase(server.databaseUrl, 'SELECT * FROM sessions');
      const db = new DatabaseSync(join(server.dataDir, 'secrets.db'), { readOnly: true });
      try {
        return db.prepare('SELECT * FROM sessions').all();
      } finally {
        db.close();
      }
    };
    const rows = await readSessions();
    assert.ok(rows.length >= 1);
    const dump = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64url') : v));
    assert.ok(!dump.includes(s.cookie.value) && !dump.includes(s.session.csrfToken));
    if (server.databaseUrl) {
      const bytes = (await databaseBytes(server.databaseUrl)).toString('latin1');
      assert.ok(!bytes.includes(s.cookie.value) && !bytes.includes(s.session.csrfToken), 'PostgreSQL');
    } else {
      for (const f of ['secrets.db', 'secrets.db-wal']) {
        const bytes = readFileSync(join(server.dataDir, f)).toString('latin1');
        assert.ok(!bytes.includes(s.cookie.value), f);
      }
    }
  });
});

describe('server: session cookie behind TLS (SECRETS_PUBLIC_URL=https://…)', function () {
  this.timeout(30_000);
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { SECRETS_PUBLIC_URL: 'https://secrets.example.test' } });
  });
  after(() => stopAndRemove(server));

  it('sets a Secure, __Host- prefixed cookie and accepts requests from that origin only', async () => {
    const api = http(server.url);
    const s = await signInWithToken(api, server.adminToken, 'https://secrets.example.test');
    assert.equal(s.cookie.name, '__Host-secrets_session');
    assert.ok(s.cookie.attributes.has('secure'));
    assert.ok(s.cookie.attributes.has('httponly'));
    assert.equal(s.cookie.attributes.get('samesite'), 'Strict');
    const made = await api.request('POST', '/v1/orgs', { json: { slug: unique('tls'), name: 'TLS' }, headers: pageHeaders(s, 'https://secrets.example.test') });
    assert.equal(made.status, 201, made.text);
    const local = await api.request('POST', '/v1/orgs', { json: { slug: unique('tls'), name: 'TLS' }, headers: pageHeaders(s, `http://localhost:${new URL(server.url).port}`) });
    assertProblem(local, 403, 'CSRF_REJECTED');
    assert.match(server.output(), /Public URL \(passkeys and invitation links\): https:\/\/secrets\.example\.test/);
  });
});
