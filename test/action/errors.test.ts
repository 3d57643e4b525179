import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SECRETS_ERROR_CODES } from '../../core/errors.ts';
import { ACTION_ERROR_CODES } from '../../action/errors.ts';
import { Job, ROOT, type StepResult } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const GOOD = 'good-value-0123456789';

/** One ::error:: line with the code, a failed exit, nothing exported, and no token or value anywhere but masks. */
function assertFailed(r: StepResult, code: string, secrets: string[]): string {
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.equal(r.errors.length, 1, `exactly one error line:\n${r.stdout}`);
  const line = r.errors[0]!;
  assert.ok(line.endsWith(`[${code}]`), line);
  assert.equal(r.files.env, '', 'nothing exported to GITHUB_ENV');
  assert.equal(r.files.output, '', 'nothing exported to GITHUB_OUTPUT');
  const logged = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr;
  for (const s of secrets) assert.ok(!logged.includes(s), 'no token or value in the log');
  return line;
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

describe('action: each failure is one clear line without a value or token (live server)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;
  let secrets: string[];

  before(async () => {
    s = await seed({ GOOD, CYCLE_A: 'a-$CYCLE_B', CYCLE_B: 'b-${CYCLE_A}', DANGLING: 'dangling-$NOT_A_SECRET-value' });
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment };
    secrets = [s.token, s.adminToken, GOOD, 'a-$CYCLE_B', 'b-${CYCLE_A}', 'dangling-$NOT_A_SECRET-value'];
  });
  after(async () => s?.stop());

  it('unauthorized: a token the server does not know', async () => {
    const bad = 'scrt_svc_' + 'x'.repeat(43);
    const r = await new Job().main({ ...base, token: bad, keys: 'GOOD' });
    const line = assertFailed(r, 'SECRETS_UNAUTHORIZED', [...secrets, bad]);
    assert.match(line, /token was rejected/);
    assert.equal(r.masks[0], bad, 'even a rejected token is masked first');
  });

  it('unknown organization', async () => {
    const r = await new Job().main({ ...base, org: 'no-such-org', keys: 'GOOD' });
    assertFailed(r, 'SECRETS_NOT_FOUND', secrets);
  });

  it('unknown environment, with the server’s detail', async () => {
    const r = await new Job().main({ ...base, token: s.adminToken, environment: 'staging2', keys: 'GOOD' });
    const line = assertFailed(r, 'SECRETS_NOT_FOUND', secrets);
    assert.match(line, /staging2/);
  });

  it('forbidden: a service token used on another environment', async () => {
    const r = await new Job().main({ ...base, environment: 'staging', keys: 'GOOD' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /\[SECRETS_(FORBIDDEN|NOT_FOUND)\]$/);
  });

  it('missing key (fail-on-missing defaults to true), naming the key', async () => {
    const r = await new Job().main({ ...base, keys: 'GOOD\nNOT_THERE' });
    const line = assertFailed(r, 'ACTION_SECRET_MISSING', secrets);
    assert.match(line, /NOT_THERE/);
    assert.ok(r.masks.includes(GOOD), 'what was fetched is masked even though the step fails');
  });

  it('reference cycle, naming the path', async () => {
    const r = await new Job().main({ ...base, keys: 'CYCLE_A' });
    const line = assertFailed(r, 'SECRETS_REFERENCE_CYCLE', secrets);
    assert.match(line, /CYCLE_A → CYCLE_B → CYCLE_A/);
  });

  it('reference to a missing secret; with fail-on-missing false it is kept as written, with a warning', async () => {
    const r = await new Job().main({ ...base, keys: 'DANGLING' });
    const line = assertFailed(r, 'SECRETS_REFERENCE_MISSING', secrets);
    assert.match(line, /DANGLING references NOT_A_SECRET/);

    const kept = await new Job().main({ ...base, keys: 'DANGLING', 'fail-on-missing': 'false' });
    assert.equal(kept.exitCode, 0, kept.stdout);
    assert.deepEqual(kept.env, { DANGLING: 'dangling-$NOT_A_SECRET-value' });
    assert.ok(kept.warnings.some((w) => w.includes('DANGLING') && w.includes('NOT_A_SECRET')));
  });

  it('network: an unreachable server, after retries logged with their attempt numbers', async () => {
    const port = await closedPort();
    const r = await new Job().main({ ...base, url: `http://127.0.0.1:${port}`, keys: 'GOOD' });
    const line = assertFailed(r, 'SECRETS_NETWORK', secrets);
    assert.match(line, /Could not reach the secrets server/);
    assert.match(r.stdout, /^Attempt 1 failed \(.+\); retrying in \d+ ms$/m);
    assert.match(r.stdout, /^Attempt 2 failed/m);
  });

  it('missing required input', async () => {
    const r = await new Job().main({ ...base, org: '' });
    assert.match(assertFailed(r, 'ACTION_INPUT_REQUIRED', secrets), /"org"/);
  });

  it('invalid inputs: a boolean that is not true/false, a URL with credentials, half a template pair, a token with a line break', async () => {
    assertFailed(await new Job().main({ ...base, outputs: 'yes' }), 'ACTION_INPUT_INVALID', secrets);
    assertFailed(await new Job().main({ ...base, url: 'https://user:pw@example.com' }), 'SECRETS_URL_INVALID', [...secrets, 'pw@']);
    assertFailed(await new Job().main({ ...base, 'template-output': 'out' }), 'ACTION_INPUT_INVALID', secrets);
    assertFailed(await new Job().main({ ...base, 'on-conflict': 'ignore' }), 'ACTION_INPUT_INVALID', secrets);
    const spaced = `${s.token}\nsecond-line-of-a-pasted-file`;
    const r = await new Job().main({ ...base, token: spaced });
    assert.match(assertFailed(r, 'ACTION_INPUT_INVALID', [...secrets, 'second-line-of-a-pasted-file']), /"token"/);
  });

  it('invalid keys line, naming the line', async () => {
    const r = await new Job().main({ ...base, keys: 'GOOD\n9LIVES' });
    assert.match(assertFailed(r, 'ACTION_KEYS_INVALID', secrets), /line 2/);
  });

  it('no GITHUB_ENV: refuses rather than fall back to ::set-env, which would print the values', async () => {
    const r = await new Job().main({ ...base, keys: 'GOOD' }, { GITHUB_ENV: '' });
    assertFailed(r, 'ACTION_RUNNER_FILE_MISSING', secrets);
    assert.ok(!/::set-env|::set-output/.test(r.stdout));
  });

  it('unreadable template, and an env-file that cannot be written', async () => {
    assertFailed(await new Job().main({ ...base, keys: 'GOOD', template: 'nope.tmpl', 'template-output': 'o' }), 'ACTION_TEMPLATE_READ', secrets);
    assertFailed(await new Job().main({ ...base, keys: 'GOOD', 'env-file': 'no/such/dir/.env', 'export-env': 'false' }), 'ACTION_FILE_WRITE', secrets);
  });
});

describe('action: error catalogue', () => {
  const doc = readFileSync(join(ROOT, 'action/ERRORS.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));

  it('documents every action code and every core code, and nothing else', () => {
    assert.deepEqual([...documented].sort(), [...ACTION_ERROR_CODES, ...SECRETS_ERROR_CODES].sort());
  });
});
