// `node server/main.ts restore <file> [--force]`: puts a backup (server/backup.ts) into the data
// directory as its database. It holds the data directory's lock throughout, so it refuses while a server
// (or a rotation) uses the directory, and it refuses to replace an existing database unless told to.
// The backup is checked first (integrity, schema not newer than this server, and the master key when
// one is at hand: a restore the server could not open is refused rather than done).
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes, type KeyObject } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BackupError, databasePath, fsyncFile, inspectStore, MASTER_KEY_NOT_INCLUDED } from './backup.ts';
import type { Config } from './config.ts';
import { Keyring } from './crypto/keyring.ts';
import { decodeMasterKey, masterKeyPath, syncDirectory } from './crypto/master-key.ts';
import { lockDataDir } from './data-dir/lock.ts';
import { secureDataDir } from './data-dir/permissions.ts';
import { LATEST_MIGRATION } from './storage/sqlite/migrations.ts';

export interface RestoreResult {
  organizations: number;
  secrets: number;
  replaced: boolean;
}

export function restoreStore(config: Config, args: string[], print: (line: string) => void = console.log): RestoreResult {
  const force = args.includes('--force');
  const files = args.filter((a) => a !== '--force');
  if (files.length !== 1 || files[0]!.startsWith('--')) throw new BackupError('Usage: node server/main.ts restore <file> [--force]');
  const backup = resolve(files[0]!);
  if (!existsSync(backup)) throw new BackupError(`There is no backup at ${backup}`);
  const summary = inspectStore(backup);
  if (summary.schemaVersion > LATEST_MIGRATION) {
    throw new BackupError(`The backup's schema (version ${summary.schemaVersion}) is newer than this server's (${LATEST_MIGRATION}): restore it with the newer server`);
  }
  const key = availableMasterKey(config);
  if (key && summary.masterCheck && !new Keyring(key.key).verifyMasterCheck(summary.masterCheck)) {
    throw new BackupError(
      `The master key from ${key.from} does not open this backup: the server would refuse to start on it. ` +
        'Give the master key that was in use when the backup was taken (SECRETS_MASTER_KEY, or that master.key in the data directory).',
    );
  }

  secureDataDir(config.dataDir, print);
  const lock = lockDataDir(config.dataDir, 'restore');
  try {
    const target = databasePath(config.dataDir);
    const replaced = existsSync(target);
    if (replaced && !force) {
      throw new BackupError(`${target} already exists: restoring would replace it and every change since the backup. Pass --force to replace it.`);
    }
    const partial = join(config.dataDir, `.secrets.db.restore-${randomBytes(6).toString('hex')}`);
    try {
      copyFileSync(backup, partial);
      chmodSync(partial, 0o600);
      fsyncFile(partial);
      if (replaced) retireDatabase(target);
      renameSync(partial, target);
      syncDirectory(config.dataDir);
    } finally {
      rmSync(partial, { force: true });
    }
    print(
      `Restored ${backup} into ${target}: ${summary.organizations} organization(s), ${summary.secrets} secret(s)` +
        `${replaced ? ' (the previous database was replaced)' : ''}.`,
    );
    print(
      key
        ? `The master key from ${key.from} opens it: start the server with that key.`
        : `${MASTER_KEY_NOT_INCLUDED} Start the server with it (SECRETS_MASTER_KEY, or ${masterKeyPath(config.dataDir)}).`,
    );
    return { organizations: summary.organizations, secrets: summary.secrets, replaced };
  } finally {
    lock.release();
  }
}

/**
 * Folds the old database's write-ahead log into it and removes the log: a `-wal` left beside the
 * restored file would be replayed into it at the next open and corrupt it.
 */
function retireDatabase(file: string): void {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
}

function availableMasterKey(config: Config): { key: KeyObject; from: string } | undefined {
  if (config.masterKeyBase64) return { key: decodeMasterKey(config.masterKeyBase64, 'SECRETS_MASTER_KEY'), from: 'SECRETS_MASTER_KEY' };
  const file = masterKeyPath(config.dataDir);
  if (existsSync(file)) return { key: decodeMasterKey(readFileSync(file, 'utf8'), file), from: file };
  return undefined;
}
