// Inviting people by e-mail (the invitee opens the link in the dashboard and registers a passkey), and
// managing the invitations still open. The link is a one-time secret: printed once, on stdout only.
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { issuedInvitationLink } from '../issued-credential.ts';
import { roleArg } from '../role.ts';
import { printable, printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, requiredFlag, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const INVITE_USAGE = 'secrets invite EMAIL --role owner|admin|editor|viewer [--org ORG]';

export const invite: Command = {
  name: 'invite',
  summary: 'Invite a person by e-mail with a role; prints the one-time link (Admin+)',
  help: `${INVITE_USAGE}

Prints the invitation link once, on stdout only (the description goes to stderr); it is valid for 7 days
and one acceptance. The invitee opens it in a browser, gives their name and registers a passkey; someone
who already has an account signs in and joins. Only an Owner may invite an Owner.
See open invitations with \`secrets invitations\`, revoke one with \`secrets invitations revoke ID\`.`,
  options: ['role'],
  async run(ctx) {
    const [email] = exactArgs(ctx.args, ['EMAIL'], INVITE_USAGE);
    const role = roleArg(requiredFlag(ctx.flags.role, 'role', INVITE_USAGE));
    const org = await ctx.org();
    const created = await ctx.client().createInvitation(org, { email: email!, role });
    ctx.sensitive(String(created.url));
    const link = issuedInvitationLink(created.url, `revoke what was created with \`secrets invitations revoke ${created.id}\``);
    if (ctx.flags.json) return ctx.json(created);
    ctx.note(`Invited ${printable(created.email)} to ${org} as ${created.role} (id ${created.id}, valid until ${when(created.expiresAt)}); the link follows and is not shown again`);
    ctx.out(link);
  },
};

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets invitations [ls] [--org ORG]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const list = await ctx.client().listInvitations(org);
      if (ctx.flags.json) return ctx.json(list);
      if (list.length === 0) return ctx.note(`No open invitations in ${org}`);
      ctx.out(
        table(
          ['ID', 'EMAIL', 'ROLE', 'CREATED', 'CREATED BY', 'EXPIRES'],
          list.map((i) => printableRow([i.id, i.email, i.role, when(i.createdAt), i.createdBy, when(i.expiresAt)])),
        ),
      );
    },
  },
  {
    name: 'revoke',
    usage: 'secrets invitations revoke ID [--org ORG]',
    options: [],
    async run(ctx, args) {
      const [id] = exactArgs(args, ['ID'], this.usage);
      if (id!.startsWith('scrt_') || id!.includes('/invite')) {
        // The link itself was pasted: its secret must not travel in a URL path (and is now in shell history).
        throw new CliError('CLI_INVALID_INPUT', 'Give the invitation id (secrets invitations ls), not the link');
      }
      const org = await ctx.org();
      await ctx.client().revokeInvitation(org, id!);
      if (ctx.flags.json) return ctx.json({ org, id, revoked: true });
      ctx.note(`Revoked invitation ${id} in ${org}`);
    },
  },
];

export const invitations: Command = {
  name: 'invitations',
  summary: 'List or revoke open invitations (Admin+)',
  help: usageOf(SUBS),
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'invitations', SUBS, 'ls'),
};
