// The status bar shows where commands act (organization/environment); clicking it switches environment.
import * as vscode from 'vscode';

export class EnvironmentStatus implements vscode.Disposable {
  readonly #item = vscode.window.createStatusBarItem('secrets.environment', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.#item.name = 'Secrets: Environment';
    this.#item.command = 'secrets.switchEnvironment';
  }

  show(org: string | undefined, env: string | undefined): void {
    if (!org || !env) {
      this.#item.hide();
      return;
    }
    this.#item.text = `$(key) ${org}/${env}`;
    this.#item.tooltip = `Secrets: commands act on ${env} in ${org}. Click to switch environment.`;
    this.#item.backgroundColor = env === 'production' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.#item.show();
  }

  get text(): string {
    return this.#item.text;
  }

  dispose(): void {
    this.#item.dispose();
  }
}
