// Runs code-server (VS Code's server and web client) the way the E2E tests need it: bound to
// 127.0.0.1 on a free port, no auth, no telemetry or update checks, its own user-data and extensions
// directories, and the smoke-test driver enabled so the `payload` query parameter (extension
// development path, extension tests path) is honoured. It is started detached, in its own process
// group, so stopping it ends the extension host and every other child too.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY } from './paths.ts';

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, the authority of vscode-remote:// URIs. */
  authority: string;
  userDataDir: string;
  extensionsDir: string;
  output(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** User settings (written to <user-data-dir>/User/settings.json before start). */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Extensions directory; a fresh temp dir by default. */
  extensionsDir?: string;
  /**
   * VS Code's smoke-test driver: needed for the `payload` parameter (extension tests), but it also
   * suppresses notification toasts, so the UI tests run without it. Default true.
   */
  smokeTestDriver?: boolean;
}

// Settings that keep the workbench quiet and predictable: no welcome page, tips, chat or update prompts.
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.layoutControl.enabled': false,
};

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

const running = new Set<ChildProcess>();
// Last line of defence: a crashed or interrupted harness must not leave code-server behind.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  if (!existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY}); run test/extension/e2e/setup.sh`);
  const base = mkdtempSync(join(tmpdir(), 'secrets-e2e-vscode-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr', authority,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    ...(options.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
  ];
  // Node 24 runs code-server (its native modules were built for it); HOME-style dirs point into the
  // temp dir so code-server writes no config.yaml into the real home.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(base, 'config'),
      XDG_DATA_HOME: join(base, 'data'),
      XDG_CACHE_HOME: join(base, 'cache'),
      ...options.env,
    },
  });
  running.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://${authority}`;

  const stop = async () => {
    if (!running.has(child)) return;
    running.delete(child);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // The group may outlive its leader (extension host, file watcher): make sure it is gone.
    killGroup(child, 'SIGKILL');
    rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(`code-server exited before it was ready:\n${out}`);
    }
    const r = await fetch(`${url}/healthz`).catch(() => null);
    if (r?.ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server was not ready within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, authority, userDataDir, extensionsDir, output: () => out, stop };
}
