import type { Command } from '../command.ts';
import { expiryFromNow } from '../duration.ts';
import { CliError } from '../errors.ts';
import { issuedToken } from '../issued-credential.ts';
import { printable, printableRow } from '../server-text.ts';
import { exactArgs, optionsOf, requiredFlag, runSubcommand, usageOf, type Subcommand } from '../subcommands.ts';
import { table } from '../table.ts';

const when = (iso: string | null) => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));

const SUBS: readonly Subcommand[] = [
  {
    name: 'ls',
    usage: 'secrets tokens [ls] [--org ORG]',
    options: [],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      const org = await ctx.org();
      const list = await ctx.client().listServiceTokens(org);
      if (ctx.flags.json) return ctx.json(list);
      if (list.length === 0) return ctx.note(`No service tokens in ${org}`);
      ctx.out(
        table(
          ['ID', 'NAME', 'ENV', 'WORKSPACE', 'CREATED', 'CREATED BY', 'EXPIRES', 'LAST USED'],
          list.map((t) => printableRow([t.id, t.name, t.environment, t.workspace ?? '-', when(t.createdAt), t.createdBy, when(t.expiresAt), when(t.lastUsedAt)])),
        ),
      );
    },
  },
  {
    name: 'create',
    usage: 'secrets tokens create --env ENV [--workspace WS] --name NAME [--expires 30d|ISO-TIME] [--org ORG]',
    options: ['name', 'expires', 'workspace'],
    async run(ctx, args) {
      exactArgs(args, [], this.usage);
      // Explicit --env only: a token scoped by a forgotten SECRETS_ENV default would read the wrong secrets.
      const environment = requiredFlag(ctx.flags.env, 'env', this.usage);
      const name = requiredFlag(ctx.flags.name, 'name', this.usage);
      const expiresAt = ctx.flags.expires === undefined ? undefined : expiryFromNow(ctx.flags.expires);
      // Explicit --workspace only, like --env: SECRETS_WORKSPACE does not bind a token.
      const workspace = ctx.flags.workspace === undefined ? undefined : ctx.workspace();
      const org = await ctx.org();
      const created = await ctx.client().createServiceToken(org, { name, environment, ...(workspace !== undefined && { workspace }), ...(expiresAt !== undefined && { expiresAt }) });
      ctx.sensitive(String(created.token));
      const token = issuedToken(created.token, 'service', `revoke what was created with \`secrets tokens revoke ${created.id}\``);
      if (ctx.flags.json) return ctx.json(created);
      const expiry = created.expiresAt === null ? 'never expires' : `expires ${created.expiresAt}`;
      ctx.note(`Created service token ${printable(created.name)} (id ${created.id}) for ${org}/${created.environment}${created.workspace ? ` (workspace ${created.workspace}: its effective set only)` : ''}, read-only, ${expiry}; it follows and is not shown again`);
      // The token is the only thing on stdout, and is printed this once: the server keeps only its hash.
      ctx.out(token);
    },
  },
  {
    name: 'revoke',
    usage: 'secrets tokens revoke ID [--org ORG]',
    options: [],
    async run(ctx, args) {
      const [id] = exactArgs(args, ['ID'], this.usage);
      if (id!.startsWith('scrt_')) {
        // Someone pasted the token itself; it must not travel in a URL (and is now in their shell history).
        throw new CliError('CLI_INVALID_INPUT', 'Give the token id (secrets tokens ls), not the token itself');
      }
      const org = await ctx.org();
      await ctx.client().revokeServiceToken(org, id!);
      if (ctx.flags.json) return ctx.json({ org, id, revoked: true });
      ctx.note(`Revoked service token ${id} in ${org}`);
    },
  },
];

export const tokens: Command = {
  name: 'tokens',
  summary: 'List, create or revoke service tokens (read-only, one environment; Admin+)',
  help: `${usageOf(SUBS)}

create prints the new token once, on stdout only (the description goes to stderr), e.g.
  secrets tokens create --env production --name ci --expires 30d | gh secret set SECRETS_TOKEN
--expires takes a duration (90m, 12h, 30d, 2w) from now or an ISO 8601 time; without it the token does not expire.
--workspace binds the token to a workspace: it then reads that workspace's effective set in ENV, and nothing else.`,
  options: optionsOf(SUBS),
  verbs: SUBS.map((s) => s.name),
  run: (ctx) => runSubcommand(ctx, 'tokens', SUBS, 'ls'),
};
