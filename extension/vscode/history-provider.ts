// Renders the History view (secrets.history): one item per kept version of the secret picked with
// "Show History", newest first, each with who wrote it and when; a revealed version shows its value
// until it is masked again.
import * as vscode from 'vscode';
import type { HistoryModel, VersionNode } from '../model/history-model.ts';
import { versionContextValue, versionDescription } from './history-items.ts';

export const HISTORY_VIEW_ID = 'secrets.history';

export class HistoryTreeProvider implements vscode.TreeDataProvider<VersionNode>, vscode.Disposable {
  readonly #model: HistoryModel;
  readonly #permissions: (org: string) => { reveal: boolean; rollback: boolean };
  readonly #changed = new vscode.EventEmitter<VersionNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #unsubscribe: () => void;

  constructor(model: HistoryModel, permissions: (org: string) => { reveal: boolean; rollback: boolean }) {
    this.#model = model;
    this.#permissions = permissions;
    this.#unsubscribe = model.onDidChange((node) => this.#changed.fire(node));
  }

  getTreeItem(node: VersionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`version ${node.version}`, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = versionDescription(node);
    const may = this.#permissions(node.org);
    item.contextValue = versionContextValue(node, may.reveal, may.rollback);
    item.iconPath = new vscode.ThemeIcon(node.revealed ? 'unlock' : node.current ? 'pass-filled' : 'history');
    item.accessibilityInformation = { label: `${node.secretKey} version ${node.version}${node.current ? ', current' : ''}, ${node.revealed ? 'revealed' : 'masked'}` };
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: VersionNode): vscode.TreeItem {
    const description = node.description ? node.description.replace(/[\\`*_[\]<>]/g, '\\$&') : '_no description_';
    item.tooltip = new vscode.MarkdownString(
      [`**${node.secretKey}** · version ${node.version}${node.current ? ' (current)' : ''}`, '', description, '', `Written by ${node.createdBy} at ${node.createdAt}`].join('\n'),
    );
    return item;
  }

  getChildren(node?: VersionNode): VersionNode[] {
    return node === undefined ? [...this.#model.versions] : [];
  }

  dispose(): void {
    this.#unsubscribe();
    this.#changed.dispose();
  }
}
