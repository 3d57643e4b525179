// Installs a packaged .vsix into an extensions directory with code-server's own CLI, the way a user
// installs it — so the UI tests exercise the artifact `package:extension` produces, not the sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY } from './paths.ts';

export function installVsix(vsix: string, extensionsDir: string): void {
  const home = mkdtempSync(join(tmpdir(), 'secrets-e2e-install-'));
  const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', join(home, 'user-data'), '--install-extension', vsix], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
    timeout: 60_000,
  });
  rmSync(home, { recursive: true, force: true });
  if (r.status !== 0 || !/successfully installed/.test(r.stdout)) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
}
