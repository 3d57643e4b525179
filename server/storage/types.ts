// The storage interface the routes use. Every call about an organization's data takes that
// organization's id, so no query can reach across organizations. Methods that change data take the
// audit event to record and write it in the same transaction: the change and its audit land together
// or not at all. Check-then-act rules (last owner, expected version, unique keys) are decided inside the
// storage's transactions, so they hold when several server instances share one database. SQLite
// (sqlite/, one process) and PostgreSQL (postgres/, any number of instances) implement it.
import type { AuditAction, AuditDetails, AuditFilter, AuditOutcome, ClaimConditions, Role, SecretScope, WorkflowContext } from '../../core/api-types.ts';

// The audit filter is the API's own (core), so the route, the storage and the clients cannot drift.
export type { AuditFilter };

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
  /** Set on a token minted by an OIDC exchange: the policy that allowed it (deleting it revokes the token). */
  oidcPolicyId?: string | null;
  /** The verified workflow claims of a token minted by an OIDC exchange. */
  workflow?: WorkflowContext | null;
  /** A service token bound to a workspace reads that workspace's effective set only. */
  workspaceId?: string | null;
}

export interface OidcPolicyRow {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  environmentId: string;
  claims: ClaimConditions;
  ttlSeconds: number;
  /** The workspace the tokens it mints are bound to (null: the organization path). */
  workspaceId?: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
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

/** A workspace of an organization (one service or team): its own secrets, written by its owner and Admins+. */
export interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  ownerId: string;
  /** The owner's display name (joined from users). */
  ownerName: string;
  createdAt: string;
  createdBy: string;
}

/**
 * Secrets belong to an organization and an environment. `workspaceId` is '' for organization secrets
 * and the workspace's id for a workspace's own secrets. Every secret method of Storage takes the
 * workspace id last ('' when omitted: the organization's).
 */
export interface SecretRow {
  id: string;
  environmentId: string;
  workspaceId: string;
  /** Organization secrets: the workspace slugs that may use it, sorted; [] = every workspace. Always [] for workspace secrets. */
  workspaces: string[];
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

/** One version of a secret (a replaced one or the current one): when and by whom it was written. */
export interface SecretVersionRow {
  environmentId: string;
  workspaceId: string;
  key: string;
  version: number;
  description: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  createdAt: string;
  createdBy: string;
}

export type SecretVersionMetaRow = Omit<SecretVersionRow, 'nonce' | 'ciphertext'>;

/** One version in an environment's history: `deletedAt` is set for versions of deleted secrets (whose values are gone). */
export interface TimelineRow {
  key: string;
  version: number;
  createdAt: string;
  createdBy: string;
  deletedAt: string | null;
}

export interface AuditInput {
  time: string;
  /** `system`: the server itself (history pruning). */
  actorType: 'user' | 'service' | 'anonymous' | 'system';
  actorId: string | null;
  actorName: string | null;
  action: AuditAction;
  environment: string | null;
  /** The workspace's slug for an action under a workspace path or about a workspace; null (or absent) otherwise. */
  workspace?: string | null;
  keys: string[];
  outcome: AuditOutcome;
  ip: string;
  userAgent: string | null;
  /** Set for denials: later events with the same key add to the first one's count instead of a row. */
  repeatKey?: string;
  details?: AuditDetails;
}


export interface AuditRow extends Omit<AuditInput, 'repeatKey'> {
  id: string;
  seq: number;
  /** How many attempts this event stands for (1 unless repeats were aggregated into it). */
  count: number;
}

/** One committed change of a secret, as live event streams send it: never a value. */
export interface ChangeRow {
  /** Numbered per environment from 1, in commit order, without gaps. */
  seq: number;
  kind: 'created' | 'updated' | 'deleted';
  key: string;
  /** The version after the change; for a delete, the version that was deleted. */
  version: number;
  /** Display name of who changed it. */
  actor: string;
  time: string;
  /** An organization secret's change: the workspaces that could use it then ([] = all; null = unknown, all). Absent on a workspace's stream. */
  workspaces?: string[] | null;
  /** On a workspace's stream: whether the change was of its own secret or of an organization secret it may use. */
  scope?: SecretScope;
}

export interface NewSecret {
  id: string;
  key: string;
  description: string;
  /** Organization secrets: the workspaces that may use it ([] or absent = all). */
  workspaces?: string[];
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  at: string;
  by: string;
}

export interface SecretUpdate {
  description: string;
  /** Organization secrets: the new list of workspaces that may use it; absent keeps it. */
  workspaces?: string[];
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  expectedVersion: number;
  at: string;
  by: string;
}

export interface SessionRow {
  /** SHA-256 of the cookie's secret. */
  hash: Uint8Array;
  userId: string;
  /** The personal token signed in with (the session ends with it), or null for a passkey. */
  tokenId: string | null;
  method: 'token' | 'passkey';
  /** Epoch milliseconds (the server's clock). */
  createdAt: number;
  lastSeenAt: number;
  /** Absolute expiry, epoch milliseconds. */
  expiresAt: number;
}

export interface InvitationRow {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  hash: Uint8Array;
  createdAt: string;
  /** Display name of the inviter. */
  createdBy: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
}

export interface PasskeyRow {
  /** The WebAuthn credential id, base64url. */
  id: string;
  userId: string;
  name: string;
  publicKey: Uint8Array;
  counter: number;
  /** JSON array of the authenticator's transports. */
  transports: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * A WebAuthn challenge waiting for its ceremony's end (server/auth/challenges.ts). Kept in the database
 * so the ceremony may end on another instance than the one that began it.
 */
export interface ChallengeRow {
  /** SHA-256 of the challenge: the ceremony's end is found by equality, so the value is not stored. */
  hash: Uint8Array;
  purpose: 'register' | 'invite' | 'sign-in';
  /** Who it is bound to ('' for a sign-in, which has no subject yet). */
  subject: string;
  /** What the ceremony was started with that its end needs (the new person's user id and name). */
  data: Record<string, string>;
  /** Epoch milliseconds (the server's clock). */
  expiresAt: number;
}

/** An organization's history retention: versions are kept `days` days after they were replaced, and the last `minVersions` of every secret always. */
export interface HistoryRetentionRow {
  days: number;
  minVersions: number;
  updatedAt: string;
  updatedBy: string;
}

/** What one pruning removed from one environment's organization secrets, or one workspace's there: per key, how many versions. */
export interface PrunedEnvironment {
  environmentId: string;
  environment: string;
  /** The workspace's slug when the versions were its secrets'; null for the organization's own. */
  workspace: string | null;
  /** Kept versions (values) of existing secrets. */
  versions: { key: string; versions: number }[];
  /** Metadata of deleted secrets' versions (their values were gone already). */
  deleted: { key: string; versions: number }[];
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

/** One write of a batch; the batch commits every write and its audit event, or none. */
export type BatchWrite =
  | { kind: 'create'; secret: NewSecret; audit?: AuditInput }
  | { kind: 'update'; key: string; update: SecretUpdate; audit?: AuditInput }
  /** Deletes the secret and its kept versions, as deleteSecret does (a missing key fails the batch). */
  | { kind: 'delete'; key: string; at: string; by: string; audit?: AuditInput };

/** Which write of a batch failed (DuplicateError or VersionConflictError), so the route can name its key. */
export class BatchWriteError extends Error {
  readonly index: number;
  readonly failure: DuplicateError | VersionConflictError;
  constructor(index: number, failure: DuplicateError | VersionConflictError) {
    super(`batch write ${index} failed: ${failure.message}`);
    this.index = index;
    this.failure = failure;
  }
}

/** Raised when a change would leave the organization without an Owner (the caller maps it to a 409). */
export class LastOwnerError extends Error {
  readonly code = 'LAST_OWNER';
}

/** Raised when removing a member who still owns workspaces (they would be left with an owner outside the organization). */
export class MemberOwnsWorkspacesError extends Error {
  readonly code = 'MEMBER_OWNS_WORKSPACES';
  /** The slugs of the workspaces they own, sorted. */
  readonly workspaces: string[];
  constructor(workspaces: string[]) {
    super(`owns workspaces ${workspaces.join(', ')}`);
    this.workspaces = workspaces;
  }
}

/**
 * Raised when a workspace would get an owner who is not a member of its organization (one removed
 * while the change was on its way): the counterpart of MemberOwnsWorkspacesError.
 */
export class OwnerNotMemberError extends Error {
  readonly code = 'WORKSPACE_OWNER_INVALID';
}

/** Raised when deleting a workspace would make organization secrets limited to it alone available to every workspace. */
export class WorkspaceInUseError extends Error {
  readonly code = 'WORKSPACE_IN_USE';
  /** The organization secrets (`environment/KEY`) limited to that workspace alone. */
  readonly keys: string[];
  constructor(keys: string[]) {
    super(`limited to this workspace alone: ${keys.join(', ')}`);
    this.keys = keys;
  }
}

/**
 * The workspaces that see a change of who may use an organization secret: those it had and those it
 * has ([] = every workspace, on either side).
 */
export function scopeChangeAudience(before: readonly string[], after: readonly string[]): string[] {
  if (before.length === 0 || after.length === 0) return [];
  return [...new Set([...before, ...after])].sort();
}

/** Display name of who made a change, as change events show it. */
export function changeActor(audit: AuditInput): string {
  return audit.actorType === 'service' ? `token:${audit.actorName ?? ''}` : (audit.actorName ?? 'anonymous');
}

/** Raised when a workspace secret is written to a workspace deleted meanwhile (nothing was written). */
export class WorkspaceGoneError extends Error {
  readonly code = 'WORKSPACE_GONE';
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
  /**
   * False when the user is not a member; throws LastOwnerError when they are the last Owner and
   * MemberOwnsWorkspacesError when they own workspaces (both decided inside the removing transaction).
   */
  removeMember(orgId: string, userId: string, audit: AuditInput): Promise<boolean>;

  // Environments.
  listEnvironments(orgId: string): Promise<EnvironmentRow[]>;
  getEnvironment(orgId: string, slug: string): Promise<EnvironmentRow | undefined>;
  getEnvironmentById(orgId: string, environmentId: string): Promise<EnvironmentRow | undefined>;
  createEnvironment(orgId: string, env: EnvironmentRow, audit: AuditInput): Promise<void>;

  // Secrets.
  listSecrets(orgId: string, environmentId: string, search?: string, workspaceId?: string): Promise<SecretMetaRow[]>;
  getSecret(orgId: string, environmentId: string, key: string, workspaceId?: string): Promise<SecretRow | undefined>;
  /**
   * The environment's revision: a number that every create, update and delete of one of its secrets
   * raises in its own transaction (organization and workspace secrets alike, an organization secret's
   * `workspaces` and a workspace's deletion too). Equal revisions mean equal effective sets.
   */
  environmentRevision(orgId: string, environmentId: string): Promise<number>;
  /** Every secret of the environment, or the named ones, with ciphertexts, and the revision they are of. */
  getSecretsForReveal(orgId: string, environmentId: string, keys?: string[], workspaceId?: string): Promise<{ revision: number; rows: SecretRow[] }>;
  createSecret(orgId: string, environmentId: string, secret: NewSecret, audit: AuditInput, workspaceId?: string): Promise<SecretRow>;
  updateSecret(orgId: string, environmentId: string, key: string, update: SecretUpdate, audit: AuditInput, workspaceId?: string): Promise<SecretRow>;
  deleteSecret(orgId: string, environmentId: string, key: string, audit: AuditInput, workspaceId?: string): Promise<boolean>;
  /**
   * Every version of the secret still kept, newest first (the current one included), or undefined when
   * the secret does not exist. Updates keep the version they replace in their own transaction; a delete
   * removes them all in its own.
   */
  listSecretVersions(orgId: string, environmentId: string, key: string, workspaceId?: string): Promise<SecretVersionMetaRow[] | undefined>;
  /** One kept version of the secret (the current one included), with its ciphertext. */
  getSecretVersion(orgId: string, environmentId: string, key: string, version: number, workspaceId?: string): Promise<SecretVersionRow | undefined>;
  /**
   * Every version the environment's secrets ever had that is still known: kept versions (with values)
   * and the metadata of deleted secrets' versions (when they were written and when deleted).
   */
  secretTimeline(orgId: string, environmentId: string, workspaceId?: string): Promise<TimelineRow[]>;
  /**
   * Creates, updates and deletes in one transaction, each with its audit event if it has one, and
   * `audit` (one event for the whole batch) if given; all or nothing. Returns the rows after.
   */
  applySecretBatch(orgId: string, environmentId: string, writes: readonly BatchWrite[], audit?: AuditInput, workspaceId?: string): Promise<SecretMetaRow[]>;
  /**
   * Sets which workspaces may use an organization secret (sorted slugs, [] = all) without a new
   * version, raising the environment's revision; undefined when there is no such secret.
   */
  setSecretWorkspaces(orgId: string, environmentId: string, key: string, workspaces: string[], audit: AuditInput): Promise<SecretRow | undefined>;

  // Workspaces.
  listWorkspaces(orgId: string): Promise<WorkspaceRow[]>;
  getWorkspace(orgId: string, slug: string): Promise<WorkspaceRow | undefined>;
  getWorkspaceById(orgId: string, workspaceId: string): Promise<WorkspaceRow | undefined>;
  /**
   * DuplicateError when the organization has a workspace of that slug; OwnerNotMemberError when the
   * owner is not (or no longer) a member, decided in the creating transaction.
   */
  createWorkspace(orgId: string, workspace: WorkspaceRow, audit: AuditInput): Promise<void>;
  /** Replaces name and owner (by id); false when it does not exist; OwnerNotMemberError when a new owner is not a member. */
  updateWorkspace(orgId: string, workspace: WorkspaceRow, audit: AuditInput): Promise<boolean>;
  /**
   * Deletes the workspace, its secrets in every environment with their history, the service tokens and
   * trust policies bound to it, and its slug from organization secrets' lists, in one transaction with
   * `audit` (whose keys storage sets to the workspace secrets deleted); raises every environment's
   * revision. WorkspaceInUseError when an organization secret is limited to it alone (nothing changed).
   * Returns the deleted keys, or undefined when there is no such workspace.
   */
  deleteWorkspace(orgId: string, workspaceId: string, audit: AuditInput): Promise<string[] | undefined>;

  // Change events: written by the secret writes above in their own transactions (so a resume after a
  // restart, or from another instance, finds them), read by live event streams.
  /** The number of the environment's newest change (0 before any); with a workspace id, of that workspace's own stream. */
  latestChange(orgId: string, environmentId: string, workspaceId?: string): Promise<number>;
  /** Changes after `afterSeq`, oldest first, at most `limit`; older ones past the backlog are gone. With a workspace id: its own secrets'. */
  listChanges(orgId: string, environmentId: string, afterSeq: number, limit: number, workspaceId?: string): Promise<ChangeRow[]>;
  /**
   * Calls `wake` after changes to the environment commit (in-process for SQLite; a shared database
   * feeds it from every instance, e.g. LISTEN/NOTIFY). A wake carries no data: the listener reads
   * `listChanges` after its last number. Returns the unsubscribe function.
   */
  watchChanges(environmentId: string, wake: () => void): () => void;

  // Service tokens.
  createServiceToken(orgId: string, token: TokenRow, audit: AuditInput): Promise<void>;
  listServiceTokens(orgId: string): Promise<TokenRow[]>;
  revokeServiceToken(orgId: string, tokenId: string, at: string, audit: AuditInput): Promise<boolean>;

  // Sessions (the dashboard's sign-in).
  createSession(session: SessionRow): Promise<void>;
  getSession(hash: Uint8Array): Promise<SessionRow | undefined>;
  touchSession(hash: Uint8Array, at: number): Promise<void>;
  deleteSession(hash: Uint8Array): Promise<boolean>;
  /** Removes sessions past their absolute expiry or unused since `idleBefore` (epoch ms). */
  deleteExpiredSessions(now: number, idleBefore: number): Promise<void>;

  // WebAuthn challenges, shared by every instance on the database.
  /**
   * Stores a challenge after forgetting those expired at `now` (epoch ms); keeps at most `max`
   * challenges of its purpose, dropping the oldest of that purpose, so the public sign-in options route
   * cannot grow the table without bound — nor, by flooding it, evict the challenges of members adding a
   * passkey or of invitees accepting (other purposes).
   */
  putChallenge(challenge: ChallengeRow, now: number, max: number): Promise<void>;
  /** Deletes the challenge and returns it: one caller, on whichever instance, gets it; undefined for every other. */
  takeChallenge(hash: Uint8Array): Promise<ChallengeRow | undefined>;

  // Invitations.
  createInvitation(invitation: InvitationRow, audit: AuditInput): Promise<void>;
  listInvitations(orgId: string): Promise<InvitationRow[]>;
  getInvitationByHash(hash: Uint8Array): Promise<InvitationRow | undefined>;
  revokeInvitation(orgId: string, id: string, at: string, audit: AuditInput): Promise<boolean>;
  /**
   * Marks the invitation accepted and makes the user a member with its role, in one transaction with
   * its audit event; a new user (with their first passkey) is created in the same transaction. False
   * when the invitation was accepted, revoked or expired meanwhile (nothing is written).
   */
  acceptInvitation(
    invitation: InvitationRow,
    user: UserRow,
    newUser: { passkey: PasskeyRow } | null,
    at: string,
    audit: AuditInput,
  ): Promise<boolean>;

  // Passkeys.
  createPasskey(passkey: PasskeyRow): Promise<void>;
  getPasskey(id: string): Promise<PasskeyRow | undefined>;
  listPasskeys(userId: string): Promise<PasskeyRow[]>;
  renamePasskey(userId: string, id: string, name: string): Promise<boolean>;
  deletePasskey(userId: string, id: string): Promise<boolean>;
  usePasskey(id: string, counter: number, at: string): Promise<void>;
  getUserByEmail(email: string): Promise<UserRow | undefined>;

  // OIDC trust policies. A token minted by an exchange is created with createServiceToken (its row
  // names the policy); service-token listings leave such tokens out.
  listOidcPolicies(orgId: string): Promise<OidcPolicyRow[]>;
  getOidcPolicy(orgId: string, policyId: string): Promise<OidcPolicyRow | undefined>;
  /** DuplicateError when the organization has a policy of that name. */
  createOidcPolicy(orgId: string, policy: OidcPolicyRow, audit: AuditInput): Promise<void>;
  /** Replaces the policy's fields (by id); false when it does not exist. DuplicateError on a taken name. */
  updateOidcPolicy(orgId: string, policy: OidcPolicyRow, audit: AuditInput): Promise<boolean>;
  /** Deletes the policy and revokes every token it minted (at `at`); false when it does not exist. */
  deleteOidcPolicy(orgId: string, policyId: string, at: string, audit: AuditInput): Promise<boolean>;
  /** Deletes the organization's exchange-minted tokens that expired before `before`; returns how many. */
  pruneOidcTokens(orgId: string, before: string): Promise<number>;

  /**
   * Records that the OIDC token `jti` of `issuer` was exchanged, remembered until `expiresAt`; false
   * when it was recorded before and is still remembered (by any instance on the database). Entries
   * that expired before `now` are forgotten first.
   */
  useOidcToken(issuer: string, jti: string, expiresAt: string, now: string): Promise<boolean>;

  // History retention.
  /** The organization's retention, or undefined when it has the defaults. */
  getHistoryRetention(orgId: string): Promise<HistoryRetentionRow | undefined>;
  setHistoryRetention(orgId: string, retention: HistoryRetentionRow, audit: AuditInput): Promise<void>;
  /**
   * Applies a retention to the organization's history, in one transaction: removes every kept version
   * that was replaced before `cutoff` and is not among the newest `minVersions` of its secret (the
   * current one counts), and the metadata of deleted secrets' versions deleted before `cutoff`; then
   * writes `audit(environment)` for each environment something was removed from. When another instance
   * is pruning the organization at that moment, does nothing and returns [].
   */
  pruneHistory(orgId: string, cutoff: string, minVersions: number, audit: (pruned: PrunedEnvironment) => AuditInput): Promise<PrunedEnvironment[]>;

  // Audit.
  /**
   * Records an event on its own (reads, denials); resolves once it is durably committed. An event with a
   * `repeatKey` already recorded for the organization adds one to that event's count instead.
   */
  appendAudit(orgId: string, event: AuditInput): Promise<void>;
  /** Newest first, older than `beforeSeq` when given; waits for events appended before the call to commit, so it includes them. */
  listAudit(orgId: string, limit: number, beforeSeq?: number, filter?: AuditFilter): Promise<AuditRow[]>;
  /** Oldest first, recorded after the event `afterId`; undefined when there is no such event in the org. */
  listAuditAfter(orgId: string, limit: number, afterId: string, filter?: AuditFilter): Promise<AuditRow[] | undefined>;

  /**
   * For readiness probes: a real round trip to the database that resolves only when it answers and its
   * schema is at this server's newest migration; rejects otherwise.
   */
  ping(): Promise<void>;

  /**
   * Runs `fn` while no other server instance on this database runs its own: first-start set-up
   * (master-key check, bootstrap) happens once when several instances start together.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;

  /** Commits queued audit events and closes the database. */
  close(): Promise<void>;
}
