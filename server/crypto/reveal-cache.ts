// Decrypted values of recently revealed environments, so the CI hot path (bulk reveal of a whole
// environment) does not re-read and re-open every row on every request. Entries live in this
// process's memory only (which already holds the data keys that open every value), expire after a
// short TTL, and are dropped by a generation bump on every change to the environment. Authorization
// and the audit event still happen per request; the cache only replaces read + decrypt.
import type { RevealedSecret } from '../../core/api-types.ts';

const TTL_MS = 30_000;
const MAX_ENVIRONMENTS = 256;

interface Entry {
  generation: number;
  expires: number;
  secrets: RevealedSecret[];
  byKey: Map<string, RevealedSecret>;
  /** The whole-environment reveal response, encoded once on first use instead of on every request. */
  response?: Buffer;
}

export class RevealCache {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();

  /** Capture before reading, pass to `fill` after: a change in between keeps the read out. */
  generation(environmentId: string): number {
    return this.generations.get(environmentId) ?? 0;
  }

  get(environmentId: string): Entry | undefined {
    const entry = this.entries.get(environmentId);
    if (!entry) return undefined;
    if (entry.generation !== this.generation(environmentId) || entry.expires <= Date.now()) {
      this.entries.delete(environmentId);
      return undefined;
    }
    return entry;
  }

  fill(environmentId: string, generation: number, secrets: RevealedSecret[]): void {
    if (generation !== this.generation(environmentId)) return;
    if (this.entries.size >= MAX_ENVIRONMENTS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(environmentId, {
      generation,
      expires: Date.now() + TTL_MS,
      secrets,
      byKey: new Map(secrets.map((s) => [s.key, s])),
    });
  }

  /** Called before every create, update or delete in the environment and again once it settled. */
  invalidate(environmentId: string): void {
    this.generations.set(environmentId, this.generation(environmentId) + 1);
    this.entries.delete(environmentId);
  }
}
