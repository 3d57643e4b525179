// The statements that insert audit events on PostgreSQL, for a transaction's events or a group commit
// (audit-batcher.ts). Each statement first adds its number of events to the organization's counter row
// (audit_counters) and numbers its events (org_seq) from it. The counter row stays locked until the
// transaction ends, so an organization's numbers follow commit order: whoever reads event n has every
// event before n committed, and `after=` (listAuditAfter) can never pass one that commits later. The
// lock is taken as late as possible (a transaction's events are written just before its COMMIT), so a
// long transaction holds it only for its last statements, and one statement per organization and batch
// takes it for a whole group commit.

/**
 * Columns of an audit row, in the order auditValues gives them; the last one is the repeat key (or
 * null). Events with a repeat key go one per statement: a repeat adds to the first one's count.
 */
export const AUDIT_COLUMNS = ['id', 'org_id', 'time', 'actor_type', 'actor_id', 'actor_name', 'action', 'environment', 'keys', 'outcome', 'ip', 'user_agent', 'details', 'workspace', 'repeat_key'];
const ORG = AUDIT_COLUMNS.indexOf('org_id');
const REPEAT = AUDIT_COLUMNS.indexOf('repeat_key');
const PLAIN = AUDIT_COLUMNS.slice(0, REPEAT);

/** Takes $1 numbers from organization $2's counter; `counter.seq` is the last of them. */
const COUNTER = `WITH counter AS (
    INSERT INTO audit_counters AS c (org_id, seq) VALUES ($2, $1::bigint)
    ON CONFLICT (org_id) DO UPDATE SET seq = c.seq + EXCLUDED.seq
    RETURNING c.seq
  )`;

/** Events without a repeat key, one organization's, in their order ($3… one text array per column). */
const MANY = `${COUNTER}
  INSERT INTO audit_events (${PLAIN.join(', ')}, org_seq)
  SELECT ${PLAIN.map((_, i) => `t.c${i}`).join(', ')}, counter.seq - $1::bigint + t.n
  FROM unnest(${PLAIN.map((_, i) => `$${i + 3}::text[]`).join(', ')}) WITH ORDINALITY AS t(${PLAIN.map((_, i) => `c${i}`).join(', ')}, n), counter
  ORDER BY t.n`;

/** One event with a repeat key ($3… its values); a repeat within the window only counts (its number is unused). */
const ONE = `${COUNTER}
  INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}, org_seq)
  SELECT ${AUDIT_COLUMNS.map((_, i) => `$${i + 3}::text`).join(', ')}, counter.seq FROM counter
  ON CONFLICT (org_id, repeat_key) WHERE repeat_key IS NOT NULL DO UPDATE SET count = audit_events.count + 1`;

export interface AuditStatement {
  text: string;
  values: unknown[];
}

/**
 * The statements for `rows` (auditValues arrays), to run in order in one transaction: organizations
 * in a fixed order (so two transactions never wait on each other's counters), each organization's
 * events in the order given, each run of events without a repeat key as one statement.
 */
export function auditStatements(rows: readonly (readonly unknown[])[]): AuditStatement[] {
  const byOrg = new Map<string, (readonly unknown[])[]>();
  for (const row of rows) {
    const org = row[ORG] as string;
    let list = byOrg.get(org);
    if (!list) byOrg.set(org, (list = []));
    list.push(row);
  }
  const out: AuditStatement[] = [];
  for (const org of [...byOrg.keys()].sort()) {
    let run: (readonly unknown[])[] = [];
    const flushRun = () => {
      if (run.length === 0) return;
      out.push({ text: MANY, values: [run.length, org, ...PLAIN.map((_, i) => run.map((v) => v[i]))] });
      run = [];
    };
    for (const row of byOrg.get(org)!) {
      if (row[REPEAT] === null) run.push(row);
      else {
        flushRun();
        out.push({ text: ONE, values: [1, org, ...row] });
      }
    }
    flushRun();
  }
  return out;
}
