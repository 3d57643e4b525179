// Audit events recorded on their own (reveals, denials) on PostgreSQL: group-committed, like the
// SQLite worker does it. Events appended while a commit is under way wait for it, then go together in
// the next transaction on one connection (one WAL flush for all of them), in the order they were
// appended; runs of events without a repeat key go in one multi-row INSERT. Each caller is answered
// only once the transaction holding its event has committed.
import type pg from 'pg';
import { AuditWriteError } from '../types.ts';

/** Columns of an audit row as AuditBatcher receives them; the last one is the repeat key (or null). */
const COLUMNS = ['id', 'org_id', 'time', 'actor_type', 'actor_id', 'actor_name', 'action', 'environment', 'keys', 'outcome', 'ip', 'user_agent', 'details', 'workspace'];
const MULTI_ROW = `INSERT INTO audit_events (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.map((_, i) => `c${i}`).join(', ')}
  FROM unnest(${COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')}) WITH ORDINALITY AS t(${COLUMNS.map((_, i) => `c${i}`).join(', ')}, n)
  ORDER BY n`;

interface Pending {
  values: unknown[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AuditBatcher {
  private readonly pool: pg.Pool;
  private readonly sql: string;
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** The last event appended, settled either way: batches commit in order, so all before it are too. */
  private last: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, sql: string) {
    this.pool = pool;
    this.sql = sql;
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

  /** The statements for a batch, in order: each run of plain events as one, each repeat-keyed one alone. */
  private statements(batch: Pending[]): { text: string; values: unknown[] }[] {
    const out: { text: string; values: unknown[] }[] = [];
    let run: unknown[][] = [];
    const flushRun = () => {
      if (run.length === 0) return;
      out.push({ text: MULTI_ROW, values: COLUMNS.map((_, i) => run.map((v) => v[i])) });
      run = [];
    };
    for (const p of batch) {
      if (p.values[COLUMNS.length] === null) run.push(p.values);
      else {
        flushRun();
        out.push({ text: this.sql, values: p.values });
      }
    }
    flushRun();
    return out;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const statements = this.statements(batch);
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
