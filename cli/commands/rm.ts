import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { keyArg } from '../positionals.ts';
import { canPrompt, confirm } from '../prompt.ts';

const USAGE = 'secrets rm KEY [--yes] [--org ORG] [--env ENV] [--workspace WS]';

export const rm: Command = {
  name: 'rm',
  summary: 'Delete a secret (asks first unless --yes)',
  help: `${USAGE}

Deleted means gone: there is no recovery. Without a terminal to ask on, --yes is required.`,
  options: ['yes', 'workspace'],
  async run(ctx) {
    const key = keyArg(ctx, USAGE);
    const { org, env, workspace, ref, label } = await ctx.target();
    if (!ctx.flags.yes) {
      if (!canPrompt(ctx.io)) {
        throw new CliError('CLI_CONFIRMATION_REQUIRED', `Refusing to delete ${key} without confirmation: pass --yes`);
      }
      // Fail on a wrong key before asking, not after the user has said yes.
      await ctx.client().getSecret(org, ref, key);
      const ok = await confirm(ctx.io, `Delete ${key} from ${label}? It cannot be recovered. [y/N] `);
      if (!ok) throw new CliError('CLI_ABORTED', `Not deleted: ${key} is unchanged`);
    }
    await ctx.client().deleteSecret(org, ref, key);
    if (ctx.flags.json) return ctx.json({ key, org, env, ...(workspace !== undefined && { workspace }), deleted: true });
    ctx.note(`Deleted ${key} from ${label}`);
  },
};
