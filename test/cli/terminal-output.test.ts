// Issue 8 §8: names and descriptions come from the server and are printed on the user's terminal, where an
// escape sequence acts instead of showing. The real CLI against the live server prints them without any.
import assert from 'node:assert/strict';
import { stripTerminalControls } from '../../core/terminal-text.ts';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

// What a hostile Editor or Admin could store: retitle the window (OSC 0, BEL-terminated), write the
// clipboard (OSC 52, ST-terminated), clear the screen and home the cursor (CSI), ring the bell, the 8-bit
// C1 CSI, a DCS string, a terminal reset (ESC c), a bidi override and a carriage return that would
// let the rest of the line overwrite its start.
const HOSTILE = [
  'Rotate yearly',
  '\u001b]0;pwned-title\u0007',
  '\u001b]52;c;cHduZWQ=\u001b\\',
  '\u001b[2J\u001b[H',
  '\u0007',
  '\u009b31m',
  '\u001bPq#0;2;0;0;0\u001b\\',
  '\u001bc',
  '\u202eevil\u202c',
  '\rfake prompt $',
].join(' ');
// Anything a terminal acts on: C0 but the line feeds that end rows, DEL, C1, bidi overrides.
const ACTS_ON_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('secrets CLI output carries no terminal control sequences from the server (live server)', function () {
  let fx: Fixture;
  let as: (extra?: Record<string, string>) => CliOptions;
  let memberToken: string;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('term');
    await fx.admin.createSecret(fx.org, 'production', { key: 'ROTATED_KEY', value: 'terminal-canary-value-1e9a', description: HOSTILE });
    await fx.admin.createEnvironment(fx.org, { slug: 'hostile', name: `Hostile \u001b]0;env-title\u0007\u001b[2J env` });
    const member = await fx.admin.createUser({ name: `Mallory \u001b]0;user-title\u0007\u009b2J`, email: 'mallory@example.com' });
    await fx.admin.putMember(fx.org, member.user.id, 'editor');
    memberToken = member.token;
    const asMember = clientFor(fx.url, memberToken);
    try {
      await asMember.updateSecret(fx.org, 'production', 'ROTATED_KEY', { description: HOSTILE + ' (edited)' });
    } finally {
      await asMember.close();
    }
    const base = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production', ...freshHome() };
    as = (extra = {}) => ({ env: { ...base, ...extra } });
  });
  after(async () => fx?.close());

  function clean(out: string, what: string): void {
    const hit = ACTS_ON_TERMINAL.exec(out);
    assert.equal(hit, null, `${what} printed ${JSON.stringify(hit?.[0])}: ${JSON.stringify(out)}`);
  }

  it('secrets ls prints the description (and who updated it) without OSC, CSI, BEL, C1 CSI, DCS or bidi overrides', async () => {
    const r = await secrets(['ls'], as());
    assert.equal(r.code, 0, r.stderr);
    clean(r.stdout + r.stderr, 'ls');
    assert.match(r.stdout, /ROTATED_KEY .*Mallory .*Rotate yearly/);
    assert.ok(!r.stdout.includes('pwned-title') && !r.stdout.includes('cHduZWQ='), 'the payload of a control string goes with it');
  });

  it('secrets envs and whoami print server-provided names without control sequences', async () => {
    const envs = await secrets(['envs'], as());
    assert.equal(envs.code, 0, envs.stderr);
    clean(envs.stdout, 'envs');
    assert.match(envs.stdout, /hostile +Hostile +env/);
    const who = await secrets(['whoami'], as({ SECRETS_TOKEN: memberToken }));
    assert.equal(who.code, 0, who.stderr);
    clean(who.stdout, 'whoami');
    assert.match(who.stdout, /^Mallory +<mallory@example.com> on /);
  });

  it('--json keeps the exact text, escaped by JSON, for scripts', async () => {
    const r = await secrets(['ls', '--json'], as());
    assert.equal(r.code, 0, r.stderr);
    clean(r.stdout, 'ls --json');
    const [meta] = JSON.parse(r.stdout) as { description: string }[];
    assert.equal(meta!.description, HOSTILE + ' (edited)');
  });

  it('stripTerminalControls keeps printable text of any script and turns tabs and line breaks into spaces', () => {
    assert.equal(stripTerminalControls('Grüße 日本 🔑\tnext\r\nline'), 'Grüße 日本 🔑 next  line');
    assert.equal(stripTerminalControls('a\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\b'), 'alinkb');
    assert.equal(stripTerminalControls('unterminated \u001b]0;title'), 'unterminated ');
    assert.equal(stripTerminalControls('x\u001b[38;5;196my\u001b(Bz\u009dhidden\u009c!'), 'xyz!');
  });
});
