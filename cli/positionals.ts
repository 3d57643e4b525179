// Checks on a command's positional words, with the command's synopsis in the usage error.
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../core/secret-key.ts';
import type { Context } from './context.ts';
import { CliError } from './errors.ts';

export function noArgs(ctx: Context, usage: string): void {
  // The word itself is not echoed: people paste tokens and values where they do not belong.
  if (ctx.args.length > 0) throw new CliError('CLI_USAGE', `Unexpected argument; usage: ${usage}`);
}

/** The one KEY argument, uppercased as the server and dashboard do, and checked before any request. */
export function keyArg(ctx: Context, usage: string, raw?: string): string {
  if (ctx.args.length === 0) throw new CliError('CLI_USAGE', `${KEY_MESSAGES.required}; usage: ${usage}`);
  if (ctx.args.length > 1) throw new CliError('CLI_USAGE', `Expected one KEY, got ${ctx.args.length} arguments; usage: ${usage}`);
  const key = normalizeKey(raw ?? ctx.args[0]!);
  const problem = keyProblem(key);
  if (problem) throw new CliError('CLI_INVALID_INPUT', KEY_MESSAGES[problem]);
  return key;
}

/** The one KEY argument, optionally pinned to a version as `KEY@3`. */
export function keyArgWithPin(ctx: Context, usage: string): { key: string; version?: number } {
  const raw = ctx.args[0];
  const at = raw?.lastIndexOf('@') ?? -1;
  if (ctx.args.length !== 1 || at === -1) return { key: keyArg(ctx, usage) };
  const version = raw!.slice(at + 1);
  if (!/^[1-9][0-9]{0,14}$/.test(version)) throw new CliError('CLI_INVALID_INPUT', 'A pinned version is KEY@NUMBER, e.g. DB_PASSWORD@3');
  return { key: keyArg(ctx, usage, raw!.slice(0, at)), version: Number(version) };
}
