// The shape every cli/commands/<name>.ts exports.
import type { OptionName } from './args.ts';
import type { Context } from './context.ts';

export interface Command {
  name: string;
  /** One line for `secrets --help`. */
  summary: string;
  /** The synopsis and details for `secrets <name> --help`. */
  help: string;
  /** Options accepted besides the global --url --org --env --json --help. */
  options: readonly OptionName[];
  /** The verbs of a command that has them (`tokens create`), for help and shell completion. */
  verbs?: readonly string[];
  /** Returns the exit status (0 when omitted). */
  run(ctx: Context): Promise<number | void>;
}
