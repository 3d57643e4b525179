// The `secrets` executable. undici-node20 must stay the first import: it prepares Node 20 for undici.
import '../core/undici-node20.ts';
import { runCli } from './dispatch.ts';
import { processIo } from './io.ts';

// runCli reports its own failures; anything reaching these handlers escaped that, and its message could
// hold anything, so only the fact is printed.
const lastResort = () => {
  process.stderr.write('secrets: unexpected internal error (set SECRETS_DEBUG=1 for details)\n');
  process.exit(1);
};
process.on('uncaughtException', lastResort);
// `secrets export | head -1`: the reader has all it wanted; that is not a failure to report.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  lastResort();
});

runCli(process.argv.slice(2), processIo()).then((code) => {
  // exitCode rather than exit(): stdout may still be flushing into a pipe.
  process.exitCode = code;
}, lastResort);
