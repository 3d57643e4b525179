// Health, the caller's identity (/v1/me) and user creation by the instance admin.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Me, User } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { createUser, unique } from './support/fixtures.ts';

describe('server: health, me and users', function () {
  let server: RunningServer;
  let api: Http;

  before(async () => {
    server = await startServer();
    api = http(server.url);
  });
  after(() => stopAndRemove(server));

  it('answers GET /healthz with 200 {status:"ok"} without a token', async () => {
    const r = await api.get('/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
  });

  it('writes the bootstrap admin token to <data dir>/admin-token with mode 0600 and prints its path, never the token', async () => {
    const file = join(server.dataDir, 'admin-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8').trim(), /^scrt_pat_/);
    assert.ok(server.output().includes(file), 'the path of the admin-token file is printed');
    assert.ok(!server.output().includes(server.adminToken), 'the token itself is never printed');
  });

  it('generates a master key file with mode 0600 when none is configured, and warns', async () => {
    const file = join(server.dataDir, 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(server.output(), /master.key/i);
  });

  it('the bootstrap admin is an instance admin with a personal token', async () => {
    const r = await api.get<Me>('/v1/me', server.adminToken);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.tokenKind, 'personal');
    assert.ok(r.body.user);
    assert.equal(r.body.user.instanceAdmin, true);
  });

  it('GET /v1/me without a token answers 401 UNAUTHORIZED', async () => {
    assertProblem(await api.get('/v1/me'), 401, 'UNAUTHORIZED');
  });

  it('the instance admin creates a user with 201, returning the user and a personal token shown once', async () => {
    const name = unique('dana');
    const email = `${name}@example.test`;
    const r = await api.post<{ user: User; token: string }>('/v1/users', server.adminToken, { name, email });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.user.name, name);
    assert.equal(r.body.user.email, email);
    assert.equal(r.body.user.instanceAdmin, false);
    assert.equal(typeof r.body.user.id, 'string');
    assert.match(r.body.user.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.match(r.body.token, /^scrt_pat_[A-Za-z0-9_-]+$/);
    assert.ok(r.body.token.length - 'scrt_pat_'.length >= 43, 'at least 256 bits of randomness');
    const me = await api.get<Me>('/v1/me', r.body.token);
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user, r.body.user);
    assert.equal(me.body.tokenKind, 'personal');
  });

  it('gives every user a different token', async () => {
    const a = await createUser(api, server.adminToken);
    const b = await createUser(api, server.adminToken);
    assert.notEqual(a.token, b.token);
  });

  it('refuses user creation by a non-admin with 403 FORBIDDEN', async () => {
    const u = await createUser(api, server.adminToken);
    const email = `${unique('nope')}@example.test`;
    assertProblem(await api.post('/v1/users', u.token, { name: 'x', email }), 403, 'FORBIDDEN');
    assertProblem(await api.post('/v1/users', undefined, { name: 'x', email }), 401, 'UNAUTHORIZED');
  });

  it('refuses an e-mail already registered with 409 USER_EXISTS', async () => {
    const u = await createUser(api, server.adminToken);
    assertProblem(await api.post('/v1/users', server.adminToken, { name: 'again', email: u.user.email }), 409, 'USER_EXISTS');
  });

  it('rejects a missing name or e-mail with 400 VALIDATION_FAILED', async () => {
    assertProblem(await api.post('/v1/users', server.adminToken, { name: 'no email' }), 400, 'VALIDATION_FAILED');
    assertProblem(await api.post('/v1/users', server.adminToken, { email: `${unique('x')}@example.test` }), 400, 'VALIDATION_FAILED');
  });
});
