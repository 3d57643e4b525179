// The start of a live event stream (server/events/event-streams.ts) against both real storages, with
// the start's read of the newest number held open while a change commits and its wake arrives — as a
// PostgreSQL round trip is open while a NOTIFY (or a listener's reconnect) wakes every stream. The
// stream must send nothing before `ready` and each change once.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStreams } from '../../server/events/event-streams.ts';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { PostgresStorage } from '../../server/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { AuditInput, Storage } from '../../server/storage/types.ts';
import { freshDatabase } from '../helpers/postgres.ts';
import { RawStream } from '../helpers/sse-stream.ts';

const at = () => new Date().toISOString();
const audit = (action: AuditInput['action']): AuditInput => ({
  time: at(), actorType: 'user', actorId: 'u1', actorName: 'Ada', action, environment: 'production', keys: [], outcome: 'allowed', ip: '127.0.0.1', userAgent: 'test',
});
const blob = (n: number) => new Uint8Array(randomBytes(n));
const secret = (key: string) => ({ id: randomUUID(), key, description: '', nonce: blob(12), ciphertext: blob(20), at: at(), by: 'Ada' });

/** `writer` commits changes: on PostgreSQL another instance, so the stream's wake is a real NOTIFY. */
type Opened = { storage: Storage; writer: Storage; close: () => Promise<void> };
const backends: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'secrets-streams-sqlite-'));
      const storage = SqliteStorage.open(dir, { changeBacklog: 100 });
      return { storage, writer: storage, close: async () => { await storage.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const url = await freshDatabase();
      const storage = await PostgresStorage.open(url, { changeBacklog: 100 });
      const writer = await PostgresStorage.open(url, { changeBacklog: 100 });
      return { storage, writer, close: async () => { await writer.close(); await storage.close(); } };
    },
  },
];

/** Resolves at the next wake of `environmentId` on `storage`. */
function nextWake(storage: Storage, environmentId: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = storage.watchChanges(environmentId, () => {
      stop();
      resolve();
    });
  });
}

for (const backend of backends) {
  describe(`server: live event stream start (${backend.name})`, function () {
    this.timeout(30_000);
    let opened: Opened;
    let server: Server;
    let url: string;
    let orgId: string;
    let environmentId: string;
    /** While set, the stream's read of the newest number waits for it (the open round trip). */
    let gate: { entered: () => void; release: Promise<void> } | undefined;

    before(async () => {
      opened = await backend.open();
      const { storage, writer } = opened;
      const userId = randomUUID();
      await storage.createUser({ id: userId, name: 'Ada', email: `${userId}@example.test`, instanceAdmin: false, createdAt: at() }, {
        id: randomUUID(), kind: 'personal', hash: blob(32), name: 't', userId, orgId: null, environmentId: null, createdAt: at(), createdBy: 'Ada',
        expiresAt: null, revokedAt: null, lastUsedAt: null,
      });
      orgId = randomUUID();
      environmentId = randomUUID();
      await storage.createOrg({ id: orgId, slug: `org-${orgId.slice(0, 8)}`, name: 'Org', wrappedKey: blob(60), createdAt: at() }, userId, [
        { id: environmentId, slug: 'production', name: 'Production', createdAt: at() },
      ], audit('org.create'));
      for (const key of ['FIRST', 'SECOND', 'THIRD']) await writer.createSecret(orgId, environmentId, secret(key), audit('secret.create'));

      const latestChange: Storage['latestChange'] = async (...args) => {
        const g = gate;
        if (g) {
          g.entered();
          await g.release;
        }
        return storage.latestChange(...args);
      };
      const held = new Proxy(storage, {
        get: (target, name) => {
          if (name === 'latestChange') return latestChange;
          const v: unknown = Reflect.get(target, name, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const streams = new EventStreams(held, DEFAULT_LIMITS);
      server = createServer((req, res) => {
        streams.admit('user:ada');
        void streams.serve(res, { orgId, environmentId, environment: 'production', principal: 'user:ada', lastEventId: req.headers['last-event-id'] as string | undefined, stillAllowed: async () => true });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(async () => {
      server?.closeAllConnections();
      server?.close();
      await opened?.close();
    });

    it('sends nothing before ready and each change once when a change wakes the stream while its start reads the newest number', async () => {
      let entered!: () => void;
      const reading = new Promise<void>((r) => (entered = r));
      let release!: () => void;
      gate = { entered, release: new Promise<void>((r) => (release = r)) };
      const stream = await RawStream.open(url, undefined, { 'last-event-id': '2' });
      try {
        await reading;
        // A change commits (on PostgreSQL through the other instance) while the start's read is open,
        // and its wake reaches the stream; the stream's own watcher was registered before this one.
        const woken = nextWake(opened.storage, environmentId);
        await opened.writer.createSecret(orgId, environmentId, secret('FOURTH'), audit('secret.create'));
        await woken;
        // The stream's deferred wake (setImmediate) has run: an early pump would have begun reading.
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        gate = undefined;
        release();
        await stream.waitFor('change 4', (s) => s.events().some((e) => e.id === '4' && e.event === 'created'));
        await opened.writer.createSecret(orgId, environmentId, secret('FIFTH'), audit('secret.create'));
        await stream.waitFor('change 5', (s) => s.events().some((e) => e.id === '5'));
        const events = stream.events().map((e) => `${e.event}:${e.id}${typeof e.data.key === 'string' ? `:${e.data.key}` : ''}`);
        assert.deepEqual(events, ['ready:2', 'created:3:THIRD', 'created:4:FOURTH', 'created:5:FIFTH']);
      } finally {
        gate = undefined;
        release();
        stream.close();
      }
    });
  });
}
