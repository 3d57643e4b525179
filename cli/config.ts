// Where the CLI's settings come from: flags, then SECRETS_* environment variables, then the login stored
// by `secrets login` in the user's config directory (a file only its owner can read, like ~/.ssh keys).
import { chmodSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { normalizeServerUrl } from '../core/server-url.ts';
import type { Flags } from './args.ts';
import { CliError } from './errors.ts';

export interface StoredLogin {
  url: string;
  token: string;
  /** Defaults for --org / --env, saved by `secrets login --org … --env …` or from a service token. */
  org?: string;
  env?: string;
  /** Default for --workspace, saved by `secrets login --workspace …` or from a service token bound to one. */
  workspace?: string;
}

export type Env = Record<string, string | undefined>;

/** Every environment variable the CLI takes its server, credential or settings from. */
export const CLI_SETTINGS_VARIABLES = ['SECRETS_URL', 'SECRETS_TOKEN', 'SECRETS_ORG', 'SECRETS_ENV', 'SECRETS_WORKSPACE', 'SECRETS_DEBUG'] as const;

export function credentialsPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' && env.APPDATA) || join(homedir(), '.config');
  return join(base, 'secrets', 'credentials.json');
}

export function readLogin(env: Env): StoredLogin | null {
  const file = credentialsPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError('CLI_CREDENTIALS_UNREADABLE', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Never echo the parse error: it quotes the file's contents, which hold the token.
    throw new CliError('CLI_CREDENTIALS_UNREADABLE', `${file} is not valid JSON; run \`secrets login\` again`);
  }
  const d = data as Partial<Record<keyof StoredLogin, unknown>>;
  if (typeof d?.url !== 'string' || typeof d.token !== 'string') {
    throw new CliError('CLI_CREDENTIALS_UNREADABLE', `${file} has no url and token; run \`secrets login\` again`);
  }
  return {
    url: d.url,
    token: d.token,
    ...(typeof d.org === 'string' && { org: d.org }),
    ...(typeof d.env === 'string' && { env: d.env }),
    ...(typeof d.workspace === 'string' && { workspace: d.workspace }),
  };
}

/** Writes the login so that no other user can read it, even for an instant, and returns the file's path. */
export function writeLogin(env: Env, login: StoredLogin): string {
  const file = credentialsPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  // The mode is given at creation (not chmod-ed afterwards) so the token is never in a readable file.
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(login, null, 2) + '\n');
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600); // a umask cannot widen it, but a pre-existing tmp file could have been wider
  renameSync(tmp, file);
  return file;
}

export function removeLogin(env: Env): boolean {
  const file = credentialsPath(env);
  try {
    statSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}

/** True when group or others may read the file, which ssh-style tools refuse and we warn about. */
export function isExposed(env: Env): boolean {
  if (process.platform === 'win32') return false;
  try {
    return (statSync(credentialsPath(env)).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** The server URL rule every client shares (core/server-url.ts); a refusal is core's SECRETS_URL_INVALID. */
export function normalizeUrl(raw: string): string {
  return normalizeServerUrl(raw);
}

export interface Settings {
  url: string | undefined;
  token: string | undefined;
  org: string | undefined;
  env: string | undefined;
  /** A workspace (--workspace, SECRETS_WORKSPACE): secrets commands then work on its effective set. */
  workspace: string | undefined;
  /** The stored login, whether or not its token applies to `url`. */
  stored: StoredLogin | null;
}

export function resolveSettings(flags: Flags, env: Env, stored: StoredLogin | null): Settings {
  const rawUrl = flags.url ?? (env.SECRETS_URL || undefined) ?? stored?.url;
  const url = rawUrl ? normalizeUrl(rawUrl) : undefined;
  // A stored token is only ever sent to the server it was issued by: pointing --url elsewhere must not
  // hand the token to a different (possibly hostile) host.
  const storedApplies = stored !== null && url !== undefined && storedUrl(stored) === url;
  const token = env.SECRETS_TOKEN || (storedApplies ? stored.token : undefined);
  const org = flags.org ?? (env.SECRETS_ORG || undefined) ?? (storedApplies ? stored.org : undefined);
  // A stored workspace belongs to the stored login's organization and identity: pointing at another
  // organization (or using another token) must not write into a same-named workspace there.
  const storedWorkspace = storedApplies && !env.SECRETS_TOKEN && org === stored.org ? stored.workspace : undefined;
  return {
    url,
    token,
    org,
    env: flags.env ?? (env.SECRETS_ENV || undefined) ?? (storedApplies ? stored.env : undefined),
    // `--workspace ''` sets aside a stored default workspace: the organization's own secrets.
    workspace: (flags.workspace ?? (env.SECRETS_WORKSPACE || undefined) ?? storedWorkspace) || undefined,
    stored,
  };
}

/** A login stored by an older version may hold a URL today's rule refuses: then it applies to no URL. */
function storedUrl(stored: StoredLogin): string | undefined {
  try {
    return normalizeUrl(stored.url);
  } catch {
    return undefined;
  }
}
