// The post step: removes the secret-bearing files the main step wrote (env-file, template-output), so they
// do not outlive the job on a self-hosted runner. Runs even when the job failed.
import { rmSync } from 'node:fs';
import * as core from '@actions/core';
import { FILES_STATE } from './state.ts';

function run(): void {
  const saved = core.getState(FILES_STATE);
  if (saved === '') return;
  const paths = JSON.parse(saved) as string[];
  for (const path of paths) {
    try {
      rmSync(path, { force: true });
      core.info(`Removed ${path}`);
    } catch (err) {
      core.setFailed(`Could not remove ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'} [ACTION_FILE_WRITE]`);
    }
  }
}

run();
