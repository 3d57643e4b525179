// The Storage interface on node:sqlite: WAL journal, synchronous=FULL (a commit is on disk before it
// is acknowledged), statements prepared once. Audit events recorded on their own (reveals, denials)
// are group-committed by a worker thread (audit-worker.ts) so that fsyncs do not stall requests.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import type { AuditDetails, ClaimConditions, Role, SecretScope, WorkflowContext } from '../../../core/api-types.ts';
import { ChangeSignal } from '../../events/change-signal.ts';
import { groupPruned, type PrunedRow } from '../pruned-history.ts';
import { effectiveWorkspaceChange } from '../workspace-stream.ts';
import { AuditCommitter } from './audit-committer.ts';
import { LATEST_MIGRATION, migrate } from './migrations.ts';
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
  type AuditInput,
  type AuditFilter,
  type AuditRow,
  type BatchWrite,
  type ChallengeRow,
  type ChangeRow,
  type EnvironmentRow,
  type HistoryRetentionRow,
  type MemberRow,
  type NewSecret,
  type InvitationRow,
  type OidcPolicyRow,
  type OrgRow,
  type PasskeyRow,
  type PrunedEnvironment,
  type SessionRow,
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

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

const SECRET_META_COLS = `id, environment_id AS environmentId, workspace_id AS workspaceId, workspaces, key, description, version,
  created_at AS createdAt, created_by AS createdBy, updated_at AS updatedAt, updated_by AS updatedBy`;
const SECRET_COLS = `${SECRET_META_COLS}, nonce, ciphertext`;
const TOKEN_COLS = `id, kind, hash, name, user_id AS userId, org_id AS orgId, environment_id AS environmentId,
  created_at AS createdAt, created_by AS createdBy, expires_at AS expiresAt, revoked_at AS revokedAt, last_used_at AS lastUsedAt,
  oidc_policy_id AS oidcPolicyId, workflow, workspace_id AS workspaceId`;
const POLICY_COLS = `id, name, issuer, audience, environment_id AS environmentId, claims, ttl_seconds AS ttlSeconds,
  created_at AS createdAt, created_by AS createdBy, updated_at AS updatedAt, workspace_id AS workspaceId`;
const WORKSPACE_COLS = `w.id, w.slug, w.name, w.owner_id AS ownerId, u.name AS ownerName, w.created_at AS createdAt, w.created_by AS createdBy`;
const ORG_COLS = 'id, slug, name, wrapped_key AS wrappedKey, created_at AS createdAt';
const SESSION_COLS = `hash, user_id AS userId, token_id AS tokenId, method, created_at AS createdAt, last_seen_at AS lastSeenAt,
  expires_at AS expiresAt`;
const INVITATION_COLS = `id, org_id AS orgId, email, role, hash, created_at AS createdAt, created_by AS createdBy, expires_at AS expiresAt,
  accepted_at AS acceptedAt, accepted_by AS acceptedBy, revoked_at AS revokedAt`;
const PASSKEY_COLS = 'id, user_id AS userId, name, public_key AS publicKey, counter, transports, created_at AS createdAt, last_used_at AS lastUsedAt';
const AUDIT_COLS = `seq, id, time, actor_type AS actorType, actor_id AS actorId, actor_name AS actorName, action,
  environment, workspace, keys, outcome, ip, user_agent AS userAgent, count, details`;

type StoredToken = Omit<TokenRow, 'workflow'> & { workflow: string | null };
type StoredSecret = Omit<SecretRow, 'workspaces'> & { workspaces: string };

function toSecretRow<T extends { workspaces: string }>(r: T): Omit<T, 'workspaces'> & { workspaces: string[] } {
  return { ...r, workspaces: JSON.parse(r.workspaces) as string[] };
}

function toTokenRow(r: StoredToken): TokenRow {
  return { ...r, workflow: r.workflow === null ? null : (JSON.parse(r.workflow) as WorkflowContext) };
}

function toPolicyRow(r: Omit<OidcPolicyRow, 'claims'> & { claims: string }): OidcPolicyRow {
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

/** SQL conditions for an audit filter, with their arguments (never interpolated). */
function auditWhere(f: AuditFilter): { where: string; args: string[] } {
  let where = '';
  const args: string[] = [];
  const add = (condition: string, ...values: string[]) => {
    where += ` AND ${condition}`;
    args.push(...values);
  };
  if (f.since !== undefined) add('time >= ?', f.since);
  if (f.until !== undefined) add('time <= ?', f.until);
  if (f.actor !== undefined) add('(lower(actor_id) = lower(?) OR lower(actor_name) = lower(?))', f.actor, f.actor);
  if (f.action !== undefined && f.action.includes('.')) add('action = ?', f.action);
  else if (f.action !== undefined) add("substr(action, 1, length(?) + 1) = ? || '.'", f.action, f.action);
  if (f.key !== undefined) add('EXISTS (SELECT 1 FROM json_each(audit_events.keys) WHERE value = ?)', f.key);
  if (f.environment !== undefined) add('environment = ?', f.environment);
  if (f.workspace !== undefined) add('workspace = ?', f.workspace);
  if (f.outcome !== undefined) add('outcome = ?', f.outcome);
  return { where, args };
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { errcode?: number }).errcode;
  return code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY;
}

const CACHE_LIMIT = 10_000;

export interface SqliteStorageOptions {
  /** Change events kept per environment (SECRETS_EVENTS_BACKLOG); at least 1. */
  changeBacklog?: number;
}

export const DEFAULT_CHANGE_BACKLOG = 10_000;

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

export class SqliteStorage implements Storage {
  private readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;
  /** History retention and used OIDC tokens. */
  private readonly h: Record<string, StatementSync>;
  private readonly audit: AuditCommitter;
  // Read-through caches for rows on every request's path that this server alone changes: orgs and
  // environments are never renamed or deleted, users never edited, and tokens change only by
  // revocation through this class (which clears the token cache). Misses are not cached.
  private readonly orgCache = new Map<string, OrgRow>();
  private readonly envCache = new Map<string, EnvironmentRow>();
  private readonly userCache = new Map<string, UserRow>();
  private readonly tokenCache = new Map<string, TokenRow>();
  private readonly changes = new ChangeSignal();
  private readonly changeBacklog: number;
  /** Environment revisions: only this process writes the database (the data directory is locked). */
  private readonly revisions = new Map<string, number>();

  static open(dataDir: string, options: SqliteStorageOptions = {}): SqliteStorage {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'secrets.db');
    const fresh = !existsSync(file);
    const db = new DatabaseSync(file);
    // SQLite gives the -wal and -shm files the database file's mode, so this covers all three.
    if (fresh) chmodSync(file, 0o600);
    try {
      return new SqliteStorage(db, file, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  constructor(db: DatabaseSync, file: string, options: SqliteStorageOptions = {}) {
    this.db = db;
    this.changeBacklog = Math.max(1, options.changeBacklog ?? DEFAULT_CHANGE_BACKLOG);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      countUsers: p('SELECT count(*) AS n FROM users'),
      insertUser: p('INSERT INTO users (id, name, email, instance_admin, created_at) VALUES (?, ?, ?, ?, ?)'),
      getUser: p('SELECT id, name, email, instance_admin AS instanceAdmin, created_at AS createdAt FROM users WHERE id = ?'),
      insertToken: p(`INSERT INTO tokens (id, kind, hash, name, user_id, org_id, environment_id, created_at, created_by, expires_at,
        oidc_policy_id, workflow, workspace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      tokenByHash: p(`SELECT ${TOKEN_COLS} FROM tokens WHERE hash = ?`),
      touchToken: p('UPDATE tokens SET last_used_at = ? WHERE id = ?'),
      personalTokens: p(`SELECT ${TOKEN_COLS} FROM tokens WHERE kind = 'personal' AND user_id = ? AND revoked_at IS NULL ORDER BY created_at, id`),
      revokePersonal: p(`UPDATE tokens SET revoked_at = ? WHERE kind = 'personal' AND user_id = ? AND id = ? AND revoked_at IS NULL`),
      insertOrg: p('INSERT INTO orgs (id, slug, name, wrapped_key, created_at) VALUES (?, ?, ?, ?, ?)'),
      orgBySlug: p(`SELECT ${ORG_COLS} FROM orgs WHERE slug = ?`),
      orgById: p(`SELECT ${ORG_COLS} FROM orgs WHERE id = ?`),
      orgsForUser: p(`SELECT o.id, o.slug, o.name, o.wrapped_key AS wrappedKey, o.created_at AS createdAt, m.role
        FROM orgs o JOIN memberships m ON m.org_id = o.id WHERE m.user_id = ? ORDER BY o.slug`),
      allOrgKeys: p('SELECT id, wrapped_key AS wrappedKey FROM orgs ORDER BY id'),
      setOrgKey: p('UPDATE orgs SET wrapped_key = ? WHERE id = ?'),
      getMeta: p('SELECT value FROM meta WHERE name = ?'),
      setMeta: p('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      getMember: p(`SELECT m.user_id AS userId, u.name, u.email, m.role, m.added_at AS addedAt
        FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.user_id = ?`),
      listMembers: p(`SELECT m.user_id AS userId, u.name, u.email, m.role, m.added_at AS addedAt
        FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY m.added_at, u.name`),
      countOwners: p(`SELECT count(*) AS n FROM memberships WHERE org_id = ? AND role = 'owner'`),
      upsertMember: p(`INSERT INTO memberships (org_id, user_id, role, added_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`),
      deleteMember: p('DELETE FROM memberships WHERE org_id = ? AND user_id = ?'),
      listEnvs: p('SELECT id, slug, name, created_at AS createdAt FROM environments WHERE org_id = ? ORDER BY created_at, slug'),
      envBySlug: p('SELECT id, slug, name, created_at AS createdAt FROM environments WHERE org_id = ? AND slug = ?'),
      envById: p('SELECT id, slug, name, created_at AS createdAt FROM environments WHERE org_id = ? AND id = ?'),
      insertEnv: p('INSERT INTO environments (id, org_id, slug, name, created_at) VALUES (?, ?, ?, ?, ?)'),
      envRevision: p('SELECT revision FROM environments WHERE org_id = ? AND id = ?'),
      bumpRevision: p('UPDATE environments SET revision = revision + 1 WHERE org_id = ? AND id = ? RETURNING revision'),
      listSecrets: p(`SELECT ${SECRET_META_COLS} FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ?
        ORDER BY key`),
      searchSecrets: p(`SELECT ${SECRET_META_COLS} FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ?
        AND instr(key, ?) > 0 ORDER BY key`),
      getSecret: p(`SELECT ${SECRET_COLS} FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ?`),
      allSecrets: p(`SELECT ${SECRET_COLS} FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ? ORDER BY key`),
      namedSecrets: p(`SELECT ${SECRET_COLS} FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ?
        AND key IN (SELECT value FROM json_each(?)) ORDER BY key`),
      insertSecret: p(`INSERT INTO secrets (id, org_id, environment_id, workspace_id, key, description, version, nonce, ciphertext,
        created_at, created_by, updated_at, updated_by, workspaces) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`),
      updateSecret: p(`UPDATE secrets SET description = ?, version = version + 1, nonce = ?, ciphertext = ?, updated_at = ?, updated_by = ?,
        workspaces = coalesce(?, workspaces) WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ? AND version = ?`),
      deleteSecret: p(`DELETE FROM secrets WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ? RETURNING version, workspaces`),
      // Copies the version an update is about to replace; run in the update's transaction, before it.
      keepVersion: p(`INSERT INTO secret_versions (org_id, environment_id, workspace_id, key, version, description, nonce, ciphertext, created_at, created_by)
        SELECT org_id, environment_id, workspace_id, key, version, description, nonce, ciphertext, updated_at, updated_by FROM secrets
        WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ? AND version = ?`),
      // Before a secret's rows go: when each of its versions existed, nothing of their values.
      markDeleted: p(`INSERT INTO secret_deleted_versions (org_id, environment_id, workspace_id, key, version, created_at, created_by, deleted_at)
        SELECT org_id, environment_id, workspace_id, key, version, updated_at, updated_by, ?4 FROM secrets
        WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?5 AND key = ?3
        UNION ALL SELECT org_id, environment_id, workspace_id, key, version, created_at, created_by, ?4 FROM secret_versions
        WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?5 AND key = ?3`),
      timeline: p(`SELECT key, version, updated_at AS createdAt, updated_by AS createdBy, NULL AS deletedAt FROM secrets
        WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?3
        UNION ALL SELECT key, version, created_at, created_by, NULL FROM secret_versions WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?3
        UNION ALL SELECT key, version, created_at, created_by, deleted_at FROM secret_deleted_versions WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?3`),
      deleteVersions: p(`DELETE FROM secret_versions WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ?`),
      listVersions: p(`SELECT environment_id AS environmentId, workspace_id AS workspaceId, key, version, description,
        updated_at AS createdAt, updated_by AS createdBy FROM secrets WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?4 AND key = ?3
        UNION ALL SELECT environment_id, workspace_id, key, version, description, created_at, created_by FROM secret_versions
        WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?4 AND key = ?3 ORDER BY version DESC`),
      getVersion: p(`SELECT environment_id AS environmentId, workspace_id AS workspaceId, key, version, description, nonce, ciphertext,
        updated_at AS createdAt, updated_by AS createdBy FROM secrets WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?5 AND key = ?3 AND version = ?4
        UNION ALL SELECT environment_id, workspace_id, key, version, description, nonce, ciphertext, created_at, created_by FROM secret_versions
        WHERE org_id = ?1 AND environment_id = ?2 AND workspace_id = ?5 AND key = ?3 AND version = ?4`),
      setWorkspaces: p(`UPDATE secrets SET workspaces = ? WHERE org_id = ? AND environment_id = ? AND workspace_id = '' AND key = ?`),
      workspacesOwnedBy: p('SELECT slug FROM workspaces WHERE org_id = ? AND owner_id = ? ORDER BY slug'),
      listWorkspaces: p(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = ? ORDER BY w.slug`),
      getWorkspace: p(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = ? AND w.slug = ?`),
      workspaceById: p(`SELECT ${WORKSPACE_COLS} FROM workspaces w JOIN users u ON u.id = w.owner_id WHERE w.org_id = ? AND w.id = ?`),
      insertWorkspace: p('INSERT INTO workspaces (id, org_id, slug, name, owner_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      updateWorkspace: p('UPDATE workspaces SET name = ?, owner_id = ? WHERE org_id = ? AND id = ?'),
      deleteWorkspace: p('DELETE FROM workspaces WHERE org_id = ? AND id = ?'),
      scopedOrgSecrets: p(`SELECT e.slug AS environment, s.environment_id AS environmentId, s.key, s.workspaces FROM secrets s JOIN environments e ON e.id = s.environment_id
        WHERE s.org_id = ? AND s.workspace_id = '' AND s.workspaces <> '[]' ORDER BY e.slug, s.key`),
      setWorkspacesById: p(`UPDATE secrets SET workspaces = ? WHERE org_id = ? AND workspace_id = '' AND environment_id = ? AND key = ?`),
      workspaceKeys: p(`SELECT DISTINCT key FROM secrets WHERE org_id = ? AND workspace_id = ? ORDER BY key`),
      deleteWorkspaceSecrets: p(`DELETE FROM secrets WHERE org_id = ? AND workspace_id = ?`),
      deleteWorkspaceVersions: p(`DELETE FROM secret_versions WHERE org_id = ? AND workspace_id = ?`),
      deleteWorkspaceDeleted: p(`DELETE FROM secret_deleted_versions WHERE org_id = ? AND workspace_id = ?`),
      bumpOrgRevisions: p('UPDATE environments SET revision = revision + 1 WHERE org_id = ?'),
      nextChangeSeq: p('UPDATE environments SET change_seq = change_seq + 1 WHERE org_id = ? AND id = ? RETURNING change_seq AS seq'),
      insertChange: p(`INSERT INTO change_events (environment_id, seq, org_id, kind, key, version, actor, time, workspaces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      nextWsChangeSeq: p(`INSERT INTO workspace_streams (environment_id, workspace_id, change_seq) VALUES (?, ?, 1)
        ON CONFLICT (environment_id, workspace_id) DO UPDATE SET change_seq = change_seq + 1 RETURNING change_seq AS seq`),
      insertWsChange: p(`INSERT INTO workspace_change_events (environment_id, workspace_id, seq, org_id, kind, key, version, actor, time, scope)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      orgWorkspaces: p('SELECT id, slug FROM workspaces WHERE org_id = ? ORDER BY id'),
      pruneWsChanges: p('DELETE FROM workspace_change_events WHERE environment_id = ? AND workspace_id = ? AND seq <= ?'),
      latestWsChange: p(`SELECT s.change_seq AS seq FROM workspace_streams s JOIN workspaces w ON w.id = s.workspace_id
        WHERE w.org_id = ? AND s.environment_id = ? AND s.workspace_id = ?`),
      listWsChanges: p(`SELECT seq, kind, key, version, actor, time, scope FROM workspace_change_events
        WHERE environment_id = ? AND workspace_id = ? AND org_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      pruneChanges: p('DELETE FROM change_events WHERE environment_id = ? AND seq <= ?'),
      latestChange: p('SELECT change_seq AS seq FROM environments WHERE org_id = ? AND id = ?'),
      listChanges: p(`SELECT seq, kind, key, version, actor, time, workspaces FROM change_events
        WHERE environment_id = ? AND org_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      serviceTokens: p(`SELECT ${TOKEN_COLS} FROM tokens WHERE kind = 'service' AND org_id = ? AND revoked_at IS NULL
        AND oidc_policy_id IS NULL ORDER BY created_at, id`),
      revokeService: p(`UPDATE tokens SET revoked_at = ? WHERE kind = 'service' AND org_id = ? AND id = ? AND revoked_at IS NULL`),
      insertAudit: p(`INSERT INTO audit_events (id, org_id, time, actor_type, actor_id, actor_name, action, environment, keys, outcome, ip, user_agent, details, workspace)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      listPolicies: p(`SELECT ${POLICY_COLS} FROM oidc_policies WHERE org_id = ? ORDER BY name`),
      getPolicy: p(`SELECT ${POLICY_COLS} FROM oidc_policies WHERE org_id = ? AND id = ?`),
      insertPolicy: p(`INSERT INTO oidc_policies (id, org_id, name, issuer, audience, environment_id, claims, ttl_seconds, created_at, created_by, updated_at, workspace_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updatePolicy: p(`UPDATE oidc_policies SET name = ?, issuer = ?, audience = ?, environment_id = ?, claims = ?, ttl_seconds = ?, updated_at = ?, workspace_id = ?
        WHERE org_id = ? AND id = ?`),
      deletePolicy: p('DELETE FROM oidc_policies WHERE org_id = ? AND id = ?'),
      pruneOidcTokens: p(`DELETE FROM tokens WHERE org_id = ? AND oidc_policy_id IS NOT NULL AND expires_at < ?`),
      revokePolicyTokens: p('UPDATE tokens SET revoked_at = ? WHERE org_id = ? AND oidc_policy_id = ? AND revoked_at IS NULL'),
      insertSession: p(`INSERT INTO sessions (hash, user_id, token_id, method, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      getSession: p(`SELECT ${SESSION_COLS} FROM sessions WHERE hash = ?`),
      touchSession: p('UPDATE sessions SET last_seen_at = ? WHERE hash = ?'),
      deleteSession: p('DELETE FROM sessions WHERE hash = ?'),
      deleteExpiredSessions: p('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?'),
      forgetExpiredChallenges: p('DELETE FROM webauthn_challenges WHERE expires_at <= ?'),
      insertChallenge: p('INSERT INTO webauthn_challenges (hash, purpose, subject, data, expires_at) VALUES (?, ?, ?, ?, ?)'),
      dropOldChallenges: p('DELETE FROM webauthn_challenges WHERE purpose = ? AND seq <= ?'),
      takeChallenge: p('DELETE FROM webauthn_challenges WHERE hash = ? RETURNING hash, purpose, subject, data, expires_at AS expiresAt'),
      insertInvitation: p(`INSERT INTO invitations (id, org_id, email, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      listInvitations: p(`SELECT ${INVITATION_COLS} FROM invitations WHERE org_id = ? AND accepted_at IS NULL AND revoked_at IS NULL
        ORDER BY created_at, id`),
      invitationByHash: p(`SELECT ${INVITATION_COLS} FROM invitations WHERE hash = ?`),
      revokeInvitation: p('UPDATE invitations SET revoked_at = ? WHERE org_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL'),
      acceptInvitation: p(`UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL
        AND expires_at > ?`),
      joinOrg: p(`INSERT INTO memberships (org_id, user_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, user_id) DO NOTHING`),
      insertPasskey: p(`INSERT INTO passkeys (id, user_id, name, public_key, counter, transports, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      getPasskey: p(`SELECT ${PASSKEY_COLS} FROM passkeys WHERE id = ?`),
      listPasskeys: p(`SELECT ${PASSKEY_COLS} FROM passkeys WHERE user_id = ? ORDER BY created_at, id`),
      renamePasskey: p('UPDATE passkeys SET name = ? WHERE user_id = ? AND id = ?'),
      deletePasskey: p('DELETE FROM passkeys WHERE user_id = ? AND id = ?'),
      usePasskey: p('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?'),
      userByEmail: p('SELECT id, name, email, instance_admin AS instanceAdmin, created_at AS createdAt FROM users WHERE lower(email) = lower(?)'),
      schemaVersion: p('SELECT max(version) AS v FROM schema_migrations'),
      listAudit: p(`SELECT ${AUDIT_COLS} FROM audit_events WHERE org_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
    };
    this.h = {
      getRetention: p('SELECT days, min_versions AS minVersions, updated_at AS updatedAt, updated_by AS updatedBy FROM history_retention WHERE org_id = ?'),
      setRetention: p(`INSERT INTO history_retention (org_id, days, min_versions, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (org_id) DO UPDATE SET days = excluded.days, min_versions = excluded.min_versions, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`),
      // A kept version goes when the version that replaced it (the next one, kept or current) was
      // written before the cutoff and it is not among the newest minVersions. Both hold for every older
      // version too, so what goes is each secret's versions up to the newest that qualifies.
      prunableVersions: p(`SELECT v.environment_id AS environmentId, e.slug AS environment, v.workspace_id AS workspaceId, v.key,
        max(v.version) AS upTo FROM secret_versions v
        JOIN secrets s ON s.org_id = v.org_id AND s.environment_id = v.environment_id AND s.workspace_id = v.workspace_id AND s.key = v.key
        JOIN environments e ON e.id = v.environment_id
        WHERE v.org_id = ?1 AND v.version <= s.version - ?2 AND coalesce(
          (SELECT n.created_at FROM secret_versions n WHERE n.org_id = v.org_id AND n.environment_id = v.environment_id
            AND n.workspace_id = v.workspace_id AND n.key = v.key AND n.version = v.version + 1),
          CASE WHEN s.version = v.version + 1 THEN s.updated_at END) < ?3
        GROUP BY v.environment_id, v.workspace_id, v.key`),
      pruneVersions: p(`DELETE FROM secret_versions WHERE org_id = ? AND environment_id = ? AND workspace_id = ? AND key = ? AND version <= ?`),
      prunableDeleted: p(`SELECT d.environment_id AS environmentId, e.slug AS environment, d.workspace_id AS workspaceId, d.key, count(*) AS versions
        FROM secret_deleted_versions d JOIN environments e ON e.id = d.environment_id
        WHERE d.org_id = ? AND d.deleted_at < ? GROUP BY d.environment_id, d.workspace_id, d.key`),
      pruneDeleted: p('DELETE FROM secret_deleted_versions WHERE org_id = ? AND deleted_at < ?'),
      forgetUsedOidcTokens: p('DELETE FROM oidc_used_tokens WHERE expires_at < ?'),
      useOidcToken: p('INSERT INTO oidc_used_tokens (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING'),
    };
    // Started after the migrations, so the worker's connection sees the final schema.
    this.audit = new AuditCommitter(file);
  }

  // --- transactions -------------------------------------------------------------------------------

  private tx<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private insertAudit(orgId: string, e: AuditInput): void {
    try {
      this.s.insertAudit!.run(
        randomUUID(),
        orgId,
        e.time,
        e.actorType,
        e.actorId,
        e.actorName,
        e.action,
        e.environment,
        JSON.stringify(e.keys),
        e.outcome,
        e.ip,
        e.userAgent,
        e.details ? JSON.stringify(e.details) : null,
        e.workspace ?? null,
      );
    } catch (err) {
      throw new AuditWriteError(`audit event could not be written: ${(err as Error).message}`);
    }
  }

  /** Numbers a change of the environment and records it; call inside the transaction of the change. */
  private recordChange(orgId: string, environmentId: string, kind: ChangeRow['kind'], key: string, version: number, actor: string, time: string, workspaces: string): number {
    const { seq } = this.get<{ seq: number }>('nextChangeSeq', orgId, environmentId)!;
    this.run('insertChange', environmentId, seq, orgId, kind, key, version, actor, time, workspaces);
    return seq;
  }

  private pruneChanges(environmentId: string, newest: number): void {
    if (newest > this.changeBacklog) this.run('pruneChanges', environmentId, newest - this.changeBacklog);
  }

  private run(name: string, ...args: (string | number | null | Uint8Array)[]) {
    return this.s[name]!.run(...args);
  }

  private get<T>(name: string, ...args: (string | number | null | Uint8Array)[]): T | undefined {
    return this.s[name]!.get(...args) as T | undefined;
  }

  private all<T>(name: string, ...args: (string | number | null | Uint8Array)[]): T[] {
    return this.s[name]!.all(...args) as T[];
  }

  // --- users and tokens ---------------------------------------------------------------------------

  async countUsers(): Promise<number> {
    return this.get<{ n: number }>('countUsers')!.n;
  }

  async createUser(user: UserRow, firstToken: TokenRow): Promise<void> {
    try {
      this.tx(() => {
        this.run('insertUser', user.id, user.name, user.email, user.instanceAdmin ? 1 : 0, user.createdAt);
        this.insertTokenRow(firstToken);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('user exists');
      throw err;
    }
  }

  async getUser(userId: string): Promise<UserRow | undefined> {
    const cached = this.userCache.get(userId);
    if (cached) return cached;
    const row = this.get<Omit<UserRow, 'instanceAdmin'> & { instanceAdmin: number }>('getUser', userId);
    if (!row) return undefined;
    const user = { ...row, instanceAdmin: row.instanceAdmin === 1 };
    remember(this.userCache, userId, user);
    return user;
  }

  private insertTokenRow(t: TokenRow): void {
    this.run('insertToken', t.id, t.kind, t.hash, t.name, t.userId, t.orgId, t.environmentId, t.createdAt, t.createdBy, t.expiresAt,
      t.oidcPolicyId ?? null, t.workflow ? JSON.stringify(t.workflow) : null, t.workspaceId ?? null);
  }

  async findTokenByHash(hash: Uint8Array): Promise<TokenRow | undefined> {
    const k = Buffer.from(hash).toString('base64');
    let row = this.tokenCache.get(k);
    if (!row) {
      const stored = this.get<StoredToken>('tokenByHash', hash);
      row = stored && toTokenRow(stored);
      if (row) remember(this.tokenCache, k, row);
    }
    return row;
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    this.run('touchToken', at, tokenId);
  }

  async createPersonalToken(token: TokenRow): Promise<void> {
    this.insertTokenRow(token);
  }

  async listPersonalTokens(userId: string): Promise<TokenRow[]> {
    return this.all<StoredToken>('personalTokens', userId).map(toTokenRow);
  }

  async revokePersonalToken(userId: string, tokenId: string, at: string): Promise<boolean> {
    this.tokenCache.clear();
    return Number(this.run('revokePersonal', at, userId, tokenId).changes) === 1;
  }

  // --- organizations ------------------------------------------------------------------------------

  async createOrg(org: OrgRow, ownerId: string, environments: EnvironmentRow[], audit: AuditInput): Promise<void> {
    try {
      this.tx(() => {
        this.run('insertOrg', org.id, org.slug, org.name, org.wrappedKey, org.createdAt);
        this.run('upsertMember', org.id, ownerId, 'owner', org.createdAt);
        for (const env of environments) this.run('insertEnv', env.id, org.id, env.slug, env.name, env.createdAt);
        this.insertAudit(org.id, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('org exists');
      throw err;
    }
  }

  async getOrgBySlug(slug: string): Promise<OrgRow | undefined> {
    let row = this.orgCache.get(slug);
    if (!row) {
      row = this.get<OrgRow>('orgBySlug', slug);
      if (row) remember(this.orgCache, slug, row);
    }
    return row;
  }

  async getOrgById(orgId: string): Promise<OrgRow | undefined> {
    return this.get<OrgRow>('orgById', orgId);
  }

  async listOrgsForUser(userId: string): Promise<(OrgRow & { role: Role })[]> {
    return this.all<OrgRow & { role: Role }>('orgsForUser', userId);
  }

  async listAllOrgKeys(): Promise<{ id: string; wrappedKey: Uint8Array }[]> {
    return this.all<{ id: string; wrappedKey: Uint8Array }>('allOrgKeys');
  }

  async rewrapKeys(orgKeys: { id: string; wrappedKey: Uint8Array }[], masterCheck: Uint8Array): Promise<void> {
    this.tx(() => {
      for (const k of orgKeys) {
        if (Number(this.run('setOrgKey', k.wrappedKey, k.id).changes) !== 1) throw new Error(`organization ${k.id} vanished during rotation`);
      }
      this.run('setMeta', 'master_key_check', masterCheck);
    });
    this.orgCache.clear();
  }

  async getMasterCheck(): Promise<Uint8Array | undefined> {
    return this.get<{ value: Uint8Array }>('getMeta', 'master_key_check')?.value;
  }

  async setMasterCheck(check: Uint8Array): Promise<void> {
    this.run('setMeta', 'master_key_check', check);
  }

  // --- members ------------------------------------------------------------------------------------

  async getMember(orgId: string, userId: string): Promise<MemberRow | undefined> {
    return this.get<MemberRow>('getMember', orgId, userId);
  }

  async listMembers(orgId: string): Promise<MemberRow[]> {
    return this.all<MemberRow>('listMembers', orgId);
  }

  async countOwners(orgId: string): Promise<number> {
    return this.get<{ n: number }>('countOwners', orgId)!.n;
  }

  async putMember(orgId: string, userId: string, role: Role, at: string, audit: AuditInput): Promise<void> {
    this.tx(() => {
      if (role !== 'owner') this.keepAnOwner(orgId, userId);
      this.run('upsertMember', orgId, userId, role, at);
      this.insertAudit(orgId, audit);
    });
  }

  async removeMember(orgId: string, userId: string, audit: AuditInput): Promise<boolean> {
    return this.tx(() => {
      this.keepAnOwner(orgId, userId);
      const owned = this.all<{ slug: string }>('workspacesOwnedBy', orgId, userId).map((w) => w.slug);
      if (owned.length > 0) throw new MemberOwnsWorkspacesError(owned);
      if (Number(this.run('deleteMember', orgId, userId).changes) !== 1) return false;
      this.insertAudit(orgId, audit);
      return true;
    });
  }

  /** Inside the transaction: refuses to take the Owner role from the organization's last Owner. */
  private keepAnOwner(orgId: string, userId: string): void {
    if (this.get<MemberRow>('getMember', orgId, userId)?.role !== 'owner') return;
    if (this.get<{ n: number }>('countOwners', orgId)!.n <= 1) throw new LastOwnerError('last owner');
  }

  // --- environments -------------------------------------------------------------------------------

  async listEnvironments(orgId: string): Promise<EnvironmentRow[]> {
    return this.all<EnvironmentRow>('listEnvs', orgId);
  }

  async getEnvironment(orgId: string, slug: string): Promise<EnvironmentRow | undefined> {
    const k = `${orgId}/${slug}`;
    let row = this.envCache.get(k);
    if (!row) {
      row = this.get<EnvironmentRow>('envBySlug', orgId, slug);
      if (row) remember(this.envCache, k, row);
    }
    return row;
  }

  async getEnvironmentById(orgId: string, environmentId: string): Promise<EnvironmentRow | undefined> {
    return this.get<EnvironmentRow>('envById', orgId, environmentId);
  }

  async createEnvironment(orgId: string, env: EnvironmentRow, audit: AuditInput): Promise<void> {
    try {
      this.tx(() => {
        this.run('insertEnv', env.id, orgId, env.slug, env.name, env.createdAt);
        this.insertAudit(orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('environment exists');
      throw err;
    }
  }

  // --- secrets ------------------------------------------------------------------------------------

  async listSecrets(orgId: string, environmentId: string, search?: string, workspaceId = ''): Promise<SecretMetaRow[]> {
    // ASCII only, as keys are: 'ſ' must not find every key with an S.
    if (search) return this.secrets('searchSecrets', orgId, environmentId, workspaceId, search.replace(/[a-z]+/g, (s) => s.toUpperCase()));
    return this.secrets('listSecrets', orgId, environmentId, workspaceId);
  }

  private secrets(name: string, ...args: (string | number | null | Uint8Array)[]): SecretRow[] {
    return this.all<StoredSecret>(name, ...args).map(toSecretRow);
  }

  private secret(orgId: string, environmentId: string, workspaceId: string, key: string): SecretRow | undefined {
    const row = this.get<StoredSecret>('getSecret', orgId, environmentId, workspaceId, key);
    return row && toSecretRow(row);
  }

  async getSecret(orgId: string, environmentId: string, key: string, workspaceId = ''): Promise<SecretRow | undefined> {
    return this.secret(orgId, environmentId, workspaceId, key);
  }

  async environmentRevision(orgId: string, environmentId: string): Promise<number> {
    const k = `${orgId}/${environmentId}`;
    const known = this.revisions.get(k);
    if (known !== undefined) return known;
    const revision = this.get<{ revision: number }>('envRevision', orgId, environmentId)?.revision ?? 0;
    remember(this.revisions, k, revision);
    return revision;
  }

  async getSecretsForReveal(orgId: string, environmentId: string, keys?: string[], workspaceId = ''): Promise<{ revision: number; rows: SecretRow[] }> {
    // Synchronous statements on the one connection that writes: nothing can commit between them.
    const revision = await this.environmentRevision(orgId, environmentId);
    const rows = keys ? this.secrets('namedSecrets', orgId, environmentId, workspaceId, JSON.stringify(keys)) : this.secrets('allSecrets', orgId, environmentId, workspaceId);
    return { revision, rows };
  }

  /** Inside the transaction of a change to the environment's secrets. */
  private bumpRevision(orgId: string, environmentId: string): void {
    this.revisions.delete(`${orgId}/${environmentId}`);
    this.get<{ revision: number }>('bumpRevision', orgId, environmentId);
  }

  /**
   * Records a change in its streams, inside the change's transaction, dropping what is past the
   * backlog: an organization secret's in the environment's and in the stream of every workspace that
   * may use it (`workspaces`, JSON; [] = all), a workspace secret's in that workspace's stream. Each
   * stream numbers its own changes, so a workspace's ids are its own and replay in commit order.
   */
  private recordSecretChange(orgId: string, environmentId: string, workspaceId: string, kind: ChangeRow['kind'], key: string, version: number, actor: string, time: string, workspaces: string): void {
    if (workspaceId !== '') {
      const e = effectiveWorkspaceChange(kind, version, this.availableOrgSecret(orgId, environmentId, workspaceId, key));
      this.recordWorkspaceChange(orgId, environmentId, workspaceId, e.scope, e.kind, key, e.version, actor, time);
      return;
    }
    this.pruneChanges(environmentId, this.recordChange(orgId, environmentId, kind, key, version, actor, time, workspaces));
    const audience = JSON.parse(workspaces) as string[];
    for (const w of this.all<{ id: string; slug: string }>('orgWorkspaces', orgId)) {
      // A workspace that overrides the key sees no change of its effective set.
      if (this.secret(orgId, environmentId, w.id, key)) continue;
      if (audience.length === 0 || audience.includes(w.slug)) this.recordWorkspaceChange(orgId, environmentId, w.id, 'organization', kind, key, version, actor, time);
    }
  }

  /** The organization secret `key` if the workspace may use it (it is what a workspace secret of that key hides). */
  private availableOrgSecret(orgId: string, environmentId: string, workspaceId: string, key: string): SecretRow | undefined {
    const org = this.secret(orgId, environmentId, '', key);
    if (!org || org.workspaces.length === 0) return org;
    const slug = this.get<{ slug: string }>('workspaceById', orgId, workspaceId)?.slug;
    return slug !== undefined && org.workspaces.includes(slug) ? org : undefined;
  }

  private recordWorkspaceChange(orgId: string, environmentId: string, workspaceId: string, scope: SecretScope, kind: ChangeRow['kind'], key: string, version: number, actor: string, time: string): void {
    const { seq } = this.get<{ seq: number }>('nextWsChangeSeq', environmentId, workspaceId)!;
    this.run('insertWsChange', environmentId, workspaceId, seq, orgId, kind, key, version, actor, time, scope);
    if (seq > this.changeBacklog) this.run('pruneWsChanges', environmentId, workspaceId, seq - this.changeBacklog);
  }

  private insertSecretRow(orgId: string, environmentId: string, workspaceId: string, n: NewSecret): void {
    // Inside the write's transaction: a workspace deleted meanwhile gets no orphan secret.
    if (workspaceId !== '' && !this.get('workspaceById', orgId, workspaceId)) throw new WorkspaceGoneError('workspace deleted');
    this.run('insertSecret', n.id, orgId, environmentId, workspaceId, n.key, n.description, n.nonce, n.ciphertext, n.at, n.by, n.at, n.by, JSON.stringify(workspaceId === '' ? (n.workspaces ?? []) : []));
  }

  private updateSecretRow(orgId: string, environmentId: string, workspaceId: string, key: string, u: SecretUpdate) {
    this.run('keepVersion', orgId, environmentId, workspaceId, key, u.expectedVersion);
    const workspaces = u.workspaces !== undefined && workspaceId === '' ? JSON.stringify(u.workspaces) : null;
    return this.run('updateSecret', u.description, u.nonce, u.ciphertext, u.at, u.by, workspaces, orgId, environmentId, workspaceId, key, u.expectedVersion);
  }

  async createSecret(orgId: string, environmentId: string, n: NewSecret, audit: AuditInput, workspaceId = ''): Promise<SecretRow> {
    try {
      const row = this.tx(() => {
        this.insertSecretRow(orgId, environmentId, workspaceId, n);
        this.bumpRevision(orgId, environmentId);
        this.insertAudit(orgId, audit);
        const created = this.secret(orgId, environmentId, workspaceId, n.key)!;
        this.recordSecretChange(orgId, environmentId, workspaceId, 'created', n.key, 1, n.by, n.at, JSON.stringify(created.workspaces));
        return created;
      });
      this.changes.raise(environmentId);
      return row;
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('secret exists');
      throw err;
    }
  }

  async updateSecret(orgId: string, environmentId: string, key: string, u: SecretUpdate, audit: AuditInput, workspaceId = ''): Promise<SecretRow> {
    const row = this.tx(() => {
      const changed = this.updateSecretRow(orgId, environmentId, workspaceId, key, u);
      if (Number(changed.changes) !== 1) {
        const current = this.secret(orgId, environmentId, workspaceId, key);
        throw new VersionConflictError(current?.version ?? 0);
      }
      this.bumpRevision(orgId, environmentId);
      this.insertAudit(orgId, audit);
      const updated = this.secret(orgId, environmentId, workspaceId, key)!;
      this.recordSecretChange(orgId, environmentId, workspaceId, 'updated', key, u.expectedVersion + 1, u.by, u.at, JSON.stringify(updated.workspaces));
      return updated;
    });
    this.changes.raise(environmentId);
    return row;
  }

  async setSecretWorkspaces(orgId: string, environmentId: string, key: string, workspaces: string[], audit: AuditInput): Promise<SecretRow | undefined> {
    const row = this.tx(() => {
      const before = this.secret(orgId, environmentId, '', key);
      if (!before) return undefined;
      this.run('setWorkspaces', JSON.stringify(workspaces), orgId, environmentId, key);
      this.bumpRevision(orgId, environmentId);
      this.insertAudit(orgId, audit);
      // An event for the workspaces that gain or lose it (the version stays: versions are of the value).
      const audience = JSON.stringify(scopeChangeAudience(before.workspaces, workspaces));
      this.recordSecretChange(orgId, environmentId, '', 'updated', key, before.version, changeActor(audit), audit.time, audience);
      return this.secret(orgId, environmentId, '', key);
    });
    if (row) this.changes.raise(environmentId);
    return row;
  }

  async applySecretBatch(orgId: string, environmentId: string, writes: readonly BatchWrite[], batchAudit?: AuditInput, workspaceId = ''): Promise<SecretMetaRow[]> {
    const rows = this.tx(() => {
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i]!;
        if (w.kind === 'create') {
          const n = w.secret;
          try {
            this.insertSecretRow(orgId, environmentId, workspaceId, n);
          } catch (err) {
            if (isUniqueViolation(err)) throw new BatchWriteError(i, new DuplicateError('secret exists'));
            throw err;
          }
        } else if (w.kind === 'delete') {
          this.run('markDeleted', orgId, environmentId, w.key, w.at, workspaceId);
          const deleted = this.get<{ version: number; workspaces: string }>('deleteSecret', orgId, environmentId, workspaceId, w.key);
          if (!deleted) throw new BatchWriteError(i, new VersionConflictError(0));
          this.run('deleteVersions', orgId, environmentId, workspaceId, w.key);
          this.recordSecretChange(orgId, environmentId, workspaceId, 'deleted', w.key, deleted.version, w.by, w.at, deleted.workspaces);
          if (w.audit) this.insertAudit(orgId, w.audit);
          continue;
        } else {
          const changed = this.updateSecretRow(orgId, environmentId, workspaceId, w.key, w.update);
          if (Number(changed.changes) !== 1) {
            const current = this.secret(orgId, environmentId, workspaceId, w.key);
            throw new BatchWriteError(i, new VersionConflictError(current?.version ?? 0));
          }
        }
        if (w.audit) this.insertAudit(orgId, w.audit);
        const key = w.kind === 'create' ? w.secret.key : w.key;
        const scope = JSON.stringify(this.secret(orgId, environmentId, workspaceId, key)!.workspaces);
        if (w.kind === 'create') this.recordSecretChange(orgId, environmentId, workspaceId, 'created', key, 1, w.secret.by, w.secret.at, scope);
        else this.recordSecretChange(orgId, environmentId, workspaceId, 'updated', key, w.update.expectedVersion + 1, w.update.by, w.update.at, scope);
      }
      if (writes.length > 0) this.bumpRevision(orgId, environmentId);
      if (batchAudit) this.insertAudit(orgId, batchAudit);
      return this.secrets('listSecrets', orgId, environmentId, workspaceId);
    });
    if (writes.length > 0) this.changes.raise(environmentId);
    return rows;
  }

  async deleteSecret(orgId: string, environmentId: string, key: string, audit: AuditInput, workspaceId = ''): Promise<boolean> {
    const gone = this.tx(() => {
      this.run('markDeleted', orgId, environmentId, key, audit.time, workspaceId);
      const deleted = this.get<{ version: number; workspaces: string }>('deleteSecret', orgId, environmentId, workspaceId, key);
      if (!deleted) return false;
      this.run('deleteVersions', orgId, environmentId, workspaceId, key);
      this.bumpRevision(orgId, environmentId);
      this.insertAudit(orgId, audit);
      const by = audit.actorType === 'service' ? `token:${audit.actorName ?? ''}` : (audit.actorName ?? 'anonymous');
      this.recordSecretChange(orgId, environmentId, workspaceId, 'deleted', key, deleted.version, by, audit.time, deleted.workspaces);
      return true;
    });
    if (gone) this.changes.raise(environmentId);
    return gone;
  }

  async listSecretVersions(orgId: string, environmentId: string, key: string, workspaceId = ''): Promise<SecretVersionMetaRow[] | undefined> {
    const rows = this.all<SecretVersionMetaRow>('listVersions', orgId, environmentId, key, workspaceId);
    // The current version is always among them, so no rows means no secret.
    return rows.length > 0 ? rows : undefined;
  }

  async secretTimeline(orgId: string, environmentId: string, workspaceId = ''): Promise<TimelineRow[]> {
    return this.all<TimelineRow>('timeline', orgId, environmentId, workspaceId);
  }

  async getSecretVersion(orgId: string, environmentId: string, key: string, version: number, workspaceId = ''): Promise<SecretVersionRow | undefined> {
    return this.get<SecretVersionRow>('getVersion', orgId, environmentId, key, version, workspaceId);
  }

  // --- workspaces ---------------------------------------------------------------------------------

  async listWorkspaces(orgId: string): Promise<WorkspaceRow[]> {
    return this.all<WorkspaceRow>('listWorkspaces', orgId);
  }

  async getWorkspace(orgId: string, slug: string): Promise<WorkspaceRow | undefined> {
    return this.get<WorkspaceRow>('getWorkspace', orgId, slug);
  }

  async getWorkspaceById(orgId: string, workspaceId: string): Promise<WorkspaceRow | undefined> {
    return this.get<WorkspaceRow>('workspaceById', orgId, workspaceId);
  }

  async createWorkspace(orgId: string, w: WorkspaceRow, audit: AuditInput): Promise<void> {
    try {
      this.tx(() => {
        if (!this.get('getMember', orgId, w.ownerId)) throw new OwnerNotMemberError('owner is not a member');
        this.run('insertWorkspace', w.id, orgId, w.slug, w.name, w.ownerId, w.createdAt, w.createdBy);
        this.insertAudit(orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('workspace exists');
      throw err;
    }
  }

  async updateWorkspace(orgId: string, w: WorkspaceRow, audit: AuditInput): Promise<boolean> {
    return this.tx(() => {
      const current = this.get<WorkspaceRow>('workspaceById', orgId, w.id);
      if (!current) return false;
      if (current.ownerId !== w.ownerId && !this.get('getMember', orgId, w.ownerId)) throw new OwnerNotMemberError('owner is not a member');
      if (Number(this.run('updateWorkspace', w.name, w.ownerId, orgId, w.id).changes) !== 1) return false;
      this.insertAudit(orgId, audit);
      return true;
    });
  }

  async deleteWorkspace(orgId: string, workspaceId: string, audit: AuditInput): Promise<string[] | undefined> {
    const keys = this.tx(() => {
      const w = this.get<WorkspaceRow>('workspaceById', orgId, workspaceId);
      if (!w) return undefined;
      const scoped = this.all<{ environment: string; environmentId: string; key: string; workspaces: string }>('scopedOrgSecrets', orgId);
      const lists = scoped.map((r) => ({ ...r, list: JSON.parse(r.workspaces) as string[] }));
      const alone = lists.filter((r) => r.list.length === 1 && r.list[0] === w.slug).map((r) => `${r.environment}/${r.key}`);
      if (alone.length > 0) throw new WorkspaceInUseError(alone);
      for (const r of lists) {
        if (r.list.includes(w.slug)) this.run('setWorkspacesById', JSON.stringify(r.list.filter((s) => s !== w.slug)), orgId, r.environmentId, r.key);
      }
      const deleted = this.all<{ key: string }>('workspaceKeys', orgId, workspaceId).map((r) => r.key);
      this.run('deleteWorkspaceVersions', orgId, workspaceId);
      this.run('deleteWorkspaceDeleted', orgId, workspaceId);
      this.run('deleteWorkspaceSecrets', orgId, workspaceId);
      // Bound service tokens and trust policies go with it (ON DELETE CASCADE).
      this.run('deleteWorkspace', orgId, workspaceId);
      this.run('bumpOrgRevisions', orgId);
      this.revisions.clear();
      this.insertAudit(orgId, { ...audit, keys: deleted });
      return deleted;
    });
    this.tokenCache.clear();
    return keys;
  }

  // --- change events ------------------------------------------------------------------------------

  async latestChange(orgId: string, environmentId: string, workspaceId = ''): Promise<number> {
    if (workspaceId !== '') return this.get<{ seq: number }>('latestWsChange', orgId, environmentId, workspaceId)?.seq ?? 0;
    return this.get<{ seq: number }>('latestChange', orgId, environmentId)?.seq ?? 0;
  }

  async listChanges(orgId: string, environmentId: string, afterSeq: number, limit: number, workspaceId = ''): Promise<ChangeRow[]> {
    if (workspaceId !== '') return this.all<ChangeRow>('listWsChanges', environmentId, workspaceId, orgId, afterSeq, limit);
    return this.all<Omit<ChangeRow, 'workspaces'> & { workspaces: string | null }>('listChanges', environmentId, orgId, afterSeq, limit).map((r) => ({
      ...r,
      workspaces: r.workspaces === null ? null : (JSON.parse(r.workspaces) as string[]),
    }));
  }

  watchChanges(environmentId: string, wake: () => void): () => void {
    return this.changes.watch(environmentId, wake);
  }

  // --- service tokens -----------------------------------------------------------------------------

  async createServiceToken(orgId: string, token: TokenRow, audit: AuditInput): Promise<void> {
    this.tx(() => {
      this.insertTokenRow({ ...token, orgId });
      this.insertAudit(orgId, audit);
    });
  }

  async listServiceTokens(orgId: string): Promise<TokenRow[]> {
    return this.all<StoredToken>('serviceTokens', orgId).map(toTokenRow);
  }

  async revokeServiceToken(orgId: string, tokenId: string, at: string, audit: AuditInput): Promise<boolean> {
    this.tokenCache.clear();
    return this.tx(() => {
      const revoked = Number(this.run('revokeService', at, orgId, tokenId).changes) === 1;
      if (revoked) this.insertAudit(orgId, audit);
      return revoked;
    });
  }

  // --- OIDC trust policies ------------------------------------------------------------------------

  async listOidcPolicies(orgId: string): Promise<OidcPolicyRow[]> {
    return this.all<Omit<OidcPolicyRow, 'claims'> & { claims: string }>('listPolicies', orgId).map(toPolicyRow);
  }

  async getOidcPolicy(orgId: string, policyId: string): Promise<OidcPolicyRow | undefined> {
    const row = this.get<Omit<OidcPolicyRow, 'claims'> & { claims: string }>('getPolicy', orgId, policyId);
    return row && toPolicyRow(row);
  }

  async createOidcPolicy(orgId: string, p: OidcPolicyRow, audit: AuditInput): Promise<void> {
    try {
      this.tx(() => {
        this.run('insertPolicy', p.id, orgId, p.name, p.issuer, p.audience, p.environmentId, JSON.stringify(p.claims), p.ttlSeconds, p.createdAt, p.createdBy, p.updatedAt, p.workspaceId ?? null);
        this.insertAudit(orgId, audit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('policy exists');
      throw err;
    }
  }

  async updateOidcPolicy(orgId: string, p: OidcPolicyRow, audit: AuditInput): Promise<boolean> {
    try {
      return this.tx(() => {
        const changed = Number(
          this.run('updatePolicy', p.name, p.issuer, p.audience, p.environmentId, JSON.stringify(p.claims), p.ttlSeconds, p.updatedAt, p.workspaceId ?? null, orgId, p.id).changes,
        );
        if (changed === 1) this.insertAudit(orgId, audit);
        return changed === 1;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('policy exists');
      throw err;
    }
  }

  async deleteOidcPolicy(orgId: string, policyId: string, at: string, audit: AuditInput): Promise<boolean> {
    this.tokenCache.clear();
    return this.tx(() => {
      const gone = Number(this.run('deletePolicy', orgId, policyId).changes) === 1;
      if (gone) {
        this.run('revokePolicyTokens', at, orgId, policyId);
        this.insertAudit(orgId, audit);
      }
      return gone;
    });
  }

  async pruneOidcTokens(orgId: string, before: string): Promise<number> {
    const gone = Number(this.run('pruneOidcTokens', orgId, before).changes);
    if (gone > 0) this.tokenCache.clear();
    return gone;
  }

  async useOidcToken(issuer: string, jti: string, expiresAt: string, now: string): Promise<boolean> {
    return this.tx(() => {
      this.h.forgetUsedOidcTokens!.run(now);
      return Number(this.h.useOidcToken!.run(issuer, jti, expiresAt).changes) === 1;
    });
  }

  // --- history retention --------------------------------------------------------------------------

  async getHistoryRetention(orgId: string): Promise<HistoryRetentionRow | undefined> {
    return this.h.getRetention!.get(orgId) as HistoryRetentionRow | undefined;
  }

  async setHistoryRetention(orgId: string, r: HistoryRetentionRow, audit: AuditInput): Promise<void> {
    this.tx(() => {
      this.h.setRetention!.run(orgId, r.days, r.minVersions, r.updatedAt, r.updatedBy);
      this.insertAudit(orgId, audit);
    });
  }

  async pruneHistory(orgId: string, cutoff: string, minVersions: number, audit: (pruned: PrunedEnvironment) => AuditInput): Promise<PrunedEnvironment[]> {
    return this.tx(() => {
      const values: PrunedRow[] = [];
      for (const r of this.h.prunableVersions!.all(orgId, minVersions, cutoff) as unknown as (Omit<PrunedRow, 'versions'> & { workspaceId: string; upTo: number })[]) {
        const gone = Number(this.h.pruneVersions!.run(orgId, r.environmentId, r.workspaceId, r.key, r.upTo).changes);
        values.push({ environmentId: r.environmentId, environment: r.environment, workspaceId: r.workspaceId, key: r.key, versions: gone });
      }
      const deleted = this.h.prunableDeleted!.all(orgId, cutoff) as unknown as PrunedRow[];
      this.h.pruneDeleted!.run(orgId, cutoff);
      const slugs = new Map(this.all<WorkspaceRow>('listWorkspaces', orgId).map((w) => [w.id, w.slug]));
      const pruned = groupPruned(values, deleted, slugs);
      for (const p of pruned) this.insertAudit(orgId, audit(p));
      return pruned;
    });
  }

  // --- sessions -----------------------------------------------------------------------------------

  async createSession(r: SessionRow): Promise<void> {
    this.run('insertSession', r.hash, r.userId, r.tokenId, r.method, r.createdAt, r.lastSeenAt, r.expiresAt);
  }

  async getSession(hash: Uint8Array): Promise<SessionRow | undefined> {
    return this.get<SessionRow>('getSession', hash);
  }

  async touchSession(hash: Uint8Array, at: number): Promise<void> {
    this.run('touchSession', at, hash);
  }

  async deleteSession(hash: Uint8Array): Promise<boolean> {
    return Number(this.run('deleteSession', hash).changes) === 1;
  }

  async deleteExpiredSessions(now: number, idleBefore: number): Promise<void> {
    this.run('deleteExpiredSessions', now, idleBefore);
  }

  // --- WebAuthn challenges ------------------------------------------------------------------------

  async putChallenge(c: ChallengeRow, now: number, max: number): Promise<void> {
    this.tx(() => {
      this.run('forgetExpiredChallenges', now);
      const seq = Number(this.run('insertChallenge', c.hash, c.purpose, c.subject, JSON.stringify(c.data), c.expiresAt).lastInsertRowid);
      this.run('dropOldChallenges', c.purpose, seq - max);
    });
  }

  async takeChallenge(hash: Uint8Array): Promise<ChallengeRow | undefined> {
    const r = this.get<Omit<ChallengeRow, 'data'> & { data: string }>('takeChallenge', hash);
    return r && { ...r, data: JSON.parse(r.data) as Record<string, string> };
  }

  // --- invitations --------------------------------------------------------------------------------

  async createInvitation(i: InvitationRow, audit: AuditInput): Promise<void> {
    this.tx(() => {
      this.run('insertInvitation', i.id, i.orgId, i.email, i.role, i.hash, i.createdAt, i.createdBy, i.expiresAt);
      this.insertAudit(i.orgId, audit);
    });
  }

  async listInvitations(orgId: string): Promise<InvitationRow[]> {
    return this.all<InvitationRow>('listInvitations', orgId);
  }

  async getInvitationByHash(hash: Uint8Array): Promise<InvitationRow | undefined> {
    return this.get<InvitationRow>('invitationByHash', hash);
  }

  async revokeInvitation(orgId: string, id: string, at: string, audit: AuditInput): Promise<boolean> {
    return this.tx(() => {
      const revoked = Number(this.run('revokeInvitation', at, orgId, id).changes) === 1;
      if (revoked) this.insertAudit(orgId, audit);
      return revoked;
    });
  }

  async acceptInvitation(i: InvitationRow, user: UserRow, newUser: { passkey: PasskeyRow } | null, at: string, audit: AuditInput): Promise<boolean> {
    try {
      return this.tx(() => {
        if (Number(this.run('acceptInvitation', at, user.id, i.id, at).changes) !== 1) return false;
        if (newUser) {
          this.run('insertUser', user.id, user.name, user.email, user.instanceAdmin ? 1 : 0, user.createdAt);
          this.insertPasskeyRow(newUser.passkey);
        }
        this.run('joinOrg', i.orgId, user.id, i.role, at);
        this.insertAudit(i.orgId, audit);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('user or passkey exists');
      throw err;
    }
  }

  // --- passkeys -----------------------------------------------------------------------------------

  private insertPasskeyRow(k: PasskeyRow): void {
    this.run('insertPasskey', k.id, k.userId, k.name, k.publicKey, k.counter, k.transports, k.createdAt);
  }

  async createPasskey(k: PasskeyRow): Promise<void> {
    try {
      this.insertPasskeyRow(k);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('passkey exists');
      throw err;
    }
  }

  async getPasskey(id: string): Promise<PasskeyRow | undefined> {
    return this.get<PasskeyRow>('getPasskey', id);
  }

  async listPasskeys(userId: string): Promise<PasskeyRow[]> {
    return this.all<PasskeyRow>('listPasskeys', userId);
  }

  async renamePasskey(userId: string, id: string, name: string): Promise<boolean> {
    return Number(this.run('renamePasskey', name, userId, id).changes) === 1;
  }

  async deletePasskey(userId: string, id: string): Promise<boolean> {
    return Number(this.run('deletePasskey', userId, id).changes) === 1;
  }

  async usePasskey(id: string, counter: number, at: string): Promise<void> {
    this.run('usePasskey', counter, at, id);
  }

  async getUserByEmail(email: string): Promise<UserRow | undefined> {
    const row = this.get<Omit<UserRow, 'instanceAdmin'> & { instanceAdmin: number }>('userByEmail', email);
    return row ? { ...row, instanceAdmin: row.instanceAdmin === 1 } : undefined;
  }

  // --- audit --------------------------------------------------------------------------------------

  appendAudit(orgId: string, event: AuditInput): Promise<void> {
    return this.audit.append(orgId, event);
  }

  async listAudit(orgId: string, limit: number, beforeSeq?: number, filter?: AuditFilter): Promise<AuditRow[]> {
    // Denials are not awaited by the requests that caused them; a reader still sees every event
    // recorded before it asked.
    await this.audit.settled();
    if (!filter || Object.keys(filter).length === 0) {
      return auditRows(this.all('listAudit', orgId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit));
    }
    const { where, args } = auditWhere(filter);
    const sql = `SELECT ${AUDIT_COLS} FROM audit_events WHERE org_id = ? AND seq < ?${where} ORDER BY seq DESC LIMIT ?`;
    return auditRows(this.db.prepare(sql).all(orgId, beforeSeq ?? Number.MAX_SAFE_INTEGER, ...args, limit) as RawAuditRow[]);
  }

  async listAuditAfter(orgId: string, limit: number, afterId: string, filter: AuditFilter = {}): Promise<AuditRow[] | undefined> {
    await this.audit.settled();
    const after = this.db.prepare('SELECT seq FROM audit_events WHERE org_id = ? AND id = ?').get(orgId, afterId) as { seq: number } | undefined;
    if (!after) return undefined;
    const { where, args } = auditWhere(filter);
    const sql = `SELECT ${AUDIT_COLS} FROM audit_events WHERE org_id = ? AND seq > ?${where} ORDER BY seq ASC LIMIT ?`;
    return auditRows(this.db.prepare(sql).all(orgId, after.seq, ...args, limit) as RawAuditRow[]);
  }

  async ping(): Promise<void> {
    const { v } = this.get<{ v: number | null }>('schemaVersion')!;
    if (v !== LATEST_MIGRATION) throw new Error(`the database schema is at version ${v ?? 0}, this server needs ${LATEST_MIGRATION}`);
  }

  /** One process per data directory (data-dir/lock.ts): nothing else to exclude. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async close(): Promise<void> {
    await this.audit.close();
    if (this.db.isOpen) this.db.close();
  }
}
