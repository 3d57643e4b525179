import { ROLES } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { roleArg } from '../role.ts';
import { printable, printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';

/** USER is a user id, or the e-mail of someone already a member (the API has no lookup by e-mail). */
export async function userIdOf(ctx: Context, org: string, user: string): Promise<string> {
  if (!user.includes('@')) return user;
  const members = await ctx.client().listMembers(org);
  const found = members.find((m) => m.email.toLowerCase() === user.toLowerCase());
  if (!found) {
    throw new CliError('CLI_INVALID_INPUT', `No member of ${org} has the e-mail ${printable(user)}; to add someone, give their user id (secrets users create prints it)`);
  }
  return found.userId;
}

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets members [ls] [--org ORG]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const list = await ctx.client().listMembers(org);
      if (ctx.flags.json) return ctx.json(list);
      ctx.out(
        table(
          ['USER ID', 'NAME', 'EMAIL', 'ROLE', 'ADDED'],
          list.map((m) => printableRow([m.userId, m.name, m.email, m.role, m.addedAt.slice(0, 16).replace('T', ' ')])),
        ),
      );
    },
  },
  {
    name: 'set-role',
    usage: 'secrets members set-role USER ROLE [--org ORG]   (USER: user id, or a member\'s e-mail)',
    options: [],
    async run(ctx, args) {
      const [user, roleText] = exactArgs(args, ['USER', 'ROLE'], this.usage);
      const role = roleArg(roleText!);
      const org = await ctx.org();
      const member = await ctx.client().putMember(org, await userIdOf(ctx, org, user!), role);
      if (ctx.flags.json) return ctx.json(member);
      ctx.note(`${printable(member.name)} <${printable(member.email)}> is now ${member.role} of ${org}`);
    },
  },
  {
    name: 'rm',
    usage: "secrets members rm USER [--org ORG]   (USER: user id, or a member's e-mail)",
    options: [],
    async run(ctx, args) {
      const [user] = exactArgs(args, ['USER'], this.usage);
      const org = await ctx.org();
      const userId = await userIdOf(ctx, org, user!);
      await ctx.client().removeMember(org, userId);
      if (ctx.flags.json) return ctx.json({ org, userId, removed: true });
      ctx.note(`Removed ${userId} from ${org}`);
    },
  },
];

export const members: Command = {
  name: 'members',
  summary: "List an organization's members, change a role, add or remove a member (Admin+ to change)",
  help: `${usageOf(SUBS)}

set-role adds the user when they are not yet a member. Roles: ${ROLES.join(', ')}. Only an owner can grant
owner or change an owner; the last owner cannot be demoted or removed.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'members', SUBS, 'ls'),
};
