import type { Command } from '../command.ts';
import { noArgs } from '../positionals.ts';
import { table } from '../table.ts';

const USAGE = 'secrets orgs';

export const orgs: Command = {
  name: 'orgs',
  summary: 'List your organizations',
  help: USAGE,
  options: [],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const list = await ctx.client().listOrgs();
    if (ctx.flags.json) return ctx.json(list);
    if (list.length === 0) return ctx.note('You are not a member of any organization');
    ctx.out(table(['SLUG', 'NAME', 'ROLE'], list.map((o) => [o.slug, o.name, o.role])));
  },
};
