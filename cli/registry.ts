// Every command, in the order `secrets --help` lists them.
import type { Command } from './command.ts';
import { audit } from './commands/audit.ts';
import { compare } from './commands/compare.ts';
import { diff } from './commands/diff.ts';
import { complete } from './commands/complete.ts';
import { completion } from './commands/completion.ts';
import { envs } from './commands/envs.ts';
import { exportCommand } from './commands/export.ts';
import { get } from './commands/get.ts';
import { history } from './commands/history.ts';
import { importCommand } from './commands/import.ts';
import { members } from './commands/members.ts';
import { invitations, invite } from './commands/invitations.ts';
import { login } from './commands/login.ts';
import { logout } from './commands/logout.ts';
import { ls } from './commands/ls.ts';
import { orgs } from './commands/orgs.ts';
import { rm } from './commands/rm.ts';
import { rollback } from './commands/rollback.ts';
import { run } from './commands/run.ts';
import { watch } from './commands/watch.ts';
import { set } from './commands/set.ts';
import { tokens } from './commands/tokens.ts';
import { users } from './commands/users.ts';
import { whoami } from './commands/whoami.ts';
import { workspaces } from './commands/workspaces.ts';
import { oidcPolicies } from './commands/oidc-policies.ts';
import { retention } from './commands/retention.ts';

export const COMMANDS: readonly Command[] = [
  login, logout, whoami, orgs, envs, ls, get, set, rm, exportCommand, run,
  // Administration and comparison (issue 14).
  users, members, invite, invitations, tokens, audit, compare, importCommand, completion,
  // Keyless CI (issue 13).
  oidcPolicies,
  // Live changes (issue 14).
  watch,
  // Secret history (issue 12).
  history, rollback, diff, retention,
  // Workspaces (issue 11).
  workspaces,
];

/** Commands that work but are not listed in --help (the completion scripts' helper). */
const HIDDEN: readonly Command[] = [complete];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name) ?? HIDDEN.find((c) => c.name === name);
}
