import assert from 'node:assert/strict';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const SECRETS = { DB_URL: 'postgres://db.internal/app', DB_PASSWORD: 'hunter2-hunter2', API_KEY: 'key-abcdef-123456' };

describe('action: names are checked before anything is exported (live server)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;

  before(async () => {
    s = await seed(SECRETS);
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment };
  });
  after(async () => s?.stop());

  function failedWith(r: Awaited<ReturnType<Job['main']>>, code: string): string {
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.equal(r.errors.length, 1);
    assert.ok(r.errors[0]!.endsWith(`[${code}]`), r.errors[0]);
    assert.equal(r.files.env, '', 'nothing exported');
    return r.errors[0]!;
  }

  it('refuses a renamed name that is not a variable name', async () => {
    const line = failedWith(await new Job().main({ ...base, keys: 'DB_URL => database-url' }), 'ACTION_NAME_UNSAFE');
    assert.match(line, /database-url \(renamed from DB_URL\)/);
  });

  it('refuses names the runner owns (GITHUB_*, NODE_OPTIONS)', async () => {
    failedWith(await new Job().main({ ...base, keys: 'API_KEY => GITHUB_TOKEN' }), 'ACTION_NAME_REFUSED');
    failedWith(await new Job().main({ ...base, keys: 'API_KEY => NODE_OPTIONS' }), 'ACTION_NAME_REFUSED');
  });

  it('refuses two secrets renamed to one name', async () => {
    const line = failedWith(await new Job().main({ ...base, keys: 'DB_URL => DATABASE\nAPI_KEY => DATABASE' }), 'ACTION_NAME_COLLISION');
    assert.match(line, /DB_URL and API_KEY both export DATABASE/);
  });

  it('refuses names that differ only by case on a Windows runner, and allows them on Linux', async () => {
    const keys = 'DB_URL => db_url\nAPI_KEY => DB_URL';
    failedWith(await new Job().main({ ...base, keys }, { RUNNER_OS: 'Windows' }), 'ACTION_NAME_COLLISION');
    const linux = await new Job().main({ ...base, keys });
    assert.equal(linux.exitCode, 0, linux.stdout);
    assert.deepEqual(linux.env, { db_url: SECRETS.DB_URL, DB_URL: SECRETS.API_KEY });
  });

  it('refuses output names that differ only by case on any runner (expressions ignore case)', async () => {
    const r = await new Job().main({ ...base, keys: 'DB_URL => db_url\nAPI_KEY => DB_URL', outputs: 'true', 'export-env': 'false' });
    failedWith(r, 'ACTION_NAME_COLLISION');
  });

  it('refuses to overwrite a variable the job already has, unless it already holds the same value', async () => {
    const line = failedWith(await new Job().main({ ...base, keys: 'API_KEY' }, { API_KEY: 'from-the-workflow' }), 'ACTION_NAME_OVERWRITE');
    assert.match(line, /API_KEY would overwrite/);
    assert.ok(!line.includes('from-the-workflow'));
    failedWith(await new Job().main({ ...base, keys: 'DB_URL => Deploy_Target' }, { DEPLOY_TARGET: 'prod', RUNNER_OS: 'Windows' }), 'ACTION_NAME_OVERWRITE');

    const again = await new Job().main({ ...base, keys: 'API_KEY' }, { API_KEY: SECRETS.API_KEY });
    assert.equal(again.exitCode, 0, 'running the action twice in one job is not a conflict');
  });

  it('with on-conflict: warn, overwrites with a warning and skips unusable and colliding names', async () => {
    const r = await new Job().main(
      { ...base, keys: 'API_KEY\nDB_URL => bad-name\nDB_PASSWORD => API_KEY', 'on-conflict': 'warn' },
      { API_KEY: 'from-the-workflow' },
    );
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { API_KEY: SECRETS.API_KEY });
    assert.equal(r.warnings.length, 3, r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => /\[ACTION_NAME_OVERWRITE\]$/.test(w)));
    assert.ok(r.warnings.some((w) => /bad-name.*not exported \[ACTION_NAME_UNSAFE\]$/.test(w)));
    assert.ok(r.warnings.some((w) => /not exported \[ACTION_NAME_COLLISION\]$/.test(w)));
  });
});
