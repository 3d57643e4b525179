// Version nodes → what a History item shows. Kept free of `vscode` values so the unit tests can check
// the context values that drive the menus (no rollback offered on the current version or to a Viewer).
import type { VersionNode } from '../model/history-model.ts';

/** The context value that drives the version items' menus. */
export function versionContextValue(node: VersionNode, canReveal: boolean, canRollback: boolean): string {
  const parts = ['version', node.current ? 'current' : 'old'];
  if (canReveal) parts.push('canReveal');
  if (canRollback && !node.current) parts.push('canRollback');
  parts.push(node.revealed ? 'revealed' : 'masked');
  return parts.join(' ');
}

/** The item's description: `current · by Olivia · 2026-11-01 14:02 UTC · ••••••••`. */
export function versionDescription(node: VersionNode): string {
  return [node.current ? 'current' : undefined, `by ${node.createdBy}`, node.createdAt, node.display].filter(Boolean).join(' · ');
}
