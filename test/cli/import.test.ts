// `secrets import` end to end: the real executable, the real server, real files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../core/api-types.ts';
import { shellQuote } from '../../cli/shell-quote.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { BIN, baseEnv, collect, ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';

describe('secrets import against the live server', function () {
  let fx: Fixture;
  let dir: string;
  let envAuth: Record<string, string>;
  let envCount = 0;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('import-co');
    dir = mkdtempSync(join(tmpdir(), 'secrets-import-'));
    envAuth = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, ...freshHome() };
  });
  after(async () => fx?.close());

  /** A fresh environment per test, so each starts empty. */
  async function freshEnv(): Promise<string> {
    const slug = `imp-${++envCount}`;
    await fx.admin.createEnvironment(fx.org, { slug });
    return slug;
  }
  const as = (env: string, extra: Record<string, string> = {}): CliOptions => ({ env: { ...envAuth, SECRETS_ENV: env, ...extra } });
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const state = async (env: string) => (await fx.admin.listSecrets(fx.org, env)).map((s) => `${s.key}@${s.version}`);
  const value = async (env: string, key: string) => (await fx.admin.revealSecret(fx.org, env, key)).value;
  const auditCount = async () => {
    let n = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await fx.admin.listAudit(fx.org, { limit: 500, ...(cursor && { cursor }) });
      n += page.events.length;
      if (!page.nextCursor) return n;
      cursor = page.nextCursor;
    }
  };
  const canary = (name: string) => `import-canary-${name}-b73e0c91f4a28d56`;
  const noCanary = (text: string) => assert.ok(!text.includes('import-canary-'), 'a value was printed');

  it('imports a .env file: prints the plan (keys only) and creates every key with its exact value', async () => {
    const env = await freshEnv();
    const path = file('basic.env', [
      '# comment',
      `DATABASE_URL=${canary('db')}`,
      `export api_key="${canary('api')}"`,
      `MULTI="${canary('m1')}\\n${canary('m2')}"`,
      `SPACED = ${canary('spaced')}   # trailing comment`,
    ].join('\n'));
    const r = await secrets(['import', path], as(env));
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout + r.stderr);
    assert.equal(r.stdout, 'create DATABASE_URL\ncreate API_KEY\ncreate MULTI\ncreate SPACED\n');
    assert.equal(r.stderr, `Imported ${path} into import-co/${env}: 4 created, 0 updated, 0 unchanged, 0 existing left alone\n`);
    assert.equal(await value(env, 'API_KEY'), canary('api'));
    assert.equal(await value(env, 'MULTI'), `${canary('m1')}\n${canary('m2')}`);
    assert.equal(await value(env, 'SPACED'), canary('spaced'));
  });

  it('leaves existing keys alone without --overwrite; with it, updates changed values and keeps identical ones', async () => {
    const env = await freshEnv();
    await fx.admin.createSecret(fx.org, env, { key: 'SAME', value: canary('same') });
    await fx.admin.createSecret(fx.org, env, { key: 'CHANGED', value: canary('old') });
    const path = file('over.env', `SAME=${canary('same')}\nCHANGED=${canary('new')}\nADDED=${canary('added')}\n`);

    const keep = await secrets(['import', path, '--json'], as(env));
    assert.equal(keep.code, 0, keep.stderr);
    assert.deepEqual(JSON.parse(keep.stdout), { org: 'import-co', env, dryRun: false, created: ['ADDED'], updated: [], unchanged: [], keptExisting: ['SAME', 'CHANGED'] });
    assert.equal(await value(env, 'CHANGED'), canary('old'));

    const over = await secrets(['import', path, '--overwrite'], as(env));
    assert.equal(over.code, 0, over.stderr);
    noCanary(over.stdout + over.stderr);
    assert.equal(over.stdout, 'update CHANGED\nsame   SAME\nsame   ADDED\n');
    assert.deepEqual(await state(env), ['ADDED@1', 'CHANGED@2', 'SAME@1']);
    assert.equal(await value(env, 'CHANGED'), canary('new'));
  });

  it('--dry-run prints the plan and changes nothing, not even the audit trail', async () => {
    const env = await freshEnv();
    await fx.admin.createSecret(fx.org, env, { key: 'EXISTING', value: canary('existing') });
    const path = file('dry.json', JSON.stringify({ EXISTING: canary('existing-2'), NEW_KEY: canary('new-key') }));
    const before = await auditCount();
    const r = await secrets(['import', path, '--overwrite', '--dry-run'], as(env));
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout + r.stderr);
    assert.equal(r.stdout, 'create NEW_KEY\nupdate EXISTING\n');
    assert.match(r.stderr, /^Dry run for import-co\/imp-\d+, nothing changed: would be 1 created, 1 updated, 0 unchanged/);
    assert.deepEqual(await state(env), ['EXISTING@1']);
    assert.equal(await value(env, 'EXISTING'), canary('existing'));
    assert.equal(await auditCount(), before + 1); // the reveal just above, nothing else
  });

  it('imports 5,000 keys in one transaction, each audited as its own create', async function () {
    this.timeout(60_000);
    const env = await freshEnv();
    const lines = Array.from({ length: 5000 }, (_, i) => `KEY_${i}=${canary(`k${i}`)}`);
    const r = await secrets(['import', file('big.env', lines.join('\n')), '--json'], as(env));
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { created: string[] }).created.length, 5000);
    assert.equal((await state(env)).length, 5000);
    assert.equal(await value(env, 'KEY_4321'), canary('k4321'));
    const creates: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.admin.listAudit(fx.org, { limit: 500, ...(cursor && { cursor }) });
      creates.push(...page.events.filter((e) => e.action === 'secret.create' && e.environment === env));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(creates.length, 5000);
  });

  it('a file with one bad key among 5,000 changes nothing and names the key (exit 9)', async function () {
    this.timeout(60_000);
    const env = await freshEnv();
    const lines = Array.from({ length: 5000 }, (_, i) => `GOOD_${i}=${canary(`g${i}`)}`);
    lines.splice(2500, 0, `9BAD=${canary('bad')}`);
    const r = await secrets(['import', file('bad.env', lines.join('\n'))], as(env));
    assert.equal(r.code, 9);
    assert.equal(r.stderr, `secrets: Secret key must start with a letter or underscore and contain only A–Z, 0–9 and _ (max 128): "9BAD" in ${join(dir, 'bad.env')}\n`);
    noCanary(r.stdout + r.stderr);
    assert.deepEqual(await state(env), []);
  });

  /**
   * Starts an import and holds it once its first plan byte is out: the plan is far larger than a pipe
   * holds and the CLI's stdout writes to a pipe block, so until `during` is done the CLI sits after its
   * plan and before its apply. The CLI is killed if the test fails meanwhile.
   */
  async function heldAfterPlan(args: string[], env: string, during: () => Promise<void>) {
    const child = startSecrets(args, as(env));
    try {
      child.stdout!.pause();
      const first = await new Promise<Buffer>((r) => child.stdout!.once('readable', () => r(child.stdout!.read(1) as Buffer)));
      await during();
      const r = await collect(child);
      return { ...r, stdout: first.toString() + r.stdout };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  it('prints the plan before applying it: a key someone creates after the plan fails the whole import, named, exit 7, and changes nothing', async function () {
    this.timeout(60_000);
    const env = await freshEnv();
    await fx.admin.createSecret(fx.org, env, { key: 'ALREADY_THERE', value: canary('there') });
    // Long keys make the plan far larger than a pipe holds: while the test does not read, the CLI (whose
    // stdout writes to a pipe block) is held after its plan and before its apply — the moment to step in.
    const long = (i: number) => `IMPORTED_${String(i).padStart(4, '0')}_${'X'.repeat(90)}`;
    const lines = Array.from({ length: 5000 }, (_, i) => `${long(i)}=${canary(`p${i}`)}`);
    lines.splice(4990, 0, `LATE_KEY=${canary('late-from-file')}`);
    lines.push(`ALREADY_THERE=${canary('there-2')}`);
    const before = await auditCount();
    // Someone else creates one of the planned keys once the plan is out.
    const r = await heldAfterPlan(['import', file('late.env', lines.join('\n'))], env, async () => {
      await fx.admin.createSecret(fx.org, env, { key: 'LATE_KEY', value: canary('late-by-someone-else') });
    });
    const out = r.stdout;
    assert.equal(r.code, 7, r.stderr);
    noCanary(out + r.stderr);
    const plan = out.trimEnd().split('\n');
    assert.equal(plan.length, 5002);
    assert.equal(plan[0], `create ${long(0)}`);
    assert.equal(plan[4990], 'create LATE_KEY');
    assert.equal(plan[5001], 'keep   ALREADY_THERE');
    assert.equal(r.stderr, `secrets: Nothing was imported into import-co/${env}: A secret with the key LATE_KEY already exists in ${env}\n`);
    assert.deepEqual(await state(env), ['ALREADY_THERE@1', 'LATE_KEY@1']);
    assert.equal(await value(env, 'LATE_KEY'), canary('late-by-someone-else'));
    assert.equal(await auditCount(), before + 2); // the other create and the reveal just above
  });

  it('with --overwrite, a key changed by someone else after the plan fails the import with exit 8 and changes nothing', async function () {
    this.timeout(60_000);
    const env = await freshEnv();
    await fx.admin.createSecret(fx.org, env, { key: 'SHARED', value: canary('shared-1') });
    const long = (i: number) => `OVERWRITTEN_${String(i).padStart(4, '0')}_${'Y'.repeat(90)}`;
    const lines = [`SHARED=${canary('shared-from-file')}`, ...Array.from({ length: 3000 }, (_, i) => `${long(i)}=${canary(`o${i}`)}`)];
    const r = await heldAfterPlan(['import', '--overwrite', file('stale.env', lines.join('\n'))], env, async () => {
      await fx.admin.updateSecret(fx.org, env, 'SHARED', { value: canary('shared-2') });
    });
    const out = r.stdout;
    assert.equal(r.code, 8, r.stderr);
    assert.match(out, /^create OVERWRITTEN_0000_Y+\n/);
    assert.match(out, /\nupdate SHARED\n$/);
    assert.equal(r.stderr, `secrets: Nothing was imported into import-co/${env}: Secret SHARED was changed by someone else (version 2 is current, you had 1)\n`);
    assert.deepEqual(await state(env), ['SHARED@2']);
    assert.equal(await value(env, 'SHARED'), canary('shared-2'));
  });

  it('refuses an empty value, a key given twice, a non-string JSON value and JSON that is not an object (exit 9)', async () => {
    const env = await freshEnv();
    const empty = await secrets(['import', file('empty.env', `A=${canary('a')}\nB=\n`)], as(env));
    assert.equal(empty.code, 9);
    assert.match(empty.stderr, /^secrets: Secret value is required: B is empty in /);
    const twice = await secrets(['import', file('twice.env', `api_key=${canary('x')}\nAPI_KEY=${canary('y')}\n`)], as(env));
    assert.equal(twice.code, 9);
    assert.match(twice.stderr, /api_key and API_KEY in .* are the same key API_KEY once uppercased/);
    const number = await secrets(['import', file('num.json', '{"PORT": 8080}')], as(env));
    assert.equal(number.code, 9);
    assert.match(number.stderr, /The value of PORT in .* must be a string/);
    const array = await secrets(['import', file('arr.json', `["${canary('arr')}"]`)], as(env));
    assert.equal(array.code, 9);
    const broken = await secrets(['import', file('broken.txt', `{"A": "${canary('broken')}"`), '--format', 'json'], as(env));
    assert.equal(broken.code, 9);
    noCanary(empty.stderr + twice.stderr + number.stderr + array.stderr + broken.stderr);
    assert.deepEqual(await state(env), []);
  });

  it('reads stdin for -, names a missing file (exit 17), needs a FILE (exit 2), and an Editor role (exit 5)', async () => {
    const env = await freshEnv();
    const viaStdin = await secrets(['import', '-'], { ...as(env), input: `FROM_STDIN=${canary('stdin')}\n` });
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    assert.equal(await value(env, 'FROM_STDIN'), canary('stdin'));
    const missing = await secrets(['import', join(dir, 'nope.env')], as(env));
    assert.equal(missing.code, 17);
    assert.equal(missing.stderr, `secrets: Cannot read ${join(dir, 'nope.env')} (ENOENT)\n`);
    assert.equal((await secrets(['import'], as(env))).code, 2);
    const viewer = await secrets(['import', file('v.env', `VIEWER_TRY=${canary('viewer')}\n`)], as(env, { SECRETS_TOKEN: fx.viewerToken }));
    assert.equal(viewer.code, 5, viewer.stderr);
    assert.deepEqual(await state(env), ['FROM_STDIN@1']);
  });

  it('shows a progress bar on a terminal for a large file, and nothing of the sort in a pipe', async function () {
    this.timeout(60_000);
    const env = await freshEnv();
    const path = file('bar.env', Array.from({ length: 300 }, (_, i) => `BAR_${i}=${canary(`bar${i}`)}`).join('\n'));
    const piped = await secrets(['import', path, '--dry-run'], as(env));
    assert.equal(piped.code, 0, piped.stderr);
    assert.ok(!piped.stderr.includes('[#') && !piped.stderr.includes('\r'));
    // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, BIN, 'import', path].map(shellQuote).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: baseEnv({ ...as(env).env, TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin!.end();
    const code = await new Promise<number | null>((res) => child.once('close', res));
    assert.equal(code, 0, out);
    assert.match(out, /\[#{8}\.{16}\] reading import-co\/imp-\d+/);
    assert.match(out, /\[#{24}\] importing 300 secrets/);
    noCanary(out);
    assert.equal((await state(env)).length, 300);
  });
});
