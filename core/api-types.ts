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
}

/** The answer to creating a secret: its metadata and what the creator should know (empty when nothing). */
export interface CreatedSecret extends SecretMeta {
  warnings: string[];
}

export interface RevealedSecret {
  key: string;
  value: string;
  version: number;
}

export interface BulkReveal {
  environment: string;
  secrets: RevealedSecret[];
  missing: string[];
}

export interface ServiceToken {
  id: string;
  name: string;
  environment: string;
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

export type AuditAction =
  | 'secret.create'
  | 'secret.read'
  | 'secret.list'
  | 'secret.reveal'
  | 'secret.bulk_reveal'
  | 'secret.update'
  | 'secret.delete'
  | 'environment.create'
  | 'member.add'
  | 'member.update'
  | 'member.remove'
  | 'token.create'
  | 'token.revoke'
  | 'org.create'
  | 'audit.read'
  // Recorded only when denied (allowed reads of metadata are not audited):
  | 'org.read'
  | 'member.list'
  | 'environment.list'
  | 'token.list';

/** `error`: the action was attempted and failed on the server's side (a reveal hit a tampered ciphertext). */
export type AuditOutcome = 'allowed' | 'denied' | 'error';

export interface AuditEvent {
  id: string;
  time: string;
  actor: { type: 'user' | 'service' | 'anonymous'; id: string | null; name: string | null };
  action: AuditAction;
  environment: string | null;
  keys: string[];
  outcome: AuditOutcome;
  ip: string;
  userAgent: string | null;
  /** Attempts this event stands for: repeats of one denied attempt within a window are aggregated. */
  count: number;
}

/** Query of GET /v1/orgs/{org}/audit: paging (cursor backwards, or after an event id forwards) and filters. */
export interface AuditQuery {
  limit?: number;
  cursor?: string;
  after?: string;
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  key?: string;
  environment?: string;
  outcome?: 'allowed' | 'denied';
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
}

/** Sent first on every stream: the id the stream continues from. */
export interface StreamReadyEvent {
  type: 'ready';
  id: string;
  environment: string;
}

/** The requested Last-Event-ID is older than what the server keeps (or unknown): reload the list, then continue from `id`. */
export interface StreamResetEvent {
  type: 'reset';
  id: string;
  environment: string;
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
}

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'SECRET_KEY_REQUIRED'
  | 'SECRET_VALUE_REQUIRED'
  | 'SECRET_KEY_INVALID'
  | 'NO_CHANGES'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'OWNER_PROTECTED'
  | 'ORG_NOT_FOUND'
  | 'ENVIRONMENT_NOT_FOUND'
  | 'SECRET_NOT_FOUND'
  | 'MEMBER_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'TOKEN_NOT_FOUND'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'SECRET_EXISTS'
  | 'ORG_EXISTS'
  | 'ENVIRONMENT_EXISTS'
  | 'USER_EXISTS'
  | 'LAST_OWNER'
  | 'STALE_VERSION'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SECRET_UNREADABLE'
  | 'INTERNAL'
  | 'AUDIT_UNAVAILABLE';

/** Key rules shared by every consumer, so a client can validate as the user types. */
export const SECRET_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const SECRET_KEY_MAX_LENGTH = 128;
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_ENVIRONMENTS: readonly string[] = ['development', 'staging', 'production'];
