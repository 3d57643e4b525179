import type { Command } from '../command.ts';
import { issuedToken } from '../issued-credential.ts';
import { printable } from '../server-text.ts';
import { exactArgs, optionsOf, requiredFlag, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';

const SUBS: readonly Subcommand[] = [
  {
    name: 'create',
    usage: 'secrets users create --name NAME --email EMAIL',
    options: ['name', 'email'],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const name = requiredFlag(ctx.flags.name, 'name', this.usage);
      const email = requiredFlag(ctx.flags.email, 'email', this.usage);
      const created = await ctx.client().createUser({ name, email });
      const { user } = created;
      // The new user's token is this command's output: it goes to stdout (and only there), once, exactly as issued.
      const token = issuedToken(created.token, 'personal', `user ${user.id} was created without a token you can use`);
      ctx.sensitive(token);
      if (ctx.flags.json) return ctx.json({ user, token });
      ctx.note(`Created user ${printable(user.name)} <${printable(user.email)}> (id ${user.id}); their token follows and is not shown again`);
      ctx.out(token);
    },
  },
];

export const users: Command = {
  name: 'users',
  summary: 'Create a user of this server (instance admin only); prints their token once',
  help: `${usageOf(SUBS)}

The token is printed once, on stdout (the only line there), so it can be piped straight to the user or
a password manager; the server keeps only its hash. Add the user to an organization with
\`secrets members set-role USER_ID ROLE\`.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'users', SUBS),
};
