// The tree's data, independent of VS Code: the adapter turns these into TreeItems one to one, and the
// integration tests read them through the test API to assert what the tree shows.
import type { Role, SecretMeta } from '../../core/api-types.ts';
import type { SecretAction } from './permissions.ts';

export const MASK = '••••••••';

export interface OrgNode {
  kind: 'org';
  id: string;
  org: string;
  name: string;
  role: Role;
  current: boolean;
}

export interface EnvNode {
  kind: 'env';
  id: string;
  org: string;
  env: string;
  /** Set under a workspace: the environment of that workspace (its effective set). */
  workspace?: string;
  name: string;
  current: boolean;
  /** The number of secrets shown under it (after filtering), once loaded. */
  count?: number;
}

/** A workspace of an organization (shown only when the organization has workspaces). */
export interface WorkspaceNode {
  kind: 'workspace';
  id: string;
  org: string;
  workspace: string;
  name: string;
  /** The owner's user id. */
  owner: string;
  ownerName: string;
  /** The signed-in user owns it: they write its secrets whatever their role. */
  mine: boolean;
  current: boolean;
}

/** "Organization secrets": the organization's own environments, beside its workspaces. */
export interface OrgScopeNode {
  kind: 'org-scope';
  id: string;
  org: string;
  current: boolean;
}

export interface SecretNode {
  kind: 'secret';
  id: string;
  org: string;
  env: string;
  /** Set in a workspace's effective set. */
  workspace?: string;
  secretKey: string;
  meta: SecretMeta;
  revealed: boolean;
  /** `••••••••`, or the value while revealed. */
  display: string;
  actions: SecretAction[];
}

export interface MessageNode {
  kind: 'message';
  id: string;
  parentId: string;
  text: string;
}

export type TreeNode = OrgNode | OrgScopeNode | WorkspaceNode | EnvNode | SecretNode | MessageNode;

export function orgId(org: string): string {
  return `org:${org}`;
}
// Slugs hold no `/`, so `acme/production` (organization level) and `acme/billing/production` (a
// workspace) can never name the same environment.
function place(org: string, env: string, workspace?: string): string {
  return workspace === undefined ? `${org}/${env}` : `${org}/${workspace}/${env}`;
}
export function envId(org: string, env: string, workspace?: string): string {
  return `env:${place(org, env, workspace)}`;
}
export function secretId(org: string, env: string, key: string, workspace?: string): string {
  return `secret:${place(org, env, workspace)}/${key}`;
}
export function workspaceId(org: string, workspace: string): string {
  return `workspace:${org}/${workspace}`;
}
export function orgScopeId(org: string): string {
  return `org-scope:${org}`;
}
