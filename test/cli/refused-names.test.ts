// Issue 8 §1 and the shell-export bullet of §2, end to end: the real `secrets` executable against the live
// server. A name that changes how programs start (BASH_ENV, NODE_OPTIONS, …) is refused by `run` and by
// every `export` format unless --allow-name lets it through; `run` never hands the CLI's own token to the
// command; `export --format shell` output reads back byte for byte in real bash, dash and zsh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

const NODE = process.execPath;
const PRINT_ENV = (names: string[]) =>
  `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((k) => [k, process.env[k] ?? null]))))`;
const SHELLS = ['bash', 'dash', 'zsh'] as const;

describe('secrets run and export refuse names that change how programs start (live server)', function () {
  let fx: Fixture;
  let opts: (env: string, extra?: Record<string, string>) => CliOptions;
  const marker = join(mkdtempSync(join(tmpdir(), 'secrets-refused-')), 'ran');
  // What an Editor could store to run code in the next node or bash process.
  const hostile = {
    NODE_OPTIONS: `--import=data:text/javascript,process.getBuiltinModule('fs').writeFileSync('${marker}','')`,
    BASH_ENV: `${marker}-bash-env.sh`,
  };

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture();
    const editor = await fx.admin.createUser({ name: 'Eddie Editor', email: 'eddie@example.com' });
    await fx.admin.putMember(fx.org, editor.user.id, 'editor');
    const asEditor = clientFor(fx.url, editor.token);
    try {
      for (const [key, value] of Object.entries({ ...hostile, APP_NAME: 'refused-names-canary-app-9d41' })) {
        await asEditor.createSecret(fx.org, 'staging', { key, value });
      }
    } finally {
      await asEditor.close();
    }
    const base = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, ...freshHome() };
    opts = (env, extra = {}) => ({ env: { ...base, SECRETS_ENV: env, ...extra } });
  });
  after(async () => fx?.close());

  function refused(r: { code: number | null; stdout: string; stderr: string }): void {
    assert.equal(r.code, 16, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^secrets: Refusing to export secrets named BASH_ENV \(a shell reads it[^;]*\); NODE_OPTIONS \(a language runtime reads it[^)]*\)\n$/);
    for (const v of Object.values(hostile)) assert.ok(!r.stderr.includes(v));
  }

  it('run refuses an Editor-created BASH_ENV and NODE_OPTIONS (exit 16) and never starts the command', async () => {
    refused(await secrets(['run', '--', NODE, '-e', 'process.stdout.write("started")'], opts('staging')));
    assert.equal(existsSync(marker), false);
  });

  for (const format of ['dotenv', 'json', 'shell']) {
    it(`export --format ${format} refuses them (exit 16) and prints nothing`, async () => {
      refused(await secrets(['export', '--format', format], opts('staging')));
    });
  }

  it('--allow-name lets exactly the named ones through, to run and to export', async () => {
    const one = await secrets(['export', '--json', '--allow-name', 'BASH_ENV'], opts('staging'));
    assert.equal(one.code, 16);
    assert.match(one.stderr, /named NODE_OPTIONS \(/);
    assert.ok(!one.stderr.includes('BASH_ENV'));

    const both = ['--allow-name', 'BASH_ENV', '--allow-name', 'NODE_OPTIONS'];
    const json = await secrets(['export', '--json', ...both], opts('staging'));
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).NODE_OPTIONS, hostile.NODE_OPTIONS);

    const run = await secrets(['run', ...both, '--', NODE, '-e', PRINT_ENV(['BASH_ENV', 'APP_NAME'])], opts('staging'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { BASH_ENV: hostile.BASH_ENV, APP_NAME: 'refused-names-canary-app-9d41' });
    assert.equal(existsSync(marker), true, 'the allowed NODE_OPTIONS reached the child node');
  });

  it('run never passes its own token or settings to the command', async () => {
    await fx.admin.createSecret(fx.org, 'development', { key: 'APP_NAME', value: 'refused-names-canary-dev-51aa' });
    const names = ['SECRETS_TOKEN', 'SECRETS_URL', 'SECRETS_ORG', 'SECRETS_ENV', 'SECRETS_DEBUG', 'APP_NAME', 'KEPT'];
    const r = await secrets(['run', '--', NODE, '-e', PRINT_ENV(names)], opts('development', { SECRETS_DEBUG: '1', KEPT: 'kept-7f1e' }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      SECRETS_TOKEN: null,
      SECRETS_URL: null,
      SECRETS_ORG: null,
      SECRETS_ENV: null,
      SECRETS_DEBUG: null,
      APP_NAME: 'refused-names-canary-dev-51aa',
      KEPT: 'kept-7f1e',
    });
  });

  it('set of such a name stores it and warns, naming the key and why', async () => {
    const r = await secrets(['set', 'LD_PRELOAD'], { ...opts('development'), input: '/tmp/refused-names-canary-lib.so\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^secrets: warning: LD_PRELOAD is refused by the Action, `secrets run` and `secrets export` unless allowed by name \(allow-names, --allow-name\): the dynamic loader reads it/m);
    assert.match(r.stderr, /Created LD_PRELOAD in /);
    assert.ok(!r.stderr.includes('refused-names-canary-lib.so'));
  });

  describe('export --format shell in bash, dash and zsh', () => {
    const ran = join(mkdtempSync(join(tmpdir(), 'secrets-shell-')), 'executed');
    // Every character a shell might act on, each in a value of its own and all together.
    const values: Record<string, string> = {
      SINGLE_QUOTES: `it's 'quoted' and '\\'' escaped`,
      DOUBLE_QUOTES: `say "hi" and "\\"" and ""`,
      COMMAND_SUBST: `$(touch ${ran}) and $(touch ${ran})x`,
      BACKTICKS: `\`touch ${ran}\` \`\``,
      EXPANSIONS: '$HOME ${HOME} ${X:-y} $((1+1)) $0 $@ $* $# $? $$ $! ~ ~root *',
      NEWLINES: 'line one\nline two\n\nline four\n',
      CARRIAGE_RETURNS: 'crlf\r\nand lone\rcr\r',
      BACKSLASHES: 'a\\b\\\\c\\n\\t\\',
      HISTORY_BANG: '!! !$ !-1 !touch ^a^b',
      UNICODE: 'ünïcødé 日本語 🔑 e\u0301 \u202eevil\u202c \u00a0nbsp',
      CONTROLS: 'tab\there bell\u0007 esc\u001b[31m del\u007f',
      SEMICOLONS: `a; touch ${ran} & | > ${ran} < /dev/null # not a comment`,
      ALL_AT_ONCE: `'"\`$(touch ${ran})\\\n!🔑\r'\\''`,
      TRAILING_BACKSLASH: 'ends with \\',
      SPACES: '  leading and trailing  ',
    };

    before(async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'shell' });
      // `$$` is how a stored value spells a literal `$` (README, References), so each resolves to the text above.
      for (const [key, value] of Object.entries(values)) await fx.admin.createSecret(fx.org, 'shell', { key, value: value.split('$').join('$$') });
    });

    for (const shell of SHELLS) {
      it(`${shell}: eval and . of the output give back every value byte for byte and run nothing`, async () => {
        const r = await secrets(['export', '--format', 'shell'], opts('shell'));
        assert.equal(r.code, 0, r.stderr);
        const keys = Object.keys(values).sort();
        const expected = Buffer.from(keys.map((k) => values[k] + '\0').join(''), 'utf8');
        const print = `printf '%s\\0' ${keys.map((k) => `"$${k}"`).join(' ')}`;
        const file = join(mkdtempSync(join(tmpdir(), 'secrets-shell-src-')), 'exports.sh');
        execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: r.stdout });
        for (const load of ['eval "$(cat)"', `. ${file}`]) {
          const input = load.startsWith('eval') ? r.stdout : '';
          // A Node pipe is a socket, which makes bash read ~/.bashrc as if started by rshd.
          const flags = shell === 'bash' ? ['--norc', '--noprofile'] : shell === 'zsh' ? ['-f'] : [];
          const out = execFileSync(shell, [...flags, '-c', `${load}; ${print}`], { input, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
          assert.ok(out.equals(expected), `${shell} via ${load}: ${JSON.stringify(out.toString('utf8'))}`);
          // Exported, not only set: a child process sees the same bytes.
          const child = execFileSync(shell, [...flags, '-c', `${load}; exec ${NODE} -e 'process.stdout.write(JSON.stringify(process.env))'`], { input, encoding: 'utf8' });
          const env = JSON.parse(child) as Record<string, string>;
          for (const k of keys) assert.equal(env[k], values[k], `${shell} child sees ${k}`);
        }
        assert.equal(existsSync(ran), false, 'nothing in a value was executed');
      });
    }

    it('a value with a NUL is refused by key (exit 9), never printed', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'nul' });
      await fx.admin.createSecret(fx.org, 'nul', { key: 'WITH_NUL', value: 'before\0after-canary-3c9e' });
      const r = await secrets(['export', '--format', 'shell'], opts('nul'));
      assert.equal(r.code, 9);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'secrets: Secret WITH_NUL contains a NUL character, which an environment variable cannot hold\n');
    });

    it('a name bash or zsh assigns as arithmetic (RANDOM, COLUMNS) is refused (exit 16): eval would run $(…) in a subscript', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'arith' });
      const payload = `path[$(touch ${ran})]`;
      for (const key of ['RANDOM', 'COLUMNS']) await fx.admin.createSecret(fx.org, 'arith', { key, value: payload });
      const r = await secrets(['export', '--format', 'shell'], opts('arith'));
      assert.equal(r.code, 16, r.stdout);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^secrets: Refusing to export secrets named COLUMNS \(bash, dash or zsh treat it specially.*; RANDOM \(/);
      // run hands them to a program, where no shell assigns them: no refusal there.
      const run = await secrets(['run', '--', NODE, '-e', PRINT_ENV(['RANDOM'])], opts('arith'));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { RANDOM: payload });
      assert.equal(existsSync(ran), false);
    });
  });
});
