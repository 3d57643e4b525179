// The action's error catalogue. Everything that stops the action is an ActionError with a stable code, or a
// core SecretsError; failureMessage() turns either into the one line given to core.setFailed. That line
// names keys, inputs and the server's problem detail, never a value or the token: action/ERRORS.md
// documents each code and test/action/errors.test.ts keeps the two in step.
import { isSecretsError, type SecretsError, type SecretsErrorCode } from '../core/errors.ts';

export const ACTION_ERROR_CODES = [
  'ACTION_INPUT_REQUIRED',
  'ACTION_INPUT_INVALID',
  'ACTION_KEYS_INVALID',
  'ACTION_SECRET_MISSING',
  'ACTION_NAME_UNSAFE',
  'ACTION_NAME_REFUSED',
  'ACTION_NAME_COLLISION',
  'ACTION_NAME_OVERWRITE',
  'ACTION_RUNNER_FILE_MISSING',
  'ACTION_TEMPLATE_READ',
  'ACTION_FILE_WRITE',
  'ACTION_FILE_EXISTS',
  'ACTION_FILE_LINK',
  'ACTION_OIDC_PERMISSION',
  'ACTION_OIDC_TOKEN',
  'ACTION_OIDC_REFUSED',
  'ACTION_OIDC_ENVIRONMENT',
  'ACTION_UNEXPECTED',
] as const;

export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];

export class ActionError extends Error {
  readonly code: ActionErrorCode;
  /** The message's line breaks are kept (it shows lines to paste, e.g. YAML); otherwise it is one line. */
  readonly keepLines: boolean;

  constructor(code: ActionErrorCode, message: string, options: { keepLines?: boolean } = {}) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
    this.keepLines = options.keepLines ?? false;
  }
}

// What each core failure means to someone reading a CI log, and what to do about it. The server's own
// problem detail (e.g. "Environment staging2 does not exist in acme") is appended when there is one.
const CORE_HINTS: Record<SecretsErrorCode, string> = {
  SECRETS_UNAUTHORIZED: 'The token was rejected (missing, unknown, expired or revoked); check the `token` input',
  SECRETS_FORBIDDEN: 'The token may not read this environment; a service token reads only its own environment (and, when bound to a workspace, only that workspace: leave the `workspace` input empty or name it)',
  SECRETS_NOT_FOUND: 'Not found; check the `org`, `environment` and `workspace` inputs',
  SECRETS_CONFLICT: 'The server reported a conflict',
  SECRETS_STALE_VERSION: 'The server reported a stale version',
  SECRETS_VALIDATION: 'The server rejected the request; check the `org`, `environment` and `keys` inputs',
  SECRETS_TOO_LARGE: 'The request is too large; ask for fewer keys',
  SECRETS_RATE_LIMITED: 'The secrets server is rate limiting this token and retries ran out',
  SECRETS_SERVER: 'The secrets server failed to answer and retries ran out',
  SECRETS_AUDIT_UNAVAILABLE: 'The secrets server could not write its audit log, so it revealed nothing',
  SECRETS_NETWORK: 'Could not reach the secrets server; check the `url` input and the network',
  SECRETS_TIMEOUT: 'The secrets server did not answer in time',
  SECRETS_REFERENCE_CYCLE: 'Secret references form a cycle',
  SECRETS_REFERENCE_MISSING: 'A secret references a name that does not exist',
  SECRETS_REFERENCE_TOO_LARGE: 'A secret grows too large when its references are resolved',
  SECRETS_DOTENV_UNREPRESENTABLE: 'A secret cannot be written to the env-file exactly',
  SECRETS_URL_INVALID: 'Input "url" cannot be used',
  SECRETS_NAME_REFUSED: "A secret's name changes how programs start; list it in allow-names to export it",
};

// Errors raised locally by core (not by the server) carry their precise message, built from key names only.
const LOCAL_CODES: ReadonlySet<SecretsErrorCode> = new Set([
  'SECRETS_REFERENCE_CYCLE',
  'SECRETS_REFERENCE_MISSING',
  'SECRETS_REFERENCE_TOO_LARGE',
  'SECRETS_DOTENV_UNREPRESENTABLE',
  'SECRETS_URL_INVALID',
  'SECRETS_NAME_REFUSED',
]);

export function coreHint(code: SecretsErrorCode): string {
  return CORE_HINTS[code];
}

function describeSecretsError(err: SecretsError): string {
  const hint = CORE_HINTS[err.code] ?? 'The secrets server failed';
  // The server's problem detail is the precise part of an HTTP error; never a value (docs/api.md).
  const precise = LOCAL_CODES.has(err.code) ? err.message : err.detail;
  const attempts = err.attempts !== undefined && err.attempts > 1 ? ` after ${err.attempts} attempts` : '';
  return `${hint}${attempts}${precise ? `: ${oneLine(precise)}` : ''} [${err.code}]`;
}

/** The single setFailed line for anything thrown out of the action. */
export function failureMessage(err: unknown): string {
  if (err instanceof ActionError) return `${err.keepLines ? err.message.trim() : oneLine(err.message)} [${err.code}]`;
  if (isSecretsError(err)) return describeSecretsError(err);
  // An unexpected error's message is not ours and may quote input it choked on (JSON.parse does), so
  // only its class name is reported.
  const kind = err instanceof Error ? err.name : typeof err;
  return `Unexpected internal error (${kind}) [ACTION_UNEXPECTED]`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
