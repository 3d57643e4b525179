// Bundles the CLI, core and undici into one CommonJS file that the user's own Node (20 or newer, without
// TypeScript support) can run: cli/dist/secrets.cjs, loaded by cli/bin/secrets.js. Plain .mjs so it runs
// on that Node too. Run by `npm run build:cli` and by the `prepare` script on `npm install`.
//
// `--optional` (used by prepare) skips with a note when esbuild is absent, as in `npm ci --omit=dev` for
// a server deployment, which must not fail because the CLI cannot be built there.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const optional = process.argv.includes('--optional');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  if (!optional) throw new Error('esbuild is not installed: run npm install');
  process.stderr.write('cli/build.mjs: esbuild is not installed (production install?), skipping the secrets CLI bundle\n');
  process.exit(0);
}

await esbuild.build({
  entryPoints: [join(root, 'cli/main.ts')],
  outfile: join(root, 'cli/dist/secrets.cjs'),
  bundle: true,
  platform: 'node',
  // undici 8 declares Node 22.19; core/undici-node20.ts supplies the three functions it needs from 22.
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});
