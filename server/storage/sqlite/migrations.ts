// Versioned schema migrations, applied in order inside one transaction each. Append new versions;
// never edit one that has shipped.
import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        instance_admin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX users_email ON users (lower(email));

      CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE memberships (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        added_at TEXT NOT NULL,
        PRIMARY KEY (org_id, user_id)
      ) STRICT;
      CREATE INDEX memberships_user ON memberships (user_id);

      CREATE TABLE environments (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        slug TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (org_id, slug)
      ) STRICT;

      -- workspace_id '' means organization-wide; workspaces come in a later issue.
      CREATE TABLE secrets (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        UNIQUE (org_id, environment_id, workspace_id, key)
      ) STRICT;

      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('personal', 'service')),
        hash BLOB NOT NULL UNIQUE,
        name TEXT NOT NULL,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT REFERENCES environments (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      ) STRICT;
      CREATE INDEX tokens_user ON tokens (user_id);
      CREATE INDEX tokens_org ON tokens (org_id);

      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        user_agent TEXT
      ) STRICT;
      CREATE INDEX audit_org_seq ON audit_events (org_id, seq);
    `,
  },
  {
    version: 2,
    name: 'aggregated denials',
    sql: `
      -- Repeats of one denied attempt within a window are one event with a count (audit/denials.ts):
      -- repeat_key names the attempt and its window; events recorded on their own terms leave it NULL.
      ALTER TABLE audit_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE audit_events ADD COLUMN repeat_key TEXT;
      CREATE UNIQUE INDEX audit_repeats ON audit_events (org_id, repeat_key) WHERE repeat_key IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'web sign-in: sessions, invitations, passkeys',
    sql: `
      -- A session is found by the SHA-256 of its cookie's secret; the secret itself is never stored.
      -- token_id: the personal token it was signed in with (the session ends with that token), or NULL
      -- for a passkey sign-in. Times are epoch milliseconds from the server's clock.
      CREATE TABLE sessions (
        hash BLOB PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_id TEXT REFERENCES tokens (id) ON DELETE CASCADE,
        method TEXT NOT NULL CHECK (method IN ('token', 'passkey')),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_user ON sessions (user_id);

      -- An invitation's link secret is stored as its SHA-256 only.
      CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        hash BLOB NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        accepted_at TEXT,
        accepted_by TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX invitations_org ON invitations (org_id);

      -- WebAuthn credentials: id is the credential id (base64url), public_key its COSE public key.
      CREATE TABLE passkeys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        public_key BLOB NOT NULL,
        counter INTEGER NOT NULL,
        transports TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      ) STRICT;
      CREATE INDEX passkeys_user ON passkeys (user_id);
    `,
  },
  {
    version: 4,
    name: 'oidc trust policies',
    sql: `
      -- Keyless CI (services/oidc/): which OIDC tokens an organization trusts, for which environment.
      -- claims is a JSON object of claim name to exact value or glob.
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
      ) STRICT;
      -- A token minted by an exchange names its policy (deleting the policy revokes it) and carries the
      -- verified workflow claims its audit events record (JSON).
      ALTER TABLE tokens ADD COLUMN oidc_policy_id TEXT;
      ALTER TABLE tokens ADD COLUMN workflow TEXT;
      CREATE INDEX tokens_oidc_policy ON tokens (oidc_policy_id) WHERE oidc_policy_id IS NOT NULL;
      -- What else an event knows (a workflow, a policy, refusals): JSON, NULL when nothing.
      ALTER TABLE audit_events ADD COLUMN details TEXT;
    `,
  },
  {
    version: 5,
    name: 'change events',
    sql: `
      -- Live events (GET …/events): every committed create, update and delete of a secret, numbered per
      -- environment in commit order. The counter lives on the environment row, so the writer that takes
      -- a number holds that row until it commits (on PostgreSQL too): numbers appear without gaps in
      -- commit order. Only the newest SECRETS_EVENTS_BACKLOG rows of an environment are kept.
      ALTER TABLE environments ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE change_events (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        actor TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (environment_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'environment revisions',
    sql: `
      -- Raised in the transaction of every change to the environment's secrets: the reveal cache
      -- serves an entry only while the revision it was read at is still the current one.
      ALTER TABLE environments ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 7,
    name: 'secret versions',
    sql: `
      -- Every version a create or update replaced, ciphertext still bound to its own version. The
      -- current version stays in secrets; deleting a secret deletes these rows in its transaction, so
      -- a deleted secret's history is gone for good (only the audit log remembers the deletion).
      CREATE TABLE secret_versions (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        description TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (org_id, environment_id, workspace_id, key, version)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'deleted secrets metadata',
    sql: `
      -- When each version of a deleted secret existed, so an environment can be read as it was at a
      -- moment before the deletion. Metadata only: no value, no ciphertext, no description (the seeds
      -- promise a deleted secret cannot be recovered). Written in the deletion's transaction.
      CREATE TABLE secret_deleted_versions (
        org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        deleted_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX secret_deleted_versions_env ON secret_deleted_versions (org_id, environment_id, key);
    `,
  },
  {
    version: 9,
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
      ) STRICT;
      -- Organization secrets: the workspace slugs that may use them (JSON array, sorted; [] = all).
      ALTER TABLE secrets ADD COLUMN workspaces TEXT NOT NULL DEFAULT '[]';
      -- A service token (and a trust policy, for the tokens it mints) bound to a workspace; deleted with it.
      ALTER TABLE tokens ADD COLUMN workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE;
      ALTER TABLE oidc_policies ADD COLUMN workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE;
      ALTER TABLE audit_events ADD COLUMN workspace TEXT;
      CREATE INDEX secrets_workspace ON secrets (org_id, workspace_id) WHERE workspace_id <> '';
    `,
  },
  {
    version: 10,
    name: 'workspace change events',
    sql: `
      -- The workspaces an organization secret could be used by when it changed (JSON; NULL for changes
      -- recorded before workspaces existed: every workspace), so a workspace's stream shows only its own.
      ALTER TABLE change_events ADD COLUMN workspaces TEXT;
      -- A workspace's own secrets' changes, numbered per workspace and environment like change_events.
      CREATE TABLE workspace_streams (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        change_seq INTEGER NOT NULL,
        PRIMARY KEY (environment_id, workspace_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE workspace_change_events (
        environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        actor TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (environment_id, workspace_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'organization changes in workspace streams',
    sql: `
      -- A workspace's stream also numbers the changes of organization secrets it may use (scope
      -- 'organization'), so its ids are its own and a resume replays in commit order.
      ALTER TABLE workspace_change_events ADD COLUMN scope TEXT NOT NULL DEFAULT 'workspace' CHECK (scope IN ('organization', 'workspace'));
    `,
  },
  {
    version: 12,
    name: 'history retention and used OIDC tokens',
    sql: `
      -- An organization's history retention (services/secrets/history-retention.ts); no row means the
      -- defaults (90 days, at least the last 10 versions).
      CREATE TABLE history_retention (
        org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
        days INTEGER NOT NULL,
        min_versions INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      ) STRICT;
      -- Every OIDC token exchanged (issuer and jti, never the token), until it expires: an OIDC token
      -- is exchanged once. Shared by every instance on the database.
      CREATE TABLE oidc_used_tokens (
        issuer TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (issuer, jti)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX oidc_used_tokens_expiry ON oidc_used_tokens (expires_at);
    `,
  },
  {
    version: 13,
    name: 'webauthn challenges',
    sql: `
      -- WebAuthn challenges waiting for their ceremony's end (server/auth/challenges.ts): the SHA-256
      -- of the challenge, never the challenge; seq is the issue order, so the oldest go first when the
      -- table is full. Times are epoch milliseconds from the server's clock.
      CREATE TABLE webauthn_challenges (
        seq INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,
        purpose TEXT NOT NULL CHECK (purpose IN ('register', 'invite', 'sign-in')),
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
    `,
  },
];

/** The schema version this server runs on (what `migrate` brings a database to). */
export const LATEST_MIGRATION = Math.max(...MIGRATIONS.map((m) => m.version));

export function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (newest > known) throw new Error(`the database schema (version ${newest}) is newer than this server (${known})`);
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
