// Puts resolved secrets where the job reads them: GITHUB_ENV, GITHUB_OUTPUT, a dotenv file and a rendered
// template. Only file commands are used (never ::set-env / ::set-output, which would print the value to the
// log), and secret-bearing files are created 0600 and recorded in state so the post step removes them.
import { closeSync, fchmodSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import * as core from '@actions/core';
import { formatDotenv, type DotenvDialect } from '../core/dotenv.ts';
import { resolveText } from '../core/resolve.ts';
import { ActionError } from './errors.ts';
import type { ExportSelection } from './names.ts';
import { FILES_STATE } from './state.ts';


/**
 * @actions/core falls back to workflow commands on stdout when the runner's files are absent, which would
 * write the values into the log; refuse instead.
 */
export function requireRunnerFiles(opts: { exportEnv: boolean; outputs: boolean }): void {
  for (const [wanted, variable, input] of [
    [opts.exportEnv, 'GITHUB_ENV', 'export-env'],
    [opts.outputs, 'GITHUB_OUTPUT', 'outputs'],
  ] as const) {
    if (wanted && !process.env[variable]) {
      throw new ActionError('ACTION_RUNNER_FILE_MISSING', `${variable} is not set, so "${input}" cannot be honoured without printing values; is this running in a GitHub Actions job?`);
    }
  }
}

export function exportEnv(exports: readonly ExportSelection[], resolved: Readonly<Record<string, string>>): void {
  for (const { key, name } of exports) core.exportVariable(name, resolved[key]!);
}

export function exportOutputs(exports: readonly ExportSelection[], resolved: Readonly<Record<string, string>>): void {
  for (const { key, name } of exports) core.setOutput(name, resolved[key]!);
}

/** Tells the post step about a file before it is written, so even a half-written file is cleaned up. */
export class SecretFiles {
  readonly #paths: string[] = [];

  write(path: string, content: string): string {
    const absolute = resolvePath(path);
    if (!this.#paths.includes(absolute)) {
      this.#paths.push(absolute);
      core.saveState(FILES_STATE, JSON.stringify(this.#paths));
    }
    let fd: number;
    try {
      fd = openSync(absolute, 'w', 0o600);
    } catch (err) {
      throw new ActionError('ACTION_FILE_WRITE', `Cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      // The mode given to open only applies to a new file; an existing one keeps its mode unless set here.
      fchmodSync(fd, 0o600);
      writeSync(fd, content);
    } catch (err) {
      throw new ActionError('ACTION_FILE_WRITE', `Cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    } finally {
      closeSync(fd);
    }
    return absolute;
  }
}

export function dotenvContent(
  exports: readonly ExportSelection[],
  resolved: Readonly<Record<string, string>>,
  dialect: DotenvDialect,
): string {
  const entries: Record<string, string> = Object.create(null);
  for (const { key, name } of exports) entries[name] = resolved[key]!;
  return formatDotenv(entries, dialect);
}

export function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ActionError('ACTION_TEMPLATE_READ', `Cannot read template ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * A template's `$NAME` is a secret's key, or the name it was renamed to where that is not also a key.
 * Raw values go in: resolveText resolves references itself, and resolving twice would read `$$` twice.
 */
export function renderTemplate(
  text: string,
  raw: Readonly<Record<string, string>>,
  exports: readonly ExportSelection[],
  onMissing: 'error' | 'keep',
): string {
  const names: Record<string, string> = Object.assign(Object.create(null), raw);
  for (const { key, name } of exports) if (!(name in names)) names[name] = raw[key]!;
  return resolveText(text, names, { onMissing });
}
