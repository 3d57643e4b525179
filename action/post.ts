// The post step: removes the secret-bearing files the main step created (env-file, template-output), so they
// do not outlive the job on a self-hosted runner. Runs even when the job failed. It removes a path only while
// it still names the file the main step created (same device and inode, not a link): a link or another file
// put there afterwards is left alone, and unlink never follows a link.
import { lstatSync, unlinkSync } from 'node:fs';
import * as core from '@actions/core';
import { FILES_STATE, type CreatedFile } from './state.ts';

export function run(): void {
  const saved = core.getState(FILES_STATE);
  if (saved === '') return;
  const files = JSON.parse(saved) as CreatedFile[];
  for (const file of files) {
    try {
      const now = lstatOrNull(file.path);
      if (now === null) continue;
      if (!now.isFile() || now.dev.toString() !== file.dev || now.ino.toString() !== file.ino) {
        core.warning(`Left ${file.path} in place: it is not the file this job created (replaced after the main step)`);
        continue;
      }
      unlinkSync(file.path);
      core.info(`Removed ${file.path}`);
    } catch (err) {
      core.setFailed(`Could not remove ${file.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'} [ACTION_FILE_WRITE]`);
    }
  }
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
