import { stripTerminalControls } from '../../core/terminal-text.ts';
import type { Command } from '../command.ts';
import { noArgs } from '../positionals.ts';

const USAGE = 'secrets whoami';

export const whoami: Command = {
  name: 'whoami',
  summary: 'Show who the token belongs to',
  help: USAGE,
  options: [],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const me = await ctx.client().me();
    if (ctx.flags.json) return ctx.json(me);
    const url = ctx.settings().url;
    const line = me.user ? `${me.user.name} <${me.user.email}> on ${url}` : `service token for ${me.organization}/${me.environment}${me.workspace ? ` (workspace ${me.workspace})` : ''} on ${url}`;
    ctx.out(stripTerminalControls(line));
  },
};
