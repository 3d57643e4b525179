// Live event streams (Server-Sent Events) of environments: who may open how many, what is sent, and
// how a stream resumes. The route authorizes; this owns the stream. Events are read from the change
// table after a wake from storage, so a stream sends every change in commit order, exactly once, and a
// resume with Last-Event-ID continues after that number — across reconnects, restarts and (with a
// shared database) instances — or says `reset` when the number is no longer kept.
import type { ServerResponse } from 'node:http';
import type { EnvironmentEvent, SecretScope } from '../../core/api-types.ts';
import { ApiError } from '../errors.ts';
import { SECURITY_HEADERS } from '../http/security-headers.ts';
import type { ServerLimits } from '../limits.ts';
import type { ChangeRow, Storage } from '../storage/types.ts';

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
}

/** One SSE message; `data` is JSON on one line, so no field can break the framing. */
export function sseMessage(event: EnvironmentEvent): string {
  const { type, id, ...rest } = event;
  return `event: ${type}\nid: ${id}\ndata: ${JSON.stringify(rest)}\n\n`;
}

/**
 * A numbered change log a stream follows: the environment's (organization secrets), and on a workspace's
 * stream also the workspace's own. The stream's id is the cursors of its sources joined by `.`.
 */
interface Source {
  /** '' for the environment's own log, else the workspace's id. */
  workspaceId: string;
  scope: SecretScope | undefined;
  /** Whether a change of this log belongs on the stream. */
  shows: (row: ChangeRow) => boolean;
}

function sourcesOf(target: StreamTarget): Source[] {
  const ws = target.workspace;
  if (!ws) return [{ workspaceId: '', scope: undefined, shows: () => true }];
  return [
    // The workspaces an organization secret could be used by when it changed (null: recorded before workspaces: all).
    { workspaceId: '', scope: 'organization', shows: (r) => !r.workspaces || r.workspaces.length === 0 || r.workspaces.includes(ws.slug) },
    { workspaceId: ws.id, scope: 'workspace', shows: () => true },
  ];
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
    const sources = sourcesOf(target);
    const where = { environment, ...(target.workspace && { workspace: target.workspace.slug }) };
    let closed = false;
    const cursors = sources.map(() => 0);
    const id = () => cursors.join('.');
    let pumping = false;
    let again = false;

    const write = (text: string): void => {
      if (!closed) res.write(text);
    };
    const latest = () => Promise.all(sources.map((src) => storage.latestChange(orgId, environmentId, src.workspaceId)));
    const reset = async (reason: string): Promise<void> => {
      (await latest()).forEach((n, i) => (cursors[i] = n));
      write(sseMessage({ type: 'reset', id: id(), ...where, reason }));
    };
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (let i = 0; i < sources.length; i++) {
            const src = sources[i]!;
            for (;;) {
              if (closed) return;
              const rows = await storage.listChanges(orgId, environmentId, cursors[i]!, PAGE, src.workspaceId);
              if (rows.length > 0 && rows[0]!.seq !== cursors[i]! + 1) {
                await reset(`Events after id ${id()} are no longer kept; reload the secrets, then continue from this id`);
                continue;
              }
              let text = '';
              for (const row of rows) {
                cursors[i] = row.seq;
                if (!src.shows(row)) continue;
                const event: EnvironmentEvent = { type: row.kind, id: id(), ...where, key: row.key, version: row.version, actor: row.actor, time: row.time };
                text += sseMessage(src.scope ? { ...event, scope: src.scope } : event);
              }
              if (text) write(text);
              if (rows.length < PAGE) break;
            }
          }
        } while (again);
      } catch {
        // The database is closing (server shutdown) or failed: end the stream; the client resumes.
        finish();
      } finally {
        pumping = false;
      }
    };

    // Watch before reading the newest number, so a change committed in between still wakes the pump.
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
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.#limits.eventsHeartbeatMs);
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
      const newest = await latest();
      const asked = target.lastEventId?.trim();
      const parts = asked === undefined || asked === '' ? undefined : asked.split('.');
      if (parts === undefined) {
        newest.forEach((n, i) => (cursors[i] = n));
        write(sseMessage({ type: 'ready', id: id(), ...where }));
      } else if (parts.length !== sources.length || parts.some((p, i) => !/^\d{1,15}$/.test(p) || Number(p) > newest[i]!)) {
        await reset(`The Last-Event-ID is not an event of this ${target.workspace ? 'workspace' : 'environment'}; reload the secrets, then continue from this id`);
      } else if (
        (
          await Promise.all(
            parts.map(async (p, i) => Number(p) < newest[i]! && (await storage.listChanges(orgId, environmentId, Number(p), 1, sources[i]!.workspaceId))[0]?.seq !== Number(p) + 1),
          )
        ).some(Boolean)
      ) {
        await reset(`Events after id ${asked} are no longer kept; reload the secrets, then continue from this id`);
      } else {
        parts.forEach((p, i) => (cursors[i] = Number(p)));
        write(sseMessage({ type: 'ready', id: id(), ...where }));
      }
    } catch {
      finish();
      return;
    }
    await pump();
  }

  /** Ends every open stream (server shutdown); clients resume elsewhere or later with Last-Event-ID. */
  closeAll(): void {
    for (const finish of [...this.#open]) finish();
  }
}
