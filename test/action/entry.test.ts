// The Action's entry points only call run(): main.ts and post.ts can be imported (by GitHub's local-action
// runner, by tests) without running, and run() itself reports every failure as the one setFailed line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Job, parseCommands, readActionYml, ROOT } from './runner.ts';

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
