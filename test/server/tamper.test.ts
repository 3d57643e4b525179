// Playing the attacker who can write the database file but has no key: every edited, moved, copied or
// replayed ciphertext is refused with SECRET_UNREADABLE and never turns into a (wrong) value. And what
// such an attacker can read of the file holds no value in plaintext.
// These tests open the SQLite file itself, so they run on SQLite in the PostgreSQL run too. multi-instance.test.ts tampers with PostgreSQL rows.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, AuditPage, BulkReveal, Problem } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { call, canary, createSecret, expectCall, openDb, reveal, secretsPath } from './helpers-api.ts';

interface Row {
  id: string;
  org_id: string;
  environment_id: string;
  key: string;
  version: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

function assertUnreadable(r: { status: number; text: string; body: unknown }, mustNotContain: string[]): void {
  assert.equal(r.status, 500, r.text);
  const p = r.body as Problem;
  assert.equal(p.code, 'SECRET_UNREADABLE');
  assert.equal(p.type, 'https://secrets.dev/problems/secret-unreadable');
  for (const s of mustNotContain) assert.ok(!r.text.includes(s), 'the refusal carries no value');
  assert.ok(!('value' in (r.body as object)));
}

describe('server: tampered or moved ciphertexts are refused, not decrypted into garbage', function () {
  this.timeout(60_000);
  let server: RunningServer;
  const values: Record<string, string> = {};
  let v1Ciphertext: { nonce: Uint8Array; ciphertext: Uint8Array };

  before(async () => {
    server = await startServer({ sqlite: true });
    await expectCall(server, 201, 'POST', '/v1/orgs', server.adminToken, { slug: 'other', name: 'Other' });
    for (const key of ['FLIPPED', 'SOURCE', 'TARGET', 'COPIED', 'BUMPED', 'REPLAYED', 'INTACT']) {
      values[key] = canary(key);
      await createSecret(server, 'default', 'production', key, values[key]!);
    }
    await createSecret(server, 'default', 'staging', 'COPIED', canary('STAGING_ORIGINAL'));
    await createSecret(server, 'other', 'production', 'COPIED', canary('OTHER_ORIGINAL'));
    await createSecret(server, 'default', 'development', 'ALONE', canary('ALONE'));
    await server.stop();

    const db = openDb(server.dataDir);
    const row = (org: string, env: string, key: string) =>
      db
        .prepare(
          `SELECT s.* FROM secrets s JOIN orgs o ON o.id = s.org_id JOIN environments e ON e.id = s.environment_id
           WHERE o.slug = ? AND e.slug = ? AND s.key = ?`,
        )
        .get(org, env, key) as unknown as Row;
    const setCipher = db.prepare('UPDATE secrets SET nonce = ?, ciphertext = ? WHERE id = ?');

    const flipped = row('default', 'production', 'FLIPPED');
    const c = Buffer.from(flipped.ciphertext);
    c[0]! ^= 0x01;
    setCipher.run(flipped.nonce, c, flipped.id);

    const source = row('default', 'production', 'SOURCE');
    setCipher.run(source.nonce, source.ciphertext, row('default', 'production', 'TARGET').id);

    const copied = row('default', 'production', 'COPIED');
    setCipher.run(copied.nonce, copied.ciphertext, row('default', 'staging', 'COPIED').id);
    setCipher.run(copied.nonce, copied.ciphertext, row('other', 'production', 'COPIED').id);

    db.prepare('UPDATE secrets SET version = version + 1 WHERE id = ?').run(row('default', 'production', 'BUMPED').id);

    const replayed = row('default', 'production', 'REPLAYED');
    v1Ciphertext = { nonce: replayed.nonce, ciphertext: replayed.ciphertext };
    db.close();

    server = await startServer({ sqlite: true, dataDir: server.dataDir });
  });
  after(async () => server.stop());

  it('refuses a ciphertext with one flipped bit', async () => {
    assertUnreadable(await reveal(server, 'default', 'production', 'FLIPPED'), [values.FLIPPED!]);
  });

  it("refuses another key's ciphertext moved onto a key, instead of revealing the other key's value", async () => {
    assertUnreadable(await reveal(server, 'default', 'production', 'TARGET'), [values.SOURCE!, values.TARGET!]);
    const intact = await reveal(server, 'default', 'production', 'SOURCE');
    assert.equal(intact.body.value, values.SOURCE);
  });

  it('refuses a ciphertext copied to the same key in another environment or another organization', async () => {
    assertUnreadable(await reveal(server, 'default', 'staging', 'COPIED'), [values.COPIED!]);
    assertUnreadable(await reveal(server, 'other', 'production', 'COPIED'), [values.COPIED!]);
  });

  it('refuses a ciphertext whose version was changed', async () => {
    assertUnreadable(await reveal(server, 'default', 'production', 'BUMPED'), [values.BUMPED!]);
  });

  it('refuses an old ciphertext replayed over a newer version of the same secret', async () => {
    const newer = canary('REPLAYED_V2');
    const patched = await call<{ version: number }>(server, 'PATCH', secretsPath('default', 'production', 'REPLAYED'), server.adminToken, { value: newer });
    assert.equal(patched.body.version, 2);
    await server.stop();
    const db = openDb(server.dataDir);
    db.prepare(
      `UPDATE secrets SET nonce = ?, ciphertext = ? WHERE key = 'REPLAYED' AND environment_id = (SELECT e.id FROM environments e JOIN orgs o ON o.id = e.org_id WHERE o.slug = 'default' AND e.slug = 'production')`,
    ).run(v1Ciphertext.nonce, v1Ciphertext.ciphertext);
    db.close();
    server = await startServer({ sqlite: true, dataDir: server.dataDir });
    assertUnreadable(await reveal(server, 'default', 'production', 'REPLAYED'), [values.REPLAYED!, newer]);
  });

  it('refuses a bulk reveal that includes a tampered row, and still answers one that does not', async () => {
    const all = await call(server, 'POST', '/v1/orgs/default/environments/production/reveal', server.adminToken, {});
    assertUnreadable(all, Object.values(values));
    const named = await expectCall<BulkReveal>(server, 200, 'POST', '/v1/orgs/default/environments/production/reveal', server.adminToken, {
      keys: ['INTACT', 'SOURCE'],
    });
    assert.deepEqual(
      named.body.secrets.map((s) => [s.key, s.value]),
      [
        ['INTACT', values.INTACT],
        ['SOURCE', values.SOURCE],
      ],
    );
  });

  it('audits every refused reveal as an error naming the tampered keys, and nothing of any value', async () => {
    const events = async (org: string) =>
      (await expectCall<AuditPage>(server, 200, 'GET', `/v1/orgs/${org}/audit?limit=500`, server.adminToken)).body.events;
    const errors = (list: AuditEvent[], action: string) => list.filter((e) => e.outcome === 'error' && e.action === action);
    const own = await events('default');
    const single = errors(own, 'secret.reveal');
    for (const [env, key] of [['production', 'FLIPPED'], ['production', 'TARGET'], ['staging', 'COPIED'], ['production', 'BUMPED'], ['production', 'REPLAYED']]) {
      assert.ok(single.some((e) => e.environment === env && e.keys.length === 1 && e.keys[0] === key), `an error event for ${env}/${key}`);
    }
    const bulk = errors(own, 'secret.bulk_reveal');
    assert.equal(bulk.length, 1, 'the refused bulk reveal is audited once');
    assert.equal(bulk[0]!.environment, 'production');
    assert.deepEqual(bulk[0]!.keys, ['BUMPED', 'FLIPPED', 'REPLAYED', 'TARGET'], 'it names exactly the unreadable keys');
    assert.equal(bulk[0]!.actor.name, 'Admin');
    assert.ok(errors(await events('other'), 'secret.reveal').some((e) => e.keys[0] === 'COPIED'), "the other organization's refusal is in its own log");
    const text = JSON.stringify([own, await events('other')]);
    for (const value of Object.values(values)) assert.ok(!text.includes(value), 'no value in the audit log');
  });

  it('keeps every value out of the database files in plaintext, base64 and hex', async () => {
    const files = ['secrets.db', 'secrets.db-wal'].map((f) => join(server.dataDir, f)).filter((f) => existsSync(f));
    assert.ok(files.length >= 1);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    for (const value of Object.values(values)) {
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) {
        assert.equal(bytes.includes(Buffer.from(form)), false, `a value form was found in the database files`);
      }
    }
  });
});
