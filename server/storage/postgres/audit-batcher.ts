// Audit events recorded on their own (reveals, denials) on PostgreSQL: group-committed, like the
// SQLite worker does it. Events appended while a commit is under way wait for it, then go together in
// the next transaction on one connection (one WAL flush for all of them), in the order they were
// appended; runs of an organization's events without a repeat key go in one multi-row INSERT, which
// also takes their numbers from the organization's counter (audit-insert.ts). Each caller is answered
// only once the transaction holding its event has committed.
import type pg from 'pg';
import { AuditWriteError } from '../types.ts';
import { auditStatements } from './audit-insert.ts';

interface Pending {
  values: unknown[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AuditBatcher {
  private readonly pool: pg.Pool;
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** The last event appended, settled either way: batches commit in order, so all before it are too. */
  private last: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  append(values: unknown[]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ values, resolve, reject }));
    this.running ??= this.drain();
    this.last = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every event appended so far is committed or has failed. */
  settled(): Promise<void> {
    return this.last;
  }

  private async drain(): Promise<void> {
    // Let the events of this event-loop turn join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.commit(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        const failure = new AuditWriteError(`audit event could not be written: ${(err as Error).message}`);
        for (const p of batch) p.reject(failure);
      }
    }
    this.running = null;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const statements = auditStatements(batch.map((p) => p.values));
    if (statements.length === 1) {
      // One statement is its own transaction: committed (and flushed) before the query returns.
      await this.pool.query(statements[0]!.text, statements[0]!.values);
      return;
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const st of statements) await client.query(st.text, st.values);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
