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
  | 'PASSKEY_REJECTED'
  | 'FORBIDDEN'
  | 'CSRF_REJECTED'
  | 'OWNER_PROTECTED'
  | 'ORG_NOT_FOUND'
  | 'ENVIRONMENT_NOT_FOUND'
  | 'SECRET_NOT_FOUND'
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
  | 'LAST_SIGN_IN_METHOD'
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
