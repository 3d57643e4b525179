// The administration commands end to end: the real `secrets` executable against the real server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, Member, Org, ServiceToken } from '../../core/api-types.ts';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';

describe('secrets administration commands against the live server', function () {
  let fx: Fixture;
  let envAuth: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('admin-co');
    envAuth = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, ...freshHome() };
  });
  after(async () => fx?.close());

  const as = (extra: Record<string, string> = {}): CliOptions => ({ env: { ...envAuth, ...extra } });
  const viewer = () => as({ SECRETS_TOKEN: fx.viewerToken });

  describe('orgs create and envs create', () => {
    it('orgs create makes the caller owner of a new organization with the three default environments', async () => {
      const r = await secrets(['orgs', 'create', 'newco', '--name', 'New Co', '--json'], as());
      assert.equal(r.code, 0, r.stderr);
      const org = JSON.parse(r.stdout) as Org;
      assert.deepEqual([org.slug, org.name, org.role], ['newco', 'New Co', 'owner']);
      const envs = await secrets(['envs', '--org', 'newco', '--json'], as());
      assert.deepEqual((JSON.parse(envs.stdout) as { slug: string }[]).map((e) => e.slug).sort(), ['development', 'production', 'staging']);
      const human = await secrets(['orgs', 'create', 'newco2'], as());
      assert.equal(human.code, 0, human.stderr);
      assert.equal(human.stdout, '');
      assert.equal(human.stderr, 'Created organization newco2; you are its owner\n');
    });

    it('orgs create with a taken slug exits 7, with a bad slug exits 9, without a slug exits 2', async () => {
      assert.equal((await secrets(['orgs', 'create', fx.org], as())).code, 7);
      assert.equal((await secrets(['orgs', 'create', 'Bad Slug!'], as())).code, 9);
      const missing = await secrets(['orgs', 'create'], as());
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^secrets: SLUG is required; usage: secrets orgs create SLUG/);
    });

    it('a verb that does not exist, or an option another verb takes, is a usage error (exit 2)', async () => {
      const unknown = await secrets(['orgs', 'scrt_pat_pasted_here'], as());
      assert.equal(unknown.code, 2);
      assert.ok(!unknown.stderr.includes('scrt_pat_pasted_here'));
      const stray = await secrets(['orgs', 'ls', '--name', 'x'], as());
      assert.equal(stray.code, 2);
      assert.match(stray.stderr, /secrets orgs ls does not take --name/);
    });

    it('envs create adds an environment (Admin+); a Viewer gets exit 5 and nothing is created', async () => {
      const r = await secrets(['envs', 'create', 'qa', '--name', 'QA', '--json'], as());
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { slug: string }).slug, 'qa');
      const denied = await secrets(['envs', 'create', 'qa2'], viewer());
      assert.equal(denied.code, 5, denied.stderr);
      const list = (await fx.admin.listEnvironments(fx.org)).map((e) => e.slug);
      assert.ok(list.includes('qa') && !list.includes('qa2'));
      assert.equal((await secrets(['envs', 'create', 'qa'], as())).code, 7);
    });
  });

  describe('users create', () => {
    it('prints the new user\'s token once, alone on stdout, and the token works', async () => {
      const r = await secrets(['users', 'create', '--name', 'Una User', '--email', 'una@example.com'], as());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^scrt_pat_\S+\n$/);
      const token = r.stdout.trim();
      assert.ok(!r.stderr.includes(token));
      assert.match(r.stderr, /^Created user Una User <una@example\.com> \(id [0-9a-f-]+\); their token follows and is not shown again\n$/);
      const me = await clientFor(fx.url, token).me();
      assert.equal(me.user?.email, 'una@example.com');
    });

    it('--json gives the user and the token; a non-admin gets exit 5; a taken e-mail exit 7; missing --email exit 2', async () => {
      const r = await secrets(['users', 'create', '--name', 'Jo', '--email', 'jo@example.com', '--json'], as());
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { user: { email: string }; token: string };
      assert.equal(out.user.email, 'jo@example.com');
      assert.match(out.token, /^scrt_pat_/);
      assert.equal((await secrets(['users', 'create', '--name', 'X', '--email', 'x@example.com'], viewer())).code, 5);
      assert.equal((await secrets(['users', 'create', '--name', 'Jo', '--email', 'jo@example.com'], as())).code, 7);
      const missing = await secrets(['users', 'create', '--name', 'Jo'], as());
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--email is required/);
    });
  });

  describe('members ls, set-role and rm', () => {
    it('adds a user by id, changes the role by e-mail, lists, and removes by e-mail', async () => {
      const { user } = await fx.admin.createUser({ name: 'Mia Member', email: 'mia@example.com' });
      const add = await secrets(['members', 'set-role', user.id, 'editor', '--json'], as());
      assert.equal(add.code, 0, add.stderr);
      assert.equal((JSON.parse(add.stdout) as Member).role, 'editor');
      const change = await secrets(['members', 'set-role', 'MIA@example.com', 'admin'], as());
      assert.equal(change.code, 0, change.stderr);
      assert.equal(change.stderr, `Mia Member <mia@example.com> is now admin of ${fx.org}\n`);
      const ls = await secrets(['members'], as());
      assert.match(ls.stdout, /^USER ID\s+NAME\s+EMAIL\s+ROLE\s+ADDED\n/);
      assert.match(ls.stdout, new RegExp(`\\n${user.id}\\s+Mia Member\\s+mia@example\\.com\\s+admin\\s`));
      const rm = await secrets(['members', 'rm', 'mia@example.com'], as());
      assert.equal(rm.code, 0, rm.stderr);
      const after = JSON.parse((await secrets(['members', 'ls', '--json'], as())).stdout) as Member[];
      assert.ok(!after.some((m) => m.userId === user.id));
    });

    it('refuses an unknown role (9), an e-mail that is not a member (9), a Viewer changing roles (5), demoting the last owner (7)', async () => {
      const bad = await secrets(['members', 'set-role', 'someone', 'superuser'], as());
      assert.equal(bad.code, 9);
      assert.equal(bad.stderr, 'secrets: Role must be one of owner, admin, editor, viewer\n');
      const stranger = await secrets(['members', 'set-role', 'nobody@example.com', 'viewer'], as());
      assert.equal(stranger.code, 9);
      assert.match(stranger.stderr, /No member of admin-co has the e-mail nobody@example\.com/);
      const me = await fx.admin.me();
      assert.equal((await secrets(['members', 'set-role', me.user!.id, 'viewer'], viewer())).code, 5);
      assert.equal((await secrets(['members', 'set-role', me.user!.id, 'viewer'], as())).code, 7);
      assert.equal((await secrets(['members', 'rm', '00000000-0000-4000-8000-000000000000'], as())).code, 6);
    });

    it('neutralises terminal escape sequences in names the server returns', async () => {
      const { user } = await fx.admin.createUser({ name: 'Evil\u001b]0;owned\u0007\u001b[2J Name', email: 'evil@example.com' });
      await fx.admin.putMember(fx.org, user.id, 'viewer');
      const ls = await secrets(['members'], as());
      assert.equal(ls.code, 0, ls.stderr);
      assert.ok(ls.stdout.includes('Evil'));
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(ls.stdout), 'a control character reached the terminal');
      await fx.admin.removeMember(fx.org, user.id);
    });
  });

  describe('tokens create, ls and revoke', () => {
    it('create prints only the token on stdout, once; it reads that one environment; ls never shows it; revoke ends it', async () => {
      await fx.admin.createSecret(fx.org, 'staging', { key: 'TOKEN_TEST_KEY', value: 'token-test-canary-5b0c2f9e7a41d' });
      const r = await secrets(['tokens', 'create', '--env', 'staging', '--name', 'ci-deploy', '--expires', '30d'], as());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^scrt_svc_\S+\n$/);
      const token = r.stdout.trim();
      assert.ok(!r.stderr.includes(token));
      assert.match(r.stderr, /^Created service token ci-deploy \(id (\S+)\) for admin-co\/staging, read-only, expires \d{4}-\d\d-\d\dT[\d:.]+Z; it follows and is not shown again\n$/);

      const get = await secrets(['get', 'TOKEN_TEST_KEY'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, ...freshHome() } });
      assert.equal(get.code, 0, get.stderr);
      assert.equal(get.stdout, 'token-test-canary-5b0c2f9e7a41d');

      const ls = await secrets(['tokens', 'ls', '--json'], as());
      assert.equal(ls.code, 0, ls.stderr);
      assert.ok(!ls.stdout.includes(token));
      const listed = (JSON.parse(ls.stdout) as ServiceToken[]).find((t) => t.name === 'ci-deploy')!;
      assert.equal(listed.environment, 'staging');
      // 30 days from creation, whatever the date: compared with the server's own createdAt.
      const days = (Date.parse(listed.expiresAt!) - Date.parse(listed.createdAt)) / 86_400_000;
      assert.ok(Math.abs(days - 30) < 0.01, `expires after ${days} days`);
      const table = await secrets(['tokens'], as());
      assert.match(table.stdout, /^ID\s+NAME\s+ENV\s+WORKSPACE\s+CREATED\s+CREATED BY\s+EXPIRES\s+LAST USED\n/);
      assert.match(table.stdout, new RegExp(`\\n${listed.id}\\s+ci-deploy\\s+staging\\s`));

      const revoke = await secrets(['tokens', 'revoke', listed.id], as());
      assert.equal(revoke.code, 0, revoke.stderr);
      const after = await secrets(['ls'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, ...freshHome() } });
      assert.equal(after.code, 4);
      assert.equal((await secrets(['tokens', 'revoke', listed.id], as())).code, 6);
    });

    it('--json gives the token with its metadata; no --env (even with SECRETS_ENV set) or no --name is a usage error', async () => {
      const r = await secrets(['tokens', 'create', '--env', 'development', '--name', 'json-one', '--json'], as());
      assert.equal(r.code, 0, r.stderr);
      const created = JSON.parse(r.stdout) as ServiceToken & { token: string };
      assert.match(created.token, /^scrt_svc_/);
      assert.equal(created.expiresAt, null);
      const noEnv = await secrets(['tokens', 'create', '--name', 'x'], as({ SECRETS_ENV: 'production' }));
      assert.equal(noEnv.code, 2);
      assert.match(noEnv.stderr, /--env is required/);
      assert.equal((await secrets(['tokens', 'create', '--env', 'staging'], as())).code, 2);
    });

    it('refuses a bad --expires (9), an unknown environment (6), a Viewer (5), and a pasted token given to revoke (9)', async () => {
      const bad = await secrets(['tokens', 'create', '--env', 'staging', '--name', 'x', '--expires', 'soon'], as());
      assert.equal(bad.code, 9);
      assert.match(bad.stderr, /--expires must be a duration such as 30d/);
      assert.equal((await secrets(['tokens', 'create', '--env', 'nope', '--name', 'x'], as())).code, 6);
      assert.equal((await secrets(['tokens', 'create', '--env', 'staging', '--name', 'x'], viewer())).code, 5);
      const pasted = await secrets(['tokens', 'revoke', 'scrt_svc_abcdefghijklmnop'], as());
      assert.equal(pasted.code, 9);
      assert.ok(!pasted.stderr.includes('scrt_svc_abcdefghijklmnop'));
    });
  });

  describe('audit', () => {
    const canary = 'audit-canary-value-9d3e71c4b8a2f05e6';

    before(async () => {
      await fx.admin.createSecret(fx.org, 'production', { key: 'AUDITED_KEY', value: canary });
      await fx.admin.revealSecret(fx.org, 'production', 'AUDITED_KEY');
      await clientFor(fx.url, fx.viewerToken).revealSecret(fx.org, 'production', 'AUDITED_KEY').catch(() => {});
    });

    it('lists events newest first, filtered by key, action, environment and outcome, never a value', async () => {
      const r = await secrets(['audit', '--key', 'audited_key', '--json'], as());
      assert.equal(r.code, 0, r.stderr);
      const events = JSON.parse(r.stdout) as AuditEvent[];
      assert.deepEqual(events.map((e) => `${e.action}:${e.outcome}`), ['secret.reveal:denied', 'secret.reveal:allowed', 'secret.create:allowed']);
      assert.ok(!r.stdout.includes(canary));

      const denied = JSON.parse((await secrets(['audit', '--key', 'AUDITED_KEY', '--outcome', 'denied', '--json'], as())).stdout) as AuditEvent[];
      assert.deepEqual(denied.map((e) => e.actor.name), ['Vera Viewer']);
      const byActor = JSON.parse((await secrets(['audit', '--actor', 'vera viewer', '--json'], as())).stdout) as AuditEvent[];
      assert.ok(byActor.length >= 1 && byActor.every((e) => e.actor.name === 'Vera Viewer'));
      const family = JSON.parse((await secrets(['audit', '--action', 'secret', '--env', 'production', '--json'], as())).stdout) as AuditEvent[];
      assert.ok(family.length >= 3 && family.every((e) => e.action.startsWith('secret.') && e.environment === 'production'));
      const none = await secrets(['audit', '--key', 'AUDITED_KEY', '--until', '2000-01-01T00:00:00Z', '--json'], as());
      assert.deepEqual(JSON.parse(none.stdout), []);
      const recent = JSON.parse((await secrets(['audit', '--key', 'AUDITED_KEY', '--since', '1h', '--json'], as())).stdout) as AuditEvent[];
      assert.equal(recent.length, 3);
    });

    it('prints a table for people and honours --limit', async () => {
      const r = await secrets(['audit', '--key', 'AUDITED_KEY', '--limit', '2'], as());
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^TIME\s+ACTOR\s+ACTION\s+ENV\s+KEYS\s+OUTCOME$/);
      assert.equal(lines.length, 3);
      assert.match(lines[1]!, /Vera Viewer\s+secret\.reveal\s+production\s+AUDITED_KEY\s+denied$/);
    });

    it('refuses bad filters (9), and a Viewer (5)', async () => {
      assert.equal((await secrets(['audit', '--outcome', 'maybe'], as())).code, 9);
      assert.equal((await secrets(['audit', '--since', 'yesterday'], as())).code, 9);
      assert.equal((await secrets(['audit', '--limit', '0'], as())).code, 9);
      assert.equal((await secrets(['audit', '--interval', '1s'], as())).code, 2);
      assert.equal((await secrets(['audit'], viewer())).code, 5);
    });

    it('--follow prints each new matching event once as it is recorded, one JSON object per line', async function () {
      this.timeout(30_000);
      const child = startSecrets(['audit', '--follow', '--json', '--action', 'secret.create', '--interval', '200ms', '--limit', '1'], as());
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      const waitFor = async (n: number) => {
        for (let i = 0; i < 200 && out.split('\n').filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 50));
      };
      try {
        await waitFor(1); // the backlog: the newest secret.create
        // More events than one poll page (500) holds arrive between two polls, plus ones the filter drops.
        await fx.admin.applySecretBatch(fx.org, 'development', {
          secrets: Array.from({ length: 620 }, (_, i) => ({ key: `FOLLOWED_${i}`, value: `followed-canary-value-${i}-4f1a9c` })),
        });
        await fx.admin.revealSecret(fx.org, 'development', 'FOLLOWED_0');
        await fx.admin.createSecret(fx.org, 'development', { key: 'FOLLOWED_LAST', value: 'followed-canary-value-last-4f1a9c' });
        await waitFor(622);
        await new Promise((r) => setTimeout(r, 600));
        const events = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
        const followed = events.slice(1).map((e) => e.keys[0]);
        assert.deepEqual(followed, [...Array.from({ length: 620 }, (_, i) => `FOLLOWED_${i}`), 'FOLLOWED_LAST'], err);
        assert.ok(events.every((e) => e.action === 'secret.create'));
        assert.ok(!out.includes('followed-canary-value'));
      } finally {
        child.kill('SIGTERM');
        await once(child, 'close');
      }
    });
  });

  it('onboards a team from the shell alone: org, environment, user, role, import, service token, compare, audit', async function () {
    this.timeout(60_000);
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const r = await secrets(args, as({ SECRETS_ORG: 'onboard', ...extra }));
      assert.equal(r.code, 0, `secrets ${args.join(' ')}: ${r.stderr}`);
      return r;
    };
    await run(['orgs', 'create', 'onboard', '--name', 'Onboard Inc']);
    await run(['envs', 'create', 'preview']);
    const dev = JSON.parse((await run(['users', 'create', '--name', 'Dana Dev', '--email', 'dana@onboard.example', '--json'])).stdout) as { user: { id: string }; token: string };
    await run(['members', 'set-role', dev.user.id, 'editor']);
    const dir = mkdtempSync(join(tmpdir(), 'secrets-onboard-'));
    writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://onboard-canary-7d1e3a9b5c\nAPI_KEY=onboard-canary-api-2f8c6e0a4b\n');
    // The new Editor imports with her own token.
    await run(['import', join(dir, '.env'), '--env', 'preview'], { SECRETS_TOKEN: dev.token });
    const ci = (await run(['tokens', 'create', '--env', 'preview', '--name', 'preview-ci', '--expires', '7d'])).stdout.trim();
    const exported = await secrets(['export', '--format', 'json'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: ci, ...freshHome() } });
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), { API_KEY: 'onboard-canary-api-2f8c6e0a4b', DATABASE_URL: 'postgres://onboard-canary-7d1e3a9b5c' });
    const cmp = JSON.parse((await run(['compare', 'preview', 'production', '--json'])).stdout) as { onlyInA: { key: string }[] };
    assert.deepEqual(cmp.onlyInA.map((k) => k.key), ['API_KEY', 'DATABASE_URL']);
    const trail = JSON.parse((await run(['audit', '--actor', 'Dana Dev', '--json'])).stdout) as AuditEvent[];
    assert.deepEqual(trail.map((e) => `${e.action} ${e.keys.join(',')}`).sort(), ['secret.create API_KEY', 'secret.create DATABASE_URL']);
    const everything = (await run(['audit', '--json', '--limit', '500'])).stdout;
    assert.ok(!everything.includes('onboard-canary'), 'a value reached the audit trail');
  });
});
