import assert from 'node:assert/strict';
import { keyProblem, normalizeKey, KEY_MESSAGES } from '../../core/secret-key.ts';

describe('core/secret-key', () => {
  it('uppercases and trims keys as typed', () => {
    assert.equal(normalizeKey('  stripe_key '), 'STRIPE_KEY');
  });
  it('reports an empty key as required, with the product message', () => {
    assert.equal(keyProblem(''), 'required');
    assert.equal(KEY_MESSAGES.required, 'Secret key is required');
  });
  it('rejects keys that start with a digit, contain punctuation or exceed 128 characters', () => {
    assert.equal(keyProblem('1ABC'), 'invalid');
    assert.equal(keyProblem('A-B'), 'invalid');
    assert.equal(keyProblem('A'.repeat(129)), 'invalid');
    assert.equal(keyProblem('_A1'), null);
    assert.equal(keyProblem('A'.repeat(128)), null);
  });
});

describe('core/secret-key: keys are ASCII before they are uppercased', () => {
  // Each of these uppercases (or case-folds) onto an ASCII letter in Unicode.
  const lookalikes: [string, string][] = [
    ['long s ſ', 'db_paſſword'],
    ['dotless ı', 'prıvate_key'],
    ['sharp ß', 'straße'],
    ['Kelvin sign K', 'KEY_\u212A'],
    ['Angstrom sign Å', '\u212Bpi'],
    ['fullwidth Ａ', '\uFF21PI_KEY'],
    ['ligature ﬀ', 'di\uFB00'],
  ];
  for (const [what, raw] of lookalikes) {
    it(`refuses a key with ${what} instead of folding it onto an ASCII key`, () => {
      const key = normalizeKey(raw);
      assert.ok(!/^[\x00-\x7f]*$/.test(key), `${JSON.stringify(raw)} stayed non-ASCII`);
      assert.equal(keyProblem(key), 'invalid');
    });
  }
  it('does not trim non-ASCII space onto a valid key', () => {
    assert.equal(keyProblem(normalizeKey('\u00a0DB_PASSWORD')), 'invalid');
    assert.equal(keyProblem(normalizeKey('DB_PASSWORD\u2028')), 'invalid');
  });
});
