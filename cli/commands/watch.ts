import { constants } from 'node:os';
import type { Command } from '../command.ts';
import { exactArgs } from '../subcommands.ts';
import { eventLine, followTarget, stopOnSignals } from '../live-events.ts';

const USAGE = 'secrets watch [--org ORG] [--env ENV] [--workspace WS] [--json]';

export const watch: Command = {
  name: 'watch',
  summary: "Print an environment's changes as they happen (keys, versions, who — never values)",
  help: `${USAGE}

Prints one line per created, updated or deleted secret of the environment as it happens: time, change,
key, version and who made it (in a workspace, with --workspace or SECRETS_WORKSPACE: its own secrets'
changes and those of organization secrets available to it, each line ending in its scope). Never a value. With --json, one JSON object per line (the event as the
API sends it: type, id, environment, key, version, actor, time; also the "ready" event the stream starts
with and a "reset" event when events were missed and the list should be reloaded). A dropped connection
is resumed from the last event seen (Last-Event-ID), after a growing, randomized wait, so no change is
missed; each attempt is noted on stderr. Runs until interrupted (exit status 130 for SIGINT).`,
  options: ['workspace'],
  async run(ctx) {
    exactArgs(ctx.args, [], USAGE);
    const target = await ctx.target();
    const stop = stopOnSignals();
    try {
      await followTarget(ctx, target, {
        signal: stop.signal,
        onEvent: (e) => {
          if (ctx.flags.json) ctx.jsonLine(e);
          else if (e.type === 'ready') ctx.note(`secrets: ${eventLine(e)} (${target.label}); Ctrl-C stops`);
          else ctx.out(eventLine(e));
        },
      });
    } finally {
      stop.dispose();
      await ctx.close();
    }
    const by = stop.stoppedBy();
    return by ? 128 + (constants.signals[by] ?? 0) : 0;
  },
};
