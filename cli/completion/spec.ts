// What shell completion offers, derived from the command registry so a new command or option is
// completed without touching the scripts: commands, verbs, each command's flags, and which words are
// completed from the server (organizations, environments, keys) through `secrets __complete`.
import { GLOBAL_OPTIONS, OPTIONS, type OptionName } from '../args.ts';
import type { Command } from '../command.ts';

/** How a word is completed: from the server, from a fixed list, as a file name, or not at all. */
export type Completion = { dynamic: 'orgs' | 'envs' | 'keys' | 'workspaces' } | { words: readonly string[] } | { files: true } | null;

/** Positional words (after the verb, for commands with verbs) by command, as far as they are known. */
const POSITIONALS: Readonly<Record<string, readonly Completion[]>> = {
  get: [{ dynamic: 'keys' }],
  set: [{ dynamic: 'keys' }],
  rm: [{ dynamic: 'keys' }],
  compare: [{ dynamic: 'envs' }, { dynamic: 'envs' }],
  import: [{ files: true }],
  completion: [{ words: ['bash', 'zsh', 'fish'] }],
  history: [{ dynamic: 'keys' }],
  rollback: [{ dynamic: 'keys' }],
};

const ROLE_WORDS = { words: ['owner', 'admin', 'editor', 'viewer'] } as const;

export interface CommandSpec {
  name: string;
  summary: string;
  verbs: readonly string[];
  flags: readonly string[];
  /** Completion of the Nth positional word, counted after the verb. */
  positionals: readonly Completion[];
}

export interface CompletionSpec {
  commands: CommandSpec[];
  /** Options that take a value (the next word is that value, not a command). */
  valued: string[];
  /** How the value of each option is completed, by command ('*' = any command). */
  values: { option: string; command: string; completion: Completion }[];
}

export function completionSpec(commands: readonly Command[]): CompletionSpec {
  const valued = (Object.keys(OPTIONS) as OptionName[]).filter((o) => OPTIONS[o].type === 'string').map((o) => `--${o}`);
  return {
    commands: commands.map((c) => ({
      name: c.name,
      summary: c.summary,
      verbs: c.verbs ?? [],
      flags: [...new Set([...c.options, ...GLOBAL_OPTIONS])].map((o) => `--${o}`),
      positionals: c.name === 'members' ? [null, ROLE_WORDS] : c.name === 'workspaces' ? [{ dynamic: 'workspaces' }] : (POSITIONALS[c.name] ?? []),
    })),
    valued,
    values: [
      { option: '--org', command: '*', completion: { dynamic: 'orgs' } },
      { option: '--env', command: '*', completion: { dynamic: 'envs' } },
      { option: '--key', command: '*', completion: { dynamic: 'keys' } },
      { option: '--workspace', command: '*', completion: { dynamic: 'workspaces' } },
      { option: '--outcome', command: '*', completion: { words: ['allowed', 'denied', 'error'] } },
      { option: '--role', command: 'invite', completion: ROLE_WORDS },
      { option: '--format', command: 'export', completion: { words: ['dotenv', 'json', 'shell'] } },
      { option: '--format', command: 'import', completion: { words: ['dotenv', 'json'] } },
    ],
  };
}
