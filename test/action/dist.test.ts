// The committed bundle is what runs in users' workflows; it must be exactly what the sources build to.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { actionBuildOptions, DIST_DIR } from '../../action/build.ts';

describe('action: committed bundle', function () {
  this.timeout(60_000);

  it('action/dist is up to date with the sources (run `npm run build:action` and commit)', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'action-dist-'));
    await build(actionBuildOptions(fresh));
    const built = readdirSync(fresh).sort();
    assert.deepEqual(readdirSync(DIST_DIR).sort(), built, 'the same files');
    for (const file of built) {
      const same = readFileSync(join(fresh, file)).equals(readFileSync(join(DIST_DIR, file)));
      assert.ok(same, `action/dist/${file} differs from a fresh build: run npm run build:action and commit action/dist`);
    }
  });
});
