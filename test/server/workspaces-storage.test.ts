// The workspace part of the Storage contract (server/storage/types.ts), run against both backends:
// workspace secrets are rows of their own workspace only, an organization secret's `workspaces` change
// keeps its version and raises the revision, a deletion takes the workspace's rows and streams and
// refuses while an organization secret is limited to it alone, and nothing is written to a workspace
// deleted meanwhile.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import { MemberOwnsWorkspacesError, OwnerNotMemberError, WorkspaceGoneError, WorkspaceInUseError, type AuditInput, type EnvironmentRow, type Storage, type TokenRow, type WorkspaceRow } from '../../server/storage/types.ts';
import { freshDatabase } from '../helpers/postgres.ts';

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
const blob = (n: number) => new Uint8Array(randomBytes(n));
const secret = (key: string, workspaces?: string[]) => ({ id: randomUUID(), key, description: '', ...(workspaces && { workspaces }), nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' });

const backends: { name: string; open: () => Promise<{ storage: Storage; cleanup: () => void }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-ws-storage-'));
      return { storage: SqliteStorage.open(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => ({ storage: await PostgresStorage.open(await freshDatabase()), cleanup: () => undefined }),
  },
];

for (const backend of backends) {
  describe(`server storage contract, workspaces (${backend.name})`, () => {
    let storage: Storage;
    let cleanup: () => void;
    let userId: string;
    let orgId: string;
    let env: EnvironmentRow;

    const newWorkspace = async (slug = `ws-${randomUUID().slice(0, 8)}`): Promise<WorkspaceRow> => {
      const w: WorkspaceRow = { id: randomUUID(), slug, name: slug, ownerId: userId, ownerName: 'Ada', createdAt: at(), createdBy: 'Ada' };
      await storage.createWorkspace(orgId, w, audit('workspace.create'));
      return w;
    };

    before(async () => {
      ({ storage, cleanup } = await backend.open());
      userId = randomUUID();
      const t: TokenRow = { id: randomUUID(), kind: 'personal', hash: blob(32), name: 't', userId, orgId: null, environmentId: null, createdAt: at(), createdBy: 'Ada', expiresAt: null, revokedAt: null, lastUsedAt: null };
      await storage.createUser({ id: userId, name: 'Ada', email: `${userId}@example.test`, instanceAdmin: false, createdAt: at() }, t);
      orgId = randomUUID();
      env = { id: randomUUID(), slug: 'production', name: 'Production', createdAt: at() };
      await storage.createOrg({ id: orgId, slug: `org-${orgId.slice(0, 8)}`, name: 'Org', wrappedKey: blob(60), createdAt: at() }, userId, [env], audit('org.create'));
    });
    after(async () => {
      await storage.close();
      cleanup();
    });

    it('refuses to remove a member who owns workspaces (MemberOwnsWorkspacesError naming them) and removes them once those have another owner', async () => {
      const alice = randomUUID();
      const t: TokenRow = { id: randomUUID(), kind: 'personal', hash: blob(32), name: 't', userId: alice, orgId: null, environmentId: null, createdAt: at(), createdBy: 'Ada', expiresAt: null, revokedAt: null, lastUsedAt: null };
      await storage.createUser({ id: alice, name: 'Alice', email: `${alice}@example.test`, instanceAdmin: false, createdAt: at() }, t);
      await storage.putMember(orgId, alice, 'editor', at(), audit('member.add'));
      const owned = (slug: string): WorkspaceRow => ({ id: randomUUID(), slug, name: slug, ownerId: alice, ownerName: 'Alice', createdAt: at(), createdBy: 'Ada' });
      const search = owned(`search-${alice.slice(0, 8)}`);
      const billing = owned(`billing-${alice.slice(0, 8)}`);
      await storage.createWorkspace(orgId, search, audit('workspace.create'));
      await storage.createWorkspace(orgId, billing, audit('workspace.create'));

      await assert.rejects(
        storage.removeMember(orgId, alice, audit('member.remove')),
        (err: unknown) => err instanceof MemberOwnsWorkspacesError && err.workspaces.join() === `${billing.slug},${search.slug}`,
      );
      assert.equal((await storage.getMember(orgId, alice))?.role, 'editor', 'still a member');
      await storage.updateWorkspace(orgId, { ...billing, ownerId: userId }, audit('workspace.update'));
      await assert.rejects(storage.removeMember(orgId, alice, audit('member.remove')), (err: unknown) => err instanceof MemberOwnsWorkspacesError && err.workspaces.join() === search.slug);
      await storage.updateWorkspace(orgId, { ...search, ownerId: userId }, audit('workspace.update'));
      assert.equal(await storage.removeMember(orgId, alice, audit('member.remove')), true);
      assert.equal(await storage.getMember(orgId, alice), undefined);
    });

    it('refuses a workspace (new, or handed over) whose owner is not a member (OwnerNotMemberError), and still renames one whose owner is', async () => {
      const stranger = randomUUID();
      const w: WorkspaceRow = { id: randomUUID(), slug: `stray-${stranger.slice(0, 8)}`, name: 'Stray', ownerId: stranger, ownerName: 'Nobody', createdAt: at(), createdBy: 'Ada' };
      await assert.rejects(storage.createWorkspace(orgId, w, audit('workspace.create')), OwnerNotMemberError);
      assert.equal(await storage.getWorkspace(orgId, w.slug), undefined);
      const mine = await newWorkspace();
      await assert.rejects(storage.updateWorkspace(orgId, { ...mine, ownerId: stranger }, audit('workspace.update')), OwnerNotMemberError);
      assert.equal((await storage.getWorkspace(orgId, mine.slug))?.ownerId, userId);
      assert.equal(await storage.updateWorkspace(orgId, { ...mine, name: 'Renamed' }, audit('workspace.update')), true);
    });

    it('keeps a workspace\'s secrets apart from the organization\'s and from other workspaces\', and lists workspaces by slug with the owner\'s name', async () => {
      const a = await newWorkspace('b-second');
      const b = await newWorkspace('a-first');
      assert.deepEqual((await storage.listWorkspaces(orgId)).map((w) => w.slug).slice(0, 2), ['a-first', 'b-second']);
      assert.deepEqual({ ...(await storage.getWorkspace(orgId, a.slug)) }, a);
      await storage.createSecret(orgId, env.id, secret('SAME'), audit());
      await storage.createSecret(orgId, env.id, secret('SAME'), audit(), a.id);
      await storage.createSecret(orgId, env.id, secret('ONLY_A'), audit(), a.id);
      assert.deepEqual((await storage.listSecrets(orgId, env.id)).map((r) => [r.key, r.workspaceId]), [['SAME', '']]);
      assert.deepEqual((await storage.listSecrets(orgId, env.id, undefined, a.id)).map((r) => [r.key, r.workspaceId, r.workspaces]), [['ONLY_A', a.id, []], ['SAME', a.id, []]]);
      assert.deepEqual(await storage.listSecrets(orgId, env.id, undefined, b.id), []);
      assert.equal(await storage.getSecret(orgId, env.id, 'ONLY_A'), undefined);
      assert.equal((await storage.getSecretsForReveal(orgId, env.id, ['ONLY_A', 'SAME'], a.id)).rows.length, 2);
    });

    it('changes an organization secret\'s workspaces without a new version, raising the revision; a workspace secret never has any', async () => {
      await storage.createSecret(orgId, env.id, secret('SCOPED', ['x-one']), audit());
      assert.deepEqual((await storage.getSecret(orgId, env.id, 'SCOPED'))!.workspaces, ['x-one']);
      const before = await storage.environmentRevision(orgId, env.id);
      const row = await storage.setSecretWorkspaces(orgId, env.id, 'SCOPED', ['x-one', 'x-two'], audit('secret.update'));
      assert.deepEqual([row?.version, row?.workspaces], [1, ['x-one', 'x-two']]);
      assert.ok((await storage.environmentRevision(orgId, env.id)) > before);
      assert.equal(await storage.setSecretWorkspaces(orgId, env.id, 'NO_SUCH', [], audit('secret.update')), undefined);
    });

    it('deletes a workspace with its secrets, history and streams, removes it from longer lists, and refuses while a secret is limited to it alone', async () => {
      const w = await newWorkspace();
      const other = await newWorkspace();
      await storage.createSecret(orgId, env.id, secret('GOES'), audit(), w.id);
      const current = (await storage.getSecret(orgId, env.id, 'GOES', w.id))!;
      await storage.updateSecret(orgId, env.id, 'GOES', { description: 'v2', nonce: blob(12), ciphertext: blob(20), expectedVersion: current.version, at: at(), by: 'Ada' }, audit('secret.update'), w.id);
      assert.equal(await storage.latestChange(orgId, env.id, w.id), 2);
      await storage.createSecret(orgId, env.id, secret('ALONE', [w.slug]), audit());
      await storage.createSecret(orgId, env.id, secret('SHARED', [other.slug, w.slug].sort()), audit());

      await assert.rejects(storage.deleteWorkspace(orgId, w.id, audit('workspace.delete')), (err: unknown) => err instanceof WorkspaceInUseError && err.keys.join() === 'production/ALONE');
      assert.ok(await storage.getWorkspace(orgId, w.slug), 'nothing deleted');
      await storage.setSecretWorkspaces(orgId, env.id, 'ALONE', [other.slug], audit('secret.update'));

      const revision = await storage.environmentRevision(orgId, env.id);
      assert.deepEqual(await storage.deleteWorkspace(orgId, w.id, audit('workspace.delete')), ['GOES']);
      assert.equal(await storage.getWorkspace(orgId, w.slug), undefined);
      assert.ok((await storage.environmentRevision(orgId, env.id)) > revision);
      assert.equal(await storage.listSecretVersions(orgId, env.id, 'GOES', w.id), undefined);
      assert.deepEqual(await storage.secretTimeline(orgId, env.id, w.id), []);
      assert.equal(await storage.latestChange(orgId, env.id, w.id), 0);
      assert.deepEqual((await storage.getSecret(orgId, env.id, 'SHARED'))!.workspaces, [other.slug]);
      assert.equal(await storage.deleteWorkspace(orgId, w.id, audit('workspace.delete')), undefined);
      const events = await storage.listAudit(orgId, 5, undefined, { action: 'workspace.delete' });
      assert.deepEqual(events[0]?.keys, ['GOES']);

      // Nothing is written to a workspace deleted meanwhile.
      await assert.rejects(storage.createSecret(orgId, env.id, secret('LATE'), audit(), w.id), WorkspaceGoneError);
      await assert.rejects(storage.applySecretBatch(orgId, env.id, [{ kind: 'create', secret: secret('LATE') }], undefined, w.id), WorkspaceGoneError);
      assert.deepEqual(await storage.listSecrets(orgId, env.id, undefined, w.id), []);
    });
  });
}
