// "Rename Workspace": a new name (the slug never changes); the same name is "No changes to save"
// before any request.
import type { Workspace } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, UiPort } from './ports.ts';
import { requireWorkspaceAdmin, validateWorkspaceName, type WorkspaceScope, type WorkspaceSeen } from './workspace-input.ts';

export interface RenameWorkspaceArgs {
  name: string;
}

export async function renameWorkspace(api: SecretsApi, ui: UiPort, scope: WorkspaceScope, seen: WorkspaceSeen, args?: RenameWorkspaceArgs): Promise<Workspace> {
  requireWorkspaceAdmin(scope);
  let name = args?.name;
  if (name === undefined) {
    name = await ui.input({
      title: `Rename workspace ${seen.slug}`,
      prompt: `New name of ${seen.slug} (its slug never changes)`,
      value: seen.name,
      validate: (v) => validateWorkspaceName(v),
    });
    if (name === undefined) throw new Cancelled();
  }
  const problem = validateWorkspaceName(name);
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  if (name.trim() === seen.name) throw new ExtensionError('EXT_NO_CHANGES');
  return api.updateWorkspace(scope.org, seen.slug, { name: name.trim() });
}
