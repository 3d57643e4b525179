// `node server/main.ts backup <file>`: a consistent copy of the SQLite store, taken while the server
// runs. `VACUUM INTO` reads the database in one read transaction, so the copy is exactly one committed
// state and writers go on meanwhile (under WAL a reader blocks no writer). SQLite's page-by-page backup
// API (node:sqlite's `backup()`) restarts whenever another connection writes, so under steady writes it
// may never finish; one snapshot read does not have that problem.
//
// The copy holds ciphertexts, wrapped data keys and token hashes, never the master key: it is written
// 0600, checked (integrity, schema, key check) before it is moved into place, and the output says loudly
// that the master key must be kept apart.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Config } from './config.ts';
import { syncDirectory } from './crypto/master-key.ts';

export class BackupError extends Error {
  readonly code = 'BACKUP_FAILED';
}

export const MASTER_KEY_NOT_INCLUDED =
  'THE MASTER KEY IS NOT IN THIS BACKUP. No secret in it can be read without the master key that was in use when it was taken ' +
  '(SECRETS_MASTER_KEY, or master.key in the data directory): keep that key safe, and apart from the backup.';

export interface StoreSummary {
  schemaVersion: number;
  organizations: number;
  secrets: number;
  /** The master-key check stored beside the data (absent only in a database that was never started). */
  masterCheck: Uint8Array | undefined;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'secrets.db');
}

/** Opens a database file read-only and checks it is a whole, readable secrets store; throws BackupError otherwise. */
export function inspectStore(file: string): StoreSummary {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch (err) {
    throw new BackupError(`${file} cannot be opened as a database: ${(err as Error).message}`);
  }
  try {
    const check = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    if (check.length !== 1 || check[0]!.integrity_check !== 'ok') throw new BackupError(`${file} fails SQLite's integrity check`);
    const table = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).get();
    if (!table) throw new BackupError(`${file} is not a secrets database (no schema_migrations table)`);
    const { v } = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
    const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    const meta = db.prepare(`SELECT value FROM meta WHERE name = 'master_key_check'`).get() as { value: Uint8Array } | undefined;
    return { schemaVersion: v ?? 0, organizations: count('orgs'), secrets: count('secrets'), masterCheck: meta?.value };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file} is not a readable secrets database: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface BackupResult extends StoreSummary {
  file: string;
  bytes: number;
}

export function backupStore(config: Config, targetArg: string | undefined, print: (line: string) => void = console.log): BackupResult {
  if (!targetArg) throw new BackupError('Usage: node server/main.ts backup <file>');
  const source = databasePath(config.dataDir);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source} (SECRETS_DATA_DIR is ${config.dataDir})`);
  const target = resolve(targetArg);
  if (existsSync(target)) throw new BackupError(`${target} already exists: a backup never overwrites a file; name a new one`);
  const partial = join(dirname(target), `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);

  const db = new DatabaseSync(source);
  // Created by SQLite with the process umask: nobody else may read the copy, even for a moment.
  const umask = process.umask(0o077);
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new BackupError(`The backup failed: ${(err as Error).message}`);
  } finally {
    process.umask(umask);
    db.close();
  }
  try {
    const summary = inspectStore(partial);
    fsyncFile(partial);
    renameSync(partial, target);
    syncDirectory(dirname(target));
    const result = { ...summary, file: target, bytes: statSync(target).size };
    print(
      `Backed up ${source} to ${target}: ${result.organizations} organization(s), ${result.secrets} secret(s), ` +
        `schema version ${result.schemaVersion}, ${result.bytes} bytes (mode 0600).`,
    );
    print(MASTER_KEY_NOT_INCLUDED);
    return result;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}
