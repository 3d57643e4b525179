// The integration stage: bundle the suites, start a live secrets server with a seeded world, open
// code-server with the extension under development and the suites as its tests, and collect the
// verdict (exit code) and counts (results.json written by the suites' reporter).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../helpers/server.ts';
import { launchChromium } from './browser.ts';
import { buildIntegrationSuites } from './build-integration.ts';
import { startCodeServer } from './code-server.ts';
import { runExtensionTests } from './extension-tests.ts';
import { follow } from './follow.ts';
import { ARTIFACTS, EXTENSION_DIR, EXTENSION_ID, VSCODE_VERSION } from './paths.ts';
import { seedWorld } from './seed.ts';

export interface StageResult {
  passed: number;
  failed: number;
}

/** Seconds a revealed value stays visible in the suites' VS Code: short, so re-masking is observable. */
export const TEST_REVEAL_SECONDS = 2;

export async function runIntegrationStage(only?: string[]): Promise<StageResult> {
  const built = await buildIntegrationSuites(undefined, only);
  const server = await startServer();
  const cleanups: (() => Promise<unknown>)[] = [() => server.stop()];
  try {
    const world = await seedWorld(server.url, server.adminToken);
    writeFileSync(
      join(built.dir, 'fixture.json'),
      JSON.stringify({ vscodeVersion: VSCODE_VERSION, extensionId: EXTENSION_ID, server: world }),
      { mode: 0o600 },
    );
    const codeServer = await startCodeServer({
      settings: { 'secrets.revealSeconds': TEST_REVEAL_SECONDS, 'secrets.clipboardSeconds': 3 },
    });
    cleanups.unshift(() => codeServer.stop());
    const browser = await launchChromium();
    cleanups.unshift(() => browser.close());
    const folder = mkdtempSync(join(tmpdir(), 'secrets-e2e-workspace-'));
    writeFileSync(join(folder, '.env'), 'DATABASE_URL=$DATABASE_URL\nMISSING=$NOT_A_SECRET\n');
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
    const resultsFile = join(built.dir, 'results.json');
    if (result.timedOut) console.log('  integration: the extension host did not finish in time (screenshot in test-artifacts/e2e)');
    if (!existsSync(resultsFile)) {
      console.log(`  integration: no results from the extension host (exit ${result.exitCode}); see test-artifacts/e2e/integration-*.log`);
      return { passed: 0, failed: 1 };
    }
    const counts = JSON.parse(readFileSync(resultsFile, 'utf8')) as StageResult;
    // The exit code is the host's own verdict; a non-zero one with no failed test (e.g. a crash after
    // the run) still fails the stage.
    if (result.exitCode !== 0 && counts.failed === 0) return { passed: counts.passed, failed: 1 };
    return { passed: counts.passed, failed: counts.failed };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}
