// `secrets run --watch`: the command runs with the environment's values and is restarted with fresh
// ones when the environment changes — once per debounced burst of changes, SIGTERM first, SIGKILL after
// the grace period — until it exits by itself, whose status is then ours.
import type { EnvironmentEvent } from '../core/api-types.ts';
import { freshEnvironment, startChild, type RunningChild } from './commands/run.ts';
import type { Context, Target } from './context.ts';
import { followTarget } from './live-events.ts';

export interface WatchTiming {
  debounceMs: number;
  graceMs: number;
}

/** Sends SIGTERM, then SIGKILL after `graceMs` if the child is still there; resolves once it is gone. */
async function stopChild(running: RunningChild, graceMs: number): Promise<void> {
  const { child } = running;
  const gone = running.exited.then(
    () => undefined,
    () => undefined,
  );
  if (child.exitCode !== null || child.signalCode !== null) return gone;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

export async function runWatching(ctx: Context, target: Target, file: string, args: string[], timing: WatchTiming): Promise<number> {
  const stopFollowing = new AbortController();
  // Subscribe first and wait for the stream's start, then read the values: a change in between
  // restarts the command once more rather than being missed.
  let started!: () => void;
  const streamReady = new Promise<void>((r) => (started = r));
  let debounce: NodeJS.Timeout | undefined;
  let pending: string[] = [];
  let restarting: Promise<void> = Promise.resolve();
  let running: RunningChild | undefined;
  let restartsInFlight = 0;
  let over = false;
  let finish!: (code: number) => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<number>((resolve, reject) => {
    finish = (code) => {
      over = true;
      resolve(code);
    };
    fail = (err) => {
      over = true;
      reject(err);
    };
  });

  const watchChild = (r: RunningChild) => {
    r.exited.then(
      (code) => {
        // Our own restart stops it; any other exit is the command's, and ends the watch.
        if (running === r && restartsInFlight === 0) finish(code);
      },
      (err) => fail(err),
    );
  };

  const restart = async () => {
    const keys = [...new Set(pending)];
    pending = [];
    if (over) return;
    let env: Record<string, string | undefined>;
    try {
      env = await freshEnvironment(ctx, target);
    } catch (err) {
      ctx.note(`secrets: ${target.env} changed (${keys.join(', ')}), but the new values cannot be used, so the command keeps running: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (over) return;
    ctx.note(`secrets: ${target.env} changed (${keys.join(', ')}); restarting ${file}`);
    restartsInFlight++;
    try {
      if (running) await stopChild(running, timing.graceMs);
      running = startChild(ctx, file, args, env);
      watchChild(running);
    } finally {
      restartsInFlight--;
    }
  };

  const onEvent = (e: EnvironmentEvent) => {
    if (e.type === 'ready') return started();
    if (e.type === 'reset') started();
    pending.push(e.type === 'reset' ? '(events missed)' : e.key);
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      restarting = restarting.then(restart);
    }, timing.debounceMs);
  };

  const following = followTarget(ctx, target, { signal: stopFollowing.signal, onEvent });
  following.catch((err: unknown) => fail(err));
  try {
    await Promise.race([streamReady, done]);
    const env = await freshEnvironment(ctx, target);
    running = startChild(ctx, file, args, env);
    watchChild(running);
    return await done;
  } finally {
    if (debounce) clearTimeout(debounce);
    stopFollowing.abort();
    await following.catch(() => undefined);
    await restarting;
    if (running && running.child.exitCode === null && running.child.signalCode === null) await stopChild(running, timing.graceMs);
    await ctx.close();
  }
}
