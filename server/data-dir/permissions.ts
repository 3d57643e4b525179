// The data directory holds the database, the master key and the first admin token: only the server's
// user may enter it. A directory open to others is tightened to 0700 at start, or the server refuses.
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export class DataDirInsecureError extends Error {
  readonly code = 'DATA_DIR_INSECURE';
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Creates the directory (0700) or tightens an existing one to 0700; `note` hears about a change. */
export function secureDataDir(dataDir: string, note: (message: string) => void): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const st = statSync(dataDir);
  if (!st.isDirectory()) throw new DataDirInsecureError(`The data directory ${dataDir} is not a directory`);
  if ((st.mode & 0o077) === 0) return;
  try {
    chmodSync(dataDir, 0o700);
  } catch (err) {
    throw new DataDirInsecureError(
      `The data directory ${dataDir} is open to other users (mode ${octal(st.mode)}) and could not be restricted to 0700 ` +
        `(${(err as NodeJS.ErrnoException).code ?? 'error'}): make it owned by the user the server runs as, or chmod 700 it. ` +
        'The server refuses to keep secrets in a directory others can read.',
    );
  }
  note(`The data directory ${dataDir} was open to other users (mode ${octal(st.mode)}); it was restricted to 0700.`);
}
