// Bundles the action into action/dist/ (committed: a JavaScript action runs from the repository as is).
// `npm run build:action` writes it; test/action/dist.test.ts rebuilds with these same options into a temp
// directory and fails when the committed bundle is stale.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');

// @actions/core imports @actions/http-client (and with it a whole copy of undici, ~420 KB minified) only
// for getIDToken, the OIDC helper this action never calls. Replacing it keeps the bundle, and the cold
// start that parses it, small; a call would fail loudly rather than silently.
const withoutOidcHttpClient: Plugin = {
  name: 'without-oidc-http-client',
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'unused-oidc' }));
    b.onLoad({ filter: /.*/, namespace: 'unused-oidc' }, () => ({
      contents:
        'const unused = () => { throw new Error("OIDC tokens are not available in this bundle"); };\n' +
        'export class HttpClient { constructor() { unused(); } }\n' +
        'export class BearerCredentialHandler { constructor() { unused(); } }\n',
      loader: 'js',
    }));
  },
};

// core's client uses only undici's Pool and its request() method, but undici's index loads every
// dispatcher, fetch, WebSocket, cache and mock (~730 KB minified). Building `undici` from the two modules
// the client uses keeps the same code on the wire at a fraction of the size; the bundle tests would catch
// an undici release that moved them.
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

export function actionBuildOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { main: 'action/main.ts', post: 'action/post.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    minify: true,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
    // undici's switch for builds that embed it (Node's own does): leaves out its experimental second HTTP
    // parser, which is not the default, and keeps llhttp.
    define: { esbuildDetection: 'true' },
    plugins: [withoutOidcHttpClient, undiciPoolOnly],
  };
}

export const DIST_DIR = resolve(ROOT, 'action/dist');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await build({ ...actionBuildOptions(DIST_DIR), metafile: true });
  for (const [file, out] of Object.entries(result.metafile.outputs)) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
}
