import { SLUG_PATTERN, type SecretMeta } from '../../core/api-types.ts';
import { isSecretsError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { keyArg } from '../positionals.ts';
import { canPrompt, dropFinalNewline, readHidden, readStdin } from '../prompt.ts';

const USAGE = 'secrets set KEY [--description TEXT] [--workspaces WS,WS… | --workspace WS] [--org ORG] [--env ENV] < value';

export const set: Command = {
  name: 'set',
  summary: 'Create a secret, or update it if it exists',
  help: `${USAGE}

The value is read from stdin when it is not a terminal (one final line break is dropped, so
\`echo value | secrets set KEY\` stores "value"), otherwise from a hidden prompt. It is never taken from
the command line, where other users can read it with ps. An empty value with --description (or
--workspaces) updates only those; an empty value otherwise is an error ("Secret value is required").

--workspaces limits an organization secret to the workspaces named (comma-separated slugs; "" makes it
available to every workspace again); only those workspaces see it in their effective set. It changes
who may use the secret, not its value, so alone it keeps the version. --workspace WS (or
SECRETS_WORKSPACE) writes a secret of that workspace instead (its owner, or an organization Owner or
Admin): setting a key that is an organization secret there overrides it in that workspace only.`,
  options: ['description', 'workspace', 'workspaces'],
  async run(ctx) {
    if (ctx.args.length > 1) {
      // Deliberately not echoing the extra word: it is most likely the value itself.
      throw new CliError('CLI_USAGE', 'The value is read from stdin or a prompt, never from the command line (other users can see it in ps); usage: ' + USAGE);
    }
    const key = keyArg(ctx, USAGE);
    const { org, workspace, ref, label } = await ctx.target();
    const workspaces = workspacesFlag(ctx.flags.workspaces, workspace);
    const value = await readValue(ctx, key);
    ctx.sensitive(value);
    const description = ctx.flags.description;
    const client = ctx.client();

    let meta: SecretMeta;
    let created = false;
    const extra = { ...(description !== undefined && { description }), ...(workspaces !== undefined && { workspaces }) };
    if (value === '') {
      if (description === undefined && workspaces === undefined) throw new CliError('CLI_INVALID_INPUT', 'Secret value is required');
      meta = await client.updateSecret(org, ref, key, extra);
    } else {
      try {
        const answer = await client.createSecret(org, ref, { key, value, ...extra });
        meta = answer;
        created = true;
        for (const warning of answer.warnings ?? []) ctx.note(`secrets: warning: ${warning}`);
      } catch (err) {
        if (!isSecretsError(err, 'SECRETS_CONFLICT') || err.problemCode !== 'SECRET_EXISTS') throw err;
        meta = await client.updateSecret(org, ref, key, { value, ...extra });
      }
    }
    if (ctx.flags.json) return ctx.json({ ...meta, created });
    const scope = meta.overrides ? ', overriding the organization secret there' : meta.workspaces && meta.workspaces.length > 0 ? `, for workspaces ${meta.workspaces.join(', ')}` : '';
    ctx.note(`${created ? 'Created' : 'Updated'} ${meta.key} in ${label} (version ${meta.version}${scope})`);
  },
};

/** `--workspaces a,b` (an organization secret's workspaces; "" = every workspace), checked as slugs. */
function workspacesFlag(raw: string | undefined, workspace: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (workspace !== undefined) {
    throw new CliError('CLI_USAGE', `--workspaces limits an organization secret to workspaces; a secret of workspace ${workspace} belongs to it alone (leave out --workspace or SECRETS_WORKSPACE)`);
  }
  const slugs = raw.split(',').map((w) => w.trim()).filter((w) => w !== '');
  const bad = slugs.find((w) => !SLUG_PATTERN.test(w));
  if (bad !== undefined) throw new CliError('CLI_USAGE', '--workspaces takes workspace slugs separated by commas: lowercase letters, digits and hyphens');
  return [...new Set(slugs)];
}

async function readValue(ctx: Context, key: string): Promise<string> {
  if (canPrompt(ctx.io)) return readHidden(ctx.io, `Value for ${key} (hidden): `);
  return dropFinalNewline(await readStdin(ctx.io));
}
