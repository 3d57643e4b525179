// A role named on the command line (members set-role, invite), checked before anything is sent.
import { ROLES, type Role } from '../core/api-types.ts';
import { CliError } from './errors.ts';

export function roleArg(text: string): Role {
  const role = text.toLowerCase() as Role;
  if (!ROLES.includes(role)) throw new CliError('CLI_INVALID_INPUT', `Role must be one of ${ROLES.join(', ')}`);
  return role;
}
