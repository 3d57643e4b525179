import type { SecretMeta } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import { noArgs } from '../positionals.ts';
import { oneLine, table } from '../table.ts';

const USAGE = 'secrets ls [--search TEXT] [--org ORG] [--env ENV] [--workspace WS]';

export const ls: Command = {
  name: 'ls',
  summary: 'List the secrets of an environment (keys and metadata, never values)',
  help: `${USAGE}

--search matches any part of the key, ignoring case. With --workspace (or SECRETS_WORKSPACE) it lists
the workspace's effective set: the organization secrets available to it and its own, with a SCOPE
column (organization, or workspace; "workspace, overrides" for a workspace secret that hides an
organization secret of the same key; organization secrets are read-only there). Without it, the
organization's secrets with the WORKSPACES that may use each ("all" when not limited).`,
  options: ['search', 'workspace'],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const { org, workspace, ref, label } = await ctx.target();
    const search = ctx.flags.search;
    const list = await ctx.client().listSecrets(org, ref, search !== undefined ? { search } : {});
    if (ctx.flags.json) return ctx.json(list);
    if (list.length === 0) {
      return ctx.note(search !== undefined ? `No secrets in ${label} match "${search}"` : `No secrets in ${label}`);
    }
    const updated = (s: SecretMeta) => [String(s.version), s.updatedAt.slice(0, 16).replace('T', ' '), s.updatedBy, oneLine(s.description)];
    ctx.out(
      workspace === undefined
        ? table(['KEY', 'WORKSPACES', 'VERSION', 'UPDATED', 'UPDATED BY', 'DESCRIPTION'], list.map((s) => [s.key, workspacesCell(s), ...updated(s)]))
        : table(['KEY', 'SCOPE', 'VERSION', 'UPDATED', 'UPDATED BY', 'DESCRIPTION'], list.map((s) => [s.key, scopeCell(s), ...updated(s)])),
    );
  },
};

/** Where an entry of a workspace's effective set comes from, and whether it hides the organization's. */
export function scopeCell(s: Pick<SecretMeta, 'scope' | 'overrides'>): string {
  if (s.scope === 'workspace') return s.overrides ? 'workspace, overrides' : 'workspace';
  return s.scope ?? 'organization';
}

function workspacesCell(s: SecretMeta): string {
  return s.workspaces === undefined || s.workspaces.length === 0 ? 'all' : s.workspaces.join(',');
}
