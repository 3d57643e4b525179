// Core's client runs on hosts whose Node may be 20: the installed `secrets` CLI on a user's own Node, and
// the extension in VS Code releases before 1.101. undici 8 declares Node 22.19, but what the client uses
// of it (Pool.request) works on Node 20 once these three standard functions exist
// (test/cli/install.test.ts and the extension's bundle test prove it on Node 20). Each is defined only
// when missing, so on Node 22+ this file changes nothing. Import it first in such an entry point:
// undici reads them while its modules load.
import { createRequire } from 'node:module';

// The mutable module objects (not ESM namespaces, which are frozen); builtins resolve from any path.
const load = createRequire(process.execPath);
const zlib = load('node:zlib') as Record<string, unknown>;
const workerThreads = load('node:worker_threads') as Record<string, unknown>;

if (typeof zlib.createZstdDecompress !== 'function') {
  // Only reached if a server answered with `content-encoding: zstd`, which ours never does.
  zlib.createZstdDecompress = () => {
    throw new Error('zstd-compressed responses need Node 22.15 or newer');
  };
}
if (typeof workerThreads.markAsUncloneable !== 'function') {
  // Marks objects that must not be posted to a worker; neither consumer posts to workers.
  workerThreads.markAsUncloneable = () => {};
}
const PromiseWithResolvers = Promise as unknown as { withResolvers?: () => unknown };
if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  PromiseWithResolvers.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
