// One process at a time on a data directory: the server for as long as it runs, a master-key rotation,
// or a restore. A rotation beside a running server would re-wrap the data keys while the server keeps
// wrapping new organizations' keys under the old master key, unreadable forever after the swap.
//
// The lock is SQLite's own: an exclusive transaction held open on an otherwise empty file. SQLite
// takes it with a POSIX advisory lock, which the kernel drops when the process ends however it ends
// (SIGKILL, a crash, power loss), so no stale lock survives a dead process and no pid is trusted.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const SQLITE_BUSY = 5;

export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
}

export type LockHolder = 'server' | 'rotation' | 'restore';

export interface DataDirLock {
  release(): void;
}

export function lockFilePath(dataDir: string): string {
  return join(dataDir, 'instance.lock');
}

const REFUSALS: Record<LockHolder, (dataDir: string) => string> = {
  server: (dir) =>
    `The data directory ${dir} is in use by another server or by a master-key rotation: ` +
    'one server per data directory, and none while the master key is being rotated. Stop the other process first.',
  rotation: (dir) =>
    `The data directory ${dir} is in use by a running server (or another rotation): stop the server before rotating the master key. ` +
    'A server running through a rotation would keep wrapping new organizations under the old key.',
  restore: (dir) =>
    `The data directory ${dir} is in use by a running server (or a master-key rotation): stop the server before restoring a backup into it.`,
};

/** Takes the data directory's lock without waiting, or throws DataDirInUseError. */
export function lockDataDir(dataDir: string, holder: LockHolder): DataDirLock {
  const file = lockFilePath(dataDir);
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    chmodSync(file, 0o600);
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { errcode?: number }).errcode === SQLITE_BUSY) throw new DataDirInUseError(REFUSALS[holder](dataDir));
    throw err;
  }
  return {
    release: () => {
      if (!db.isOpen) return;
      if (db.isTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}
