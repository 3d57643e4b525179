import type { Command } from '../command.ts';
import { keyArg } from '../positionals.ts';
import { oneLine, table } from '../table.ts';

const USAGE = 'secrets history KEY [--org ORG] [--env ENV] [--workspace WS] [--json]';

export const history: Command = {
  name: 'history',
  summary: "List a secret's kept versions (never values)",
  help: `${USAGE}

Newest first; the first is the current version. \`secrets get KEY@3\` prints version 3,
\`secrets rollback KEY --to 3\` makes its value and description current again.`,
  options: ['workspace'],
  async run(ctx) {
    const key = keyArg(ctx, USAGE);
    const { org, ref } = await ctx.target();
    const list = await ctx.client().listSecretVersions(org, ref, key);
    if (ctx.flags.json) return ctx.json(list);
    // In a workspace the versions are the effective entry's: its own secret's, or the organization's.
    if (list.scope !== undefined) ctx.note(`Versions of the ${list.scope} secret ${key}${list.scope === 'organization' ? ' (read-only in this workspace)' : ''}`);
    ctx.out(
      table(
        ['VERSION', 'CREATED', 'CREATED BY', 'DESCRIPTION'],
        list.versions.map((v) => [String(v.version), v.createdAt.slice(0, 19).replace('T', ' '), v.createdBy, oneLine(v.description)]),
      ),
    );
  },
};
