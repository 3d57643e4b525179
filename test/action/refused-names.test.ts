// Issue 8 §1: a secret an Editor names BASH_ENV or NODE_OPTIONS would run its value in every later step of
// the job. The bundled action refuses such names before anything is exported or written, unless the
// workflow lists them in allow-names.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../core/client.ts';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

// What an attacker with the Editor role would store: each runs a command in the next bash or node process.
const HOSTILE = {
  BASH_ENV: '/tmp/refused-names-canary-4f1d2a9e-bash-env.sh',
  NODE_OPTIONS: '--import=data:text/javascript,console.log("refused-names-canary-0b7e5c31")',
};
const PLAIN = { APP_URL: 'https://app.internal/refused-names-canary-77c2', DB_URL: 'postgres://db.internal/refused-names-canary' };

describe('action: names that change how programs start are refused unless allowed (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;

  before(async () => {
    s = await seed(PLAIN);
    const editor = await s.admin.createUser({ name: 'Eddie Editor', email: 'eddie@example.com' });
    await s.admin.putMember(s.org, editor.user.id, 'editor');
    const asEditor = new SecretsClient({ baseUrl: s.url, token: editor.token, userAgent: 'action-tests/0' });
    try {
      for (const [key, value] of Object.entries(HOSTILE)) await asEditor.createSecret(s.org, s.environment, { key, value });
    } finally {
      await asEditor.close();
    }
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment };
  });
  after(async () => s?.stop());

  function refused(r: Awaited<ReturnType<Job['main']>>): string {
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0]!, /\[ACTION_NAME_REFUSED\]$/);
    assert.equal(r.files.env, '', 'nothing lands in GITHUB_ENV');
    assert.equal(r.files.output, '', 'nothing lands in GITHUB_OUTPUT');
    for (const value of Object.values(HOSTILE)) assert.ok(!(r.stdout + r.stderr).replace(/^::add-mask::.*$/gm, '').includes(value));
    return r.errors[0]!;
  }

  it('an Editor-created BASH_ENV and NODE_OPTIONS fail the step, named with the reason, and nothing is exported', async () => {
    const line = refused(await new Job().main(base));
    assert.match(line, /BASH_ENV is refused: a shell reads it/);
    assert.match(line, /NODE_OPTIONS is refused: a language runtime reads it/);
    assert.match(line, /allow-names/);
  });

  it('nothing is written to env-file either, and no file is left behind', async () => {
    const job = new Job();
    const r = await job.main({ ...base, 'export-env': 'false', 'env-file': '.env' });
    refused(r);
    assert.equal(existsSync(join(job.workspace, '.env')), false);
  });

  it('a secret renamed onto a refused name is refused too; on a Windows runner whatever its case', async () => {
    assert.match(refused(await new Job().main({ ...base, keys: 'DB_URL => LD_PRELOAD' })), /LD_PRELOAD \(renamed from DB_URL\) is refused/);
    refused(await new Job().main({ ...base, keys: 'DB_URL => Path' }, { RUNNER_OS: 'Windows' }));
    const linux = await new Job().main({ ...base, keys: 'DB_URL => ld_preload_dir' });
    assert.equal(linux.exitCode, 0, linux.stdout);
  });

  it('allow-names exports exactly the names it lists, and only those', async () => {
    const r = await new Job().main({ ...base, 'allow-names': 'BASH_ENV\n# the team runs node with an import hook\nNODE_OPTIONS\n' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { ...PLAIN, ...HOSTILE });

    const one = await new Job().main({ ...base, 'allow-names': 'BASH_ENV' });
    assert.match(refused(one), /NODE_OPTIONS is refused/);
    assert.ok(!one.errors[0]!.includes('BASH_ENV'));

    // A step output is a string the workflow passes on explicitly, not an environment variable.
    const outputs = await new Job().main({ ...base, 'export-env': 'false', outputs: 'true', keys: 'NODE_OPTIONS' });
    assert.equal(outputs.exitCode, 0, outputs.stdout + outputs.stderr);
    assert.deepEqual(outputs.outputs, { NODE_OPTIONS: HOSTILE.NODE_OPTIONS });
  });

  it('with on-conflict: warn a refused name is skipped with a warning and the rest is exported', async () => {
    const r = await new Job().main({ ...base, 'on-conflict': 'warn' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, PLAIN);
    assert.equal(r.warnings.filter((w) => /not exported \[ACTION_NAME_REFUSED\]$/.test(w)).length, 2, r.warnings.join('\n'));
  });

  it('an allow-names line that is not a variable name is an invalid input', async () => {
    const r = await new Job().main({ ...base, 'allow-names': 'BASH_ENV\nNODE OPTIONS' });
    assert.equal(r.exitCode, 1);
    assert.match(r.errors[0]!, /Input "allow-names" line 2 is not a variable name.*\[ACTION_INPUT_INVALID\]$/);
  });
});
