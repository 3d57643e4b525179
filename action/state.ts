// The state the main step leaves for the post step (GITHUB_STATE → STATE_* variables).

/** JSON array of CreatedFile: the secret-bearing files to remove. */
export const FILES_STATE = 'secret-files';

/**
 * A file the main step created, with the identity it had then (device and inode, as decimal strings: an
 * inode number can pass 2^53). The post step removes the path only while it still names this very file.
 */
export interface CreatedFile {
  path: string;
  dev: string;
  ino: string;
}
