// Every command in one table, registered by one loop: the unit test compares these ids with the
// manifest's `contributes.commands`, so a command cannot be declared without a handler or vice versa.
// The edge lives here too: a failing command shows one notification naming it and returns
// `{ error: { code, message } }` instead of throwing, so programmatic callers can assert on it.
import type { Controller } from './controller.ts';

export interface CommandSpec {
  id: string;
  /** The action's name in notifications ("Delete failed: …"); the manifest's title. */
  title: string;
  run(c: Controller, ...args: unknown[]): unknown;
}

export const COMMANDS: readonly CommandSpec[] = [
  { id: 'secrets.connect', title: 'Connect', run: (c, a) => c.session.connect(a) },
  { id: 'secrets.signOut', title: 'Sign Out', run: (c) => c.session.signOut() },
  { id: 'secrets.switchOrganization', title: 'Switch Organization', run: (c, a) => c.session.switchOrganization(a) },
  { id: 'secrets.switchEnvironment', title: 'Switch Environment', run: (c, a) => c.session.switchEnvironment(a) },
  { id: 'secrets.switchWorkspace', title: 'Switch Workspace', run: (c, a) => c.session.switchWorkspace(a) },
  { id: 'secrets.createWorkspace', title: 'Create Workspace', run: (c, a) => c.workspaces.createWorkspace(a) },
  { id: 'secrets.renameWorkspace', title: 'Rename Workspace', run: (c, a, b) => c.workspaces.renameWorkspace(a, b) },
  { id: 'secrets.setWorkspaceOwner', title: 'Set Workspace Owner', run: (c, a, b) => c.workspaces.setWorkspaceOwner(a, b) },
  { id: 'secrets.deleteWorkspace', title: 'Delete Workspace', run: (c, a, b) => c.workspaces.deleteWorkspace(a, b) },
  { id: 'secrets.refresh', title: 'Refresh', run: (c) => c.session.refresh() },
  { id: 'secrets.search', title: 'Search', run: (c, a) => c.session.search(a) },
  { id: 'secrets.clearSearch', title: 'Clear Search', run: (c) => c.session.clearSearch() },
  { id: 'secrets.addSecret', title: 'Add Secret', run: (c, a) => c.secrets.addSecret(a) },
  { id: 'secrets.revealSecret', title: 'Reveal', run: (c, a) => c.secrets.revealSecret(a) },
  { id: 'secrets.hideSecret', title: 'Hide', run: (c, a) => c.secrets.hideSecret(a) },
  { id: 'secrets.copyValue', title: 'Copy Value', run: (c, a) => c.secrets.copyValue(a) },
  { id: 'secrets.copyReference', title: 'Copy Reference', run: (c, a) => c.secrets.copyReference(a) },
  { id: 'secrets.compareEnvironments', title: 'Compare Environments', run: (c, a) => c.secrets.compareEnvironments(a) },
  { id: 'secrets.editSecret', title: 'Edit', run: (c, a, b) => c.secrets.editSecret(a, b) },
  { id: 'secrets.deleteSecret', title: 'Delete', run: (c, a, b) => c.secrets.deleteSecret(a, b) },
  { id: 'secrets.showHistory', title: 'Show History', run: (c, a) => c.history.showHistory(a) },
  { id: 'secrets.refreshHistory', title: 'Refresh History', run: (c) => c.history.refreshHistory() },
  { id: 'secrets.revealVersion', title: 'Reveal Version', run: (c, a) => c.history.revealVersion(a) },
  { id: 'secrets.hideVersion', title: 'Hide Version', run: (c, a) => c.history.hideVersion(a) },
  { id: 'secrets.rollbackToVersion', title: 'Roll Back to This Version', run: (c, a, b) => c.history.rollbackToVersion(a, b) },
  { id: 'secrets.whatChanged', title: 'What Changed', run: (c, a, b) => c.history.whatChanged(a, b) },
  { id: 'secrets.refreshTrustPolicies', title: 'Refresh Trust Policies', run: (c) => c.history.refreshTrustPolicies() },
];

export interface Disposable {
  dispose(): unknown;
}

export interface CommandEdge {
  /** Shows the failure (unless it was a cancellation) and returns what the command call resolves to. */
  fail(title: string, err: unknown): unknown;
}

export function registerCommands(
  register: (id: string, handler: (...args: unknown[]) => unknown) => Disposable,
  controller: Controller,
  edge: CommandEdge,
): Disposable[] {
  return COMMANDS.map((spec) =>
    register(spec.id, async (...args: unknown[]) => {
      try {
        return await spec.run(controller, ...args);
      } catch (err) {
        return edge.fail(spec.title, err);
      }
    }),
  );
}
