// Checks on a command's positional words, with the command's synopsis in the usage error.
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../core/secret-key.ts';
import type { Context } from './context.ts';
import { CliError } from './errors.ts';

export function noArgs(ctx: Context, usage: string): void {
  // The word itself is not echoed: people paste tokens and values where they do not belong.
  if (ctx.args.length > 0) throw new CliError('CLI_USAGE', `Unexpected argument; usage: ${usage}`);
}

/** The one KEY argument, uppercased as the server and dashboard do, and checked before any request. */
export function keyArg(ctx: Context, usage: string): string {
  if (ctx.args.length === 0) throw new CliError('CLI_USAGE', `${KEY_MESSAGES.required}; usage: ${usage}`);
  if (ctx.args.length > 1) throw new CliError('CLI_USAGE', `Expected one KEY, got ${ctx.args.length} arguments; usage: ${usage}`);
  const key = normalizeKey(ctx.args[0]!);
  const problem = keyProblem(key);
  if (problem) throw new CliError('CLI_INVALID_INPUT', KEY_MESSAGES[problem]);
  return key;
}
