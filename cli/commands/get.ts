import type { Command } from '../command.ts';
import { keyArgWithPin } from '../positionals.ts';

const USAGE = 'secrets get KEY[@VERSION] [--org ORG] [--env ENV] [--workspace WS] [--json]';

export const get: Command = {
  name: 'get',
  summary: "Print a secret's value",
  help: `${USAGE}

Prints the value exactly as stored (references are not resolved; see \`secrets export\`). A line break is
added only when stdout is a terminal, so \`secrets get KEY > file\` writes the value byte for byte.
--json prints { key, value, version }. KEY@3 prints version 3 (see \`secrets history KEY\`).`,
  options: ['workspace'],
  async run(ctx) {
    const { key, version: pin } = keyArgWithPin(ctx, USAGE);
    const { org, ref } = await ctx.target();
    const secret = pin === undefined ? await ctx.client().revealSecret(org, ref, key) : await ctx.client().revealSecretVersion(org, ref, key, pin);
    ctx.sensitive(secret.value);
    if (ctx.flags.json) return ctx.json(secret);
    ctx.io.stdout.write(secret.value);
    if (ctx.io.stdout.isTTY && !secret.value.endsWith('\n')) ctx.io.stdout.write('\n');
  },
};

