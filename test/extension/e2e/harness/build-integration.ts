// The extension host runs JavaScript, so the integration suites (TypeScript, in
// test/extension/integration) are bundled by esbuild into CommonJS files under .cache/e2e, next to
// the runner index. `vscode` is provided by the host; mocha stays external and is required from the
// root node_modules (the output dir is inside the checkout, so resolution finds it).
import { build, type Plugin } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { INTEGRATION_OUT, INTEGRATION_SRC } from './paths.ts';

const require = createRequire(import.meta.url);
// mocha 12's package entry is ESM; its CommonJS build is what the host's require() loads best.
const MOCHA_CJS = join(require.resolve('mocha/package.json'), '..', 'lib', 'mocha.cjs');

const mochaExternal: Plugin = {
  name: 'mocha-cjs',
  setup(b) {
    b.onResolve({ filter: /^mocha$/ }, () => ({ path: MOCHA_CJS, external: true }));
  },
};

export interface BuiltSuites {
  dir: string;
  /** The runner module VS Code loads as extensionTestsPath. */
  index: string;
  suites: string[];
}

/** Bundles the runner and every `*.itest.ts` (or those whose name contains `only`, when given). */
export async function buildIntegrationSuites(outDir: string = INTEGRATION_OUT, only?: string[]): Promise<BuiltSuites> {
  const suites = readdirSync(INTEGRATION_SRC)
    .filter((f) => f.endsWith('.itest.ts'))
    .filter((f) => !only?.length || only.some((o) => f.includes(o)))
    .sort();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(INTEGRATION_SRC, 'index.ts'), ...suites.map((s) => join(INTEGRATION_SRC, s))],
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    plugins: [mochaExternal],
    logLevel: 'warning',
  });
  // The runner loads the suites listed here, in this order.
  writeFileSync(join(outDir, 'suites.json'), JSON.stringify(suites.map((s) => s.replace(/\.ts$/, '.cjs'))));
  return { dir: outDir, index: join(outDir, 'index.cjs'), suites };
}
