// The audit trail's order on PostgreSQL (server/storage/postgres/audit-insert.ts): an organization's
// events are numbered in commit order across instances, so reading "after" an event never passes one
// that commits later; a trail recorded before the numbering (schema version 10) is numbered in its
// old order when the migration runs, and new events follow it.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { PG_MIGRATIONS } from '../../server/storage/postgres/migrations.ts';
import { PostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import type { AuditInput } from '../../server/storage/types.ts';
import { connectDatabase, freshDatabase } from '../helpers/postgres.ts';

const at = () => new Date().toISOString();
const audit = (action: AuditInput['action'], keys: string[] = []): AuditInput => ({
  time: at(), actorType: 'user', actorId: 'u1', actorName: 'Ada', action, environment: 'production', keys, outcome: 'allowed', ip: '127.0.0.1', userAgent: 'test',
});
const blob = (n: number) => new Uint8Array(randomBytes(n));

describe('server: audit order on PostgreSQL', function () {
  this.timeout(60_000);

  it('numbers an organization\'s events in commit order across instances: an event whose transaction began first but commits later comes after one read before it', async () => {
    const url = await freshDatabase();
    const first = await PostgresStorage.open(url);
    const second = await PostgresStorage.open(url);
    const lock = await connectDatabase(url);
    let writing: Promise<unknown> | undefined;
    try {
      const userId = randomUUID();
      await first.createUser({ id: userId, name: 'Ada', email: `${userId}@example.test`, instanceAdmin: false, createdAt: at() }, {
        id: randomUUID(), kind: 'personal', hash: blob(32), name: 't', userId, orgId: null, environmentId: null, createdAt: at(), createdBy: 'Ada',
        expiresAt: null, revokedAt: null, lastUsedAt: null,
      });
      const orgId = randomUUID();
      const envId = randomUUID();
      await first.createOrg({ id: orgId, slug: `org-${orgId.slice(0, 8)}`, name: 'Org', wrappedKey: blob(60), createdAt: at() }, userId, [
        { id: envId, slug: 'production', name: 'Production', createdAt: at() },
      ], audit('org.create'));
      const [created] = await first.listAudit(orgId, 1);

      // The environment's row is held: the batch (an import) through `first` writes its first key and
      // that key's audit event, then waits to number the key's change.
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM environments WHERE id = $1 FOR NO KEY UPDATE', [envId]);
      writing = first.applySecretBatch(orgId, envId, [
        { kind: 'create', secret: { id: randomUUID(), key: 'HELD', description: '', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' }, audit: audit('secret.create', ['HELD']) },
      ]);
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((r) => setTimeout(r, 20));
        const { rows } = await lock.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        waiting = rows[0]!.n;
      }
      // Meanwhile another instance records a reveal (group commit), and a reader sees it.
      await second.appendAudit(orgId, audit('secret.reveal', ['OTHER']));
      const seen = (await second.listAuditAfter(orgId, 10, created!.id))!;
      assert.deepEqual(seen.map((e) => e.action), ['secret.reveal']);

      await lock.query('ROLLBACK');
      await writing;
      const later = (await second.listAuditAfter(orgId, 10, seen[0]!.id))!;
      assert.deepEqual(later.map((e) => `${e.action}:${e.keys.join(',')}`), ['secret.create:HELD'], 'the held write\'s event comes after the reveal read before it');
      assert.deepEqual((await second.listAudit(orgId, 10)).map((e) => e.action), ['secret.create', 'secret.reveal', 'org.create']);
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await writing?.catch(() => undefined);
      await lock.end();
      await second.close();
      await first.close();
    }
  });

  it('numbers a trail recorded before the numbering per organization in its old order when migrating, and new events follow it', async () => {
    const url = await freshDatabase();
    const db = await connectDatabase(url);
    try {
      await db.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const m of PG_MIGRATIONS.filter((m) => m.version <= 10)) {
        await db.query(m.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, at()]);
      }
      for (const [id, org] of [['a1', 'org-a'], ['b1', 'org-b'], ['a2', 'org-a'], ['b2', 'org-b'], ['a3', 'org-a']]) {
        await db.query(`INSERT INTO audit_events (id, org_id, time, actor_type, action, keys, outcome, ip) VALUES ($1, $2, $3, 'user', 'secret.reveal', '[]', 'allowed', '::1')`, [id, org, at()]);
      }
    } finally {
      await db.end();
    }
    const storage = await PostgresStorage.open(url);
    try {
      assert.deepEqual((await storage.listAudit('org-a', 10)).map((e) => e.id), ['a3', 'a2', 'a1']);
      assert.deepEqual((await storage.listAuditAfter('org-b', 10, 'b1'))!.map((e) => e.id), ['b2']);
      await storage.appendAudit('org-a', audit('secret.reveal'));
      await storage.appendAudit('org-c', audit('org.create'));
      const after = (await storage.listAuditAfter('org-a', 10, 'a3'))!;
      assert.equal(after.length, 1);
      assert.deepEqual((await storage.listAudit('org-a', 10)).map((e) => e.id).slice(1), ['a3', 'a2', 'a1']);
      assert.equal((await storage.listAudit('org-c', 10)).length, 1);
    } finally {
      await storage.close();
    }
  });
});
