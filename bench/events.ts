// Live event delivery latency: from sending a write (PATCH of one secret) to its `updated` event
// arriving at a subscriber of the environment's stream (core's reader, the real server on loopback,
// SQLite with synchronous=FULL), one change at a time, over BENCH_CHANGES changes; p50/p99 printed.
//
//   npm run bench:events      (BENCH_CHANGES=1000)
import { SecretsClient } from '../core/client.ts';
import type { EnvironmentEvent } from '../core/api-types.ts';
import { startServer } from '../test/helpers/server.ts';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1_000);

const server = await startServer();
const client = (agent: string) => new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: agent, retries: 0 });
const writer = client('bench-events-writer/0');
const reader = client('bench-events-reader/0');
const stop = new AbortController();
try {
  await writer.createEnvironment('default', { slug: 'bench-events' });
  await writer.createSecret('default', 'bench-events', { key: 'BENCH_KEY', value: 'bench-value-0' });

  const waiting = new Map<number, (at: number) => void>();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const following = reader.followEvents('default', 'bench-events', {
    signal: stop.signal,
    onEvent: (e: EnvironmentEvent) => {
      const at = performance.now();
      if (e.type === 'ready') ready();
      else if (e.type === 'updated') waiting.get(e.version)?.(at);
    },
  });
  await isReady;

  const ms: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const version = i + 1;
    const arrived = new Promise<number>((r) => waiting.set(version, r));
    const sent = performance.now();
    await writer.updateSecret('default', 'bench-events', 'BENCH_KEY', { value: `bench-value-${i}` });
    ms.push((await arrived) - sent);
    waiting.delete(version);
  }
  stop.abort();
  await following;
  ms.sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!;
  console.log(`event delivery, write sent → event received, over ${CHANGES} changes: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, max ${ms.at(-1)!.toFixed(2)} ms`);
} finally {
  stop.abort();
  await writer.close();
  await reader.close();
  await server.stop();
}
