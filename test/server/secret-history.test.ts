// A secret's history against the live server, on the run's backend (SQLite, or PostgreSQL in the
// PostgreSQL run): every create and update keeps the version it replaces; old versions are listed
// without values, revealed with the rights and audit of a reveal, restored by a rollback that honours
// If-Match; a tampered old version is refused and audited; deleting a secret deletes its history.
import assert from 'node:assert/strict';
import type { BulkReveal, RevealedSecret, SecretMeta, SecretVersionList } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { SecretsError } from '../../core/errors.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { queryDatabase } from '../helpers/postgres.ts';
import { canary, openDb } from './helpers-api.ts';
import { auditEvents } from './support/audit.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { bulkRevealPath, createSecret, createTeam, reveal, secretPath, type Team } from './support/fixtures.ts';

describe('server: secret history (versions, old reveals, rollback)', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let org: string;
  const env = 'production';

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    org = team.org;
  });
  after(() => stopAndRemove(server));

  /** Creates KEY with values[0], then updates it to each further value; returns the values by version. */
  async function withVersions(key: string, count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => canary(`${key}_V${i + 1}`));
    await createSecret(api, team.editor.token, org, env, key, values[0]!, 'first description');
    for (let i = 1; i < count; i++) {
      const r = await api.patch<SecretMeta>(secretPath(org, env, key), team.editor.token, { value: values[i], description: `description ${i + 1}` });
      assert.equal(r.status, 200, r.text);
    }
    return values;
  }

  const versionsOf = (key: string, token = team.viewer.token) => api.get<SecretVersionList>(`${secretPath(org, env, key)}/versions`, token);
  const revealVersion = (key: string, version: number, token = team.editor.token) =>
    api.post<RevealedSecret>(`${secretPath(org, env, key)}/versions/${version}/reveal`, token);

  it('lists every version after edits, newest first, with who and when, and never a value', async () => {
    const values = await withVersions('HISTORY_LISTED', 3);
    const r = await versionsOf('HISTORY_LISTED');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.key, 'HISTORY_LISTED');
    assert.deepEqual(
      r.body.versions.map((v) => [v.version, v.description, v.createdBy]),
      [
        [3, 'description 3', team.editor.user.name],
        [2, 'description 2', team.editor.user.name],
        [1, 'first description', team.editor.user.name],
      ],
    );
    for (const v of r.body.versions) assert.match(v.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(r.body.versions[0]!.createdAt >= r.body.versions[2]!.createdAt);
    for (const value of values) assert.ok(!r.text.includes(value), 'the version list carries no value');
  });

  it('a description-only update keeps the version it replaced too', async () => {
    await createSecret(api, team.editor.token, org, env, 'HISTORY_DESCRIBED', canary('described'), 'before');
    assert.equal((await api.patch(secretPath(org, env, 'HISTORY_DESCRIBED'), team.editor.token, { description: 'after' })).status, 200);
    const r = await versionsOf('HISTORY_DESCRIBED');
    assert.deepEqual(r.body.versions.map((v) => [v.version, v.description]), [[2, 'after'], [1, 'before']]);
  });

  it('reveals an old version to an Editor and audits it as a reveal naming the version', async () => {
    const values = await withVersions('HISTORY_REVEALED', 3);
    const r = await revealVersion('HISTORY_REVEALED', 1);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { key: 'HISTORY_REVEALED', value: values[0], version: 1 });
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal((await revealVersion('HISTORY_REVEALED', 3)).body.value, values[2], 'the current version is a version too');
    const events = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.reveal' && e.keys.includes('HISTORY_REVEALED'));
    assert.deepEqual(
      events.map((e) => [e.outcome, e.details?.version]).sort(),
      [
        ['allowed', 1],
        ['allowed', 3],
      ],
    );
    for (const e of events) assert.equal(e.actor.name, team.editor.user.name);
    const log = JSON.stringify(await auditEvents(api, team.owner.token, org));
    for (const value of values) assert.ok(!log.includes(value), 'the audit log carries no value');
  });

  it('old versions need the rights of a reveal: a Viewer lists them but is denied their values, an outsider sees nothing', async () => {
    await withVersions('HISTORY_RIGHTS', 2);
    assert.equal((await versionsOf('HISTORY_RIGHTS', team.viewer.token)).status, 200);
    const denied = await revealVersion('HISTORY_RIGHTS', 1, team.viewer.token);
    assert.equal(denied.status, 403, denied.text);
    const outsider = await versionsOf('HISTORY_RIGHTS', team.outsider.token);
    assert.ok(outsider.status === 403 || outsider.status === 404, outsider.text);
    const events = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.reveal' && e.outcome === 'denied' && e.actor.name === team.viewer.user.name);
    assert.ok(events.length >= 1, 'the denied reveal of an old version is audited');
  });

  it('answers 404 SECRET_VERSION_NOT_FOUND for a version never written, SECRET_NOT_FOUND for a missing secret', async () => {
    await withVersions('HISTORY_MISSING', 2);
    assertProblem(await revealVersion('HISTORY_MISSING', 3), 404, 'SECRET_VERSION_NOT_FOUND', 'Version 3 of HISTORY_MISSING is not kept in production');
    assertProblem(await revealVersion('HISTORY_NEVER', 1), 404, 'SECRET_NOT_FOUND');
    assertProblem(await versionsOf('HISTORY_NEVER'), 404, 'SECRET_NOT_FOUND');
    assert.equal((await revealVersion('HISTORY_MISSING', 0)).status, 400);
  });

  it('rolls back without If-Match: a new version with the old value and description, audited as an update naming it', async () => {
    const values = await withVersions('HISTORY_ROLLBACK', 3);
    const r = await api.post<SecretMeta>(`${secretPath(org, env, 'HISTORY_ROLLBACK')}/rollback`, team.editor.token, { version: 1 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 4);
    assert.equal(r.body.description, 'first description');
    assert.equal(r.headers.get('etag'), '"4"');
    assert.ok(!r.text.includes(values[0]!));
    assert.equal(await reveal(api, team.editor.token, org, env, 'HISTORY_ROLLBACK'), values[0]);
    const listed = await versionsOf('HISTORY_ROLLBACK');
    assert.deepEqual(listed.body.versions.map((v) => v.version), [4, 3, 2, 1], 'the rollback replaced version 3 and kept it');
    assert.equal((await revealVersion('HISTORY_ROLLBACK', 3)).body.value, values[2]);
    const updates = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.update' && e.keys.includes('HISTORY_ROLLBACK'));
    assert.deepEqual(updates.map((e) => e.details?.restoredVersion).filter((v) => v !== undefined), [1]);
  });

  it('rolls back with If-Match: the current version succeeds, a stale one is 412 and changes nothing', async () => {
    const values = await withVersions('HISTORY_IF_MATCH', 2);
    const path = `${secretPath(org, env, 'HISTORY_IF_MATCH')}/rollback`;
    assertProblem(await api.post(path, team.editor.token, { version: 1 }, { 'if-match': '"1"' }), 412, 'STALE_VERSION');
    assert.equal(await reveal(api, team.editor.token, org, env, 'HISTORY_IF_MATCH'), values[1]);
    const ok = await api.post<SecretMeta>(path, team.editor.token, { version: 1 }, { 'if-match': '"2"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.version, 3);
    assert.equal(await reveal(api, team.editor.token, org, env, 'HISTORY_IF_MATCH'), values[0]);
  });

  it('refuses a rollback by a Viewer, to the current value (No changes to save), and to a version not kept', async () => {
    await withVersions('HISTORY_ROLLBACK_RULES', 2);
    const path = `${secretPath(org, env, 'HISTORY_ROLLBACK_RULES')}/rollback`;
    assert.equal((await api.post(path, team.viewer.token, { version: 1 })).status, 403);
    assertProblem(await api.post(path, team.editor.token, { version: 2 }), 400, 'NO_CHANGES', 'No changes to save');
    assertProblem(await api.post(path, team.editor.token, { version: 9 }), 404, 'SECRET_VERSION_NOT_FOUND');
    assert.equal((await api.post(path, team.editor.token, {})).status, 400);
    assert.deepEqual((await versionsOf('HISTORY_ROLLBACK_RULES')).body.versions.map((v) => v.version), [2, 1]);
  });

  it("deleting a secret deletes its history for good; a new secret of that name starts again at version 1", async () => {
    const values = await withVersions('HISTORY_DELETED', 3);
    assert.equal((await api.del(secretPath(org, env, 'HISTORY_DELETED'), team.admin.token)).status, 204);
    assertProblem(await versionsOf('HISTORY_DELETED'), 404, 'SECRET_NOT_FOUND');
    assertProblem(await revealVersion('HISTORY_DELETED', 1), 404, 'SECRET_NOT_FOUND');
    const again = canary('recreated');
    await createSecret(api, team.editor.token, org, env, 'HISTORY_DELETED', again);
    const r = await versionsOf('HISTORY_DELETED');
    assert.deepEqual(r.body.versions.map((v) => v.version), [1]);
    assertProblem(await revealVersion('HISTORY_DELETED', 2), 404, 'SECRET_VERSION_NOT_FOUND');
    // Nothing of the deleted versions is left in storage: not even their ciphertexts.
    const kept = await storedVersions('HISTORY_DELETED');
    assert.equal(kept, 0, 'no kept version rows remain');
    const deletions = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.delete' && e.keys.includes('HISTORY_DELETED'));
    assert.equal(deletions.length, 1, 'the audit log keeps the deletion');
    for (const value of values) assert.ok(!JSON.stringify(deletions).includes(value));
  });

  it('refuses a tampered old version like a current one, and audits the refusal', async () => {
    const values = await withVersions('HISTORY_TAMPERED', 3);
    await tamperKeptVersion('HISTORY_TAMPERED', 2);
    const r = await revealVersion('HISTORY_TAMPERED', 2);
    assertProblem(r, 500, 'SECRET_UNREADABLE');
    for (const value of values) assert.ok(!r.text.includes(value));
    assert.ok(!('value' in (r.body as object)));
    const rollback = await api.post(`${secretPath(org, env, 'HISTORY_TAMPERED')}/rollback`, team.editor.token, { version: 2 });
    assertProblem(rollback, 500, 'SECRET_UNREADABLE');
    assert.equal(await reveal(api, team.editor.token, org, env, 'HISTORY_TAMPERED'), values[2], 'the refused rollback changed nothing');
    assert.equal((await revealVersion('HISTORY_TAMPERED', 1)).body.value, values[0], 'untouched versions still open');
    const errors = (await auditEvents(api, team.owner.token, org)).filter((e) => e.outcome === 'error' && e.keys.includes('HISTORY_TAMPERED'));
    assert.deepEqual(errors.map((e) => [e.action, e.details?.version ?? e.details?.restoredVersion]).sort(), [
      ['secret.reveal', 2],
      ['secret.update', 2],
    ]);
  });

  it('the typed client lists versions, reveals an old one and rolls back (with If-Match)', async () => {
    const values = await withVersions('HISTORY_CLIENT', 2);
    const client = new SecretsClient({ baseUrl: server.url, token: team.editor.token, userAgent: 'history-test/1', retries: 0 });
    assert.deepEqual((await client.listSecretVersions(org, env, 'HISTORY_CLIENT')).versions.map((v) => v.version), [2, 1]);
    assert.equal((await client.revealSecretVersion(org, env, 'HISTORY_CLIENT', 1)).value, values[0]);
    await assert.rejects(client.rollbackSecret(org, env, 'HISTORY_CLIENT', 1, { ifMatch: 1 }), (err: unknown) => err instanceof SecretsError && err.code === 'SECRETS_STALE_VERSION');
    const rolled = await client.rollbackSecret(org, env, 'HISTORY_CLIENT', 1, { ifMatch: 2 });
    assert.equal(rolled.version, 3);
    assert.equal((await client.revealSecret(org, env, 'HISTORY_CLIENT')).value, values[0]);
    await assert.rejects(client.revealSecretVersion(org, env, 'HISTORY_CLIENT', 7), (err: unknown) => err instanceof SecretsError && err.code === 'SECRETS_NOT_FOUND');
  });

  it('the bulk reveal accepts KEY@version pins beside current keys, audited as one event naming them as asked', async () => {
    const pinned = await withVersions('HISTORY_PINNED', 3);
    const plain = await withVersions('HISTORY_PLAIN', 2);
    const r = await api.post<BulkReveal>(bulkRevealPath(org, env), team.editor.token, { keys: ['HISTORY_PINNED@2', 'history_plain', 'HISTORY_PINNED_NOT@1', 'HISTORY_PLAIN_X@9'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.secrets.map((s) => [s.key, s.version, s.value]), [
      ['HISTORY_PINNED', 2, pinned[1]],
      ['HISTORY_PLAIN', 2, plain[1]],
    ]);
    assert.deepEqual(r.body.missing, ['HISTORY_PINNED_NOT@1', 'HISTORY_PLAIN_X@9']);
    const missingVersion = await api.post<BulkReveal>(bulkRevealPath(org, env), team.editor.token, { keys: ['HISTORY_PINNED@7'] });
    assert.deepEqual([missingVersion.body.secrets, missingVersion.body.missing], [[], ['HISTORY_PINNED@7']]);
    assertProblem(await api.post(bulkRevealPath(org, env), team.editor.token, { keys: ['HISTORY_PINNED@1', 'HISTORY_PINNED'] }), 400, 'VALIDATION_FAILED');
    assert.equal((await api.post(bulkRevealPath(org, env), team.viewer.token, { keys: ['HISTORY_PINNED@1'] })).status, 403);
    const events = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.bulk_reveal' && e.outcome === 'allowed' && e.keys.includes('HISTORY_PINNED@2'));
    assert.deepEqual(events.map((e) => e.keys), [['HISTORY_PINNED@2', 'HISTORY_PLAIN']]);
  });

  it('refuses a tampered pinned version in the bulk reveal', async () => {
    await withVersions('HISTORY_PIN_TAMPERED', 2);
    await tamperKeptVersion('HISTORY_PIN_TAMPERED', 1);
    assertProblem(await api.post(bulkRevealPath(org, env), team.editor.token, { keys: ['HISTORY_PIN_TAMPERED@1'] }), 500, 'SECRET_UNREADABLE');
  });

  /** Flips one bit of a kept version's ciphertext in the database itself (the attacker with write access but no key). */
  async function tamperKeptVersion(key: string, version: number): Promise<void> {
    if (server.databaseUrl) {
      await queryDatabase(server.databaseUrl, `UPDATE secret_versions SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE key = $1 AND version = $2`, [key, version]);
      return;
    }
    const db = openDb(server.dataDir);
    try {
      const row = db.prepare('SELECT ciphertext FROM secret_versions WHERE key = ? AND version = ?').get(key, version) as { ciphertext: Uint8Array };
      const flipped = Buffer.from(row.ciphertext);
      flipped[0]! ^= 0x01;
      const changed = db.prepare('UPDATE secret_versions SET ciphertext = ? WHERE key = ? AND version = ?').run(flipped, key, version);
      assert.equal(Number(changed.changes), 1);
    } finally {
      db.close();
    }
  }

  async function storedVersions(key: string): Promise<number> {
    if (server.databaseUrl) {
      const rows = await queryDatabase<{ n: string }>(server.databaseUrl, 'SELECT count(*) AS n FROM secret_versions WHERE key = $1', [key]);
      return Number(rows[0]!.n);
    }
    const db = openDb(server.dataDir);
    try {
      return Number((db.prepare('SELECT count(*) AS n FROM secret_versions WHERE key = ?').get(key) as { n: number }).n);
    } finally {
      db.close();
    }
  }
});
