// The `secrets` executable. node-compat must stay the first import: it prepares Node 20 for undici.
import './node-compat.ts';
import { runCli } from './dispatch.ts';
import { processIo } from './io.ts';

runCli(process.argv.slice(2), processIo()).then((code) => {
  // exitCode rather than exit(): stdout may still be flushing into a pipe.
  process.exitCode = code;
});
