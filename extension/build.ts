// Bundles the extension into extension/dist/extension.cjs (`npm run build:extension`): one CommonJS file
// with core and undici inside and only `vscode` left to the host, which is what the manifest's `main`
// and `vsce package --no-dependencies` expect. No source map: the .vsix ships nothing but the bundle.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');

// core's client uses only undici's Pool and its request() method, but undici's index loads every
// dispatcher, fetch, WebSocket, cache and mock. Building `undici` from the modules the client uses keeps
// the same code on the wire in a fraction of the bundle, so activation parses less.
const undiciPoolOnly: Plugin = {
  name: 'undici-pool-only',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-pool-only' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-pool-only' }, () => ({
      contents:
        "const Dispatcher = require('./lib/dispatcher/dispatcher.js');\n" +
        "Dispatcher.prototype.request = require('./lib/api/api-request.js');\n" +
        "module.exports = { Pool: require('./lib/dispatcher/pool.js') };\n",
      resolveDir: resolve(ROOT, 'node_modules/undici'),
      loader: 'js',
    }));
  },
};

export function extensionBuildOptions(outfile: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: ['extension/extension.ts'],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // VS Code 1.90's extension host is Node 20 (core/undici-node20.ts covers what undici needs beyond it).
    target: 'node20',
    external: ['vscode'],
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
    define: { esbuildDetection: 'true' },
    plugins: [undiciPoolOnly],
  };
}

export const BUNDLE = resolve(ROOT, 'extension/dist/extension.cjs');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await build({ ...extensionBuildOptions(BUNDLE), metafile: true });
  for (const [file, out] of Object.entries(result.metafile.outputs)) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
}
