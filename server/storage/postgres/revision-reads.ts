// Environment revisions for the reveal path, read together. Every reveal asks PostgreSQL for its
// environment's revision (a value may only come from the reveal cache if nothing changed since it was
// filled), and under load those reads are most of the database round trips: one per request. Reads
// asked for while none is running go out at once; reads asked for while one is running wait for it to
// return and then go out together, as one statement. A read never joins a statement already sent:
// that statement's snapshot may predate a write acknowledged before the read was asked for, and a
// reveal must never serve a value older than the last acknowledged write.

export interface RevisionOf {
  orgId: string;
  environmentId: string;
}

/** Reads the revisions of the given environments in one statement: environment id → its organization and revision (absent when gone). */
export type ReadRevisions = (environments: RevisionOf[]) => Promise<Map<string, { orgId: string; revision: number }>>;

interface Waiting extends RevisionOf {
  waiters: { resolve: (revision: number) => void; reject: (err: unknown) => void }[];
}

export class RevisionReads {
  private readonly readAll: ReadRevisions;
  private next = new Map<string, Waiting>();
  private running = false;

  constructor(readAll: ReadRevisions) {
    this.readAll = readAll;
  }

  /** The environment's revision as of a moment after this call (0 for an environment that is gone). */
  read(orgId: string, environmentId: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const key = `${orgId}\0${environmentId}`;
      let waiting = this.next.get(key);
      if (!waiting) this.next.set(key, (waiting = { orgId, environmentId, waiters: [] }));
      waiting.waiters.push({ resolve, reject });
      if (!this.running) this.send();
    });
  }

  private send(): void {
    if (this.next.size === 0) return;
    const batch = [...this.next.values()];
    this.next = new Map();
    this.running = true;
    this.readAll(batch.map(({ orgId, environmentId }) => ({ orgId, environmentId }))).then(
      (found) => {
        for (const w of batch) {
          const row = found.get(w.environmentId);
          const revision = row && row.orgId === w.orgId ? row.revision : 0;
          for (const { resolve } of w.waiters) resolve(revision);
        }
      },
      (err: unknown) => {
        for (const w of batch) for (const { reject } of w.waiters) reject(err);
      },
    ).finally(() => {
      this.running = false;
      this.send();
    });
  }
}
