// The trust-policy storage at module level (what a second Storage implementation must also do):
// every call scoped to its organization, names unique per organization, a deleted policy's tokens
// revoked, expired minted tokens pruned, audit details kept; and an existing database upgraded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { hashToken } from '../../../server/auth/tokens.ts';
import { MIGRATIONS } from '../../../server/storage/sqlite/migrations.ts';
import { SqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { DuplicateError, type AuditInput, type OidcPolicyRow, type TokenRow } from '../../../server/storage/types.ts';

const T0 = '2031-01-01T00:00:00.000Z';
const audit = (action: AuditInput['action']): AuditInput => ({
  time: T0,
  actorType: 'user',
  actorId: 'u1',
  actorName: 'Ada',
  action,
  environment: 'production',
  keys: [],
  outcome: 'allowed',
  ip: '127.0.0.1',
  userAgent: 'test',
  details: { policy: { id: 'p', name: 'n' }, workflow: { repository: 'acme/app', runId: '7', source: 'verified' } },
});

describe('server: OIDC policy storage (SQLite)', () => {
  let dir: string;
  let storage: SqliteStorage;
  const orgs: { id: string; envId: string }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-oidc-storage-'));
    storage = SqliteStorage.open(dir);
    const userId = randomUUID();
    const firstToken: TokenRow = {
      id: randomUUID(), kind: 'personal', hash: hashToken(randomUUID()), name: 'first', userId, orgId: null, environmentId: null,
      createdAt: T0, createdBy: 'test', expiresAt: null, revokedAt: null, lastUsedAt: null,
    };
    await storage.createUser({ id: userId, name: 'Ada', email: 'ada@example.test', instanceAdmin: false, createdAt: T0 }, firstToken);
    for (const slug of ['org-a', 'org-b']) {
      const id = randomUUID();
      const envId = randomUUID();
      await storage.createOrg({ id, slug, name: slug, wrappedKey: new Uint8Array(60), createdAt: T0 }, userId, [{ id: envId, slug: 'production', name: 'Production', createdAt: T0 }], audit('org.create'));
      orgs.push({ id, envId });
    }
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const policy = (envId: string, name: string): OidcPolicyRow => ({
    id: randomUUID(), name, issuer: 'https://issuer.example', audience: 'aud', environmentId: envId,
    claims: { repository: 'acme/app', ref: 'refs/heads/*' }, ttlSeconds: 300, createdAt: T0, createdBy: 'Ada', updatedAt: T0, workspaceId: null,
  });
  const minted = (orgId: string, envId: string, policyId: string, expiresAt: string): TokenRow => ({
    id: randomUUID(), kind: 'service', hash: hashToken(randomUUID()), name: 'oidc:x', userId: null, orgId, environmentId: envId,
    createdAt: T0, createdBy: 'oidc:x', expiresAt, revokedAt: null, lastUsedAt: null, oidcPolicyId: policyId, workflow: { repository: 'acme/app', runId: '9' },
  });

  it('keeps claims as given and scopes every call to its organization', async () => {
    const [a, b] = orgs as [{ id: string; envId: string }, { id: string; envId: string }];
    const p = policy(a.envId, 'scoped');
    await storage.createOidcPolicy(a.id, p, audit('oidc_policy.create'));
    assert.deepEqual(await storage.getOidcPolicy(a.id, p.id), p);
    assert.equal(await storage.getOidcPolicy(b.id, p.id), undefined);
    assert.ok(!(await storage.listOidcPolicies(b.id)).some((x) => x.id === p.id));
    assert.equal(await storage.updateOidcPolicy(b.id, { ...p, name: 'stolen' }, audit('oidc_policy.update')), false);
    assert.equal(await storage.deleteOidcPolicy(b.id, p.id, T0, audit('oidc_policy.delete')), false);
    assert.equal((await storage.getOidcPolicy(a.id, p.id))?.name, 'scoped');
  });

  it('names are unique per organization, on create and on rename', async () => {
    const [a, b] = orgs as [{ id: string; envId: string }, { id: string; envId: string }];
    await storage.createOidcPolicy(a.id, policy(a.envId, 'same'), audit('oidc_policy.create'));
    await storage.createOidcPolicy(b.id, policy(b.envId, 'same'), audit('oidc_policy.create'));
    await assert.rejects(storage.createOidcPolicy(a.id, policy(a.envId, 'same'), audit('oidc_policy.create')), DuplicateError);
    const other = policy(a.envId, 'other');
    await storage.createOidcPolicy(a.id, other, audit('oidc_policy.create'));
    await assert.rejects(storage.updateOidcPolicy(a.id, { ...other, name: 'same' }, audit('oidc_policy.update')), DuplicateError);
  });

  it('deleting a policy revokes the tokens it minted; minted tokens carry their workflow and stay out of service-token lists', async () => {
    const [a] = orgs as [{ id: string; envId: string }];
    const p = policy(a.envId, 'revoker');
    await storage.createOidcPolicy(a.id, p, audit('oidc_policy.create'));
    const t = minted(a.id, a.envId, p.id, '2031-01-01T00:15:00.000Z');
    await storage.createServiceToken(a.id, t, audit('oidc.exchange'));
    assert.deepEqual((await storage.findTokenByHash(t.hash))?.workflow, { repository: 'acme/app', runId: '9' });
    assert.ok(!(await storage.listServiceTokens(a.id)).some((x) => x.id === t.id));
    assert.equal(await storage.deleteOidcPolicy(a.id, p.id, '2031-01-01T00:01:00.000Z', audit('oidc_policy.delete')), true);
    assert.equal((await storage.findTokenByHash(t.hash))?.revokedAt, '2031-01-01T00:01:00.000Z');
  });

  it('prunes only its organization’s minted tokens that expired before the cut-off', async () => {
    const [a, b] = orgs as [{ id: string; envId: string }, { id: string; envId: string }];
    const pa = policy(a.envId, 'prune-a');
    const pb = policy(b.envId, 'prune-b');
    await storage.createOidcPolicy(a.id, pa, audit('oidc_policy.create'));
    await storage.createOidcPolicy(b.id, pb, audit('oidc_policy.create'));
    const old = minted(b.id, b.envId, pb.id, '2031-01-01T00:05:00.000Z');
    const fresh = minted(b.id, b.envId, pb.id, '2031-01-03T00:05:00.000Z');
    const otherOrg = minted(a.id, a.envId, pa.id, '2031-01-01T00:05:00.000Z');
    for (const [org, t] of [[b.id, old], [b.id, fresh], [a.id, otherOrg]] as const) await storage.createServiceToken(org, t, audit('oidc.exchange'));
    assert.equal(await storage.pruneOidcTokens(b.id, '2031-01-02T00:00:00.000Z'), 1);
    assert.equal(await storage.findTokenByHash(old.hash), undefined);
    assert.ok(await storage.findTokenByHash(fresh.hash));
    assert.ok(await storage.findTokenByHash(otherOrg.hash));
  });

  it('keeps audit details, in a transaction and through the audit worker', async () => {
    const [a] = orgs as [{ id: string; envId: string }];
    await storage.appendAudit(a.id, { ...audit('oidc.exchange'), outcome: 'denied', details: { refusals: [{ policy: null, claim: 'alg', expected: 'RS256 or ES256', got: 'none', reason: 'r' }] } });
    const events = await storage.listAudit(a.id, 50);
    assert.deepEqual(events.find((e) => e.action === 'oidc.exchange' && e.outcome === 'denied')?.details?.refusals?.[0]?.got, 'none');
    assert.deepEqual(events.find((e) => e.action === 'oidc_policy.create')?.details?.workflow, { repository: 'acme/app', runId: '7', source: 'verified' });
  });
});

describe('server: migration 3 upgrades an existing database', () => {
  it('adds the policy table and columns to a version-2 database, keeping its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-oidc-migrate-'));
    try {
      const db = new DatabaseSync(join(dir, 'secrets.db'));
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
      for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, T0);
      }
      db.prepare(`INSERT INTO audit_events (id, org_id, time, actor_type, action, keys, outcome, ip) VALUES ('e1', 'o1', ?, 'user', 'org.create', '[]', 'allowed', '::1')`).run(T0);
      db.close();
      const storage = SqliteStorage.open(dir);
      try {
        const events = await storage.listAudit('o1', 10);
        assert.equal(events.length, 1);
        assert.equal(events[0]!.details, undefined);
        assert.deepEqual(await storage.listOidcPolicies('o1'), []);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
