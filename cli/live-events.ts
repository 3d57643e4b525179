// Following an environment's live events from the CLI (`secrets watch`, `secrets run --watch`): core's
// follower (Last-Event-ID resume, exponential back-off with jitter) with the CLI's notes about lost
// connections, and how an event reads on one line.
import type { EnvironmentEvent } from '../core/api-types.ts';
import type { Context, Target } from './context.ts';
import { printableRow } from './server-text.ts';

export interface LiveOptions {
  signal: AbortSignal;
  onEvent(event: EnvironmentEvent): void | Promise<void>;
}

export function followTarget(ctx: Context, { org, ref, label }: Target, options: LiveOptions): Promise<void> {
  return ctx.client().followEvents(org, ref, {
    signal: options.signal,
    onEvent: options.onEvent,
    onDisconnect: ({ attempt, delayMs, reason }) =>
      ctx.note(`secrets: lost the event stream of ${label} (${reason}); reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt})`),
  });
}

/** `2026-01-05 10:00:00Z  updated  STRIPE_KEY  v3  Alice` — names from the server stripped of controls. */
export function eventLine(e: EnvironmentEvent): string {
  if (e.type === 'ready') return printableRow([`watching ${e.environment} from event ${e.id}`]).join('');
  if (e.type === 'reset') return printableRow([`reset  ${e.reason}`]).join('');
  // On a workspace's stream: whether the change was of its own secret or an organization secret available to it.
  const scope = e.scope === undefined ? [] : [e.scope];
  return printableRow([e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.type, e.key, `v${e.version}`, e.actor, ...scope]).join('  ');
}

/** Aborts on SIGINT, SIGTERM or SIGHUP, and says which one. */
export function stopOnSignals(): { signal: AbortSignal; stoppedBy(): NodeJS.Signals | undefined; dispose(): void } {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  const stop = (s: NodeJS.Signals) => {
    by = s;
    controller.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, stop);
  return {
    signal: controller.signal,
    stoppedBy: () => by,
    dispose: () => {
      for (const s of signals) process.off(s, stop);
    },
  };
}
