// `secrets retention`: how long the organization keeps its secrets' replaced versions
// (GET/PUT /v1/orgs/{org}/settings/history-retention; any member reads it, Admin+ sets it).
import { HISTORY_RETENTION_MAX_DAYS, HISTORY_RETENTION_MAX_VERSIONS, type HistoryRetention } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { printable } from '../server-text.ts';
import { exactArgs, optionsOf, requiredFlag, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';

/** A whole number within [1, max]; anything else is refused before asking the server. */
function count(raw: string, flag: string, what: string, max: number): number {
  const n = /^[0-9]{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError('CLI_INVALID_INPUT', `--${flag} must be a whole number of ${what} from 1 to ${max}`);
  return n;
}

function describe(r: HistoryRetention): string {
  return `replaced versions are kept ${r.days} day${r.days === 1 ? '' : 's'}, and the newest ${r.minVersions} version${r.minVersions === 1 ? '' : 's'} of every secret however old`;
}

const SUBS: readonly Subcommand[] = [
  {
    name: 'show',
    usage: 'secrets retention [show] [--org ORG] [--json]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const r = await ctx.client().getHistoryRetention(org);
      if (ctx.flags.json) return ctx.json(r);
      const who = r.updatedAt === null ? 'the default' : `set by ${printable(r.updatedBy ?? 'unknown')} at ${r.updatedAt.slice(0, 16).replace('T', ' ')}`;
      ctx.out(`${org}: ${describe(r)} (${who})`);
    },
  },
  {
    name: 'set',
    usage: 'secrets retention set --days N --min-versions M [--org ORG] [--json]',
    options: ['days', 'min-versions'],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const days = count(requiredFlag(ctx.flags.days, 'days', this.usage), 'days', 'days', HISTORY_RETENTION_MAX_DAYS);
      const minVersions = count(requiredFlag(ctx.flags['min-versions'], 'min-versions', this.usage), 'min-versions', 'versions', HISTORY_RETENTION_MAX_VERSIONS);
      const org = await ctx.org();
      const r = await ctx.client().setHistoryRetention(org, { days, minVersions });
      if (ctx.flags.json) return ctx.json(r);
      ctx.note(`History retention of ${org} set: ${describe(r)}; the server's next pruning applies it`);
    },
  },
];

export const retention: Command = {
  name: 'retention',
  summary: 'Show or set how long secrets\' replaced versions are kept (Admin+ sets it)',
  help: `${usageOf(SUBS)}

A replaced version is kept until --days days after it was replaced, and the newest --min-versions
versions of every secret are kept however old: whichever keeps more. The server prunes the rest (and
deleted secrets' version metadata older than --days) on its own schedule, audited as
secret.history_pruned. Any member reads the setting; an Owner or Admin sets it (1-${HISTORY_RETENTION_MAX_DAYS} days,
1-${HISTORY_RETENTION_MAX_VERSIONS} versions). An organization starts at 90 days and 10 versions.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'retention', SUBS, 'show'),
};
