// Every `secrets` command end to end: the real executable against the real server.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READERS, readWith } from '../helpers/dotenv-readers.ts';
import { execFileSync } from 'node:child_process';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';
import { once } from 'node:events';

describe('secrets CLI commands against the live server', function () {
  let fx: Fixture;
  /** Settings through environment variables only (no stored login). */
  let envAuth: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture();
    envAuth = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production', ...freshHome() };
  });
  after(async () => fx?.close());

  const as = (extra: Record<string, string> = {}, input?: string): CliOptions => ({
    env: { ...envAuth, ...extra },
    ...(input !== undefined && { input }),
  });

  describe('login and logout', () => {
    it('login verifies SECRETS_TOKEN with the server and stores url and token in a 0600 file in a 0700 dir', async () => {
      const home = freshHome();
      const r = await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: fx.adminToken } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Logged in to http:\/\/127\.0\.0\.1:\d+ as /);
      const file = join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(home.XDG_CONFIG_HOME, 'secrets')).mode & 0o777, 0o700);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { url: fx.url, token: fx.adminToken });
      assert.ok(!r.stderr.includes(fx.adminToken) && !r.stdout.includes(fx.adminToken));

      const who = await secrets(['whoami'], { env: home });
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, /on http:\/\/127\.0\.0\.1/);
    });

    it('login reads the token from stdin when it is a pipe, and keeps the file 0600 when it is rewritten', async () => {
      const home = freshHome();
      const file = join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json');
      mkdirSync(join(home.XDG_CONFIG_HOME, 'secrets'), { recursive: true });
      writeFileSync(file, '{}', { mode: 0o644 });
      const r = await secrets(['login', '--url', fx.url + '/', '--org', fx.org, '--env', 'staging'], { env: home, input: fx.adminToken + '\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { url: fx.url, token: fx.adminToken, org: fx.org, env: 'staging' });
      // The stored defaults are used: no --org or --env needed.
      const ls = await secrets(['ls', '--json'], { env: home });
      assert.equal(ls.code, 0, ls.stderr);
      assert.ok(Array.isArray(JSON.parse(ls.stdout)));
    });

    it('login with a rejected token exits 4 and stores nothing', async () => {
      const home = freshHome();
      const r = await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: 'scrt_pat_not-a-real-token-0000000000' } });
      assert.equal(r.code, 4);
      assert.match(r.stderr, /^secrets: .*secrets login/);
      assert.equal(existsSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json')), false);
    });

    it('login without --url or SECRETS_URL is a usage error (exit 2)', async () => {
      const r = await secrets(['login'], { env: { ...freshHome(), SECRETS_TOKEN: fx.adminToken } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^secrets: The server URL is required/);
    });

    it('logout removes the stored login; later commands say how to log in (exit 3)', async () => {
      const home = freshHome();
      assert.equal((await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: fx.adminToken } })).code, 0);
      const out = await secrets(['logout'], { env: home });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /Logged out of http:\/\/127/);
      assert.equal(existsSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json')), false);
      const r = await secrets(['orgs'], { env: { ...home, SECRETS_URL: fx.url } });
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^secrets: Not logged in: run `secrets login --url http/);
      const again = await secrets(['logout'], { env: home });
      assert.equal(again.code, 0);
      assert.match(again.stderr, /Not logged in/);
    });

    it('warns when the stored credentials file is readable by other users, and still works', async () => {
      const home = freshHome();
      assert.equal((await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: fx.adminToken } })).code, 0);
      chmodSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json'), 0o644);
      const r = await secrets(['whoami'], { env: home });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^secrets: warning: .*credentials\.json is readable by other users; run chmod 600 on it\n$/);
    });

    it('never sends the stored token to a different server given with --url (exit 3, no request)', async () => {
      const home = freshHome();
      assert.equal((await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: fx.adminToken } })).code, 0);
      const r = await secrets(['orgs', '--url', 'http://127.0.0.1:9'], { env: home });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /Not logged in to http:\/\/127\.0\.0\.1:9 \(the stored login is for http/);
    });
  });

  describe('orgs and envs', () => {
    it('orgs lists the organizations with the caller\'s role, as a table and as JSON', async () => {
      const t = await secrets(['orgs'], as());
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^SLUG\s+NAME\s+ROLE\n/);
      assert.match(t.stdout, /\nacme\s+Acme\s+owner\n/);
      const j = await secrets(['orgs', '--json'], as());
      const orgs = JSON.parse(j.stdout) as { slug: string; role: string }[];
      assert.deepEqual(orgs.find((o) => o.slug === 'acme')?.role, 'owner');
    });

    it('envs lists the three default environments of --org', async () => {
      const r = await secrets(['envs', '--org', fx.org, '--json'], as({ SECRETS_ORG: '' }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((JSON.parse(r.stdout) as { slug: string }[]).map((e) => e.slug).sort(), ['development', 'production', 'staging']);
      const t = await secrets(['envs'], as());
      assert.match(t.stdout, /^SLUG\s+NAME\n/);
      assert.match(t.stdout, /\nproduction\s/);
    });

    it('envs of an organization the caller is not in exits 6 with the server\'s message', async () => {
      const r = await secrets(['envs', '--org', 'no-such-org'], as());
      assert.equal(r.code, 6);
      assert.match(r.stderr, /^secrets: .+\n$/);
    });

    it('envs without any organization configured exits 3 and names --org and SECRETS_ORG', async () => {
      const r = await secrets(['envs'], as({ SECRETS_ORG: '' }));
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'secrets: No organization selected: pass --org or set SECRETS_ORG\n');
    });
  });

  describe('set, get, ls, rm', () => {
    it('set creates from stdin (dropping one final newline), then updates with a new version', async () => {
      const c = await secrets(['set', 'stripe_key', '--description', 'Stripe live key'], as({}, 'sk_live_first\n'));
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stderr, `Created STRIPE_KEY in ${fx.org}/production (version 1)\n`);
      const u = await secrets(['set', 'STRIPE_KEY', '--json'], as({}, 'sk_live_second'));
      assert.equal(u.code, 0, u.stderr);
      const meta = JSON.parse(u.stdout) as { key: string; version: number; description: string; created: boolean };
      assert.equal(meta.key, 'STRIPE_KEY');
      assert.equal(meta.version, 2);
      assert.equal(meta.created, false);
      assert.equal(meta.description, 'Stripe live key');
      const g = await secrets(['get', 'stripe_key'], as());
      assert.equal(g.code, 0, g.stderr);
      assert.equal(g.stdout, 'sk_live_second');
    });

    it('get prints a multi-line value byte for byte, and --json gives key, value and version', async () => {
      const pem = '-----BEGIN KEY-----\nline \'one\' "two" $HOME #x\n-----END KEY-----\n';
      assert.equal((await secrets(['set', 'TLS_KEY'], as({}, pem + '\n'))).code, 0);
      const g = await secrets(['get', 'TLS_KEY'], as());
      assert.equal(g.stdout, pem);
      const j = await secrets(['get', 'TLS_KEY', '--json'], as());
      assert.deepEqual(JSON.parse(j.stdout), { key: 'TLS_KEY', value: pem, version: 1 });
    });

    it('set with an empty value and --description updates only the description', async () => {
      assert.equal((await secrets(['set', 'DESC_ONLY'], as({}, 'keep-me'))).code, 0);
      const r = await secrets(['set', 'DESC_ONLY', '--description', 'now described'], as({}, ''));
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await secrets(['get', 'DESC_ONLY'], as())).stdout, 'keep-me');
      const ls = JSON.parse((await secrets(['ls', '--json', '--search', 'desc_only'], as())).stdout) as { description: string; version: number }[];
      assert.equal(ls[0]!.description, 'now described');
      assert.equal(ls[0]!.version, 2);
    });

    it('set with an empty value and no description fails with "Secret value is required" (exit 9)', async () => {
      const r = await secrets(['set', 'EMPTY_ONE'], as({}, ''));
      assert.equal(r.code, 9);
      assert.equal(r.stderr, 'secrets: Secret value is required\n');
    });

    it('set refuses a value on the command line (exit 2) without echoing it', async () => {
      const r = await secrets(['set', 'ARGV_KEY', 'hunter2-on-argv'], as());
      assert.equal(r.code, 2);
      assert.match(r.stderr, /never from the command line/);
      assert.ok(!r.stderr.includes('hunter2-on-argv'));
    });

    it('set rejects an invalid key before any request with the product message (exit 9)', async () => {
      const r = await secrets(['set', '9lives'], as({ SECRETS_URL: 'http://127.0.0.1:9' }, 'v'));
      assert.equal(r.code, 9);
      assert.equal(r.stderr, 'secrets: Secret key must start with a letter or underscore and contain only A–Z, 0–9 and _ (max 128)\n');
      const none = await secrets(['get'], as());
      assert.equal(none.code, 2);
      assert.match(none.stderr, /^secrets: Secret key is required; usage: secrets get KEY/);
    });

    it('ls lists keys and metadata, --search matches any part of the key ignoring case, never a value', async () => {
      for (const k of ['LS_ALPHA_URL', 'LS_BETA_URL', 'LS_GAMMA']) {
        assert.equal((await secrets(['set', k], as({ SECRETS_ENV: 'staging' }, `value-of-${k}`))).code, 0);
      }
      const t = await secrets(['ls'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^KEY\s+WORKSPACES\s+VERSION\s+UPDATED\s+UPDATED BY\s+DESCRIPTION\nLS_ALPHA_URL\s+all\s+1\s/);
      assert.ok(!t.stdout.includes('value-of-'));
      const s = await secrets(['ls', '--search', '_url', '--json'], as({ SECRETS_ENV: 'staging' }));
      assert.deepEqual((JSON.parse(s.stdout) as { key: string }[]).map((x) => x.key), ['LS_ALPHA_URL', 'LS_BETA_URL']);
      const none = await secrets(['ls', '--search', 'zzz'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, /No secrets in acme\/staging match "zzz"/);
    });

    it('flags win over SECRETS_* variables: --env picks the environment', async () => {
      assert.equal((await secrets(['set', 'ISOLATED'], as({ SECRETS_ENV: 'development' }, 'dev-value'))).code, 0);
      const prod = await secrets(['get', 'ISOLATED'], as());
      assert.equal(prod.code, 6);
      assert.match(prod.stderr, /^secrets: Secret ISOLATED does not exist in production/);
      const dev = await secrets(['get', 'ISOLATED', '--env', 'development'], as());
      assert.equal(dev.stdout, 'dev-value');
    });

    it('rm without --yes and without a terminal refuses (exit 14) and deletes nothing', async () => {
      assert.equal((await secrets(['set', 'RM_ME'], as({}, 'x-value'))).code, 0);
      const r = await secrets(['rm', 'RM_ME'], as());
      assert.equal(r.code, 14);
      assert.equal(r.stderr, 'secrets: Refusing to delete RM_ME without confirmation: pass --yes\n');
      assert.equal((await secrets(['get', 'RM_ME'], as())).stdout, 'x-value');
      const y = await secrets(['rm', 'RM_ME', '--yes'], as());
      assert.equal(y.code, 0, y.stderr);
      assert.equal(y.stderr, `Deleted RM_ME from ${fx.org}/production\n`);
      const gone = await secrets(['get', 'RM_ME'], as());
      assert.equal(gone.code, 6);
    });

    it('a viewer can list but not reveal: get exits 5 (forbidden)', async () => {
      assert.equal((await secrets(['set', 'VIEWER_SEES'], as({}, 'viewer-cannot-read'))).code, 0);
      const ls = await secrets(['ls', '--json'], as({ SECRETS_TOKEN: fx.viewerToken }));
      assert.equal(ls.code, 0, ls.stderr);
      const r = await secrets(['get', 'VIEWER_SEES'], as({ SECRETS_TOKEN: fx.viewerToken }));
      assert.equal(r.code, 5);
      assert.match(r.stderr, /^secrets: .+\n$/);
      assert.ok(!r.stderr.includes('viewer-cannot-read'));
    });
  });

  describe('export', () => {
    const values: Record<string, string> = {
      DB_USER: 'app',
      DB_PASSWORD: `p@ss'w"o$$rd #1 \\ ü`,
      DB_HOST: 'db.internal',
      DB_PORT: '5432',
      DATABASE_URL: 'postgres://$DB_USER:${DB_PASSWORD}@$DB_HOST:$DB_PORT/app',
      PRICE: 'costs $$5',
      MULTI: 'line one\nline two\n',
    };
    const password = `p@ss'w"o$rd #1 \\ ü`;
    const resolved: Record<string, string> = {
      ...values,
      DB_PASSWORD: password,
      DATABASE_URL: `postgres://app:${password}@db.internal:5432/app`,
      PRICE: 'costs $5',
    };
    const env = { SECRETS_ENV: 'development' };

    before(async () => {
      for (const [k, v] of Object.entries(values)) await fx.admin.createSecret(fx.org, 'development', { key: k, value: v });
      await fx.admin.deleteSecret(fx.org, 'development', 'ISOLATED').catch(() => {});
    });

    it('dotenv (the default) refuses, naming key and dialect, a value not every reader reads back; --dialect shell writes it for bash', async () => {
      const d = await secrets(['export'], as(env));
      assert.equal(d.code, 15);
      assert.match(d.stderr, /^secrets: Cannot write "DATABASE_URL" to a \.env file \(portable\): .*name it as the dialect/);
      assert.ok(!d.stderr.includes('w"o$rd'), d.stderr);
      assert.equal(d.stdout, '', 'nothing is written before the refusal');
      const r = await secrets(['export', '--format', 'dotenv', '--dialect', 'shell'], as(env));
      assert.equal(r.code, 0, r.stderr);
      const dir = mkdtempSync(join(tmpdir(), 'cli-dotenv-'));
      writeFileSync(join(dir, '.env'), r.stdout);
      const script = `set -a; . ./.env; node -e 'process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(resolved))}.map(k => [k, process.env[k]]))))'`;
      for (const shell of ['bash', 'dash']) {
        assert.deepEqual(JSON.parse(execFileSync(shell, ['-c', script], { cwd: dir, encoding: 'utf8' })), resolved, shell);
      }
    });

    it('dotenv writes PEM keys, JSON and quotes so that every real reader reads the file back exactly', async function () {
      this.timeout(60_000);
      const portable: Record<string, string> = {
        RT_PEM: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n+/x=\n-----END PRIVATE KEY-----\n',
        RT_JSON: '{"user":"admin","pass":"p@ss w0rd #1","nested":{"a":[1,2]}}',
        RT_QUOTE: "it's here",
        RT_TICKS: '`not run` #not a comment',
        RT_TILDE: '~/home',
        RT_SPACES: '  padded  ',
      };
      await fx.admin.createEnvironment(fx.org, { slug: 'dotenv-readers' });
      for (const [k, v] of Object.entries(portable)) await fx.admin.createSecret(fx.org, 'dotenv-readers', { key: k, value: v });
      const r = await secrets(['export'], as({ SECRETS_ENV: 'dotenv-readers' }));
      assert.equal(r.code, 0, r.stderr);
      for (const reader of READERS) assert.deepEqual(readWith(reader, r.stdout, 'RT_'), portable, reader);
    });

    it('--dialect is checked before anything is fetched: unknown names and other formats are usage errors', async () => {
      const unknown = await secrets(['export', '--dialect', 'bashish'], as(env));
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /Unknown dialect "bashish": use portable, node, dotenv, dotenvx, python-dotenv, compose, shell/);
      const json = await secrets(['export', '--format', 'json', '--dialect', 'node'], as(env));
      assert.equal(json.code, 2);
      assert.match(json.stderr, /--dialect applies to --format dotenv only/);
    });

    it('json prints one object of resolved values (--format json and --json alike)', async () => {
      const a = await secrets(['export', '--format', 'json'], as(env));
      const b = await secrets(['export', '--json'], as(env));
      assert.deepEqual(JSON.parse(a.stdout), resolved);
      assert.equal(a.stdout, b.stdout);
    });

    it('shell prints export lines a POSIX shell evaluates back to the exact values', async () => {
      const r = await secrets(['export', '--format', 'shell'], as(env));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^export DATABASE_URL='postgres:\/\/app:/m);
      const script = `eval "$(cat)"; node -e 'process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(resolved))}.map(k => [k, process.env[k]]))))'`;
      const out = execFileSync('sh', ['-c', script], { input: r.stdout, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), resolved);
    });

    it('a value no dotenv quoting can hold exits 15 naming the key; shell and json still carry it', async () => {
      const awkward = `it's "quoted", \`ticked\` #and hashed`;
      await fx.admin.createSecret(fx.org, 'staging', { key: 'AWKWARD', value: awkward });
      const d = await secrets(['export'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(d.code, 15);
      assert.match(d.stderr, /^secrets: Cannot write "AWKWARD" to a \.env file \(portable\): /);
      assert.ok(!d.stderr.includes(awkward));
      const sh = await secrets(['export', '--format', 'shell'], as({ SECRETS_ENV: 'staging' }));
      const out = execFileSync('sh', ['-c', 'eval "$(cat)"; printf %s "$AWKWARD"'], { input: sh.stdout, encoding: 'utf8' });
      assert.equal(out, awkward);
      await fx.admin.deleteSecret(fx.org, 'staging', 'AWKWARD');
    });

    it('a reader that stops early (| head) ends export quietly, not with an error', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'bulk' });
      const big = 'x'.repeat(8 * 1024);
      await Promise.all(Array.from({ length: 20 }, (_, i) => fx.admin.createSecret(fx.org, 'bulk', { key: `BULK_${i}`, value: `${i}${big}` })));
      const child = startSecrets(['export'], as({ SECRETS_ENV: 'bulk' }));
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin!.end();
      child.stdout!.once('data', () => child.stdout!.destroy());
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });

    it('an unknown format is a usage error (exit 2)', async () => {
      const r = await secrets(['export', '--format', 'yaml'], as(env));
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'secrets: Unknown format "yaml": use dotenv, json or shell\n');
    });

    it('a reference cycle exits 13 naming the whole cycle', async () => {
      await fx.admin.createSecret(fx.org, 'staging', { key: 'CYC_A', value: 'a-$CYC_B' });
      await fx.admin.createSecret(fx.org, 'staging', { key: 'CYC_B', value: 'b-${CYC_A}' });
      const r = await secrets(['export'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(r.code, 13);
      assert.match(r.stderr, /^secrets: Secret references form a cycle: CYC_(A → CYC_B → CYC_A|B → CYC_A → CYC_B)\n$/);
      await fx.admin.deleteSecret(fx.org, 'staging', 'CYC_A');
      await fx.admin.deleteSecret(fx.org, 'staging', 'CYC_B');
    });

    it('a missing reference exits 13 naming the secret and the missing name', async () => {
      await fx.admin.createSecret(fx.org, 'staging', { key: 'DANGLING', value: 'x-$NOT_THERE' });
      const r = await secrets(['export'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(r.code, 13);
      assert.equal(r.stderr, 'secrets: Secret DANGLING references NOT_THERE, which is not a secret in this environment\n');
      const kept = await secrets(['export', '--json', '--keep-missing'], as({ SECRETS_ENV: 'staging' }));
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(JSON.parse(kept.stdout).DANGLING, 'x-$NOT_THERE');
      await fx.admin.deleteSecret(fx.org, 'staging', 'DANGLING');
    });
  });

  describe('service tokens', () => {
    it('a service token needs no --org or --env: login stores its scope, ls and export use it', async () => {
      await fx.admin.createSecret(fx.org, 'staging', { key: 'SVC_VISIBLE', value: 'svc-value-1' });
      const svc = await fx.admin.createServiceToken(fx.org, { name: 'ci', environment: 'staging' });
      const home = freshHome();
      const login = await secrets(['login', '--url', fx.url], { env: { ...home, SECRETS_TOKEN: svc.token } });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /a service token for acme\/staging/);
      const stored = JSON.parse(readFileSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json'), 'utf8'));
      assert.equal(stored.org, fx.org);
      assert.equal(stored.env, 'staging');
      const ls = await secrets(['ls', '--json'], { env: home });
      assert.ok((JSON.parse(ls.stdout) as { key: string }[]).some((s) => s.key === 'SVC_VISIBLE'), ls.stderr);
      // Through SECRETS_TOKEN alone the scope comes from GET /v1/me.
      const exp = await secrets(['export', '--json'], { env: { ...freshHome(), SECRETS_URL: fx.url, SECRETS_TOKEN: svc.token } });
      assert.equal(exp.code, 0, exp.stderr);
      assert.equal(JSON.parse(exp.stdout).SVC_VISIBLE, 'svc-value-1');
    });
  });

  describe('usage and failures', () => {
    it('an unknown command, an unknown option and an option the command does not take exit 2', async () => {
      const a = await secrets(['frobnicate'], as());
      assert.equal(a.code, 2);
      assert.equal(a.stderr, 'secrets: Unknown command "frobnicate" (see secrets --help)\n');
      const b = await secrets(['ls', '--bogus'], as());
      assert.equal(b.code, 2);
      assert.match(b.stderr, /^secrets: Unknown option '--bogus' \(see secrets --help\)\n$/);
      const c = await secrets(['get', 'X', '--search', 'y'], as());
      assert.equal(c.code, 2);
      assert.equal(c.stderr, 'secrets: secrets get does not take --search (see secrets get --help)\n');
    });

    it('--help and --version answer without a server', async () => {
      const h = await secrets(['--help'], { env: freshHome() });
      assert.equal(h.code, 0);
      assert.match(h.stdout, /Usage: secrets <command>/);
      for (const c of ['login', 'logout', 'orgs', 'envs', 'ls', 'get', 'set', 'rm', 'export', 'run']) assert.match(h.stdout, new RegExp(`\\n  ${c} `));
      const s = await secrets(['set', '--help'], { env: freshHome() });
      assert.match(s.stdout, /never taken from\s+the command line/);
      const v = await secrets(['--version'], { env: freshHome() });
      assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
    });

    it('SECRETS_DEBUG=1 logs each request with method, path, status and time', async () => {
      const r = await secrets(['ls'], as({ SECRETS_DEBUG: '1' }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^secrets: debug: GET \/v1\/orgs\/acme\/environments\/production\/secrets → 200 \(\d+ ms\)$/m);
    });

    it('an unreachable server exits 12 with one line', async () => {
      const r = await secrets(['orgs'], as({ SECRETS_URL: 'http://127.0.0.1:9' }));
      assert.equal(r.code, 12);
      assert.match(r.stderr, /^secrets: [^\n]+\n$/);
    });

    it('an invalid URL exits 9 and a damaged credentials file exits 3 without quoting it', async () => {
      const u = await secrets(['orgs', '--url', 'ftp://x'], as());
      assert.equal(u.code, 9);
      assert.equal(u.stderr, 'secrets: The server URL must be an http:// or https:// URL\n');
      const home = freshHome();
      mkdirSync(join(home.XDG_CONFIG_HOME, 'secrets'), { recursive: true });
      writeFileSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json'), `{"url": "${fx.url}", "token": "${fx.adminToken}"`, { mode: 0o600 });
      const r = await secrets(['orgs'], { env: home });
      assert.equal(r.code, 3);
      assert.match(r.stderr, /credentials\.json is not valid JSON; run `secrets login` again\n$/);
      assert.ok(!r.stderr.includes(fx.adminToken));
    });
  });
});
