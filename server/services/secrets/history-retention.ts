// How long an organization keeps its secrets' history, and the pruning that applies it. A replaced
// version is kept until `days` after it was replaced, and the newest `minVersions` versions of every
// secret always (whichever keeps more), so an environment read at any moment within the window is
// exact. Pruning also forgets the metadata of deleted secrets' versions once their deletion is older
// than the window. Every pruning is audited: one `secret.history_pruned` event per environment naming
// the keys and how many versions, never a value (and one per workspace there, naming it, for a workspace's
// own secrets). Time comes from the injected clock.
import { DEFAULT_HISTORY_RETENTION, type HistoryRetention } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Clock } from '../../clock.ts';
import { ApiError } from '../../errors.ts';
import { prunedKeys } from '../../storage/pruned-history.ts';
import { AuditWriteError, type AuditInput, type OrgRow, type PrunedEnvironment, type Storage } from '../../storage/types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export class HistoryRetentionService {
  private readonly storage: Storage;
  private readonly clock: Clock;

  constructor(storage: Storage, clock: Clock) {
    this.storage = storage;
    this.clock = clock;
  }

  async get(org: OrgRow): Promise<HistoryRetention> {
    const row = await this.storage.getHistoryRetention(org.id);
    return row ?? { ...DEFAULT_HISTORY_RETENTION, updatedAt: null, updatedBy: null };
  }

  /** Sets the retention (audited); the next pruning applies it. */
  async set(caller: Caller, org: OrgRow, retention: { days: number; minVersions: number }): Promise<HistoryRetention> {
    const row = { days: retention.days, minVersions: retention.minVersions, updatedAt: new Date(this.clock.now()).toISOString(), updatedBy: caller.actor.display };
    const event = callerEvent(caller, 'history_retention.update', 'allowed', null, [], { retention: { days: row.days, minVersions: row.minVersions } });
    event.time = row.updatedAt;
    try {
      await this.storage.setHistoryRetention(org.id, row, event);
    } catch (err) {
      if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
      throw err;
    }
    return row;
  }

  /** Applies the organization's retention now. */
  async prune(orgId: string): Promise<PrunedEnvironment[]> {
    const retention = (await this.storage.getHistoryRetention(orgId)) ?? DEFAULT_HISTORY_RETENTION;
    const now = this.clock.now();
    const cutoff = new Date(now - retention.days * DAY_MS).toISOString();
    const applied = { days: retention.days, minVersions: retention.minVersions };
    return this.storage.pruneHistory(orgId, cutoff, retention.minVersions, (p) => prunedEvent(p, new Date(now).toISOString(), applied));
  }

  /** Applies every organization's retention; one organization's failure does not stop the others. */
  async pruneAll(onError: (err: unknown) => void): Promise<void> {
    for (const { id } of await this.storage.listAllOrgKeys()) {
      try {
        await this.prune(id);
      } catch (err) {
        onError(err);
      }
    }
  }
}

function prunedEvent(p: PrunedEnvironment, time: string, retention: { days: number; minVersions: number }): AuditInput {
  return {
    time,
    actorType: 'system',
    actorId: null,
    actorName: 'retention',
    action: 'secret.history_pruned',
    environment: p.environment,
    workspace: p.workspace,
    keys: prunedKeys(p),
    outcome: 'allowed',
    ip: '',
    userAgent: null,
    details: {
      ...(p.versions.length > 0 && { pruned: p.versions }),
      ...(p.deleted.length > 0 && { prunedDeleted: p.deleted }),
      retention,
    },
  };
}

/**
 * Prunes every organization's history when the server is ready and then every `intervalMs`, one run at
 * a time; returns the function that stops it (waiting for a run in progress).
 */
export function schedulePruning(service: HistoryRetentionService, intervalMs: number, onError: (err: unknown) => void): { start(): void; stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = service
      .pruneAll(onError)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  return {
    start() {
      if (timer || stopped) return;
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
