import type { SecretMeta } from '../../core/api-types.ts';
import { isSecretsError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { keyArg } from '../positionals.ts';
import { canPrompt, dropFinalNewline, readHidden, readStdin } from '../prompt.ts';

const USAGE = 'secrets set KEY [--description TEXT] [--org ORG] [--env ENV] < value';

export const set: Command = {
  name: 'set',
  summary: 'Create a secret, or update it if it exists',
  help: `${USAGE}

The value is read from stdin when it is not a terminal (one final line break is dropped, so
\`echo value | secrets set KEY\` stores "value"), otherwise from a hidden prompt. It is never taken from
the command line, where other users can read it with ps. An empty value with --description updates only
the description; an empty value otherwise is an error ("Secret value is required").`,
  options: ['description'],
  async run(ctx) {
    if (ctx.args.length > 1) {
      // Deliberately not echoing the extra word: it is most likely the value itself.
      throw new CliError('CLI_USAGE', 'The value is read from stdin or a prompt, never from the command line (other users can see it in ps); usage: ' + USAGE);
    }
    const key = keyArg(ctx, USAGE);
    const { org, env } = await ctx.target();
    const value = await readValue(ctx, key);
    ctx.sensitive(value);
    const description = ctx.flags.description;
    const client = ctx.client();

    let meta: SecretMeta;
    let created = false;
    if (value === '') {
      if (description === undefined) throw new CliError('CLI_INVALID_INPUT', 'Secret value is required');
      meta = await client.updateSecret(org, env, key, { description });
    } else {
      try {
        const answer = await client.createSecret(org, env, { key, value, ...(description !== undefined && { description }) });
        meta = answer;
        created = true;
        for (const warning of answer.warnings ?? []) ctx.note(`secrets: warning: ${warning}`);
      } catch (err) {
        if (!isSecretsError(err, 'SECRETS_CONFLICT') || err.problemCode !== 'SECRET_EXISTS') throw err;
        meta = await client.updateSecret(org, env, key, { value, ...(description !== undefined && { description }) });
      }
    }
    if (ctx.flags.json) return ctx.json({ ...meta, created });
    ctx.note(`${created ? 'Created' : 'Updated'} ${meta.key} in ${org}/${env} (version ${meta.version})`);
  },
};

async function readValue(ctx: Context, key: string): Promise<string> {
  if (canPrompt(ctx.io)) return readHidden(ctx.io, `Value for ${key} (hidden): `);
  return dropFinalNewline(await readStdin(ctx.io));
}
