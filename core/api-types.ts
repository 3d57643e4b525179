// The shapes of the v1 API, as written in docs/api.md. Server and client both use these types so that
// the contract cannot drift silently: a change here breaks whichever side was not updated.

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'viewer'];

export interface User {
  id: string;
  name: string;
  email: string;
  instanceAdmin: boolean;
  createdAt: string;
}

export interface PersonalToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface Me {
  user: User | null;
  tokenKind: 'personal' | 'service';
  organization?: string;
  environment?: string;
  /** A service token bound to a workspace: its slug. */
  workspace?: string;
}

export interface Org {
  slug: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  addedAt: string;
}

export interface Environment {
  slug: string;
  name: string;
  createdAt: string;
}

/** Where a secret of a workspace's effective set lives (docs/api.md, Workspaces). */
export type SecretScope = 'organization' | 'workspace';

export interface Workspace {
  slug: string;
  name: string;
  /** The owner's user id: with the organization's Owners and Admins, the one who writes its secrets. */
  owner: string;
  ownerName: string;
  createdAt: string;
  createdBy: string;
}

export interface SecretMeta {
  key: string;
  description: string;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /**
   * The key changes how programs start or find code (core/refused-names.ts: BASH_ENV, NODE_OPTIONS,
   * LD_PRELOAD, PATH, …): the Action, `secrets run` and `secrets export` refuse to export it unless the
   * user allows that name. Computed from the key; UIs show it as a warning.
   */
  execRisk: boolean;
  /**
   * Organization secrets only: the workspaces that may use it; empty = every workspace. Absent on a
   * workspace's own secrets.
   */
  workspaces?: string[];
  /** Only in a workspace's effective set (…/workspaces/{ws}/environments/{env}/…). */
  scope?: SecretScope;
  /** In a workspace's effective set: a workspace secret that hides an organization secret of the same key. */
  overrides?: boolean;
}

/** The answer to creating a secret: its metadata and what the creator should know (empty when nothing). */
/** One kept version of a secret (GET …/secrets/{KEY}/versions): never its value. */
export interface SecretVersion {
  version: number;
  description: string;
  createdAt: string;
  createdBy: string;
}

export interface SecretVersionList {
  key: string;
  /** In a workspace's effective set: whose versions these are (the workspace's own secret, or the organization's). */
  scope?: SecretScope;
  /** Newest first; the first is the current version. */
  versions: SecretVersion[];
}

/** A key as it was at a moment (GET …/secrets?at=): `retained` is false when its secret has since been deleted (its value is gone). */
export interface SecretAtMoment {
  key: string;
  version: number;
  createdAt: string;
  createdBy: string;
  retained: boolean;
  /** Only in a workspace's effective set. */
  scope?: SecretScope;
}

export interface SecretsAtMoment {
  at: string;
  secrets: SecretAtMoment[];
}

/** What changed in an environment between two moments (GET …/changes): never values. */
export interface EnvironmentChanges {
  from: string;
  to: string;
  added: { key: string; version: number }[];
  changed: { key: string; from: number; to: number }[];
  removed: { key: string; version: number }[];
}

/** What an environment rollback did (POST …/environments/{env}/rollback). */
export interface EnvironmentRollback {
  at: string;
  /** Keys given a new version (`from` → `to`) with the value and description of `version`, the one they had at `at`. */
  restored: { key: string; from: number; to: number; version: number }[];
  /** Keys created since `at`, deleted because `removeNew` was asked. */
  removed: string[];
  /** Keys that existed at `at` whose value of then is gone (the secret was deleted since): left as they are. */
  unrestorable: string[];
}

export interface CreatedSecret extends SecretMeta {
  warnings: string[];
}

export interface RevealedSecret {
  key: string;
  value: string;
  version: number;
  /** Only in a workspace's effective set. */
  scope?: SecretScope;
}

export interface BulkReveal {
  environment: string;
  /** Present when the reveal was of a workspace's effective set. */
  workspace?: string;
  secrets: RevealedSecret[];
  missing: string[];
}

export interface ServiceToken {
  id: string;
  name: string;
  environment: string;
  /** A token bound to a workspace reveals that workspace's effective set and nothing else. */
  workspace: string | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** One secret of a batch (`POST …/environments/{env}/batch`, docs/api.md). */
export interface SecretBatchItem {
  key: string;
  value: string;
  description?: string;
  /** 0: the key must not exist yet; n ≥ 1: it must exist at version n; absent: create or update. */
  ifMatch?: number;
}

export interface SecretBatchResult {
  key: string;
  outcome: 'created' | 'updated' | 'unchanged';
  /** The version after the batch (or that it would have, on a dry run). */
  version: number;
}

export interface SecretBatch {
  environment: string;
  dryRun: boolean;
  results: SecretBatchResult[];
}

export const SECRET_BATCH_MAX_ITEMS = 20_000;
export const SECRET_BATCH_MAX_BYTES = 32 * 1024 * 1024;
/** A dashboard session, as `POST`/`GET /v1/session` describe it. The cookie itself is never readable by scripts. */
export interface Session {
  user: User;
  /** Send as `X-CSRF-Token` with every state-changing request that relies on the session cookie. */
  csrfToken: string;
  signedInWith: 'token' | 'passkey';
  createdAt: string;
  /** When the session ends if unused (idle expiry), never later than `absoluteExpiresAt`. */
  expiresAt: string;
  /** When the session ends however busy it is. */
  absoluteExpiresAt: string;
  /** Seconds the dashboard shows a revealed value before masking it again (SECRETS_REVEAL_SECONDS). */
  revealSeconds: number;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
}

/** The answer to creating an invitation: the one-time link, shown this once. */
export interface CreatedInvitation extends Invitation {
  url: string;
}

/** What the invitee sees when opening the link (`GET /v1/invitations/{token}`). */
export interface InvitationPreview {
  organization: { slug: string; name: string };
  email: string;
  role: Role;
  expiresAt: string;
}

/** The answer to accepting an invitation. */
export interface AcceptedInvitation {
  organization: Org;
  /** Set when the acceptance signed a new person in (the session cookie is set too). */
  session: Session | null;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export type AuditAction =
  | 'secret.create'
  | 'secret.read'
  | 'secret.list'
  | 'secret.reveal'
  | 'secret.bulk_reveal'
  | 'secret.update'
  | 'secret.delete'
  | 'environment.create'
  | 'environment.rollback'
  | 'secret.history_pruned'
  | 'history_retention.update'
  | 'member.add'
  | 'member.update'
  | 'member.remove'
  | 'token.create'
  | 'token.revoke'
  | 'org.create'
  | 'audit.read'
  | 'session.create'
  | 'session.delete'
  | 'invitation.create'
  | 'invitation.revoke'
  | 'invitation.accept'
  | 'oidc.exchange'
  | 'oidc_policy.create'
  | 'oidc_policy.update'
  | 'oidc_policy.delete'
  | 'workspace.create'
  | 'workspace.update'
  | 'workspace.delete'
  // Recorded only when denied (allowed reads of metadata are not audited):
  | 'org.read'
  | 'workspace.list'
  | 'workspace.read'
  | 'member.list'
  | 'environment.list'
  | 'token.list'
  | 'oidc_policy.list';

/** `error`: the action was attempted and failed on the server's side (a reveal hit a tampered ciphertext). */
export type AuditOutcome = 'allowed' | 'denied' | 'error';

export interface AuditEvent {
  id: string;
  time: string;
  /** `system`: the server itself (`secret.history_pruned`, name `retention`). */
  actor: { type: 'user' | 'service' | 'anonymous' | 'system'; id: string | null; name: string | null };
  action: AuditAction;
  environment: string | null;
  /** The workspace the action concerned (its secrets or its effective set); null for organization-level ones. */
  workspace: string | null;
  keys: string[];
  outcome: AuditOutcome;
  ip: string;
  userAgent: string | null;
  /** Attempts this event stands for: repeats of one denied attempt within a window are aggregated. */
  count: number;
  /** What else the event knows (a CI workflow, an OIDC exchange); absent when nothing. */
  details?: AuditDetails;
}

/**
 * A CI run, as the audit log records it. Every field is optional: a client claims what it knows, and
 * an OIDC token carries what its issuer put in it.
 */
export interface WorkflowContext {
  repository?: string;
  workflow?: string;
  ref?: string;
  sha?: string;
  runId?: string;
  runAttempt?: string;
  actor?: string;
}

export const WORKFLOW_CONTEXT_FIELDS: readonly (keyof WorkflowContext)[] = ['repository', 'workflow', 'ref', 'sha', 'runId', 'runAttempt', 'actor'];

/** The request header a client claims its workflow context in (URL-encoded form: `repository=acme%2Fapp&runId=42`). */
export const WORKFLOW_CONTEXT_HEADER = 'secrets-workflow-context';

export interface AuditDetails {
  /**
   * `verified`: from an OIDC token whose signature, issuer and audience the server checked. `claimed`:
   * what the client said about itself in the workflow-context header; nothing proves it.
   */
  workflow?: WorkflowContext & { source: 'verified' | 'claimed' };
  /** The trust policy an OIDC exchange was decided by (id and name). */
  policy?: { id: string; name: string };
  /** Why an OIDC exchange was refused. */
  refusals?: OidcRefusal[];
  /** The kept version a reveal was of, when it was not the current one. */
  version?: number;
  /** The version a rollback restored (its value and description, as a new version). */
  restoredVersion?: number;
  /** The moment a reveal of an environment as it was (`at`) was of. */
  at?: string;
  /** A history pruning: per key, how many kept versions (values) it removed. */
  pruned?: { key: string; versions: number }[];
  /** A history pruning: per deleted secret's key, how many versions' metadata (no values) it removed. */
  prunedDeleted?: { key: string; versions: number }[];
  /** The retention a pruning applied, or a retention change set. */
  retention?: { days: number; minVersions: number };
  /** An organization secret's workspaces changed (sorted slugs; [] = every workspace). */
  workspaces?: { before: string[]; after: string[] };
  /** A workspace's name or owner changed (the owner as a user id). */
  changes?: { name?: { before: string; after: string }; owner?: { before: string; after: string } };
}

// --- History retention ---------------------------------------------------------------------------

/** Versions are kept at least `days` days after they were replaced, and the last `minVersions` of every secret always. */
export interface HistoryRetention {
  days: number;
  minVersions: number;
  /** When and by whom it was last set; null while the organization has the defaults. */
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_HISTORY_RETENTION = { days: 90, minVersions: 10 } as const;
export const HISTORY_RETENTION_MAX_DAYS = 3650;
export const HISTORY_RETENTION_MAX_VERSIONS = 1000;

// --- Keyless CI (OIDC) ---------------------------------------------------------------------------

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** The longest life of a token minted by an OIDC exchange. */
export const OIDC_MAX_TTL_SECONDS = 900;

/** Claim name → an exact value, or a glob (`*` any run without `/`, `**` any run, `?` one character). */
export type ClaimConditions = Record<string, string>;

export interface OidcPolicy {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  environment: string;
  /** The workspace the minted tokens are bound to (its effective set), or null for the organization's environment. */
  workspace: string | null;
  claims: ClaimConditions;
  ttlSeconds: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface OidcPolicyInput {
  name: string;
  issuer?: string;
  audience: string;
  environment: string;
  /** Bind minted tokens to this workspace; null (in a PATCH) unbinds. */
  workspace?: string | null;
  claims: ClaimConditions;
  ttlSeconds?: number;
}

/** The answer to an accepted exchange: a read-only token for one environment, until `expiresAt`. */
export interface OidcExchange {
  token: string;
  expiresAt: string;
  environment: string;
  /** The workspace the token is bound to (it reads that workspace's effective set), or null. */
  workspace: string | null;
}

/** One check of an exchange or a dry run. `got` is the token's value (never the token itself). */
export interface ClaimCheck {
  claim: string;
  expected: string;
  got: string | null;
  ok: boolean;
  /** Says in words what was compared and why it passed or failed. */
  explanation: string;
}

export interface OidcRefusal {
  /** The policy that refused, when the token got far enough to be judged by one. */
  policy: { id: string; name: string } | null;
  /** The claim or check that failed: `signature`, `alg`, `iss`, `aud`, `exp`, `nbf`, `iat`, or a claim name. */
  claim: string;
  expected: string | null;
  got: string | null;
  reason: string;
}

export interface OidcDryRun {
  accepted: boolean;
  checks: ClaimCheck[];
}

/** Narrows an audit listing; every field given must match (docs/api.md, Audit). */
export interface AuditFilter {
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** An actor's id or name, ignoring ASCII case. */
  actor?: string;
  /** An action (`secret.reveal`) or a family (`secret`). */
  action?: string;
  key?: string;
  environment?: string;
  workspace?: string;
  outcome?: AuditOutcome;
}

/** Query of GET /v1/orgs/{org}/audit: paging (cursor backwards, or after an event id forwards) and filters. */
export interface AuditQuery extends AuditFilter {
  limit?: number;
  cursor?: string;
  after?: string;
}

/**
 * Live events of one environment (`GET …/environments/{env}/events`, Server-Sent Events). The SSE `id`
 * of each is its number in the environment; send the last one seen as `Last-Event-ID` to resume.
 */
export interface SecretChangeEvent {
  type: 'created' | 'updated' | 'deleted';
  /** The SSE id: the change's number in the environment. */
  id: string;
  environment: string;
  key: string;
  /** The version after the change; for a delete, the version deleted. */
  version: number;
  /** Display name of who made the change (a user's name, or `token:<name>`). */
  actor: string;
  time: string;
  /** On a workspace's stream: the workspace, and whether the change was of its own secret or an organization secret available to it. */
  workspace?: string;
  scope?: SecretScope;
}

/** Sent first on every stream: the id the stream continues from. */
export interface StreamReadyEvent {
  type: 'ready';
  id: string;
  environment: string;
  /** On a workspace's stream. */
  workspace?: string;
}

/** The requested Last-Event-ID is older than what the server keeps (or unknown): reload the list, then continue from `id`. */
export interface StreamResetEvent {
  type: 'reset';
  id: string;
  environment: string;
  /** On a workspace's stream. */
  workspace?: string;
  reason: string;
}

export type EnvironmentEvent = SecretChangeEvent | StreamReadyEvent | StreamResetEvent;

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

/** RFC 9457 problem details, as every error response carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: { path: string; message: string }[];
  /** OIDC_TOKEN_REFUSED, OIDC_TOKEN_ALREADY_USED: which policy and which check refused the token. */
  refusals?: OidcRefusal[];
}

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'SECRET_KEY_REQUIRED'
  | 'SECRET_VALUE_REQUIRED'
  | 'SECRET_KEY_INVALID'
  | 'NO_CHANGES'
  | 'UNAUTHORIZED'
  | 'PASSKEY_REJECTED'
  | 'FORBIDDEN'
  | 'CSRF_REJECTED'
  | 'OWNER_PROTECTED'
  | 'ORG_NOT_FOUND'
  | 'ENVIRONMENT_NOT_FOUND'
  | 'SECRET_NOT_FOUND'
  | 'SECRET_VERSION_NOT_FOUND'
  | 'MEMBER_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'TOKEN_NOT_FOUND'
  | 'INVITATION_NOT_FOUND'
  | 'PASSKEY_NOT_FOUND'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'SECRET_EXISTS'
  | 'ORG_EXISTS'
  | 'ENVIRONMENT_EXISTS'
  | 'USER_EXISTS'
  | 'LAST_OWNER'
  | 'MEMBER_OWNS_WORKSPACES'
  | 'LAST_SIGN_IN_METHOD'
  | 'STALE_VERSION'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SECRET_UNREADABLE'
  | 'INTERNAL'
  | 'AUDIT_UNAVAILABLE'
  | 'NOT_READY'

  | 'OIDC_POLICY_NOT_FOUND'
  | 'OIDC_POLICY_EXISTS'
  | 'OIDC_POLICY_TOO_BROAD'
  | 'OIDC_TOKEN_REFUSED'
  | 'OIDC_TOKEN_ALREADY_USED'
  | 'OIDC_ISSUER_UNAVAILABLE'
  | 'WORKSPACE_NOT_FOUND'
  | 'WORKSPACE_EXISTS'
  | 'WORKSPACE_OWNER_INVALID'
  | 'WORKSPACE_UNKNOWN'
  | 'WORKSPACE_IN_USE'
  | 'ORG_SECRET_READ_ONLY';

/** Key rules shared by every consumer, so a client can validate as the user types. */
export const SECRET_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const SECRET_KEY_MAX_LENGTH = 128;
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_ENVIRONMENTS: readonly string[] = ['development', 'staging', 'production'];
