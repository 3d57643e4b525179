// WebAuthn challenges (server/auth/challenges.ts) on both storage backends, with an injected clock:
// single use, short-lived, good only for the purpose and subject they were issued for, held in the
// database as a hash only, and bounded in number.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CHALLENGE_TTL_MS, ChallengeStore, MAX_CHALLENGES } from '../../server/auth/challenges.ts';
import { PostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../server/storage/types.ts';
import { freshDatabase, queryDatabase } from '../helpers/postgres.ts';
import { ManualClock } from './support/in-process.ts';

/** Opens a storage of each backend, and reads the stored challenges' columns as the database holds them. */
const backends: { name: string; open: () => Promise<{ storage: Storage; stored: () => Promise<Record<string, unknown>[]>; cleanup: () => void }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-challenges-'));
      const storage = SqliteStorage.open(dir);
      const stored = async () => {
        const db = new DatabaseSync(join(dir, 'secrets.db'), { readOnly: true });
        try {
          return db.prepare('SELECT * FROM webauthn_challenges').all() as Record<string, unknown>[];
        } finally {
          db.close();
        }
      };
      return { storage, stored, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const url = await freshDatabase();
      return { storage: await PostgresStorage.open(url), stored: () => queryDatabase(url, 'SELECT * FROM webauthn_challenges'), cleanup: () => undefined };
    },
  },
];

for (const backend of backends) {
  describe(`server: WebAuthn challenges (${backend.name})`, () => {
    let storage: Storage;
    let stored: () => Promise<Record<string, unknown>[]>;
    let cleanup: () => void;
    before(async () => ({ storage, stored, cleanup } = await backend.open()));
    after(async () => {
      await storage.close();
      cleanup();
    });

    it('are 256 random bits, base64url, and differ every time', async () => {
      const store = new ChallengeStore(storage, new ManualClock());
      const a = await store.issue('sign-in', '');
      assert.match(a, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(a, await store.issue('sign-in', ''));
    });

    it('can be taken once only, with what the ceremony was started with', async () => {
      const store = new ChallengeStore(storage, new ManualClock());
      const c = await store.issue('invite', 'invitation:1', { userId: 'u1', name: 'Pat' });
      assert.deepEqual(await store.take(c, 'invite', 'invitation:1'), { userId: 'u1', name: 'Pat' });
      assert.equal(await store.take(c, 'invite', 'invitation:1'), null);
    });

    it('can be taken by a second store on the same database (another instance), and then by neither', async () => {
      const clock = new ManualClock();
      const a = new ChallengeStore(storage, clock);
      const b = new ChallengeStore(storage, clock);
      const c = await a.issue('register', 'session:x', { k: 'v' });
      assert.deepEqual(await b.take(c, 'register', 'session:x'), { k: 'v' });
      assert.equal(await a.take(c, 'register', 'session:x'), null);
    });

    it('are refused, and spent, when presented for another purpose or subject', async () => {
      const store = new ChallengeStore(storage, new ManualClock());
      const c = await store.issue('register', 'session:a');
      assert.equal(await store.take(c, 'register', 'session:b'), null);
      assert.equal(await store.take(c, 'register', 'session:a'), null, 'a misused challenge is gone');
      const d = await store.issue('register', 'session:a');
      assert.equal(await store.take(d, 'sign-in', ''), null);
      assert.equal(await store.take(d, 'register', 'session:a'), null);
    });

    it('expire after five minutes of the injected clock, and expired ones are pruned by the next issue', async () => {
      const clock = new ManualClock();
      const store = new ChallengeStore(storage, clock);
      const fresh = await store.issue('sign-in', '');
      const stale = await store.issue('sign-in', '');
      const left = await store.issue('sign-in', '');
      clock.advance(CHALLENGE_TTL_MS - 1);
      assert.ok(await store.take(fresh, 'sign-in', ''));
      clock.advance(1);
      assert.equal(await store.take(stale, 'sign-in', ''), null);
      assert.equal(CHALLENGE_TTL_MS, 5 * 60_000);
      // Every challenge issued so far (by this test's store and the earlier tests', all at the same start) has expired.
      await store.issue('sign-in', '');
      assert.equal((await stored()).length, 1, 'the expired ones were pruned as the new one came');
      assert.equal(await store.take(left, 'sign-in', ''), null);
    });

    it('store only the challenge\'s SHA-256, never the challenge', async () => {
      const store = new ChallengeStore(storage, new ManualClock());
      const c = await store.issue('invite', 'invitation:hash', { userId: 'u2' });
      const rows = await stored();
      const text = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64url') + Buffer.from(v).toString('hex') : v));
      assert.ok(!text.includes(c), 'the challenge is not stored (nor its bytes, base64url-encoded)');
      assert.ok(!text.includes(Buffer.from(c, 'base64url').toString('hex')), 'nor its bytes, hex-encoded');
      assert.ok(await store.take(c, 'invite', 'invitation:hash'));
    });

    it('keep at most the bound, dropping the oldest, so an anonymous client cannot grow the table', async () => {
      assert.equal(MAX_CHALLENGES, 10_000);
      const clock = new ManualClock();
      const store = new ChallengeStore(storage, clock, 5);
      const issued: string[] = [];
      for (let i = 0; i < 12; i++) issued.push(await store.issue('sign-in', ''));
      assert.ok((await stored()).length <= 5, `${(await stored()).length} challenges held`);
      for (const c of issued.slice(0, 7)) assert.equal(await store.take(c, 'sign-in', ''), null, 'an oldest one went');
      for (const c of issued.slice(7)) assert.deepEqual(await store.take(c, 'sign-in', ''), {}, 'the newest five are kept');
    });

    it('a flood of anonymous sign-in challenges evicts only sign-in ones: an invitee\'s or a member\'s pending ceremony survives', async () => {
      const store = new ChallengeStore(storage, new ManualClock(), 5);
      const invite = await store.issue('invite', 'invitation:flood', { userId: 'u-1' });
      const register = await store.issue('register', 'user:flood');
      for (let i = 0; i < 50; i++) await store.issue('sign-in', '');
      assert.ok((await stored()).length <= 5 + 2, `${(await stored()).length} challenges held`);
      assert.deepEqual(await store.take(invite, 'invite', 'invitation:flood'), { userId: 'u-1' });
      assert.deepEqual(await store.take(register, 'register', 'user:flood'), {});
    });
  });
}
