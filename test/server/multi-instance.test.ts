// Several server instances on one PostgreSQL database, as behind a load balancer: each has its own
// data directory and process, all share the master key (SECRETS_MASTER_KEY) and the database. What one
// instance acknowledges, every other serves at once; check-then-act rules hold across instances; a
// revocation reaches every instance within a second; a killed instance loses no acknowledged write;
// behind a round-robin load balancer, a passkey ceremony begun on one instance ends on the other.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkReveal, SecretMeta } from '../../core/api-types.ts';
import { PG_MIGRATIONS } from '../../server/storage/postgres/migrations.ts';
import { freshDatabase, queryDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { bulkRevealPath, createSecret, createServiceToken, createTeam, createUser, secretPath, setRole, unique, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { rotate, startExpectingRefusal } from './support/operator.ts';
import { pageHeaders, signInWithToken } from './support/browser-session.ts';
import { RawStream } from '../helpers/sse-stream.ts';
import { addVirtualAuthenticator } from './support/chromium.ts';
import { startRoundRobinBalancer, type RoundRobinBalancer } from '../helpers/round-robin-balancer.ts';
import { openPasskeyPage, type PageReply, type PasskeyPage } from './support/passkey-page.ts';
import type { AuditEvent, CreatedInvitation } from '../../core/api-types.ts';
import { TestIssuer } from '../helpers/oidc-issuer.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { createPolicy, exchange, policyBody } from './oidc/support.ts';

interface Cluster {
  servers: RunningServer[];
  apis: Http[];
  adminToken: string;
  databaseUrl: string;
}

/** Starts `n` instances on one fresh database at the same moment (`env` for each, e.g. one SECRETS_PUBLIC_URL). */
async function startCluster(n: number, env: Record<string, string> = {}): Promise<Cluster> {
  const databaseUrl = await freshDatabase();
  const masterKey = randomBytes(32).toString('base64');
  const dirs = Array.from({ length: n }, () => mkdtempSync(join(tmpdir(), 'secrets-multi-')));
  const servers = await Promise.all(dirs.map((dataDir) => startServer({ dataDir, databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: masterKey, ...env } })));
  const tokenFiles = dirs.map((d) => join(d, 'admin-token')).filter((f) => existsSync(f));
  assert.equal(tokenFiles.length, 1, 'exactly one instance bootstrapped the empty database');
  return { servers, apis: servers.map((s) => http(s.url)), adminToken: readFileSync(tokenFiles[0]!, 'utf8').trim(), databaseUrl };
}

async function stopCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return;
  for (const s of c.servers) await s.stop();
  for (const s of c.servers) rmSync(s.dataDir, { recursive: true, force: true });
}

async function revealValue(api: Http, token: string, org: string, env: string, key: string): Promise<string> {
  const r = await api.post<{ value: string }>(`${secretPath(org, env, key)}/reveal`, token);
  assert.equal(r.status, 200, r.text);
  return r.body.value;
}

async function bulkValues(api: Http, token: string, org: string, env: string): Promise<Map<string, string>> {
  const r = await api.post<BulkReveal>(bulkRevealPath(org, env), token);
  assert.equal(r.status, 200, r.text);
  return new Map(r.body.secrets.map((s) => [s.key, s.value]));
}

const canary = (label: string) => `multi-instance-canary-${label}-${randomBytes(12).toString('hex')}`;

describe('server: several instances on one PostgreSQL database', function () {
  this.timeout(180_000);

  describe('three instances', () => {
    let cluster: Cluster;
    let team: Team;
    const env = 'production';

    before(async () => {
      cluster = await startCluster(3);
      team = await createTeam(cluster.apis[0]!, cluster.adminToken);
    });
    after(() => stopCluster(cluster));

    it('run the migrations once when all start together (one instance applies each, the others find them done)', async () => {
      const applied = cluster.servers.flatMap((s) => s.output().split('\n').filter((l) => l.includes('Applied database migration')));
      assert.equal(applied.length, PG_MIGRATIONS.length, applied.join('\n'));
      const rows = await queryDatabase<{ version: number }>(cluster.databaseUrl, 'SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version));
      const users = await queryDatabase<{ n: string }>(cluster.databaseUrl, 'SELECT count(*) AS n FROM users');
      assert.ok(Number(users[0]!.n) >= 1);
      const orgs = await queryDatabase<{ slug: string }>(cluster.databaseUrl, `SELECT slug FROM orgs WHERE slug = 'default'`);
      assert.equal(orgs.length, 1, 'one bootstrap organization');
    });

    it('serve through every instance, at once, what another instance acknowledged (single and bulk reveal, warm caches)', async () => {
      const { apis } = cluster;
      const key = 'SEEN_EVERYWHERE';
      await createSecret(apis[0]!, team.editor.token, team.org, env, key, canary('v0'));
      for (let round = 1; round <= 20; round++) {
        // Warm every instance's reveal cache with the current value first.
        for (const api of apis) await bulkValues(api, team.editor.token, team.org, env);
        const writer = apis[round % apis.length]!;
        const value = canary(`v${round}`);
        const r = await writer.patch<SecretMeta>(secretPath(team.org, env, key), team.editor.token, { value });
        assert.equal(r.status, 200, r.text);
        for (const api of apis) {
          assert.equal((await bulkValues(api, team.editor.token, team.org, env)).get(key), value, `round ${round}: bulk reveal serves the acknowledged write`);
          assert.equal(await revealValue(api, team.editor.token, team.org, env, key), value, `round ${round}: reveal serves the acknowledged write`);
        }
      }
    });

    it('lose no update from 50 concurrent If-Match editors spread over the instances', async () => {
      const { apis } = cluster;
      const key = 'COUNTER';
      await createSecret(apis[0]!, team.editor.token, team.org, env, key, '0');
      let conflicts = 0;
      const editor = async (i: number) => {
        const api = apis[i % apis.length]!;
        for (;;) {
          const r = await api.post<{ value: string; version: number }>(`${secretPath(team.org, env, key)}/reveal`, team.editor.token);
          assert.equal(r.status, 200, r.text);
          const next = String(Number(r.body.value) + 1);
          const u = await api.patch(secretPath(team.org, env, key), team.editor.token, { value: next }, { 'if-match': `"${r.body.version}"` });
          if (u.status === 200) return;
          assertProblem(u, 412, 'STALE_VERSION');
          conflicts++;
        }
      };
      await Promise.all(Array.from({ length: 50 }, (_, i) => editor(i)));
      const final = await apis[2]!.post<{ value: string; version: number }>(`${secretPath(team.org, env, key)}/reveal`, team.editor.token);
      assert.equal(final.body.value, '50', 'every increment landed');
      assert.equal(final.body.version, 51);
      assert.ok(conflicts > 0, 'the editors really raced (some were told their version was stale)');
    });

    it('refuse a revoked service token on every instance within 1 s', async () => {
      const { apis } = cluster;
      const svc = await createServiceToken(apis[0]!, team.admin.token, team.org, env);
      // Each instance has authenticated (and cached) the token.
      for (const api of apis) assert.equal((await api.post(bulkRevealPath(team.org, env), svc.token)).status, 200);
      const revokedAt = Date.now();
      assert.equal((await apis[1]!.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, team.admin.token)).status, 204);
      const refusedAfter = await Promise.all(
        apis.map(async (api) => {
          for (;;) {
            const r = await api.post(bulkRevealPath(team.org, env), svc.token);
            if (r.status === 401) return Date.now() - revokedAt;
            assert.equal(r.status, 200, r.text);
            assert.ok(Date.now() - revokedAt < 1000, 'still accepted a second after the revocation');
            await new Promise((res) => setTimeout(res, 20));
          }
        }),
      );
      for (const ms of refusedAfter) assert.ok(ms < 1000, `refused after ${ms} ms`);
    });

    it('refuse a revoked personal token on every instance within 1 s', async () => {
      const { apis } = cluster;
      const person = await createUser(apis[0]!, cluster.adminToken);
      const extra = await apis[0]!.post<{ id: string; token: string }>('/v1/me/tokens', person.token, { name: 'second' });
      assert.equal(extra.status, 201);
      for (const api of apis) assert.equal((await api.get('/v1/me', extra.body.token)).status, 200);
      const revokedAt = Date.now();
      assert.equal((await apis[2]!.del(`/v1/me/tokens/${extra.body.id}`, person.token)).status, 204);
      await Promise.all(
        apis.map(async (api) => {
          for (;;) {
            const r = await api.get('/v1/me', extra.body.token);
            if (r.status === 401) return;
            assert.ok(Date.now() - revokedAt < 1000, 'still accepted a second after the revocation');
            await new Promise((res) => setTimeout(res, 20));
          }
        }),
      );
    });

    it('refuse a token revoked while the instances\' notification connections were cut (missed notifications are not trusted)', async () => {
      const { apis } = cluster;
      const svc = await createServiceToken(apis[0]!, team.admin.token, team.org, env);
      for (const api of apis) assert.equal((await api.post(bulkRevealPath(team.org, env), svc.token)).status, 200);
      // Cut every instance's LISTEN connection, then revoke before they can have reconnected.
      const cut = await queryDatabase<{ ok: boolean }>(
        cluster.databaseUrl,
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
      assert.equal(cut.length, apis.length, 'one listening connection per instance');
      const revokedAt = Date.now();
      assert.equal((await apis[0]!.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, team.admin.token)).status, 204);
      await Promise.all(
        apis.map(async (api) => {
          for (;;) {
            const r = await api.post(bulkRevealPath(team.org, env), svc.token);
            if (r.status === 401) return;
            assert.ok(Date.now() - revokedAt < 1000, 'still accepted a second after the revocation');
            await new Promise((res) => setTimeout(res, 20));
          }
        }),
      );
      // And caching resumes correctly after the reconnect: a second token is revoked and refused everywhere.
      await new Promise((res) => setTimeout(res, 500));
      const again = await createServiceToken(apis[0]!, team.admin.token, team.org, env);
      for (const api of apis) assert.equal((await api.post(bulkRevealPath(team.org, env), again.token)).status, 200);
      const secondAt = Date.now();
      assert.equal((await apis[2]!.del(`/v1/orgs/${team.org}/tokens/${again.id}`, team.admin.token)).status, 204);
      await Promise.all(
        apis.map(async (api) => {
          for (;;) {
            const r = await api.post(bulkRevealPath(team.org, env), again.token);
            if (r.status === 401) return;
            assert.ok(Date.now() - secondAt < 1000, 'still accepted a second after the revocation (after reconnecting)');
            await new Promise((res) => setTimeout(res, 20));
          }
        }),
      );
    });

    it('end a session on every instance within 1 s when it is signed out through one, or its token is revoked through another', async () => {
      const { apis, servers } = cluster;
      // Each instance's public URL is http://localhost:<its port> (no SECRETS_PUBLIC_URL here).
      const origin = (i: number) => `http://localhost:${new URL(servers[i]!.url).port}`;
      const person = await createUser(apis[0]!, cluster.adminToken);
      const me = (api: Http, cookie: string) => api.request('GET', '/v1/me', { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
      const refusedEverywhere = async (cookie: string, since: number) =>
        Promise.all(
          apis.map(async (api) => {
            for (;;) {
              const r = await me(api, cookie);
              if (r.status === 401) return;
              assert.equal(r.status, 200, r.text);
              assert.ok(Date.now() - since < 1000, 'the session still worked a second later');
              await new Promise((res) => setTimeout(res, 20));
            }
          }),
        );

      const signedOut = await signInWithToken(apis[0]!, person.token, origin(0));
      for (const api of apis) assert.equal((await me(api, signedOut.header)).status, 200);
      const outAt = Date.now();
      const out = await apis[1]!.request('DELETE', '/v1/session', { headers: pageHeaders(signedOut, origin(1)) });
      assert.ok(out.status === 204 || out.status === 200, `${out.status} ${out.text}`);
      await refusedEverywhere(signedOut.header, outAt);

      const extra = await apis[0]!.post<{ id: string; token: string }>('/v1/me/tokens', person.token, { name: 'signs-in' });
      assert.equal(extra.status, 201);
      const riding = await signInWithToken(apis[2]!, extra.body.token, origin(2));
      for (const api of apis) assert.equal((await me(api, riding.header)).status, 200);
      const revokedAt = Date.now();
      assert.equal((await apis[0]!.del(`/v1/me/tokens/${extra.body.id}`, person.token)).status, 204);
      await refusedEverywhere(riding.header, revokedAt);
    });

    it('stream a change written through one instance to subscribers of every other within 1 s, numbered once', async () => {
      const { apis, servers } = cluster;
      const path = `/v1/orgs/${team.org}/environments/${env}/events`;
      const streams = await Promise.all(servers.map((s) => RawStream.open(s.url + path, team.viewer.token)));
      try {
        for (const st of streams) await st.waitFor('ready', (x) => x.events().some((e) => e.event === 'ready'));
        const key = unique('LIVE').toUpperCase().replaceAll('-', '_');
        const writtenAt = Date.now();
        await createSecret(apis[1]!, team.editor.token, team.org, env, key, canary('live'));
        for (const st of streams) {
          await st.waitFor('the change', (x) => x.changes().some((c) => c.data.key === key));
          assert.ok(Date.now() - writtenAt < 1000, `arrived after ${Date.now() - writtenAt} ms`);
        }
        const ids = streams.map((st) => st.changes().find((c) => c.data.key === key)!.id);
        assert.equal(new Set(ids).size, 1, `one number on every instance: ${ids.join(', ')}`);
      } finally {
        for (const st of streams) st.close();
      }
    });

    it('keep the last Owner when two Owners remove each other at once through different instances', async () => {
      const { apis } = cluster;
      let refusedLastOwner = 0;
      for (let round = 0; round < 10; round++) {
        const a = await createUser(apis[0]!, cluster.adminToken, unique('own-a'));
        const b = await createUser(apis[0]!, cluster.adminToken, unique('own-b'));
        const org = unique('race');
        assert.equal((await apis[0]!.post('/v1/orgs', a.token, { slug: org, name: org })).status, 201);
        await setRole(apis[0]!, a.token, org, b.user.id, 'owner');
        const [byA, byB] = await Promise.all([
          apis[1]!.del(`/v1/orgs/${org}/members/${b.user.id}`, a.token),
          apis[2]!.del(`/v1/orgs/${org}/members/${a.user.id}`, b.token),
        ]);
        const removed = [byA, byB].filter((r) => r.status === 204).length;
        assert.ok(removed <= 1, `round ${round}: both Owners were removed`);
        for (const r of [byA, byB]) {
          if (r.status === 204) continue;
          assert.ok(r.status === 409 || r.status === 404, `round ${round}: ${r.status} ${r.text}`);
          if (r.status === 409) {
            assertProblem(r, 409, 'LAST_OWNER');
            refusedLastOwner++;
          }
        }
        const owners = await queryDatabase<{ n: string }>(
          cluster.databaseUrl,
          `SELECT count(*) AS n FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE o.slug = $1 AND m.role = 'owner'`,
          [org],
        );
        assert.ok(Number(owners[0]!.n) >= 1, `round ${round}: the organization has no Owner left`);
      }
      // Otherwise every round could have been decided before the second request was authorized (a
      // 404: no longer a member), and the test would prove nothing about the database's rule.
      assert.ok(refusedLastOwner >= 1, 'no round raced: the database never had to refuse 409 LAST_OWNER');
    });

    it('never leave a workspace owned by a non-member when a member is removed while a workspace is handed to them through another instance', async () => {
      const { apis } = cluster;
      for (let round = 0; round < 10; round++) {
        const m = await createUser(apis[0]!, cluster.adminToken, unique('heir'));
        await setRole(apis[0]!, team.owner.token, team.org, m.user.id, 'editor');
        const slug = unique('handover');
        assert.equal((await apis[0]!.post(`/v1/orgs/${team.org}/workspaces`, team.admin.token, { slug })).status, 201);
        const [removal, handover] = await Promise.all([
          apis[1]!.del(`/v1/orgs/${team.org}/members/${m.user.id}`, team.admin.token),
          apis[2]!.patch(`/v1/orgs/${team.org}/workspaces/${slug}`, team.admin.token, { owner: m.user.id }),
        ]);
        if (removal.status !== 204) assertProblem(removal, 409, 'MEMBER_OWNS_WORKSPACES');
        if (handover.status !== 200) assertProblem(handover, 400, 'WORKSPACE_OWNER_INVALID');
        assert.ok(removal.status === 204 || handover.status === 200, `round ${round}: one of the two goes through`);
        const orphans = await queryDatabase<{ slug: string }>(
          cluster.databaseUrl,
          `SELECT w.slug FROM workspaces w JOIN orgs o ON o.id = w.org_id WHERE o.slug = $1
           AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = w.org_id AND m.user_id = w.owner_id)`,
          [team.org],
        );
        assert.deepEqual(orphans, [], `round ${round}: a workspace is owned by someone outside the organization`);
      }
    });

    it('refuse 409 SECRET_EXISTS to all but one of concurrent creates of one key through different instances', async () => {
      const { apis } = cluster;
      const replies = await Promise.all(apis.flatMap((api) => [0, 1, 2].map(() => api.post(`/v1/orgs/${team.org}/environments/${env}/secrets`, team.editor.token, { key: 'ONLY_ONCE', value: canary('once') }))));
      assert.equal(replies.filter((r) => r.status === 201).length, 1);
      for (const r of replies) if (r.status !== 201) assertProblem(r, 409, 'SECRET_EXISTS');
    });

    it('refuse a ciphertext edited in the database (SECRET_UNREADABLE), never decrypt it into garbage', async () => {
      const { apis } = cluster;
      await createSecret(apis[0]!, team.editor.token, team.org, env, 'TAMPERED', canary('tamper'));
      await queryDatabase(cluster.databaseUrl, `UPDATE secrets SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE key = 'TAMPERED'`);
      const r = await apis[1]!.post(`${secretPath(team.org, env, 'TAMPERED')}/reveal`, team.editor.token);
      assert.equal((r.body as { code?: string }).code, 'SECRET_UNREADABLE', r.text);
      await queryDatabase(cluster.databaseUrl, `DELETE FROM secrets WHERE key = 'TAMPERED'`);
    });
  });

  describe('start-up refusals', () => {
    const dirs: string[] = [];
    after(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const dataDir = () => {
      const d = mkdtempSync(join(tmpdir(), 'secrets-multi-'));
      dirs.push(d);
      return d;
    };

    it('refuses a SECRETS_DATABASE_URL that is not a postgres:// URL, naming the setting and never its value', async () => {
      const secretish = 'mysql://root:pw-canary-3c1f9a7be2@db/app';
      await assert.rejects(startServer({ dataDir: dataDir(), databaseUrl: secretish }), (err: Error) => {
        assert.match(err.message, /SECRETS_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
        assert.ok(!err.message.includes('pw-canary-3c1f9a7be2'));
        return true;
      });
    });

    it('refuses to start an instance whose master key does not match the shared database', async () => {
      const databaseUrl = await freshDatabase();
      const first = await startServer({ dataDir: dataDir(), databaseUrl, env: { SECRETS_MASTER_KEY: randomBytes(32).toString('base64') } });
      try {
        await assert.rejects(
          startServer({ dataDir: dataDir(), databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: randomBytes(32).toString('base64') } }),
          /master key does not match/,
        );
      } finally {
        await first.stop();
      }
    });
  });

  describe('master-key rotation on PostgreSQL', () => {
    const dirs: string[] = [];
    let servers: RunningServer[] = [];
    after(async () => {
      for (const s of servers) await s.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const dataDir = () => {
      const d = mkdtempSync(join(tmpdir(), 'secrets-multi-'));
      dirs.push(d);
      return d;
    };

    it('refuses to rotate while any instance runs, then re-wraps the keys; the instances start with the new key only', async () => {
      const databaseUrl = await freshDatabase();
      const oldKey = randomBytes(32).toString('base64');
      const newKey = randomBytes(32).toString('base64');
      const first = await startServer({ dataDir: dataDir(), databaseUrl, env: { SECRETS_MASTER_KEY: oldKey } });
      const second = await startServer({ dataDir: dataDir(), databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: oldKey } });
      servers = [first, second];
      const value = canary('rotated');
      await createSecret(http(first.url), first.adminToken, 'default', 'production', 'ROTATED', value);
      const env = { SECRETS_DATABASE_URL: databaseUrl, SECRETS_MASTER_KEY: oldKey, SECRETS_NEW_MASTER_KEY: newKey };

      await first.stop();
      const refused = rotate(dataDir(), env);
      assert.notEqual(refused.status, 0, refused.out);
      assert.match(refused.out, /in use by a running server/);
      assert.equal(await revealValue(http(second.url), first.adminToken, 'default', 'production', 'ROTATED'), value, 'nothing changed');

      await second.stop();
      servers = [];
      const done = rotate(dataDir(), env);
      assert.equal(done.status, 0, done.out);
      assert.match(done.out, /Re-wrapped the data keys of 1 organization/);
      assert.ok(!done.out.includes(oldKey) && !done.out.includes(newKey), 'no key is printed');

      const old = await startExpectingRefusal(dataDir(), { SECRETS_DATABASE_URL: databaseUrl, SECRETS_MASTER_KEY: oldKey });
      assert.notEqual(old.code, 0);
      assert.match(old.out, /master key does not match/);
      const again = await startServer({ dataDir: dataDir(), databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: newKey } });
      servers = [again];
      assert.equal(await revealValue(http(again.url), first.adminToken, 'default', 'production', 'ROTATED'), value);
    });
  });

  describe('audit failing on PostgreSQL', () => {
    let server: RunningServer | undefined;
    after(async () => {
      await server?.stop();
      if (server) rmSync(server.dataDir, { recursive: true, force: true });
    });

    it('answers 503 AUDIT_UNAVAILABLE instead of the value, and makes no change, while PostgreSQL refuses audit inserts', async () => {
      const databaseUrl = await freshDatabase();
      server = await startServer({ databaseUrl });
      const api = http(server.url);
      const value = canary('audit-fails');
      await createSecret(api, server.adminToken, 'default', 'production', 'AUDITED', value);
      await bulkValues(api, server.adminToken, 'default', 'production'); // warm the reveal cache too
      await queryDatabase(
        databaseUrl,
        `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
         CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit();`,
      );
      const single = await api.post(`${secretPath('default', 'production', 'AUDITED')}/reveal`, server.adminToken);
      assertProblem(single, 503, 'AUDIT_UNAVAILABLE');
      const bulk = await api.post(bulkRevealPath('default', 'production'), server.adminToken);
      assertProblem(bulk, 503, 'AUDIT_UNAVAILABLE');
      for (const r of [single, bulk]) assert.ok(!r.text.includes(value));
      assertProblem(await api.patch(secretPath('default', 'production', 'AUDITED'), server.adminToken, { value: canary('never') }), 503, 'AUDIT_UNAVAILABLE');
      assertProblem(await api.post('/v1/orgs/default/environments/production/secrets', server.adminToken, { key: 'NOT_MADE', value: 'x' }), 503, 'AUDIT_UNAVAILABLE');
      await queryDatabase(databaseUrl, 'DROP TRIGGER refuse_audit ON audit_events');
      assert.equal(await revealValue(api, server.adminToken, 'default', 'production', 'AUDITED'), value, 'the update was not made');
      assert.equal((await api.get(secretPath('default', 'production', 'NOT_MADE'), server.adminToken)).status, 404, 'the create was not made');
    });
  });

  describe('two instances behind a round-robin load balancer (no sticky sessions), passkeys in real Chromium', () => {
    let balancer: RoundRobinBalancer;
    let cluster: Cluster | undefined;
    let team: Team;
    let p: PasskeyPage | undefined;
    let firstSignIn: unknown;

    before(async () => {
      balancer = await startRoundRobinBalancer();
      // Both instances are the one public site behind the balancer: one origin, one relying party.
      cluster = await startCluster(2, { SECRETS_PUBLIC_URL: balancer.url });
      balancer.targets = cluster.servers.map((s) => s.url);
      team = await createTeam(cluster.apis[0]!, cluster.adminToken);
      p = await openPasskeyPage(balancer.url);
    });
    after(async () => {
      await p?.close();
      await stopCluster(cluster);
      await balancer?.close();
    });

    /** Makes the two calls of a ceremony through the balancer; asserts the instance that answered the second is not the one that issued the challenge. */
    const acrossInstances = async (begin: () => Promise<PageReply>, end: (options: unknown) => Promise<PageReply>) => {
      const before = balancer.served.length;
      const options = await begin();
      assert.equal(options.status, 200, JSON.stringify(options.body));
      const ended = await end(options.body);
      const [issued, verified] = balancer.served.slice(before);
      assert.equal(balancer.served.length, before + 2, 'two requests through the balancer');
      assert.notEqual(issued!.instance, verified!.instance, `the challenge was issued by instance ${issued!.instance} and verified by another`);
      return ended;
    };

    it('accept an invitation with a passkey whose options came from one instance and whose verification went to the other', async () => {
      const made = await cluster!.apis[0]!.post<CreatedInvitation>(`/v1/orgs/${team.org}/invitations`, team.admin.token, { email: 'across@example.test', role: 'viewer' });
      assert.equal(made.status, 201, made.text);
      const token = new URL(made.body.url).hash.slice(1);
      const accepted = await acrossInstances(
        () => p!.call('POST', `/v1/invitations/${token}/passkey/options`, { name: 'Ann Across' }),
        async (options) => p!.call('POST', `/v1/invitations/${token}/accept`, { credential: await p!.register(options), passkeyName: 'Laptop' }),
      );
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      assert.equal(accepted.body.session.user.email, 'across@example.test');
      p!.csrf = accepted.body.session.csrfToken;
    });

    it('sign in with a passkey across the instances, and refuse the same sign-in replayed on the other instance (taken once by all)', async () => {
      assert.equal((await p!.call('DELETE', '/v1/session')).status, 204);
      p!.csrf = '';
      const signedIn = await acrossInstances(
        () => p!.call('POST', '/v1/session/passkey/options', {}),
        async (options) => {
          firstSignIn = await p!.authenticate(options);
          return p!.call('POST', '/v1/session/passkey', { credential: firstSignIn });
        },
      );
      assert.equal(signedIn.status, 201, JSON.stringify(signedIn.body));
      assert.equal(signedIn.body.user.email, 'across@example.test');
      p!.csrf = signedIn.body.csrfToken;
      // The next request goes to the instance that issued the challenge: it must not find it either.
      const replay = await p!.call('POST', '/v1/session/passkey', { credential: firstSignIn });
      assert.equal(replay.status, 401, JSON.stringify(replay.body));
      assert.equal(replay.body.code, 'PASSKEY_REJECTED');
      assert.equal(balancer.served.at(-1)!.instance, balancer.served.at(-3)!.instance, 'the replay reached the instance that issued the challenge');
    });

    it('add a passkey in My account with options from one instance and the new credential sent to the other', async () => {
      await p!.authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: p!.authenticator.authenticatorId });
      p!.authenticator = await addVirtualAuthenticator(p!.context, p!.page);
      const added = await acrossInstances(
        () => p!.call('POST', '/v1/me/passkeys/options', {}),
        async (options) => p!.call('POST', '/v1/me/passkeys', { credential: await p!.register(options), name: 'Phone' }),
      );
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual((await p!.call('GET', '/v1/me/passkeys')).body.passkeys.map((k: { name: string }) => k.name).sort(), ['Laptop', 'Phone']);
    });
  });

  describe('two instances: what is recorded once per deployment', () => {
    let cluster: Cluster | undefined;
    let team: Team;
    let issuer: TestIssuer;

    before(async () => {
      issuer = await TestIssuer.start();
      cluster = await startCluster(2, {
        SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true',
        // One denial window for the whole test (10^12 s), so no window boundary of the real clock can split the repeats.
        SECRETS_AUDIT_DENIAL_WINDOW_SECONDS: '1000000000000',
      });
      team = await createTeam(cluster.apis[0]!, cluster.adminToken);
    });
    after(async () => {
      await stopCluster(cluster);
      await issuer?.stop();
    });

    it('aggregate one denial repeated through two instances into one audit event with count 2', async () => {
      const [a, b] = cluster!.apis as [Http, Http];
      const key = unique('DENIED_TWICE').toUpperCase().replaceAll('-', '_');
      const path = `${secretPath(team.org, 'production', key)}/reveal`;
      assertProblem(await a.post(path, team.viewer.token), 403, 'FORBIDDEN');
      assertProblem(await b.post(path, team.viewer.token), 403, 'FORBIDDEN');
      // Denials are written after the answer (never waiting for the disk), each by its own instance.
      let rows: AuditEvent[] = [];
      for (let i = 0; i < 100; i++) {
        rows = ofAction(await auditEvents(a, team.owner.token, team.org), 'secret.reveal').filter((e) => e.outcome === 'denied' && e.keys[0] === key);
        if (rows.reduce((n, e) => n + e.count, 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(rows.length, 1, `one aggregated event: ${JSON.stringify(rows)}`);
      assert.equal(rows[0]!.count, 2);
      assert.equal(rows[0]!.actor.id, team.viewer.user.id);
    });

    it('refuse on the other instance an OIDC token exchanged on one (OIDC_TOKEN_ALREADY_USED)', async () => {
      const [a, b] = cluster!.apis as [Http, Http];
      await createPolicy(a, team.admin.token, team.org, policyBody(issuer.url, { name: 'across' }));
      const jwt = await issuer.sign(issuer.claims('https://secrets.example.test', { jti: `jti-across-${randomBytes(8).toString('hex')}` }));
      const first = await exchange(a, team.org, jwt);
      assert.equal(first.status, 200, first.text);
      const replayed = await exchange(b, team.org, jwt);
      assertProblem(replayed, 401, 'OIDC_TOKEN_ALREADY_USED');
      assert.ok(!replayed.text.includes(jwt.split('.')[2]!), 'the token is never echoed');
      assertProblem(await exchange(a, team.org, jwt), 401, 'OIDC_TOKEN_ALREADY_USED');
    });
  });

  describe('two instances, one killed', () => {
    let cluster: Cluster | undefined;
    after(() => stopCluster(cluster));

    it('loses no acknowledged write when one instance is killed with SIGKILL during a write loop', async () => {
      cluster = await startCluster(2);
      const [a, b] = cluster.apis as [Http, Http];
      const team = await createTeam(b, cluster.adminToken);
      const acknowledged = new Map<string, string>();
      let stop = false;
      const writer = async (api: Http, label: string) => {
        for (let i = 0; !stop; i++) {
          const key = `K_${label}_${i}`;
          const value = canary(`${label}${i}`);
          const r = await api.post(`/v1/orgs/${team.org}/environments/production/secrets`, team.editor.token, { key, value }).catch(() => null);
          if (r === null) return; // the instance died under this request: not acknowledged
          if (r.status === 201) acknowledged.set(key, value);
        }
      };
      const writers = [writer(a, 'A1'), writer(a, 'A2'), writer(b, 'B1')];
      while ([...acknowledged.keys()].filter((k) => k.startsWith('K_A')).length < 30) await new Promise((r) => setTimeout(r, 10));
      await cluster.servers[0]!.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      stop = true;
      await Promise.all(writers);
      const stored = await bulkValues(b, team.editor.token, team.org, 'production');
      assert.ok(acknowledged.size > 30);
      for (const [key, value] of acknowledged) assert.equal(stored.get(key), value, `acknowledged ${key} is served with its value`);
    });
  });
});
