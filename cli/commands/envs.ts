import type { Command } from '../command.ts';
import { noArgs } from '../positionals.ts';
import { table } from '../table.ts';

const USAGE = 'secrets envs [--org ORG]';

export const envs: Command = {
  name: 'envs',
  summary: "List an organization's environments",
  help: USAGE,
  options: [],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const org = await ctx.org();
    const list = await ctx.client().listEnvironments(org);
    if (ctx.flags.json) return ctx.json(list);
    ctx.out(table(['SLUG', 'NAME'], list.map((e) => [e.slug, e.name])));
  },
};
