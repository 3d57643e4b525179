// The integration stage: bundle the suites, start a live secrets server with a seeded world, open
// code-server with the extension under development and the suites as its tests, and collect the
// verdict (exit code) and counts (results.json written by the suites' reporter).
// prepareIntegration() is shared with run-test-electron.mjs, which runs the same suites in desktop VS Code.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../helpers/server.ts';
import { launchChromium } from './browser.ts';
import { buildIntegrationSuites, type BuiltSuites } from './build-integration.ts';
import { startCodeServer } from './code-server.ts';
import { runExtensionTests } from './extension-tests.ts';
import { follow } from './follow.ts';
import { ARTIFACTS, EXTENSION_DIR, EXTENSION_ID, VSCODE_VERSION } from './paths.ts';
import { seedWorld } from './seed.ts';

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
export async function prepareIntegration(host: 'code-server' | 'electron', only?: string[]): Promise<PreparedIntegration> {
  const built = await buildIntegrationSuites(undefined, only);
  const server = await startServer();
  try {
    const world = await seedWorld(server.url, server.adminToken);
    const fixture = { host, extensionId: EXTENSION_ID, server: world, ...(host === 'code-server' ? { vscodeVersion: VSCODE_VERSION } : {}) };
    writeFileSync(join(built.dir, 'fixture.json'), JSON.stringify(fixture), { mode: 0o600 });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const folder = mkdtempSync(join(tmpdir(), 'secrets-e2e-workspace-'));
  writeFileSync(join(folder, '.env'), 'DATABASE_URL=$DATABASE_URL\nMISSING=$NOT_A_SECRET\n');
  return { built, server, folder };
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
  const { built, server, folder } = await prepareIntegration('code-server', only);
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
    return readResults(built, result.exitCode);
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}
