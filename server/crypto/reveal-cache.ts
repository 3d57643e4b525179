// Decrypted values of recently revealed environments, so the CI hot path (bulk reveal of a whole
// environment) does not re-read and re-open every row on every request. Entries live in this
// process's memory only (which already holds the data keys that open every value) and expire after a
// short TTL. Each entry carries the environment's revision it was read at (storage bumps the revision
// in the transaction of every create, update and delete), and a caller serves it only when the
// revision it has just read from storage is the same: a change committed by this or any other server
// instance makes the entry unusable at once, so a stale value is never served. Authorization and the
// audit event still happen per request; the cache only replaces read + decrypt.
import type { RevealedSecret } from '../../core/api-types.ts';

const TTL_MS = 30_000;
const MAX_ENVIRONMENTS = 256;

export interface RevealCacheEntry {
  revision: number;
  expires: number;
  secrets: RevealedSecret[];
  byKey: Map<string, RevealedSecret>;
  /** The whole-environment reveal response, encoded once on first use instead of on every request. */
  response?: Buffer;
}

export class RevealCache {
  private readonly entries = new Map<string, RevealCacheEntry>();
  /** Off (SECRETS_REVEAL_CACHE=off): every reveal reads and decrypts, to measure that path or to rule the cache out. */
  private readonly enabled: boolean;

  constructor(options: { enabled?: boolean } = {}) {
    this.enabled = options.enabled ?? true;
  }

  /** The entry read at `revision` (the environment's current one, just read), if there is one. */
  get(environmentId: string, revision: number): RevealCacheEntry | undefined {
    const entry = this.entries.get(environmentId);
    if (!entry) return undefined;
    if (entry.revision !== revision || entry.expires <= Date.now()) {
      this.entries.delete(environmentId);
      return undefined;
    }
    return entry;
  }

  /** Remembers every secret of the environment as read, together with the revision they were read at. */
  fill(environmentId: string, revision: number, secrets: RevealedSecret[]): void {
    if (!this.enabled) return;
    const present = this.entries.get(environmentId);
    if (present && present.revision > revision) return;
    if (!present && this.entries.size >= MAX_ENVIRONMENTS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(environmentId, { revision, expires: Date.now() + TTL_MS, secrets, byKey: new Map(secrets.map((s) => [s.key, s])) });
  }

  /** Frees the memory of an environment that changed (correctness does not depend on it: revisions do). */
  invalidate(environmentId: string): void {
    this.entries.delete(environmentId);
  }

  clear(): void {
    this.entries.clear();
  }
}
