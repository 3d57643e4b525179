// `secrets watch` and `secrets run --watch` as processes against the live server: changes printed as
// they happen (never a value), a dropped connection resumed with nothing missed, the command restarted
// exactly once per debounced burst with fresh values (SIGTERM, then SIGKILL after --grace) and its own
// exit status forwarded.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentEvent } from '../../core/api-types.ts';
import { startProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, startSecrets } from './run-cli.ts';

interface Watched {
  child: ChildProcess;
  out(): string;
  err(): string;
  lines(): string[];
  waitFor(what: string, done: () => boolean, ms?: number): Promise<void>;
  exit: Promise<number | null>;
}

function watched(child: ChildProcess): Watched {
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = once(child, 'close').then(([code]) => code as number | null);
  return {
    child,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter(Boolean),
    exit,
    async waitFor(what, done, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!done()) {
        if (child.exitCode !== null) throw new Error(`secrets exited (${child.exitCode}) before ${what}\nstdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

const value = (label: string) => `watch-canary-${label}-${'7c3e9a1f5b'.repeat(3)}`;

describe('secrets watch and run --watch', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let proxy: TcpProxy | undefined;
  const started: ChildProcess[] = [];
  const as = (url: string, env: string, extra: Record<string, string> = {}) => ({
    env: { SECRETS_URL: url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: env, ...freshHome(), ...extra },
  });
  const watchers: Watched[] = [];
  const start = (args: string[], url: string, env: string) => {
    const c = startSecrets(args, as(url, env));
    started.push(c);
    const w = watched(c);
    watchers.push(w);
    return w;
  };

  before(async () => {
    await ensureBuilt();
    fx = await startFixture('watchco');
  });
  afterEach(async () => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // The commands `run` started outlive a killed CLI (they hold the test's pipes): stop them by pid.
    for (const w of watchers.splice(0)) {
      for (const l of w.lines()) {
        const pid = /^pid (\d+)$/.exec(l)?.[1];
        if (pid === undefined) continue;
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await proxy?.close();
    proxy = undefined;
  });
  after(async () => fx.close());

  it('secrets watch prints each change as a line (time, change, key, version, who) and --json one event per line — never a value', async () => {
    await fx.admin.createEnvironment(fx.org, { slug: 'watch-lines' });
    const human = start(['watch'], fx.url, 'watch-lines');
    const json = start(['watch', '--json'], fx.url, 'watch-lines');
    await human.waitFor('the ready note', () => /watching watch-lines from event 0/.test(human.err()));
    await json.waitFor('the ready event', () => json.lines().length === 1);
    await fx.admin.createSecret(fx.org, 'watch-lines', { key: 'API_KEY', value: value('a1') });
    await fx.admin.updateSecret(fx.org, 'watch-lines', 'API_KEY', { value: value('a2') });
    await fx.admin.applySecretBatch(fx.org, 'watch-lines', { secrets: [{ key: 'DB_URL', value: value('b1') }] });
    await fx.admin.deleteSecret(fx.org, 'watch-lines', 'API_KEY');
    await human.waitFor('four lines', () => human.lines().length === 4);
    await json.waitFor('five lines', () => json.lines().length === 5);
    const lines = human.lines();
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}created {2}API_KEY {2}v1 {2}Admin$/);
    assert.match(lines[1]!, /updated {2}API_KEY {2}v2 {2}Admin$/);
    assert.match(lines[2]!, /created {2}DB_URL {2}v1 {2}Admin$/);
    assert.match(lines[3]!, /deleted {2}API_KEY {2}v2 {2}Admin$/);
    const events = json.lines().map((l) => JSON.parse(l) as EnvironmentEvent);
    assert.deepEqual(
      events.map((e) => [e.type, e.id]),
      [
        ['ready', '0'],
        ['created', '1'],
        ['updated', '2'],
        ['created', '3'],
        ['deleted', '4'],
      ],
    );
    assert.deepEqual(Object.keys(events[1]!), ['type', 'id', 'environment', 'key', 'version', 'actor', 'time']);
    for (const w of [human, json]) assert.ok(!(w.out() + w.err()).includes('watch-canary'), 'a value was printed');
    human.child.kill('SIGINT');
    assert.equal(await human.exit, 130);
  });

  it('secrets watch resumes after a dropped connection: the changes made while it was cut off are printed once, in order', async () => {
    await fx.admin.createEnvironment(fx.org, { slug: 'watch-drop' });
    proxy = await startProxy(fx.url);
    const w = start(['watch', '--json'], proxy.url, 'watch-drop');
    await w.waitFor('ready', () => w.lines().length === 1);
    await fx.admin.createSecret(fx.org, 'watch-drop', { key: 'BEFORE_DROP', value: value('before') });
    await w.waitFor('the first change', () => w.lines().length === 2);
    proxy.drop();
    await w.waitFor('the note about the lost stream', () => /lost the event stream of watchco\/watch-drop/.test(w.err()));
    // Written while every connection of the watcher is refused.
    for (let i = 0; i < 6; i++) await fx.admin.createSecret(fx.org, 'watch-drop', { key: `WHILE_CUT_${i}`, value: value(`cut${i}`) });
    await fx.admin.deleteSecret(fx.org, 'watch-drop', 'BEFORE_DROP');
    assert.equal(w.lines().length, 2, 'nothing arrives while cut off');
    proxy.reconnect();
    await w.waitFor('the seven changes made meanwhile', () => w.lines().length >= 10);
    await fx.admin.createSecret(fx.org, 'watch-drop', { key: 'AFTER', value: value('after') });
    await w.waitFor('the live change', () => w.lines().some((l) => l.includes('"AFTER"')));
    const changes = w
      .lines()
      .map((l) => JSON.parse(l) as EnvironmentEvent)
      .filter((e) => e.type !== 'ready');
    assert.deepEqual(
      changes.map((e) => (e.type === 'reset' ? 'reset' : `${e.type} ${e.key} #${e.id}`)),
      ['created BEFORE_DROP #1', ...Array.from({ length: 6 }, (_, i) => `created WHILE_CUT_${i} #${i + 2}`), 'deleted BEFORE_DROP #8', 'created AFTER #9'],
    );
  });

  /** Started with a token of the test's choosing (not the admin's). */
  const startWith = (args: string[], url: string, env: string, token: string) => {
    const c = startSecrets(args, as(url, env, { SECRETS_TOKEN: token }));
    started.push(c);
    const w = watched(c);
    watchers.push(w);
    return w;
  };

  it('secrets watch exits 4 once its token is revoked (at the next connection: the open stream is not cut), as cli/ERRORS.md says', async () => {
    await fx.admin.createEnvironment(fx.org, { slug: 'watch-revoked' });
    const { id, token } = await fx.admin.createServiceToken(fx.org, { name: 'watcher', environment: 'watch-revoked' });
    proxy = await startProxy(fx.url);
    const w = startWith(['watch', '--json'], proxy.url, 'watch-revoked', token);
    await w.waitFor('ready', () => w.lines().length === 1);
    await fx.admin.revokeServiceToken(fx.org, id);
    proxy.drop();
    await w.waitFor('the note about the lost stream', () => /lost the event stream/.test(w.err()));
    proxy.reconnect();
    assert.equal(await w.exit, 4, w.err());
    assert.match(w.err(), /\nsecrets: .*\(run `secrets login` again, or check SECRETS_TOKEN\)\n$/);
    assert.ok(!w.err().includes(token), 'the token was printed');
  });

  it('secrets watch exits 6 for an unknown environment, 130 on SIGINT and 143 on SIGTERM', async () => {
    const unknown = start(['watch'], fx.url, 'no-such-env');
    assert.equal(await unknown.exit, 6, unknown.err());
    await fx.admin.createEnvironment(fx.org, { slug: 'watch-signals' });
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const w = start(['watch', '--json'], fx.url, 'watch-signals');
      await w.waitFor('ready', () => w.lines().length === 1);
      w.child.kill(signal);
      assert.equal(await w.exit, code, `${signal}: ${w.err()}`);
    }
  });

  it('secrets audit --follow exits 130 on SIGINT, and 4 at the next poll once its token is revoked', async () => {
    const auditor = await fx.admin.createUser({ name: 'Ada Auditor', email: 'ada-auditor@example.com' });
    await fx.admin.putMember(fx.org, auditor.user.id, 'admin');
    const asAuditor = clientFor(fx.url, auditor.token);
    try {
      const pat = await asAuditor.createPersonalToken({ name: 'follow' });
      const interrupted = startWith(['audit', '--follow', '--json', '--limit', '1', '--interval', '200ms'], fx.url, 'production', pat.token);
      await interrupted.waitFor('the backlog', () => interrupted.lines().length === 1);
      interrupted.child.kill('SIGINT');
      assert.equal(await interrupted.exit, 130, interrupted.err());

      const revoked = startWith(['audit', '--follow', '--json', '--limit', '1', '--interval', '200ms'], fx.url, 'production', pat.token);
      await revoked.waitFor('the backlog', () => revoked.lines().length === 1);
      await asAuditor.revokePersonalToken(pat.id);
      assert.equal(await revoked.exit, 4, revoked.err());
      assert.match(revoked.err(), /^secrets: .*\(run `secrets login` again, or check SECRETS_TOKEN\)\n$/);
    } finally {
      await asAuditor.close();
    }
  });

  describe('run --watch', () => {
    let script: string;
    before(() => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-run-watch-'));
      script = join(dir, 'child.cjs');
      // Prints one line per start with the value it got; exits by itself with 7 when told to by a value;
      // with IGNORE_TERM it ignores SIGTERM, so only SIGKILL stops it.
      writeFileSync(
        script,
        `const v = process.env.MODE ?? '';
process.stdout.write('start ' + v + '\\n');
process.stdout.write('pid ' + process.pid + '\\n');
if (v === 'exit-7') setTimeout(() => process.exit(7), 50);
process.on('SIGTERM', () => { if (process.env.IGNORE_TERM) { process.stdout.write('ignoring TERM\\n'); return; } process.stdout.write('stop ' + v + '\\n'); process.exit(0); });
setInterval(() => {}, 1000);
`,
      );
    });

    it('restarts the command exactly once per debounced burst, with the fresh values, and exits with its own status when it exits by itself', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'run-watch' });
      await fx.admin.createSecret(fx.org, 'run-watch', { key: 'MODE', value: 'first' });
      const w = start(['run', '--watch', '--debounce', '1500ms', '--grace', '5s', '--', process.execPath, script], fx.url, 'run-watch');
      const starts = () => w.lines().filter((l) => l.startsWith('start '));
      await w.waitFor('the first start', () => starts().length === 1);
      assert.equal(starts()[0], 'start first');

      // A burst: five changes well within the debounce window, one restart.
      for (let i = 1; i <= 4; i++) await fx.admin.updateSecret(fx.org, 'run-watch', 'MODE', { value: `burst-${i}` });
      await fx.admin.createSecret(fx.org, 'run-watch', { key: 'OTHER', value: value('other') });
      await w.waitFor('the restart', () => starts().length === 2);
      await new Promise((r) => setTimeout(r, 2_500));
      assert.deepEqual(starts(), ['start first', 'start burst-4'], w.err());
      assert.ok(w.lines().includes('stop first'), 'the old command got SIGTERM');
      assert.equal((w.err().match(/restarting/g) ?? []).length, 1, w.err());

      // A second burst, a second restart; this one's value makes the command exit by itself with 7.
      await fx.admin.updateSecret(fx.org, 'run-watch', 'MODE', { value: 'exit-7' });
      assert.equal(await w.exit, 7, w.err());
      assert.deepEqual(starts(), ['start first', 'start burst-4', 'start exit-7']);
    });

    it('sends SIGKILL after --grace to a command that ignores SIGTERM, then starts it again', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'run-grace' });
      await fx.admin.createSecret(fx.org, 'run-grace', { key: 'MODE', value: 'stubborn' });
      await fx.admin.createSecret(fx.org, 'run-grace', { key: 'IGNORE_TERM', value: '1' });
      const w = start(['run', '--watch', '--debounce', '200ms', '--grace', '400ms', '--', process.execPath, script], fx.url, 'run-grace');
      const starts = () => w.lines().filter((l) => l.startsWith('start '));
      await w.waitFor('the first start', () => starts().length === 1);
      await fx.admin.updateSecret(fx.org, 'run-grace', 'MODE', { value: 'replaced' });
      await w.waitFor('the restart', () => starts().length === 2);
      assert.ok(w.lines().includes('ignoring TERM'));
      assert.deepEqual(starts(), ['start stubborn', 'start replaced']);
    });

    it('keeps the command running when the new values are refused (a name clients refuse), and says why', async () => {
      await fx.admin.createEnvironment(fx.org, { slug: 'run-refused' });
      await fx.admin.createSecret(fx.org, 'run-refused', { key: 'MODE', value: 'kept' });
      const w = start(['run', '--watch', '--debounce', '200ms', '--', process.execPath, script], fx.url, 'run-refused');
      await w.waitFor('the first start', () => w.lines().includes('start kept'));
      await fx.admin.createSecret(fx.org, 'run-refused', { key: 'NODE_OPTIONS', value: '--require=/tmp/evil.js' });
      await w.waitFor('the refusal note', () => /cannot be used, so the command keeps running/.test(w.err()));
      assert.match(w.err(), /NODE_OPTIONS/);
      assert.deepEqual(
        w.lines().filter((l) => l.startsWith('start ')),
        ['start kept'],
      );
    });
  });
});
