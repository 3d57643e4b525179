import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { checkExportNames } from '../../core/refused-names.ts';
import type { Command } from '../command.ts';
import { CLI_SETTINGS_VARIABLES, type Env } from '../config.ts';
import type { Context, Target } from '../context.ts';
import { shortDuration } from '../duration.ts';
import { refuseInexpressibleValues } from '../env-values.ts';
import { CliError } from '../errors.ts';
import { resolvedValues } from '../resolved.ts';
import { runWatching } from '../run-watch.ts';

const USAGE = 'secrets run [--org ORG] [--env ENV] [--workspace WS] [--keep-missing] [--allow-name NAME]… [--watch [--debounce 500ms] [--grace 10s]] -- COMMAND [ARGS…]';

// The signals a terminal, a CI runner or a process manager uses to stop a job.
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export const run: Command = {
  name: 'run',
  summary: "Run a command with the environment's resolved secrets as environment variables",
  help: `${USAGE}

Reveals every secret of the environment in one request, resolves \`$NAME\` references, and starts COMMAND
with them added to (and overriding) the current environment. The secrets exist only in the child's
environment: this process's environment and the calling shell's stay as they were. SIGINT, SIGTERM and
SIGHUP are passed on to the command; the exit status is the command's own, or 128 + the signal number
if a signal ended it (127 if COMMAND is not found, 126 if it cannot be executed). A reference to a
missing secret is an error unless --keep-missing leaves it as written; a pinned reference \`\${NAME@3}\`
uses version 3 of NAME (one more request), and a version not kept is an error naming it. A secret whose name changes how
programs start or find code (BASH_ENV, NODE_OPTIONS, LD_PRELOAD, PATH, …) is refused, naming it, unless
--allow-name NAME (repeatable) lets it through. The CLI's own settings (SECRETS_TOKEN, SECRETS_URL,
SECRETS_ORG, SECRETS_ENV, SECRETS_DEBUG) are not passed to COMMAND; a secret of that name is.

--watch keeps following the environment's changes (as \`secrets watch\` does) and restarts COMMAND with
fresh values when the environment changes: once per burst of changes, after --debounce (default 500ms)
without a further change. A restart reads and checks the new values first (a refused name or a missing
reference is noted and COMMAND keeps running with the values it has), then sends SIGTERM, waits up to
--grace (default 10s) for COMMAND to exit, then SIGKILL, and starts it again. When COMMAND exits by
itself (or after a signal passed on to it), \`secrets run --watch\` exits with its status.`,
  options: ['keep-missing', 'allow-name', 'watch', 'debounce', 'grace', 'workspace'],
  async run(ctx) {
    if (ctx.args.length > 0 || ctx.rest === null) {
      throw new CliError('CLI_USAGE', `Put the command after --; usage: ${USAGE}`);
    }
    const [file, ...args] = ctx.rest;
    if (!file) throw new CliError('CLI_USAGE', `No command given after --; usage: ${USAGE}`);
    const target = await ctx.target();
    if (ctx.flags.watch) return runWatching(ctx, target, file, args, { debounceMs: shortDuration(ctx.flags.debounce, '--debounce', 500, 0, 600_000), graceMs: shortDuration(ctx.flags.grace, '--grace', 10_000, 0, 3_600_000) });
    if (ctx.flags.debounce !== undefined || ctx.flags.grace !== undefined) throw new CliError('CLI_USAGE', `--debounce and --grace are only for --watch; usage: ${USAGE}`);
    const secrets = await freshEnvironment(ctx, target);
    // The pool's idle sockets are not needed while the command runs, which may be for hours.
    await ctx.close();
    return startChild(ctx, file, args, secrets).exited;
  },
};

/** The environment's resolved values, checked as every run checks them (refused names, inexpressible values), over the caller's environment. */
export async function freshEnvironment(ctx: Context, target: Target): Promise<Record<string, string | undefined>> {
  const secrets = await resolvedValues(ctx, target);
  checkExportNames(Object.keys(secrets), { allow: ctx.flags['allow-name'] ?? [] });
  refuseInexpressibleValues(secrets);
  return { ...withoutCliSettings(ctx.io.env), ...secrets };
}

/** The caller's environment minus the CLI's own token and settings: the command gets secrets, not the key to all of them. */
function withoutCliSettings(env: Env): Env {
  const ignoreCase = process.platform === 'win32';
  const own = new Set<string>(CLI_SETTINGS_VARIABLES);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !own.has(ignoreCase ? name.toUpperCase() : name)));
}

export interface RunningChild {
  child: ChildProcess;
  /** The exit status: the command's own, or 128 + the signal number. Rejects when it could not start. */
  exited: Promise<number>;
}

/** Starts the command with `env`; SIGINT, SIGTERM and SIGHUP sent to this process are passed on while it runs. */
export function startChild(ctx: Context, file: string, args: string[], env: Record<string, string | undefined>): RunningChild {
  const { stdin, stdout, stderr } = ctx.io;
  // The real process streams are handed over as they are (the command may be interactive); other streams
  // (the CLI running inside a test process) are piped.
  const own = stdin === process.stdin && stdout === process.stdout && stderr === process.stderr;
  const child = spawn(file, args, { env, stdio: own ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve, reject) => {
    if (!own) {
      child.stdout!.pipe(stdout, { end: false });
      child.stderr!.pipe(stderr, { end: false });
    }
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    const cleanup = () => {
      for (const s of FORWARDED) process.off(s, forward);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') reject(new CliError('CLI_COMMAND_NOT_FOUND', `Command not found: ${file}`));
      else if (err.code === 'EACCES') reject(new CliError('CLI_COMMAND_NOT_EXECUTABLE', `Permission denied: ${file}`));
      else reject(new CliError('CLI_COMMAND_NOT_EXECUTABLE', `Cannot start ${file}: ${err.code ?? 'error'}`));
    });
    // 'close' rather than 'exit': the command's last output has been passed on by then.
    child.once('close', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
  return { child, exited };
}
