import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEvent } from '../../core/api-types.ts';
import type { SecretsClient } from '../../core/client.ts';
import { auditFilter, type AuditFilter } from '../audit-filter.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { stopOnSignals } from '../live-events.ts';
import { printableRow } from '../server-text.ts';
import { exactArgs } from '../subcommands.ts';
import { table } from '../table.ts';

const USAGE =
  'secrets audit [--since T] [--until T] [--actor A] [--action ACT] [--key K] [--env E] [--workspace W] [--outcome allowed|denied] [--limit N] [--follow [--interval 2s]] [--org ORG]';
const PAGE = 500;
const DEFAULT_LIMIT = 50;

function positiveInt(text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > max) throw new CliError('CLI_INVALID_INPUT', `${flag} must be a whole number from 1 to ${max}`);
  return Number(text);
}

function intervalMs(text: string | undefined): number {
  if (text === undefined) return 2000;
  const m = /^(\d{1,5})(ms|s)?$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : NaN;
  if (!(ms >= 200 && ms <= 3_600_000)) throw new CliError('CLI_INVALID_INPUT', '--interval must be between 200ms and 3600s (e.g. 2s)');
  return ms;
}

/** Matching events newest first, at most `limit`, paging back through the trail. */
async function newestMatching(client: SecretsClient, org: string, f: AuditFilter, limit: number): Promise<AuditEvent[]> {
  const found: AuditEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.listAudit(org, { ...f, limit: Math.min(PAGE, limit - found.length), ...(cursor !== undefined && { cursor }) });
    found.push(...page.events);
    if (page.nextCursor === null || found.length >= limit) return found;
    cursor = page.nextCursor;
  }
}

const HEADERS = ['TIME', 'ACTOR', 'ACTION', 'ENV', 'KEYS', 'OUTCOME'];
function row(e: AuditEvent): string[] {
  const actor = e.actor.type === 'anonymous' ? '(anonymous)' : `${e.actor.type === 'service' ? 'token:' : ''}${e.actor.name ?? e.actor.id ?? '?'}`;
  return printableRow([e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), actor, e.action, `${e.environment ?? '-'}${e.workspace ? ` (workspace ${e.workspace})` : ''}`, e.keys.join(',') || '-', e.outcome]);
}

/** Follows until SIGINT, SIGTERM or SIGHUP (then exits 128 + its number, as `secrets watch` does); an error that outlasts the client's retries ends it with that error's status. */
async function follow(ctx: Context, org: string, f: AuditFilter, backlogSize: number, everyMs: number): Promise<number> {
  const stop = stopOnSignals();
  // A request in flight is not cut by the first signal (it ends the follow once answered); a second
  // signal ends the command at once, so a slow or endless server cannot hold it.
  stop.signal.addEventListener(
    'abort',
    () => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, () => process.exit(128 + (constants.signals[s] ?? 0)));
    },
    { once: true },
  );
  try {
    await followUntil(ctx, org, f, backlogSize, everyMs, stop.signal);
  } finally {
    stop.dispose();
  }
  const by = stop.stoppedBy();
  return by ? 128 + (constants.signals[by] ?? 0) : 0;
}

async function followUntil(ctx: Context, org: string, f: AuditFilter, backlogSize: number, everyMs: number, signal: AbortSignal): Promise<void> {
  const client = ctx.client();
  // Following starts at the newest event of all; the backlog is read after it, so an event recorded in
  // between comes back in the first round too and is printed once (shown).
  const newestId = async () => (await client.listAudit(org, { limit: 1 })).events[0]?.id;
  let lastId = await newestId();
  const backlog = (await newestMatching(client, org, f, backlogSize)).reverse();
  // Ids printed by the previous round and this one: a round may see again what the last one printed.
  let shown = new Set(backlog.map((e) => e.id));
  // One line per event as it arrives; JSON as one object per line so a script can read a stream.
  const print = (e: AuditEvent) => (ctx.flags.json ? ctx.jsonLine(e) : ctx.out(row(e).join('  ')));
  if (!ctx.flags.json) ctx.out(HEADERS.join('  '));
  backlog.forEach(print);
  while (!signal.aborted) {
    try {
      await sleep(everyMs, undefined, { signal });
    } catch {
      return;
    }
    // The newest event of all is read first; everything up to it is covered by the pages below, so
    // the next round can start there even when the filter matched nothing (no rescan of old events).
    const mark = await newestId();
    if (lastId === undefined) {
      // Every organization's trail starts with its creation, so this is only a trail the server lost.
      lastId = mark;
      continue;
    }
    const printed = new Set<string>();
    let from = lastId;
    // Forward from the last mark, oldest first, page after page until caught up: nothing is skipped.
    for (;;) {
      if (signal.aborted) return;
      const page = await client.listAudit(org, { ...f, after: from, limit: PAGE });
      for (const e of page.events) {
        if (!shown.has(e.id)) print(e);
        printed.add(e.id);
      }
      if (page.events.length > 0) from = page.events[page.events.length - 1]!.id;
      if (page.events.length < PAGE) break;
    }
    shown = printed;
    if (mark !== undefined) lastId = mark;
  }
}

export const audit: Command = {
  name: 'audit',
  summary: "Read an organization's audit trail, filtered; --follow keeps printing new events (Admin+)",
  help: `${USAGE}

Newest first, at most --limit events (default ${DEFAULT_LIMIT}). --since and --until take a duration ago
(15m, 12h, 7d) or an ISO 8601 time; --actor a user's or token's name or id; --action an action such as
secret.reveal or a family such as secret; --key a secret key; --env an environment (only when given as a
flag, not from SECRETS_ENV); --workspace events under a workspace (only when given as a flag); --outcome
allowed or denied. The server applies the filters.

--follow prints the matching recent events oldest first, then polls every --interval (default 2s) and
prints new events as they are recorded, until interrupted (exit status 128 + the signal: 130 for SIGINT,
143 for SIGTERM); with --json, one JSON object per line. Each poll asks
for the events after the last one seen (the API's after=<event id>), page by page until caught up, so
no event is missed whatever the rate. With --follow, --limit is the size of the backlog (default 10).`,
  options: ['since', 'until', 'actor', 'action', 'key', 'outcome', 'limit', 'follow', 'interval', 'workspace'],
  async run(ctx) {
    exactArgs(ctx.args, [], USAGE);
    const f = auditFilter(ctx.flags);
    const limit = positiveInt(ctx.flags.limit, '--limit', DEFAULT_LIMIT, 1_000_000);
    if (ctx.flags.interval !== undefined && !ctx.flags.follow) throw new CliError('CLI_USAGE', `--interval is only for --follow; usage: ${USAGE}`);
    const every = intervalMs(ctx.flags.interval);
    const org = await ctx.org();
    if (ctx.flags.follow) return follow(ctx, org, f, ctx.flags.limit === undefined ? 10 : limit, every);
    const events = await newestMatching(ctx.client(), org, f, limit);
    if (ctx.flags.json) return ctx.json(events);
    if (events.length === 0) return ctx.note(`No audit events in ${org} match`);
    ctx.out(table(HEADERS, events.map(row)));
  },
};
