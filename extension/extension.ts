// Entry point: wires the model, the tree, the commands and the editor features together. Everything
// disposable goes into context.subscriptions so deactivation leaves nothing behind.
import '../core/undici-node20.ts';
import * as vscode from 'vscode';
import type { Role } from '../core/api-types.ts';
import type { SecretsClient } from '../core/client.ts';
import { Redactor } from '../core/redactor.ts';
import { HistoryModel } from './model/history-model.ts';
import { can, canAdminister } from './model/permissions.ts';
import { TrustModel } from './model/trust-model.ts';
import { SecretsTreeModel } from './model/tree-model.ts';
import { HistoryCommands } from './vscode/history-commands.ts';
import { HISTORY_VIEW_ID, HistoryTreeProvider } from './vscode/history-provider.ts';
import { TRUST_VIEW_ID, TrustTreeProvider } from './vscode/trust-provider.ts';
import { registerCommands } from './vscode/commands.ts';
import { Controller } from './vscode/controller.ts';
import { registerLanguageFeatures } from './vscode/language-providers.ts';
import { OutputLog } from './vscode/output-log.ts';
import { SecretCommands } from './vscode/secret-commands.ts';
import { Session } from './vscode/session.ts';
import { readSettings } from './vscode/settings.ts';
import { EnvironmentStatus } from './vscode/status-bar.ts';
import { TokenStore } from './vscode/token-store.ts';
import { WorkspaceCommands } from './vscode/workspace-commands.ts';
import { SecretsTreeProvider, VIEW_ID } from './vscode/tree-provider.ts';

/** What activate() returns, for integration tests inside VS Code (never a value or the token). */
export interface SecretsExtensionApi {
  model: SecretsTreeModel;
  /** The History view's versions (values only while revealed). */
  history: HistoryModel;
  /** The Trust Policies view's policies and last exchanges. */
  trust: TrustModel;
  state: {
    readonly connected: boolean;
    readonly serverUrl: string | undefined;
    readonly org: string | undefined;
    readonly env: string | undefined;
    /** The workspace commands act in; undefined for the organization's own secrets. */
    readonly workspace: string | undefined;
    readonly search: string;
    readonly role: Role | undefined;
    readonly statusText: string;
    /** The status bar's workspace item, '' while hidden. */
    readonly workspaceStatusText: string;
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
  const history = new HistoryModel({ api: () => session.client, revealSeconds: () => readSettings().revealSeconds });
  const trust = new TrustModel(() => session.client);
  const secretCommands = new SecretCommands(session);
  const c = new Controller(session, secretCommands, new HistoryCommands(session, secretCommands, history, trust), new WorkspaceCommands(session), log);
  const provider = new SecretsTreeProvider(model, (err) => c.fail('Load secrets', err));
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const historyProvider = new HistoryTreeProvider(history, (org) => {
    const t = history.target;
    // An organization secret's history seen from a workspace is read-only there, like the secret.
    const rollback = t?.workspace === undefined ? can(model.roleIn(org), 'edit') : t.scope !== 'organization' && model.canWrite(org, t.workspace);
    return { reveal: can(model.roleIn(org), 'reveal'), rollback };
  });
  const historyView = vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: historyProvider });
  const trustProvider = new TrustTreeProvider(trust, () => (canAdminister(model.currentRole) ? model.currentOrg : undefined), (err) => c.fail('Load trust policies', err));
  const trustView = vscode.window.createTreeView(TRUST_VIEW_ID, { treeDataProvider: trustProvider });
  context.subscriptions.push(
    session.attachView(view),
    log,
    status,
    provider,
    view,
    historyProvider,
    historyView,
    trustProvider,
    trustView,
    new vscode.Disposable(history.onDidChange(() => (historyView.description = history.label))),
    session.onDidChangeScope(() => {
      const t = history.target;
      if (t && (t.org !== model.currentOrg || !session.client)) history.clear();
      else if (t) void history.reload().catch((err: unknown) => c.fail('Load history', err));
      if (trust.overview && (trust.overview.org !== model.currentOrg || !canAdminister(model.currentRole))) trust.clear();
      trustProvider.refresh();
    }),
    session.onDidChangeSecret((t, key, deleted) => {
      if (!history.shows(t, key)) return;
      if (deleted) history.clear();
      else void history.reload().catch((err: unknown) => c.fail('Load history', err));
    }),
    session,
    new vscode.Disposable(() => history.clear()),
    ...registerCommands((id, handler) => vscode.commands.registerCommand(id, handler), c, c),
    ...registerLanguageFeatures(model),
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('secrets.serverUrl')) void session.serverUrlChanged((title, err) => c.fail(title, err));
      else if (e.affectsConfiguration('secrets.workspace')) void session.workspaceSettingChanged().catch((err: unknown) => c.fail('Switch Workspace', err));
    }),
  );
  const restore = () => session.restore((title, err) => c.fail(title, err));
  void restore();
  return {
    model,
    history,
    trust,
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
      get workspace() {
        return model.currentWorkspace;
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
      get workspaceStatusText() {
        return status.workspaceText;
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
