// The Action's entry points only call run(): main.ts and post.ts can be imported (by GitHub's local-action
// runner, by tests) without running, and run() itself reports every failure as the one setFailed line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SecretsClient } from '../../core/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { Job, parseCommands, readActionYml, ROOT } from './runner.ts';

/** Installed by test/setup/tools.sh (pinned there); the test fails, never skips, when it is missing. */
const LOCAL_ACTION = join(ROOT, '.cache/local-action');

/** Imports a module of the action in a fresh Node (as local-action does, from source), then runs `then`. */
async function importThen(file: string, then: string, env: Record<string, string>): Promise<{ stdout: string }> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'action', file)).href)});
process.stdout.write('imported ' + typeof m.run + ' exitCode=' + (process.exitCode ?? 0) + '\\n');
${then}`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
  }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return { stdout };
}

describe('action: importable entry points', function () {
  this.timeout(30_000);

  it('action.yml runs index.cjs and post.cjs, bundled from index.ts and post-index.ts, which only call run()', async () => {
    const yml = readActionYml();
    assert.equal(yml.runs.using, 'node24');
    assert.equal(yml.runs.main, 'action/dist/index.cjs');
    assert.equal(yml.runs.post, 'action/dist/post.cjs');
    const { actionBuildOptions } = await import('../../action/build.ts');
    assert.deepEqual(actionBuildOptions('out').entryPoints, { index: 'action/index.ts', post: 'action/post-index.ts' });
  });

  it('importing main.ts runs nothing; calling run() runs the step and reports a failure as one ::error:: line', async () => {
    const job = new Job();
    const r = await importThen('main.ts', "await m.run();\nprocess.stdout.write('after exitCode=' + process.exitCode + '\\n');", {
      GITHUB_WORKSPACE: job.workspace,
      INPUT_URL: 'ftp://vault-canary-host.example',
      INPUT_TOKEN: 'scrt_svc_canary-entry-token-71c4e0d9b2a85f36',
      INPUT_ORG: 'acme',
      INPUT_ENVIRONMENT: 'production',
    });
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'imported function exitCode=0', 'nothing ran on import');
    const errors = parseCommands(r.stdout).filter((c) => c.command === 'error');
    assert.equal(errors.length, 1, r.stdout);
    assert.match(errors[0]!.data, /\[SECRETS_URL_INVALID\]$/);
    assert.ok(lines.includes('after exitCode=1'), r.stdout);
  });

  it('importing post.ts removes nothing; calling run() removes the file the main step created', async () => {
    const job = new Job();
    const file = join(job.workspace, 'app.env');
    writeFileSync(file, 'X=1\n');
    const st = statSync(file, { bigint: true });
    const state = JSON.stringify([{ path: file, dev: String(st.dev), ino: String(st.ino) }]);
    const script = `const { existsSync } = await import('node:fs');
process.stdout.write('exists after import=' + existsSync(${JSON.stringify(file)}) + '\\n');
m.run();
process.stdout.write('exists after run=' + existsSync(${JSON.stringify(file)}) + '\\n');`;
    const r = await importThen('post.ts', script, { 'STATE_secret-files': state });
    assert.match(r.stdout, /^imported function exitCode=0$/m);
    assert.match(r.stdout, /^exists after import=true$/m);
    assert.match(r.stdout, /^exists after run=false$/m);
    assert.equal(existsSync(file), false);
  });
});

// What README.md promises: `npx @github/local-action run . action/main.ts local.env` runs the action from
// its sources. local-action replaces @actions/core with its own: exportVariable sets its process's env,
// setSecret redacts its log and refuses a step output that holds a registered secret.
describe('action: runs under GitHub\'s @github/local-action against the live server', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let token: string;
  const value = 'local-action-canary-value-3f9c1e7a5b2d8046';

  before(async () => {
    server = await startServer();
    const admin = new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: 'action-tests/0', retries: 0 });
    try {
      await admin.createOrg({ slug: 'acme', name: 'Acme' });
      await admin.createSecret('acme', 'production', { key: 'API_KEY', value });
      token = (await admin.createServiceToken('acme', { name: 'local-action', environment: 'production' })).token;
    } finally {
      await admin.close();
    }
  });
  after(async () => server?.stop());

  it('exports the secret (the env-file holds it) and masks its value: the log never shows it, and a step output holding it is refused', async () => {
    assert.ok(existsSync(join(LOCAL_ACTION, 'node_modules/.bin/local-action')), 'run test/setup/tools.sh: it installs @github/local-action into .cache/local-action');
    const job = new Job();
    const files = { env: join(job.dir, 'github-env'), output: join(job.dir, 'github-output') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const localEnv = join(job.dir, 'local.env');
    writeFileSync(
      localEnv,
      [
        `INPUT_URL=${server.url}`,
        `INPUT_TOKEN=${token}`,
        'INPUT_ORG=acme',
        'INPUT_ENVIRONMENT=production',
        'INPUT_OUTPUTS=true',
        `INPUT_ENV-FILE=${join(job.workspace, 'app.env')}`,
        `GITHUB_WORKSPACE=${job.workspace}`,
        `RUNNER_TEMP=${job.runnerTemp}`,
        `GITHUB_ENV=${files.env}`,
        `GITHUB_OUTPUT=${files.output}`,
        '',
      ].join('\n'),
    );
    // Its launcher (bin/local-action.js) only runs `npm exec tsx <its src/index.ts> -- ARGS` in the current
    // directory, which would fetch tsx into this project; the same command is run here with the tsx
    // installed beside it. The directory is the project's: `npm ls @actions/core` there finds the copy to replace.
    const r = await promisify(execFile)(join(LOCAL_ACTION, 'node_modules/.bin/tsx'), [join(LOCAL_ACTION, 'node_modules/@github/local-action/src/index.ts'), 'run', ROOT, 'action/main.ts', localEnv], {
      cwd: ROOT,
      env: { PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1', NODE_PACKAGE_MANAGER: 'npm' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { code: number; stdout: string; stderr: string }) => assert.fail(`local-action failed (${e.code}):\n${e.stdout}\n${e.stderr}`));
    const log = r.stdout + r.stderr;
    assert.match(log, /Exported 1 secret to env, outputs, \S+app\.env: API_KEY/, log);
    assert.ok(!log.includes('::add-mask::'), 'local-action\'s own @actions/core ran, not the real one');
    assert.equal(readFileSync(join(job.workspace, 'app.env'), 'utf8'), `API_KEY=${value}\n`);
    assert.match(log, /Skip output API_KEY since it may contain secret/, 'the value was registered as a secret (setSecret)');
    assert.ok(!log.includes(value), 'the value reached the log');
    assert.ok(!log.includes(token), 'the token reached the log');
  });
});
