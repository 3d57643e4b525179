// The files the Action writes (env-file, template-output) are created new, never through a link planted in
// the workspace, and the post step removes exactly what the main step created.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, type StepResult } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const CANARY = 'canary-file-value-3f9a1c7e52d84b06';
const OUTSIDE_TEXT = 'a file outside the workspace that must not change\n';

/** One ::error:: ending in the code, nothing exported, no value anywhere in the log. */
function assertRefused(r: StepResult, code: string): string {
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.equal(r.errors.length, 1, r.stdout);
  assert.ok(r.errors[0]!.endsWith(`[${code}]`), r.errors[0]);
  assert.equal(r.files.env, '', 'nothing exported to GITHUB_ENV');
  const logged = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr;
  assert.ok(!logged.includes(CANARY));
  return r.errors[0]!;
}

describe('action: files it writes are never written through a link, and only what it created is removed (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;

  before(async () => {
    s = await seed({ FILE_CANARY: CANARY });
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment };
  });
  after(async () => s?.stop());

  /** A job whose workspace holds `name` as a symbolic link to a file outside it. */
  function plantedLink(name: string): { job: Job; target: string } {
    const job = new Job();
    const target = join(job.dir, 'outside.txt');
    writeFileSync(target, OUTSIDE_TEXT, { mode: 0o644 });
    symlinkSync(target, join(job.workspace, name));
    return { job, target };
  }

  for (const input of ['env-file', 'template-output'] as const) {
    const inputs = (path: string): Record<string, string> =>
      input === 'env-file' ? { 'env-file': path } : { template: 'app.tmpl', 'template-output': path };

    it(`${input}: a planted symbolic link to a file outside the workspace is refused, its target unchanged`, async () => {
      const { job, target } = plantedLink('app.out');
      writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
      const r = await job.main({ ...base, ...inputs('app.out') });
      assert.match(assertRefused(r, 'ACTION_FILE_LINK'), /app\.out/);
      assert.equal(readFileSync(target, 'utf8'), OUTSIDE_TEXT);
      assert.equal(statSync(target).mode & 0o777, 0o644);
      assert.ok(lstatSync(join(job.workspace, 'app.out')).isSymbolicLink(), 'the link is left as it was');
      const post = await job.post();
      assert.equal(post.exitCode, 0);
      assert.equal(readFileSync(target, 'utf8'), OUTSIDE_TEXT, 'the post step removes nothing it did not create');
    });

    it(`${input}: a planted dangling symbolic link is refused and nothing is created where it points`, async () => {
      const job = new Job();
      writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
      const target = join(job.dir, 'created-through-link.txt');
      symlinkSync(target, join(job.workspace, 'app.out'));
      const r = await job.main({ ...base, ...inputs('app.out') });
      assertRefused(r, 'ACTION_FILE_LINK');
      assert.equal(existsSync(target), false);
    });

    it(`${input}: a directory on the way that is a planted link is refused, nothing written where it points`, async () => {
      const job = new Job();
      writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
      const outsideDir = join(job.dir, 'outside-dir');
      mkdirSync(outsideDir);
      mkdirSync(join(job.workspace, 'config'));
      symlinkSync(outsideDir, join(job.workspace, 'config', 'deploy'));
      const r = await job.main({ ...base, ...inputs('config/deploy/app.out') });
      assert.match(assertRefused(r, 'ACTION_FILE_LINK'), /config\/deploy is a symbolic link/);
      assert.equal(existsSync(join(outsideDir, 'app.out')), false);
    });

    it(`${input}: a file that exists already is refused (not replaced), kept as it was, and the post step leaves it`, async () => {
      const job = new Job();
      writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
      const existing = join(job.workspace, 'app.out');
      writeFileSync(existing, 'checked in with the repository\n', { mode: 0o644 });
      const r = await job.main({ ...base, ...inputs('app.out') });
      assert.match(assertRefused(r, 'ACTION_FILE_EXISTS'), /exists already/);
      assert.equal(readFileSync(existing, 'utf8'), 'checked in with the repository\n');
      assert.equal(statSync(existing).mode & 0o777, 0o644);
      await job.post();
      assert.equal(readFileSync(existing, 'utf8'), 'checked in with the repository\n');
    });
  }

  it('env-file and template-output naming one file is refused before either is exported', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
    const r = await job.main({ ...base, 'env-file': 'same.out', template: 'app.tmpl', 'template-output': './same.out' });
    assertRefused(r, 'ACTION_FILE_EXISTS');
    await job.post();
    assert.equal(existsSync(join(job.workspace, 'same.out')), false, 'the one file written is removed by the post step');
  });

  it('the post step removes the files it created, and leaves a file or a link swapped in after the main step', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 'app.tmpl'), 'value=$FILE_CANARY\n');
    mkdirSync(join(job.workspace, 'out'));
    const r = await job.main({ ...base, 'env-file': 'out/app.env', template: 'app.tmpl', 'template-output': 'out/app.conf' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const envFile = join(job.workspace, 'out/app.env');
    const conf = join(job.workspace, 'out/app.conf');
    assert.equal(readFileSync(conf, 'utf8'), `value=${CANARY}\n`);

    // A later step replaces the env-file with a file of its own (created first, so it cannot reuse the inode).
    writeFileSync(`${envFile}.new`, 'written by a later step\n');
    renameSync(`${envFile}.new`, envFile);
    const post = await job.post();
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.equal(readFileSync(envFile, 'utf8'), 'written by a later step\n', 'a file swapped in is left alone');
    assert.ok(post.warnings.some((w) => w.includes('app.env') && /not the file this job created/.test(w)), post.stdout);
    assert.equal(existsSync(conf), false, 'the file it created is removed');
    assert.match(post.stdout, /Removed .*app\.conf/);
  });

  it('the post step leaves a symbolic link swapped in for its file, and the link’s target', async () => {
    const job = new Job();
    const r = await job.main({ ...base, 'env-file': 'app.env' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const envFile = join(job.workspace, 'app.env');
    const target = join(job.dir, 'outside.txt');
    writeFileSync(target, OUTSIDE_TEXT);
    // The link is made beside the file and renamed over it: the created file's inode is held by `kept` meanwhile.
    renameSync(envFile, join(job.dir, 'kept'));
    symlinkSync(target, envFile);
    const post = await job.post();
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.ok(lstatSync(envFile).isSymbolicLink(), 'the link is left');
    assert.equal(readFileSync(target, 'utf8'), OUTSIDE_TEXT);
  });
});
