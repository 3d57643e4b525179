import type { SecretScope } from '../../core/api-types.ts';
import type { ChangeRow, SecretRow } from './types.ts';

/**
 * How a workspace secret's change reads in the workspace's stream, which describes the effective set:
 * creating a key that an available organization secret already has only overrides it (`updated`,
 * workspace), and deleting such an override brings the organization's entry back (`updated`,
 * organization, its version) instead of removing the key. Both backends decide it in the change's
 * transaction, from the organization secret as it is then.
 */
export function effectiveWorkspaceChange(
  kind: ChangeRow['kind'],
  version: number,
  hidden: Pick<SecretRow, 'version'> | undefined,
): { kind: ChangeRow['kind']; scope: SecretScope; version: number } {
  if (hidden && kind === 'created') return { kind: 'updated', scope: 'workspace', version };
  if (hidden && kind === 'deleted') return { kind: 'updated', scope: 'organization', version: hidden.version };
  return { kind, scope: 'workspace', version };
}
