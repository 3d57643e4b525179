// The core library's error catalogue. Every error core throws is a SecretsError with one of these stable
// codes, so consumers (CLI, Action, extension) branch on `code` and turn it into their own user message.
// core/ERRORS.md documents each code; test/core/errors.test.ts keeps the two in step.
import type { ProblemCode } from './api-types.ts';

export const SECRETS_ERROR_CODES = [
  'SECRETS_UNAUTHORIZED',
  'SECRETS_FORBIDDEN',
  'SECRETS_NOT_FOUND',
  'SECRETS_CONFLICT',
  'SECRETS_STALE_VERSION',
  'SECRETS_VALIDATION',
  'SECRETS_TOO_LARGE',
  'SECRETS_RATE_LIMITED',
  'SECRETS_SERVER',
  'SECRETS_AUDIT_UNAVAILABLE',
  'SECRETS_NETWORK',
  'SECRETS_TIMEOUT',
  'SECRETS_REFERENCE_CYCLE',
  'SECRETS_REFERENCE_MISSING',
  'SECRETS_REFERENCE_TOO_LARGE',
  'SECRETS_DOTENV_UNREPRESENTABLE',
  'SECRETS_URL_INVALID',
  'SECRETS_NAME_REFUSED',
] as const;

export type SecretsErrorCode = (typeof SECRETS_ERROR_CODES)[number];

export interface SecretsErrorDetails {
  /** HTTP status of the server's answer, when there was one. */
  status?: number;
  /** The server's problem `code` (docs/api.md), when it sent problem+json. */
  problemCode?: string;
  /** The server's problem `detail`: a human sentence, never a value or token (and redacted again here). */
  detail?: string;
  /** Field-level validation messages the server attached to a 400. */
  errors?: { path: string; message: string }[];
  /** How long the server asked us to wait (429 / 503 with Retry-After). */
  retryAfterMs?: number;
  /** How many HTTP attempts were made before giving up (1 when nothing was retried). */
  attempts?: number;
}

export class SecretsError extends Error {
  readonly code: SecretsErrorCode;
  declare readonly status?: number;
  declare readonly problemCode?: string;
  declare readonly detail?: string;
  declare readonly errors?: { path: string; message: string }[];
  declare readonly retryAfterMs?: number;
  declare readonly attempts?: number;

  constructor(code: SecretsErrorCode, message: string, details: SecretsErrorDetails = {}) {
    super(message);
    this.name = 'SecretsError';
    this.code = code;
    // Only defined fields become own properties (the optional ones are `declare`d, so no class field
    // initialises them to undefined), which keeps JSON.stringify and util.inspect readable.
    if (details.status !== undefined) this.status = details.status;
    if (details.problemCode !== undefined) this.problemCode = details.problemCode;
    if (details.detail !== undefined) this.detail = details.detail;
    if (details.errors !== undefined) this.errors = details.errors;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }

  /**
   * A plain-object form for `--json` output and logs: name, code and message (which JSON.stringify would
   * otherwise drop) plus every own field, including a subclass's (`cycle`, `secret`, `key`, …).
   */
  toJSON(): Record<string, unknown> {
    const own: Record<string, unknown> = Object.fromEntries(Object.entries(this));
    return { ...own, name: this.name, code: this.code, message: this.message };
  }
}

export function isSecretsError(err: unknown, code?: SecretsErrorCode): err is SecretsError {
  return err instanceof SecretsError && (code === undefined || err.code === code);
}

// The server's problem code is the precise signal; the HTTP status is the fall-back for answers that are
// not problem+json (a proxy's 502 page, an unknown future code).
const BY_PROBLEM: Partial<Record<ProblemCode, SecretsErrorCode>> = {
  VALIDATION_FAILED: 'SECRETS_VALIDATION',
  SECRET_KEY_REQUIRED: 'SECRETS_VALIDATION',
  SECRET_VALUE_REQUIRED: 'SECRETS_VALIDATION',
  SECRET_KEY_INVALID: 'SECRETS_VALIDATION',
  NO_CHANGES: 'SECRETS_VALIDATION',
  UNSUPPORTED_MEDIA_TYPE: 'SECRETS_VALIDATION',
  UNAUTHORIZED: 'SECRETS_UNAUTHORIZED',
  PASSKEY_REJECTED: 'SECRETS_UNAUTHORIZED',
  FORBIDDEN: 'SECRETS_FORBIDDEN',
  OWNER_PROTECTED: 'SECRETS_FORBIDDEN',
  CSRF_REJECTED: 'SECRETS_FORBIDDEN',
  ORG_NOT_FOUND: 'SECRETS_NOT_FOUND',
  ENVIRONMENT_NOT_FOUND: 'SECRETS_NOT_FOUND',
  SECRET_NOT_FOUND: 'SECRETS_NOT_FOUND',
  SECRET_VERSION_NOT_FOUND: 'SECRETS_NOT_FOUND',
  MEMBER_NOT_FOUND: 'SECRETS_NOT_FOUND',
  USER_NOT_FOUND: 'SECRETS_NOT_FOUND',
  TOKEN_NOT_FOUND: 'SECRETS_NOT_FOUND',
  INVITATION_NOT_FOUND: 'SECRETS_NOT_FOUND',
  PASSKEY_NOT_FOUND: 'SECRETS_NOT_FOUND',
  NOT_FOUND: 'SECRETS_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'SECRETS_NOT_FOUND',
  SECRET_EXISTS: 'SECRETS_CONFLICT',
  ORG_EXISTS: 'SECRETS_CONFLICT',
  ENVIRONMENT_EXISTS: 'SECRETS_CONFLICT',
  USER_EXISTS: 'SECRETS_CONFLICT',
  LAST_OWNER: 'SECRETS_CONFLICT',
  MEMBER_OWNS_WORKSPACES: 'SECRETS_CONFLICT',
  LAST_SIGN_IN_METHOD: 'SECRETS_CONFLICT',
  STALE_VERSION: 'SECRETS_STALE_VERSION',
  PAYLOAD_TOO_LARGE: 'SECRETS_TOO_LARGE',
  RATE_LIMITED: 'SECRETS_RATE_LIMITED',
  SECRET_UNREADABLE: 'SECRETS_SERVER',
  INTERNAL: 'SECRETS_SERVER',
  AUDIT_UNAVAILABLE: 'SECRETS_AUDIT_UNAVAILABLE',
  OIDC_POLICY_NOT_FOUND: 'SECRETS_NOT_FOUND',
  OIDC_POLICY_EXISTS: 'SECRETS_CONFLICT',
  OIDC_POLICY_TOO_BROAD: 'SECRETS_VALIDATION',
  OIDC_TOKEN_REFUSED: 'SECRETS_UNAUTHORIZED',
  OIDC_TOKEN_ALREADY_USED: 'SECRETS_UNAUTHORIZED',
  OIDC_ISSUER_UNAVAILABLE: 'SECRETS_SERVER',
  WORKSPACE_NOT_FOUND: 'SECRETS_NOT_FOUND',
  WORKSPACE_EXISTS: 'SECRETS_CONFLICT',
  WORKSPACE_IN_USE: 'SECRETS_CONFLICT',
  ORG_SECRET_READ_ONLY: 'SECRETS_CONFLICT',
  WORKSPACE_OWNER_INVALID: 'SECRETS_VALIDATION',
  WORKSPACE_UNKNOWN: 'SECRETS_VALIDATION',
};

/** The stable core code for an HTTP error answer. */
export function codeForResponse(status: number, problemCode?: string): SecretsErrorCode {
  const known = problemCode !== undefined ? BY_PROBLEM[problemCode as ProblemCode] : undefined;
  if (known) return known;
  switch (status) {
    case 401:
      return 'SECRETS_UNAUTHORIZED';
    case 403:
      return 'SECRETS_FORBIDDEN';
    case 404:
    case 405:
    case 410:
      return 'SECRETS_NOT_FOUND';
    case 409:
      return 'SECRETS_CONFLICT';
    case 412:
      return 'SECRETS_STALE_VERSION';
    case 413:
      return 'SECRETS_TOO_LARGE';
    case 408:
    case 504:
      return 'SECRETS_TIMEOUT';
    case 429:
      return 'SECRETS_RATE_LIMITED';
  }
  if (status >= 400 && status < 500) return 'SECRETS_VALIDATION';
  return 'SECRETS_SERVER';
}

/** What to say when the server gave no problem detail of its own. */
export const DEFAULT_MESSAGES: Record<SecretsErrorCode, string> = {
  SECRETS_UNAUTHORIZED: 'The token was rejected: it is missing, unknown, expired or revoked',
  SECRETS_FORBIDDEN: 'The token does not allow this action',
  SECRETS_NOT_FOUND: 'Not found',
  SECRETS_CONFLICT: 'The change conflicts with what already exists',
  SECRETS_STALE_VERSION: 'The secret was changed by someone else',
  SECRETS_VALIDATION: 'The server rejected the request as invalid',
  SECRETS_TOO_LARGE: 'The request is too large',
  SECRETS_RATE_LIMITED: 'Too many requests; try again later',
  SECRETS_SERVER: 'The secrets server failed to answer the request',
  SECRETS_AUDIT_UNAVAILABLE: 'The audit log could not be written, so the action was not performed',
  SECRETS_NETWORK: 'Could not reach the secrets server',
  SECRETS_TIMEOUT: 'The secrets server did not answer in time',
  SECRETS_REFERENCE_CYCLE: 'Secret references form a cycle',
  SECRETS_REFERENCE_MISSING: 'A secret references a name that does not exist',
  SECRETS_REFERENCE_TOO_LARGE: 'A resolved value grew past the size limit',
  SECRETS_DOTENV_UNREPRESENTABLE: 'A secret cannot be written to a .env file exactly',
  SECRETS_URL_INVALID: 'The server URL cannot be used',
  SECRETS_NAME_REFUSED: "A secret's name changes how programs start or find code, so it is not exported unless allowed by name",
};
