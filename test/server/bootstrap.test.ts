// First start on an empty data directory, as an operator runs it: files, their modes, what is printed
// (a path, never a token), and that a second start reuses everything.
// The file-mode test looks at the SQLite files, so it runs on SQLite in the PostgreSQL run too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Environment, Me, Org } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { call, expectCall, type JsonReply } from './helpers-api.ts';

const MAIN = resolve(import.meta.dirname, '../../server/main.ts');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('server: first start and restart', () => {
  let server: RunningServer | undefined;
  afterEach(async () => server?.stop());

  it('bootstraps an instance admin, the organization default and an admin-token file (0600) whose path, not content, is printed', async () => {
    server = await startServer();
    const tokenFile = join(server.dataDir, 'admin-token');
    assert.equal(mode(tokenFile), 0o600);
    assert.match(server.adminToken, /^scrt_pat_[A-Za-z0-9_-]{43}$/);
    assert.ok(server.output().includes(tokenFile), 'the admin-token path is printed');
    assert.ok(!server.output().includes(server.adminToken), 'the token itself is never printed');

    const me = await expectCall<Me>(server, 200, 'GET', '/v1/me', server.adminToken);
    assert.equal(me.body.tokenKind, 'personal');
    assert.equal(me.body.user?.instanceAdmin, true);
    const orgs = await expectCall<{ orgs: Org[] }>(server, 200, 'GET', '/v1/orgs', server.adminToken);
    assert.deepEqual(orgs.body.orgs.map((o) => [o.slug, o.role]), [['default', 'owner']]);
    const envs = await expectCall<{ environments: Environment[] }>(server, 200, 'GET', '/v1/orgs/default/environments', server.adminToken);
    assert.deepEqual(envs.body.environments.map((e) => e.slug).sort(), ['development', 'production', 'staging']);
  });

  it('generates master.key (0600) with exactly one warning when no key is given, and keeps the database files 0600', async () => {
    server = await startServer({ sqlite: true });
    const keyFile = join(server.dataDir, 'master.key');
    assert.equal(mode(keyFile), 0o600);
    assert.equal(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32);
    for (const f of ['secrets.db', 'secrets.db-wal', 'secrets.db-shm']) {
      if (f === 'secrets.db' || existsSync(join(server.dataDir, f))) assert.equal(mode(join(server.dataDir, f)), 0o600, f);
    }
    const warnings = server.output().split('\n').filter((l) => l.includes('master key was generated'));
    assert.equal(warnings.length, 1, server.output());
    assert.ok(!server.output().includes(readFileSync(keyFile, 'utf8').trim()), 'the master key is never printed');
  });

  it('answers GET /healthz with 200 {status:"ok"} without a token', async () => {
    server = await startServer();
    const r = await expectCall<{ status: string }>(server, 200, 'GET', '/healthz');
    assert.deepEqual(r.body, { status: 'ok' });
  });

  it('on a second start reuses the data directory: same admin token, same key, no new warning or bootstrap', async () => {
    server = await startServer();
    const { dataDir, adminToken } = server;
    const key = readFileSync(join(dataDir, 'master.key'), 'utf8');
    await server.stop();
    server = await startServer({ dataDir });
    assert.equal(server.adminToken, adminToken);
    assert.equal(readFileSync(join(dataDir, 'master.key'), 'utf8'), key);
    assert.ok(!server.output().includes('master key was generated'), server.output());
    assert.ok(!server.output().includes('First start'), server.output());
    await expectCall(server, 200, 'GET', '/v1/me', adminToken);
  });

  it('uses SECRETS_MASTER_KEY when given and writes no key file', async () => {
    server = await startServer({ env: { SECRETS_MASTER_KEY: randomBytes(32).toString('base64') } });
    assert.equal(existsSync(join(server.dataDir, 'master.key')), false);
    assert.ok(!server.output().includes('master key was generated'));
    await expectCall(server, 200, 'GET', '/v1/me', server.adminToken);
  });

  it('refuses to start with a SECRETS_MASTER_KEY that is not 32 bytes of base64', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'secrets-test-'));
    const r = spawnSync(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', SECRETS_DATA_DIR: dataDir, SECRETS_MASTER_KEY: 'c2hvcnQ=' },
      encoding: 'utf8',
      timeout: 15000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SECRETS_MASTER_KEY must be the base64 of 32 bytes/);
    assert.equal(existsSync(join(dataDir, 'admin-token')), false);
  });

  it('answers an unknown token, a malformed header and no header alike with 401 UNAUTHORIZED', async () => {
    const running = await startServer();
    server = running;
    for (const auth of [undefined, 'scrt_pat_' + 'A'.repeat(43), 'Basic abc', running.adminToken.slice(0, -1) + 'x']) {
      const r: JsonReply<{ code: string }> = await call<{ code: string }>(running, 'GET', '/v1/me', auth);
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.body.code, 'UNAUTHORIZED');
    }
  });
});
