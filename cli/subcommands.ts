// Commands with verbs (`secrets tokens create`, `secrets members rm`): picks the verb, checks that only
// that verb's options were given, and passes it the words after the verb.
import { GLOBAL_OPTIONS, type OptionName } from './args.ts';
import type { Context } from './context.ts';
import { CliError } from './errors.ts';

export interface Subcommand {
  name: string;
  usage: string;
  /** Options besides the global ones; any other is a usage error naming this verb. */
  options: readonly OptionName[];
  run(ctx: Context, args: readonly string[]): Promise<number | void>;
}

/** Every option any verb accepts, for the command's own declaration and its --help line. */
export function optionsOf(subs: readonly Subcommand[]): OptionName[] {
  return [...new Set(subs.flatMap((s) => s.options))];
}

export function usageOf(subs: readonly Subcommand[]): string {
  return subs.map((s) => s.usage).join('\n       ');
}

/** Runs the verb named by the first word; with no word, `fallback` (e.g. `ls`) when given. */
export async function runSubcommand(ctx: Context, group: string, subs: readonly Subcommand[], fallback?: string): Promise<number | void> {
  const word = ctx.args[0] ?? fallback;
  const sub = subs.find((s) => s.name === word);
  if (!sub) {
    const verbs = subs.map((s) => s.name).join('|');
    // An unknown word is not echoed: it may be a pasted token.
    throw new CliError('CLI_USAGE', `${word === undefined ? 'Missing' : 'Unknown'} subcommand; usage: secrets ${group} ${verbs} (see secrets ${group} --help)`);
  }
  const stray = (Object.keys(ctx.flags) as OptionName[]).find(
    (o) => ctx.flags[o] !== undefined && !GLOBAL_OPTIONS.includes(o) && !sub.options.includes(o),
  );
  if (stray) throw new CliError('CLI_USAGE', `secrets ${group} ${sub.name} does not take --${stray}; usage: ${sub.usage}`);
  return sub.run(ctx, ctx.args.slice(ctx.args[0] === undefined ? 0 : 1));
}

/** Exactly the named positional words, or a usage error with the synopsis (the words are not echoed). */
export function exactArgs(args: readonly string[], names: readonly string[], usage: string): string[] {
  if (args.length < names.length) throw new CliError('CLI_USAGE', `${names[args.length]} is required; usage: ${usage}`);
  if (args.length > names.length) throw new CliError('CLI_USAGE', `Unexpected argument; usage: ${usage}`);
  return [...args];
}

/** A required string option. */
export function requiredFlag(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '') throw new CliError('CLI_USAGE', `--${flag} is required; usage: ${usage}`);
  return value;
}
