// The shapes command arguments can take: tree nodes (VS Code passes the element to menu commands),
// plain objects from programmatic callers, or nothing (then the command prompts).
import type { EnvNode, SecretNode } from '../model/nodes.ts';

/** A secret as commands accept it: a tree item, `{ secretKey }`, or (as a string) a key in the current environment. */
export type SecretArg = Pick<SecretNode, 'secretKey'> & Partial<Pick<SecretNode, 'org' | 'env' | 'workspace'>>;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function isEnvNode(v: unknown): v is EnvNode {
  return isObject(v) && v.kind === 'env' && typeof v.org === 'string' && typeof v.env === 'string';
}

export function isOrgNode(v: unknown): v is { kind: 'org'; org: string } {
  return isObject(v) && v.kind === 'org' && typeof v.org === 'string';
}

export function isWorkspaceNode(v: unknown): v is { kind: 'workspace'; org: string; workspace: string } {
  return isObject(v) && v.kind === 'workspace' && typeof v.org === 'string' && typeof v.workspace === 'string';
}
