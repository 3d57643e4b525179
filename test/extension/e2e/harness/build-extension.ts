// Builds the extension the tests load: the root `build:extension` script (esbuild) for the
// development-path run, `package:extension` (vsce) for the .vsix the UI tests install.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, ROOT } from './paths.ts';

// Output is shown only when the script fails: a passing build has nothing to say in the test log.
function npmRun(script: string): void {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

function scripts(): Record<string, string> {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
}

export function buildExtension(): void {
  npmRun('build:extension');
  if (!existsSync(join(EXTENSION_DIR, 'dist/extension.cjs'))) throw new Error('build:extension produced no extension/dist/extension.cjs');
}

/** Packages the extension and returns the .vsix path. */
export function packageExtension(): string {
  if (!scripts()['package:extension']) throw new Error('no package:extension script');
  npmRun('package:extension');
  const vsix = join(EXTENSION_DIR, 'secrets-vscode.vsix');
  if (!existsSync(vsix)) throw new Error(`package:extension produced no ${vsix}`);
  return vsix;
}
