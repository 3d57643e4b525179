// WebAuthn challenges (server/auth/challenges.ts) with an injected clock: single use, short-lived,
// and good only for the purpose and subject they were issued for.
import assert from 'node:assert/strict';
import { CHALLENGE_TTL_MS, ChallengeStore } from '../../server/auth/challenges.ts';
import { ManualClock } from './support/in-process.ts';

describe('server: WebAuthn challenges', () => {
  it('are 256 random bits, base64url, and differ every time', () => {
    const store = new ChallengeStore(new ManualClock());
    const a = store.issue('sign-in', '');
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, store.issue('sign-in', ''));
  });

  it('can be taken once only, with what the ceremony was started with', () => {
    const store = new ChallengeStore(new ManualClock());
    const c = store.issue('invite', 'invitation:1', { userId: 'u1' });
    assert.deepEqual(store.take(c, 'invite', 'invitation:1'), { userId: 'u1' });
    assert.equal(store.take(c, 'invite', 'invitation:1'), null);
  });

  it('are refused, and spent, when presented for another purpose or subject', () => {
    const store = new ChallengeStore(new ManualClock());
    const c = store.issue('register', 'session:a');
    assert.equal(store.take(c, 'register', 'session:b'), null);
    assert.equal(store.take(c, 'register', 'session:a'), null, 'a misused challenge is gone');
    const d = store.issue('register', 'session:a');
    assert.equal(store.take(d, 'sign-in', ''), null);
  });

  it('expire after five minutes', () => {
    const clock = new ManualClock();
    const store = new ChallengeStore(clock);
    const fresh = store.issue('sign-in', '');
    const stale = store.issue('sign-in', '');
    clock.advance(CHALLENGE_TTL_MS - 1);
    assert.ok(store.take(fresh, 'sign-in', ''));
    clock.advance(1);
    assert.equal(store.take(stale, 'sign-in', ''), null);
    assert.equal(CHALLENGE_TTL_MS, 5 * 60_000);
  });
});
