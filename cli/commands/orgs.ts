import type { Command } from '../command.ts';
import { printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets orgs [ls]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const list = await ctx.client().listOrgs();
      if (ctx.flags.json) return ctx.json(list);
      if (list.length === 0) return ctx.note('You are not a member of any organization');
      ctx.out(table(['SLUG', 'NAME', 'ROLE'], list.map((o) => printableRow([o.slug, o.name, o.role]))));
    },
  },
  {
    name: 'create',
    usage: 'secrets orgs create SLUG [--name NAME]',
    options: ['name'],
    async run(ctx, args) {
      const [slug] = exactArgs(args, ['SLUG'], this.usage);
      const org = await ctx.client().createOrg({ slug: slug!, name: ctx.flags.name ?? slug! });
      if (ctx.flags.json) return ctx.json(org);
      ctx.note(`Created organization ${org.slug}; you are its ${org.role}`);
    },
  },
];

export const orgs: Command = {
  name: 'orgs',
  summary: 'List your organizations, or create one',
  help: `${usageOf(SUBS)}

The creator becomes the new organization's owner; it starts with the environments development,
staging and production. --name defaults to the slug.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'orgs', SUBS, 'ls'),
};
