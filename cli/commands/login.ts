import type { Command } from '../command.ts';
import { credentialsPath, normalizeUrl, writeLogin, type StoredLogin } from '../config.ts';
import { SLUG_PATTERN } from '../../core/api-types.ts';
import { CliError } from '../errors.ts';
import { noArgs } from '../positionals.ts';
import { canPrompt, readHidden, readStdin } from '../prompt.ts';

const USAGE = 'secrets login --url URL [--org ORG] [--env ENV] [--workspace WS]';

export const login: Command = {
  name: 'login',
  summary: 'Verify a token and store it for this user',
  help: `${USAGE}

The token comes from SECRETS_TOKEN, from stdin when it is not a terminal, or from a hidden prompt; never
from the command line, where other users can read it with ps. It is checked with the server, then saved
with the URL (and --org / --env / --workspace as defaults; a service token's own organization,
environment and workspace otherwise) in $XDG_CONFIG_HOME/secrets/credentials.json
(~/.config/secrets/credentials.json), readable only by you.`,
  options: ['workspace'],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const raw = ctx.flags.url ?? ctx.io.env.SECRETS_URL;
    if (!raw) throw new CliError('CLI_USAGE', `The server URL is required; usage: ${USAGE}`);
    const url = normalizeUrl(raw);
    let token = ctx.io.env.SECRETS_TOKEN;
    if (!token) {
      if (canPrompt(ctx.io)) token = await readHidden(ctx.io, `Token for ${url}: `);
      else token = (await readStdin(ctx.io)).split(/\r?\n/)[0];
    }
    token = token?.trim();
    if (!token) throw new CliError('CLI_INVALID_INPUT', 'A token is required (SECRETS_TOKEN, stdin or the prompt)');
    ctx.sensitive(token);

    const me = await ctx.newClient(url, token).me();
    const stored: StoredLogin = { url, token };
    const org = ctx.flags.org ?? me.organization;
    const env = ctx.flags.env ?? me.environment;
    const workspace = ctx.flags.workspace ?? me.workspace;
    if (workspace !== undefined && workspace !== '' && !SLUG_PATTERN.test(workspace)) {
      throw new CliError('CLI_USAGE', '--workspace must be a workspace slug: lowercase letters, digits and hyphens');
    }
    if (org) stored.org = org;
    if (env) stored.env = env;
    if (workspace) stored.workspace = workspace;
    const file = writeLogin(ctx.io.env, stored);

    if (ctx.flags.json) {
      ctx.json({ url, user: me.user, tokenKind: me.tokenKind, org: org ?? null, env: env ?? null, workspace: workspace || null, credentials: file });
      return;
    }
    const who = me.user ? `${me.user.name} <${me.user.email}>` : `a service token for ${me.organization}/${me.environment}`;
    ctx.note(`Logged in to ${url} as ${who}`);
    if (org || env || workspace) ctx.note(`Defaults: --org ${org ?? '(none)'} --env ${env ?? '(none)'}${workspace ? ` --workspace ${workspace}` : ''}`);
    ctx.note(`Credentials saved to ${credentialsPath(ctx.io.env)}`);
  },
};
