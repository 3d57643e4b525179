// Finding the master key the way the operator configured it: SECRETS_MASTER_KEY, or the key file in
// the data directory, generated (with one warning) on the embedded default when neither exists.
import { randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES, toKeyObject } from './envelope.ts';

export class MasterKeyError extends Error {
  readonly code = 'MASTER_KEY_INVALID';
}

/** The key file can be read (or changed) by other users: the server refuses it, as ssh refuses such a key. */
export class MasterKeyExposedError extends Error {
  readonly code = 'MASTER_KEY_EXPOSED';
}

export interface MasterKeySource {
  key: KeyObject;
  /** 'env' when SECRETS_MASTER_KEY supplied it, otherwise the key file's path. */
  from: 'env' | 'file';
  generated: boolean;
}

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, 'master.key');
}

export function decodeMasterKey(base64: string, what: string): KeyObject {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== KEY_BYTES) throw new MasterKeyError(`${what} must be the base64 of ${KEY_BYTES} bytes`);
  return toKeyObject(raw);
}

export function loadMasterKey(dataDir: string, envBase64: string | undefined, warn: (msg: string) => void): MasterKeySource {
  if (envBase64) return { key: decodeMasterKey(envBase64, 'SECRETS_MASTER_KEY'), from: 'env', generated: false };
  const path = masterKeyPath(dataDir);
  if (existsSync(path)) return { key: decodeMasterKey(readFileSync(path, 'utf8'), path), from: 'file', generated: false };
  const raw = randomBytes(KEY_BYTES);
  writeKeyFile(path, raw);
  warn(
    `No SECRETS_MASTER_KEY was given, so a new master key was generated into ${path}. ` +
      'Back it up and keep it apart from the database: without it no secret can be read.',
  );
  return { key: toKeyObject(raw), from: 'file', generated: true };
}

/** Refuses a key file that anyone but its owner may read or write (mode & 0077). */
export function refuseExposedKeyFile(path: string): void {
  if (!existsSync(path)) return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new MasterKeyExposedError(
    `The master key file ${path} is accessible to other users (mode 0${mode.toString(8)}); the server refuses to use it. ` +
      `Restrict it with chmod 600 ${path}, and if anyone else may have read it, rotate the key (node server/main.ts rotate-master-key).`,
  );
}

/**
 * Writes a key file atomically with mode 0600, on disk (file and directory entry fsynced) before it
 * returns: a rotation commits to a staged key only once that key cannot be lost, even to power loss.
 */
export function writeKeyFile(path: string, raw: Uint8Array): void {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${Buffer.from(raw).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  syncDirectory(dir);
}

/** Makes a rename (or creation) in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
