// The storage interface the routes use. Every call about an organization's data takes that
// organization's id, so no query can reach across organizations. Methods that change data take the
// audit event to record and write it in the same transaction: the change and its audit land together
// or not at all. Check-then-act rules (last owner, expected version, unique keys) are decided inside the
// storage's transactions, so they hold when several server instances share one database. SQLite
// (sqlite/, one process) and PostgreSQL (postgres/, any number of instances) implement it.
import type { AuditAction, AuditOutcome, Role } from '../../core/api-types.ts';

export interface UserRow {
  id: string;
  name: string;
  email: string;
  instanceAdmin: boolean;
  createdAt: string;
}

export interface TokenRow {
  id: string;
  kind: 'personal' | 'service';
  hash: Uint8Array;
  name: string;
  userId: string | null;
  orgId: string | null;
  environmentId: string | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  /** The org's data key, wrapped by the master key. */
  wrappedKey: Uint8Array;
  createdAt: string;
}

export interface MemberRow {
  userId: string;
  name: string;
  email: string;
  role: Role;
  addedAt: string;
}

export interface EnvironmentRow {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
}

/**
 * Secrets belong to an organization and an environment. `workspaceId` is '' for organization-wide
 * secrets; workspaces (org secrets scoped to chosen workspaces, workspace secrets overriding them)
 * arrive in a later issue and will use it.
 */
export interface SecretRow {
  id: string;
  environmentId: string;
  workspaceId: string;
  key: string;
  description: string;
  version: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type SecretMetaRow = Omit<SecretRow, 'nonce' | 'ciphertext'>;

export interface AuditInput {
  time: string;
  actorType: 'user' | 'service' | 'anonymous';
  actorId: string | null;
  actorName: string | null;
  action: AuditAction;
  environment: string | null;
  keys: string[];
  outcome: AuditOutcome;
  ip: string;
  userAgent: string | null;
  /** Set for denials: later events with the same key add to the first one's count instead of a row. */
  repeatKey?: string;
}

export interface AuditRow extends Omit<AuditInput, 'repeatKey'> {
  id: string;
  seq: number;
  /** How many attempts this event stands for (1 unless repeats were aggregated into it). */
  count: number;
}

export interface NewSecret {
  id: string;
  key: string;
  description: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  at: string;
  by: string;
}

export interface SecretUpdate {
  description: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  expectedVersion: number;
  at: string;
  by: string;
}

/** Raised by storage when a unique constraint would be broken (the caller maps it to a 409). */
export class DuplicateError extends Error {
  readonly code = 'DUPLICATE';
}

/** Raised when an optimistic update found a different version than expected. */
export class VersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  readonly current: number;
  constructor(current: number) {
    super(`version ${current} is current`);
    this.current = current;
  }
}

/** Raised when a change would leave the organization without an Owner (the caller maps it to a 409). */
export class LastOwnerError extends Error {
  readonly code = 'LAST_OWNER';
}

/** Raised when the audit event could not be written, so the change was rolled back. */
export class AuditWriteError extends Error {
  readonly code = 'AUDIT_WRITE_FAILED';
}

export interface Storage {
  // Instance-level: users and the tokens that authenticate them.
  countUsers(): Promise<number>;
  /** Creates a user together with their first personal token. */
  createUser(user: UserRow, firstToken: TokenRow): Promise<void>;
  getUser(userId: string): Promise<UserRow | undefined>;
  findTokenByHash(hash: Uint8Array): Promise<TokenRow | undefined>;
  touchToken(tokenId: string, at: string): Promise<void>;
  createPersonalToken(token: TokenRow): Promise<void>;
  listPersonalTokens(userId: string): Promise<TokenRow[]>;
  revokePersonalToken(userId: string, tokenId: string, at: string): Promise<boolean>;

  // Organizations.
  createOrg(org: OrgRow, ownerId: string, environments: EnvironmentRow[], audit: AuditInput): Promise<void>;
  getOrgBySlug(slug: string): Promise<OrgRow | undefined>;
  getOrgById(orgId: string): Promise<OrgRow | undefined>;
  listOrgsForUser(userId: string): Promise<(OrgRow & { role: Role })[]>;
  /** Every org's wrapped key, for master-key rotation. */
  listAllOrgKeys(): Promise<{ id: string; wrappedKey: Uint8Array }[]>;
  /** Replaces wrapped keys and the master-key check in one transaction. */
  rewrapKeys(orgKeys: { id: string; wrappedKey: Uint8Array }[], masterCheck: Uint8Array): Promise<void>;
  getMasterCheck(): Promise<Uint8Array | undefined>;
  setMasterCheck(check: Uint8Array): Promise<void>;

  // Members.
  getMember(orgId: string, userId: string): Promise<MemberRow | undefined>;
  listMembers(orgId: string): Promise<MemberRow[]>;
  countOwners(orgId: string): Promise<number>;
  /** Adds or changes a member; throws LastOwnerError when that would demote the last Owner. */
  putMember(orgId: string, userId: string, role: Role, at: string, audit: AuditInput): Promise<void>;
  /** False when the user is not a member; throws LastOwnerError when they are the last Owner. */
  removeMember(orgId: string, userId: string, audit: AuditInput): Promise<boolean>;

  // Environments.
  listEnvironments(orgId: string): Promise<EnvironmentRow[]>;
  getEnvironment(orgId: string, slug: string): Promise<EnvironmentRow | undefined>;
  getEnvironmentById(orgId: string, environmentId: string): Promise<EnvironmentRow | undefined>;
  createEnvironment(orgId: string, env: EnvironmentRow, audit: AuditInput): Promise<void>;

  // Secrets.
  listSecrets(orgId: string, environmentId: string, search?: string): Promise<SecretMetaRow[]>;
  getSecret(orgId: string, environmentId: string, key: string): Promise<SecretRow | undefined>;
  /**
   * The environment's revision: a number that every create, update and delete of one of its secrets
   * raises in its own transaction. Equal revisions mean equal secrets.
   */
  environmentRevision(orgId: string, environmentId: string): Promise<number>;
  /** Every secret of the environment, or the named ones, with ciphertexts, and the revision they are of. */
  getSecretsForReveal(orgId: string, environmentId: string, keys?: string[]): Promise<{ revision: number; rows: SecretRow[] }>;
  createSecret(orgId: string, environmentId: string, secret: NewSecret, audit: AuditInput): Promise<SecretRow>;
  updateSecret(orgId: string, environmentId: string, key: string, update: SecretUpdate, audit: AuditInput): Promise<SecretRow>;
  deleteSecret(orgId: string, environmentId: string, key: string, audit: AuditInput): Promise<boolean>;

  // Service tokens.
  createServiceToken(orgId: string, token: TokenRow, audit: AuditInput): Promise<void>;
  listServiceTokens(orgId: string): Promise<TokenRow[]>;
  revokeServiceToken(orgId: string, tokenId: string, at: string, audit: AuditInput): Promise<boolean>;

  // Audit.
  /**
   * Records an event on its own (reads, denials); resolves once it is durably committed. An event with a
   * `repeatKey` already recorded for the organization adds one to that event's count instead.
   */
  appendAudit(orgId: string, event: AuditInput): Promise<void>;
  /** Newest first; waits for events appended before the call to commit, so it includes them. */
  listAudit(orgId: string, limit: number, beforeSeq?: number): Promise<AuditRow[]>;

  /**
   * Runs `fn` while no other server instance on this database runs its own: first-start set-up
   * (master-key check, bootstrap) happens once when several instances start together.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;

  /** Commits queued audit events and closes the database. */
  close(): Promise<void>;
}
