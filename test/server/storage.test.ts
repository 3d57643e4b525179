// The SQLite storage at module level: migrations, durability settings, organization scoping of every
// query, and the audit event sharing the transaction of the change it records.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../../server/storage/sqlite/migrations.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import { AuditWriteError, DuplicateError, VersionConflictError, type AuditInput, type EnvironmentRow } from '../../server/storage/types.ts';

const at = () => new Date().toISOString();
const audit = (action: AuditInput['action'] = 'secret.create'): AuditInput => ({
  time: at(),
  actorType: 'user',
  actorId: 'u1',
  actorName: 'Ada',
  action,
  environment: 'production',
  keys: ['K'],
  outcome: 'allowed',
  ip: '127.0.0.1',
  userAgent: 'test',
});
const blob = (n: number) => new Uint8Array(n).fill(7);

async function seed(storage: SqliteStorage, userId: string, slug: string): Promise<{ orgId: string; env: EnvironmentRow }> {
  const orgId = randomUUID();
  const env = { id: randomUUID(), slug: 'production', name: 'Production', createdAt: at() };
  await storage.createOrg({ id: orgId, slug, name: slug, wrappedKey: blob(60), createdAt: at() }, userId, [env], audit('org.create'));
  return { orgId, env };
}

async function newStorage(): Promise<{ storage: SqliteStorage; dir: string; userId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-storage-'));
  const storage = SqliteStorage.open(dir);
  const userId = randomUUID();
  await storage.createUser(
    { id: userId, name: 'Ada', email: `${userId}@example.test`, instanceAdmin: false, createdAt: at() },
    { id: randomUUID(), kind: 'personal', hash: blob(32).map(() => Math.random() * 255), name: 't', userId, orgId: null, environmentId: null, createdAt: at(), createdBy: 'Ada', expiresAt: null, revokedAt: null, lastUsedAt: null },
  );
  return { storage, dir, userId };
}

const secret = (key: string) => ({ id: randomUUID(), key, description: '', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' });

describe('server storage (SQLite)', () => {
  const open: SqliteStorage[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('applies every migration once, records it, and re-opens without re-applying', async () => {
    const { storage, dir } = await newStorage();
    await storage.close();
    const again = SqliteStorage.open(dir);
    open.push(again);
    const db = new DatabaseSync(join(dir, 'secrets.db'));
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
    assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    db.close();
  });

  it('refuses a database whose schema is newer than the server', async () => {
    const { storage, dir } = await newStorage();
    await storage.close();
    const db = new DatabaseSync(join(dir, 'secrets.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '')").run();
    db.close();
    assert.throws(() => SqliteStorage.open(dir), /newer than this server/);
  });

  it('scopes secrets by organization: another org cannot read, update or delete them even with the right environment id', async () => {
    const { storage, userId } = await newStorage();
    open.push(storage);
    const a = await seed(storage, userId, 'org-a');
    const b = await seed(storage, userId, 'org-b');
    await storage.createSecret(a.orgId, a.env.id, secret('SHARED'), audit());
    assert.equal(await storage.getSecret(b.orgId, a.env.id, 'SHARED'), undefined);
    assert.deepEqual(await storage.listSecrets(b.orgId, a.env.id), []);
    assert.deepEqual((await storage.getSecretsForReveal(b.orgId, a.env.id)).rows, []);
    assert.equal(await storage.deleteSecret(b.orgId, a.env.id, 'SHARED', audit('secret.delete')), false);
    await assert.rejects(
      storage.updateSecret(b.orgId, a.env.id, 'SHARED', { description: 'x', nonce: blob(12), ciphertext: blob(20), expectedVersion: 1, at: at(), by: 'x' }, audit('secret.update')),
      VersionConflictError,
    );
    assert.equal((await storage.getSecret(a.orgId, a.env.id, 'SHARED'))?.version, 1);
    assert.equal(await storage.getEnvironment(b.orgId, 'production').then((e) => e?.id === a.env.id), false);
  });

  it('reports a duplicate key as DuplicateError and a stale expected version as VersionConflictError with the current one', async () => {
    const { storage, userId } = await newStorage();
    open.push(storage);
    const a = await seed(storage, userId, 'org-a');
    await storage.createSecret(a.orgId, a.env.id, secret('K'), audit());
    await assert.rejects(storage.createSecret(a.orgId, a.env.id, secret('K'), audit()), DuplicateError);
    await storage.updateSecret(a.orgId, a.env.id, 'K', { description: 'd', nonce: blob(12), ciphertext: blob(20), expectedVersion: 1, at: at(), by: 'x' }, audit('secret.update'));
    await assert.rejects(
      storage.updateSecret(a.orgId, a.env.id, 'K', { description: 'e', nonce: blob(12), ciphertext: blob(20), expectedVersion: 1, at: at(), by: 'x' }, audit('secret.update')),
      (err: unknown) => err instanceof VersionConflictError && err.current === 2,
    );
  });

  it('writes a change and its audit event in one transaction: when the event cannot be written, the change is not made', async () => {
    const { storage, dir, userId } = await newStorage();
    open.push(storage);
    const a = await seed(storage, userId, 'org-a');
    const db = new DatabaseSync(join(dir, 'secrets.db'));
    db.exec("CREATE TRIGGER audit_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END");
    await assert.rejects(storage.createSecret(a.orgId, a.env.id, secret('NOT_SAVED'), audit()), AuditWriteError);
    assert.equal(await storage.getSecret(a.orgId, a.env.id, 'NOT_SAVED'), undefined);
    await assert.rejects(storage.appendAudit(a.orgId, audit('secret.reveal')), AuditWriteError);
    db.exec('DROP TRIGGER audit_down');
    db.close();
    await storage.createSecret(a.orgId, a.env.id, secret('SAVED'), audit());
    await storage.appendAudit(a.orgId, audit('secret.reveal'));
    const actions = (await storage.listAudit(a.orgId, 10)).map((e) => e.action);
    assert.deepEqual(actions, ['secret.reveal', 'secret.create', 'org.create']);
  });

  it('group-commits concurrent audit events and resolves each only once durable, in order', async () => {
    const { storage, userId } = await newStorage();
    open.push(storage);
    const a = await seed(storage, userId, 'org-a');
    await Promise.all(Array.from({ length: 50 }, (_, i) => storage.appendAudit(a.orgId, { ...audit('secret.reveal'), keys: [`K${i}`] })));
    const events = await storage.listAudit(a.orgId, 100);
    assert.equal(events.filter((e) => e.action === 'secret.reveal').length, 50);
    const page1 = await storage.listAudit(a.orgId, 20);
    const page2 = await storage.listAudit(a.orgId, 20, page1.at(-1)!.seq);
    assert.equal(new Set([...page1, ...page2].map((e) => e.id)).size, 40);
    assert.ok(page1.at(-1)!.seq > page2[0]!.seq);
  });
});
