import type { Command } from '../command.ts';
import { credentialsPath, readLogin, removeLogin } from '../config.ts';
import { noArgs } from '../positionals.ts';

const USAGE = 'secrets logout';

export const logout: Command = {
  name: 'logout',
  summary: 'Forget the stored login',
  help: `${USAGE}

Deletes the stored credentials file. The token itself stays valid on the server until it is revoked
there (it may be in use elsewhere).`,
  options: [],
  async run(ctx) {
    noArgs(ctx, USAGE);
    let url: string | undefined;
    try {
      url = readLogin(ctx.io.env)?.url;
    } catch {
      // A damaged file is removed all the same: that is what logging out of it means.
    }
    const removed = removeLogin(ctx.io.env);
    if (ctx.flags.json) return ctx.json({ loggedOut: removed, url: url ?? null });
    ctx.note(removed ? `Logged out${url ? ` of ${url}` : ''} (removed ${credentialsPath(ctx.io.env)})` : 'Not logged in');
  },
};
