// What only happens on a terminal: hidden prompts for the token and the value, and the confirmation of
// `secrets rm`. The CLI runs inside a real pseudo-terminal (util-linux `script`), and the test types into it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../cli/shell-quote.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { BIN, baseEnv, ensureBuilt, freshHome } from './run-cli.ts';

class Terminal {
  readonly #child: ChildProcess;
  output = '';
  readonly #closed: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
    this.#child = spawn('script', ['-qec', command, '/dev/null'], { env: baseEnv({ ...env, TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.#child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.#closed = new Promise((res) => this.#child.once('close', (code) => res(code)));
  }

  async waitFor(text: string, timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    while (!this.output.includes(text)) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(this.output)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  type(text: string): void {
    this.#child.stdin!.write(text);
  }

  async exit(): Promise<number | null> {
    const code = await this.#closed;
    this.#child.stdin!.end();
    return code;
  }
}

describe('secrets CLI on a terminal', function () {
  let fx: Fixture;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    // Installed by test/setup/tools.sh (Debian bsdutils); without it these tests fail, they never skip.
    assert.equal(spawnSync('script', ['--version']).status, 0, 'util-linux `script` is not installed: run bash test/setup/tools.sh');
    await ensureBuilt();
    fx = await startFixture();
    env = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production', ...freshHome() };
  });
  after(async () => fx?.close());

  it('login asks for the token without echoing it, then stores it', async () => {
    const home = freshHome();
    const t = new Terminal(['login', '--url', fx.url], home);
    await t.waitFor(`Token for ${fx.url}: `);
    t.type(fx.adminToken + '\r');
    assert.equal(await t.exit(), 0, t.output);
    assert.ok(!t.output.includes(fx.adminToken), `the token was echoed:\n${JSON.stringify(t.output)}`);
    assert.match(t.output, /Logged in to/);
    const stored = JSON.parse(readFileSync(join(home.XDG_CONFIG_HOME, 'secrets', 'credentials.json'), 'utf8'));
    assert.equal(stored.token, fx.adminToken);
  });

  it('set asks for the value without echoing it (backspace edits it) and stores what was typed', async () => {
    const t = new Terminal(['set', 'TYPED_SECRET'], env);
    await t.waitFor('Value for TYPED_SECRET (hidden): ');
    t.type('typed-hidden-valuX\u007fe\r');
    assert.equal(await t.exit(), 0, t.output);
    assert.ok(!t.output.includes('typed-hidden'), `the value was echoed:\n${t.output}`);
    assert.match(t.output, /Created TYPED_SECRET in acme\/production \(version 1\)/);
    assert.equal((await fx.admin.revealSecret(fx.org, 'production', 'TYPED_SECRET')).value, 'typed-hidden-value');
  });

  it('Ctrl-C at the value prompt stops with exit 130 and stores nothing', async () => {
    const t = new Terminal(['set', 'NEVER_STORED'], env);
    await t.waitFor('Value for NEVER_STORED (hidden): ');
    t.type('partial\u0003');
    assert.equal(await t.exit(), 130, t.output);
    assert.match(t.output, /secrets: Interrupted/);
    await assert.rejects(fx.admin.getSecret(fx.org, 'production', 'NEVER_STORED'), { code: 'SECRETS_NOT_FOUND' });
  });

  it('rm asks before deleting: anything but yes keeps the secret (exit 14), yes deletes it', async () => {
    await fx.admin.createSecret(fx.org, 'production', { key: 'ASK_FIRST', value: 'still-here' });
    const no = new Terminal(['rm', 'ASK_FIRST'], env);
    await no.waitFor('Delete ASK_FIRST from acme/production? It cannot be recovered. [y/N] ');
    no.type('\r');
    assert.equal(await no.exit(), 14, no.output);
    assert.match(no.output, /secrets: Not deleted: ASK_FIRST is unchanged/);
    assert.equal((await fx.admin.revealSecret(fx.org, 'production', 'ASK_FIRST')).value, 'still-here');

    const yes = new Terminal(['rm', 'ASK_FIRST'], env);
    await yes.waitFor('[y/N] ');
    yes.type('y\r');
    assert.equal(await yes.exit(), 0, yes.output);
    assert.match(yes.output, /Deleted ASK_FIRST from acme\/production/);
    await assert.rejects(fx.admin.getSecret(fx.org, 'production', 'ASK_FIRST'), { code: 'SECRETS_NOT_FOUND' });
  });

  it('rm of a key that does not exist fails before asking (exit 6)', async () => {
    const t = new Terminal(['rm', 'NOT_A_SECRET'], env);
    assert.equal(await t.exit(), 6, t.output);
    assert.doesNotMatch(t.output, /\[y\/N\]/);
    assert.match(t.output, /secrets: Secret NOT_A_SECRET does not exist in production/);
  });
});
