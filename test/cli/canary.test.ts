// No token and no secret value in anything the CLI prints when it fails, debug logging included. Each
// failing command runs with canary tokens and values; stderr (and stdout) are searched for them and for
// their encoded forms.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskForms } from '../../core/mask.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliResult } from './run-cli.ts';

const canary = (label: string) => `CANARY_${label}_${randomBytes(12).toString('hex')}`;

describe('secrets CLI never prints a token or a secret value when it fails', function () {
  let fx: Fixture;
  let env: Record<string, string>;
  const values = {
    LOOP_A: `${canary('LOOP_A')}-$LOOP_B`,
    LOOP_B: `${canary('LOOP_B')}-$LOOP_A`,
    HIDDEN: canary('HIDDEN'),
    AWKWARD: `'${canary('AWKWARD')}' "x" \`y\` #z`,
  };
  const fakeToken = `scrt_pat_${canary('TOKEN')}`;
  const forbidden: string[] = [];

  function assertClean(r: CliResult, what: string, opts: { stdoutToo?: boolean } = {}) {
    const shown = r.stderr.length > 2000 ? `${r.stderr.slice(0, 2000)}… (${r.stderr.length} characters)` : r.stderr;
    assert.notEqual(r.code, 0, `${what} should fail`);
    assert.ok(r.stderr.length > 0, `${what} printed no error`);
    for (const secret of forbidden) {
      for (const form of maskForms(secret).filter((f) => f.length >= 8)) {
        assert.ok(!r.stderr.includes(form), `${what}: stderr contains a form of a secret:\n${shown}`);
        if (opts.stdoutToo !== false) assert.ok(!r.stdout.includes(form), `${what}: stdout contains a form of a secret`);
      }
    }
    assert.ok(!/CANARY_/.test(r.stderr), `${what}: a canary reached stderr:\n${shown}`);
    assert.match(r.stderr, /^secrets: /, `${what}: the error is not a secrets: line:\n${shown}`);
  }

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture();
    for (const [key, value] of Object.entries(values)) await fx.admin.createSecret(fx.org, 'staging', { key, value });
    forbidden.push(fx.adminToken, fx.viewerToken, fakeToken, ...Object.values(values), ...Object.values(values).map((v) => v.split('-$')[0]!));
    env = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'staging', SECRETS_DEBUG: '1', ...freshHome() };
  });
  after(async () => fx?.close());

  it('a value typed on the command line of set', async () => {
    const v = canary('ARGV');
    forbidden.push(v);
    assertClean(await secrets(['set', 'FROM_ARGV', v], { env }), 'set KEY VALUE');
    assertClean(await secrets(['ls', v], { env }), 'ls VALUE');
    assertClean(await secrets(['ls', `--value=${v}`], { env }), 'ls --value=VALUE');
  });

  it('a rejected token, from SECRETS_TOKEN and from stdin', async () => {
    assertClean(await secrets(['login', '--url', fx.url], { env: { ...freshHome(), SECRETS_DEBUG: '1', SECRETS_TOKEN: fakeToken } }), 'login with a bad SECRETS_TOKEN');
    assertClean(await secrets(['login', '--url', fx.url], { env: { ...freshHome(), SECRETS_DEBUG: '1' }, input: fakeToken + '\n' }), 'login with a bad token on stdin');
    assertClean(await secrets(['ls'], { env: { ...env, SECRETS_TOKEN: fakeToken } }), 'ls with a bad token');
  });

  it('a token with a stray space or control character', async () => {
    assertClean(await secrets(['orgs'], { env: { ...env, SECRETS_TOKEN: `${fakeToken} x` } }), 'token with a space');
    assertClean(await secrets(['login', '--url', fx.url], { env: { ...freshHome() }, input: `${fakeToken}\tx\n` }), 'token with a tab');
  });

  it('reference cycles and missing references among canary values', async () => {
    assertClean(await secrets(['export'], { env }), 'export with a cycle');
    assertClean(await secrets(['run', '--', 'true'], { env }), 'run with a cycle');
  });

  it('a value dotenv cannot hold', async () => {
    await fx.admin.deleteSecret(fx.org, 'staging', 'LOOP_A');
    await fx.admin.deleteSecret(fx.org, 'staging', 'LOOP_B');
    assertClean(await secrets(['export', '--format', 'dotenv'], { env }), 'export of an unrepresentable value');
  });

  it('a command that cannot start, with the secrets already revealed', async () => {
    assertClean(await secrets(['run', '--', 'no-such-command-canary'], { env }), 'run with a missing command');
  });

  it('forbidden, not found, too large and unreachable answers, with debug logging on', async () => {
    assertClean(await secrets(['get', 'HIDDEN'], { env: { ...env, SECRETS_TOKEN: fx.viewerToken, SECRETS_ENV: 'staging' } }), 'viewer get');
    assertClean(await secrets(['get', 'NOPE'], { env }), 'get of a missing key');
    const huge = canary('HUGE') + 'x'.repeat(70 * 1024);
    forbidden.push(huge.slice(0, 40));
    assertClean(await secrets(['set', 'TOO_BIG'], { env, input: huge }), 'set of a value over 64 KiB');
    assertClean(await secrets(['set', 'HIDDEN'], { env, input: values.HIDDEN }), 'set of the same value again');
    assertClean(await secrets(['orgs'], { env: { ...env, SECRETS_URL: 'http://127.0.0.1:9' } }), 'unreachable server');
  });

  it('a URL with a password in it, and a damaged credentials file holding the token', async () => {
    const pass = canary('URLPASS');
    forbidden.push(pass);
    assertClean(await secrets(['orgs', '--url', `http://user:${pass}@127.0.0.1:9`], { env }), 'URL with a password');
    const home = freshHome();
    mkdirSync(join(home.XDG_CONFIG_HOME, 'secrets'), { recursive: true });
    writeFileSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json'), `{"url":"${fx.url}","token":"${fakeToken}"`, { mode: 0o600 });
    assertClean(await secrets(['orgs'], { env: { ...home, SECRETS_DEBUG: '1' } }), 'damaged credentials');
  });
});
