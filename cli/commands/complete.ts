// `secrets __complete orgs|envs|workspaces|keys`: the names the completion scripts offer, one per line. Hidden from
// --help; it lists only what `secrets orgs`, `envs` and `ls` would show the same login.
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { printable } from '../server-text.ts';
import { exactArgs } from '../subcommands.ts';

export const complete: Command = {
  name: '__complete',
  summary: 'Names for shell completion (used by the completion scripts)',
  help: 'secrets __complete orgs|envs|workspaces|keys [--org ORG] [--env ENV] [--workspace WS]',
  options: ['workspace'],
  async run(ctx) {
    const [what] = exactArgs(ctx.args, ['WHAT'], this.help);
    ctx.preferQuickAnswers();
    const client = ctx.client();
    let names: string[];
    if (what === 'orgs') names = (await client.listOrgs()).map((o) => o.slug);
    else if (what === 'envs') names = (await client.listEnvironments(await ctx.org())).map((e) => e.slug);
    else if (what === 'workspaces') names = (await client.listWorkspaces(await ctx.org())).map((w) => w.slug);
    else if (what === 'keys') {
      const { org, ref } = await ctx.target();
      names = (await client.listSecrets(org, ref)).map((s) => s.key);
    } else throw new CliError('CLI_USAGE', `Unknown list; usage: ${this.help}`);
    if (names.length > 0) ctx.out(names.map(printable).join('\n'));
  },
};
