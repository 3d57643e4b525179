// The CLI's error catalogue: every failure ends the process with one line `secrets: <message>` and an
// exit code that scripts can branch on. Codes are grouped into classes so that, for example, every
// "could not reach the server" failure exits 12 whatever layer noticed it. cli/ERRORS.md documents each
// code and exit status; test/cli/errors.test.ts keeps the two in step.
import { SecretsError, type SecretsErrorCode } from '../core/errors.ts';

export const CLI_ERROR_CODES = {
  CLI_INTERNAL: 1,
  CLI_USAGE: 2,
  CLI_NOT_CONFIGURED: 3,
  CLI_CREDENTIALS_UNREADABLE: 3,
  CLI_INVALID_INPUT: 9,
  CLI_CONFIRMATION_REQUIRED: 14,
  CLI_ABORTED: 14,
  CLI_FILE_UNREADABLE: 17,
  CLI_COMMAND_NOT_EXECUTABLE: 126,
  CLI_COMMAND_NOT_FOUND: 127,
  CLI_INTERRUPTED: 130,
} as const;

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/**
 * Exit status for each core error code (core/errors.ts), by class. Keyed by string rather than
 * SecretsErrorCode so a code core adds later falls back to 1 instead of breaking the build;
 * test/cli/errors.test.ts fails until the new code is given its class here and in cli/ERRORS.md.
 */
export const CORE_EXIT_CODES: Readonly<Record<string, number>> = {
  SECRETS_UNAUTHORIZED: 4,
  SECRETS_FORBIDDEN: 5,
  SECRETS_NOT_FOUND: 6,
  SECRETS_CONFLICT: 7,
  SECRETS_STALE_VERSION: 8,
  SECRETS_VALIDATION: 9,
  SECRETS_TOO_LARGE: 9,
  SECRETS_RATE_LIMITED: 10,
  SECRETS_SERVER: 11,
  SECRETS_AUDIT_UNAVAILABLE: 11,
  SECRETS_NETWORK: 12,
  SECRETS_TIMEOUT: 12,
  SECRETS_REFERENCE_CYCLE: 13,
  SECRETS_REFERENCE_MISSING: 13,
  SECRETS_REFERENCE_TOO_LARGE: 13,
  SECRETS_DOTENV_UNREPRESENTABLE: 15,
  SECRETS_URL_INVALID: 9,
  SECRETS_NAME_REFUSED: 16,
};

export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = CLI_ERROR_CODES[code];
  }
}

export interface Failure {
  code: string;
  exitCode: number;
  message: string;
}

// What a user can do about a server answer is not the server's to say; the CLI adds the next step.
const HINTS: Partial<Record<SecretsErrorCode, string>> = {
  SECRETS_UNAUTHORIZED: 'run `secrets login` again, or check SECRETS_TOKEN',
};

/** Turns anything thrown into the one line and exit status the user sees. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof CliError) return { code: err.code, exitCode: err.exitCode, message: err.message };
  if (err instanceof SecretsError) {
    const hint = HINTS[err.code];
    return {
      code: err.code,
      exitCode: CORE_EXIT_CODES[err.code] ?? 1,
      message: hint ? `${err.message} (${hint})` : err.message,
    };
  }
  // An unexpected error's message may come from anywhere, so it is only shown after redaction (main.ts).
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'CLI_INTERNAL', exitCode: CLI_ERROR_CODES.CLI_INTERNAL, message: `unexpected error: ${message}` };
}
