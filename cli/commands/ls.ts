import type { Command } from '../command.ts';
import { noArgs } from '../positionals.ts';
import { oneLine, table } from '../table.ts';

const USAGE = 'secrets ls [--search TEXT] [--org ORG] [--env ENV]';

export const ls: Command = {
  name: 'ls',
  summary: 'List the secrets of an environment (keys and metadata, never values)',
  help: `${USAGE}

--search matches any part of the key, ignoring case.`,
  options: ['search'],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const { org, env } = await ctx.target();
    const search = ctx.flags.search;
    const list = await ctx.client().listSecrets(org, env, search !== undefined ? { search } : {});
    if (ctx.flags.json) return ctx.json(list);
    if (list.length === 0) {
      return ctx.note(search !== undefined ? `No secrets in ${org}/${env} match "${search}"` : `No secrets in ${org}/${env}`);
    }
    ctx.out(
      table(
        ['KEY', 'VERSION', 'UPDATED', 'UPDATED BY', 'DESCRIPTION'],
        list.map((s) => [s.key, String(s.version), s.updatedAt.slice(0, 16).replace('T', ' '), s.updatedBy, oneLine(s.description)]),
      ),
    );
  },
};
