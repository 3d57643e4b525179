// The server's one error catalogue. Every problem the API can answer with is listed here with its HTTP
// status and title; docs/api.md documents the same codes (a test holds the two together).
import type { OidcRefusal, ProblemCode } from '../core/api-types.ts';

export interface CatalogueEntry {
  status: number;
  title: string;
  /** Used when the thrower gives no more specific detail. */
  detail: string;
}

export const ERROR_CATALOGUE: Record<ProblemCode, CatalogueEntry> = {
  VALIDATION_FAILED: { status: 400, title: 'Invalid request', detail: 'The request does not match the expected shape' },
  SECRET_KEY_REQUIRED: { status: 400, title: 'Secret key is required', detail: 'Secret key is required' },
  SECRET_VALUE_REQUIRED: { status: 400, title: 'Secret value is required', detail: 'Secret value is required' },
  SECRET_KEY_INVALID: {
    status: 400,
    title: 'Invalid secret key',
    detail: 'Secret key must start with a letter or underscore and contain only A–Z, 0–9 and _ (max 128)',
  },
  NO_CHANGES: { status: 400, title: 'No changes to save', detail: 'No changes to save' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', detail: 'A valid token is required' },
  PASSKEY_REJECTED: { status: 401, title: 'Passkey rejected', detail: 'The passkey could not be verified; try again' },
  FORBIDDEN: { status: 403, title: 'Forbidden', detail: 'Your role does not allow this action' },
  CSRF_REJECTED: {
    status: 403,
    title: 'Cross-site request refused',
    detail: 'A request signed in with the session cookie must come from the dashboard and carry its X-CSRF-Token',
  },
  OWNER_PROTECTED: { status: 403, title: 'Owner protected', detail: 'Only an Owner can grant, change or remove the Owner role' },
  ORG_NOT_FOUND: { status: 404, title: 'Organization not found', detail: 'Organization does not exist' },
  ENVIRONMENT_NOT_FOUND: { status: 404, title: 'Environment not found', detail: 'Environment does not exist' },
  SECRET_NOT_FOUND: { status: 404, title: 'Secret not found', detail: 'Secret does not exist' },
  SECRET_VERSION_NOT_FOUND: { status: 404, title: 'Secret version not found', detail: 'That version of the secret is not kept' },
  MEMBER_NOT_FOUND: { status: 404, title: 'Member not found', detail: 'User is not a member of this organization' },
  USER_NOT_FOUND: { status: 404, title: 'User not found', detail: 'User does not exist' },
  TOKEN_NOT_FOUND: { status: 404, title: 'Token not found', detail: 'Token does not exist' },
  INVITATION_NOT_FOUND: {
    status: 404,
    title: 'Invitation not found',
    detail: 'This invitation link is unknown, already used, revoked or expired',
  },
  PASSKEY_NOT_FOUND: { status: 404, title: 'Passkey not found', detail: 'Passkey does not exist' },
  NOT_FOUND: { status: 404, title: 'Not found', detail: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', detail: 'This route does not support that method' },
  SECRET_EXISTS: { status: 409, title: 'Secret already exists', detail: 'A secret with this key already exists' },
  ORG_EXISTS: { status: 409, title: 'Organization already exists', detail: 'An organization with this slug already exists' },
  ENVIRONMENT_EXISTS: { status: 409, title: 'Environment already exists', detail: 'An environment with this slug already exists' },
  USER_EXISTS: { status: 409, title: 'User already exists', detail: 'A user with this e-mail already exists' },
  LAST_OWNER: { status: 409, title: 'Last owner', detail: 'The organization must keep at least one Owner' },
  MEMBER_OWNS_WORKSPACES: { status: 409, title: 'Member owns workspaces', detail: 'This member owns workspaces: give them another owner first' },
  LAST_SIGN_IN_METHOD: {
    status: 409,
    title: 'Last way to sign in',
    detail: 'This is your last way to sign in: add another passkey or create a personal token first',
  },
  STALE_VERSION: { status: 412, title: 'Stale version', detail: 'The secret was changed by someone else' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', detail: 'Request bodies are limited to 1 MiB' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', detail: 'Request bodies must be application/json' },
  RATE_LIMITED: { status: 429, title: 'Too many requests', detail: 'Too many requests; retry later' },
  SECRET_UNREADABLE: {
    status: 500,
    title: 'Secret unreadable',
    detail: 'The stored secret failed its integrity check and was not returned',
  },
  INTERNAL: { status: 500, title: 'Internal error', detail: 'Something went wrong on the server' },
  AUDIT_UNAVAILABLE: {
    status: 503,
    title: 'Audit unavailable',
    detail: 'The audit event could not be written, so the action was not performed',
  },
  NOT_READY: { status: 503, title: 'Not ready', detail: 'The server cannot reach its database or the database is not migrated yet' },
  OIDC_POLICY_NOT_FOUND: { status: 404, title: 'Trust policy not found', detail: 'No such trust policy in this organization' },
  OIDC_POLICY_EXISTS: { status: 409, title: 'Trust policy already exists', detail: 'A trust policy with this name already exists' },
  OIDC_POLICY_TOO_BROAD: {
    status: 400,
    title: 'Trust policy too broad',
    detail: 'A trust policy must bind the repository or its owner (repository, repository_id, repository_owner, repository_owner_id or sub)',
  },
  OIDC_TOKEN_REFUSED: { status: 401, title: 'OIDC token refused', detail: 'No trust policy of this organization accepts the token' },
  OIDC_TOKEN_ALREADY_USED: {
    status: 401,
    title: 'OIDC token already used',
    detail: 'This OIDC token was already exchanged; an OIDC token may be exchanged once: request a new one from the issuer',
  },
  OIDC_ISSUER_UNAVAILABLE: {
    status: 502,
    title: 'OIDC issuer unavailable',
    detail: "The issuer's discovery document or signing keys could not be fetched",
  },
  WORKSPACE_NOT_FOUND: { status: 404, title: 'Workspace not found', detail: 'No such workspace in this organization' },
  WORKSPACE_EXISTS: { status: 409, title: 'Workspace already exists', detail: 'A workspace with this slug already exists' },
  WORKSPACE_OWNER_INVALID: { status: 400, title: 'Invalid workspace owner', detail: "A workspace's owner must be a member of the organization" },
  WORKSPACE_UNKNOWN: { status: 400, title: 'Unknown workspace', detail: 'A workspace named in workspaces does not exist in this organization' },
  WORKSPACE_IN_USE: {
    status: 409,
    title: 'Workspace in use',
    detail: 'Organization secrets are limited to this workspace alone; change their workspaces first',
  },
  ORG_SECRET_READ_ONLY: {
    status: 409,
    title: 'Organization secret is read-only here',
    detail: 'This is an organization secret: it is read-only in a workspace',
  },
};

/** A problem the API answers with. `detail` must never carry a secret value or token. */
export class ApiError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly detail: string;
  readonly errors?: { path: string; message: string }[];
  readonly headers?: Record<string, string>;
  readonly refusals?: OidcRefusal[];

  constructor(
    code: ProblemCode,
    detail?: string,
    extra: { errors?: { path: string; message: string }[]; headers?: Record<string, string>; refusals?: OidcRefusal[] } = {},
  ) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ?? entry.detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = entry.status;
    this.detail = detail ?? entry.detail;
    if (extra.errors) this.errors = extra.errors;
    if (extra.headers) this.headers = extra.headers;
    if (extra.refusals) this.refusals = extra.refusals;
  }
}

/** `SECRET_KEY_REQUIRED` → `https://secrets.dev/problems/secret-key-required`. */
export function problemType(code: ProblemCode): string {
  return `https://secrets.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problemBody(err: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: problemType(err.code),
    title: ERROR_CATALOGUE[err.code].title,
    status: err.status,
    detail: err.detail,
    code: err.code,
  };
  if (err.errors) body.errors = err.errors;
  if (err.refusals) body.refusals = err.refusals;
  return body;
}
