// One world for all UI tests, set up once by the mocha global fixtures in hooks.ts: a live secrets
// server with a seeded organization, the packaged extension installed into code-server, and Chromium.
// Each test file opens its own browser context (its own SecretStorage, so a fresh sign-in).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../../helpers/server.ts';
import { launchChromium } from '../harness/browser.ts';
import { packageExtension } from '../harness/build-extension.ts';
import { startCodeServer, type CodeServer } from '../harness/code-server.ts';
import { installVsix } from '../harness/install-extension.ts';
import { ARTIFACTS } from '../harness/paths.ts';
import { seedWorld, type SeededWorld } from '../harness/seed.ts';

/** Long enough to photograph the revealed value, short enough to watch it re-mask. */
export const UI_REVEAL_SECONDS = 4;
/** Copy Value clears the clipboard after this long (if it still holds the value). */
export const UI_CLIPBOARD_SECONDS = 3;

export interface UiWorld {
  server: RunningServer;
  seeded: SeededWorld;
  codeServer: CodeServer;
  browser: Browser;
  /** The folder every window opens. */
  folder: string;
  extensionsDir: string;
}

let world: UiWorld | undefined;

export function uiWorld(): UiWorld {
  if (!world) throw new Error('the UI world is not set up (run with --config test/extension/e2e/.mocharc.json)');
  return world;
}

export async function setUp(): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const vsix = process.env.SECRETS_E2E_VSIX ?? packageExtension();
  const server = await startServer();
  try {
    const seeded = await seedWorld(server.url, server.adminToken);
    const extensionsDir = mkdtempSync(join(tmpdir(), 'secrets-e2e-ui-extensions-'));
    installVsix(vsix, extensionsDir);
    const codeServer = await startCodeServer({
      extensionsDir,
      smokeTestDriver: false,
      settings: { 'secrets.revealSeconds': UI_REVEAL_SECONDS, 'secrets.clipboardSeconds': UI_CLIPBOARD_SECONDS, 'workbench.colorTheme': 'Default Dark Modern' },
    });
    const browser = await launchChromium().catch(async (err: unknown) => {
      await codeServer.stop();
      throw err;
    });
    const folder = mkdtempSync(join(tmpdir(), 'secrets-e2e-ui-workspace-'));
    writeFileSync(join(folder, '.env'), 'DATABASE_URL=$DATABASE_URL\n');
    world = { server, seeded, codeServer, browser, folder, extensionsDir };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

export async function tearDown(): Promise<void> {
  if (!world) return;
  const w = world;
  world = undefined;
  await w.browser.close().catch(() => undefined);
  writeFileSync(join(ARTIFACTS, 'ui-code-server.log'), w.codeServer.output());
  await w.codeServer.stop();
  await w.server.stop();
  for (const dir of [w.folder, w.extensionsDir, w.server.dataDir]) rmSync(dir, { recursive: true, force: true });
}
