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
