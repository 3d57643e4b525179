// `node server/main.ts rotate-master-key`: re-wraps every organization's data key (and the key check)
// under a new master key in one transaction. Secrets are untouched: they are sealed by the data keys,
// which do not change. It holds the data directory's lock throughout, so it refuses to run beside a
// server (which would go on wrapping new organizations under the old key), and it first finishes or
// undoes a rotation that was interrupted (crypto/interrupted-rotation.ts).
import { randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeMasterCheck, Keyring } from './crypto/keyring.ts';
import { KEY_BYTES, rewrapDataKey, toKeyObject } from './crypto/envelope.ts';
import { recoverInterruptedRotation, stagedKeyPath } from './crypto/interrupted-rotation.ts';
import { decodeMasterKey, loadMasterKey, MasterKeyError, masterKeyPath, syncDirectory, writeKeyFile } from './crypto/master-key.ts';
import { lockDataDir } from './data-dir/lock.ts';
import { secureDataDir } from './data-dir/permissions.ts';
import type { Config } from './config.ts';
import { PostgresStorage } from './storage/postgres/postgres-storage.ts';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.ts';
import type { Storage } from './storage/types.ts';
import { WrongMasterKeyError } from './start.ts';

export interface RotationResult {
  organizations: number;
  /** Where the new key was written, when it was written to a file. */
  keyFile: string | null;
}

export async function rotateMasterKey(config: Config, env: NodeJS.ProcessEnv, print: (line: string) => void = console.log): Promise<RotationResult> {
  const keyFile = masterKeyPath(config.dataDir);
  const staged = stagedKeyPath(config.dataDir);
  if (!config.masterKeyBase64 && !existsSync(keyFile) && !existsSync(staged)) {
    throw new MasterKeyError(`No current master key: set SECRETS_MASTER_KEY or provide ${keyFile}`);
  }
  secureDataDir(config.dataDir, print);
  const lock = lockDataDir(config.dataDir, 'rotation');
  let storage: Storage | undefined;
  try {
    // On PostgreSQL the rotation also takes the database's running lock: it refuses while any server
    // instance runs on the database, and no instance starts until it is done.
    storage = config.databaseUrl ? await PostgresStorage.open(config.databaseUrl, { holder: 'rotation' }) : SqliteStorage.open(config.dataDir);
    const recovered = recoverInterruptedRotation(config.dataDir, await storage.getMasterCheck(), config.masterKeyBase64);
    if (recovered) print(recovered);
    const current = loadMasterKey(config.dataDir, config.masterKeyBase64, () => undefined);
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
    if (writeFile) writeKeyFile(staged, newRaw ?? Buffer.from(next.export()));

    const orgs = await storage.listAllOrgKeys();
    const rewrapped = orgs.map((o) => ({ id: o.id, wrappedKey: rewrapDataKey(current.key, next, o.id, o.wrappedKey) }));
    try {
      await storage.rewrapKeys(rewrapped, makeMasterCheck(next));
    } catch (err) {
      // Remove the staged key only when the database proves the commit did not happen; when that
      // cannot be read, the staged key stays for the next start to decide (interrupted-rotation.ts).
      const after = await storage.getMasterCheck().catch(() => null);
      if (writeFile && after !== null && !(after !== undefined && new Keyring(next).verifyMasterCheck(after))) rmSync(staged, { force: true });
      throw err;
    }
    // A crash from here until the rename is finished by the next start (or rotation), under the lock.
    if (writeFile) {
      renameSync(staged, keyFile);
      syncDirectory(dirname(keyFile));
    }

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
    await storage?.close();
    lock.release();
  }
}
