// Master-key rotation as an operator runs it (`node server/main.ts rotate-master-key`): afterwards the
// server starts with the new key and every secret still reveals; with the old key it refuses to start.
// These look into the SQLite file, so they run on SQLite in the PostgreSQL run too; rotation on
// PostgreSQL is proven in multi-instance.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulkReveal } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { canary, createSecret, expectCall, openDb } from './helpers-api.ts';
import { rotate, startExpectingRefusal } from './support/operator.ts';

async function seedTwoOrgs(server: RunningServer): Promise<Record<string, string>> {
  await expectCall(server, 201, 'POST', '/v1/orgs', server.adminToken, { slug: 'second', name: 'Second' });
  const values: Record<string, string> = {};
  for (const [org, env, key] of [
    ['default', 'production', 'DB_PASSWORD'],
    ['default', 'staging', 'DB_PASSWORD'],
    ['second', 'development', 'API_KEY'],
  ] as const) {
    values[`${org}/${env}/${key}`] = canary(key);
    await createSecret(server, org, env, key, values[`${org}/${env}/${key}`]!);
  }
  return values;
}

async function assertAllReveal(server: RunningServer, values: Record<string, string>): Promise<void> {
  for (const [where, value] of Object.entries(values)) {
    const [org, env, key] = where.split('/');
    const r = await expectCall<BulkReveal>(server, 200, 'POST', `/v1/orgs/${org}/environments/${env}/reveal`, server.adminToken, { keys: [key] });
    assert.equal(r.body.secrets[0]?.value, value, where);
  }
}

describe('server: master-key rotation command', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  afterEach(async () => server?.stop());

  it('with the key file: re-wraps the data keys under a new generated key, keeps every secret, and the old key is refused', async () => {
    server = await startServer({ sqlite: true });
    const values = await seedTwoOrgs(server);
    const dataDir = server.dataDir;
    const keyFile = join(dataDir, 'master.key');
    const oldKey = readFileSync(keyFile, 'utf8').trim();
    await server.stop();
    const before = openDb(dataDir);
    const wrappedBefore = before.prepare('SELECT id, wrapped_key FROM orgs ORDER BY id').all();
    const secretsBefore = before.prepare('SELECT id, nonce, ciphertext FROM secrets ORDER BY id').all();
    before.close();
    server = undefined;

    const r = rotate(dataDir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Re-wrapped the data keys of 2 organization/);
    const newKey = readFileSync(keyFile, 'utf8').trim();
    assert.notEqual(newKey, oldKey);
    assert.ok(!r.out.includes(newKey) && !r.out.includes(oldKey), 'no key is printed');
    assert.equal(existsSync(`${keyFile}.new`), false);

    const db = openDb(dataDir);
    const wrappedAfter = db.prepare('SELECT id, wrapped_key FROM orgs ORDER BY id').all();
    assert.equal(wrappedAfter.length, 2);
    for (let i = 0; i < 2; i++) assert.notDeepEqual(wrappedAfter[i]!.wrapped_key, wrappedBefore[i]!.wrapped_key);
    assert.deepEqual(db.prepare('SELECT id, nonce, ciphertext FROM secrets ORDER BY id').all(), secretsBefore, 'secrets are untouched');
    db.close();

    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
    await server.stop();
    server = undefined;

    const refused = await startExpectingRefusal(dataDir, { SECRETS_MASTER_KEY: oldKey });
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /master key does not match/);
    assert.doesNotMatch(refused.out, /listening at/i);
  });

  it('with SECRETS_MASTER_KEY and SECRETS_NEW_MASTER_KEY: the server then starts with the new key and refuses the old', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    server = await startServer({ sqlite: true, env: { SECRETS_MASTER_KEY: oldKey } });
    const values = await seedTwoOrgs(server);
    const dataDir = server.dataDir;
    await server.stop();
    server = undefined;

    const r = rotate(dataDir, { SECRETS_MASTER_KEY: oldKey, SECRETS_NEW_MASTER_KEY: newKey });
    assert.equal(r.status, 0, r.out);
    assert.equal(existsSync(join(dataDir, 'master.key')), false, 'no key file when both keys come from the environment');
    assert.ok(!r.out.includes(newKey) && !r.out.includes(oldKey));

    const refused = await startExpectingRefusal(dataDir, { SECRETS_MASTER_KEY: oldKey });
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /master key does not match/);

    server = await startServer({ sqlite: true, dataDir, env: { SECRETS_MASTER_KEY: newKey } });
    await assertAllReveal(server, values);
  });

  it('refuses to rotate when the current key is wrong, and changes nothing', async () => {
    server = await startServer({ sqlite: true });
    const values = await seedTwoOrgs(server);
    const dataDir = server.dataDir;
    await server.stop();
    server = undefined;
    const keyBefore = readFileSync(join(dataDir, 'master.key'), 'utf8');

    const r = rotate(dataDir, { SECRETS_MASTER_KEY: randomBytes(32).toString('base64') });
    assert.notEqual(r.status, 0);
    assert.match(r.out, /master key does not match/);
    assert.equal(readFileSync(join(dataDir, 'master.key'), 'utf8'), keyBefore);

    server = await startServer({ sqlite: true, dataDir });
    await assertAllReveal(server, values);
  });
});
