// The Storage interface on PostgreSQL (node-postgres), for one or many server instances on one
// database. Every change is one transaction whose check-then-act rule is decided by the database: the
// expected version is part of the UPDATE's WHERE (a concurrent writer's row lock makes the second
// one re-check and fail), the last-Owner rule runs under a lock on the organization's row, and unique
// indexes report duplicates. Audit events recorded on their own (reveals, denials) are group-committed
// (audit-batcher.ts) and a caller is answered only after the commit holding its event; a change's audit
// events are written in its transaction just before COMMIT. Either way an organization's events are
// numbered in commit order (audit-insert.ts), which is the order the trail is read in.
//
// Rows that every request needs (tokens, users, organizations, environments) are cached in this
// process; another instance's revocation or rotation reaches it by LISTEN/NOTIFY (cache-listener.ts).
// While that channel is down, the caches are bypassed, so a missed notification cannot leave a revoked
// token usable.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AuditDetails, ClaimConditions, Role, SecretScope, WorkflowContext } from '../../../core/api-types.ts';
import { ChangeSignal } from '../../events/change-signal.ts';
import {
  AuditWriteError,
  BatchWriteError,
  DuplicateError,
  LastOwnerError,
  MemberOwnsWorkspacesError,
  OwnerNotMemberError,
  VersionConflictError,
  WorkspaceGoneError,
  WorkspaceInUseError,
  changeActor,
  scopeChangeAudience,
  type AuditFilter,
  type AuditInput,
  type AuditRow,
  type BatchWrite,
  type ChallengeRow,
  type ChangeRow,
  type EnvironmentRow,
  type InvitationRow,
  type OidcPolicyRow,
  type PasskeyRow,
  type PrunedEnvironment,
  type HistoryRetentionRow,
  type SessionRow,
  type MemberRow,
  type NewSecret,
  type OrgRow,
  type SecretMetaRow,
  type SecretRow,
  type SecretUpdate,
  type SecretVersionMetaRow,
  type SecretVersionRow,
  type TimelineRow,
  type Storage,
  type TokenRow,
  type UserRow,
  type WorkspaceRow,
} from '../types.ts';
import { groupPruned, type PrunedRow } from '../pruned-history.ts';
import { effectiveWorkspaceChange } from '../workspace-stream.ts';
import { AuditBatcher } from './audit-batcher.ts';
import { auditStatements } from './audit-insert.ts';
import { CacheListener, CHANGE_EVENTS_CHANNEL, CHANGES_CHANNEL } from './cache-listener.ts';
import { RevisionReads } from './revision-reads.ts';
import { LATEST_PG_MIGRATION, migratePostgres, RUNNING_LOCK_KEY, STARTUP_LOCK_KEY } from './migrations.ts';

const UNIQUE_VIOLATION = '23505';
/** With the organization id's hash: held by the instance pruning that organization's history. */
const HISTORY_PRUNE_LOCK_KEY = 0x5ec7e77;
/**
 * A kept version goes when the version that replaced it (the next one, kept or current) was written
 * before the cutoff and it is not among the newest minVersions; both hold for every older version too,
 * so what goes is each secret's versions up to the newest that qualifies.
 */
const PRUNABLE_VERSIONS = `SELECT v.environment_id AS "environmentId", e.slug AS environment, v.workspace_id AS "workspaceId", v.key,
  max(v.version) AS "upTo" FROM secret_versions v
  JOIN secrets s ON s.org_id = v.org_id AND s.environment_id = v.environment_id AND s.workspace_id = v.workspace_id AND s.key = v.key
  JOIN environments e ON e.id = v.environment_id
  WHERE v.org_id = $1 AND v.version <= s.version - $2 AND coalesce(
    (SELECT n.created_at FROM secret_versions n WHERE n.org_id = v.org_id AND n.environment_id = v.environment_id
      AND n.workspace_id = v.workspace_id AND n.key = v.key AND n.version = v.version + 1),
    CASE WHEN s.version = v.version + 1 THEN s.updated_at END) COLLATE "C" < $3
  GROUP BY v.environment_id, e.slug, v.workspace_id, v.key`;
const CACHE_LIMIT = 10_000;
const DEFAULT_CHANGE_BACKLOG = 10_000;

const SECRET_META_COLS = `id, environment_id AS "environmentId", workspace_id AS "workspaceId", workspaces, key, description, version,
  created_at AS "createdAt", created_by AS "createdBy", updated_at AS "updatedAt", updated_by AS "updatedBy"`;
const SECRET_COLS = `${SECRET_META_COLS}, nonce, ciphertext`;
/** Before a secret's rows go: when each of its versions existed, nothing of their values. */
const MARK_DELETED = `INSERT INTO secret_deleted_versions (org_id, environment_id, workspace_id, key, version, created_at, created_by, deleted_at)
  SELECT org_id, environment_id, workspace_id, key, version, updated_at, updated_by, $4 FROM secrets
  WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $5 AND key = $3
  UNION ALL SELECT org_id, environment_id, workspace_id, key, version, created_at, created_by, $4 FROM secret_versions
  WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $5 AND key = $3`;
/**
 * Copies the version an update is about to replace; run in the update's transaction, before it. Two
 * updates from the same version race here: the loser waits for the winner's row, keeps nothing, and
 * then fails the version check of its UPDATE (412), as before versions were kept.
 */
const KEEP_VERSION = `INSERT INTO secret_versions (org_id, environment_id, workspace_id, key, version, description, nonce, ciphertext, created_at, created_by)
           SELECT org_id, environment_id, workspace_id, key, version, description, nonce, ciphertext, updated_at, updated_by FROM secrets
           WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $5 AND key = $3 AND version = $4
           ON CONFLICT DO NOTHING`;
const TOKEN_COLS = `id, kind, hash, name, user_id AS "userId", org_id AS "orgId", environment_id AS "environmentId",
  created_at AS "createdAt", created_by AS "createdBy", expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt",
  oidc_policy_id AS "oidcPolicyId", workflow, workspace_id AS "workspaceId"`;
const POLICY_COLS = `id, name, issuer, audience, environment_id AS "environmentId", claims, ttl_seconds AS "ttlSeconds",
  created_at AS "createdAt", created_by AS "createdBy", updated_at AS "updatedAt", workspace_id AS "workspaceId"`;
const WORKSPACE_COLS = `w.id, w.slug, w.name, w.owner_id AS "ownerId", u.name AS "ownerName", w.created_at AS "createdAt", w.created_by AS "createdBy"`;
const SESSION_COLS = `hash, user_id AS "userId", token_id AS "tokenId", method, created_at AS "createdAt", last_seen_at AS "lastSeenAt",
  expires_at AS "expiresAt"`;
const INVITATION_COLS = `id, org_id AS "orgId", email, role, hash, created_at AS "createdAt", created_by AS "createdBy", expires_at AS "expiresAt",
  accepted_at AS "acceptedAt", accepted_by AS "acceptedBy", revoked_at AS "revokedAt"`;
const PASSKEY_COLS = `id, user_id AS "userId", name, public_key AS "publicKey", counter, transports, created_at AS "createdAt", last_used_at AS "lastUsedAt"`;
const USER_COLS = 'id, name, email, instance_admin AS "instanceAdmin", created_at AS "createdAt"';
const ORG_COLS = 'id, slug, name, wrapped_key AS "wrappedKey", created_at AS "createdAt"';
const ENV_COLS = 'id, slug, name, created_at AS "createdAt"';
const MEMBER_COLS = 'm.user_id AS "userId", u.name, u.email, m.role, m.added_at AS "addedAt"';
const AUDIT_COLS = `org_seq AS seq, id, time, actor_type AS "actorType", actor_id AS "actorId", actor_name AS "actorName", action,
  environment, workspace, keys, outcome, ip, user_agent AS "userAgent", count, details`;

type StoredToken = Omit<TokenRow, 'workflow'> & { workflow: string | null };

function toTokenRow(r: StoredToken): TokenRow {
  return { ...r, workflow: r.workflow === null ? null : (JSON.parse(r.workflow) as WorkflowContext) };
}

type StoredPolicy = Omit<OidcPolicyRow, 'claims'> & { claims: string };

function toPolicyRow(r: StoredPolicy): OidcPolicyRow {
  return { ...r, claims: JSON.parse(r.claims) as ClaimConditions };
}

type RawAuditRow = Omit<AuditRow, 'keys' | 'details'> & { keys: string; details: string | null };

function auditRows(rows: RawAuditRow[]): AuditRow[] {
  return rows.map(({ details, ...r }) => ({
    ...r,
    keys: JSON.parse(r.keys) as string[],
    ...(details !== null && { details: JSON.parse(details) as AuditDetails }),
  }));
}

/** SQL conditions for an audit filter (as sqlite-storage.ts has them), numbered from `first`; values are never interpolated. */
function auditWhere(f: AuditFilter, first: number): { where: string; args: string[] } {
  let where = '';
  const args: string[] = [];
  const arg = (value: string) => {
    args.push(value);
    return `$${first + args.length - 1}`;
  };
  if (f.since !== undefined) where += ` AND time >= ${arg(f.since)}`;
  if (f.until !== undefined) where += ` AND time <= ${arg(f.until)}`;
  if (f.actor !== undefined) {
    const a = arg(f.actor);
    where += ` AND (lower(actor_id) = lower(${a}) OR lower(actor_name) = lower(${a}))`;
  }
  if (f.action !== undefined && f.action.includes('.')) where += ` AND action = ${arg(f.action)}`;
  else if (f.action !== undefined) where += ` AND starts_with(action, ${arg(f.action)} || '.')`;
  if (f.key !== undefined) where += ` AND keys::jsonb ? ${arg(f.key)}`;
  if (f.environment !== undefined) where += ` AND environment = ${arg(f.environment)}`;
  if (f.workspace !== undefined) where += ` AND workspace = ${arg(f.workspace)}`;
  if (f.outcome !== undefined) where += ` AND outcome = ${arg(f.outcome)}`;
  return { where, args };
}

/** BIGINT (seq, revision, count(*)) as a JS number: these stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 20) return (v: string) => Number(v);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === UNIQUE_VIOLATION;
}

function bytes(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function auditValues(orgId: string, e: AuditInput): unknown[] {
  return [
    randomUUID(), orgId, e.time, e.actorType, e.actorId, e.actorName, e.action, e.environment, JSON.stringify(e.keys), e.outcome, e.ip, e.userAgent,
    e.details ? JSON.stringify(e.details) : null,
    e.workspace ?? null,
    e.repeatKey ?? null,
  ];
}

type Queryable = pg.Pool | pg.PoolClient;

export interface PostgresOpenOptions {
  /** Told about each migration this instance applied (another instance may have applied them). */
  onMigrated?: (version: number) => void;
  /** A server shares the database with other servers; a rotation has it to itself. Default: server. */
  holder?: 'server' | 'rotation';
  /** Change events kept per environment (SECRETS_EVENTS_BACKLOG); at least 1. */
  changeBacklog?: number;
}

/** Raised when a rotation would run beside a server on the database, or a server beside a rotation. */
export class DatabaseInUseError extends Error {
  readonly code = 'DATABASE_IN_USE';
}

async function holdRunningLock(url: string, holder: 'server' | 'rotation'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // A lost session drops the lock; the next query on the pool reports the database's state.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const fn = holder === 'server' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const { rows } = await client.query<{ ok: boolean }>(`SELECT ${fn}($1) AS ok`, [RUNNING_LOCK_KEY]);
    if (!rows[0]!.ok) {
      throw new DatabaseInUseError(
        holder === 'server'
          ? 'A master-key rotation is running on this database: start the server once it has finished'
          : 'The database is in use by a running server (or another rotation): stop every server on it before rotating the master key',
      );
    }
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

export class PostgresStorage implements Storage {
  private readonly pool: pg.Pool;
  private readonly listener: CacheListener;
  private readonly revisions = new RevisionReads(async (environments) => {
    const rows = await this.rows<{ id: string; orgId: string; revision: number }>(
      'SELECT id, org_id AS "orgId", revision FROM environments WHERE id = ANY($1::text[])',
      [environments.map((e) => e.environmentId)],
    );
    return new Map(rows.map((r) => [r.id, { orgId: r.orgId, revision: r.revision }]));
  });
  private readonly orgCache = new Map<string, OrgRow>();
  private readonly envCache = new Map<string, EnvironmentRow>();
  private readonly userCache = new Map<string, UserRow>();
  private readonly tokenCache = new Map<string, TokenRow>();
  private readonly audit: AuditBatcher;
  /** Writes not awaited by their requests (last-use times), so a reader can wait for them. */
  private readonly touches = new Set<Promise<void>>();
  private closed = false;

  static async open(url: string, options: PostgresOpenOptions = {}): Promise<PostgresStorage> {
    const pool = new pg.Pool({ connectionString: url, max: 10, types });
    // An idle client's connection error must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        for (const v of await migratePostgres(client)) options.onMigrated?.(v);
      } finally {
        client.release();
      }
      const running = await holdRunningLock(url, options.holder ?? 'server');
      const storage = new PostgresStorage(pool, url, running, Math.max(1, options.changeBacklog ?? DEFAULT_CHANGE_BACKLOG));
      try {
        await storage.listener.ready();
      } catch (err) {
        await storage.listener.close();
        await running.end().catch(() => undefined);
        throw err;
      }
      return storage;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** The session holding RUNNING_LOCK_KEY (shared for a server, exclusive for a rotation). */
  private readonly running: pg.Client;

  private readonly changes = new ChangeSignal();
  private readonly changeBacklog: number;

  private constructor(pool: pg.Pool, url: string, running: pg.Client, changeBacklog: number) {
    this.pool = pool;
    this.running = running;
    this.changeBacklog = changeBacklog;
    this.audit = new AuditBatcher(pool);
    this.listener = new CacheListener(url, types, () => this.clearCaches(), {
      changed: (environmentId) => this.changes.raise(environmentId),
      // Notifications may have been missed while the connection was down: every watcher re-reads.
      reconnected: () => this.changes.raiseAll(),
    });
  }

  private clearCaches(): void {
    this.tokenCache.clear();
    this.orgCache.clear();
    this.envCache.clear();
    this.userCache.clear();
  }

  /** Remembers `value` unless the caches were cleared while it was being read (it may be stale). */
  private remember<T>(cache: Map<string, T>, key: string, value: T, generation: number): void {
    if (!this.listener.trusted(generation)) return;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, value);
  }

  /**
   * Runs `fn` while holding the instance-wide start-up lock (the migrations' advisory lock), so
   * first-start set-up (master-key check, bootstrap) happens once when instances start together.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  // --- plumbing -----------------------------------------------------------------------------------

  private async rows<T>(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<T[]> {
    return (await db.query(sql, params)).rows as T[];
  }

  private async row<T>(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<T | undefined> {
    return (await db.query(sql, params)).rows[0] as T | undefined;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    // Audit events this instance recorded before the change come before its own in the log.
    await this.audit.settled();
    const client = await this.pool.connect();
    const audit: unknown[][] = [];
    this.txAudit.set(client, audit);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      // Written last, just before COMMIT: numbering them locks the organization's audit counter
      // (audit-insert.ts) until the transaction ends, and that should not last a whole import.
      await this.writeAudit(client, audit);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.txAudit.delete(client);
      client.release();
    }
  }

  /** Audit events of each open transaction (by its connection), written when it is about to commit. */
  private readonly txAudit = new WeakMap<pg.PoolClient, unknown[][]>();

  /** Records `e` as part of the transaction on `c` (tx()): it commits with the change, or neither does. */
  private async insertAudit(c: pg.PoolClient, orgId: string, e: AuditInput): Promise<void> {
    const pending = this.txAudit.get(c);
    if (!pending) throw new AuditWriteError('audit event outside a transaction');
    pending.push(auditValues(orgId, e));
  }

  private async writeAudit(c: pg.PoolClient, rows: unknown[][]): Promise<void> {
    try {
      for (const st of auditStatements(rows)) await c.query(st.text, st.values);
    } catch (err) {
      throw new AuditWriteError(`audit event could not be written: ${(err as Error).message}`);
    }
  }

  /** Tells every instance (this one included) to drop cached rows of `what`, once the transaction commits. */
  private async notify(c: pg.PoolClient, what: 'tokens' | 'orgs'): Promise<void> {
    await c.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, what]);
  }

  /**
   * Numbers a change of the environment and records it, inside the change's transaction. The UPDATE
   * takes the environment row's lock until commit, so numbers are handed out in commit order without
   * gaps; the NOTIFY (delivered at commit) wakes the event streams of every instance.
   */
  private async recordChange(
    c: pg.PoolClient,
    orgId: string,
    environmentId: string,
    kind: ChangeRow['kind'],
    key: string,
    version: number,
    actor: string,
    time: string,
    workspaces: string[],
  ): Promise<number> {
    const { seq } = (await this.row<{ seq: number }>('UPDATE environments SET change_seq = change_seq + 1 WHERE org_id = $1 AND id = $2 RETURNING change_seq AS seq', [orgId, environmentId], c))!;
    await c.query('INSERT INTO change_events (environment_id, seq, org_id, kind, key, version, actor, time, workspaces) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      environmentId, seq, orgId, kind, key, version, actor, time, workspaces,
    ]);
    await c.query('SELECT pg_notify($1, $2)', [CHANGE_EVENTS_CHANNEL, environmentId]);
    return seq;
  }

  private async pruneChanges(c: pg.PoolClient, environmentId: string, newest: number): Promise<void> {
    if (newest > this.changeBacklog) await c.query('DELETE FROM change_events WHERE environment_id = $1 AND seq <= $2', [environmentId, newest - this.changeBacklog]);
  }

  // --- users and tokens ---------------------------------------------------------------------------

  async countUsers(): Promise<number> {
    return (await this.row<{ n: number }>('SELECT count(*) AS n FROM users'))!.n;
  }

  async createUser(user: UserRow, firstToken: TokenRow): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('INSERT INTO users (id, name, email, instance_admin, created_at) VALUES ($1, $2, $3, $4, $5)', [user.id, user.name, user.email, user.instanceAdmin, user.createdAt]);
        await this.insertTokenRow(c, firstToken);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('user exists');
      throw err;
    }
  }

  async getUser(userId: string): Promise<UserRow | undefined> {
    const cached = this.userCache.get(userId);
    if (cached) return cached;
    const generation = this.listener.generation();
    const user = await this.row<UserRow>(`SELECT ${USER_COLS} FROM users WHERE id = $1`, [userId]);
    if (user) this.remember(this.userCache, userId, user, generation);
    return user;
  }

  private async insertTokenRow(db: Queryable, t: TokenRow): Promise<void> {
    await db.query(
      `INSERT INTO tokens (id, kind, hash, name, user_id, org_id, environment_id, created_at, created_by, expires_at, oidc_policy_id, workflow, workspace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        t.id, t.kind, bytes(t.hash), t.name, t.userId, t.orgId, t.environmentId, t.createdAt, t.createdBy, t.expiresAt,
        t.oidcPolicyId ?? null, t.workflow ? JSON.stringify(t.workflow) : null, t.workspaceId ?? null,
      ],
    );
  }

  async findTokenByHash(hash: Uint8Array): Promise<TokenRow | undefined> {
    const k = Buffer.from(hash).toString('base64');
    const cached = this.tokenCache.get(k);
    if (cached) return cached;
    const generation = this.listener.generation();
    const stored = await this.row<StoredToken>(`SELECT ${TOKEN_COLS} FROM tokens WHERE hash = $1`, [bytes(hash)]);
    const row = stored && toTokenRow(stored);
    if (row) this.remember(this.tokenCache, k, row, generation);
    return row;
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    const touched = this.pool.query('UPDATE tokens SET last_used_at = $1 WHERE id = $2', [at, tokenId]).then(() => undefined);
    this.touches.add(touched);
    const settle = () => this.touches.delete(touched);
    touched.then(settle, settle);
    await touched;
  }

  private async touchesSettled(): Promise<void> {
    await Promise.allSettled([...this.touches]);
  }

  async createPersonalToken(token: TokenRow): Promise<void> {
    await this.insertTokenRow(this.pool, token);
  }

  async listPersonalTokens(userId: string): Promise<TokenRow[]> {
    await this.touchesSettled();
    return (await this.rows<StoredToken>(`SELECT ${TOKEN_COLS} FROM tokens WHERE kind = 'personal' AND user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`, [userId])).map(toTokenRow);
  }

  async revokePersonalToken(userId: string, tokenId: string, at: string): Promise<boolean> {
    const revoked = await this.tx(async (c) => {
      const r = await c.query(`UPDATE tokens SET revoked_at = $1 WHERE kind = 'personal' AND user_id = $2 AND id = $3 AND revoked_at IS NULL`, [at, userId, tokenId]);
      if (r.rowCount === 1) await this.notify(c, 'tokens');
      return r.rowCount === 1;
    });
    // This instance stops honouring the token before answering, whatever the notification's timing.
    this.tokenCache.clear();
    return revoked;
  }

  // --- organizations ------------------------------------------------------------------------------

  async createOrg(org: OrgRow, ownerId: string, environments: EnvironmentRow[], audit: AuditInput): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('INSERT INTO orgs (id, slug, name, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5)', [org.id, org.slug, org.name, bytes(org.wrappedKey), org.createdAt]);
        await c.query(`INSERT INTO memberships (org_id, user_id, role, added_at) VALUES ($1, $2, 'owner', $3)`, [org.id, ownerId, org.createdAt]);
        for (const env of environments) {
          await c.query('INSERT INTO environments (id, org_id, slug, name, created_at) VALUES ($1, $2, $3, $4, $5)', [env.id, org.id, env.slug, env.name, env.createdAt]);
        }
        await this.insertAudit(c, org.id, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('org exists');
      throw err;
    }
  }

  async getOrgBySlug(slug: string): Promise<OrgRow | undefined> {
    const cached = this.orgCache.get(slug);
    if (cached) return cached;
    const generation = this.listener.generation();
    const row = await this.row<OrgRow>(`SELECT ${ORG_COLS} FROM orgs WHERE slug = $1`, [slug]);
    if (row) this.remember(this.orgCache, slug, row, generation);
    return row;
  }

  async getOrgById(orgId: string): Promise<OrgRow | undefined> {
    return this.row<OrgRow>(`SELECT ${ORG_COLS} FROM orgs WHERE id = $1`, [orgId]);
  }

  async listOrgsForUser(userId: string): Promise<(OrgRow & { role: Role })[]> {
    return this.rows(
      `SELECT o.id, o.slug, o.name, o.wrapped_key AS "wrappedKey", o.created_at AS "createdAt", m.role
       FROM orgs o JOIN memberships m ON m.org_id = o.id WHERE m.user_id = $1 ORDER BY o.slug COLLATE "C"`,
      [userId],
    );
  }

  async listAllOrgKeys(): Promise<{ id: string; wrappedKey: Uint8Array }[]> {
    return this.rows('SELECT id, wrapped_key AS "wrappedKey" FROM orgs ORDER BY id COLLATE "C"');
  }

  async rewrapKeys(orgKeys: { id: string; wrappedKey: Uint8Array }[], masterCheck: Uint8Array): Promise<void> {
    await this.tx(async (c) => {
      for (const k of orgKeys) {
        const r = await c.query('UPDATE orgs SET wrapped_key = $1 WHERE id = $2', [bytes(k.wrappedKey), k.id]);
        if (r.rowCount !== 1) throw new Error(`organization ${k.id} vanished during rotation`);
      }
      await c.query(`INSERT INTO meta (name, value) VALUES ('master_key_check', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [bytes(masterCheck)]);
      await this.notify(c, 'orgs');
    });
    this.orgCache.clear();
  }

  async getMasterCheck(): Promise<Uint8Array | undefined> {
    return (await this.row<{ value: Buffer }>(`SELECT value FROM meta WHERE name = 'master_key_check'`))?.value;
  }

  /** Sets the check only where none exists: instances starting together keep the first one's. */
  async setMasterCheck(check: Uint8Array): Promise<void> {
    await this.pool.query(`INSERT INTO meta (name, value) VALUES ('master_key_check', $1) ON CONFLICT (name) DO NOTHING`, [bytes(check)]);
  }

  // --- members ------------------------------------------------------------------------------------

  async getMember(orgId: string, userId: string): Promise<MemberRow | undefined> {
    return this.row<MemberRow>(`SELECT ${MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2`, [orgId, userId]);
  }

  async listMembers(orgId: string): Promise<MemberRow[]> {
    return this.rows<MemberRow>(
      `SELECT ${MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY m.added_at, u.name COLLATE "C"`,
      [orgId],
    );
  }

  async countOwners(orgId: string): Promise<number> {
    return (await this.row<{ n: number }>(`SELECT count(*) AS n FROM memberships WHERE org_id = $1 AND role = 'owner'`, [orgId]))!.n;
  }

  /**
   * Inside the transaction: locks the organization's row, so membership changes of one organization
   * run one after another on every instance, then refuses to take the Owner role from the last Owner.
   */
  private async keepAnOwner(c: pg.PoolClient, orgId: string, userId: string): Promise<void> {
    await c.query('SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE', [orgId]);
    const member = await this.row<{ role: Role }>('SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId], c);
    if (member?.role !== 'owner') return;
    const owners = (await this.row<{ n: number }>(`SELECT count(*) AS n FROM memberships WHERE org_id = $1 AND role = 'owner'`, [orgId], c))!.n;
    if (owners <= 1) throw new LastOwnerError('last owner');
  }

  async putMember(orgId: string, userId: string, role: Role, at: string, audit: AuditInput): Promise<void> {
    await this.tx(async (c) => {
      if (role !== 'owner') await this.keepAnOwner(c, orgId, userId);
      else await c.query('SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE', [orgId]);
      await c.query(
        `INSERT INTO memberships (org_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
        [orgId, userId, role, at],
      );
      await this.insertAudit(c, orgId, audit);
    });
  }

  async removeMember(orgId: string, userId: string, audit: AuditInput): Promise<boolean> {
    return this.tx(async (c) => {
      await this.keepAnOwner(c, orgId, userId);
      // Read after the organization row is locked (keepAnOwner), like the Owner count.
      const owned = await this.rows<{ slug: string }>('SELECT slug FROM workspaces WHERE org_id = $1 AND owner_id = $2 ORDER BY slug COLLATE "C"', [orgId, userId], c);
      if (owned.length > 0) throw new MemberOwnsWorkspacesError(owned.map((w) => w.slug));
      const r = await c.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
      if (r.rowCount !== 1) return false;
      await this.insertAudit(c, orgId, audit);
      return true;
    });
  }

  // --- environments -------------------------------------------------------------------------------

  async listEnvironments(orgId: string): Promise<EnvironmentRow[]> {
    return this.rows<EnvironmentRow>(`SELECT ${ENV_COLS} FROM environments WHERE org_id = $1 ORDER BY created_at, slug COLLATE "C"`, [orgId]);
  }

  async getEnvironment(orgId: string, slug: string): Promise<EnvironmentRow | undefined> {
    const k = `${orgId}/${slug}`;
    const cached = this.envCache.get(k);
    if (cached) return cached;
    const generation = this.listener.generation();
    const row = await this.row<EnvironmentRow>(`SELECT ${ENV_COLS} FROM environments WHERE org_id = $1 AND slug = $2`, [orgId, slug]);
    if (row) this.remember(this.envCache, k, row, generation);
    return row;
  }

  async getEnvironmentById(orgId: string, environmentId: string): Promise<EnvironmentRow | undefined> {
    return this.row<EnvironmentRow>(`SELECT ${ENV_COLS} FROM environments WHERE org_id = $1 AND id = $2`, [orgId, environmentId]);
  }

  async createEnvironment(orgId: string, env: EnvironmentRow, audit: AuditInput): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('INSERT INTO environments (id, org_id, slug, name, created_at) VALUES ($1, $2, $3, $4, $5)', [env.id, orgId, env.slug, env.name, env.createdAt]);
        await this.insertAudit(c, orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('environment exists');
      throw err;
    }
  }

  // --- secrets ------------------------------------------------------------------------------------

  async listSecrets(orgId: string, environmentId: string, search?: string, workspaceId = ''): Promise<SecretMetaRow[]> {
    const base = `SELECT ${SECRET_META_COLS} FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3`;
    // ASCII only, as keys are: 'ſ' must not find every key with an S.
    if (search) return this.rows<SecretMetaRow>(`${base} AND strpos(key, $4) > 0 ORDER BY key`, [orgId, environmentId, workspaceId, search.replace(/[a-z]+/g, (s) => s.toUpperCase())]);
    return this.rows<SecretMetaRow>(`${base} ORDER BY key`, [orgId, environmentId, workspaceId]);
  }

  async getSecret(orgId: string, environmentId: string, key: string, workspaceId = ''): Promise<SecretRow | undefined> {
    return this.secretRow(this.pool, orgId, environmentId, workspaceId, key);
  }

  private secretRow(db: Queryable, orgId: string, environmentId: string, workspaceId: string, key: string): Promise<SecretRow | undefined> {
    return this.row<SecretRow>(`SELECT ${SECRET_COLS} FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3 AND key = $4`, [orgId, environmentId, workspaceId, key], db);
  }

  async environmentRevision(orgId: string, environmentId: string): Promise<number> {
    return this.revisions.read(orgId, environmentId);
  }

  async getSecretsForReveal(orgId: string, environmentId: string, keys?: string[], workspaceId = ''): Promise<{ revision: number; rows: SecretRow[] }> {
    // One statement, one snapshot: the rows are exactly those of the revision read beside them.
    const named = keys ? 'AND s.key = ANY($4::text[])' : '';
    const result = await this.rows<SecretRow & { revision: number; present: boolean }>(
      `SELECT e.revision, s.id IS NOT NULL AS present, s.id, s.environment_id AS "environmentId", s.workspace_id AS "workspaceId", s.workspaces, s.key, s.description, s.version,
         s.created_at AS "createdAt", s.created_by AS "createdBy", s.updated_at AS "updatedAt", s.updated_by AS "updatedBy", s.nonce, s.ciphertext
       FROM environments e LEFT JOIN secrets s ON s.org_id = e.org_id AND s.environment_id = e.id AND s.workspace_id = $3 ${named}
       WHERE e.org_id = $1 AND e.id = $2 ORDER BY s.key`,
      keys ? [orgId, environmentId, workspaceId, keys] : [orgId, environmentId, workspaceId],
    );
    const revision = result[0]?.revision ?? 0;
    const rows: SecretRow[] = [];
    for (const r of result) {
      if (!r.present) continue;
      const { revision: _r, present: _p, ...row } = r;
      rows.push(row);
    }
    return { revision, rows };
  }

  private async bumpRevision(c: pg.PoolClient, orgId: string, environmentId: string): Promise<void> {
    await c.query('UPDATE environments SET revision = revision + 1 WHERE org_id = $1 AND id = $2', [orgId, environmentId]);
  }

  /**
   * Live event streams are the organization's environments' (change_events has no workspace): a
   * workspace secret's change is not recorded there.
   */
  private async recordSecretChange(
    c: pg.PoolClient,
    orgId: string,
    environmentId: string,
    workspaceId: string,
    kind: ChangeRow['kind'],
    key: string,
    version: number,
    actor: string,
    time: string,
    workspaces: string[],
  ): Promise<void> {
    if (workspaceId !== '') {
      // The environment row before the stream's, as an organization change takes them (a batch may not have it yet).
      await this.bumpRevision(c, orgId, environmentId);
      // Read after the environment row's lock: an organization change of this key committed first is seen.
      const hidden = await this.secretRow(c, orgId, environmentId, '', key);
      const available = hidden && (hidden.workspaces.length === 0 || (await this.row('SELECT 1 FROM workspaces WHERE org_id = $1 AND id = $2 AND slug = ANY($3::text[])', [orgId, workspaceId, hidden.workspaces], c)));
      const e = effectiveWorkspaceChange(kind, version, available ? hidden : undefined);
      await this.recordWorkspaceChange(c, orgId, environmentId, workspaceId, e.scope, e.kind, key, e.version, actor, time);
      return;
    }
    await this.pruneChanges(c, environmentId, await this.recordChange(c, orgId, environmentId, kind, key, version, actor, time, workspaces));
    // Every workspace that may use it sees it in its own stream (the environment row, locked first by every write, orders them),
    // except one that overrides the key: its effective set does not change.
    const all = await this.rows<{ id: string; slug: string }>(
      `SELECT w.id, w.slug FROM workspaces w WHERE w.org_id = $1
         AND NOT EXISTS (SELECT 1 FROM secrets s WHERE s.org_id = $1 AND s.environment_id = $2 AND s.workspace_id = w.id AND s.key = $3)
       ORDER BY w.id`,
      [orgId, environmentId, key],
      c,
    );
    for (const w of all) {
      if (workspaces.length === 0 || workspaces.includes(w.slug)) await this.recordWorkspaceChange(c, orgId, environmentId, w.id, 'organization', kind, key, version, actor, time);
    }
  }

  private async recordWorkspaceChange(
    c: pg.PoolClient,
    orgId: string,
    environmentId: string,
    workspaceId: string,
    scope: SecretScope,
    kind: ChangeRow['kind'],
    key: string,
    version: number,
    actor: string,
    time: string,
  ): Promise<void> {
    // The stream's row stays locked until commit: numbers follow commit order without gaps.
    const { seq } = (await this.row<{ seq: number }>(
      `INSERT INTO workspace_streams (environment_id, workspace_id, change_seq) VALUES ($1, $2, 1)
       ON CONFLICT (environment_id, workspace_id) DO UPDATE SET change_seq = workspace_streams.change_seq + 1 RETURNING change_seq AS seq`,
      [environmentId, workspaceId],
      c,
    ))!;
    await c.query(
      'INSERT INTO workspace_change_events (environment_id, workspace_id, seq, org_id, kind, key, version, actor, time, scope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [environmentId, workspaceId, seq, orgId, kind, key, version, actor, time, scope],
    );
    if (seq > this.changeBacklog) await c.query('DELETE FROM workspace_change_events WHERE environment_id = $1 AND workspace_id = $2 AND seq <= $3', [environmentId, workspaceId, seq - this.changeBacklog]);
    await c.query('SELECT pg_notify($1, $2)', [CHANGE_EVENTS_CHANNEL, environmentId]);
  }

  private async insertSecretRow(c: pg.PoolClient, orgId: string, environmentId: string, workspaceId: string, n: NewSecret): Promise<void> {
    // Holds the workspace row until commit: a concurrent deletion waits (then deletes this secret too), or went first and this fails.
    if (workspaceId !== '' && !(await this.row('SELECT 1 FROM workspaces WHERE org_id = $1 AND id = $2 FOR SHARE', [orgId, workspaceId], c))) {
      throw new WorkspaceGoneError('workspace deleted');
    }
    await c.query(
      `INSERT INTO secrets (id, org_id, environment_id, workspace_id, key, description, version, nonce, ciphertext, created_at, created_by, updated_at, updated_by, workspaces)
       VALUES ($1, $2, $3, $10, $4, $5, 1, $6, $7, $8, $9, $8, $9, $11)`,
      [n.id, orgId, environmentId, n.key, n.description, bytes(n.nonce), bytes(n.ciphertext), n.at, n.by, workspaceId, workspaceId === '' ? (n.workspaces ?? []) : []],
    );
  }

  /** Keeps the version it replaces; the row after, or undefined when it was not at the expected version. */
  private async updateSecretRow(c: pg.PoolClient, orgId: string, environmentId: string, workspaceId: string, key: string, u: SecretUpdate): Promise<SecretRow | undefined> {
    await c.query(KEEP_VERSION, [orgId, environmentId, key, u.expectedVersion, workspaceId]);
    return this.row<SecretRow>(
      `UPDATE secrets SET description = $1, version = version + 1, nonce = $2, ciphertext = $3, updated_at = $4, updated_by = $5,
         workspaces = coalesce($11::text[], workspaces)
       WHERE org_id = $6 AND environment_id = $7 AND workspace_id = $10 AND key = $8 AND version = $9 RETURNING ${SECRET_COLS}`,
      [u.description, bytes(u.nonce), bytes(u.ciphertext), u.at, u.by, orgId, environmentId, key, u.expectedVersion, workspaceId,
        u.workspaces !== undefined && workspaceId === '' ? u.workspaces : null],
      c,
    );
  }

  async createSecret(orgId: string, environmentId: string, n: NewSecret, audit: AuditInput, workspaceId = ''): Promise<SecretRow> {
    try {
      return await this.tx(async (c) => {
        await this.insertSecretRow(c, orgId, environmentId, workspaceId, n);
        await this.bumpRevision(c, orgId, environmentId);
        await this.insertAudit(c, orgId, audit);
        const created = (await this.secretRow(c, orgId, environmentId, workspaceId, n.key))!;
        await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'created', n.key, 1, n.by, n.at, created.workspaces);
        return created;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('secret exists');
      throw err;
    }
  }

  async updateSecret(orgId: string, environmentId: string, key: string, u: SecretUpdate, audit: AuditInput, workspaceId = ''): Promise<SecretRow> {
    return this.tx(async (c) => {
      const updated = await this.updateSecretRow(c, orgId, environmentId, workspaceId, key, u);
      if (!updated) {
        const current = await this.secretRow(c, orgId, environmentId, workspaceId, key);
        throw new VersionConflictError(current?.version ?? 0);
      }
      await this.bumpRevision(c, orgId, environmentId);
      await this.insertAudit(c, orgId, audit);
      await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'updated', key, u.expectedVersion + 1, u.by, u.at, updated.workspaces);
      return updated;
    });
  }

  async setSecretWorkspaces(orgId: string, environmentId: string, key: string, workspaces: string[], audit: AuditInput): Promise<SecretRow | undefined> {
    return this.tx(async (c) => {
      const before = await this.row<{ workspaces: string[] }>(
        `SELECT workspaces FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = '' AND key = $3 FOR UPDATE`,
        [orgId, environmentId, key],
        c,
      );
      if (!before) return undefined;
      const row = (await this.row<SecretRow>(
        `UPDATE secrets SET workspaces = $4 WHERE org_id = $1 AND environment_id = $2 AND workspace_id = '' AND key = $3 RETURNING ${SECRET_COLS}`,
        [orgId, environmentId, key, workspaces],
        c,
      ))!;
      await this.bumpRevision(c, orgId, environmentId);
      await this.insertAudit(c, orgId, audit);
      // An event for the workspaces that gain or lose it (the version stays: versions are of the value).
      await this.recordSecretChange(c, orgId, environmentId, '', 'updated', key, row.version, changeActor(audit), audit.time, scopeChangeAudience(before.workspaces, workspaces));
      return row;
    });
  }

  async applySecretBatch(orgId: string, environmentId: string, writes: readonly BatchWrite[], batchAudit?: AuditInput, workspaceId = ''): Promise<SecretMetaRow[]> {
    return this.tx(async (c) => {
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i]!;
        if (w.kind === 'create') {
          const n = w.secret;
          // A savepoint keeps the transaction usable after a duplicate, so the failure can be reported by index.
          await c.query('SAVEPOINT batch_write');
          try {
            await this.insertSecretRow(c, orgId, environmentId, workspaceId, n);
          } catch (err) {
            if (isUniqueViolation(err)) throw new BatchWriteError(i, new DuplicateError('secret exists'));
            throw err;
          }
          await c.query('RELEASE SAVEPOINT batch_write');
        } else if (w.kind === 'delete') {
          await c.query(MARK_DELETED, [orgId, environmentId, w.key, w.at, workspaceId]);
          const deleted = await this.row<{ version: number; workspaces: string[] }>(
            `DELETE FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3 RETURNING version, workspaces`,
            [orgId, environmentId, w.key, workspaceId],
            c,
          );
          if (!deleted) throw new BatchWriteError(i, new VersionConflictError(0));
          await c.query(`DELETE FROM secret_versions WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3`, [orgId, environmentId, w.key, workspaceId]);
          await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'deleted', w.key, deleted.version, w.by, w.at, deleted.workspaces);
          if (w.audit) await this.insertAudit(c, orgId, w.audit);
          continue;
        } else {
          const updated = await this.updateSecretRow(c, orgId, environmentId, workspaceId, w.key, w.update);
          if (!updated) {
            const current = await this.secretRow(c, orgId, environmentId, workspaceId, w.key);
            throw new BatchWriteError(i, new VersionConflictError(current?.version ?? 0));
          }
        }
        if (w.audit) await this.insertAudit(c, orgId, w.audit);
        const key = w.kind === 'create' ? w.secret.key : w.key;
        const scope = (await this.secretRow(c, orgId, environmentId, workspaceId, key))!.workspaces;
        if (w.kind === 'create') await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'created', key, 1, w.secret.by, w.secret.at, scope);
        else await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'updated', key, w.update.expectedVersion + 1, w.update.by, w.update.at, scope);
      }
      if (writes.length > 0) await this.bumpRevision(c, orgId, environmentId);
      if (batchAudit) await this.insertAudit(c, orgId, batchAudit);
      return this.rows<SecretMetaRow>(
        `SELECT ${SECRET_META_COLS} FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3 ORDER BY key`,
        [orgId, environmentId, workspaceId],
        c,
      );
    });
  }

  async deleteSecret(orgId: string, environmentId: string, key: string, audit: AuditInput, workspaceId = ''): Promise<boolean> {
    return this.tx(async (c) => {
      // Before a secret's rows go: when each of its versions existed, nothing of their values.
      await c.query(MARK_DELETED, [orgId, environmentId, key, audit.time, workspaceId]);
      const deleted = await this.row<{ version: number; workspaces: string[] }>(
        `DELETE FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3 RETURNING version, workspaces`,
        [orgId, environmentId, key, workspaceId],
        c,
      );
      if (!deleted) return false;
      await c.query(`DELETE FROM secret_versions WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3`, [orgId, environmentId, key, workspaceId]);
      await this.bumpRevision(c, orgId, environmentId);
      await this.insertAudit(c, orgId, audit);
      const by = audit.actorType === 'service' ? `token:${audit.actorName ?? ''}` : (audit.actorName ?? 'anonymous');
      await this.recordSecretChange(c, orgId, environmentId, workspaceId, 'deleted', key, deleted.version, by, audit.time, deleted.workspaces);
      return true;
    });
  }

  async listSecretVersions(orgId: string, environmentId: string, key: string, workspaceId = ''): Promise<SecretVersionMetaRow[] | undefined> {
    const rows = await this.rows<SecretVersionMetaRow>(
      `SELECT environment_id AS "environmentId", workspace_id AS "workspaceId", key, version, description, updated_at AS "createdAt", updated_by AS "createdBy"
       FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3
       UNION ALL SELECT environment_id, workspace_id, key, version, description, created_at, created_by FROM secret_versions
       WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $4 AND key = $3 ORDER BY version DESC`,
      [orgId, environmentId, key, workspaceId],
    );
    // The current version is always among them, so no rows means no secret.
    return rows.length > 0 ? rows : undefined;
  }

  async secretTimeline(orgId: string, environmentId: string, workspaceId = ''): Promise<TimelineRow[]> {
    return this.rows<TimelineRow>(
      `SELECT key, version, updated_at AS "createdAt", updated_by AS "createdBy", NULL::text AS "deletedAt" FROM secrets
       WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3
       UNION ALL SELECT key, version, created_at, created_by, NULL FROM secret_versions WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3
       UNION ALL SELECT key, version, created_at, created_by, deleted_at FROM secret_deleted_versions WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3`,
      [orgId, environmentId, workspaceId],
    );
  }

  async getSecretVersion(orgId: string, environmentId: string, key: string, version: number, workspaceId = ''): Promise<SecretVersionRow | undefined> {
    return this.row<SecretVersionRow>(
      `SELECT environment_id AS "environmentId", workspace_id AS "workspaceId", key, version, description, nonce, ciphertext, updated_at AS "createdAt", updated_by AS "createdBy"
       FROM secrets WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $5 AND key = $3 AND version = $4
       UNION ALL SELECT environment_id, workspace_id, key, version, description, nonce, ciphertext, created_at, created_by FROM secret_versions
       WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $5 AND key = $3 AND version = $4`,
      [orgId, environmentId, key, version, workspaceId],
    );
  }

  // --- workspaces ---------------------------------------------------------------------------------

  async listWorkspaces(orgId: string): Promise<WorkspaceRow[]> {
    return this.rows<WorkspaceRow>(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = $1 ORDER BY w.slug COLLATE "C"`, [orgId]);
  }

  async getWorkspace(orgId: string, slug: string): Promise<WorkspaceRow | undefined> {
    return this.row<WorkspaceRow>(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = $1 AND w.slug = $2`, [orgId, slug]);
  }

  async getWorkspaceById(orgId: string, workspaceId: string): Promise<WorkspaceRow | undefined> {
    return this.row<WorkspaceRow>(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = $1 AND w.id = $2`, [orgId, workspaceId]);
  }

  async createWorkspace(orgId: string, w: WorkspaceRow, audit: AuditInput): Promise<void> {
    try {
      await this.tx(async (c) => {
        await this.holdOwnerMembership(c, orgId, w.ownerId);
        await c.query('INSERT INTO workspaces (id, org_id, slug, name, owner_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          w.id, orgId, w.slug, w.name, w.ownerId, w.createdAt, w.createdBy,
        ]);
        await this.insertAudit(c, orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('workspace exists');
      throw err;
    }
  }

  /**
   * Inside the transaction: the organization row shared (a member's removal takes it exclusively, then
   * reads the workspaces they own), so either the removal sees this workspace's owner and refuses, or
   * this sees the membership gone and refuses.
   */
  private async holdOwnerMembership(c: pg.PoolClient, orgId: string, userId: string): Promise<void> {
    await c.query('SELECT 1 FROM orgs WHERE id = $1 FOR SHARE', [orgId]);
    if (!(await this.row('SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId], c))) throw new OwnerNotMemberError('owner is not a member');
  }

  async updateWorkspace(orgId: string, w: WorkspaceRow, audit: AuditInput): Promise<boolean> {
    return this.tx(async (c) => {
      const current = await this.row<{ ownerId: string }>('SELECT owner_id AS "ownerId" FROM workspaces WHERE org_id = $1 AND id = $2', [orgId, w.id], c);
      if (!current) return false;
      if (current.ownerId !== w.ownerId) await this.holdOwnerMembership(c, orgId, w.ownerId);
      const r = await c.query('UPDATE workspaces SET name = $1, owner_id = $2 WHERE org_id = $3 AND id = $4', [w.name, w.ownerId, orgId, w.id]);
      if (r.rowCount !== 1) return false;
      await this.insertAudit(c, orgId, audit);
      return true;
    });
  }

  async deleteWorkspace(orgId: string, workspaceId: string, audit: AuditInput): Promise<string[] | undefined> {
    const keys = await this.tx(async (c) => {
      // Locks the workspace row: a concurrent delete waits, then finds nothing.
      const w = await this.row<{ slug: string }>('SELECT slug FROM workspaces WHERE org_id = $1 AND id = $2 FOR UPDATE', [orgId, workspaceId], c);
      if (!w) return undefined;
      // Every environment's revision first: takes their row locks, so no secret write of the org slips in between.
      await c.query('UPDATE environments SET revision = revision + 1 WHERE org_id = $1', [orgId]);
      const scoped = await this.rows<{ environment: string; environmentId: string; key: string; workspaces: string[] }>(
        `SELECT e.slug AS environment, s.environment_id AS "environmentId", s.key, s.workspaces FROM secrets s JOIN environments e ON e.id = s.environment_id
         WHERE s.org_id = $1 AND s.workspace_id = '' AND $2 = ANY(s.workspaces) ORDER BY e.slug COLLATE "C", s.key`,
        [orgId, w.slug],
        c,
      );
      const alone = scoped.filter((r) => r.workspaces.length === 1).map((r) => `${r.environment}/${r.key}`);
      if (alone.length > 0) throw new WorkspaceInUseError(alone);
      await c.query(`UPDATE secrets SET workspaces = array_remove(workspaces, $2) WHERE org_id = $1 AND workspace_id = '' AND $2 = ANY(workspaces)`, [orgId, w.slug]);
      const deleted = (await this.rows<{ key: string }>('SELECT DISTINCT key FROM secrets WHERE org_id = $1 AND workspace_id = $2 ORDER BY key', [orgId, workspaceId], c)).map((r) => r.key);
      await c.query('DELETE FROM secret_versions WHERE org_id = $1 AND workspace_id = $2', [orgId, workspaceId]);
      await c.query('DELETE FROM secret_deleted_versions WHERE org_id = $1 AND workspace_id = $2', [orgId, workspaceId]);
      await c.query('DELETE FROM secrets WHERE org_id = $1 AND workspace_id = $2', [orgId, workspaceId]);
      // Bound service tokens and trust policies go with it (ON DELETE CASCADE); every instance drops its cached tokens.
      await c.query('DELETE FROM workspaces WHERE org_id = $1 AND id = $2', [orgId, workspaceId]);
      await this.insertAudit(c, orgId, { ...audit, keys: deleted });
      await this.notify(c, 'tokens');
      return deleted;
    });
    this.tokenCache.clear();
    return keys;
  }

  // --- service tokens -----------------------------------------------------------------------------

  async createServiceToken(orgId: string, token: TokenRow, audit: AuditInput): Promise<void> {
    await this.tx(async (c) => {
      await this.insertTokenRow(c, { ...token, orgId });
      await this.insertAudit(c, orgId, audit);
    });
  }

  async listServiceTokens(orgId: string): Promise<TokenRow[]> {
    await this.touchesSettled();
    return (
      await this.rows<StoredToken>(
        `SELECT ${TOKEN_COLS} FROM tokens WHERE kind = 'service' AND org_id = $1 AND revoked_at IS NULL AND oidc_policy_id IS NULL ORDER BY created_at, id`,
        [orgId],
      )
    ).map(toTokenRow);
  }

  async revokeServiceToken(orgId: string, tokenId: string, at: string, audit: AuditInput): Promise<boolean> {
    const revoked = await this.tx(async (c) => {
      const r = await c.query(`UPDATE tokens SET revoked_at = $1 WHERE kind = 'service' AND org_id = $2 AND id = $3 AND revoked_at IS NULL`, [at, orgId, tokenId]);
      if (r.rowCount !== 1) return false;
      await this.insertAudit(c, orgId, audit);
      await this.notify(c, 'tokens');
      return true;
    });
    this.tokenCache.clear();
    return revoked;
  }

  // --- change events ------------------------------------------------------------------------------

  async latestChange(orgId: string, environmentId: string, workspaceId = ''): Promise<number> {
    if (workspaceId !== '') {
      return (
        (await this.row<{ seq: number }>(
          `SELECT s.change_seq AS seq FROM workspace_streams s JOIN workspaces w ON w.id = s.workspace_id
           WHERE w.org_id = $1 AND s.environment_id = $2 AND s.workspace_id = $3`,
          [orgId, environmentId, workspaceId],
        ))?.seq ?? 0
      );
    }
    return (await this.row<{ seq: number }>('SELECT change_seq AS seq FROM environments WHERE org_id = $1 AND id = $2', [orgId, environmentId]))?.seq ?? 0;
  }

  async listChanges(orgId: string, environmentId: string, afterSeq: number, limit: number, workspaceId = ''): Promise<ChangeRow[]> {
    if (workspaceId !== '') {
      return this.rows<ChangeRow>(
        `SELECT seq, kind, key, version, actor, time, scope FROM workspace_change_events
         WHERE environment_id = $1 AND workspace_id = $2 AND org_id = $3 AND seq > $4 ORDER BY seq LIMIT $5`,
        [environmentId, workspaceId, orgId, afterSeq, limit],
      );
    }
    return this.rows<ChangeRow>(
      'SELECT seq, kind, key, version, actor, time, workspaces FROM change_events WHERE environment_id = $1 AND org_id = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [environmentId, orgId, afterSeq, limit],
    );
  }

  /** Woken by NOTIFY (cache-listener.ts) for a change committed through any instance, this one included. */
  watchChanges(environmentId: string, wake: () => void): () => void {
    return this.changes.watch(environmentId, wake);
  }

  // --- OIDC trust policies ------------------------------------------------------------------------

  async listOidcPolicies(orgId: string): Promise<OidcPolicyRow[]> {
    return (await this.rows<StoredPolicy>(`SELECT ${POLICY_COLS} FROM oidc_policies WHERE org_id = $1 ORDER BY name COLLATE "C"`, [orgId])).map(toPolicyRow);
  }

  async getOidcPolicy(orgId: string, policyId: string): Promise<OidcPolicyRow | undefined> {
    const row = await this.row<StoredPolicy>(`SELECT ${POLICY_COLS} FROM oidc_policies WHERE org_id = $1 AND id = $2`, [orgId, policyId]);
    return row && toPolicyRow(row);
  }

  async createOidcPolicy(orgId: string, p: OidcPolicyRow, audit: AuditInput): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query(
          `INSERT INTO oidc_policies (id, org_id, name, issuer, audience, environment_id, claims, ttl_seconds, created_at, created_by, updated_at, workspace_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [p.id, orgId, p.name, p.issuer, p.audience, p.environmentId, JSON.stringify(p.claims), p.ttlSeconds, p.createdAt, p.createdBy, p.updatedAt, p.workspaceId ?? null],
        );
        await this.insertAudit(c, orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('policy exists');
      throw err;
    }
  }

  async updateOidcPolicy(orgId: string, p: OidcPolicyRow, audit: AuditInput): Promise<boolean> {
    try {
      return await this.tx(async (c) => {
        const r = await c.query(
          `UPDATE oidc_policies SET name = $1, issuer = $2, audience = $3, environment_id = $4, claims = $5, ttl_seconds = $6, updated_at = $7, workspace_id = $10
           WHERE org_id = $8 AND id = $9`,
          [p.name, p.issuer, p.audience, p.environmentId, JSON.stringify(p.claims), p.ttlSeconds, p.updatedAt, orgId, p.id, p.workspaceId ?? null],
        );
        if (r.rowCount !== 1) return false;
        await this.insertAudit(c, orgId, audit);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('policy exists');
      throw err;
    }
  }

  /** Deleting a policy revokes the tokens it minted, on every instance (NOTIFY drops their token caches). */
  async deleteOidcPolicy(orgId: string, policyId: string, at: string, audit: AuditInput): Promise<boolean> {
    const gone = await this.tx(async (c) => {
      const r = await c.query('DELETE FROM oidc_policies WHERE org_id = $1 AND id = $2', [orgId, policyId]);
      if (r.rowCount !== 1) return false;
      await c.query('UPDATE tokens SET revoked_at = $1 WHERE org_id = $2 AND oidc_policy_id = $3 AND revoked_at IS NULL', [at, orgId, policyId]);
      await this.insertAudit(c, orgId, audit);
      await this.notify(c, 'tokens');
      return true;
    });
    this.tokenCache.clear();
    return gone;
  }

  async pruneOidcTokens(orgId: string, before: string): Promise<number> {
    const gone = await this.tx(async (c) => {
      const r = await c.query('DELETE FROM tokens WHERE org_id = $1 AND oidc_policy_id IS NOT NULL AND expires_at < $2', [orgId, before]);
      if ((r.rowCount ?? 0) > 0) await this.notify(c, 'tokens');
      return r.rowCount ?? 0;
    });
    if (gone > 0) this.tokenCache.clear();
    return gone;
  }

  /** The insert decides: of instances exchanging one token at once, exactly one inserts the row. */
  async useOidcToken(issuer: string, jti: string, expiresAt: string, now: string): Promise<boolean> {
    await this.pool.query('DELETE FROM oidc_used_tokens WHERE expires_at COLLATE "C" < $1', [now]);
    const r = await this.pool.query('INSERT INTO oidc_used_tokens (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (issuer, jti) DO NOTHING', [
      issuer,
      jti,
      expiresAt,
    ]);
    return r.rowCount === 1;
  }

  // --- history retention --------------------------------------------------------------------------

  async getHistoryRetention(orgId: string): Promise<HistoryRetentionRow | undefined> {
    return this.row<HistoryRetentionRow>(
      'SELECT days, min_versions AS "minVersions", updated_at AS "updatedAt", updated_by AS "updatedBy" FROM history_retention WHERE org_id = $1',
      [orgId],
    );
  }

  async setHistoryRetention(orgId: string, r: HistoryRetentionRow, audit: AuditInput): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO history_retention (org_id, days, min_versions, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (org_id) DO UPDATE SET days = excluded.days, min_versions = excluded.min_versions, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`,
        [orgId, r.days, r.minVersions, r.updatedAt, r.updatedBy],
      );
      await this.insertAudit(c, orgId, audit);
    });
  }

  /** Instances prune on their own schedules: the one holding the organization's lock prunes, the others skip. */
  async pruneHistory(orgId: string, cutoff: string, minVersions: number, audit: (pruned: PrunedEnvironment) => AuditInput): Promise<PrunedEnvironment[]> {
    return this.tx(async (c) => {
      const locked = await this.row<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [HISTORY_PRUNE_LOCK_KEY, orgId], c);
      if (!locked?.ok) return [];
      const values: PrunedRow[] = [];
      for (const r of await this.rows<Omit<PrunedRow, 'versions'> & { workspaceId: string; upTo: number }>(PRUNABLE_VERSIONS, [orgId, minVersions, cutoff], c)) {
        const gone = await c.query('DELETE FROM secret_versions WHERE org_id = $1 AND environment_id = $2 AND workspace_id = $3 AND key = $4 AND version <= $5', [
          orgId,
          r.environmentId,
          r.workspaceId,
          r.key,
          r.upTo,
        ]);
        values.push({ environmentId: r.environmentId, environment: r.environment, workspaceId: r.workspaceId, key: r.key, versions: gone.rowCount ?? 0 });
      }
      const deleted = await this.rows<PrunedRow>(
        `DELETE FROM secret_deleted_versions d USING environments e WHERE e.id = d.environment_id AND d.org_id = $1
        AND d.deleted_at COLLATE "C" < $2 RETURNING d.environment_id AS "environmentId", e.slug AS environment, d.workspace_id AS "workspaceId", d.key, 1 AS versions`,
        [orgId, cutoff],
        c,
      );
      const slugs = new Map((await this.rows<{ id: string; slug: string }>('SELECT id, slug FROM workspaces WHERE org_id = $1', [orgId], c)).map((w) => [w.id, w.slug]));
      const pruned = groupPruned(values, deleted, slugs);
      for (const p of pruned) await this.insertAudit(c, orgId, audit(p));
      return pruned;
    });
  }

  // --- sessions (read from the database on every request: nothing to invalidate across instances) -

  async createSession(r: SessionRow): Promise<void> {
    await this.pool.query('INSERT INTO sessions (hash, user_id, token_id, method, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      bytes(r.hash), r.userId, r.tokenId, r.method, r.createdAt, r.lastSeenAt, r.expiresAt,
    ]);
  }

  async getSession(hash: Uint8Array): Promise<SessionRow | undefined> {
    return this.row<SessionRow>(`SELECT ${SESSION_COLS} FROM sessions WHERE hash = $1`, [bytes(hash)]);
  }

  async touchSession(hash: Uint8Array, at: number): Promise<void> {
    await this.pool.query('UPDATE sessions SET last_seen_at = $1 WHERE hash = $2', [at, bytes(hash)]);
  }

  async deleteSession(hash: Uint8Array): Promise<boolean> {
    return (await this.pool.query('DELETE FROM sessions WHERE hash = $1', [bytes(hash)])).rowCount === 1;
  }

  async deleteExpiredSessions(now: number, idleBefore: number): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, idleBefore]);
  }

  // --- WebAuthn challenges ------------------------------------------------------------------------

  async putChallenge(c: ChallengeRow, now: number, max: number): Promise<void> {
    await this.pool.query('DELETE FROM webauthn_challenges WHERE expires_at <= $1', [now]);
    // One statement: the insert and dropping challenges of the same purpose max issues older (by the
    // shared identity, so across instances). A row another instance is inserting meanwhile lingers
    // until it expires.
    await this.pool.query(
      `WITH added AS (INSERT INTO webauthn_challenges (hash, purpose, subject, data, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq)
       DELETE FROM webauthn_challenges WHERE purpose = $2 AND seq <= (SELECT seq FROM added) - $6`,
      [bytes(c.hash), c.purpose, c.subject, JSON.stringify(c.data), c.expiresAt, max],
    );
  }

  async takeChallenge(hash: Uint8Array): Promise<ChallengeRow | undefined> {
    const r = await this.row<Omit<ChallengeRow, 'data'> & { data: string }>(
      'DELETE FROM webauthn_challenges WHERE hash = $1 RETURNING hash, purpose, subject, data, expires_at AS "expiresAt"',
      [bytes(hash)],
    );
    return r && { ...r, data: JSON.parse(r.data) as Record<string, string> };
  }

  // --- invitations --------------------------------------------------------------------------------

  async createInvitation(i: InvitationRow, audit: AuditInput): Promise<void> {
    await this.tx(async (c) => {
      await c.query('INSERT INTO invitations (id, org_id, email, role, hash, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        i.id, i.orgId, i.email, i.role, bytes(i.hash), i.createdAt, i.createdBy, i.expiresAt,
      ]);
      await this.insertAudit(c, i.orgId, audit);
    });
  }

  async listInvitations(orgId: string): Promise<InvitationRow[]> {
    return this.rows<InvitationRow>(
      `SELECT ${INVITATION_COLS} FROM invitations WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY created_at, id COLLATE "C"`,
      [orgId],
    );
  }

  async getInvitationByHash(hash: Uint8Array): Promise<InvitationRow | undefined> {
    return this.row<InvitationRow>(`SELECT ${INVITATION_COLS} FROM invitations WHERE hash = $1`, [bytes(hash)]);
  }

  async revokeInvitation(orgId: string, id: string, at: string, audit: AuditInput): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query('UPDATE invitations SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL', [at, orgId, id]);
      if (r.rowCount !== 1) return false;
      await this.insertAudit(c, orgId, audit);
      return true;
    });
  }

  async acceptInvitation(i: InvitationRow, user: UserRow, newUser: { passkey: PasskeyRow } | null, at: string, audit: AuditInput): Promise<boolean> {
    try {
      return await this.tx(async (c) => {
        // The row lock of this UPDATE makes a second acceptance wait, then find the invitation used.
        const r = await c.query(
          'UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1',
          [at, user.id, i.id],
        );
        if (r.rowCount !== 1) return false;
        if (newUser) {
          await c.query('INSERT INTO users (id, name, email, instance_admin, created_at) VALUES ($1, $2, $3, $4, $5)', [user.id, user.name, user.email, user.instanceAdmin, user.createdAt]);
          await this.insertPasskeyRow(c, newUser.passkey);
        }
        await c.query('INSERT INTO memberships (org_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) DO NOTHING', [i.orgId, user.id, i.role, at]);
        await this.insertAudit(c, i.orgId, audit);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('user or passkey exists');
      throw err;
    }
  }

  // --- passkeys -----------------------------------------------------------------------------------

  private async insertPasskeyRow(db: Queryable, k: PasskeyRow): Promise<void> {
    await db.query('INSERT INTO passkeys (id, user_id, name, public_key, counter, transports, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      k.id, k.userId, k.name, bytes(k.publicKey), k.counter, k.transports, k.createdAt,
    ]);
  }

  async createPasskey(k: PasskeyRow): Promise<void> {
    try {
      await this.insertPasskeyRow(this.pool, k);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('passkey exists');
      throw err;
    }
  }

  async getPasskey(id: string): Promise<PasskeyRow | undefined> {
    return this.row<PasskeyRow>(`SELECT ${PASSKEY_COLS} FROM passkeys WHERE id = $1`, [id]);
  }

  async listPasskeys(userId: string): Promise<PasskeyRow[]> {
    return this.rows<PasskeyRow>(`SELECT ${PASSKEY_COLS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id COLLATE "C"`, [userId]);
  }

  async renamePasskey(userId: string, id: string, name: string): Promise<boolean> {
    return (await this.pool.query('UPDATE passkeys SET name = $1 WHERE user_id = $2 AND id = $3', [name, userId, id])).rowCount === 1;
  }

  async deletePasskey(userId: string, id: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM passkeys WHERE user_id = $1 AND id = $2', [userId, id])).rowCount === 1;
  }

  async usePasskey(id: string, counter: number, at: string): Promise<void> {
    await this.pool.query('UPDATE passkeys SET counter = $1, last_used_at = $2 WHERE id = $3', [counter, at, id]);
  }

  async getUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.row<UserRow>(`SELECT ${USER_COLS} FROM users WHERE lower(email) = lower($1)`, [email]);
  }

  // --- audit --------------------------------------------------------------------------------------

  appendAudit(orgId: string, event: AuditInput): Promise<void> {
    if (this.closed) return Promise.reject(new AuditWriteError('audit is closed'));
    return this.audit.append(auditValues(orgId, event));
  }

  async listAudit(orgId: string, limit: number, beforeSeq?: number, filter: AuditFilter = {}): Promise<AuditRow[]> {
    // Denials are not awaited by the requests that caused them; a reader still sees every event
    // recorded through this instance before it asked.
    await this.audit.settled();
    const { where, args } = auditWhere(filter, 4);
    return auditRows(
      await this.rows<RawAuditRow>(`SELECT ${AUDIT_COLS} FROM audit_events WHERE org_id = $1 AND org_seq < $2${where} ORDER BY org_seq DESC LIMIT $3`, [
        orgId,
        beforeSeq ?? Number.MAX_SAFE_INTEGER,
        limit,
        ...args,
      ]),
    );
  }

  async listAuditAfter(orgId: string, limit: number, afterId: string, filter: AuditFilter = {}): Promise<AuditRow[] | undefined> {
    await this.audit.settled();
    const after = await this.row<{ seq: number }>('SELECT org_seq AS seq FROM audit_events WHERE org_id = $1 AND id = $2', [orgId, afterId]);
    if (!after) return undefined;
    const { where, args } = auditWhere(filter, 4);
    return auditRows(
      await this.rows<RawAuditRow>(`SELECT ${AUDIT_COLS} FROM audit_events WHERE org_id = $1 AND org_seq > $2${where} ORDER BY org_seq ASC LIMIT $3`, [
        orgId,
        after.seq,
        limit,
        ...args,
      ]),
    );
  }

  async ping(): Promise<void> {
    const { v } = (await this.row<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations'))!;
    if (v !== LATEST_PG_MIGRATION) throw new Error(`the database schema is at version ${v ?? 0}, this server needs ${LATEST_PG_MIGRATION}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.audit.settled();
    await this.touchesSettled();
    await this.listener.close();
    await this.running.end().catch(() => undefined);
    await this.pool.end();
  }
}
