// The request thread's side of the audit worker: hands events over and resolves each caller's promise
// when the worker reports the commit that holds its event (or rejects it when that commit failed).
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { AuditWriteError, type AuditInput } from '../types.ts';
import type { AuditValues, FromWorker, ToWorker } from './audit-worker.ts';

export class AuditCommitter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextSeq = 1;
  private closed: Promise<void> | null = null;
  /** Events of this event-loop turn, handed over in one message. */
  private outgoing: { seq: number; values: AuditValues }[] = [];
  private dead: Error | null = null;
  /** Appends not yet committed (or failed), so a reader can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(file: string) {
    this.worker = new Worker(new URL('./audit-worker.ts', import.meta.url), { workerData: { file } });
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => this.failAll(new AuditWriteError(`audit worker failed: ${err.message}`)));
    this.worker.on('exit', () => this.failAll(new AuditWriteError('audit worker exited')));
  }

  append(orgId: string, e: AuditInput): Promise<void> {
    if (this.dead || this.closed) return Promise.reject(this.dead ?? new AuditWriteError('audit is closed'));
    const seq = this.nextSeq++;
    const appended = new Promise<void>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      const values: AuditValues = [randomUUID(), orgId, e.time, e.actorType, e.actorId, e.actorName, e.action, e.environment, JSON.stringify(e.keys), e.outcome, e.ip, e.userAgent, e.repeatKey ?? null, e.details ? JSON.stringify(e.details) : null, e.workspace ?? null];
      if (this.outgoing.push({ seq, values }) === 1) setImmediate(() => this.handOver());
    });
    this.inFlight.add(appended);
    const settle = () => this.inFlight.delete(appended);
    appended.then(settle, settle);
    return appended;
  }

  /** Resolves once every event appended so far is committed or has failed. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private handOver(): void {
    const events = this.outgoing;
    this.outgoing = [];
    if (events.length > 0 && !this.dead) this.worker.postMessage({ type: 'append', events } satisfies ToWorker);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'closed') return;
    const failure = msg.type === 'failed' ? new AuditWriteError(`audit event could not be written: ${msg.message}`) : null;
    for (const seq of msg.seqs) {
      const w = this.waiting.get(seq);
      if (!w) continue;
      this.waiting.delete(seq);
      if (failure) w.reject(failure);
      else w.resolve();
    }
  }

  private failAll(err: AuditWriteError): void {
    this.dead = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Commits what is queued, then stops the worker. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.dead) return resolve();
      this.handOver();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    });
    return this.closed;
  }
}
