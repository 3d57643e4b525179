// The audit fails closed and is durable: a reveal whose event cannot be written answers 503 without
// the value, a change whose event cannot be written is not made, and no acknowledged reveal loses its
// event when the server is killed with SIGKILL. (The SIGKILL-during-writes loop for secrets themselves
// is in restart.test.ts.)
// The fail-closed test breaks the SQLite audit table, so it runs on SQLite in the PostgreSQL run too.
import assert from 'node:assert/strict';
import type { AuditEvent, AuditPage } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { call, canary, createSecret, expectCall, openDb, reveal, secretsPath } from './helpers-api.ts';

async function allEvents(server: RunningServer, org: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : '';
    const page: AuditPage = (await expectCall<AuditPage>(server, 200, 'GET', `/v1/orgs/${org}/audit?limit=500${q}`, server.adminToken)).body;
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

describe('server: the audit fails closed and survives SIGKILL', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  afterEach(async () => server?.stop());

  it('answers 503 AUDIT_UNAVAILABLE instead of the value, and makes no change, while audit events cannot be written', async () => {
    server = await startServer({ sqlite: true });
    const value = canary('AUDITED');
    await createSecret(server, 'default', 'production', 'AUDITED', value);
    assert.equal((await reveal(server, 'default', 'production', 'AUDITED')).body.value, value, 'revealed (and cached) before the outage');

    // The outage: every insert into the audit table fails, as on a full or failing disk.
    const db = openDb(server.dataDir);
    db.exec("CREATE TRIGGER audit_outage BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit outage'); END");
    try {
      const single = await reveal(server, 'default', 'production', 'AUDITED');
      assert.equal(single.status, 503, single.text);
      assert.equal(single.body.code, 'AUDIT_UNAVAILABLE');
      assert.ok(!single.text.includes(value));

      const bulk = await call(server, 'POST', '/v1/orgs/default/environments/production/reveal', server.adminToken, {});
      assert.equal(bulk.status, 503, bulk.text);
      assert.ok(!bulk.text.includes(value));

      const created = await call(server, 'POST', secretsPath('default', 'production'), server.adminToken, { key: 'NOT_MADE', value: 'x' });
      assert.equal(created.status, 503, created.text);
      const patched = await call(server, 'PATCH', secretsPath('default', 'production', 'AUDITED'), server.adminToken, { value: 'changed' });
      assert.equal(patched.status, 503, patched.text);
      const deleted = await call(server, 'DELETE', secretsPath('default', 'production', 'AUDITED'), server.adminToken);
      assert.equal(deleted.status, 503, deleted.text);
    } finally {
      db.exec('DROP TRIGGER audit_outage');
      db.close();
    }

    await expectCall(server, 404, 'GET', secretsPath('default', 'production', 'NOT_MADE'), server.adminToken);
    const after = await expectCall<{ version: number }>(server, 200, 'GET', secretsPath('default', 'production', 'AUDITED'), server.adminToken);
    assert.equal(after.body.version, 1, 'neither the update nor the delete happened');
    assert.equal((await reveal(server, 'default', 'production', 'AUDITED')).body.value, value);
    const actions = (await allEvents(server, 'default')).map((e) => e.action);
    assert.deepEqual(actions.slice(0, 3), ['secret.reveal', 'secret.reveal', 'secret.create']);
  });

  it('keeps the audit event of every acknowledged reveal when killed with SIGKILL mid-load', async () => {
    server = await startServer();
    await createSecret(server, 'default', 'production', 'HOT', canary('HOT'));
    const running = server;
    let acknowledged = 0;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const r = await fetch(`${running.url}/v1/orgs/default/environments/production/reveal`, {
          method: 'POST',
          headers: { authorization: `Bearer ${running.adminToken}`, 'content-type': 'application/json' },
          body: '{}',
        }).catch(() => null);
        if (!r) return;
        await r.text().catch(() => undefined);
        if (r.status === 200) acknowledged++;
      }
    };
    const loops = Array.from({ length: 8 }, loop);
    while (acknowledged < 300) await new Promise((r) => setTimeout(r, 10));
    await running.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);

    server = await startServer({ dataDir: running.dataDir });
    const reveals = (await allEvents(server, 'default')).filter((e) => e.action === 'secret.bulk_reveal');
    assert.ok(reveals.length >= acknowledged, `${reveals.length} audit events for ${acknowledged} acknowledged reveals`);
  });
});
