// "Set Workspace Owner", and the owner pick "Create Workspace" shares: the organization's members, the
// one who already holds the place (the current owner, or on create the user) first. The owner writes the
// workspace's secrets whatever their role, with the organization's Owners and Admins.
import type { Workspace } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, UiPort } from './ports.ts';
import { ownerIdOf, requireWorkspaceAdmin, type WorkspaceScope, type WorkspaceSeen } from './workspace-input.ts';

export interface SetOwnerArgs {
  /** A member's user id or e-mail. */
  owner: string;
}

/** A member picked as owner; `first` (a user id) is listed first and marked `mark`. */
export async function pickOwner(api: SecretsApi, ui: UiPort, org: string, title: string, first: string | undefined, mark: string): Promise<string> {
  const members = await api.listMembers(org);
  const ordered = [...members.filter((m) => m.userId === first), ...members.filter((m) => m.userId !== first)];
  const picked = await ui.pick(
    ordered.map((m) => ({
      label: m.name,
      description: [m.email, m.role, m.userId === first ? mark : undefined].filter(Boolean).join(' · '),
      value: m.userId,
    })),
    { title, placeholder: 'The owner writes the workspace’s secrets, with the organization’s Owners and Admins' },
  );
  if (picked === undefined) throw new Cancelled();
  return picked;
}

export async function setWorkspaceOwner(api: SecretsApi, ui: UiPort, scope: WorkspaceScope, seen: WorkspaceSeen, args?: SetOwnerArgs): Promise<Workspace> {
  requireWorkspaceAdmin(scope);
  const owner = args
    ? await ownerIdOf(api, scope.org, args.owner)
    : await pickOwner(api, ui, scope.org, `Set the owner of workspace ${seen.slug} (now ${seen.ownerName})`, seen.owner, 'current owner');
  if (owner === seen.owner) throw new ExtensionError('EXT_NO_CHANGES');
  return api.updateWorkspace(scope.org, seen.slug, { owner });
}
