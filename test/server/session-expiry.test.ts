// Session expiry, moved by an injected clock (no sleeping): a session unused for the idle time ends, a
// session in use is kept alive by use but ends at its absolute expiry anyway, and GET /v1/session
// says when each will happen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Session } from '../../core/api-types.ts';
import { pageHeaders, signInWithToken } from './support/browser-session.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { ManualClock, serveInProcess, type InProcessServer } from './support/in-process.ts';

const MINUTE = 60_000;

describe('server: session expiry (injected clock)', function () {
  this.timeout(30_000);
  const clock = new ManualClock();
  let server: InProcessServer;
  let api: Http;
  before(async () => {
    server = await serveInProcess(clock, { sessionIdleMs: 10 * MINUTE, sessionMaxMs: 60 * MINUTE });
    api = http(server.url);
  });
  after(() => server.stop());

  const me = (cookie: string) => api.get('/v1/me', undefined, { cookie });

  it('ends a session unused for the idle time, on the server', async () => {
    const s = await signInWithToken(api, server.adminToken, server.origin);
    assert.equal(s.session.expiresAt, new Date(clock.now() + 10 * MINUTE).toISOString());
    assert.equal(s.session.absoluteExpiresAt, new Date(clock.now() + 60 * MINUTE).toISOString());
    clock.advance(10 * MINUTE - 1);
    assert.equal((await me(s.header)).status, 200, 'one millisecond before the idle limit it still works');
    clock.advance(10 * MINUTE);
    assertProblem(await me(s.header), 401, 'UNAUTHORIZED');
    assertProblem(await api.get('/v1/session', undefined, { cookie: s.header }), 401, 'UNAUTHORIZED');
  });

  it('keeps a session in use alive past the idle time, but not past its absolute expiry', async () => {
    const s = await signInWithToken(api, server.adminToken, server.origin);
    const started = clock.now();
    for (let t = 0; t < 55; t += 5) {
      clock.advance(5 * MINUTE);
      assert.equal((await me(s.header)).status, 200, `in use at minute ${t + 5}`);
    }
    const described = await api.get<Session>('/v1/session', undefined, { cookie: s.header });
    assert.equal(described.body.expiresAt, new Date(started + 60 * MINUTE).toISOString(), 'the idle end is capped by the absolute end');
    clock.advance(5 * MINUTE);
    assertProblem(await me(s.header), 401, 'UNAUTHORIZED');
    const write = await api.request('POST', '/v1/orgs', { json: { slug: 'late-org', name: 'Late' }, headers: pageHeaders(s, server.origin) });
    assertProblem(write, 401, 'UNAUTHORIZED');
  });

  it('never outlives the personal token it was signed in with', async () => {
    const expiresAt = new Date(clock.now() + 30 * MINUTE).toISOString();
    const minted = await api.post<{ token: string }>('/v1/me/tokens', server.adminToken, { name: 'short', expiresAt });
    assert.equal(minted.status, 201, minted.text);
    const s = await signInWithToken(api, minted.body.token, server.origin);
    assert.equal(s.session.absoluteExpiresAt, expiresAt);
    assert.equal(Number(s.cookie.attributes.get('max-age')), 30 * 60);
    clock.advance(30 * MINUTE);
    assertProblem(await me(s.header), 401, 'UNAUTHORIZED');
  });

  it('sweeps sessions nobody came back to out of the database at the next sign-in', async () => {
    await signInWithToken(api, server.adminToken, server.origin);
    clock.advance(10 * MINUTE);
    const fresh = await signInWithToken(api, server.adminToken, server.origin);
    const db = new DatabaseSync(join(server.dataDir, 'secrets.db'), { readOnly: true });
    try {
      const rows = db.prepare('SELECT created_at AS createdAt FROM sessions').all() as { createdAt: number }[];
      assert.deepEqual(rows.map((r) => new Date(r.createdAt).toISOString()), [fresh.session.createdAt]);
    } finally {
      db.close();
    }
  });
});
