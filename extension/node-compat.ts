// VS Code runs extensions on its own Node: 20 in releases before Electron 34 (VS Code < 1.101), which
// engines.vscode ^1.90.0 admits. undici 8 (inside the bundle, through core's client) declares Node 22.19,
// but what the client uses of it (Pool.request) works on Node 20 once these three standard functions
// exist. Each is defined only when missing, so on newer hosts this file changes nothing. It must be the
// first import of extension.ts: undici reads them while its modules load.
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
  // Marks objects that must not be posted to a worker; the extension posts nothing to workers.
  workerThreads.markAsUncloneable = () => {};
}
const promise = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const p = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: p, resolve, reject };
  };
}
