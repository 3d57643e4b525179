// The integration stage: bundle the suites, start a live secrets server with a seeded world, open
// code-server with the extension under development and the suites as its tests, and collect the
// verdict (exit code) and counts (results.json written by the suites' reporter).
// prepareIntegration() is shared with run-test-electron.mjs, which runs the same suites in desktop VS Code.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../helpers/server.ts';
import { launchChromium } from './browser.ts';
import { buildIntegrationSuites, type BuiltSuites } from './build-integration.ts';
import { startCodeServer } from './code-server.ts';
import { runExtensionTests } from './extension-tests.ts';
import { follow } from './follow.ts';
import { scanForLeaks } from './leak-scan.ts';
import { ARTIFACTS, EXTENSION_DIR, EXTENSION_ID, INTEGRATION_SRC, VSCODE_VERSION } from './paths.ts';
import { seedWorld, type SeededWorld } from './seed.ts';

export interface StageResult {
  passed: number;
  failed: number;
}

/** User settings for the suites' VS Code: reveal re-masks after 2 s so it can be watched. */
export const INTEGRATION_SETTINGS = { 'secrets.revealSeconds': 2, 'secrets.clipboardSeconds': 3 };

export interface PreparedIntegration {
  built: BuiltSuites;
  server: RunningServer;
  /** The folder the window opens. */
  folder: string;
}

/**
 * Builds the suites and starts the seeded server; writes fixture.json next to the bundle. `host`
 * tells the suites which VS Code they should find (code-server's pinned web build, or desktop).
 */
export async function prepareIntegration(host: 'code-server' | 'electron', only?: string[]): Promise<PreparedIntegration & { world: SeededWorld }> {
  const built = await buildIntegrationSuites(undefined, only);
  // Trust policies in the suites name an OIDC issuer on loopback (plain http): development setting.
  const server = await startServer({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true' } });
  let world: SeededWorld;
  try {
    world = await seedWorld(server.url, server.adminToken);
    const fixture = { host, extensionId: EXTENSION_ID, server: world, ...(host === 'code-server' ? { vscodeVersion: VSCODE_VERSION } : {}) };
    writeFileSync(join(built.dir, 'fixture.json'), JSON.stringify(fixture), { mode: 0o600 });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const folder = mkdtempSync(join(tmpdir(), 'secrets-e2e-workspace-'));
  writeFileSync(join(folder, '.env'), 'DATABASE_URL=$DATABASE_URL\nMISSING=$NOT_A_SECRET\n');
  return { built, server, folder, world };
}

/** Counts from the suites' results.json, failing the stage when the host's verdict disagrees. */
export function readResults(built: BuiltSuites, exitCode: number): StageResult {
  const resultsFile = join(built.dir, 'results.json');
  if (!existsSync(resultsFile)) {
    console.log(`  integration: no results from the extension host (exit ${exitCode}); see test-artifacts/e2e/integration-*.log`);
    return { passed: 0, failed: 1 };
  }
  const counts = JSON.parse(readFileSync(resultsFile, 'utf8')) as StageResult;
  // A non-zero exit with no failed test (e.g. a crash after the run) still fails the stage.
  if (exitCode !== 0 && counts.failed === 0) return { passed: counts.passed, failed: 1 };
  return { passed: counts.passed, failed: counts.failed };
}

export async function runIntegrationStage(only?: string[]): Promise<StageResult> {
  const { built, server, folder, world } = await prepareIntegration('code-server', only);
  const cleanups: (() => Promise<unknown>)[] = [
    () => server.stop(),
    async () => {
      for (const dir of [folder, server.dataDir]) rmSync(dir, { recursive: true, force: true });
    },
  ];
  try {
    const codeServer = await startCodeServer({ settings: INTEGRATION_SETTINGS });
    cleanups.unshift(() => codeServer.stop());
    const browser = await launchChromium();
    cleanups.unshift(() => browser.close());
    mkdirSync(ARTIFACTS, { recursive: true });
    const workbenchLog: string[] = [];
    const stopFollowing = follow(join(built.dir, 'results.log'), (t) => process.stdout.write(t));
    const result = await runExtensionTests({
      codeServer,
      browser,
      extensionDevelopmentPath: EXTENSION_DIR,
      extensionTestsPath: built.index,
      folder,
      timeoutMs: 240_000,
      onLog: (l) => workbenchLog.push(l),
    });
    stopFollowing();
    writeFileSync(join(ARTIFACTS, 'integration-workbench.log'), workbenchLog.join('\n'));
    writeFileSync(join(ARTIFACTS, 'integration-code-server.log'), codeServer.output());
    if (result.timedOut) console.log('  integration: the extension host did not finish in time (screenshot in test-artifacts/e2e)');
    const counts = readResults(built, result.exitCode);
    const leak = leakCheck(codeServer.userDataDir, world, workbenchLog.join('\n'), !only?.length);
    return { passed: counts.passed + leak.passed, failed: counts.failed + leak.failed };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

/**
 * Every token and every canary value the run used (seeded values and those the suites sent all
 * contain "canary") must be absent from what VS Code wrote to disk and from the workbench log.
 */
function leakCheck(userDataDir: string, world: SeededWorld, workbenchLog: string, expectRequests: boolean): StageResult {
  const secrets = [
    { label: 'the owner token', text: world.ownerToken },
    { label: 'the viewer token', text: world.viewerToken },
    { label: 'the editor token', text: world.editorToken },
    { label: 'the workspace owner token', text: world.wsOwnerToken },
    ...canaryValues(world).map((v) => ({ label: `the value ${v.slice(0, 12)}…`, text: v })),
  ];
  const scan = scanForLeaks(userDataDir, secrets, [{ name: 'workbench log', text: workbenchLog }]);
  console.log('  after the run, on disk');
  // A partial run (--only) may not have connected at all, so only a full run must show logged requests.
  const ok = scan.leaks.length === 0 && (scan.requestLines > 0 || !expectRequests);
  const title = `no token or value in VS Code's logs, state and settings (${scan.filesScanned} files; the Secrets output channel logged ${scan.requestLines} requests)`;
  if (ok) console.log(`    ✓ ${title}`);
  else {
    console.log(`    ✗ ${title}`);
    if (scan.requestLines === 0 && expectRequests) console.log('      the "Secrets" output channel log was not found or logged no request');
    for (const l of scan.leaks) console.log(`      leak: ${l}`);
  }
  return ok ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** The seeded values and every `canary-…` literal the suites send (added, edited, refused values). */
function canaryValues(world: SeededWorld): string[] {
  const values = new Set(Object.values(world.seeded).flatMap((env) => Object.values(env)).filter((v) => v.includes('canary')));
  for (const f of readdirSync(INTEGRATION_SRC).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(join(INTEGRATION_SRC, f), 'utf8').matchAll(/'([^'\n]*canary-[^'\n]*)'/g)) values.add(m[1]!);
  }
  // A bare marker ('canary-' used in an assertion) is not a value.
  return [...values].filter((v) => v.length >= 12);
}
