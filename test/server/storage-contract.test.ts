// The Storage contract (server/storage/types.ts), run against both backends: SQLite and PostgreSQL.
// The same cases pin down what the services rely on: duplicates, expected versions, the last-Owner
// rule, organization scoping, environment revisions, the order of listings, audit aggregation.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import { DuplicateError, LastOwnerError, VersionConflictError, type AuditInput, type EnvironmentRow, type Storage, type TokenRow } from '../../server/storage/types.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const at = () => new Date().toISOString();
const audit = (action: AuditInput['action'] = 'secret.create', repeatKey?: string): AuditInput => ({
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
  ...(repeatKey ? { repeatKey } : {}),
});
const blob = (n: number) => new Uint8Array(randomBytes(n));
const secret = (key: string) => ({ id: randomUUID(), key, description: '', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' });
const token = (userId: string | null, kind: 'personal' | 'service' = 'personal'): TokenRow => ({
  id: randomUUID(),
  kind,
  hash: blob(32),
  name: 't',
  userId,
  orgId: null,
  environmentId: null,
  createdAt: at(),
  createdBy: 'Ada',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
});

const backends: { name: string; open: () => Promise<{ storage: Storage; cleanup: () => void }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-contract-sqlite-'));
      return { storage: SqliteStorage.open(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  { name: 'PostgreSQL', open: async () => ({ storage: await PostgresStorage.open(await freshDatabase()), cleanup: () => undefined }) },
];

for (const backend of backends) {
  describe(`server storage contract (${backend.name})`, () => {
    let storage: Storage;
    let cleanup: () => void;
    let userId: string;
    let orgId: string;
    let env: EnvironmentRow;

    async function newUser(email = `${randomUUID()}@example.test`): Promise<string> {
      const id = randomUUID();
      await storage.createUser({ id, name: 'Ada', email, instanceAdmin: false, createdAt: at() }, token(id));
      return id;
    }

    async function newOrg(owner: string): Promise<{ orgId: string; env: EnvironmentRow }> {
      const id = randomUUID();
      const e = { id: randomUUID(), slug: 'production', name: 'Production', createdAt: at() };
      await storage.createOrg({ id, slug: `org-${id.slice(0, 8)}`, name: 'Org', wrappedKey: blob(60), createdAt: at() }, owner, [e], audit('org.create'));
      return { orgId: id, env: e };
    }

    before(async () => {
      ({ storage, cleanup } = await backend.open());
      userId = await newUser();
      ({ orgId, env } = await newOrg(userId));
    });
    after(async () => {
      await storage.close();
      cleanup();
    });

    it('refuses a second user with the same e-mail in another case as DuplicateError', async () => {
      await newUser('Grace@Example.test');
      await assert.rejects(newUser('grace@example.TEST'), DuplicateError);
    });

    it('refuses a taken organization slug and a taken environment slug as DuplicateError', async () => {
      const org = await storage.getOrgById(orgId);
      await assert.rejects(
        storage.createOrg({ id: randomUUID(), slug: org!.slug, name: 'x', wrappedKey: blob(60), createdAt: at() }, userId, [], audit('org.create')),
        DuplicateError,
      );
      await assert.rejects(storage.createEnvironment(orgId, { id: randomUUID(), slug: 'production', name: 'P', createdAt: at() }, audit('environment.create')), DuplicateError);
    });

    it('creates at version 1, refuses a duplicate key, and an update from a stale version reports the current one', async () => {
      const created = await storage.createSecret(orgId, env.id, secret('VERSIONED'), audit());
      assert.equal(created.version, 1);
      await assert.rejects(storage.createSecret(orgId, env.id, secret('VERSIONED'), audit()), DuplicateError);
      const update = { description: 'd', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' };
      assert.equal((await storage.updateSecret(orgId, env.id, 'VERSIONED', { ...update, expectedVersion: 1 }, audit('secret.update'))).version, 2);
      await assert.rejects(storage.updateSecret(orgId, env.id, 'VERSIONED', { ...update, expectedVersion: 1 }, audit('secret.update')), (err: unknown) => {
        assert.ok(err instanceof VersionConflictError);
        assert.equal(err.current, 2);
        return true;
      });
      await assert.rejects(storage.updateSecret(orgId, env.id, 'MISSING', { ...update, expectedVersion: 1 }, audit('secret.update')), (err: unknown) => err instanceof VersionConflictError && err.current === 0);
      assert.equal(await storage.deleteSecret(orgId, env.id, 'VERSIONED', audit('secret.delete')), true);
      assert.equal(await storage.deleteSecret(orgId, env.id, 'VERSIONED', audit('secret.delete')), false);
    });

    it('raises the environment revision with every change and only then, and reads rows together with their revision', async () => {
      const r0 = await storage.environmentRevision(orgId, env.id);
      await storage.createSecret(orgId, env.id, secret('REV'), audit());
      const r1 = await storage.environmentRevision(orgId, env.id);
      assert.ok(r1 > r0);
      const update = { description: 'd', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada', expectedVersion: 1 };
      await storage.updateSecret(orgId, env.id, 'REV', update, audit('secret.update'));
      const r2 = await storage.environmentRevision(orgId, env.id);
      assert.ok(r2 > r1);
      await assert.rejects(storage.updateSecret(orgId, env.id, 'REV', update, audit('secret.update')), VersionConflictError);
      await assert.rejects(storage.createSecret(orgId, env.id, secret('REV'), audit()), DuplicateError);
      assert.equal(await storage.environmentRevision(orgId, env.id), r2, 'refused changes leave the revision');
      const read = await storage.getSecretsForReveal(orgId, env.id);
      assert.equal(read.revision, r2);
      assert.ok(read.rows.some((r) => r.key === 'REV' && r.version === 2));
      await storage.deleteSecret(orgId, env.id, 'REV', audit('secret.delete'));
      assert.ok((await storage.environmentRevision(orgId, env.id)) > r2);
      const named = await storage.getSecretsForReveal(orgId, env.id, ['REV', 'NONE']);
      assert.deepEqual(named.rows, []);
    });

    it('keeps every organization\'s rows to itself, even given another organization\'s environment id', async () => {
      const other = await newOrg(userId);
      await storage.createSecret(orgId, env.id, secret('SCOPED'), audit());
      assert.equal(await storage.getSecret(other.orgId, env.id, 'SCOPED'), undefined);
      assert.deepEqual(await storage.listSecrets(other.orgId, env.id), []);
      assert.deepEqual((await storage.getSecretsForReveal(other.orgId, env.id)).rows, []);
      assert.equal(await storage.deleteSecret(other.orgId, env.id, 'SCOPED', audit('secret.delete')), false);
      assert.equal(await storage.environmentRevision(other.orgId, env.id), 0);
    });

    it('lists keys in byte order, whatever the database\'s collation', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      for (const k of ['A_B', 'AB', 'A1', 'B', 'A']) await storage.createSecret(o, e.id, secret(k), audit());
      assert.deepEqual((await storage.listSecrets(o, e.id)).map((s) => s.key), ['A', 'A1', 'AB', 'A_B', 'B']);
      assert.deepEqual((await storage.getSecretsForReveal(o, e.id)).rows.map((s) => s.key), ['A', 'A1', 'AB', 'A_B', 'B']);
      assert.deepEqual((await storage.listSecrets(o, e.id, 'a')).map((s) => s.key), ['A', 'A1', 'AB', 'A_B']);
    });

    it('refuses to demote or remove the last Owner (LastOwnerError) and allows it while another Owner remains', async () => {
      const { orgId: o } = await newOrg(userId);
      await assert.rejects(storage.removeMember(o, userId, audit('member.remove')), LastOwnerError);
      await assert.rejects(storage.putMember(o, userId, 'admin', at(), audit('member.update')), LastOwnerError);
      const second = await newUser();
      await storage.putMember(o, second, 'owner', at(), audit('member.add'));
      assert.equal(await storage.removeMember(o, userId, audit('member.remove')), true);
      assert.equal(await storage.removeMember(o, userId, audit('member.remove')), false, 'not a member any more');
      assert.equal(await storage.countOwners(o), 1);
      await assert.rejects(storage.removeMember(o, second, audit('member.remove')), LastOwnerError);
    });

    it('records the audit event of a change with it, adds repeats to one event\'s count, and lists newest first', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      await storage.createSecret(o, e.id, secret('AUDITED'), audit());
      await storage.appendAudit(o, audit('secret.reveal', 'repeat-1'));
      await storage.appendAudit(o, audit('secret.reveal', 'repeat-1'));
      await storage.appendAudit(o, audit('secret.bulk_reveal'));
      const events = await storage.listAudit(o, 10);
      assert.deepEqual(events.map((x) => [x.action, x.count]), [['secret.bulk_reveal', 1], ['secret.reveal', 2], ['secret.create', 1], ['org.create', 1]]);
      const older = await storage.listAudit(o, 10, events[1]!.seq);
      assert.deepEqual(older.map((x) => x.action), ['secret.create', 'org.create']);
    });

    it('finds a token by its hash and sees its revocation at once', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      const t = { ...token(null, 'service'), orgId: o, environmentId: e.id };
      await storage.createServiceToken(o, t, audit('token.create'));
      assert.equal((await storage.findTokenByHash(t.hash))?.id, t.id);
      assert.equal(await storage.revokeServiceToken(o, t.id, at(), audit('token.revoke')), true);
      assert.notEqual((await storage.findTokenByHash(t.hash))?.revokedAt, null);
      assert.equal(await storage.revokeServiceToken(o, t.id, at(), audit('token.revoke')), false);
    });

    it('keeps a master-key check once set; a second instance setting its own does not replace it', async () => {
      const first = blob(40);
      if ((await storage.getMasterCheck()) === undefined) await storage.setMasterCheck(first);
      const kept = await storage.getMasterCheck();
      assert.ok(kept);
      if (backend.name === 'PostgreSQL') {
        await storage.setMasterCheck(blob(40));
        assert.deepEqual(Buffer.from((await storage.getMasterCheck())!), Buffer.from(kept));
      }
    });
  });
}
