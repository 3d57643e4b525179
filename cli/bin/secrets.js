#!/usr/bin/env node
// The installed command. It runs on whatever Node the user has (20 or newer), without TypeScript, so it
// only loads the esbuild bundle that `npm run build:cli` (the `prepare` script) writes.
import { createRequire } from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`secrets: Node.js 20 or newer is required (this is ${process.version})\n`);
  process.exit(1);
}
const require = createRequire(import.meta.url);
try {
  require.resolve('../dist/secrets.cjs');
} catch {
  process.stderr.write('secrets: the CLI is not built; run `npm run build:cli` in the repository\n');
  process.exit(1);
}
require('../dist/secrets.cjs');
