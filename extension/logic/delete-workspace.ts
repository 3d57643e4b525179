// "Delete Workspace": a modal naming the workspace and what goes with it (its own secrets in every
// environment, their history, the service tokens and trust policies bound to it), then the slug typed,
// the way GitHub guards a repository's deletion. Organization secrets stay; the server refuses
// (WORKSPACE_IN_USE, naming the keys) while one is limited to this workspace alone.
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, UiPort } from './ports.ts';
import { requireWorkspaceAdmin, type WorkspaceScope, type WorkspaceSeen } from './workspace-input.ts';

export interface DeleteWorkspaceArgs {
  /** true skips every prompt (programmatic use); the slug itself passes the typed check without the modal. */
  confirm?: boolean | string;
}

export function deletionWarning(org: string, seen: Pick<WorkspaceSeen, 'slug' | 'name'>): { message: string; detail: string } {
  const named = seen.name !== seen.slug ? `${seen.name} (${seen.slug})` : seen.slug;
  return {
    message: `Delete workspace ${named} of ${org}?`,
    detail:
      `Its own secrets in every environment, their history, and the service tokens and trust policies bound to it are deleted with it, for good. ` +
      `Organization secrets are not affected. You will type ${seen.slug} to confirm.`,
  };
}

export async function deleteWorkspace(api: SecretsApi, ui: UiPort, scope: WorkspaceScope, seen: Pick<WorkspaceSeen, 'slug' | 'name'>, args?: DeleteWorkspaceArgs): Promise<void> {
  requireWorkspaceAdmin(scope);
  if (args?.confirm !== true) await confirmDeletion(ui, scope.org, seen, args?.confirm);
  await api.deleteWorkspace(scope.org, seen.slug);
}

async function confirmDeletion(ui: UiPort, org: string, seen: Pick<WorkspaceSeen, 'slug' | 'name'>, typed: string | false | undefined): Promise<void> {
  if (typed === undefined || typed === false) {
    const { message, detail } = deletionWarning(org, seen);
    if (!(await ui.confirm(message, { detail, confirmLabel: 'Delete Workspace' }))) throw new Cancelled();
  }
  const answer =
    typeof typed === 'string'
      ? typed
      : await ui.input({
          title: `Delete workspace ${seen.slug}`,
          prompt: `Type ${seen.slug} to delete the workspace, its secrets and their history`,
          placeholder: seen.slug,
          validate: (v) => (v === '' || v === seen.slug ? undefined : `Type ${seen.slug} exactly`),
        });
  if (answer === undefined) throw new Cancelled();
  if (answer !== seen.slug) throw new ExtensionError('EXT_CONFIRMATION_MISMATCH', `The slug typed did not match, so workspace ${seen.slug} was not deleted`);
}
