import assert from 'node:assert/strict';
import { Redactor } from '../../core/redactor.ts';

describe('core/redactor: the one Redactor (API client, CLI, extension)', () => {
  const secret = 'canary-redactor-secret-2e8b5f17a9c64d03';

  it('removes a secret and its encoded forms; too-short strings are never registered', () => {
    const r = new Redactor([secret, 'ab', undefined]);
    const text = `raw ${secret} b64 ${Buffer.from(secret).toString('base64')} hex ${Buffer.from(secret).toString('hex')} ab`;
    assert.equal(r.redact(text), 'raw *** b64 *** hex *** ab');
  });

  it('with() returns a redactor that knows more and leaves the original as it was', () => {
    const base = new Redactor([secret]);
    const more = base.with(['canary-request-value-71d0']);
    assert.equal(more.redact('canary-request-value-71d0'), '***');
    assert.equal(base.redact('canary-request-value-71d0'), 'canary-request-value-71d0');
    assert.equal(base.with([]), base);
  });

  it('add, forget and clear change what is redacted', () => {
    const r = new Redactor();
    assert.equal(r.redact(secret), secret);
    r.add(secret);
    assert.equal(r.redact(secret), '***');
    r.forget(secret);
    assert.equal(r.redact(secret), secret);
    r.add(secret);
    r.clear();
    assert.equal(r.redact(secret), secret);
  });

  it('never throws, even for values whose forms are far past the regular-expression size limit', () => {
    const huge = 'canary-huge-'.repeat(8000);
    const r = new Redactor([huge, secret]);
    assert.equal(r.redact(`x ${huge} y ${secret}`), 'x *** y ***');
  });
});
