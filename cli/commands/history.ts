import type { Command } from '../command.ts';
import { keyArg } from '../positionals.ts';
import { oneLine, table } from '../table.ts';

const USAGE = 'secrets history KEY [--org ORG] [--env ENV] [--json]';

export const history: Command = {
  name: 'history',
  summary: "List a secret's kept versions (never values)",
  help: `${USAGE}

Newest first; the first is the current version. \`secrets get KEY@3\` prints version 3,
\`secrets rollback KEY --to 3\` makes its value and description current again.`,
  options: [],
  async run(ctx) {
    const key = keyArg(ctx, USAGE);
    const { org, env } = await ctx.target();
    const list = await ctx.client().listSecretVersions(org, env, key);
    if (ctx.flags.json) return ctx.json(list);
    ctx.out(
      table(
        ['VERSION', 'CREATED', 'CREATED BY', 'DESCRIPTION'],
        list.versions.map((v) => [String(v.version), v.createdAt.slice(0, 19).replace('T', ' '), v.createdBy, oneLine(v.description)]),
      ),
    );
  },
};
