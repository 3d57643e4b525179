// Shell completion: the scripts load in real bash, zsh and fish without error, and completing in them
// offers commands, verbs, flags and values — organizations, environments and keys from the live server.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from '../../cli/shell-quote.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { BIN, baseEnv, ensureBuilt, freshHome } from './run-cli.ts';

describe('secrets completion in real shells', function () {
  let fx: Fixture;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('complete-co');
    await fx.admin.createSecret(fx.org, 'staging', { key: 'STRIPE_KEY', value: 'completion-canary-stripe-4e8a1c0b7d3f92' });
    await fx.admin.createSecret(fx.org, 'staging', { key: 'STRIPE_HOOK', value: 'completion-canary-hook-91b3e7d0a6c2f5' });
    // `secrets` on PATH, as an installed CLI is, so the scripts' calls back into it are the real thing.
    const bin = mkdtempSync(join(tmpdir(), 'secrets-completion-bin-'));
    writeFileSync(join(bin, 'secrets'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(BIN)} "$@"\n`);
    chmodSync(join(bin, 'secrets'), 0o755);
    env = baseEnv({ ...freshHome(), PATH: `${bin}:${process.env.PATH}`, SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org });
  });
  after(async () => fx?.close());

  const run = (shell: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const r = spawnSync(shell, args, { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** What bash offers for the words typed (the last one being completed). */
  const bashComplete = (...words: string[]) => {
    const script = `source <(secrets completion bash) || exit 9
COMP_WORDS=(${words.map(shellQuote).join(' ')}); COMP_CWORD=${words.length - 1}
_secrets; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = run('bash', ['--norc', '--noprofile', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter(Boolean).sort();
  };

  it('bash loads the script without error and registers it for secrets', () => {
    const r = run('bash', ['--norc', '--noprofile', '-c', 'source <(secrets completion bash) && complete -p secrets']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim(), 'complete -F _secrets secrets');
  });

  it('bash completes commands, verbs, flags and fixed values', () => {
    assert.deepEqual(bashComplete('secrets', 'to'), ['tokens']);
    assert.deepEqual(bashComplete('secrets', 'co'), ['compare', 'completion']);
    assert.deepEqual(bashComplete('secrets', 'tokens', ''), ['create', 'ls', 'revoke']);
    assert.deepEqual(bashComplete('secrets', 'tokens', 'create', '--ex'), ['--expires']);
    assert.deepEqual(bashComplete('secrets', 'import', 'x.env', '--d'), ['--dry-run']);
    assert.deepEqual(bashComplete('secrets', 'ret'), ['retention']);
    assert.deepEqual(bashComplete('secrets', 'retention', ''), ['set', 'show']);
    assert.deepEqual(bashComplete('secrets', 'retention', 'set', '--m'), ['--min-versions']);
    assert.deepEqual(bashComplete('secrets', 'export', '--format', ''), ['dotenv', 'json', 'shell']);
    assert.deepEqual(bashComplete('secrets', 'audit', '--outcome', 'd'), ['denied']);
    assert.deepEqual(bashComplete('secrets', 'members', 'set-role', 'u1', 'ed'), ['editor']);
    assert.deepEqual(bashComplete('secrets', 'completion', ''), ['bash', 'fish', 'zsh']);
  });

  it('bash completes organizations, environments and keys from the server, honouring --org and --env typed so far', () => {
    assert.deepEqual(bashComplete('secrets', 'ls', '--org', 'comp'), ['complete-co']);
    assert.deepEqual(bashComplete('secrets', 'ls', '--env', ''), ['development', 'production', 'staging']);
    assert.deepEqual(bashComplete('secrets', 'get', '--env', 'staging', 'STRIPE_'), ['STRIPE_HOOK', 'STRIPE_KEY']);
    assert.deepEqual(bashComplete('secrets', 'compare', 'staging', 'prod'), ['production']);
    // No such organization: nothing offered, and no error text in the middle of the command line.
    assert.deepEqual(bashComplete('secrets', 'get', '--org', 'no-such-org', '--env', 'staging', ''), []);
  });

  it('zsh loads the script without error, with compinit already run or not, and registers _secrets', () => {
    const withCompinit = run('zsh', ['-f', '-c', 'autoload -Uz compinit && compinit -u -D; source <(secrets completion zsh) && print -r -- $_comps[secrets]']);
    assert.equal(withCompinit.code, 0, withCompinit.stderr);
    assert.equal(withCompinit.stderr, '');
    assert.equal(withCompinit.stdout.trim(), '_secrets');
    const bare = run('zsh', ['-f', '-c', 'source <(secrets completion zsh) && print -r -- $_comps[secrets]'], { HOME: mkdtempSync(join(tmpdir(), 'zsh-home-')) });
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(bare.stderr, '');
    assert.equal(bare.stdout.trim(), '_secrets');
  });

  it('zsh walks the typed words as bash does and asks the server for keys', () => {
    const script = `source <(secrets completion zsh) || exit 9
__secrets_walk tokens; __secrets_what '' tokens
__secrets_walk get --env staging; __secrets_what '' staging
__secrets_dynamic keys`;
    const r = run('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D; ${script}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'words ls create revoke\ndynamic keys\nSTRIPE_HOOK\nSTRIPE_KEY\n');
  });

  it('fish loads the script without error and completes commands, verbs, flags and keys', () => {
    const complete = (line: string) => {
      const r = run('fish', ['--no-config', '-c', `secrets completion fish | source; or exit 9; complete -C ${shellQuote(line)}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort();
    };
    assert.deepEqual(complete('secrets tok'), ['tokens']);
    assert.deepEqual(complete('secrets tokens '), ['create', 'ls', 'revoke']);
    assert.deepEqual(complete('secrets import x.env --dry'), ['--dry-run']);
    assert.deepEqual(complete('secrets get --env staging STRIPE_'), ['STRIPE_HOOK', 'STRIPE_KEY']);
    assert.deepEqual(complete('secrets ls --env prod'), ['production']);
  });

  it('gives up within seconds on a server that never answers, so Tab does not freeze the shell', async function () {
    this.timeout(30_000);
    const silent = createServer(() => {}); // accepts connections, never answers
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const script = `source <(secrets completion bash); COMP_WORDS=(secrets get ''); COMP_CWORD=2; _secrets; echo "\${#COMPREPLY[@]}"`;
      const child = spawn('bash', ['--norc', '--noprofile', '-c', script], { env: { ...env, SECRETS_URL: `http://127.0.0.1:${port}`, SECRETS_ENV: 'staging' } });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await once(child, 'close');
      const seconds = (Date.now() - started) / 1000;
      assert.equal(out, '0\n');
      assert.ok(seconds < 8, `completion took ${seconds} s`);
    } finally {
      silent.close();
    }
  });

  it('never prints a value while completing keys', () => {
    const r = run('bash', ['--norc', '--noprofile', '-c', 'secrets __complete keys --env staging']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'STRIPE_HOOK\nSTRIPE_KEY\n');
  });
});
