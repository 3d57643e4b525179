// The extension's error catalogue. Logic throws ExtensionError (or core's SecretsError); the command
// edge turns either into ONE notification that names the action. extension/ERRORS.md documents every
// code below and every core code a user can meet; a unit test keeps them in step.
import { isSecretsError, type SecretsErrorCode } from '../core/errors.ts';

export const EXTENSION_ERRORS = {
  EXT_NOT_CONNECTED: 'Not connected: run "Secrets: Connect" first',
  EXT_TOKEN_REQUIRED: 'A token is required to connect',
  EXT_TOKEN_ORIGIN: 'The stored token was given for another server, so it is not sent to this one: run "Secrets: Connect"',
  EXT_NO_ORGANIZATION: 'This token belongs to no organization',
  EXT_NO_ENVIRONMENT: 'No environment is selected: run "Secrets: Switch Environment"',
  EXT_UNKNOWN_ORGANIZATION: 'You are not a member of that organization',
  EXT_UNKNOWN_ENVIRONMENT: 'That environment does not exist in this organization',
  EXT_SECRET_NOT_FOUND: 'That secret is not in the current environment',
  EXT_INVALID_INPUT: 'The input is not valid',
  EXT_NO_CHANGES: 'No changes to save',
  EXT_NOT_ALLOWED: 'Your role in this organization does not allow this action',
  EXT_CONFIRMATION_MISMATCH: 'The key typed did not match, so nothing was deleted',
  EXT_NO_HISTORY: 'No secret is shown in History: run "Secrets: Show History" on a secret first',
  EXT_VERSION_NOT_SHOWN: 'That version is not in the History view: refresh it',
  EXT_UNKNOWN_WORKSPACE: 'That workspace does not exist in this organization',
  EXT_ORG_SECRET_READ_ONLY: 'This is an organization secret: it is read-only in a workspace. Override it by adding a workspace secret with the same key',
  EXT_UNEXPECTED: 'Something unexpected went wrong; the "Secrets" output has the details',
} as const;

export type ExtensionErrorCode = keyof typeof EXTENSION_ERRORS;

export class ExtensionError extends Error {
  readonly code: ExtensionErrorCode;
  constructor(code: ExtensionErrorCode, message: string = EXTENSION_ERRORS[code]) {
    super(message);
    this.name = 'ExtensionError';
    this.code = code;
  }
}

/** The user gave up on a prompt: not an error, nothing is shown. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

// What the user can do about a core error, added after the server's own sentence.
const CORE_HINTS: Partial<Record<SecretsErrorCode, string>> = {
  SECRETS_UNAUTHORIZED: 'Run "Secrets: Connect" with a valid token.',
  SECRETS_STALE_VERSION: 'Refresh to see the current version; nothing was overwritten.',
  SECRETS_NETWORK: 'Check "secrets.serverUrl" and that the server is running.',
  SECRETS_TIMEOUT: 'Try again; check the server if it keeps happening.',
  SECRETS_RATE_LIMITED: 'Wait a moment and try again.',
};

export interface UserError {
  code: string;
  message: string;
}

/**
 * One sentence for a notification: "<Action> failed: <why>. <hint>". `redact` removes anything the
 * extension knows to be secret (the token, values it revealed or was given) as a last line of defence.
 */
export function describeError(action: string, err: unknown, redact: (text: string) => string = (t) => t): UserError {
  let code: string;
  let why: string;
  if (err instanceof ExtensionError) {
    code = err.code;
    why = err.message;
  } else if (isSecretsError(err)) {
    code = err.code;
    why = err.message;
    const hint = CORE_HINTS[err.code];
    if (hint) why = `${why.replace(/[.\s]+$/, '')}. ${hint}`;
  } else {
    code = 'EXT_UNEXPECTED';
    why = EXTENSION_ERRORS.EXT_UNEXPECTED;
  }
  return { code, message: redact(`${action} failed: ${why}`) };
}
