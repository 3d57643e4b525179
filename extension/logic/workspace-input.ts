// What managing workspaces shares: the role gate (Admins and Owners, as the server decides), the live
// validation of a slug and a name with the server's own rules, and naming a member as the owner.
import { SLUG_PATTERN, type Role } from '../../core/api-types.ts';
import { ExtensionError } from '../errors.ts';
import type { SecretsApi } from './ports.ts';

/** The organization a workspace command acts in, and the caller's role there (the menus' role). */
export interface WorkspaceScope {
  org: string;
  role: Role | undefined;
}

/** A workspace as the command saw it (the tree's item, or the server's answer). */
export interface WorkspaceSeen {
  slug: string;
  name: string;
  /** The owner's user id. */
  owner: string;
  ownerName: string;
}

export const WORKSPACE_NAME_MAX_LENGTH = 200;

/** Refused before any prompt: the server would refuse it anyway (403), and the menus hide it. */
export function requireWorkspaceAdmin(scope: WorkspaceScope): void {
  if (scope.role === 'admin' || scope.role === 'owner') return;
  throw new ExtensionError('EXT_NOT_ALLOWED', `Workspaces are created, renamed and deleted by the Admins and Owners of ${scope.org}; your role is ${scope.role ?? 'unknown'}`);
}

/** Slugs are lowercased as typed: they never hold capitals. */
export function slugAsTyped(raw: string): string {
  return raw.toLowerCase();
}

export function validateWorkspaceSlug(slug: string, existing: ReadonlySet<string> = new Set(), org?: string): string | undefined {
  if (slug === '') return 'Workspace slug is required';
  if (!SLUG_PATTERN.test(slug)) return 'A workspace slug has lowercase letters, digits and hyphens, starts with a letter or digit, and is at most 63 characters (e.g. billing)';
  if (existing.has(slug)) return `A workspace with the slug ${slug} already exists${org ? ` in ${org}` : ''}`;
  return undefined;
}

/** `optional`: on create an empty name means "the slug" (the server's default). */
export function validateWorkspaceName(name: string, optional = false): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return optional ? undefined : 'Workspace name is required';
  if (trimmed.length > WORKSPACE_NAME_MAX_LENGTH) return `Workspace name must be at most ${WORKSPACE_NAME_MAX_LENGTH} characters`;
  return undefined;
}

/**
 * The owner given by a programmatic caller: a member's user id, or their e-mail (looked up among the
 * members). An id that is no member's is sent as is: the server's WORKSPACE_OWNER_INVALID says so.
 */
export async function ownerIdOf(api: SecretsApi, org: string, given: string): Promise<string> {
  const wanted = given.trim();
  if (!wanted.includes('@')) return wanted;
  const member = (await api.listMembers(org)).find((m) => m.email.toLowerCase() === wanted.toLowerCase());
  if (!member) throw new ExtensionError('EXT_INVALID_INPUT', `No member of ${org} has the e-mail ${wanted}`);
  return member.userId;
}
