// Command-line parsing with node:util parseArgs. Every option of every command is declared once here, so
// `secrets --org acme ls` and `secrets ls --org acme` parse alike; each command then says which of them
// it accepts and anything else is a usage error rather than being silently ignored.
import { parseArgs } from 'node:util';
import { CliError } from './errors.ts';

export const OPTIONS = {
  url: { type: 'string' },
  org: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  search: { type: 'string' },
  description: { type: 'string' },
  format: { type: 'string' },
  dialect: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'keep-missing': { type: 'boolean' },
  'allow-name': { type: 'string', multiple: true },
  // Administration, audit and import (issue 14).
  name: { type: 'string' },
  email: { type: 'string' },
  expires: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  key: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  interval: { type: 'string' },
  overwrite: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  role: { type: 'string' },
  to: { type: 'string' },
  // Live changes (issue 14).
  watch: { type: 'boolean', short: 'w' },
  debounce: { type: 'string' },
  grace: { type: 'string' },
  // Secret history (issue 12).
  at: { type: 'string' },
  from: { type: 'string' },
  // Workspaces (issue 11).
  workspace: { type: 'string' },
  workspaces: { type: 'string' },
  owner: { type: 'string' },
  // History retention.
  days: { type: 'string' },
  'min-versions': { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;

export interface Flags {
  url?: string;
  org?: string;
  env?: string;
  json?: boolean;
  help?: boolean;
  version?: boolean;
  search?: string;
  description?: string;
  format?: string;
  dialect?: string;
  yes?: boolean;
  'keep-missing'?: boolean;
  'allow-name'?: string[];
  name?: string;
  email?: string;
  expires?: string;
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  key?: string;
  outcome?: string;
  limit?: string;
  follow?: boolean;
  interval?: string;
  overwrite?: boolean;
  'dry-run'?: boolean;
  to?: string;
  role?: string;
  watch?: boolean;
  debounce?: string;
  grace?: string;
  at?: string;
  from?: string;
  workspace?: string;
  workspaces?: string;
  owner?: string;
  days?: string;
  'min-versions'?: string;
}

export const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'org', 'env', 'json', 'help'];

export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  flags: Flags;
  /** Which options were given, in the spelling the user typed, for "not accepted here" messages. */
  given: OptionName[];
  /** Everything after the first `--` (the child command of `secrets run`), or null when there was none. */
  rest: string[] | null;
}

export function parse(argv: readonly string[]): ParsedArgs {
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? [...argv] : argv.slice(0, dashDash);
  const rest = dashDash === -1 ? null : argv.slice(dashDash + 1);
  let parsed;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages name the offending option, never an option's value.
    const msg = (err instanceof Error ? err.message : String(err)).split(/\.(\s|$)/)[0]!;
    throw new CliError('CLI_USAGE', `${msg} (see secrets --help)`);
  }
  const [command, ...positionals] = parsed.positionals;
  const flags = parsed.values as Flags;
  const given = (Object.keys(flags) as OptionName[]).filter((k) => flags[k] !== undefined);
  return { command, positionals, flags, given, rest };
}
