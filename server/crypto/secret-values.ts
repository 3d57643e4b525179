// Sealing and opening secret values where they live. A row that fails authentication (edited, or
// copied to another key, version, environment or organization) is refused, never returned as garbage.
import type { Keyring } from './keyring.ts';
import { open, seal, secretAad, UnreadableCiphertextError, type Sealed } from './envelope.ts';
import { ApiError } from '../errors.ts';
import type { OrgRow, SecretRow } from '../storage/types.ts';

/** `workspaceId` is '' for an organization secret: a row moved between a workspace and the organization fails to open. */
export function sealValue(keyring: Keyring, org: OrgRow, environmentId: string, key: string, version: number, value: string, workspaceId = ''): Sealed {
  return seal(keyring.dataKey(org), Buffer.from(value, 'utf8'), secretAad(org.id, environmentId, workspaceId, key, version));
}

export function openValue(keyring: Keyring, org: OrgRow, row: Pick<SecretRow, 'environmentId' | 'workspaceId' | 'key' | 'version' | 'nonce' | 'ciphertext'>): string {
  try {
    const aad = secretAad(org.id, row.environmentId, row.workspaceId, row.key, row.version);
    return open(keyring.dataKey(org), row, aad).toString('utf8');
  } catch (err) {
    if (err instanceof UnreadableCiphertextError) {
      throw new ApiError('SECRET_UNREADABLE', `The stored value of ${row.key} failed its integrity check and was not returned`);
    }
    throw err;
  }
}
