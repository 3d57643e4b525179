import assert from 'node:assert/strict';
import { KeyFilter, filterByKey } from '../../../extension/model/filter.ts';

// The incremental filter re-scans only the previous matches when a query extends the previous one;
// whatever order queries come in, it must answer exactly what a plain scan answers.
describe('extension key filter', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => ({ key: `${['STRIPE', 'DB', 'REDIS', 'AWS'][i % 4]}_${['URL', 'KEY', 'TOKEN'][i % 3]}_${i}` }));
  const naive = (q: string) => keys.filter((k) => k.key.toLowerCase().includes(q.trim().toLowerCase())).map((k) => k.key);

  it('matches any part of the key, case-insensitively', () => {
    assert.deepEqual(filterByKey([{ key: 'STRIPE_SECRET_KEY' }, { key: 'DATABASE_URL' }], 'secret').map((k) => k.key), ['STRIPE_SECRET_KEY']);
    assert.deepEqual(filterByKey([{ key: 'STRIPE_SECRET_KEY' }, { key: 'DATABASE_URL' }], 'E_').map((k) => k.key), ['STRIPE_SECRET_KEY', 'DATABASE_URL']);
    assert.equal(filterByKey([{ key: 'A' }], '  ').length, 1, 'blank shows everything');
  });

  it('answers like a plain scan for typing, deleting, pasting and replacing queries in any order', () => {
    const f = new KeyFilter((k: { key: string }) => k.key, keys);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = 'stripedbkeyurltokenaws_0123456789';
    let q = '';
    for (let step = 0; step < 3000; step++) {
      const r = rand();
      if (r < 0.5) q += alphabet[Math.floor(rand() * alphabet.length)];
      else if (r < 0.7) q = q.slice(0, -1);
      else if (r < 0.8) q = alphabet[Math.floor(rand() * alphabet.length)]! + q;
      else if (r < 0.9) q = q.toUpperCase();
      else q = '';
      if (q.length > 6) q = q.slice(-3);
      assert.deepEqual(f.apply(q).map((k) => k.key), naive(q), `query ${JSON.stringify(q)} at step ${step}`);
    }
  });

  it('starts over when the items change', () => {
    const f = new KeyFilter((k: { key: string }) => k.key, [{ key: 'AB' }, { key: 'AC' }]);
    assert.equal(f.apply('a').length, 2);
    f.setItems([{ key: 'AB' }, { key: 'AC' }, { key: 'AD' }]);
    assert.equal(f.apply('a').length, 3);
  });
});
