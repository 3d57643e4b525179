import type { EnvironmentChanges } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { momentFlag } from '../moment-flag.ts';
import { noArgs } from '../positionals.ts';
import { table } from '../table.ts';

const USAGE = 'secrets diff --from TIME [--to TIME] [--org ORG] [--env ENV] [--workspace WS] [--json]';

export const diff: Command = {
  name: 'diff',
  summary: 'What changed in an environment between two moments (keys and versions, never values)',
  help: `${USAGE}

Keys added, changed (the version at --from → the version at --to) and removed between two moments,
each an ISO 8601 time with a zone (2026-11-01T00:00Z); --to defaults to now. Reads only metadata: no
value is revealed. A key deleted and created again in between counts as changed. \`secrets export --at
TIME\` prints the values of a moment; \`secrets history KEY\` lists a key's versions. --json prints
{ from, to, added, changed, removed }.`,
  options: ['from', 'to', 'workspace'],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const from = momentFlag(ctx.flags.from, '--from');
    if (from === undefined) throw new CliError('CLI_USAGE', `--from is required; usage: ${USAGE}`);
    const to = momentFlag(ctx.flags.to, '--to');
    const { org, ref, label } = await ctx.target();
    const changes = await ctx.client().environmentChanges(org, ref, from, to);
    if (ctx.flags.json) return ctx.json(changes);
    const count = changes.added.length + changes.changed.length + changes.removed.length;
    if (count === 0) return ctx.note(`No changes in ${label} between ${changes.from} and ${changes.to}`);
    ctx.out(table(['CHANGE', 'KEY', 'VERSION'], rows(changes)));
    ctx.note(`${changes.added.length} added, ${changes.changed.length} changed, ${changes.removed.length} removed in ${label} between ${changes.from} and ${changes.to}`);
  },
};

/** One row per key, sorted by key: added (its version), changed (old → new), removed (its last version). */
function rows(c: EnvironmentChanges): string[][] {
  return [
    ...c.added.map((a) => ['added', a.key, String(a.version)]),
    ...c.changed.map((ch) => ['changed', ch.key, `${ch.from} → ${ch.to}`]),
    ...c.removed.map((r) => ['removed', r.key, String(r.version)]),
  ].sort((x, y) => (x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0));
}
