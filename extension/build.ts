// Bundles the extension into extension/dist/extension.cjs (`npm run build:extension`): one CommonJS file
// with core and undici inside and only `vscode` left to the host, which is what the manifest's `main`
// and `vsce package --no-dependencies` expect. No source map: the .vsix ships nothing but the bundle.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { undiciPoolOnly } from '../core/bundle-undici.ts';

const ROOT = resolve(import.meta.dirname, '..');

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
