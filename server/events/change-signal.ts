// Wakes live event streams when an environment's changes commit. The SQLite storage raises it after its
// own commits (one process owns the database); a storage shared by several instances raises it from
// its database's notifications instead (PostgreSQL LISTEN/NOTIFY with the environment id as payload).
// A wake carries no data, so a lost or doubled one costs nothing: listeners read the change table.

export class ChangeSignal {
  readonly #listeners = new Map<string, Set<() => void>>();

  watch(environmentId: string, wake: () => void): () => void {
    let set = this.#listeners.get(environmentId);
    if (!set) this.#listeners.set(environmentId, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0 && this.#listeners.get(environmentId) === set) this.#listeners.delete(environmentId);
    };
  }

  /** Wakes every listener (their storage may have missed notifications, e.g. after a reconnect). */
  raiseAll(): void {
    for (const id of [...this.#listeners.keys()]) this.raise(id);
  }

  raise(environmentId: string): void {
    const set = this.#listeners.get(environmentId);
    if (!set) return;
    for (const wake of [...set]) {
      try {
        wake();
      } catch {
        // one listener's failure must not keep the others asleep
      }
    }
  }
}
