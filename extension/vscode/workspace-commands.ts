// The commands that manage workspaces (Admins and Owners): each resolves its organization and workspace
// (a tree item, a slug, or a quick pick), runs the command logic, and has the session reload the
// organization's workspaces so the tree, the status bar and the menus follow.
import * as vscode from 'vscode';
import type { Workspace } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { createWorkspace, type CreateWorkspaceArgs } from '../logic/create-workspace.ts';
import { deleteWorkspace, type DeleteWorkspaceArgs } from '../logic/delete-workspace.ts';
import { renameWorkspace, type RenameWorkspaceArgs } from '../logic/rename-workspace.ts';
import { requireWorkspaceAdmin, type WorkspaceScope } from '../logic/workspace-input.ts';
import { setWorkspaceOwner, type SetOwnerArgs } from '../logic/workspace-owner.ts';
import type { WorkspaceNode } from '../model/nodes.ts';
import { isObject, isOrgNode, isWorkspaceNode } from './args.ts';
import type { Session } from './session.ts';
import { vscodeUi } from './ui-port.ts';

export class WorkspaceCommands {
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  /** `arg`: an organization item (its context menu), or `{ slug, name?, owner? }`; nothing prompts. */
  async createWorkspace(arg?: unknown): Promise<Workspace> {
    const client = this.#session.requireClient();
    const scope = this.#scope(isOrgNode(arg) || (isObject(arg) && arg.kind === 'org-scope') ? String(arg.org) : undefined);
    requireWorkspaceAdmin(scope);
    const args = isObject(arg) && typeof arg.slug === 'string' ? (arg as unknown as CreateWorkspaceArgs) : undefined;
    const existing = new Set((this.#session.model.workspaces(scope.org) ?? []).map((w) => w.workspace));
    const created = await createWorkspace(client, vscodeUi, scope, { ...(args ? { args } : {}), existingSlugs: existing });
    await this.#session.workspacesChanged(scope.org);
    void vscode.window.showInformationMessage(`Created workspace ${created.slug} in ${scope.org}, owned by ${created.ownerName}`);
    return created;
  }

  /** `arg`: a workspace item or slug; `renameArgs`: `{ name }` (otherwise a prompt). */
  async renameWorkspace(arg?: unknown, renameArgs?: unknown): Promise<Workspace> {
    const client = this.#session.requireClient();
    const { scope, node } = await this.#target(arg, 'Rename Workspace');
    const args = isObject(renameArgs) && typeof renameArgs.name === 'string' ? (renameArgs as unknown as RenameWorkspaceArgs) : undefined;
    const updated = await renameWorkspace(client, vscodeUi, scope, node, args);
    await this.#session.workspacesChanged(scope.org);
    void vscode.window.showInformationMessage(`Renamed workspace ${updated.slug} to ${updated.name}`);
    return updated;
  }

  /** `ownerArgs`: `{ owner }`, a member's user id or e-mail (otherwise a pick of the members). */
  async setWorkspaceOwner(arg?: unknown, ownerArgs?: unknown): Promise<Workspace> {
    const client = this.#session.requireClient();
    const { scope, node } = await this.#target(arg, 'Set Workspace Owner');
    const args = isObject(ownerArgs) && typeof ownerArgs.owner === 'string' ? (ownerArgs as unknown as SetOwnerArgs) : undefined;
    const updated = await setWorkspaceOwner(client, vscodeUi, scope, node, args);
    await this.#session.workspacesChanged(scope.org);
    void vscode.window.showInformationMessage(`Workspace ${updated.slug}: ${updated.ownerName} now writes its secrets`);
    return updated;
  }

  /** `deleteArgs`: `{ confirm: true }` skips the prompts; `{ confirm: 'slug' }` is the slug typed. */
  async deleteWorkspace(arg?: unknown, deleteArgs?: unknown): Promise<{ org: string; workspace: string; deleted: true }> {
    const client = this.#session.requireClient();
    const { scope, node } = await this.#target(arg, 'Delete Workspace');
    await deleteWorkspace(client, vscodeUi, scope, node, isObject(deleteArgs) ? (deleteArgs as DeleteWorkspaceArgs) : undefined);
    await this.#session.workspacesChanged(scope.org, node.workspace);
    void vscode.window.showInformationMessage(`Deleted workspace ${node.workspace} of ${scope.org}, with its secrets and the tokens and trust policies bound to it`);
    return { org: scope.org, workspace: node.workspace, deleted: true };
  }

  #scope(org: string | undefined): WorkspaceScope {
    const o = org ?? this.#session.requireOrg();
    return { org: o, role: this.#session.model.roleIn(o) };
  }

  /** The workspace a command acts on: a tree item, `{ workspace, org? }`, a slug, or a pick of the current organization's. */
  async #target(arg: unknown, title: string): Promise<{ scope: WorkspaceScope; node: WorkspaceNode & { slug: string } }> {
    const named = isWorkspaceNode(arg) || (isObject(arg) && typeof arg.workspace === 'string');
    const scope = this.#scope(named && typeof (arg as { org?: unknown }).org === 'string' ? (arg as { org: string }).org : undefined);
    // Politely, before loading or picking anything: the server would refuse it anyway.
    requireWorkspaceAdmin(scope);
    const workspaces = this.#session.model.workspaces(scope.org) ?? (await this.#session.model.loadWorkspaces(scope.org));
    let slug = typeof arg === 'string' ? arg.trim() : named ? String((arg as { workspace: string }).workspace) : undefined;
    if (slug === undefined) {
      if (workspaces.length === 0) throw new ExtensionError('EXT_UNKNOWN_WORKSPACE', `${scope.org} has no workspaces`);
      slug = await vscodeUi.pick(
        workspaces.map((w) => ({ label: w.workspace, description: [w.name !== w.workspace ? w.name : undefined, `owner ${w.ownerName}`, w.current ? 'current' : undefined].filter(Boolean).join(' · '), value: w.workspace })),
        { title: `${title} (${scope.org})`, placeholder: 'Pick a workspace' },
      );
      if (slug === undefined) throw new Cancelled();
    }
    const node = workspaces.find((w) => w.workspace === slug);
    if (!node) throw new ExtensionError('EXT_UNKNOWN_WORKSPACE', `Workspace ${slug} does not exist in ${scope.org}`);
    return { scope, node: { ...node, slug: node.workspace } };
  }
}
