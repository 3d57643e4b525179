import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { keyArg } from '../positionals.ts';

const USAGE = 'secrets rollback KEY --to VERSION [--org ORG] [--env ENV] [--workspace WS] [--json]';

export const rollback: Command = {
  name: 'rollback',
  summary: 'Make a kept version of a secret current again (as a new version)',
  help: `${USAGE}

Writes a new version with the value and description of VERSION (see \`secrets history KEY\`). It fails,
changing nothing, if the secret changed since this command read it.`,
  options: ['to', 'workspace'],
  async run(ctx) {
    const key = keyArg(ctx, USAGE);
    const to = ctx.flags.to;
    if (to === undefined || !/^[1-9][0-9]{0,14}$/.test(to)) throw new CliError('CLI_USAGE', `--to must be a version number; usage: ${USAGE}`);
    const { org, ref, label } = await ctx.target();
    const client = ctx.client();
    const current = await client.getSecret(org, ref, key);
    const meta = await client.rollbackSecret(org, ref, key, Number(to), { ifMatch: current.version });
    if (ctx.flags.json) return ctx.json(meta);
    ctx.note(`Rolled ${key} in ${label} back to the value of version ${to}: now version ${meta.version}`);
  },
};
