// Every command, in the order `secrets --help` lists them.
import type { Command } from './command.ts';
import { envs } from './commands/envs.ts';
import { exportCommand } from './commands/export.ts';
import { get } from './commands/get.ts';
import { login } from './commands/login.ts';
import { logout } from './commands/logout.ts';
import { ls } from './commands/ls.ts';
import { orgs } from './commands/orgs.ts';
import { rm } from './commands/rm.ts';
import { run } from './commands/run.ts';
import { set } from './commands/set.ts';
import { whoami } from './commands/whoami.ts';
import { oidcPolicies } from './commands/oidc-policies.ts';

export const COMMANDS: readonly Command[] = [login, logout, whoami, orgs, envs, ls, get, set, rm, exportCommand, run, oidcPolicies];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
