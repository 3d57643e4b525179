// From argv to an exit status: parse, pick the command, run it, and turn any failure into one redacted
// line on stderr. Returns the status instead of exiting so the CLI can also run inside a test process.
import { GLOBAL_OPTIONS, parse } from './args.ts';
import { isExposed, credentialsPath } from './config.ts';
import { Context } from './context.ts';
import { stripTerminalControls } from '../core/terminal-text.ts';
import { CliError, describeFailure } from './errors.ts';
import { commandHelp, mainHelp } from './help.ts';
import type { Io } from './io.ts';
import { findCommand } from './registry.ts';
import { VERSION } from './version.ts';

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let ctx: Context | undefined;
  try {
    const parsed = parse(argv);
    if (parsed.flags.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (parsed.command === undefined || parsed.command === 'help') {
      const topic = parsed.command === 'help' ? parsed.positionals[0] : undefined;
      const command = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && !command) throw new CliError('CLI_USAGE', `Unknown command "${topic}" (see secrets --help)`);
      io.stdout.write(command ? commandHelp(command) : mainHelp());
      return parsed.command === undefined && !parsed.flags.help ? 2 : 0;
    }
    const command = findCommand(parsed.command);
    if (!command) throw new CliError('CLI_USAGE', `Unknown command "${parsed.command}" (see secrets --help)`);
    if (parsed.flags.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const stray = parsed.given.find((o) => !GLOBAL_OPTIONS.includes(o) && !command.options.includes(o));
    if (stray) throw new CliError('CLI_USAGE', `secrets ${command.name} does not take --${stray} (see secrets ${command.name} --help)`);
    if (parsed.rest !== null && command.name !== 'run') {
      parsed.positionals.push(...parsed.rest);
    }

    ctx = new Context(io, parsed.flags, parsed.positionals, parsed.rest);
    if (isExposed(io.env)) {
      ctx.note(`secrets: warning: ${credentialsPath(io.env)} is readable by other users; run chmod 600 on it`);
    }
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    const failure = describeFailure(err);
    const line = `secrets: ${failure.message}`.replace(/\s*\n\s*/g, ' ');
    // Even a failure before the command started is scrubbed of SECRETS_TOKEN.
    const scrub = ctx ?? new Context(io, {}, [], null);
    // The message may carry the server's problem detail: nothing in it may act on the terminal.
    io.stderr.write(stripTerminalControls(scrub.redact(line)) + '\n');
    // The stack's first line is the message, which may quote the server: each line is scrubbed the same way.
    if (io.env.SECRETS_DEBUG && err instanceof Error && err.stack) io.stderr.write(scrub.redact(err.stack).split('\n').map(stripTerminalControls).join('\n') + '\n');
    return failure.exitCode;
  } finally {
    await ctx?.close().catch(() => {});
  }
}
