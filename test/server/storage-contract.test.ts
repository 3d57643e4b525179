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
import {
  BatchWriteError,
  DuplicateError,
  LastOwnerError,
  VersionConflictError,
  type AuditInput,
  type ChallengeRow,
  type EnvironmentRow,
  type OidcPolicyRow,
  type Storage,
  type TokenRow,
} from '../../server/storage/types.ts';
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

/** `peer` opens a second instance on the same database, where a backend allows several. */
type Opened = { storage: Storage; cleanup: () => void; peer?: () => Promise<Storage> };
const backends: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-contract-sqlite-'));
      return { storage: SqliteStorage.open(dir, { changeBacklog: 5 }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const url = await freshDatabase();
      return { storage: await PostgresStorage.open(url, { changeBacklog: 5 }), cleanup: () => undefined, peer: () => PostgresStorage.open(url, { changeBacklog: 5 }) };
    },
  },
];

/** Resolves at the first wake of `environmentId`, rejects after `ms`. */
function nextWake(storage: Storage, environmentId: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no wake within ${ms} ms`));
    }, ms);
    const stop = storage.watchChanges(environmentId, () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

for (const backend of backends) {
  describe(`server storage contract (${backend.name})`, () => {
    let storage: Storage;
    let cleanup: () => void;
    let peer: (() => Promise<Storage>) | undefined;
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
      ({ storage, cleanup, peer } = await backend.open());
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

    it('numbers an environment\'s changes from 1 in commit order, lists them after a number, and keeps only the backlog', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      assert.equal(await storage.latestChange(o, e.id), 0);
      await storage.createSecret(o, e.id, secret('CHANGED'), audit());
      const update = { description: 'd', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Grace', expectedVersion: 1 };
      await storage.updateSecret(o, e.id, 'CHANGED', update, audit('secret.update'));
      await assert.rejects(storage.updateSecret(o, e.id, 'CHANGED', update, audit('secret.update')), VersionConflictError);
      await storage.deleteSecret(o, e.id, 'CHANGED', { ...audit('secret.delete'), actorName: 'Lin' });
      assert.equal(await storage.latestChange(o, e.id), 3, 'a refused change takes no number');
      const changes = await storage.listChanges(o, e.id, 0, 10);
      assert.deepEqual(changes.map((c) => [c.seq, c.kind, c.key, c.version, c.actor]), [
        [1, 'created', 'CHANGED', 1, 'Ada'],
        [2, 'updated', 'CHANGED', 2, 'Grace'],
        [3, 'deleted', 'CHANGED', 2, 'Lin'],
      ]);
      assert.deepEqual((await storage.listChanges(o, e.id, 1, 1)).map((c) => c.seq), [2]);
      assert.deepEqual(await storage.listChanges(orgId, e.id, 0, 10), [], 'another organization sees none');
      for (let i = 0; i < 4; i++) await storage.createSecret(o, e.id, secret(`MORE_${i}`), audit());
      assert.deepEqual((await storage.listChanges(o, e.id, 0, 10)).map((c) => c.seq), [3, 4, 5, 6, 7], 'the newest 5 (the backlog) are kept');
    });

    it('numbers concurrent writers\' changes without gaps or repeats', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      await Promise.all(Array.from({ length: 12 }, (_, i) => storage.createSecret(o, e.id, secret(`PARALLEL_${i}`), audit())));
      assert.equal(await storage.latestChange(o, e.id), 12);
      const seqs = (await storage.listChanges(o, e.id, 7, 10)).map((c) => c.seq);
      assert.deepEqual(seqs, [8, 9, 10, 11, 12]);
    });

    it('wakes the watchers of an environment when its change commits, and only them', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      const other = await newOrg(userId);
      let otherWoken = 0;
      const stop = storage.watchChanges(other.env.id, () => otherWoken++);
      const woken = nextWake(storage, e.id, 5000);
      await storage.createSecret(o, e.id, secret('WAKE'), audit());
      await woken;
      stop();
      assert.equal(otherWoken, 0);
    });

    // One process per SQLite database (its data directory is locked): only PostgreSQL has other instances.
    if (backend.name === 'PostgreSQL') {
      it('wakes a watcher on another instance of the same database within 1 s of the commit', async () => {
        assert.ok(peer);
        const second = await peer();
        try {
          const { orgId: o, env: e } = await newOrg(userId);
          const woken = nextWake(second, e.id, 1000);
          await storage.createSecret(o, e.id, secret('ELSEWHERE'), audit());
          await woken;
          assert.equal(await second.latestChange(o, e.id), 1);
        } finally {
          await second.close();
        }
      });
    }

    if (backend.name === 'PostgreSQL') {
      it('drops a token another instance cached within 1 s when its OIDC policy is deleted or expired minted tokens are pruned', async () => {
        assert.ok(peer);
        const second = await peer();
        try {
          const { orgId: o, env: e } = await newOrg(userId);
          const policy: OidcPolicyRow = {
            id: randomUUID(), name: 'ci', issuer: 'https://issuer.example', audience: 'secrets', environmentId: e.id,
            claims: { repository: 'acme/app' }, ttlSeconds: 300, createdAt: at(), createdBy: 'Ada', updatedAt: at(),
          };
          await storage.createOidcPolicy(o, policy, audit('oidc_policy.create'));
          const minted = { ...token(null, 'service'), orgId: o, environmentId: e.id, oidcPolicyId: policy.id, expiresAt: new Date(Date.now() + 300_000).toISOString() };
          const old = { ...token(null, 'service'), orgId: o, environmentId: e.id, oidcPolicyId: policy.id, expiresAt: '2000-01-01T00:00:00.000Z' };
          await storage.createServiceToken(o, minted, audit('oidc.exchange'));
          await storage.createServiceToken(o, old, audit('oidc.exchange'));
          // The other instance has the tokens cached.
          assert.equal((await second.findTokenByHash(minted.hash))?.revokedAt, null);
          assert.equal((await second.findTokenByHash(old.hash))?.id, old.id);
          const until = async (done: () => Promise<boolean>, since: number) => {
            while (!(await done())) {
              assert.ok(Date.now() - since < 1000, 'the other instance still had the cached row a second later');
              await new Promise((r) => setTimeout(r, 10));
            }
          };
          const prunedAt = Date.now();
          assert.equal(await storage.pruneOidcTokens(o, '2001-01-01T00:00:00.000Z'), 1);
          await until(async () => (await second.findTokenByHash(old.hash)) === undefined, prunedAt);
          const deletedAt = Date.now();
          assert.equal(await storage.deleteOidcPolicy(o, policy.id, at(), audit('oidc_policy.delete')), true);
          await until(async () => (await second.findTokenByHash(minted.hash))?.revokedAt !== null, deletedAt);
        } finally {
          await second.close();
        }
      });
    }

    it('applies a batch all or nothing: every write, its audit event and change, or none, naming the failing write', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      await storage.createSecret(o, e.id, secret('EXISTING'), audit());
      const revision = await storage.environmentRevision(o, e.id);
      const update = { description: 'new', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' };
      await assert.rejects(
        storage.applySecretBatch(o, e.id, [
          { kind: 'create', secret: secret('FRESH'), audit: audit() },
          { kind: 'create', secret: secret('EXISTING'), audit: audit() },
        ]),
        (err: unknown) => err instanceof BatchWriteError && err.index === 1 && err.failure instanceof DuplicateError,
      );
      await assert.rejects(
        storage.applySecretBatch(o, e.id, [
          { kind: 'create', secret: secret('FRESH'), audit: audit() },
          { kind: 'update', key: 'EXISTING', update: { ...update, expectedVersion: 7 }, audit: audit('secret.update') },
        ]),
        (err: unknown) => err instanceof BatchWriteError && err.index === 1 && err.failure instanceof VersionConflictError && err.failure.current === 1,
      );
      assert.deepEqual((await storage.listSecrets(o, e.id)).map((x) => x.key), ['EXISTING'], 'nothing of a failed batch stays');
      assert.equal(await storage.latestChange(o, e.id), 1);
      assert.equal(await storage.environmentRevision(o, e.id), revision);
      const rows = await storage.applySecretBatch(o, e.id, [
        { kind: 'create', secret: secret('FRESH'), audit: audit() },
        { kind: 'update', key: 'EXISTING', update: { ...update, expectedVersion: 1 }, audit: audit('secret.update') },
      ]);
      assert.deepEqual(rows.map((x) => [x.key, x.version, x.description]), [['EXISTING', 2, 'new'], ['FRESH', 1, '']]);
      assert.deepEqual((await storage.listChanges(o, e.id, 1, 10)).map((c) => [c.seq, c.kind, c.key]), [[2, 'created', 'FRESH'], [3, 'updated', 'EXISTING']]);
      assert.ok((await storage.environmentRevision(o, e.id)) > revision);
      const actions = (await storage.listAudit(o, 10)).map((x) => x.action);
      assert.deepEqual(actions.slice(0, 3), ['secret.update', 'secret.create', 'secret.create']);
    });

    it('keeps the version every update and batch update replaces, with its ciphertext, and drops them all with the secret', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      const first = { ...secret('KEPT'), description: 'one', by: 'Ada', at: '2026-01-01T00:00:00.000Z' };
      await storage.createSecret(o, e.id, first, audit());
      const second = { description: 'two', nonce: blob(12), ciphertext: blob(20), at: '2026-01-02T00:00:00.000Z', by: 'Bob', expectedVersion: 1 };
      await storage.updateSecret(o, e.id, 'KEPT', second, audit('secret.update'));
      await assert.rejects(storage.updateSecret(o, e.id, 'KEPT', { ...second, expectedVersion: 1 }, audit('secret.update')), VersionConflictError);
      const third = { description: 'three', nonce: blob(12), ciphertext: blob(20), at: '2026-01-03T00:00:00.000Z', by: 'Cy', expectedVersion: 2 };
      await storage.applySecretBatch(o, e.id, [{ kind: 'update', key: 'KEPT', update: third, audit: audit('secret.update') }]);
      assert.deepEqual(
        (await storage.listSecretVersions(o, e.id, 'KEPT'))!.map((v) => [v.version, v.description, v.createdAt, v.createdBy]),
        [
          [3, 'three', third.at, 'Cy'],
          [2, 'two', second.at, 'Bob'],
          [1, 'one', first.at, 'Ada'],
        ],
        'a stale update keeps nothing',
      );
      const v1 = await storage.getSecretVersion(o, e.id, 'KEPT', 1);
      assert.deepEqual([Buffer.from(v1!.nonce), Buffer.from(v1!.ciphertext), v1!.version, v1!.key, v1!.environmentId], [Buffer.from(first.nonce), Buffer.from(first.ciphertext), 1, 'KEPT', e.id]);
      assert.deepEqual(Buffer.from((await storage.getSecretVersion(o, e.id, 'KEPT', 3))!.ciphertext), Buffer.from(third.ciphertext), 'the current version is one of them');
      assert.equal(await storage.getSecretVersion(o, e.id, 'KEPT', 4), undefined);
      const other = await newOrg(userId);
      assert.equal(await storage.listSecretVersions(other.orgId, e.id, 'KEPT'), undefined, "another organization sees none of them");
      assert.equal(await storage.getSecretVersion(other.orgId, e.id, 'KEPT', 1), undefined);
      await storage.deleteSecret(o, e.id, 'KEPT', audit('secret.delete'));
      assert.equal(await storage.listSecretVersions(o, e.id, 'KEPT'), undefined);
      await storage.createSecret(o, e.id, secret('KEPT'), audit());
      assert.deepEqual((await storage.listSecretVersions(o, e.id, 'KEPT'))!.map((v) => v.version), [1]);
      assert.equal(await storage.getSecretVersion(o, e.id, 'KEPT', 2), undefined, 'nothing of the deleted secret comes back');
    });

    it('keeps when each version of a deleted secret existed, without its value, in the deletion\'s transaction', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      await storage.createSecret(o, e.id, { ...secret('GONE'), at: '2026-01-01T00:00:00.000Z' }, audit());
      await storage.updateSecret(o, e.id, 'GONE', { description: 'd', nonce: blob(12), ciphertext: blob(20), at: '2026-01-02T00:00:00.000Z', by: 'Bob', expectedVersion: 1 }, audit('secret.update'));
      await storage.createSecret(o, e.id, { ...secret('STAYS'), at: '2026-01-03T00:00:00.000Z' }, audit());
      await storage.deleteSecret(o, e.id, 'GONE', { ...audit('secret.delete'), time: '2026-01-04T00:00:00.000Z' });
      const sorted = (await storage.secretTimeline(o, e.id)).map((r) => ({ ...r })).sort((a, b) => (a.key + a.version < b.key + b.version ? -1 : 1));
      assert.deepEqual(sorted, [
        { key: 'GONE', version: 1, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'Ada', deletedAt: '2026-01-04T00:00:00.000Z' },
        { key: 'GONE', version: 2, createdAt: '2026-01-02T00:00:00.000Z', createdBy: 'Bob', deletedAt: '2026-01-04T00:00:00.000Z' },
        { key: 'STAYS', version: 1, createdAt: '2026-01-03T00:00:00.000Z', createdBy: 'Ada', deletedAt: null },
      ]);
      assert.equal(await storage.getSecretVersion(o, e.id, 'GONE', 1), undefined, 'no value of a deleted secret is kept');
    });

    it('applies a batch of an update and a delete with one audit event for the whole, or nothing when a key is gone', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      await storage.createSecret(o, e.id, secret('ROLLED'), audit());
      await storage.createSecret(o, e.id, secret('DROPPED'), audit());
      const before = (await storage.listAudit(o, 100)).length;
      const update = { description: 'then', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada', expectedVersion: 1 };
      await assert.rejects(
        storage.applySecretBatch(o, e.id, [{ kind: 'update', key: 'ROLLED', update }, { kind: 'delete', key: 'NEVER', at: at(), by: 'Ada' }], audit('environment.rollback')),
        (err: unknown) => err instanceof BatchWriteError && err.index === 1 && err.failure instanceof VersionConflictError,
      );
      assert.equal((await storage.listAudit(o, 100)).length, before, 'a failed batch leaves no event');
      assert.equal((await storage.getSecret(o, e.id, 'ROLLED'))!.version, 1);
      const rows = await storage.applySecretBatch(o, e.id, [{ kind: 'update', key: 'ROLLED', update }, { kind: 'delete', key: 'DROPPED', at: at(), by: 'Ada' }], audit('environment.rollback'));
      assert.deepEqual(rows.map((r) => [r.key, r.version]), [['ROLLED', 2]]);
      const events = await storage.listAudit(o, 100);
      assert.equal(events.length, before + 1);
      assert.equal(events[0]!.action, 'environment.rollback');
      assert.deepEqual((await storage.listSecretVersions(o, e.id, 'ROLLED'))!.map((v) => v.version), [2, 1]);
      assert.equal(await storage.listSecretVersions(o, e.id, 'DROPPED'), undefined);
      assert.ok((await storage.secretTimeline(o, e.id)).some((r) => r.key === 'DROPPED' && r.deletedAt !== null));
    });

    it('keeps sessions by hash: reads, touches, deletes, and sweeps the expired and the idle', async () => {
      const hash = blob(32);
      const idle = blob(32);
      await storage.createSession({ hash, userId, tokenId: null, method: 'passkey', createdAt: 1_000, lastSeenAt: 1_000, expiresAt: 100_000 });
      await storage.createSession({ hash: idle, userId, tokenId: null, method: 'passkey', createdAt: 1_000, lastSeenAt: 1_000, expiresAt: 100_000 });
      const read = await storage.getSession(hash);
      assert.deepEqual({ ...read, hash: Buffer.from(read!.hash) }, { hash: Buffer.from(hash), userId, tokenId: null, method: 'passkey', createdAt: 1_000, lastSeenAt: 1_000, expiresAt: 100_000 });
      await storage.touchSession(hash, 5_000);
      assert.equal((await storage.getSession(hash))?.lastSeenAt, 5_000);
      await storage.deleteExpiredSessions(6_000, 2_000);
      assert.equal(await storage.getSession(idle), undefined, 'idle since before 2000');
      assert.ok(await storage.getSession(hash));
      assert.equal(await storage.deleteSession(hash), true);
      assert.equal(await storage.deleteSession(hash), false);
    });

    it('keeps the personal token a session was signed in with, and refuses a second session under the same hash', async () => {
      const t = token(userId);
      await storage.createPersonalToken(t);
      const hash = blob(32);
      await storage.createSession({ hash, userId, tokenId: t.id, method: 'token', createdAt: 1, lastSeenAt: 1, expiresAt: 2 });
      assert.equal((await storage.getSession(hash))?.tokenId, t.id);
      await assert.rejects(storage.createSession({ hash, userId, tokenId: t.id, method: 'token', createdAt: 1, lastSeenAt: 1, expiresAt: 2 }));
    });

    it('accepts an invitation once, adding the member (and a new user with a passkey), and never after revocation', async () => {
      const { orgId: o } = await newOrg(userId);
      const invitation = (email: string) => ({
        id: randomUUID(), orgId: o, email, role: 'editor' as const, hash: blob(32), createdAt: at(), createdBy: 'Ada',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(), acceptedAt: null, acceptedBy: null, revokedAt: null,
      });
      const first = invitation('new@example.test');
      const second = invitation('late@example.test');
      await storage.createInvitation(first, audit('invitation.create'));
      await storage.createInvitation(second, audit('invitation.create'));
      assert.deepEqual((await storage.listInvitations(o)).map((i) => i.id).sort(), [first.id, second.id].sort());
      assert.equal((await storage.getInvitationByHash(first.hash))?.email, 'new@example.test');
      const user = { id: randomUUID(), name: 'New', email: 'New@Example.test', instanceAdmin: false, createdAt: at() };
      const passkey = { id: `cred-${randomUUID()}`, userId: user.id, name: 'Key', publicKey: blob(77), counter: 0, transports: '[]', createdAt: at(), lastUsedAt: null };
      assert.equal(await storage.acceptInvitation(first, user, { passkey }, at(), audit('invitation.accept')), true);
      assert.equal(await storage.acceptInvitation(first, user, null, at(), audit('invitation.accept')), false, 'used up');
      assert.equal((await storage.getMember(o, user.id))?.role, 'editor');
      assert.equal((await storage.getUserByEmail('new@EXAMPLE.test'))?.id, user.id);
      assert.equal((await storage.getPasskey(passkey.id))?.userId, user.id);
      assert.equal(await storage.revokeInvitation(o, second.id, at(), audit('invitation.revoke')), true);
      assert.equal(await storage.revokeInvitation(o, second.id, at(), audit('invitation.revoke')), false);
      assert.equal(await storage.acceptInvitation(second, user, null, at(), audit('invitation.accept')), false, 'revoked');
      assert.deepEqual(await storage.listInvitations(o), []);
    });

    it('keeps passkeys per user: a duplicate credential is refused, renames and uses are stored, deletes are scoped', async () => {
      const id = `cred-${randomUUID()}`;
      const publicKey = blob(77);
      await storage.createPasskey({ id, userId, name: 'Laptop', publicKey, counter: 3, transports: '["usb"]', createdAt: at(), lastUsedAt: null });
      await assert.rejects(storage.createPasskey({ id, userId, name: 'Again', publicKey, counter: 0, transports: '[]', createdAt: at(), lastUsedAt: null }), DuplicateError);
      const other = await newUser();
      assert.equal(await storage.renamePasskey(other, id, 'Stolen'), false);
      assert.equal(await storage.renamePasskey(userId, id, 'Work laptop'), true);
      await storage.usePasskey(id, 9, '2030-01-01T00:00:00.000Z');
      const [key] = await storage.listPasskeys(userId);
      assert.deepEqual([key!.name, key!.counter, key!.lastUsedAt, key!.transports], ['Work laptop', 9, '2030-01-01T00:00:00.000Z', '["usb"]']);
      assert.deepEqual(Buffer.from(key!.publicKey), Buffer.from(publicKey));
      assert.equal(await storage.deletePasskey(other, id), false);
      assert.equal(await storage.deletePasskey(userId, id), true);
      assert.deepEqual(await storage.listPasskeys(userId), []);
    });

    it('keeps OIDC policies per organization; deleting one revokes its minted tokens, and expired minted tokens are pruned', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      const policy: OidcPolicyRow = {
        id: randomUUID(), name: 'deploy', issuer: 'https://issuer.example', audience: 'secrets', environmentId: e.id,
        claims: { repository: 'acme/app', ref: 'refs/heads/*' }, ttlSeconds: 300, createdAt: at(), createdBy: 'Ada', updatedAt: at(), workspaceId: null,
      };
      await storage.createOidcPolicy(o, policy, audit('oidc_policy.create'));
      await assert.rejects(storage.createOidcPolicy(o, { ...policy, id: randomUUID() }, audit('oidc_policy.create')), DuplicateError);
      assert.equal(await storage.updateOidcPolicy(o, { ...policy, ttlSeconds: 600 }, audit('oidc_policy.update')), true);
      assert.deepEqual(await storage.getOidcPolicy(o, policy.id), { ...policy, ttlSeconds: 600 });
      assert.equal(await storage.getOidcPolicy(orgId, policy.id), undefined);
      const workflow = { repository: 'acme/app', workflow: 'deploy', runId: '42' };
      const minted = { ...token(null, 'service'), orgId: o, environmentId: e.id, oidcPolicyId: policy.id, workflow, expiresAt: new Date(Date.now() + 300_000).toISOString() };
      const expired = { ...token(null, 'service'), orgId: o, environmentId: e.id, oidcPolicyId: policy.id, workflow, expiresAt: '2000-01-01T00:00:00.000Z' };
      await storage.createServiceToken(o, minted, audit('oidc.exchange'));
      await storage.createServiceToken(o, expired, audit('oidc.exchange'));
      const found = await storage.findTokenByHash(minted.hash);
      assert.deepEqual([found?.oidcPolicyId, found?.workflow], [policy.id, workflow]);
      assert.deepEqual(await storage.listServiceTokens(o), [], 'minted tokens are not listed as service tokens');
      assert.equal(await storage.pruneOidcTokens(o, '2001-01-01T00:00:00.000Z'), 1);
      assert.equal(await storage.findTokenByHash(expired.hash), undefined);
      assert.equal(await storage.deleteOidcPolicy(o, policy.id, at(), audit('oidc_policy.delete')), true);
      assert.notEqual((await storage.findTokenByHash(minted.hash))?.revokedAt, null);
      assert.deepEqual(await storage.listOidcPolicies(o), []);
    });

    it('stores audit details and filters events by time, actor, action family, key, environment and outcome, before or after an event', async () => {
      const { orgId: o } = await newOrg(userId);
      const details = { workflow: { repository: 'acme/app', source: 'verified' as const }, policy: { id: 'p1', name: 'deploy' } };
      await storage.appendAudit(o, { ...audit('secret.reveal'), keys: ['API_KEY'], time: '2030-01-01T00:00:00.000Z', details });
      await storage.appendAudit(o, { ...audit('secret.update'), keys: ['OTHER'], time: '2030-01-02T00:00:00.000Z', actorName: 'Grace', environment: 'staging' });
      await storage.appendAudit(o, { ...audit('token.create'), keys: [], time: '2030-01-03T00:00:00.000Z', outcome: 'denied' });
      const all = await storage.listAudit(o, 10);
      const revealed = all.find((x) => x.action === 'secret.reveal');
      assert.deepEqual(revealed?.details, details);
      assert.equal(all.find((x) => x.action === 'token.create')?.details, undefined);
      const f = async (filter: Parameters<Storage['listAudit']>[3]) => (await storage.listAudit(o, 10, undefined, filter)).map((x) => x.action);
      assert.deepEqual(await f({ action: 'secret' }), ['secret.update', 'secret.reveal']);
      assert.deepEqual(await f({ action: 'secret.reveal' }), ['secret.reveal']);
      assert.deepEqual(await f({ action: 'secre' }), [], 'a family is a whole prefix');
      assert.deepEqual(await f({ actor: 'GRACE' }), ['secret.update']);
      assert.deepEqual(await f({ key: 'API_KEY' }), ['secret.reveal']);
      assert.deepEqual(await f({ environment: 'staging' }), ['secret.update']);
      assert.deepEqual(await f({ outcome: 'denied' }), ['token.create']);
      assert.deepEqual(await f({ since: '2030-01-02T00:00:00.000Z', until: '2030-01-02T23:00:00.000Z' }), ['secret.update']);
      assert.deepEqual(await f({ action: 'secret', since: '2030-01-02T00:00:00.000Z' }), ['secret.update']);
      const after = await storage.listAuditAfter(o, 10, revealed!.id);
      assert.deepEqual(after?.map((x) => x.action), ['secret.update', 'token.create']);
      assert.deepEqual((await storage.listAuditAfter(o, 10, revealed!.id, { outcome: 'denied' }))?.map((x) => x.action), ['token.create']);
      assert.equal(await storage.listAuditAfter(orgId, 10, revealed!.id), undefined, 'an event of another organization is unknown');
    });

    it('prunes versions replaced before the cutoff beyond the newest minVersions, and deleted secrets\' metadata deleted before it, auditing each environment once', async () => {
      const { orgId: o, env: e } = await newOrg(userId);
      const staging = { id: randomUUID(), slug: 'staging', name: 'Staging', createdAt: at() };
      await storage.createEnvironment(o, staging, audit('environment.create'));
      const day = (d: string) => `2026-${d}T00:00:00.000Z`;
      const history = async (envId: string, key: string, times: string[]) => {
        await storage.createSecret(o, envId, { ...secret(key), at: times[0]! }, audit());
        for (let i = 1; i < times.length; i++) {
          await storage.updateSecret(o, envId, key, { description: '', nonce: blob(12), ciphertext: blob(20), at: times[i]!, by: 'Bob', expectedVersion: i }, audit('secret.update'));
        }
      };
      // Cutoff 02-01, keep 2: OLD's v1–v3 were replaced before it (v4 is one of the newest two).
      await history(e.id, 'OLD', [day('01-01'), day('01-02'), day('01-03'), day('01-04'), day('03-01')]);
      // MIXED's v1 was replaced on 01-20 (goes); v2 was replaced after the cutoff (stays).
      await history(e.id, 'MIXED', [day('01-01'), day('01-20'), day('02-15')]);
      // RECENT's versions were all replaced after the cutoff: the window keeps them all.
      await history(e.id, 'RECENT', [day('01-01'), day('02-10'), day('02-11'), day('02-12')]);
      // FEW has no more versions than the minimum.
      await history(e.id, 'FEW', [day('01-01'), day('01-02')]);
      await history(e.id, 'GONE_EARLY', [day('01-01'), day('01-02')]);
      await storage.deleteSecret(o, e.id, 'GONE_EARLY', { ...audit('secret.delete'), time: day('01-05') });
      await history(e.id, 'GONE_LATE', [day('01-01')]);
      await storage.deleteSecret(o, e.id, 'GONE_LATE', { ...audit('secret.delete'), time: day('02-05') });
      await history(staging.id, 'STAGED', [day('01-01'), day('01-02'), day('01-03')]);
      const other = await newOrg(userId);
      await storage.createSecret(other.orgId, other.env.id, { ...secret('OLD'), at: day('01-01') }, audit());
      for (let v = 1; v <= 3; v++) {
        await storage.updateSecret(other.orgId, other.env.id, 'OLD', { description: '', nonce: blob(12), ciphertext: blob(20), at: day(`01-0${v + 1}`), by: 'Bob', expectedVersion: v }, audit('secret.update'));
      }

      const events: string[] = [];
      const pruned = await storage.pruneHistory(o, day('02-01'), 2, (p) => {
        events.push(p.environment);
        return { ...audit('secret.history_pruned'), actorType: 'system', actorName: 'retention', environment: p.environment, keys: [p.environment], details: { pruned: p.versions, prunedDeleted: p.deleted } };
      });
      assert.deepEqual(
        pruned.map((p) => ({ environment: p.environment, versions: p.versions, deleted: p.deleted })),
        [
          { environment: 'production', versions: [{ key: 'MIXED', versions: 1 }, { key: 'OLD', versions: 3 }], deleted: [{ key: 'GONE_EARLY', versions: 2 }] },
          { environment: 'staging', versions: [{ key: 'STAGED', versions: 1 }], deleted: [] },
        ],
      );
      assert.deepEqual(pruned.map((p) => p.environmentId), [e.id, staging.id]);
      const versions = async (envId: string, key: string) => (await storage.listSecretVersions(o, envId, key))!.map((v) => v.version);
      assert.deepEqual(await versions(e.id, 'OLD'), [5, 4]);
      assert.deepEqual(await versions(e.id, 'MIXED'), [3, 2]);
      assert.deepEqual(await versions(e.id, 'RECENT'), [4, 3, 2, 1]);
      assert.deepEqual(await versions(e.id, 'FEW'), [2, 1]);
      assert.deepEqual(await versions(staging.id, 'STAGED'), [3, 2]);
      assert.equal(await storage.getSecretVersion(o, e.id, 'OLD', 3), undefined);
      const deletedKeys = (await storage.secretTimeline(o, e.id)).filter((r) => r.deletedAt !== null).map((r) => r.key);
      assert.deepEqual(deletedKeys, ['GONE_LATE']);
      assert.equal((await storage.listSecretVersions(other.orgId, other.env.id, 'OLD'))!.length, 4, "another organization's history is untouched");
      const logged = (await storage.listAudit(o, 50)).filter((x) => x.action === 'secret.history_pruned');
      assert.deepEqual(logged.map((x) => [x.environment, x.actorType, x.actorName]).sort(), [['production', 'system', 'retention'], ['staging', 'system', 'retention']]);
      assert.deepEqual(logged.find((x) => x.environment === 'staging')?.details, { pruned: [{ key: 'STAGED', versions: 1 }], prunedDeleted: [] });
      assert.deepEqual(events, ['production', 'staging']);
      assert.deepEqual(await storage.pruneHistory(o, day('02-01'), 2, () => assert.fail('nothing left to prune, nothing to audit')), []);
    });

    it('keeps an organization\'s history retention, and audits setting it in the same transaction', async () => {
      const { orgId: o } = await newOrg(userId);
      assert.equal(await storage.getHistoryRetention(o), undefined);
      const set = { days: 30, minVersions: 3, updatedAt: '2030-01-01T00:00:00.000Z', updatedBy: 'Ada' };
      await storage.setHistoryRetention(o, set, audit('history_retention.update'));
      await storage.setHistoryRetention(o, { ...set, days: 7 }, audit('history_retention.update'));
      assert.deepEqual({ ...(await storage.getHistoryRetention(o)) }, { ...set, days: 7 });
      assert.equal(await storage.getHistoryRetention(orgId), undefined, 'per organization');
      assert.equal((await storage.listAudit(o, 50)).filter((x) => x.action === 'history_retention.update').length, 2);
    });

    it('remembers an exchanged OIDC token (issuer and jti) until it expires, then forgets it', async () => {
      const jti = randomUUID();
      const iss = 'https://issuer.example';
      assert.equal(await storage.useOidcToken(iss, jti, '2030-01-01T00:05:30.000Z', '2030-01-01T00:00:00.000Z'), true);
      assert.equal(await storage.useOidcToken(iss, jti, '2030-01-01T00:05:30.000Z', '2030-01-01T00:01:00.000Z'), false, 'a second use is refused');
      assert.equal(await storage.useOidcToken(iss, jti, '2030-01-01T00:05:30.000Z', '2030-01-01T00:05:30.000Z'), false, 'still remembered at its expiry');
      assert.equal(await storage.useOidcToken('https://other.example', jti, '2030-01-01T00:05:30.000Z', '2030-01-01T00:01:00.000Z'), true, 'per issuer');
      // Any use after the expiry forgets it (the token itself is refused as expired by then).
      assert.equal(await storage.useOidcToken(iss, randomUUID(), '2030-01-01T00:20:00.000Z', '2030-01-01T00:05:31.000Z'), true);
      assert.equal(await storage.useOidcToken(iss, jti, '2030-01-01T00:20:00.000Z', '2030-01-01T00:05:31.000Z'), true, 'forgotten after its expiry');
    });

    if (backend.name === 'PostgreSQL') {
      it('lets exactly one of several instances exchanging one OIDC token at once record it', async () => {
        assert.ok(peer);
        const second = await peer();
        try {
          const jti = randomUUID();
          const uses = await Promise.all(
            Array.from({ length: 12 }, (_, i) => (i % 2 ? second : storage).useOidcToken('https://issuer.example', jti, '2030-01-01T00:05:30.000Z', '2030-01-01T00:00:00.000Z')),
          );
          assert.equal(uses.filter(Boolean).length, 1, JSON.stringify(uses));
        } finally {
          await second.close();
        }
      });
    }

    it('gives a WebAuthn challenge to one take only, forgets those expired when one is put, and keeps at most the bound', async () => {
      const t0 = Date.parse('2030-01-01T00:00:00Z');
      const challenge = (expiresAt: number, data: Record<string, string> = {}): ChallengeRow => ({ hash: blob(32), purpose: 'invite', subject: 'invitation:c', data, expiresAt });
      const once = challenge(t0 + 1000, { userId: 'u-new', name: 'Pat' });
      await storage.putChallenge(once, t0, 100);
      const taken = await storage.takeChallenge(once.hash);
      assert.deepEqual({ ...taken, hash: Buffer.from(taken!.hash) }, { ...once, hash: Buffer.from(once.hash) });
      assert.equal(await storage.takeChallenge(once.hash), undefined, 'taken once');

      const expiring = challenge(t0 + 1000);
      const living = challenge(t0 + 1001);
      await storage.putChallenge(expiring, t0, 100);
      await storage.putChallenge(living, t0, 100);
      await storage.putChallenge(challenge(t0 + 5000), t0 + 1000, 100);
      assert.equal(await storage.takeChallenge(expiring.hash), undefined, 'expired at the put\'s now: forgotten');
      assert.ok(await storage.takeChallenge(living.hash), 'not yet expired: kept');

      const many = Array.from({ length: 9 }, () => challenge(t0 + 9000));
      for (const c of many) await storage.putChallenge(c, t0, 4);
      const left = await Promise.all(many.map(async (c) => (await storage.takeChallenge(c.hash)) !== undefined));
      assert.deepEqual(left, [false, false, false, false, false, true, true, true, true], 'the newest four are kept');
    });

    if (backend.name === 'PostgreSQL') {
      it('gives a WebAuthn challenge to exactly one of several instances taking it at once', async () => {
        assert.ok(peer);
        const second = await peer();
        try {
          const hash = blob(32);
          await storage.putChallenge({ hash, purpose: 'sign-in', subject: '', data: {}, expiresAt: Date.parse('2030-01-01T00:05:00Z') }, Date.parse('2030-01-01T00:00:00Z'), 100);
          const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? second : storage).takeChallenge(hash)));
          assert.equal(takes.filter((t) => t !== undefined).length, 1);
        } finally {
          await second.close();
        }
      });
    }

    it('answers a readiness ping once migrated', async () => {
      await storage.ping();
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
