// A moment given on the command line (`--at`, `--from`, `--to`), checked before any request.
import { isMoment, MOMENT_EXAMPLE } from '../core/moment.ts';
import { CliError } from './errors.ts';

export function momentFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isMoment(value)) throw new CliError('CLI_USAGE', `${flag} must be an ISO 8601 time with a zone, e.g. ${MOMENT_EXAMPLE}`);
  return value;
}
