// Bundles the action into action/dist/ (committed: a JavaScript action runs from the repository as is).
// `npm run build:action` writes it; test/action/dist.test.ts rebuilds with these same options into a temp
// directory and fails when the committed bundle is stale.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { undiciPoolOnly } from '../core/bundle-undici.ts';

const ROOT = resolve(import.meta.dirname, '..');

// @actions/core's getIDToken (keyless authentication, action/oidc.ts) needs @actions/http-client, which
// loads node:https, tls and `tunnel` when it loads: a cost at every start of both steps, for a call only
// OIDC runs make. It is bundled behind a stand-in whose classes load the real module on first use.
const HTTP_CLIENT_DIR = resolve(ROOT, 'node_modules/@actions/http-client/lib');
const lazyHttpClient: Plugin = {
  name: 'lazy-http-client',
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/lib\/auth)?$/ }, (args) => ({ path: args.path, namespace: 'lazy-http-client' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-http-client' }, () => ({
      contents:
        `export class HttpClient { constructor(...a) { return new (require(${JSON.stringify(resolve(HTTP_CLIENT_DIR, 'index.js'))}).HttpClient)(...a); } }\n` +
        `export class BearerCredentialHandler { constructor(...a) { return new (require(${JSON.stringify(resolve(HTTP_CLIENT_DIR, 'auth.js'))}).BearerCredentialHandler)(...a); } }\n`,
      resolveDir: HTTP_CLIENT_DIR,
      loader: 'js',
    }));
  },
};

// @actions/http-client's one import of undici is ProxyAgent, for fetch through a proxy, which getIDToken
// never uses; bundling undici for it would put ~300 KB into the post step, which has no other use for it.
const httpClientWithoutUndici: Plugin = {
  name: 'http-client-without-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) =>
      /@actions[\\/]http-client[\\/]/.test(args.importer) ? { path: 'undici', namespace: 'http-client-undici' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'http-client-undici' }, () => ({
      contents: 'export class ProxyAgent { constructor() { throw new Error("fetch through a proxy is not available in this bundle"); } }\n',
      loader: 'js',
    }));
  },
};

// The protocol constants undici's HTTP/2 client reads when it loads; it calls node:http2 itself only once a
// server negotiates HTTP/2. test/action/build.test.ts checks these against node:http2.
export const HTTP2_CONSTANTS_USED = {
  HTTP2_HEADER_AUTHORITY: ':authority',
  HTTP2_HEADER_METHOD: ':method',
  HTTP2_HEADER_PATH: ':path',
  HTTP2_HEADER_SCHEME: ':scheme',
  HTTP2_HEADER_CONTENT_LENGTH: 'content-length',
  HTTP2_HEADER_EXPECT: 'expect',
  HTTP2_HEADER_STATUS: ':status',
  HTTP2_HEADER_PROTOCOL: ':protocol',
  NGHTTP2_NO_ERROR: 0,
  NGHTTP2_REFUSED_STREAM: 7,
} as const;

export const LAZY_HTTP2_SOURCE =
  `exports.constants = ${JSON.stringify(HTTP2_CONSTANTS_USED)};\n` +
  "exports.connect = (...args) => require('node:http2').connect(...args);\n";

// undici's HTTP/2 client requires node:http2 when it loads, and with it tls and crypto: the largest single
// cost of starting the action (~70 ms of CPU on a slow runner) for a protocol a plain-HTTP or HTTP/1.1
// server never uses. Here it gets the constants it reads at load and the real module on first connect.
const lazyHttp2: Plugin = {
  name: 'lazy-http2',
  setup(b) {
    b.onResolve({ filter: /^node:http2$/ }, (args) =>
      /undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/.test(args.importer) ? { path: 'node:http2', namespace: 'lazy-http2' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-http2' }, () => ({ contents: LAZY_HTTP2_SOURCE, loader: 'js' }));
  },
};

export function actionBuildOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { index: 'action/index.ts', post: 'action/post-index.ts' },
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
    plugins: [lazyHttpClient, httpClientWithoutUndici, undiciPoolOnly, lazyHttp2],
  };
}

export const DIST_DIR = resolve(ROOT, 'action/dist');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await build({ ...actionBuildOptions(DIST_DIR), metafile: true });
  for (const [file, out] of Object.entries(result.metafile.outputs)) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
}
