// The process's streams and environment, passed in rather than reached for, so the whole CLI can also run
// inside a test process without touching that process's own stdin, stdout or env.
import type { Readable, Writable } from 'node:stream';
import type { Env } from './config.ts';

export interface Io {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Env;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
