// The state the main step leaves for the post step (GITHUB_STATE → STATE_* variables).

/** JSON array of absolute paths of the secret-bearing files to remove. */
export const FILES_STATE = 'secret-files';
