// core's event-stream client against the live server: openEvents reads typed events, failures map to
// SecretsError codes, and followEvents reconnects with exponential back-off (full jitter) and
// Last-Event-ID, gives up on permanent failures, and stops when its signal aborts.
// The last case feeds followEvents scripted streams (its OpenEvents seam): our server no longer repeats
// a change, so only a script can show that the follower would drop one.
import assert from 'node:assert/strict';
import type { EnvironmentEvent, SecretChangeEvent } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { backoffCeiling, DEFAULT_RETRY_POLICY } from '../../core/client/retry.ts';
import { followEvents, type DisconnectInfo, type OpenEvents } from '../../core/client/events.ts';
import { isSecretsError } from '../../core/errors.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { startProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const clientFor = (url: string, token: string) => new SecretsClient({ baseUrl: url, token, userAgent: 'core-events-test/0', retries: 0 });

async function until(what: string, done: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('core: event stream client (live server)', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let admin: SecretsClient;
  let proxy: TcpProxy;
  before(async () => {
    server = await startServer();
    admin = clientFor(server.url, server.adminToken);
    proxy = await startProxy(server.url);
  });
  after(async () => {
    await admin?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('openEvents yields typed events: ready, then each change with its id', async () => {
    await admin.createEnvironment('default', { slug: 'core-open' });
    const stop = new AbortController();
    const seen: EnvironmentEvent[] = [];
    const reading = (async () => {
      for await (const e of admin.openEvents('default', 'core-open', { signal: stop.signal })) {
        seen.push(e);
        if (e.type === 'ready') await admin.createSecret('default', 'core-open', { key: 'OPENED', value: 'canary-opened-4c2a9e' });
        if (e.type === 'created') stop.abort();
      }
    })();
    await reading;
    assert.deepEqual(
      seen.map((e) => [e.type, e.id]),
      [
        ['ready', '0'],
        ['created', '1'],
      ],
    );
    const created = seen[1] as SecretChangeEvent;
    assert.equal(created.key, 'OPENED');
    assert.equal(created.version, 1);
  });

  it('maps a refused stream to SecretsError: unknown organization → SECRETS_NOT_FOUND, bad token → SECRETS_UNAUTHORIZED; followEvents rejects with it', async () => {
    await assert.rejects(
      async () => {
        for await (const _ of admin.openEvents('no-such-org', 'development')) break;
      },
      (e: unknown) => isSecretsError(e, 'SECRETS_NOT_FOUND'),
    );
    const stranger = clientFor(server.url, 'scrt_pat_notavalidtokenatall0000000000000000000');
    await assert.rejects(
      stranger.followEvents('default', 'development', { signal: new AbortController().signal, onEvent: () => {} }),
      (e: unknown) => isSecretsError(e, 'SECRETS_UNAUTHORIZED'),
    );
    await stranger.close();
  });

  it('followEvents reconnects after growing, jittered waits and resumes from the last id with nothing missed; abort ends it', async () => {
    await admin.createEnvironment('default', { slug: 'core-follow' });
    const viaProxy = clientFor(proxy.url, server.adminToken);
    const stop = new AbortController();
    const events: EnvironmentEvent[] = [];
    const disconnects: DisconnectInfo[] = [];
    const policy = { baseDelayMs: 100, maxDelayMs: 400 };
    const following = viaProxy.followEvents('default', 'core-follow', {
      signal: stop.signal,
      policy,
      onEvent: (e) => void events.push(e),
      onDisconnect: (d) => void disconnects.push(d),
    });
    await until('ready', () => events.length === 1);
    proxy.drop();
    await until('three attempts while cut off', () => disconnects.length >= 3);
    for (let i = 0; i < 5; i++) await admin.createSecret('default', 'core-follow', { key: `CUT_${i}`, value: `canary-cut-${i}-7d1b` });
    proxy.reconnect();
    await until('the five changes', () => events.filter((e) => e.type === 'created').length === 5);
    stop.abort();
    await following;
    assert.deepEqual(
      disconnects.slice(0, 3).map((d) => d.attempt),
      [1, 2, 3],
    );
    for (const d of disconnects) assert.ok(d.delayMs >= 0 && d.delayMs <= backoffCeiling(d.attempt, { ...DEFAULT_RETRY_POLICY, ...policy }), JSON.stringify(d));
    assert.deepEqual(
      events.filter((e) => e.type === 'created').map((e) => e.id),
      ['1', '2', '3', '4', '5'],
    );
    assert.ok(events.filter((e) => e.type === 'ready').length >= 2, 'reconnected');
    await viaProxy.close();
  });
});

describe('core: followEvents passes each change once', () => {
  const change = (id: number, key: string): SecretChangeEvent => ({ type: 'created', id: String(id), environment: 'production', key, version: 1, actor: 'Ada', time: '2026-01-01T00:00:00.000Z' });

  it('drops a change whose id is not above the last seen (a repeat within a stream or after a resume); ready and reset always pass', async () => {
    // Streams as a server that repeated changes would send them; the follower is core's own code.
    const streams: EnvironmentEvent[][] = [
      [{ type: 'ready', id: '2', environment: 'production' }, change(3, 'THIRD'), change(3, 'THIRD'), change(2, 'SECOND'), change(4, 'FOURTH')],
      [{ type: 'ready', id: '4', environment: 'production' }, change(4, 'FOURTH'), change(5, 'FIFTH'), { type: 'reset', id: '1', environment: 'production', reason: 'restored' }, change(2, 'AFTER_RESET')],
    ];
    const asked: (string | undefined)[] = [];
    const stop = new AbortController();
    const open: OpenEvents = (o) => {
      asked.push(o.lastEventId);
      const events = streams.shift() ?? [];
      return (async function* () {
        yield* events;
      })();
    };
    const seen: string[] = [];
    await followEvents(open, {
      signal: stop.signal,
      policy: { baseDelayMs: 1, maxDelayMs: 1 },
      onEvent: (e) => {
        seen.push(`${e.type}:${e.id}${'key' in e ? `:${e.key}` : ''}`);
        if (e.id === '2' && e.type === 'created') stop.abort();
      },
    });
    assert.deepEqual(asked, [undefined, '4']);
    assert.deepEqual(seen, ['ready:2', 'created:3:THIRD', 'created:4:FOURTH', 'ready:4', 'created:5:FIFTH', 'reset:1', 'created:2:AFTER_RESET']);
  });
});
