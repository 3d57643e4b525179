// Finding the master key the way the operator configured it: SECRETS_MASTER_KEY, or the key file in
// the data directory, generated (with one warning) on the embedded default when neither exists.
import { randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES, toKeyObject } from './envelope.ts';

export class MasterKeyError extends Error {
  readonly code = 'MASTER_KEY_INVALID';
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

/** Writes a key file atomically with mode 0600, so a crash never leaves a half-written key. */
export function writeKeyFile(path: string, raw: Uint8Array): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${Buffer.from(raw).toString('base64')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
