// Runs mocha suites inside code-server's Node extension host, the way VS Code's own browser
// integration tests do: the workbench is opened with a `payload` naming the extension under
// development and the tests module; when the tests finish, the workbench calls
// window.codeAutomationExit(code), which Playwright exposes to this process before navigation.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './code-server.ts';
import { ARTIFACTS } from './paths.ts';

export interface ExtensionTestsOptions {
  codeServer: CodeServer;
  browser: Browser;
  extensionDevelopmentPath: string;
  /** The module exporting run(), e.g. .cache/e2e/integration/index.cjs. */
  extensionTestsPath: string;
  /** The folder the window opens (a workspace for the suites). */
  folder: string;
  timeoutMs?: number;
  /** Workbench log lines (codeAutomationLog) are passed here as they come. */
  onLog?: (line: string) => void;
}

export interface ExtensionTestsResult {
  /** The extension host's verdict: 0 when run() resolved. */
  exitCode: number;
  timedOut: boolean;
}

export function remoteUri(codeServer: CodeServer, absPath: string): string {
  return `vscode-remote://${codeServer.authority}${absPath}`;
}

export function workbenchUrl(codeServer: CodeServer, folder: string, payload?: [string, string][]): string {
  const q = new URLSearchParams({ folder });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${codeServer.url}/?${q.toString()}`;
}

export async function runExtensionTests(o: ExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const context = await o.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  let settle!: (code: number) => void;
  const exited = new Promise<number>((res) => (settle = res));
  await page.exposeFunction('codeAutomationLog', (_level: unknown, message: unknown) => o.onLog?.(String(message)));
  await page.exposeFunction('codeAutomationExit', (code: unknown) => settle(typeof code === 'number' ? code : 1));
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(o.codeServer, o.extensionDevelopmentPath)],
    ['extensionTestsPath', remoteUri(o.codeServer, o.extensionTestsPath)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  await page.goto(workbenchUrl(o.codeServer, o.folder, payload));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), o.timeoutMs ?? 180_000)));
  const outcome = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'integration-timeout.png') }).catch(() => undefined);
  }
  await context.close().catch(() => undefined);
  return outcome === 'timeout' ? { exitCode: 1, timedOut: true } : { exitCode: outcome, timedOut: false };
}
