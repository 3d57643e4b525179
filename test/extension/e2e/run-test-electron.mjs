// The same integration suites in desktop VS Code through @vscode/test-electron, for machines that can
// download VS Code (this one cannot, so `npm run test:e2e` uses code-server instead). Not run here.
//
//   npm install --no-save @vscode/test-electron
//   node test/extension/e2e/run-test-electron.mjs            # add VSCODE_VERSION=1.99.0 to pin one
//   (on a headless Linux box: xvfb-run -a node test/extension/e2e/run-test-electron.mjs)
//
// It builds the extension and the suites exactly as the code-server run does (the .ts harness modules
// load under Node 24's type stripping), starts the seeded live server, writes the user settings the
// suites expect, and lets test-electron download VS Code, open the folder and run the tests module.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildExtension } from './harness/build-extension.ts';
import { QUIET_SETTINGS } from './harness/code-server.ts';
import { INTEGRATION_SETTINGS, prepareIntegration, readResults } from './harness/integration.ts';
import { EXTENSION_DIR } from './harness/paths.ts';

buildExtension();
const { built, server, folder } = await prepareIntegration('electron');
const userDataDir = mkdtempSync(join(tmpdir(), 'secrets-e2e-electron-'));
mkdirSync(join(userDataDir, 'User'), { recursive: true });
writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...INTEGRATION_SETTINGS }));
let exitCode = 1;
try {
  exitCode = await runTests({
    ...(process.env.VSCODE_VERSION ? { version: process.env.VSCODE_VERSION } : {}),
    extensionDevelopmentPath: EXTENSION_DIR,
    extensionTestsPath: built.index,
    // basic password store: SecretStorage without a desktop keyring (CI).
    launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userDataDir}`, '--password-store=basic'],
  }).catch(() => 1);
} finally {
  await server.stop();
}
const r = readResults(built, exitCode);
console.log(`e2e (test-electron): ${r.passed} passed, ${r.failed} failed`);
process.exitCode = r.failed > 0 ? 1 : 0;
