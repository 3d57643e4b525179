// A test that skips itself when a tool is missing passes without proving anything: the tools it needs
// are installed by test/setup/tools.sh (Debian packages, Node 20) and a missing one makes it fail.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const TEST_ROOT = resolve(import.meta.dirname, '..');
// Mocha's ways to skip at run time or by declaration, and the `x` aliases.
const SKIP = /\bthis\s*\.\s*skip\s*\(|\b(?:describe|context|suite|it|test|specify)\s*\.\s*skip\b|\? *(?:describe|it)\s*:\s*(?:describe|it)\.|\bx(?:describe|context|it|specify)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.(?:[cm]?[jt]s)$/.test(e.name) ? [p] : [];
  });
}

describe('test set-up', () => {
  it('has no test that skips itself (for want of a tool or otherwise): what a test needs is installed', () => {
    const skipping = sources(TEST_ROOT).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (SKIP.test(line) ? [`${relative(TEST_ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(skipping, []);
  });
});
