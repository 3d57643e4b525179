// The envelope at module level, where its properties are direct to state: round trips, fresh nonces,
// and refusal (never garbage) when the ciphertext, its binding or the key is not the original.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  newDataKey,
  open,
  rewrapDataKey,
  seal,
  secretAad,
  toKeyObject,
  unwrapDataKey,
  UnreadableCiphertextError,
} from '../../server/crypto/envelope.ts';
import { generateToken, hashToken, tokenKind } from '../../server/auth/tokens.ts';

const key = () => toKeyObject(randomBytes(32));

describe('server crypto: AES-256-GCM envelope', () => {
  it('opens what it sealed, for empty, unicode and 64 KiB values', () => {
    const k = key();
    for (const text of ['', 'p@ss wörd ✓ 🔐', 'x'.repeat(64 * 1024)]) {
      const sealed = seal(k, Buffer.from(text), 'aad');
      assert.equal(open(k, sealed, 'aad').toString(), text);
    }
  });

  it('uses a fresh 96-bit nonce for every value, so equal values never give equal ciphertexts', () => {
    const k = key();
    const a = seal(k, Buffer.from('same'), 'aad');
    const b = seal(k, Buffer.from('same'), 'aad');
    assert.equal(a.nonce.length, 12);
    assert.notDeepEqual(Buffer.from(a.nonce), Buffer.from(b.nonce));
    assert.notDeepEqual(Buffer.from(a.ciphertext), Buffer.from(b.ciphertext));
  });

  it('refuses a ciphertext with any single flipped bit, a cut tag, or a changed nonce', () => {
    const k = key();
    const sealed = seal(k, Buffer.from('top secret value'), 'aad');
    for (let i = 0; i < sealed.ciphertext.length; i++) {
      const c = Buffer.from(sealed.ciphertext);
      c[i]! ^= 0x01;
      assert.throws(() => open(k, { nonce: sealed.nonce, ciphertext: c }, 'aad'), UnreadableCiphertextError);
    }
    assert.throws(() => open(k, { nonce: sealed.nonce, ciphertext: sealed.ciphertext.subarray(0, 10) }, 'aad'), UnreadableCiphertextError);
    const n = Buffer.from(sealed.nonce);
    n[0]! ^= 0x80;
    assert.throws(() => open(k, { nonce: n, ciphertext: sealed.ciphertext }, 'aad'), UnreadableCiphertextError);
  });

  it('binds a value to org, environment, key and version: any other binding is refused', () => {
    const k = key();
    const aad = secretAad('org1', 'env1', '', 'API_KEY', 3);
    const sealed = seal(k, Buffer.from('v'), aad);
    for (const other of [
      secretAad('org2', 'env1', '', 'API_KEY', 3),
      secretAad('org1', 'env2', '', 'API_KEY', 3),
      secretAad('org1', 'env1', 'ws1', 'API_KEY', 3),
      secretAad('org1', 'env1', '', 'OTHER_KEY', 3),
      secretAad('org1', 'env1', '', 'API_KEY', 4),
    ]) {
      assert.throws(() => open(k, sealed, other), UnreadableCiphertextError, other);
    }
  });

  it('refuses to open with another key', () => {
    const sealed = seal(key(), Buffer.from('v'), 'aad');
    assert.throws(() => open(key(), sealed, 'aad'), UnreadableCiphertextError);
  });

  it('wraps a data key under the master key for one org only, and re-wraps it under a new master key unchanged', () => {
    const master = key();
    const { wrapped, key: dataKey } = newDataKey(master, 'org1');
    const sealed = seal(dataKey, Buffer.from('value'), 'aad');
    assert.equal(open(unwrapDataKey(master, 'org1', wrapped), sealed, 'aad').toString(), 'value');
    assert.throws(() => unwrapDataKey(master, 'org2', wrapped), UnreadableCiphertextError);

    const next = key();
    const rewrapped = rewrapDataKey(master, next, 'org1', wrapped);
    assert.equal(open(unwrapDataKey(next, 'org1', rewrapped), sealed, 'aad').toString(), 'value');
    assert.throws(() => unwrapDataKey(master, 'org1', rewrapped), UnreadableCiphertextError);
  });
});

describe('server tokens', () => {
  it('have a scanner-visible prefix and 256 bits of randomness, and are stored as a SHA-256 hash', () => {
    const pat = generateToken('personal');
    const svc = generateToken('service');
    assert.match(pat, /^scrt_pat_[A-Za-z0-9_-]{43}$/);
    assert.match(svc, /^scrt_svc_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(pat.slice(9), 'base64url').length, 32);
    assert.notEqual(generateToken('personal'), pat);
    assert.equal(hashToken(pat).length, 32);
    assert.ok(!hashToken(pat).toString('latin1').includes(pat.slice(9)));
    assert.equal(tokenKind(pat), 'personal');
    assert.equal(tokenKind(svc), 'service');
    assert.equal(tokenKind('scrt_pat_short'), null);
    assert.equal(tokenKind(`Bearer ${pat}`), null);
  });
});
