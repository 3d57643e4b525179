// What each role may do with secrets, as docs/api.md grants it (reveal/create/edit Editor+, delete
// Admin+). The tree hides what the server would refuse, so a Viewer is never offered a dead end.
import type { Role } from '../../core/api-types.ts';

export type SecretAction = 'view' | 'reveal' | 'create' | 'edit' | 'delete';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };
const MINIMUM: Record<SecretAction, Role> = {
  view: 'viewer',
  reveal: 'editor',
  create: 'editor',
  edit: 'editor',
  delete: 'admin',
};

export function can(role: Role | undefined, action: SecretAction): boolean {
  if (role === undefined) return false;
  return RANK[role] >= RANK[MINIMUM[action]];
}

export function allowedActions(role: Role | undefined): SecretAction[] {
  return (Object.keys(MINIMUM) as SecretAction[]).filter((a) => can(role, a));
}

/** Trust policies and the audit log are the Admins' and Owners' (docs/api.md). */
export function canAdminister(role: Role | undefined): boolean {
  return role === 'admin' || role === 'owner';
}
