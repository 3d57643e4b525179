// Builds the dashboard into web/dist/: one JavaScript bundle (Preact + htm, minified) and one
// stylesheet, each named by a hash of its content so a browser may cache them forever, and the
// index.html that names them. Everything the page loads is in dist/: no CDN, no runtime download.
// Run by `npm start` (prestart), by `npm test`'s set-up and by the dashboard tests themselves.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const WEB = resolve(import.meta.dirname);

export const DIST = join(WEB, 'dist');

function hashed(name: string, ext: string, content: Uint8Array): string {
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `${name}-${digest}.${ext}`;
}

/** Builds into `outDir` (web/dist by default); returns the asset file names. */
export async function buildDashboard(outDir: string = DIST): Promise<{ js: string; css: string }> {
  const result = await build({
    entryPoints: { app: join(WEB, 'src/main.ts'), styles: join(WEB, 'src/styles.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    write: false,
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'error',
  });
  const byExt = (ext: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(ext));
    if (!file) throw new Error(`the dashboard build produced no ${ext} file`);
    return file.contents;
  };
  const js = byExt('.js');
  const css = byExt('.css');
  const names = { js: hashed('app', 'js', js), css: hashed('app', 'css', css) };
  const html = readFileSync(join(WEB, 'src/index.html'), 'utf8')
    .replace('%APP_JS%', `/assets/${names.js}`)
    .replace('%APP_CSS%', `/assets/${names.css}`);
  // Written beside the target and swapped in, so a server reading dist/ never sees half a build.
  const staging = `${outDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'assets'), { recursive: true });
  writeFileSync(join(staging, 'assets', names.js), js);
  writeFileSync(join(staging, 'assets', names.css), css);
  writeFileSync(join(staging, 'index.html'), html);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
  return names;
}

if (import.meta.main) {
  const names = await buildDashboard(process.argv[2] ? resolve(process.argv[2]) : DIST);
  process.stdout.write(`dashboard built: ${names.js}, ${names.css}\n`);
}
