// Model nodes → what a TreeItem shows. Kept free of `vscode` values so the unit tests can check the
// context values that drive the menus (a Viewer's items carry no canReveal/canEdit/canDelete).
import type { EnvNode, OrgNode, SecretNode, WorkspaceNode } from '../model/nodes.ts';
import { can, canAdminister } from '../model/permissions.ts';
import type { Role } from '../../core/api-types.ts';

// Computed for every child on every refresh (a search keystroke re-renders thousands), so the
// role-dependent part is cached per actions array — the model shares one array per organization.
const contextBase = new WeakMap<readonly string[], string>();

export function secretContextValue(node: SecretNode): string {
  let base = contextBase.get(node.actions);
  if (base === undefined) {
    const parts = ['secret'];
    if (node.actions.includes('reveal')) parts.push('canReveal');
    if (node.actions.includes('edit')) parts.push('canEdit');
    if (node.actions.includes('delete')) parts.push('canDelete');
    // One actions array per organization, workspace and scope (the model's cache), so the scope is the node's.
    if (node.workspace !== undefined && node.meta.scope !== undefined) parts.push(node.meta.scope === 'organization' ? 'orgScope' : 'workspaceScope');
    base = parts.join(' ');
    contextBase.set(node.actions, base);
  }
  return node.revealed ? `${base} revealed` : `${base} masked`;
}

/** `canCreate`: whether Add Secret is offered there (a workspace's: its owner or an Admin+); the role when at organization level. */
export function envContextValue(node: EnvNode, canCreate: Role | undefined | boolean): string {
  const parts = ['environment', node.current ? 'current' : 'other'];
  if (node.workspace !== undefined) parts.push('inWorkspace');
  if (typeof canCreate === 'boolean' ? canCreate : can(canCreate, 'create')) parts.push('canEdit');
  return parts.join(' ');
}

/** `canAdmin`: the caller's role in the workspace's organization lets them rename, re-own and delete it. */
export function workspaceContextValue(node: WorkspaceNode, role?: Role): string {
  return ['workspace', node.current ? 'current' : 'other', ...(node.mine ? ['mine'] : []), ...(canAdminister(role) ? ['canAdmin'] : [])].join(' ');
}

/** In a workspace: where the secret lives. `workspace · overrides` marks a workspace secret hiding an organization one. */
export function scopeBadge(node: SecretNode): string | undefined {
  if (node.workspace === undefined || node.meta.scope === undefined) return undefined;
  if (node.meta.scope === 'organization') return 'organization';
  return node.meta.overrides ? 'workspace · overrides' : 'workspace';
}

/** `canAdmin`: Create Workspace is offered there. */
export function orgContextValue(node: OrgNode): string {
  return ['organization', node.current ? 'current' : 'other', ...(canAdminister(node.role) ? ['canAdmin'] : [])].join(' ');
}

// The server flags keys that change how programs start (core/refused-names.ts); clients refuse to export
// them unless allowed by name, so the tree says so where the secret is seen.
const EXEC_RISK_MARK = '⚠';

/** The item's description: the (masked or revealed) value, marked when the key is flagged execRisk. */
export function secretDescription(node: SecretNode): string {
  const badge = scopeBadge(node);
  const value = node.meta.execRisk ? `${EXEC_RISK_MARK} ${node.display}` : node.display;
  return badge ? `${badge} · ${value}` : value;
}

/** Tooltip (markdown) of a secret: description, version, who changed it when. Never the value. */
export function secretTooltip(node: SecretNode): string {
  const m = node.meta;
  const lines = [`**${m.key}** · version ${m.version}`];
  if (m.execRisk) {
    lines.push(
      '',
      `${EXEC_RISK_MARK} **${m.key}** changes how programs start or find code: the Action, \`secrets run\` and \`secrets export\` refuse to export it unless the name is allowed (\`allow-names\`, \`--allow-name\`).`,
    );
  }
  if (node.workspace !== undefined && m.scope === 'organization') {
    lines.push('', `Organization secret: read-only in workspace ${node.workspace}. Add a secret with the same key to override it there.`);
  } else if (node.workspace !== undefined && m.scope === 'workspace') {
    lines.push('', m.overrides ? `Workspace secret of ${node.workspace}, overriding the organization secret ${m.key}.` : `Workspace secret of ${node.workspace}.`);
  } else if (node.workspace === undefined && m.workspaces !== undefined && m.workspaces.length > 0) {
    lines.push('', `Only for workspaces ${m.workspaces.join(', ')} (Edit chooses them).`);
  }
  if (m.description) lines.push('', m.description.replace(/[\\`*_[\]<>]/g, '\\$&'));
  lines.push('', `Updated by ${m.updatedBy} at ${m.updatedAt}`, `Created by ${m.createdBy} at ${m.createdAt}`);
  return lines.join('\n');
}
