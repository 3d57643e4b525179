// `node server/main.ts rotate-master-key`: re-wraps every organization's data key (and the key check)
// under a new master key in one transaction. Secrets are untouched: they are sealed by the data keys,
// which do not change. A running server keeps working; it needs the new key at its next start.
import { randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { makeMasterCheck, Keyring } from './crypto/keyring.ts';
import { KEY_BYTES, rewrapDataKey, toKeyObject } from './crypto/envelope.ts';
import { decodeMasterKey, loadMasterKey, MasterKeyError, masterKeyPath, writeKeyFile } from './crypto/master-key.ts';
import type { Config } from './config.ts';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.ts';
import { WrongMasterKeyError } from './start.ts';

export interface RotationResult {
  organizations: number;
  /** Where the new key was written, when it was written to a file. */
  keyFile: string | null;
}

export async function rotateMasterKey(config: Config, env: NodeJS.ProcessEnv, print: (line: string) => void = console.log): Promise<RotationResult> {
  const keyFile = masterKeyPath(config.dataDir);
  if (!config.masterKeyBase64 && !existsSync(keyFile)) {
    throw new MasterKeyError(`No current master key: set SECRETS_MASTER_KEY or provide ${keyFile}`);
  }
  const current = loadMasterKey(config.dataDir, config.masterKeyBase64, () => undefined);
  const storage = SqliteStorage.open(config.dataDir);
  try {
    const check = await storage.getMasterCheck();
    if (check !== undefined && !new Keyring(current.key).verifyMasterCheck(check)) throw new WrongMasterKeyError();

    let newRaw: Buffer | null = null;
    let next: KeyObject;
    if (env.SECRETS_NEW_MASTER_KEY) next = decodeMasterKey(env.SECRETS_NEW_MASTER_KEY, 'SECRETS_NEW_MASTER_KEY');
    else {
      newRaw = randomBytes(KEY_BYTES);
      next = toKeyObject(newRaw);
    }

    // The key file is updated when the server reads its key from there, or when the new key was
    // generated here (it has to live somewhere). It is staged first and moved in after the commit.
    const writeFile = current.from === 'file' || newRaw !== null;
    const staged = `${keyFile}.new`;
    if (writeFile) writeKeyFile(staged, newRaw ?? Buffer.from(next.export()));

    const orgs = await storage.listAllOrgKeys();
    const rewrapped = orgs.map((o) => ({ id: o.id, wrappedKey: rewrapDataKey(current.key, next, o.id, o.wrappedKey) }));
    try {
      await storage.rewrapKeys(rewrapped, makeMasterCheck(next));
    } catch (err) {
      if (writeFile) rmSync(staged, { force: true });
      throw err;
    }
    if (writeFile) renameSync(staged, keyFile);

    print(`Re-wrapped the data keys of ${orgs.length} organization(s) under the new master key.`);
    if (writeFile) print(`The new master key is in ${keyFile}.`);
    if (current.from === 'env') {
      print(
        writeFile
          ? `SECRETS_MASTER_KEY still holds the old key: unset it (the server then reads ${keyFile}) or set it to the new key.`
          : 'Start the server with SECRETS_MASTER_KEY set to the new key (SECRETS_NEW_MASTER_KEY).',
      );
    }
    return { organizations: orgs.length, keyFile: writeFile ? keyFile : null };
  } finally {
    await storage.close();
  }
}
