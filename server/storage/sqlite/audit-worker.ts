// A worker thread that owns its own connection and group-commits audit events recorded on their own
// (reveals, denials). An fsync under synchronous=FULL blocks the thread that issues it; doing it here
// keeps the request thread serving while the disk works, and every event that arrives meanwhile joins
// the next commit. Each caller is answered only after the transaction holding its event committed.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

export type AuditValues = [
  id: string,
  orgId: string,
  time: string,
  actorType: string,
  actorId: string | null,
  actorName: string | null,
  action: string,
  environment: string | null,
  keys: string,
  outcome: string,
  ip: string,
  userAgent: string | null,
  repeatKey: string | null,
  details: string | null,
  workspace: string | null,
];

export type ToWorker = { type: 'append'; events: { seq: number; values: AuditValues }[] } | { type: 'close' };
export type FromWorker = { type: 'committed'; seqs: number[] } | { type: 'failed'; seqs: number[]; message: string } | { type: 'closed' };

const port = parentPort!;
const db = new DatabaseSync((workerData as { file: string }).file);
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA busy_timeout = 10000');
const insert = db.prepare(`INSERT INTO audit_events (id, org_id, time, actor_type, actor_id, actor_name, action, environment, keys, outcome, ip, user_agent, repeat_key, details, workspace)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (org_id, repeat_key) WHERE repeat_key IS NOT NULL DO UPDATE SET count = count + 1`);

let pending: { seq: number; values: AuditValues }[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  const seqs = batch.map((b) => b.seq);
  try {
    db.exec('BEGIN IMMEDIATE');
    for (const b of batch) insert.run(...b.values);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    port.postMessage({ type: 'failed', seqs, message: (err as Error).message } satisfies FromWorker);
    return;
  }
  port.postMessage({ type: 'committed', seqs } satisfies FromWorker);
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'append') {
    for (const e of msg.events) pending.push(e);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    return;
  }
  flush();
  db.close();
  port.postMessage({ type: 'closed' } satisfies FromWorker);
  port.close();
});
