// Keeps the tree of the selected environment current from its live event stream (GET …/events) while
// connected: a burst of changes (an import is thousands) reloads the list once; a reconnect resumes
// with Last-Event-ID (core's follower), so a change made while the connection was down still arrives;
// `reset` (events missed) reloads too. Selecting another environment or signing out stops the old
// stream. No VS Code here: the session wires it to the model and the output log.
import type { EnvironmentEvent } from '../../core/api-types.ts';
import type { DisconnectInfo, FollowOptions } from '../../core/client/events.ts';
import type { EnvironmentRef } from '../../core/client/paths.ts';

/** What following needs of the API client (SecretsClient.followEvents). */
export interface EventsApi {
  followEvents(org: string, env: EnvironmentRef, options: FollowOptions): Promise<void>;
}

export interface LiveRefreshPorts {
  /** Reloads the environment's list (of the workspace, when given) into the tree. */
  reload(org: string, env: string, workspace?: string): Promise<unknown>;
  log(line: string): void;
}

/** Changes closer together than this are one reload. */
export const LIVE_RELOAD_DEBOUNCE_MS = 150;

export class LiveRefresh {
  readonly #ports: LiveRefreshPorts;
  readonly #debounceMs: number;
  #stop: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #target: string | undefined;
  #api: EventsApi | undefined;
  #reloads = 0;

  constructor(ports: LiveRefreshPorts, debounceMs = LIVE_RELOAD_DEBOUNCE_MS) {
    this.#ports = ports;
    this.#debounceMs = debounceMs;
  }

  /** How many reloads the stream caused (for tests and the log). */
  get reloads(): number {
    return this.#reloads;
  }

  /**
   * Follows `org`/`env` (in a workspace: that workspace's stream, which carries its own secrets' changes
   * and those of the organization secrets available to it) with `api`, stopping whatever was followed
   * before; no api or target stops.
   */
  follow(api: EventsApi | undefined, org: string | undefined, env: string | undefined, workspace?: string): void {
    const target = api && org && env ? (workspace === undefined ? `${org}/${env}` : `${org}/${workspace}/${env}`) : undefined;
    if (target !== undefined && target === this.#target && api === this.#api && this.#stop && !this.#stop.signal.aborted) return;
    this.stop();
    if (!api || !org || !env) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#target = target;
    this.#api = api;
    const options: FollowOptions = {
      signal: stop.signal,
      onEvent: (e: EnvironmentEvent) => {
        if (e.type === 'ready') return;
        if (e.type === 'reset') this.#ports.log(`live updates of ${org}/${env}: events were missed; reloading`);
        this.#schedule(org, env, workspace, stop.signal);
      },
      onDisconnect: (i: DisconnectInfo) =>
        this.#ports.log(`live updates of ${org}/${env}: connection lost (${i.reason}); reconnecting in ${(i.delayMs / 1000).toFixed(1)} s`),
    };
    api.followEvents(org, workspace === undefined ? env : { workspace, environment: env }, options).catch((err: unknown) => {
      if (stop.signal.aborted) return;
      this.#ports.log(`live updates of ${org}/${env} stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  #schedule(org: string, env: string, workspace: string | undefined, signal: AbortSignal): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (signal.aborted) return;
      this.#reloads++;
      this.#ports.reload(org, env, workspace).catch((err: unknown) => {
        this.#ports.log(`live updates of ${org}/${env}: reload failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, this.#debounceMs);
  }

  stop(): void {
    this.#stop?.abort();
    this.#stop = undefined;
    this.#target = undefined;
    this.#api = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  dispose(): void {
    this.stop();
  }
}
