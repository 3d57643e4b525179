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

export interface SecretNode {
  kind: 'secret';
  id: string;
  org: string;
  env: string;
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

export type TreeNode = OrgNode | EnvNode | SecretNode | MessageNode;

export function orgId(org: string): string {
  return `org:${org}`;
}
export function envId(org: string, env: string): string {
  return `env:${org}/${env}`;
}
export function secretId(org: string, env: string, key: string): string {
  return `secret:${org}/${env}/${key}`;
}
