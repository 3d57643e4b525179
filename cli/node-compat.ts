// The installed `secrets` runs on the user's own Node, which may be 20. undici 8 (inside the bundle)
// declares Node 22.19, but what the client uses of it (Pool.request) works on Node 20 once these three
// standard functions exist; test/cli/install.test.ts proves it by running the packed CLI on Node 20.
// Each is defined only when missing, so on Node 22+ this file changes nothing.
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
  // Marks objects that must not be posted to a worker; the CLI has no workers.
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
