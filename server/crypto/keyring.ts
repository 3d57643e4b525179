// Holds the master key and the organizations' unwrapped data keys. Unwrapping happens once per org per
// process; the cache is what keeps a bulk reveal to symmetric decryption only.
import type { KeyObject } from 'node:crypto';
import {
  MASTER_KEY_CHECK_AAD,
  MASTER_KEY_CHECK_PLAINTEXT,
  newDataKey,
  open,
  packSealed,
  seal,
  unpackSealed,
  unwrapDataKey,
  UnreadableCiphertextError,
} from './envelope.ts';

export class Keyring {
  private readonly master: KeyObject;
  private readonly dataKeys = new Map<string, KeyObject>();

  constructor(master: KeyObject) {
    this.master = master;
  }

  dataKey(org: { id: string; wrappedKey: Uint8Array }): KeyObject {
    let key = this.dataKeys.get(org.id);
    if (!key) {
      key = unwrapDataKey(this.master, org.id, org.wrappedKey);
      this.dataKeys.set(org.id, key);
    }
    return key;
  }

  /** A fresh data key for a new organization, cached, and its wrapped form for storage. */
  newOrgKey(orgId: string): Uint8Array {
    const { wrapped, key } = newDataKey(this.master, orgId);
    this.dataKeys.set(orgId, key);
    return wrapped;
  }

  /** The value stored beside the data so that a wrong master key is refused at start-up. */
  masterCheck(): Uint8Array {
    return makeMasterCheck(this.master);
  }

  verifyMasterCheck(check: Uint8Array): boolean {
    try {
      return open(this.master, unpackSealed(check), MASTER_KEY_CHECK_AAD).toString('utf8') === MASTER_KEY_CHECK_PLAINTEXT;
    } catch (err) {
      if (err instanceof UnreadableCiphertextError) return false;
      throw err;
    }
  }
}

export function makeMasterCheck(master: KeyObject): Uint8Array {
  return packSealed(seal(master, Buffer.from(MASTER_KEY_CHECK_PLAINTEXT, 'utf8'), MASTER_KEY_CHECK_AAD));
}
