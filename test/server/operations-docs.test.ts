// The operations settings are documented where operators look (docs/api.md's settings table with their
// defaults, the README), and docs/operations.md's links lead somewhere: a renamed heading or file
// breaks the runbook silently otherwise.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_OPS } from '../../server/ops/settings.ts';

const DOCS = resolve(import.meta.dirname, '../../docs');
const read = (file: string) => readFileSync(resolve(DOCS, file), 'utf8');
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** GitHub's anchor for a heading: lowercased, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replaceAll(' ', '-'));
  }
  return out;
}

describe('docs: operations', () => {
  it('documents SECRETS_SHUTDOWN_TIMEOUT_MS and SECRETS_METRICS with their defaults in docs/api.md and names them in the README', () => {
    const api = read('api.md');
    assert.match(api, new RegExp(`\\| \`SECRETS_SHUTDOWN_TIMEOUT_MS\` \\| ${DEFAULT_OPS.shutdownTimeoutMs} \\|`));
    assert.match(api, new RegExp(`\\| \`SECRETS_METRICS\` \\| \`${DEFAULT_OPS.metricsAccess}\` \\|`));
    for (const setting of ['SECRETS_SHUTDOWN_TIMEOUT_MS', 'SECRETS_METRICS']) assert.ok(README.includes(`\`${setting}\``), setting);
    assert.ok(README.includes('(docs/operations.md)'), 'the README links docs/operations.md');
  });

  it('every link of docs/operations.md leads to an existing file and heading', () => {
    const ops = read('operations.md');
    const links = [...ops.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l));
    assert.ok(links.length >= 5, String(links.length));
    for (const link of links) {
      const [file, anchor] = link.split('#') as [string, string | undefined];
      const target = file === '' ? ops : existsSync(resolve(DOCS, file)) ? read(file) : undefined;
      assert.ok(target !== undefined, `${link}: no such file`);
      if (anchor) assert.ok(anchors(target).has(anchor), `${link}: no such heading`);
    }
  });
});
