// Puts resolved secrets where the job reads them: GITHUB_ENV, GITHUB_OUTPUT, a dotenv file and a rendered
// template. Only file commands are used (never ::set-env / ::set-output, which would print the value to the
// log), and secret-bearing files are created new, 0600, never through a link, and recorded in state so the
// post step removes them.
import { closeSync, constants as fsConstants, fchmodSync, fstatSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join as joinPath, relative as relativePath, resolve as resolvePath, sep } from 'node:path';
import * as core from '@actions/core';
import { formatDotenv, type DotenvDialect } from '../core/dotenv.ts';
import { resolveText } from '../core/resolve.ts';
import { ActionError } from './errors.ts';
import type { ExportSelection } from './names.ts';
import { FILES_STATE, type CreatedFile } from './state.ts';

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

/**
 * Writes the secret-bearing files (env-file, template-output). Each is created new, never through a link:
 * O_CREAT|O_EXCL fails on any existing entry, a symbolic link included (POSIX: "regardless of the contents
 * of the symbolic link", so a dangling one too), O_NOFOLLOW refuses a link where O_EXCL is not honoured,
 * and the directories on the way are checked for links from the workspace down, where a checked-out
 * repository can plant them. A file that exists already is refused rather than replaced: it belongs to the
 * repository or an earlier step, and the post step would then delete it. The file's identity (device and
 * inode) goes to the post step before a byte is written, so even a half-written file is cleaned up and
 * nothing swapped in afterwards is.
 */
export class SecretFiles {
  readonly #created: CreatedFile[] = [];
  readonly #workspace: string;

  constructor(workspace: string = process.env['GITHUB_WORKSPACE'] || process.cwd()) {
    this.#workspace = resolvePath(workspace);
  }

  write(path: string, content: string): string {
    const absolute = resolvePath(path);
    if (this.#created.some((f) => f.path === absolute)) {
      throw new ActionError('ACTION_FILE_EXISTS', `Cannot write ${path}: env-file and template-output name the same file`);
    }
    refuseLinkedDirectories(path, absolute, this.#workspace);
    let fd: number;
    try {
      fd = openSync(absolute, CREATE_NEW_NO_FOLLOW, 0o600);
    } catch (err) {
      throw openFailure(path, absolute, err);
    }
    try {
      const stat = fstatSync(fd, { bigint: true });
      this.#created.push({ path: absolute, dev: stat.dev.toString(), ino: stat.ino.toString() });
      core.saveState(FILES_STATE, JSON.stringify(this.#created));
      // The umask may have narrowed the mode given to open; the owner still needs to read the file.
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

// O_NOFOLLOW is absent on Windows (0 there), where CREATE_NEW already fails on an existing link.
const CREATE_NEW_NO_FOLLOW = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);

/** Every directory between the workspace and the file, when the file is inside the workspace, must be a real one. */
function refuseLinkedDirectories(path: string, absolute: string, workspace: string): void {
  const inside = relativePath(workspace, dirname(absolute));
  if (inside.startsWith('..') || isAbsolute(inside)) return;
  let dir = workspace;
  for (const part of inside.split(sep).filter((p) => p !== '')) {
    dir = joinPath(dir, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(dir).isSymbolicLink();
    } catch {
      return; // missing: open reports it (ENOENT) without having followed anything
    }
    if (isLink) {
      throw new ActionError('ACTION_FILE_LINK', `Cannot write ${path}: ${relativePath(workspace, dir)} is a symbolic link; the action does not write through links`);
    }
  }
}

function openFailure(path: string, absolute: string, err: unknown): ActionError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  let isLink = code === 'ELOOP';
  if (code === 'EEXIST') {
    try {
      isLink = lstatSync(absolute).isSymbolicLink();
    } catch {
      // gone again since open: report it as existing, which it was
    }
  }
  if (isLink) return new ActionError('ACTION_FILE_LINK', `Cannot write ${path}: it is a symbolic link; the action does not write through links`);
  if (code === 'EEXIST') {
    return new ActionError('ACTION_FILE_EXISTS', `Cannot write ${path}: the file exists already; the action only creates new files (remove it first, or choose another path)`);
  }
  return new ActionError('ACTION_FILE_WRITE', `Cannot write ${path}: ${code}`);
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
