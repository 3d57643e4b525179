// Where the E2E run finds and puts things. Everything generated lives under .cache/ or test-artifacts/
// (both git-ignored), so a run leaves the checkout as it found it.
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../../..');
export const CODE_SERVER_VERSION = '4.139.1';
/** The VS Code release that code-server 4.139.1 carries. */
export const VSCODE_VERSION = '1.139.1';
export const CODE_SERVER_ENTRY = resolve(ROOT, '.cache/code-server/node_modules/code-server/out/node/entry.js');
export const EXTENSION_DIR = resolve(ROOT, 'extension');
export const EXTENSION_ID = 'secrets.secrets-vscode';
export const E2E_CACHE = resolve(ROOT, '.cache/e2e');
export const INTEGRATION_SRC = resolve(ROOT, 'test/extension/integration');
export const INTEGRATION_OUT = resolve(E2E_CACHE, 'integration');
export const ARTIFACTS = resolve(ROOT, 'test-artifacts/e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
