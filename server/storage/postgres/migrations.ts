// PostgreSQL schema migrations, applied in order, each in its own transaction, while holding a
// session advisory lock: instances that start together wait for the first one to finish, then find
// nothing left to do. Append new versions; never edit one that has shipped. The schema mirrors
// sqlite/migrations.ts (times are ISO 8601 text in both, so answers are byte-identical across backends).
import type { PoolClient } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** The advisory-lock key that serializes migrations and first-start set-up across instances. */
export const STARTUP_LOCK_KEY = 0x5ec7e75;
/**
 * Held shared by every running server for its lifetime and exclusively by a master-key rotation, so a
 * rotation never runs beside a server (which would go on wrapping new organizations' keys under the
 * old master key), as the data directory's lock does for SQLite.
 */
export const RUNNING_LOCK_KEY = 0x5ec7e76;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value BYTEA NOT NULL
      );

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        instance_admin BOOLEAN NOT NULL DEFAULT false,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX users_email ON users (lower(email));

      CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        wrapped_key BYTEA NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE memberships (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        added_at TEXT NOT NULL,
        PRIMARY KEY (org_id, user_id)
      );
      CREATE INDEX memberships_user ON memberships (user_id);

      CREATE TABLE environments (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        slug TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        -- Raised in the transaction of every change to the environment's secrets (reveal-cache.ts).
        revision BIGINT NOT NULL DEFAULT 0,
        UNIQUE (org_id, slug)
      );

      CREATE TABLE secrets (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL COLLATE "C",
        description TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL,
        nonce BYTEA NOT NULL,
        ciphertext BYTEA NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        UNIQUE (org_id, environment_id, workspace_id, key)
      );

      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('personal', 'service')),
        hash BYTEA NOT NULL UNIQUE,
        name TEXT NOT NULL,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT REFERENCES environments (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX tokens_user ON tokens (user_id);
      CREATE INDEX tokens_org ON tokens (org_id);

      CREATE TABLE audit_events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        org_id TEXT NOT NULL,
        time TEXT NOT NULL,
        actor_type TEXT NOT NULL,
        actor_id TEXT,
        actor_name TEXT,
        action TEXT NOT NULL,
        environment TEXT,
        keys TEXT NOT NULL,
        outcome TEXT NOT NULL,
        ip TEXT NOT NULL,
        user_agent TEXT,
        count INTEGER NOT NULL DEFAULT 1,
        repeat_key TEXT
      );
      CREATE INDEX audit_org_seq ON audit_events (org_id, seq);
      CREATE UNIQUE INDEX audit_repeats ON audit_events (org_id, repeat_key) WHERE repeat_key IS NOT NULL;
    `,
  },
  {
    // Versions 2-4 mirror SQLite's 3-5 (SQLite's 6, environment revisions, is part of version 1 here).
    version: 2,
    name: 'web sign-in: sessions, invitations, passkeys',
    sql: `
      -- A session is found by the SHA-256 of its cookie's secret; the secret itself is never stored.
      -- Times are epoch milliseconds from the server's clock.
      CREATE TABLE sessions (
        hash BYTEA PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_id TEXT REFERENCES tokens (id) ON DELETE CASCADE,
        method TEXT NOT NULL CHECK (method IN ('token', 'passkey')),
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX sessions_expiry ON sessions (expires_at);

      CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        hash BYTEA NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        accepted_at TEXT,
        accepted_by TEXT,
        revoked_at TEXT
      );
      CREATE INDEX invitations_org ON invitations (org_id);

      CREATE TABLE passkeys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        public_key BYTEA NOT NULL,
        counter BIGINT NOT NULL,
        transports TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      );
      CREATE INDEX passkeys_user ON passkeys (user_id);
    `,
  },
  {
    version: 3,
    name: 'oidc trust policies',
    sql: `
      CREATE TABLE oidc_policies (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        issuer TEXT NOT NULL,
        audience TEXT NOT NULL,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        claims TEXT NOT NULL,
        ttl_seconds INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (org_id, name)
      );
      ALTER TABLE tokens ADD COLUMN oidc_policy_id TEXT;
      ALTER TABLE tokens ADD COLUMN workflow TEXT;
      CREATE INDEX tokens_oidc_policy ON tokens (oidc_policy_id) WHERE oidc_policy_id IS NOT NULL;
      ALTER TABLE audit_events ADD COLUMN details TEXT;
    `,
  },
  {
    version: 4,
    name: 'change events',
    sql: `
      -- Numbered per environment in commit order: the writer that takes a number holds the
      -- environment's row lock (UPDATE ... RETURNING) until it commits, so numbers appear without gaps.
      ALTER TABLE environments ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE change_events (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        actor TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (environment_id, seq)
      );
    `,
  },
  {
    version: 5,
    name: 'secret versions',
    sql: `
      -- Every version a create or update replaced, ciphertext still bound to its own version. The
      -- current version stays in secrets; deleting a secret deletes these rows in its transaction, so
      -- a deleted secret's history is gone for good (only the audit log remembers the deletion).
      CREATE TABLE secret_versions (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL COLLATE "C",
        version INTEGER NOT NULL,
        description TEXT NOT NULL,
        nonce BYTEA NOT NULL,
        ciphertext BYTEA NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (org_id, environment_id, workspace_id, key, version)
      );
    `,
  },
  {
    version: 6,
    name: 'deleted secrets metadata',
    sql: `
      -- When each version of a deleted secret existed, so an environment can be read as it was at a
      -- moment before the deletion. Metadata only: no value, no ciphertext, no description (the seeds
      -- promise a deleted secret cannot be recovered). Written in the deletion's transaction.
      CREATE TABLE secret_deleted_versions (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL COLLATE "C",
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        deleted_at TEXT NOT NULL
      );
      CREATE INDEX secret_deleted_versions_env ON secret_deleted_versions (org_id, environment_id, key);
    `,
  },
  {
    version: 7,
    name: 'workspaces',
    sql: `
      -- A workspace's own secrets are rows of secrets (and their versions) with its id as workspace_id.
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        slug TEXT NOT NULL,
        name TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        UNIQUE (org_id, slug)
      );
      -- Organization secrets: the workspace slugs that may use them (sorted; empty = all).
      ALTER TABLE secrets ADD COLUMN workspaces TEXT[] NOT NULL DEFAULT '{}';
      -- A service token (and a trust policy, for the tokens it mints) bound to a workspace; deleted with it.
      ALTER TABLE tokens ADD COLUMN workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE;
      ALTER TABLE oidc_policies ADD COLUMN workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE;
      ALTER TABLE audit_events ADD COLUMN workspace TEXT;
      CREATE INDEX secrets_workspace ON secrets (org_id, workspace_id) WHERE workspace_id <> '';
    `,
  },
  {
    version: 8,
    name: 'workspace change events',
    sql: `
      -- The workspaces an organization secret could be used by when it changed (NULL for changes
      -- recorded before workspaces existed: every workspace), so a workspace's stream shows only its own.
      ALTER TABLE change_events ADD COLUMN workspaces TEXT[];
      -- A workspace's own secrets' changes, numbered per workspace and environment like change_events.
      CREATE TABLE workspace_streams (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        change_seq BIGINT NOT NULL,
        PRIMARY KEY (environment_id, workspace_id)
      );
      CREATE TABLE workspace_change_events (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        actor TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (environment_id, workspace_id, seq)
      );
    `,
  },
  {
    version: 9,
    name: 'organization changes in workspace streams',
    sql: `
      -- A workspace's stream also numbers the changes of organization secrets it may use (scope
      -- 'organization'), so its ids are its own and a resume replays in commit order.
      ALTER TABLE workspace_change_events ADD COLUMN scope TEXT NOT NULL DEFAULT 'workspace' CHECK (scope IN ('organization', 'workspace'));
    `,
  },
  {
    version: 10,
    name: 'history retention and used OIDC tokens',
    sql: `
      -- An organization's history retention; no row means the defaults (90 days, at least 10 versions).
      CREATE TABLE history_retention (
        org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
        days INTEGER NOT NULL,
        min_versions INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      -- Every OIDC token exchanged (issuer and jti, never the token), until it expires: an OIDC token
      -- is exchanged once, whichever instance it reaches.
      CREATE TABLE oidc_used_tokens (
        issuer TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (issuer, jti)
      );
      CREATE INDEX oidc_used_tokens_expiry ON oidc_used_tokens (expires_at);
    `,
  },
  {
    version: 11,
    name: 'audit events numbered per organization in commit order',
    sql: `
      -- audit_events.seq is handed out at insert, not at commit: a long transaction can commit a lower
      -- one after a higher one was read, and a reader asking for "after n" would pass it by. An
      -- organization's events are numbered from its counter row instead, in the statement that inserts
      -- them; the row stays locked until that transaction ends, so the numbers follow commit order.
      CREATE TABLE audit_counters (
        org_id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL
      );
      ALTER TABLE audit_events ADD COLUMN org_seq BIGINT;
      UPDATE audit_events a SET org_seq = r.n
        FROM (SELECT seq, row_number() OVER (PARTITION BY org_id ORDER BY seq) AS n FROM audit_events) r
        WHERE a.seq = r.seq;
      ALTER TABLE audit_events ALTER COLUMN org_seq SET NOT NULL;
      CREATE UNIQUE INDEX audit_org_commit_seq ON audit_events (org_id, org_seq);
      INSERT INTO audit_counters (org_id, seq) SELECT org_id, max(org_seq) FROM audit_events GROUP BY org_id;
      DROP INDEX audit_org_seq;
    `,
  },
  {
    version: 12,
    name: 'webauthn challenges',
    sql: `
      -- WebAuthn challenges waiting for their ceremony's end, whichever instance it reaches: the
      -- SHA-256 of the challenge, never the challenge; seq is the issue order, so the oldest go first
      -- when the table is full. Times are epoch milliseconds from the server's clock.
      CREATE TABLE webauthn_challenges (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        hash BYTEA NOT NULL UNIQUE,
        purpose TEXT NOT NULL CHECK (purpose IN ('register', 'invite', 'sign-in')),
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
    `,
  },
];

/** The schema version this server runs on. */
export const LATEST_PG_MIGRATION = Math.max(...PG_MIGRATIONS.map((m) => m.version));

/** Applies what is missing; returns the versions this call applied (none when another instance did). */
export async function migratePostgres(client: PoolClient): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
    if (newest > known) throw new Error(`the database schema (version ${newest}) is newer than this server (${known})`);
    const done: number[] = [];
    for (const m of PG_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      done.push(m.version);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
  }
}
