// Personal tokens: minted, listed (never the token itself), last-used time, revocation and expiry,
// and the 401 for every kind of bad credential.
import assert from 'node:assert/strict';
import type { Me, PersonalToken } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { createUser, sleep, type Person } from './support/fixtures.ts';

describe('server: personal tokens', function () {
  let server: RunningServer;
  let api: Http;
  let erin: Person;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    erin = await createUser(api, server.adminToken);
  });
  after(() => stopAndRemove(server));

  const mint = async (body: { name: string; expiresAt?: string }, token = erin.token) => {
    const r = await api.post<PersonalToken & { token: string }>('/v1/me/tokens', token, body);
    assert.equal(r.status, 201, r.text);
    return r.body;
  };

  it('mints a token with 201, scrt_pat_ prefix and ≥ 256 bits, that authenticates as the same user', async () => {
    const t = await mint({ name: 'laptop' });
    assert.match(t.token, /^scrt_pat_[A-Za-z0-9_-]+$/);
    assert.ok(t.token.length - 'scrt_pat_'.length >= 43);
    assert.equal(t.name, 'laptop');
    assert.equal(t.expiresAt, null);
    assert.equal(t.lastUsedAt, null);
    assert.notEqual(t.token, erin.token);
    const me = await api.get<Me>('/v1/me', t.token);
    assert.equal(me.status, 200);
    assert.equal(me.body.user?.id, erin.user.id);
  });

  it('lists the caller\'s tokens without the token values', async () => {
    const t = await mint({ name: 'listed' });
    const r = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', erin.token);
    assert.equal(r.status, 200, r.text);
    const mine = r.body.tokens.find((x) => x.id === t.id);
    assert.ok(mine);
    assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name']);
    assert.ok(!r.text.includes(t.token) && !r.text.includes(erin.token));
    assert.ok(!r.text.includes(t.token.slice('scrt_pat_'.length)));
  });

  it('lists only the caller\'s own tokens', async () => {
    const other = await createUser(api, server.adminToken);
    const theirs = await mint({ name: 'theirs' }, other.token);
    const r = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', erin.token);
    assert.ok(!r.body.tokens.some((x) => x.id === theirs.id));
  });

  it('records the last use time', async () => {
    const t = await mint({ name: 'used' });
    await api.get('/v1/me', t.token);
    const r = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', erin.token);
    const used = r.body.tokens.find((x) => x.id === t.id)!;
    assert.ok(used.lastUsedAt);
    assert.ok(Math.abs(Date.parse(used.lastUsedAt) - Date.now()) < 60_000);
  });

  it('revokes with 204, after which the token is refused with 401', async () => {
    const t = await mint({ name: 'revoke-me' });
    assert.equal((await api.get('/v1/me', t.token)).status, 200, 'used once before revocation');
    const r = await api.del(`/v1/me/tokens/${t.id}`, erin.token);
    assert.equal(r.status, 204, r.text);
    assertProblem(await api.get('/v1/me', t.token), 401, 'UNAUTHORIZED');
    assert.equal((await api.get('/v1/me', erin.token)).status, 200, 'other tokens keep working');
  });

  it('cannot revoke another user\'s token (404 TOKEN_NOT_FOUND), which keeps working', async () => {
    const other = await createUser(api, server.adminToken);
    const theirs = await mint({ name: 'not-yours' }, other.token);
    assertProblem(await api.del(`/v1/me/tokens/${theirs.id}`, erin.token), 404, 'TOKEN_NOT_FOUND');
    assert.equal((await api.get('/v1/me', theirs.token)).status, 200);
  });

  it('answers 404 TOKEN_NOT_FOUND for an unknown token id', async () => {
    assertProblem(await api.del('/v1/me/tokens/no-such-id', erin.token), 404, 'TOKEN_NOT_FOUND');
  });

  it('refuses an expired token with 401', async () => {
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const t = await mint({ name: 'short-lived', expiresAt });
    assert.equal(t.expiresAt, expiresAt);
    assert.equal((await api.get('/v1/me', t.token)).status, 200);
    await sleep(Date.parse(expiresAt) + 300 - Date.now());
    assertProblem(await api.get('/v1/me', t.token), 401, 'UNAUTHORIZED');
  });

  it('refuses a token with one character changed', async () => {
    const t = await mint({ name: 'tamper' });
    const last = t.token.at(-1) === 'A' ? 'B' : 'A';
    assertProblem(await api.get('/v1/me', t.token.slice(0, -1) + last), 401, 'UNAUTHORIZED');
    assertProblem(await api.get('/v1/me', t.token + 'x'), 401, 'UNAUTHORIZED');
    assertProblem(await api.get('/v1/me', t.token.slice(0, -1)), 401, 'UNAUTHORIZED');
  });

  it('does not accept a personal token under the service prefix', async () => {
    const t = await mint({ name: 'prefix' });
    assertProblem(await api.get('/v1/me', t.token.replace('scrt_pat_', 'scrt_svc_')), 401, 'UNAUTHORIZED');
  });

  it('rejects a missing name or a malformed expiry with 400 VALIDATION_FAILED', async () => {
    assertProblem(await api.post('/v1/me/tokens', erin.token, {}), 400, 'VALIDATION_FAILED');
    assertProblem(await api.post('/v1/me/tokens', erin.token, { name: 'x', expiresAt: 'next week' }), 400, 'VALIDATION_FAILED');
  });
});
