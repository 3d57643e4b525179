import { SLUG_PATTERN, type Workspace } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { canPrompt, confirm } from '../prompt.ts';
import { printable, printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, requiredFlag, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';
import { userIdOf } from './members.ts';

function slugArg(raw: string): string {
  if (!SLUG_PATTERN.test(raw)) throw new CliError('CLI_INVALID_INPUT', 'A workspace slug has lowercase letters, digits and hyphens (e.g. billing)');
  return raw;
}

function describe(w: Workspace): string {
  return `${printable(w.slug)} (${printable(w.name)}, owner ${printable(w.ownerName)})`;
}

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets workspaces [ls] [--org ORG] [--json]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const list = await ctx.client().listWorkspaces(org);
      if (ctx.flags.json) return ctx.json(list);
      if (list.length === 0) return ctx.note(`No workspaces in ${org}`);
      ctx.out(
        table(
          ['SLUG', 'NAME', 'OWNER', 'OWNER ID', 'CREATED', 'CREATED BY'],
          list.map((w) => printableRow([w.slug, w.name, w.ownerName, w.owner, w.createdAt.slice(0, 16).replace('T', ' '), w.createdBy])),
        ),
      );
    },
  },
  {
    name: 'create',
    usage: 'secrets workspaces create SLUG [--name NAME] [--owner USER] [--org ORG] [--json]',
    options: ['name', 'owner'],
    async run(ctx, args) {
      const [raw] = exactArgs(args, ['SLUG'], this.usage);
      const slug = slugArg(raw!);
      const org = await ctx.org();
      const owner = ctx.flags.owner === undefined ? undefined : await userIdOf(ctx, org, ctx.flags.owner);
      const created = await ctx.client().createWorkspace(org, { slug, ...(ctx.flags.name !== undefined && { name: ctx.flags.name }), ...(owner !== undefined && { owner }) });
      if (ctx.flags.json) return ctx.json(created);
      ctx.note(`Created workspace ${describe(created)} in ${org}`);
    },
  },
  {
    name: 'rename',
    usage: 'secrets workspaces rename SLUG --name NAME [--org ORG] [--json]',
    options: ['name'],
    async run(ctx, args) {
      const [raw] = exactArgs(args, ['SLUG'], this.usage);
      const name = requiredFlag(ctx.flags.name, 'name', this.usage);
      const org = await ctx.org();
      const updated = await ctx.client().updateWorkspace(org, slugArg(raw!), { name });
      if (ctx.flags.json) return ctx.json(updated);
      ctx.note(`Renamed workspace ${printable(updated.slug)} of ${org} to ${printable(updated.name)}`);
    },
  },
  {
    name: 'set-owner',
    usage: 'secrets workspaces set-owner SLUG USER [--org ORG] [--json]',
    options: [],
    async run(ctx, args) {
      const [raw, user] = exactArgs(args, ['SLUG', 'USER'], this.usage);
      const org = await ctx.org();
      const owner = await userIdOf(ctx, org, user!);
      const updated = await ctx.client().updateWorkspace(org, slugArg(raw!), { owner });
      if (ctx.flags.json) return ctx.json(updated);
      ctx.note(`Workspace ${describe(updated)} of ${org}: ${printable(updated.ownerName)} now writes its secrets`);
    },
  },
  {
    name: 'rm',
    usage: 'secrets workspaces rm SLUG [--yes] [--org ORG] [--json]',
    options: ['yes'],
    async run(ctx, args) {
      const [raw] = exactArgs(args, ['SLUG'], this.usage);
      const slug = slugArg(raw!);
      const org = await ctx.org();
      if (!ctx.flags.yes) await confirmDeletion(ctx, org, slug);
      await ctx.client().deleteWorkspace(org, slug);
      if (ctx.flags.json) return ctx.json({ org, workspace: slug, deleted: true });
      ctx.note(`Deleted workspace ${slug} of ${org}, with its secrets in every environment and the service tokens bound to it`);
    },
  },
];

async function confirmDeletion(ctx: Context, org: string, slug: string): Promise<void> {
  if (!canPrompt(ctx.io)) throw new CliError('CLI_CONFIRMATION_REQUIRED', `Refusing to delete workspace ${slug} without confirmation: pass --yes`);
  // Fail on a wrong slug before asking, not after the user has said yes.
  await ctx.client().getWorkspace(org, slug);
  const ok = await confirm(ctx.io, `Delete workspace ${slug} of ${org}, its secrets in every environment and their history, and its service tokens? It cannot be recovered. [y/N] `);
  if (!ok) throw new CliError('CLI_ABORTED', `Not deleted: workspace ${slug} is unchanged`);
}

export const workspaces: Command = {
  name: 'workspaces',
  summary: "List, create, rename, re-own or delete workspaces (Admin+ changes them)",
  help: `${usageOf(SUBS)}

A workspace (one service or team) sees the organization secrets available to it plus its own
secrets, which override organization secrets of the same key: its effective set. Its owner (with the
organization's Owners and Admins) writes its secrets. USER is a user id, or a member's e-mail; --owner
defaults to you. Deleting a workspace deletes its secrets in every environment, their history and the
service tokens bound to it; it is refused while an organization secret is limited to it alone.
Work in a workspace with --workspace WS (or SECRETS_WORKSPACE) on ls, get, set, rm, run, export, import,
history, rollback, diff, compare and watch; \`secrets tokens create --workspace WS\` makes a token for it.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'workspaces', SUBS, 'ls'),
};
