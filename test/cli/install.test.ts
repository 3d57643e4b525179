// The two ways people get the `secrets` command: `npx secrets` from the repository root after
// `npm install`, and the packed tarball installed globally, run by the user's own Node (Node 20 on this
// machine, which has no TypeScript support: the bundle must be plain JavaScript that loads on it).
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { startFixture, type Fixture } from './fixture.ts';
import { baseEnv, ensureBuilt, freshHome, ROOT, type CliResult } from './run-cli.ts';

const exec = promisify(execFile);

function run(file: string, args: string[], env: Record<string, string>, input = '', cwd = ROOT): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(file, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(input);
    child.once('error', rej);
    child.once('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

/** The machine's own node (not the project's Node 24 from node_modules), if there is one. */
function systemNode(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules'));
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const candidate = join(dir, 'node');
    try {
      if (statSync(candidate).isFile() && candidate !== process.execPath) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

describe('installing and running the secrets command', function () {
  this.timeout(240_000);
  let fx: Fixture;
  let auth: Record<string, string>;

  before(async () => {
    await ensureBuilt();
    fx = await startFixture();
    await fx.admin.createSecret(fx.org, 'production', { key: 'GREETING', value: 'hello from $WHO' });
    await fx.admin.createSecret(fx.org, 'production', { key: 'WHO', value: 'the vault' });
    auth = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production' };
  });
  after(async () => fx?.close());

  it('`npx secrets` from the repository root runs this CLI (not a registry package) against the server', async () => {
    const env = { ...process.env, ...freshHome(), ...auth, npm_config_yes: 'false' } as Record<string, string>;
    const help = await run('npx', ['--no', 'secrets', 'help'], env);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^secrets \d+\.\d+\.\d+: organization secrets from the shell/);
    const r = await run('npx', ['--no', 'secrets', 'run', '--', 'node', '-e', 'process.stdout.write(process.env.GREETING)'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello from the vault');
  });

  it('the packed tarball installs globally with a `secrets` bin that works on the system Node', async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'secrets-pack-'));
    const prefix = mkdtempSync(join(tmpdir(), 'secrets-prefix-'));
    await exec('npm', ['pack', '--pack-destination', packDir], { cwd: ROOT });
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');
    const listing = execFileSync('tar', ['-tzf', join(packDir, tarball)], { encoding: 'utf8' });
    assert.match(listing, /package\/cli\/dist\/secrets\.cjs/);
    assert.match(listing, /package\/cli\/bin\/secrets\.js/);
    assert.doesNotMatch(listing, /package\/(server|core|test)\//, 'the tarball should carry only the built CLI');

    await exec('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], { cwd: packDir });
    const bin = join(prefix, 'bin', 'secrets');
    const node = systemNode() ?? process.execPath;
    const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    // The bin's shebang is `#!/usr/bin/env node`: put the chosen node first on PATH, as a user's shell would.
    const nodeDir = node.slice(0, node.lastIndexOf('/'));
    const env = baseEnv({ ...freshHome(), PATH: `${nodeDir}${delimiter}/usr/bin${delimiter}/bin` });

    const version = await run(bin, ['--version'], env, '', tmpdir());
    assert.equal(version.code, 0, `${nodeVersion}: ${version.stderr}`);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

    const login = await run(bin, ['login', '--url', fx.url, '--org', fx.org, '--env', 'production'], env, fx.adminToken + '\n', tmpdir());
    assert.equal(login.code, 0, `${nodeVersion}: ${login.stderr}`);
    const set = await run(bin, ['set', 'INSTALLED'], env, 'from the tarball', tmpdir());
    assert.equal(set.code, 0, `${nodeVersion}: ${set.stderr}`);
    const get = await run(bin, ['get', 'INSTALLED'], env, '', tmpdir());
    assert.equal(get.stdout, 'from the tarball');
    const runIt = await run(bin, ['run', '--', 'sh', '-c', 'printf %s "$GREETING"'], env, '', tmpdir());
    assert.equal(runIt.code, 0, `${nodeVersion}: ${runIt.stderr}`);
    assert.equal(runIt.stdout, 'hello from the vault');
  });
});
