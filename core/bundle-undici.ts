// The esbuild plugin that consumers bundling core's client (the Action, the extension) share.
// core's client uses only undici's Pool and its request() method, but undici's index loads every
// dispatcher, fetch, WebSocket, cache and mock (~730 KB minified). Building `undici` from the two modules
// the client uses keeps the same code on the wire at a fraction of the size, so a bundle parses less at
// start; the bundle tests would catch an undici release that moved them.
import type { Plugin } from 'esbuild';
import { resolve } from 'node:path';

const UNDICI_DIR = resolve(import.meta.dirname, '../node_modules/undici');

export const undiciPoolOnly: Plugin = {
  name: 'undici-pool-only',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-pool-only' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-pool-only' }, () => ({
      contents:
        "const Dispatcher = require('./lib/dispatcher/dispatcher.js');\n" +
        "Dispatcher.prototype.request = require('./lib/api/api-request.js');\n" +
        "module.exports = { Pool: require('./lib/dispatcher/pool.js') };\n",
      resolveDir: UNDICI_DIR,
      loader: 'js',
    }));
  },
};
