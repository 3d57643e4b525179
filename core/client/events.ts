// Reading an environment's live events: one connection (readEvents), and the follower every client
// uses (followEvents), which reconnects with Last-Event-ID after exponential back-off with full jitter,
// so a dropped connection loses no event.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentEvent } from '../api-types.ts';
import { SecretsError } from '../errors.ts';
import { SseParser, type SseMessage } from '../sse.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';

const TYPES = new Set(['created', 'updated', 'deleted', 'ready', 'reset']);

/** An SSE message of the events route as a typed event; other event types (added later) are skipped. */
export function toEnvironmentEvent(message: SseMessage): EnvironmentEvent | undefined {
  if (!TYPES.has(message.type)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { type: _t, id: _i, ...fields } = data as Record<string, unknown>;
  return { type: message.type, id: message.lastEventId, ...fields } as EnvironmentEvent;
}

/** Decodes a byte stream into environment events as they arrive. */
export async function* readEvents(body: AsyncIterable<Buffer>, onRetry?: (ms: number) => void): AsyncGenerator<EnvironmentEvent> {
  const queue: EnvironmentEvent[] = [];
  const parser = new SseParser({
    onMessage: (m) => {
      const e = toEnvironmentEvent(m);
      if (e) queue.push(e);
    },
    ...(onRetry && { onRetry }),
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of body) {
    parser.push(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift()!;
  }
}

/** What one connection needs: the client's openEvents, so tests and callers can wrap it. */
export type OpenEvents = (opts: { lastEventId?: string; signal: AbortSignal; onRetry?: (ms: number) => void }) => AsyncIterable<EnvironmentEvent>;

export interface DisconnectInfo {
  /** Reconnection attempts since the last successful connection, counting from 1. */
  attempt: number;
  delayMs: number;
  /** Why (`SECRETS_NETWORK`, `stream ended`, …): never a secret. */
  reason: string;
}

export interface FollowOptions {
  /** Resume after this id (from an earlier run); otherwise only new changes follow. */
  lastEventId?: string;
  /** Stops following; followEvents then resolves. */
  signal: AbortSignal;
  /** Called for each event in order; the next is read once it resolves. */
  onEvent(event: EnvironmentEvent): void | Promise<void>;
  onDisconnect?(info: DisconnectInfo): void;
  policy?: Partial<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>>;
  random?: () => number;
}

/** Failures that a later attempt may not have: the network, a timeout, 5xx, 429. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof SecretsError)) return false;
  return ['SECRETS_NETWORK', 'SECRETS_TIMEOUT', 'SECRETS_SERVER', 'SECRETS_RATE_LIMITED', 'SECRETS_AUDIT_UNAVAILABLE'].includes(err.code);
}

/**
 * A change numbered at or below the last id seen was delivered already (ids grow by one per change):
 * dropped, so a consumer never applies a change twice even if a stream repeats one. `ready` and
 * `reset` always pass: they set the position, lower after a restore from a backup.
 */
function alreadySeen(id: string, last: string | undefined): boolean {
  return last !== undefined && /^\d{1,15}$/.test(id) && /^\d{1,15}$/.test(last) && Number(id) <= Number(last);
}

/**
 * Follows the environment until `signal` aborts (then resolves). Reconnects after transient failures and
 * after the server ends the stream, sending the last id seen; rejects with the SecretsError of a
 * permanent one (401, 403, 404).
 */
export async function followEvents(open: OpenEvents, options: FollowOptions): Promise<void> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxDelayMs: 30_000, ...options.policy };
  let lastEventId = options.lastEventId;
  let attempt = 0;
  const { signal } = options;
  while (!signal.aborted) {
    let reason = 'stream ended';
    let retryAfterMs: number | undefined;
    try {
      for await (const event of open({ ...(lastEventId !== undefined && { lastEventId }), signal })) {
        if (event.type === 'ready' || event.type === 'reset') attempt = 0;
        else if (alreadySeen(event.id, lastEventId)) continue;
        lastEventId = event.id;
        await options.onEvent(event);
        if (signal.aborted) return;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!isTransient(err)) throw err;
      reason = (err as SecretsError).code;
      retryAfterMs = (err as SecretsError).retryAfterMs;
    }
    if (signal.aborted) return;
    attempt++;
    const delayMs = retryAfterMs ?? backoffDelay(attempt, policy, options.random);
    options.onDisconnect?.({ attempt, delayMs, reason });
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
