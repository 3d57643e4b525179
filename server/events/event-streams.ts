// Live event streams (Server-Sent Events) of environments: who may open how many, what is sent, and
// how a stream resumes. The route authorizes; this owns the stream. Events are read from the change
// table after a wake from storage, so a stream sends every change in commit order, exactly once, and a
// resume with Last-Event-ID continues after that number — across reconnects, restarts and (with a
// shared database) instances — or says `reset` when the number is no longer kept.
import type { ServerResponse } from 'node:http';
import type { EnvironmentEvent } from '../../core/api-types.ts';
import { ApiError } from '../errors.ts';
import { SECURITY_HEADERS } from '../http/security-headers.ts';
import type { ServerLimits } from '../limits.ts';
import type { Storage } from '../storage/types.ts';

/** Changes read per query while catching up. */
const PAGE = 500;
/** Sent as the stream's `retry:` so EventSource clients reconnect soon, not after their default. */
const RETRY_MS = 2_000;

export interface StreamTarget {
  orgId: string;
  environmentId: string;
  environment: string;
  /** A workspace's stream: its own secrets' changes and those of organization secrets available to it. */
  workspace?: { id: string; slug: string };
  /** Whose stream this is, for the per-principal cap: `user:<id>` or `token:<id>`. */
  principal: string;
  /** The request's Last-Event-ID header, if any. */
  lastEventId: string | undefined;
  /**
   * Whether the subscriber may still list this place: its token or session still live, its
   * membership and role still sufficient. Asked before events are sent and at every heartbeat; the
   * stream ends the moment the answer is no, so a revoked token hears of no change after it.
   */
  stillAllowed: () => Promise<boolean>;
}

/** One SSE message; `data` is JSON on one line, so no field can break the framing. */
export function sseMessage(event: EnvironmentEvent): string {
  const { type, id, ...rest } = event;
  return `event: ${type}\nid: ${id}\ndata: ${JSON.stringify(rest)}\n\n`;
}

export class EventStreams {
  readonly #storage: Storage;
  readonly #limits: ServerLimits;
  readonly #perPrincipal = new Map<string, number>();
  readonly #open = new Set<() => void>();

  constructor(storage: Storage, limits: ServerLimits) {
    this.#storage = storage;
    this.#limits = limits;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Throws 429 when the principal or the instance holds as many streams as allowed. */
  admit(principal: string): void {
    if (this.#open.size >= this.#limits.eventsMaxSubscribers) {
      throw new ApiError('RATE_LIMITED', 'This server has as many open event streams as it allows; retry later', { headers: { 'retry-after': '5' } });
    }
    if ((this.#perPrincipal.get(principal) ?? 0) >= this.#limits.eventsMaxPerPrincipal) {
      throw new ApiError('RATE_LIMITED', `At most ${this.#limits.eventsMaxPerPrincipal} event streams may be open per user or token; close one first`, {
        headers: { 'retry-after': '5' },
      });
    }
  }

  /** Serves the stream on `res` until the client leaves or the server closes. Call admit() first. */
  async serve(res: ServerResponse, target: StreamTarget): Promise<void> {
    const storage = this.#storage;
    const { orgId, environmentId, environment } = target;
    // A workspace's stream is its own numbered log (its secrets' changes and those of organization secrets it may use).
    const log = target.workspace?.id ?? '';
    const where = { environment, ...(target.workspace && { workspace: target.workspace.slug }) };
    let closed = false;
    // Unknown until the start below has read the newest number (or checked Last-Event-ID): a pump
    // before that would read from 0 and send kept changes (or a reset) ahead of `ready`.
    let started = false;
    let cursor = 0;
    let pumping = false;
    let again = false;

    const write = (text: string): void => {
      if (!closed) res.write(text);
    };
    const reset = async (reason: string): Promise<void> => {
      cursor = await storage.latestChange(orgId, environmentId, log);
      write(sseMessage({ type: 'reset', id: String(cursor), ...where, reason }));
    };
    const pump = async (): Promise<void> => {
      if (!started || pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (;;) {
            if (closed) return;
            const rows = await storage.listChanges(orgId, environmentId, cursor, PAGE, log);
            if (rows.length > 0 && rows[0]!.seq !== cursor + 1) {
              await reset(`Events after id ${cursor} are no longer kept; reload the secrets, then continue from this id`);
              continue;
            }
            let text = '';
            for (const row of rows) {
              text += sseMessage({
                type: row.kind,
                id: String(row.seq),
                ...where,
                key: row.key,
                version: row.version,
                actor: row.actor,
                time: row.time,
                ...(row.scope && { scope: row.scope }),
              });
              cursor = row.seq;
            }
            if (text) {
              if (!(await allowed())) return;
              write(text);
            }
            if (rows.length < PAGE) break;
          }
        } while (again);
      } catch {
        // The database is closing (server shutdown) or failed: end the stream; the client resumes.
        finish();
      } finally {
        pumping = false;
      }
    };

    // Watch before reading the newest number, so a change committed in between is not lost: a wake
    // before the start is done only marks `again` (the pump waits for the cursor), and the start pumps.
    // Wakes come from the writer's commit: the reading is deferred (and coalesced) so that writes do not
    // wait for every subscriber's query.
    let scheduled = false;
    const unwatch = storage.watchChanges(environmentId, () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        void pump();
      });
    });
    const allowed = async (): Promise<boolean> => {
      const ok = await target.stillAllowed().catch(() => false);
      if (!ok) finish();
      return ok && !closed;
    };
    const heartbeat = setInterval(() => {
      void allowed().then((ok) => {
        if (ok) write(': heartbeat\n\n');
      });
    }, this.#limits.eventsHeartbeatMs);
    heartbeat.unref();
    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unwatch();
      this.#open.delete(finish);
      const left = (this.#perPrincipal.get(target.principal) ?? 1) - 1;
      if (left <= 0) this.#perPrincipal.delete(target.principal);
      else this.#perPrincipal.set(target.principal, left);
      if (!res.writableEnded) res.end();
    };
    this.#open.add(finish);
    this.#perPrincipal.set(target.principal, (this.#perPrincipal.get(target.principal) ?? 0) + 1);
    res.on('close', finish);

    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      // No proxy (nginx) may hold events back to fill a buffer.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.flushHeaders();
    write(`retry: ${RETRY_MS}\n\n`);

    try {
      const latest = await storage.latestChange(orgId, environmentId, log);
      const asked = target.lastEventId?.trim();
      const of = target.workspace ? 'workspace' : 'environment';
      if (asked === undefined || asked === '') {
        cursor = latest;
        write(sseMessage({ type: 'ready', id: String(cursor), ...where }));
      } else if (!/^\d{1,15}$/.test(asked) || Number(asked) > latest) {
        await reset(`The Last-Event-ID is not an event of this ${of}; reload the secrets, then continue from this id`);
      } else if (Number(asked) < latest && (await storage.listChanges(orgId, environmentId, Number(asked), 1, log))[0]?.seq !== Number(asked) + 1) {
        await reset(`Events after id ${asked} are no longer kept; reload the secrets, then continue from this id`);
      } else {
        cursor = Number(asked);
        write(sseMessage({ type: 'ready', id: String(cursor), ...where }));
      }
    } catch {
      finish();
      return;
    }
    started = true;
    await pump();
  }

  /** Ends every open stream (server shutdown); clients resume elsewhere or later with Last-Event-ID. */
  closeAll(): void {
    for (const finish of [...this.#open]) finish();
  }
}
