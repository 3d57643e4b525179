// The roles table of the issue, as data. Service tokens are read-only and bound to one environment.
import type { Role } from '../../core/api-types.ts';

export type Permission =
  | 'org.read'
  | 'org.view'
  | 'secret.view'
  | 'secret.reveal'
  | 'secret.create'
  | 'secret.edit'
  | 'secret.delete'
  | 'org.manage';

const VIEW: Permission[] = ['org.read', 'org.view', 'secret.view'];
const EDIT: Permission[] = [...VIEW, 'secret.reveal', 'secret.create', 'secret.edit'];
const MANAGE: Permission[] = [...EDIT, 'secret.delete', 'org.manage'];

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(MANAGE),
  admin: new Set(MANAGE),
  editor: new Set(EDIT),
  viewer: new Set(VIEW),
};

/** What a service token may do, in its own environment only. */
const SERVICE_PERMISSIONS: ReadonlySet<Permission> = new Set(['org.read', 'secret.view', 'secret.reveal']);

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

export function serviceAllows(permission: Permission): boolean {
  return SERVICE_PERMISSIONS.has(permission);
}

/** Admins manage members but cannot grant, change or remove the Owner role. */
export function canManageRole(actorRole: Role, currentRole: Role | null, newRole: Role | null): boolean {
  if (actorRole === 'owner') return true;
  return currentRole !== 'owner' && newRole !== 'owner';
}
