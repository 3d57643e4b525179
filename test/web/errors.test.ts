// The dashboard's error catalogue and its document agree: every code in web/src/errors.ts is in
// web/ERRORS.md with the same message, and the document lists no code the catalogue lacks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WEB_ERRORS } from '../../web/src/errors.ts';

const doc = readFileSync(resolve(import.meta.dirname, '../../web/ERRORS.md'), 'utf8');

describe('web: error catalogue', () => {
  it('documents every dashboard error code with its message, and nothing else', () => {
    const rows = new Map([...doc.matchAll(/^\| `(WEB_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    assert.deepEqual([...rows.keys()].sort(), Object.keys(WEB_ERRORS).sort());
    for (const [code, message] of Object.entries(WEB_ERRORS)) assert.ok(rows.get(code)!.startsWith(message), `${code}: ${rows.get(code)}`);
  });
});
