// The extension's tests look for seeded values in text that also shows timestamps (tooltips, hovers, the
// tree's metadata, the page). A short value such as `30` is "found" there on every 30th of the month and
// at every half hour, so the suites passed or failed by the clock. This proves no canary the suites look
// for can be found in what the extension shows for any date and time: the code that renders timestamps
// runs here under every minute of a leap year, with every second and millisecond pattern.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SecretMeta } from '../../../core/api-types.ts';
import { hoverMarkdown } from '../../../extension/language/references.ts';
import type { SecretNode } from '../../../extension/model/nodes.ts';
import { secretTooltip } from '../../../extension/vscode/tree-items.ts';
import { SEED } from '../e2e/harness/seed.ts';
import { CANARY } from './support/world.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every `'…canary…'` literal in a folder's suites: the values they send and then look for. */
function literalCanaries(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(resolve(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(join(ROOT, dir, f), 'utf8').matchAll(/'([^'\n]*canary[^'\n]*)'/gi)) out.push(m[1]!);
  }
  // A bare marker such as 'canary-' used in an assertion is a pattern, not a value.
  return out.filter((v) => v.length >= 12);
}

const seeded = Object.values(SEED).flatMap((env) => Object.values(env));
const canaries = [...new Set([...seeded, ...Object.values(CANARY), ...literalCanaries('test/extension/integration'), ...literalCanaries('test/extension/e2e/ui')])];

describe('extension tests do not depend on the calendar', () => {
  it('seeds only long, unique values marked "canary" for the E2E suites', () => {
    const short = seeded.filter((v) => v.length < 16 || !/canary/i.test(v));
    assert.deepEqual(short, [], 'a seeded value is short or unmarked: it can be found by chance in other text');
    assert.equal(new Set(seeded).size, seeded.length, 'two seeded values are equal: a match could not tell them apart');
  });

  it('finds no canary in a tooltip or hover rendered at any minute of a leap year, with any seconds and milliseconds', () => {
    const start = Date.UTC(2028, 0, 1);
    const minutes = 366 * 24 * 60;
    const node = (meta: SecretMeta): SecretNode => ({ kind: 'secret', id: 'x', org: 'acme', env: 'development', secretKey: meta.key, meta, revealed: false, display: '••••••••', actions: [] });
    for (let i = 0; i < minutes; i++) {
      // Seconds and milliseconds sweep all their digit patterns as the minutes go by.
      const at = new Date(start + i * 60_000 + (i % 60) * 1000 + (i % 1000)).toISOString();
      const meta: SecretMeta = { key: 'API_TIMEOUT', description: '', version: 1, createdAt: at, createdBy: 'Olivia Owner', updatedAt: at, updatedBy: 'Olivia Owner', execRisk: false };
      const shown = hoverMarkdown(meta, 'acme', 'development') + secretTooltip(node(meta));
      for (const c of canaries) if (shown.includes(c)) assert.fail(`${JSON.stringify(c)} is found in what the extension shows at ${at}`);
    }
  });
});
