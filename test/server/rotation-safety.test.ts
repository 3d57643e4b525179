// Key rotation can never lose data (issue 8, item 4), with the real server process and the real
// rotation command: rotation and a running server exclude each other (the lock dies with its process),
// and a rotation interrupted before or after its commit is recovered at the next start, with every
// secret still readable.
// These look into the SQLite file, so they run on SQLite in the PostgreSQL run too; rotation on
// PostgreSQL is proven in multi-instance.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulkReveal } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { canary, createSecret, expectCall, openDb } from './helpers-api.ts';
import { rotate, startExpectingRefusal } from './support/operator.ts';

type Values = Map<string, string>;

async function seed(server: RunningServer, values: Values, org: string, env = 'production'): Promise<void> {
  if (org !== 'default') await expectCall(server, 201, 'POST', '/v1/orgs', server.adminToken, { slug: org, name: org });
  const key = `KEY_OF_${org.toUpperCase().replaceAll('-', '_')}`;
  const value = canary(key);
  await createSecret(server, org, env, key, value);
  values.set(`${org}/${env}/${key}`, value);
}

async function assertAllReveal(server: RunningServer, values: Values): Promise<void> {
  for (const [where, value] of values) {
    const [org, env, key] = where.split('/');
    const r = await expectCall<BulkReveal>(server, 200, 'POST', `/v1/orgs/${org}/environments/${env}/reveal`, server.adminToken, { keys: [key] });
    assert.equal(r.body.secrets[0]?.value, value, where);
  }
}

const keyOf = (dataDir: string) => readFileSync(join(dataDir, 'master.key'), 'utf8');
const keyCheck = (dataDir: string) => {
  const db = openDb(dataDir);
  const row = db.prepare("SELECT value FROM meta WHERE name = 'master_key_check'").get() as { value: Uint8Array };
  db.close();
  return Buffer.from(row.value).toString('hex');
};

describe('server: key rotation can never lose data', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  const dataDirs = new Set<string>();
  afterEach(async () => {
    if (server) dataDirs.add(server.dataDir);
    await server?.stop();
    server = undefined;
  });
  // No database or master key of these tests stays behind in the temp directory.
  after(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to rotate beside a running server and changes nothing; organizations created meanwhile and afterwards stay readable', async () => {
    server = await startServer({ sqlite: true });
    const dataDir = server.dataDir;
    const values: Values = new Map();
    await seed(server, values, 'default');
    const keyBefore = keyOf(dataDir);
    const checkBefore = keyCheck(dataDir);

    const refused = rotate(dataDir);
    assert.notEqual(refused.status, 0, refused.out);
    assert.match(refused.out, /in use by a running server .*stop the server before rotating the master key/);
    assert.equal(keyOf(dataDir), keyBefore, 'the key file is unchanged');
    assert.equal(existsSync(join(dataDir, 'master.key.new')), false, 'nothing is staged');
    assert.equal(keyCheck(dataDir), checkBefore, 'the database is unchanged');

    // The scenario that lost data: an organization created by the server after the attempted rotation.
    await seed(server, values, 'created-meanwhile');
    await assertAllReveal(server, values);
    await server.stop();

    const done = rotate(dataDir);
    assert.equal(done.status, 0, done.out);
    assert.notEqual(keyOf(dataDir), keyBefore);
    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
    await seed(server, values, 'created-after');
    await server.stop();
    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
  });

  it('refuses a second server on the same data directory', async () => {
    server = await startServer({ sqlite: true });
    const second = await startExpectingRefusal(server.dataDir, {});
    assert.notEqual(second.code, 0);
    assert.match(second.out, /is in use by another server or by a master-key rotation/);
    assert.doesNotMatch(second.out, /listening at/i);
    await expectCall(server, 200, 'GET', '/v1/me', server.adminToken);
  });

  it('does not keep the lock past a killed server: rotation and a new server proceed after SIGKILL', async () => {
    server = await startServer({ sqlite: true });
    const dataDir = server.dataDir;
    const values: Values = new Map();
    await seed(server, values, 'default');
    await server.kill('SIGKILL');
    assert.ok(existsSync(join(dataDir, 'instance.lock')), 'the lock file stays behind, unlocked');
    const r = rotate(dataDir);
    assert.equal(r.status, 0, r.out);
    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
  });

  it('recovers a rotation interrupted after its commit: the next start finishes the swap and every secret reads', async () => {
    server = await startServer({ sqlite: true });
    const dataDir = server.dataDir;
    const values: Values = new Map();
    await seed(server, values, 'default');
    await seed(server, values, 'second-org');
    await server.stop();
    server = undefined;
    const oldKey = keyOf(dataDir);
    const r = rotate(dataDir);
    assert.equal(r.status, 0, r.out);
    const newKey = keyOf(dataDir);
    // What a crash between the commit and the rename leaves: the database re-wrapped under the new
    // key, which is still staged, and the old key still in master.key.
    writeFileSync(join(dataDir, 'master.key.new'), newKey, { mode: 0o600 });
    writeFileSync(join(dataDir, 'master.key'), oldKey, { mode: 0o600 });

    server = await startServer({ sqlite: true, dataDir });
    assert.match(server.output(), /Finished an interrupted master-key rotation/);
    assert.equal(keyOf(dataDir), newKey);
    assert.equal(existsSync(join(dataDir, 'master.key.new')), false);
    await assertAllReveal(server, values);
    await seed(server, values, 'after-recovery');
    await server.stop();
    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
  });

  it('undoes a rotation interrupted before its commit: the staged key is dropped and the old key stays', async () => {
    server = await startServer({ sqlite: true });
    const dataDir = server.dataDir;
    const values: Values = new Map();
    await seed(server, values, 'default');
    await server.stop();
    server = undefined;
    const oldKey = keyOf(dataDir);
    writeFileSync(join(dataDir, 'master.key.new'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });

    server = await startServer({ sqlite: true, dataDir });
    assert.match(server.output(), /interrupted before it committed/);
    assert.equal(keyOf(dataDir), oldKey);
    assert.equal(existsSync(join(dataDir, 'master.key.new')), false);
    await assertAllReveal(server, values);
  });

  it('finishes an interrupted rotation before rotating again', async () => {
    server = await startServer({ sqlite: true });
    const dataDir = server.dataDir;
    const values: Values = new Map();
    await seed(server, values, 'default');
    await server.stop();
    server = undefined;
    const oldKey = keyOf(dataDir);
    assert.equal(rotate(dataDir).status, 0);
    const committedKey = keyOf(dataDir);
    writeFileSync(join(dataDir, 'master.key.new'), committedKey, { mode: 0o600 });
    writeFileSync(join(dataDir, 'master.key'), oldKey, { mode: 0o600 });

    const again = rotate(dataDir);
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /Finished an interrupted master-key rotation/);
    const finalKey = keyOf(dataDir);
    assert.ok(finalKey !== oldKey && finalKey !== committedKey);
    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
  });
});
