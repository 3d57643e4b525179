// The status bar shows where commands act: organization/environment (organization/workspace/environment
// in a workspace); clicking it switches environment. In an organization with workspaces a second item
// names the current workspace (or "organization") and switches it.
import * as vscode from 'vscode';

export class EnvironmentStatus implements vscode.Disposable {
  readonly #item = vscode.window.createStatusBarItem('secrets.environment', vscode.StatusBarAlignment.Left, 50);
  readonly #workspaceItem = vscode.window.createStatusBarItem('secrets.workspace', vscode.StatusBarAlignment.Left, 49);
  #workspaceShown = false;

  constructor() {
    this.#item.name = 'Secrets: Environment';
    this.#item.command = 'secrets.switchEnvironment';
    this.#workspaceItem.name = 'Secrets: Workspace';
    this.#workspaceItem.command = 'secrets.switchWorkspace';
  }

  show(org: string | undefined, env: string | undefined, workspace: string | undefined, hasWorkspaces: boolean): void {
    if (!org || !env) {
      this.#item.hide();
      this.#workspaceItem.hide();
      this.#workspaceShown = false;
      return;
    }
    this.#item.text = workspace === undefined ? `$(key) ${org}/${env}` : `$(key) ${org}/${workspace}/${env}`;
    this.#item.tooltip =
      workspace === undefined
        ? `Secrets: commands act on ${env} in ${org}. Click to switch environment.`
        : `Secrets: commands act on ${env} of workspace ${workspace} in ${org} (its own secrets and the organization's available to it). Click to switch environment.`;
    this.#item.backgroundColor = env === 'production' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.#item.show();
    if (!hasWorkspaces && workspace === undefined) {
      this.#workspaceItem.hide();
      this.#workspaceShown = false;
      return;
    }
    this.#workspaceItem.text = workspace === undefined ? '$(globe) organization' : `$(folder-library) ${workspace}`;
    this.#workspaceItem.tooltip = workspace === undefined ? `Secrets: the organization's own secrets of ${org}. Click to switch workspace.` : `Secrets: workspace ${workspace}. Click to switch workspace.`;
    this.#workspaceItem.show();
    this.#workspaceShown = true;
  }

  get text(): string {
    return this.#item.text;
  }

  /** The workspace item's text, or '' while it is hidden (an organization without workspaces). */
  get workspaceText(): string {
    return this.#workspaceShown ? this.#workspaceItem.text : '';
  }

  dispose(): void {
    this.#item.dispose();
    this.#workspaceItem.dispose();
  }
}
