// Workspaces from the CLI against the live server: `secrets workspaces`, --workspace / SECRETS_WORKSPACE on the
// secrets commands (the effective set, with scopes and overrides), `set --workspaces` for organization
// secrets, `tokens create --workspace`, and references resolving over the effective set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from '../../cli/shell-quote.ts';
import type { Workspace } from '../../core/api-types.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { BIN, baseEnv, ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';

const ORG_HOST = 'ws-cli-canary-org-host-2b7e9d4a1c6f83.internal';
const BILLING_HOST = 'ws-cli-canary-billing-host-8f3a1d6c0e9b27.internal';
const DB_USER = 'ws-cli-canary-db-user-5c0e8b3f7a2d91';
const STRIPE = 'ws-cli-canary-stripe-key-1e6b4d9a3f7c05';
const CANARIES = [ORG_HOST, BILLING_HOST, DB_USER, STRIPE];
const ENV = 'production';

describe('secrets workspaces and --workspace against the live server', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let home: Record<string, string>;
  /** Olive owns workspace billing and is an Editor of the organization; Eddie is an Editor who owns nothing. */
  let olive: { id: string; token: string };
  let eddie: { token: string };
  const as = (token: string, extra: Record<string, string> = {}): CliOptions => ({
    env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, SECRETS_ORG: fx.org, SECRETS_ENV: ENV, ...home, ...extra },
  });
  const admin = (extra: Record<string, string> = {}) => as(fx.adminToken, extra);
  const clean = (text: string) => {
    for (const v of CANARIES) assert.ok(!text.includes(v), 'no value in the output');
  };

  before(async function () {
    await ensureBuilt();
    fx = await startFixture('ws-cli');
    home = freshHome();
    const o = await fx.admin.createUser({ name: 'Olive Owner', email: 'olive@ws-cli.example.com' });
    await fx.admin.putMember(fx.org, o.user.id, 'editor');
    olive = { id: o.user.id, token: o.token };
    const e = await fx.admin.createUser({ name: 'Eddie Editor', email: 'eddie@ws-cli.example.com' });
    await fx.admin.putMember(fx.org, e.user.id, 'editor');
    eddie = { token: e.token };
  });
  after(async () => fx?.close());

  it('workspaces create (owner by e-mail), ls, rename, set-owner, with --json; a taken slug exits 7', async () => {
    const created = await secrets(['workspaces', 'create', 'billing', '--name', 'Billing', '--owner', 'olive@ws-cli.example.com'], admin());
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Created workspace billing \(Billing, owner Olive Owner\) in ws-cli/);
    const search = await secrets(['workspaces', 'create', 'search', '--json'], admin());
    assert.equal(search.code, 0, search.stderr);
    assert.equal((JSON.parse(search.stdout) as Workspace).slug, 'search');
    const temp = await secrets(['workspaces', 'create', 'scratch'], admin());
    assert.equal(temp.code, 0, temp.stderr);

    const ls = await secrets(['workspaces'], admin());
    assert.equal(ls.code, 0, ls.stderr);
    const rows = ls.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/));
    assert.deepEqual(rows[0]!.slice(0, 4), ['SLUG', 'NAME', 'OWNER', 'OWNER ID']);
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 2)), [['billing', 'Billing'], ['scratch', 'scratch'], ['search', 'search']]);
    assert.deepEqual(rows[1]!.slice(2, 4), ['Olive Owner', olive.id]);

    const renamed = await secrets(['workspaces', 'rename', 'scratch', '--name', 'Scratch pad', '--json'], admin());
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.equal((JSON.parse(renamed.stdout) as Workspace).name, 'Scratch pad');
    const owned = await secrets(['workspaces', 'set-owner', 'scratch', 'olive@ws-cli.example.com', '--json'], admin());
    assert.equal(owned.code, 0, owned.stderr);
    assert.equal((JSON.parse(owned.stdout) as Workspace).owner, olive.id);

    const again = await secrets(['workspaces', 'create', 'billing'], admin());
    assert.equal(again.code, 7, again.stderr);
    const byEditor = await secrets(['workspaces', 'create', 'mine'], as(eddie.token));
    assert.equal(byEditor.code, 5, byEditor.stderr);
  });

  it('workspaces rm needs --yes without a terminal (exit 14), deletes with it; an unknown workspace exits 6', async () => {
    const refused = await secrets(['workspaces', 'rm', 'scratch'], admin());
    assert.equal(refused.code, 14, refused.stderr);
    const removed = await secrets(['workspaces', 'rm', 'scratch', '--yes'], admin());
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stderr, /Deleted workspace scratch of ws-cli/);
    const gone = await secrets(['workspaces', 'rm', 'scratch', '--yes'], admin());
    assert.equal(gone.code, 6, gone.stderr);
    const bad = await secrets(['ls', '--workspace', 'Not_A_Slug'], admin());
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--workspace must be a workspace slug/);
  });

  it('set --workspaces limits an organization secret; ls shows WORKSPACES, and a workspace\'s ls its SCOPE with overrides', async () => {
    for (const [key, value] of [['DB_HOST', ORG_HOST], ['DB_USER', DB_USER], ['DATABASE_URL', 'postgres://$DB_USER@${DB_HOST}/app']] as const) {
      const r = await secrets(['set', key], { ...admin(), input: value });
      assert.equal(r.code, 0, r.stderr);
    }
    const limited = await secrets(['set', 'STRIPE_KEY', '--workspaces', 'billing'], { ...admin(), input: STRIPE });
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stderr, /Created STRIPE_KEY in ws-cli\/production \(version 1, for workspaces billing\)/);
    // The workspace owner (an Editor) overrides DB_HOST in billing only.
    const override = await secrets(['set', 'DB_HOST', '--workspace', 'billing'], { ...as(olive.token), input: BILLING_HOST });
    assert.equal(override.code, 0, override.stderr);
    assert.match(override.stderr, /Created DB_HOST in ws-cli\/production \(workspace billing\) \(version 1, overriding the organization secret there\)/);

    const org = await secrets(['ls'], admin());
    assert.equal(org.code, 0, org.stderr);
    const orgRows = org.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/).slice(0, 2));
    assert.deepEqual(orgRows, [['KEY', 'WORKSPACES'], ['DATABASE_URL', 'all'], ['DB_HOST', 'all'], ['DB_USER', 'all'], ['STRIPE_KEY', 'billing']]);

    const billing = await secrets(['ls', '--workspace', 'billing'], as(eddie.token));
    assert.equal(billing.code, 0, billing.stderr);
    const billingRows = billing.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/).slice(0, 2));
    assert.deepEqual(billingRows, [
      ['KEY', 'SCOPE'],
      ['DATABASE_URL', 'organization'],
      ['DB_HOST', 'workspace, overrides'],
      ['DB_USER', 'organization'],
      ['STRIPE_KEY', 'organization'],
    ]);
    const search = await secrets(['ls'], as(eddie.token, { SECRETS_WORKSPACE: 'search' }));
    assert.equal(search.code, 0, search.stderr);
    assert.deepEqual(search.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ {2,}/).slice(0, 2)), [
      ['DATABASE_URL', 'organization'],
      ['DB_HOST', 'organization'],
      ['DB_USER', 'organization'],
    ], 'STRIPE_KEY is limited to billing');
    const json = JSON.parse((await secrets(['ls', '--workspace', 'billing', '--json'], admin())).stdout) as { key: string; scope: string; overrides?: boolean }[];
    assert.deepEqual(json.find((s) => s.key === 'DB_HOST'), { ...json.find((s) => s.key === 'DB_HOST'), scope: 'workspace', overrides: true });
    clean(org.stdout + billing.stdout + search.stdout + limited.stderr + override.stderr);
  });

  it('login --workspace stores a default workspace: later commands use its effective set without a flag, and --workspace \'\' sets it aside', async () => {
    const own = freshHome();
    const login = await secrets(['login', '--url', fx.url, '--org', fx.org, '--env', ENV, '--workspace', 'billing', '--json'], { env: { ...own, SECRETS_TOKEN: eddie.token } });
    assert.equal(login.code, 0, login.stderr);
    assert.equal((JSON.parse(login.stdout) as { workspace: string }).workspace, 'billing');
    const stored = { env: { ...own } };
    const inBilling = await secrets(['export', '--format', 'json'], stored);
    assert.equal(inBilling.code, 0, inBilling.stderr);
    assert.equal(JSON.parse(inBilling.stdout).DB_HOST, BILLING_HOST, 'the stored workspace\'s override');
    const orgLevel = await secrets(['export', '--format', 'json', '--workspace', ''], stored);
    assert.equal(orgLevel.code, 0, orgLevel.stderr);
    assert.equal(JSON.parse(orgLevel.stdout).DB_HOST, ORG_HOST, 'the organization\'s own value');
    const flagWins = await secrets(['ls'], { env: { ...own, SECRETS_WORKSPACE: 'search' } });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    assert.match(flagWins.stdout, /^DB_HOST +organization/m, 'SECRETS_WORKSPACE wins over the stored default');
    // The default belongs to the stored token (and organization, test/cli/settings.test.ts): another
    // token gets the organization's own secrets.
    const otherToken = await secrets(['export', '--format', 'json'], { env: { ...own, SECRETS_TOKEN: fx.adminToken } });
    assert.equal(otherToken.code, 0, otherToken.stderr);
    assert.equal(JSON.parse(otherToken.stdout).DB_HOST, ORG_HOST, 'SECRETS_TOKEN is another identity: the organization\'s own value');
    const bad = await secrets(['login', '--url', fx.url, '--workspace', 'Not A Slug'], { env: { ...freshHome(), SECRETS_TOKEN: eddie.token } });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--workspace must be a workspace slug/);
  });

  it('export and run resolve references over the effective set: the override changes DATABASE_URL in billing only', async () => {
    const billing = await secrets(['export', '--format', 'json', '--workspace', 'billing'], as(eddie.token));
    assert.equal(billing.code, 0, billing.stderr);
    assert.deepEqual(JSON.parse(billing.stdout), {
      DATABASE_URL: `postgres://${DB_USER}@${BILLING_HOST}/app`,
      DB_HOST: BILLING_HOST,
      DB_USER,
      STRIPE_KEY: STRIPE,
    });
    const search = await secrets(['export', '--format', 'json'], as(eddie.token, { SECRETS_WORKSPACE: 'search' }));
    assert.equal(search.code, 0, search.stderr);
    assert.deepEqual(JSON.parse(search.stdout), { DATABASE_URL: `postgres://${DB_USER}@${ORG_HOST}/app`, DB_HOST: ORG_HOST, DB_USER });
    const org = await secrets(['export', '--format', 'json'], as(eddie.token));
    assert.equal(JSON.parse(org.stdout).DATABASE_URL, `postgres://${DB_USER}@${ORG_HOST}/app`);

    const run = await secrets(['run', '--workspace', 'billing', '--', process.execPath, '-e', 'process.stdout.write(process.env.DATABASE_URL + "|" + (process.env.SECRETS_WORKSPACE ?? "unset"))'], as(eddie.token));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `postgres://${DB_USER}@${BILLING_HOST}/app|unset`);
    const viaEnv = await secrets(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.DATABASE_URL + "|" + (process.env.SECRETS_WORKSPACE ?? "unset"))'], as(eddie.token, { SECRETS_WORKSPACE: 'billing' }));
    assert.equal(viaEnv.stdout, `postgres://${DB_USER}@${BILLING_HOST}/app|unset`, 'SECRETS_WORKSPACE chooses the set and is not passed to the command');
  });

  it('get, history and compare work in a workspace; org secrets are read-only there (exit 7), and only the owner or an Admin writes (exit 5)', async () => {
    const get = await secrets(['get', 'DB_HOST', '--workspace', 'billing'], as(eddie.token));
    assert.equal(get.stdout, BILLING_HOST);
    const history = await secrets(['history', 'DB_USER', '--workspace', 'billing'], as(eddie.token));
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stderr, /Versions of the organization secret DB_USER \(read-only in this workspace\)/);
    const compare = await secrets(['compare', 'production', 'staging', '--workspace', 'billing'], as(eddie.token));
    assert.equal(compare.code, 0, compare.stderr);
    assert.match(compare.stdout, /DB_HOST +1 +- +only in production/);

    const notOwner = await secrets(['set', 'BILLING_ONLY', '--workspace', 'billing'], { ...as(eddie.token), input: STRIPE });
    assert.equal(notOwner.code, 5, notOwner.stderr);
    const readOnly = await secrets(['rm', 'DB_USER', '--workspace', 'billing', '--yes'], as(olive.token));
    assert.equal(readOnly.code, 7, readOnly.stderr);
    assert.match(readOnly.stderr, /DB_USER is an organization secret: it is read-only in workspace billing/);
    const both = await secrets(['set', 'X', '--workspace', 'billing', '--workspaces', 'billing'], { ...admin(), input: STRIPE });
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--workspaces limits an organization secret/);
    clean(notOwner.stderr + readOnly.stderr + history.stdout + compare.stdout);
  });

  it('tokens create --workspace binds a token to the workspace: it reads that effective set and nothing else', async () => {
    const created = await secrets(['tokens', 'create', '--env', ENV, '--workspace', 'billing', '--name', 'billing-ci'], admin());
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /for ws-cli\/production \(workspace billing: its effective set only\)/);
    const token = created.stdout.trim();
    const listed = await secrets(['tokens'], admin());
    assert.match(listed.stdout, /billing-ci +production +billing/);
    const bound = { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, SECRETS_WORKSPACE: 'billing', ...home } };
    const exported = await secrets(['export', '--format', 'json'], bound);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(JSON.parse(exported.stdout).DATABASE_URL, `postgres://${DB_USER}@${BILLING_HOST}/app`);
    const who = await secrets(['whoami'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, ...home } });
    assert.match(who.stdout, /^service token for ws-cli\/production \(workspace billing\) on /);
    // GET /v1/me names the token's workspace, so it needs neither --org, --env nor --workspace.
    const own = await secrets(['export', '--format', 'json'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, ...home } });
    assert.equal(own.code, 0, own.stderr);
    assert.equal(JSON.parse(own.stdout).DATABASE_URL, `postgres://${DB_USER}@${BILLING_HOST}/app`);
    const other = await secrets(['export'], { env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, SECRETS_WORKSPACE: 'search', ...home } });
    assert.equal(other.code, 5, other.stderr);
  });

  it('audit --workspace lists only the events under that workspace, and the table names it', async () => {
    const json = await secrets(['audit', '--workspace', 'billing', '--json'], admin());
    assert.equal(json.code, 0, json.stderr);
    const events = JSON.parse(json.stdout) as { workspace?: string; action: string }[];
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.workspace === 'billing'));
    assert.ok(events.some((e) => e.action === 'secret.create'), 'the override was audited under billing');
    const text = await secrets(['audit', '--workspace', 'billing'], admin());
    assert.match(text.stdout, /production \(workspace billing\)/);
    clean(json.stdout + text.stdout);
  });

  it('watch --workspace follows the workspace\'s stream: its own changes and available organization secrets\' (with scope), not another workspace\'s', async () => {
    const child = startSecrets(['watch', '--workspace', 'billing', '--json'], admin());
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const events = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; key?: string; scope?: string; workspace?: string });
    const waitFor = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!done()) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await waitFor('ready', () => events().some((e) => e.type === 'ready'));
      assert.equal(events()[0]!.workspace, 'billing');
      await fx.admin.createSecret(fx.org, { workspace: 'search', environment: ENV }, { key: 'SEARCH_ONLY', value: STRIPE });
      await fx.admin.createSecret(fx.org, { workspace: 'billing', environment: ENV }, { key: 'BILLING_ONLY', value: STRIPE });
      await fx.admin.updateSecret(fx.org, ENV, 'DB_USER', { value: DB_USER + '-2' });
      await waitFor('the organization change', () => events().some((e) => e.key === 'DB_USER'));
      assert.deepEqual(
        events().filter((e) => e.type !== 'ready').map((e) => [e.type, e.key, e.scope]),
        [['created', 'BILLING_ONLY', 'workspace'], ['updated', 'DB_USER', 'organization']],
      );
      clean(out + err);
    } finally {
      child.kill('SIGINT');
      await once(child, 'close');
    }
  });

  it('shell completion offers workspaces for --workspace and the workspaces verbs, and keys of the workspace', async () => {
    const list = await secrets(['__complete', 'workspaces'], admin());
    assert.equal(list.stdout, 'billing\nsearch\n');
    const bin = mkdtempSync(join(tmpdir(), 'secrets-ws-completion-'));
    writeFileSync(join(bin, 'secrets'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(BIN)} "$@"\n`);
    chmodSync(join(bin, 'secrets'), 0o755);
    const env = baseEnv({ ...home, PATH: `${bin}:${process.env.PATH}`, SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: ENV });
    const complete = (...words: string[]) => {
      const script = `source <(secrets completion bash) || exit 9
COMP_WORDS=(${words.map(shellQuote).join(' ')}); COMP_CWORD=${words.length - 1}
_secrets; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(complete('secrets', 'wo'), ['workspaces']);
    assert.deepEqual(complete('secrets', 'workspaces', ''), ['create', 'ls', 'rename', 'rm', 'set-owner']);
    assert.deepEqual(complete('secrets', 'ls', '--workspace', 'bi'), ['billing']);
    assert.deepEqual(complete('secrets', 'workspaces', 'rm', 's'), ['search']);
    assert.deepEqual(complete('secrets', 'tokens', 'create', '--wo'), ['--workspace']);
    assert.deepEqual(complete('secrets', 'get', '--workspace', 'search', 'ST'), [], 'STRIPE_KEY is not in search');
    assert.deepEqual(complete('secrets', 'get', '--workspace', 'billing', 'ST'), ['STRIPE_KEY']);
  });
});
