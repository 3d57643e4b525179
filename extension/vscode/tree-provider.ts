// Renders the model's nodes as TreeItems; loading an environment shows progress in the view.
import * as vscode from 'vscode';
import type { TreeNode } from '../model/nodes.ts';
import type { SecretsTreeModel } from '../model/tree-model.ts';
import { envContextValue, orgContextValue, secretContextValue, secretDescription, secretTooltip, workspaceContextValue } from './tree-items.ts';

export const VIEW_ID = 'secrets.tree';

export class SecretsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly #model: SecretsTreeModel;
  readonly #changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #unsubscribe: () => void;
  readonly #onError: (err: unknown) => void;

  constructor(model: SecretsTreeModel, onError: (err: unknown) => void) {
    this.#model = model;
    this.#onError = onError;
    this.#unsubscribe = model.onDidChange((node) => this.#changed.fire(node));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'org': {
        const item = new vscode.TreeItem(node.name, node.current ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = `${node.org} · ${node.role}${node.current ? ' · current' : ''}`;
        item.contextValue = orgContextValue(node);
        item.iconPath = new vscode.ThemeIcon('organization');
        return item;
      }
      case 'org-scope': {
        const item = new vscode.TreeItem('Organization secrets', node.current ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = node.current ? 'current' : undefined;
        item.tooltip = 'The organization’s own secrets, available to every workspace or to those chosen for them';
        item.contextValue = `org-scope ${node.current ? 'current' : 'other'}`;
        item.iconPath = new vscode.ThemeIcon('globe');
        return item;
      }
      case 'workspace': {
        const item = new vscode.TreeItem(node.name, node.current ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = [node.workspace !== node.name ? node.workspace : undefined, `owner ${node.ownerName}`, node.current ? 'current' : undefined].filter(Boolean).join(' · ');
        item.tooltip = `Workspace ${node.workspace}: the organization's secrets available to it plus its own (written by ${node.ownerName} and the organization's Owners and Admins)`;
        item.contextValue = workspaceContextValue(node, this.#model.roleIn(node.org));
        item.iconPath = new vscode.ThemeIcon('folder-library');
        return item;
      }
      case 'env': {
        const item = new vscode.TreeItem(node.env, node.current ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = node.current ? 'current' : undefined;
        item.contextValue = envContextValue(node, this.#model.canWrite(node.org, node.workspace));
        item.iconPath = new vscode.ThemeIcon(node.env === 'production' ? 'server-environment' : 'server');
        return item;
      }
      case 'secret': {
        const item = new vscode.TreeItem(node.secretKey, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = secretDescription(node);
        item.contextValue = secretContextValue(node);
        item.iconPath = new vscode.ThemeIcon(node.revealed ? 'unlock' : 'key');
        item.accessibilityInformation = { label: `${node.secretKey}, ${node.revealed ? 'revealed' : 'masked'}` };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  // The tooltip is built only when the user hovers an item, not for every child of a refresh.
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'secret') item.tooltip = new vscode.MarkdownString(secretTooltip(node));
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (node?.kind === 'env' && !this.#model.secrets(node.org, node.env, node.workspace)) {
        return await vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: `Loading ${node.env}` }, () => this.#model.children(node));
      }
      return await this.#model.children(node);
    } catch (err) {
      this.#onError(err);
      return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.#model.getParent(node);
  }

  dispose(): void {
    this.#unsubscribe();
    this.#changed.dispose();
  }
}
