// Recovering a master-key rotation that was interrupted. A rotation stages the new key as
// `master.key.new` (on disk), commits the re-wrapped data keys and the new key check in one
// transaction, then moves the staged file over `master.key`. Whether the commit happened is written
// in the database: the key check opens under exactly one of the two keys. So at the next start (or
// rotation), under the data directory's lock:
//   - the staged key opens the check → the commit happened: finish the swap;
//   - the current key opens it (or there is no check) → it did not: the staged key protects nothing
//     and is removed;
//   - neither → leave every file as found; the key check then refuses to start.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { Keyring } from './keyring.ts';
import { decodeMasterKey, masterKeyPath, syncDirectory } from './master-key.ts';

export function stagedKeyPath(dataDir: string): string {
  return `${masterKeyPath(dataDir)}.new`;
}

function readKey(path: string): KeyObject | null {
  try {
    return decodeMasterKey(readFileSync(path, 'utf8'), path);
  } catch {
    return null;
  }
}

/**
 * Finishes or undoes an interrupted rotation; returns what it did, for the log, or null when there was
 * nothing to recover. The caller must hold the data directory's lock (a running rotation stages its
 * key too, and must not be "recovered" under it).
 */
export function recoverInterruptedRotation(dataDir: string, check: Uint8Array | undefined, envKeyBase64: string | undefined): string | null {
  const staged = stagedKeyPath(dataDir);
  // A half-written staged key: the rotation stopped before staging, so long before its commit.
  rmSync(`${staged}.tmp`, { force: true });
  if (!existsSync(staged)) return null;
  const keyFile = masterKeyPath(dataDir);
  const stagedKey = readKey(staged);
  if (check !== undefined && stagedKey && new Keyring(stagedKey).verifyMasterCheck(check)) {
    renameSync(staged, keyFile);
    syncDirectory(join(keyFile, '..'));
    return `Finished an interrupted master-key rotation: the rotation had committed, so its staged key ${staged} is now ${keyFile}.`;
  }
  const current = envKeyBase64 ? readKey64(envKeyBase64) : existsSync(keyFile) ? readKey(keyFile) : null;
  if (check === undefined || (current && new Keyring(current).verifyMasterCheck(check))) {
    rmSync(staged, { force: true });
    return `Removed ${staged}, left by a master-key rotation that was interrupted before it committed; the current key stays in use.`;
  }
  return null;
}

function readKey64(base64: string): KeyObject | null {
  try {
    return decodeMasterKey(base64, 'SECRETS_MASTER_KEY');
  } catch {
    return null;
  }
}
