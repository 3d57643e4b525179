import type { Command } from '../command.ts';
import { printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets envs [ls] [--org ORG]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const list = await ctx.client().listEnvironments(org);
      if (ctx.flags.json) return ctx.json(list);
      ctx.out(table(['SLUG', 'NAME'], list.map((e) => printableRow([e.slug, e.name]))));
    },
  },
  {
    name: 'create',
    usage: 'secrets envs create SLUG [--name NAME] [--org ORG]',
    options: ['name'],
    async run(ctx, args) {
      const [slug] = exactArgs(args, ['SLUG'], this.usage);
      const org = await ctx.org();
      const env = await ctx.client().createEnvironment(org, { slug: slug!, ...(ctx.flags.name !== undefined && { name: ctx.flags.name }) });
      if (ctx.flags.json) return ctx.json(env);
      ctx.note(`Created environment ${env.slug} in ${org}`);
    },
  },
];

export const envs: Command = {
  name: 'envs',
  summary: "List an organization's environments, or create one (Admin+)",
  help: usageOf(SUBS),
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'envs', SUBS, 'ls'),
};
