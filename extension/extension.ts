// Entry point: wires the model, the tree, the commands and the editor features together. Everything
// disposable goes into context.subscriptions so deactivation leaves nothing behind.
import '../core/undici-node20.ts';
import * as vscode from 'vscode';
import type { Role } from '../core/api-types.ts';
import type { SecretsClient } from '../core/client.ts';
import { Redactor } from '../core/redactor.ts';
import { SecretsTreeModel } from './model/tree-model.ts';
import { registerCommands } from './vscode/commands.ts';
import { Controller } from './vscode/controller.ts';
import { registerLanguageFeatures } from './vscode/language-providers.ts';
import { OutputLog } from './vscode/output-log.ts';
import { SecretCommands } from './vscode/secret-commands.ts';
import { Session } from './vscode/session.ts';
import { readSettings } from './vscode/settings.ts';
import { EnvironmentStatus } from './vscode/status-bar.ts';
import { TokenStore } from './vscode/token-store.ts';
import { SecretsTreeProvider, VIEW_ID } from './vscode/tree-provider.ts';

/** What activate() returns, for integration tests inside VS Code (never a value or the token). */
export interface SecretsExtensionApi {
  model: SecretsTreeModel;
  state: {
    readonly connected: boolean;
    readonly serverUrl: string | undefined;
    readonly org: string | undefined;
    readonly env: string | undefined;
    readonly search: string;
    readonly role: Role | undefined;
    readonly statusText: string;
    readonly lastError: { code: string; message: string } | undefined;
  };
  readonly client: SecretsClient | undefined;
  /** What activation does, as in a newly opened window: reconnect with the token stored for the user's server. */
  restore(): Promise<void>;
}

export async function activate(context: vscode.ExtensionContext): Promise<SecretsExtensionApi> {
  const model = new SecretsTreeModel({ revealSeconds: () => readSettings().revealSeconds });
  const status = new EnvironmentStatus();
  const redactor = new Redactor();
  const log = new OutputLog(redactor);
  const session = new Session({ model, tokens: new TokenStore(context.secrets), status, log, redactor });
  const c = new Controller(session, new SecretCommands(session), log);
  const provider = new SecretsTreeProvider(model, (err) => c.fail('Load secrets', err));
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(
    session.attachView(view),
    log,
    status,
    provider,
    view,
    session,
    ...registerCommands((id, handler) => vscode.commands.registerCommand(id, handler), c, c),
    ...registerLanguageFeatures(model),
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('secrets.serverUrl')) void session.serverUrlChanged((title, err) => c.fail(title, err));
    }),
  );
  const restore = () => session.restore((title, err) => c.fail(title, err));
  void restore();
  return {
    model,
    state: {
      get connected() {
        return session.client !== undefined;
      },
      get serverUrl() {
        return session.serverUrl;
      },
      get org() {
        return model.currentOrg;
      },
      get env() {
        return model.currentEnv;
      },
      get search() {
        return model.search;
      },
      get role() {
        return model.currentRole;
      },
      get statusText() {
        return status.text;
      },
      get lastError() {
        return c.lastError;
      },
    },
    get client() {
      return session.client;
    },
    restore,
  };
}

// Everything is released through context.subscriptions (the controller clears the clipboard it filled
// and masks revealed values on dispose).
export function deactivate(): void {}
