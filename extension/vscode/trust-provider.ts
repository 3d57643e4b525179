// Renders the Trust Policies view (secrets.trust, shown to Admins and Owners): the organization's OIDC
// trust policies and its last exchanges, never a token.
import * as vscode from 'vscode';
import type { TrustModel, TrustNode } from '../model/trust-model.ts';

export const TRUST_VIEW_ID = 'secrets.trust';

const OUTCOME_ICON = { accepted: 'pass', refused: 'error', error: 'warning' } as const;

export class TrustTreeProvider implements vscode.TreeDataProvider<TrustNode>, vscode.Disposable {
  readonly #model: TrustModel;
  readonly #org: () => string | undefined;
  readonly #onError: (err: unknown) => void;
  readonly #changed = new vscode.EventEmitter<TrustNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #unsubscribe: () => void;

  constructor(model: TrustModel, org: () => string | undefined, onError: (err: unknown) => void) {
    this.#model = model;
    this.#org = org;
    this.#onError = onError;
    this.#unsubscribe = model.onDidChange(() => this.#changed.fire(undefined));
  }

  /** The organization changed: the view loads the new one's policies when it is next drawn. */
  refresh(): void {
    this.#changed.fire(undefined);
  }

  getTreeItem(node: TrustNode): vscode.TreeItem {
    switch (node.kind) {
      case 'trust-group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon(node.group === 'policies' ? 'shield' : 'history');
        item.contextValue = `trust-group ${node.group}`;
        return item;
      }
      case 'policy': {
        const item = new vscode.TreeItem(node.policy.name, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.summary;
        item.iconPath = new vscode.ThemeIcon('workflow');
        item.contextValue = 'policy';
        return item;
      }
      case 'exchange': {
        const r = node.row;
        const item = new vscode.TreeItem(`${r.outcome}${r.policy ? ` · ${r.policy}` : ''}`, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = `${node.summary} · ${r.time}`;
        item.iconPath = new vscode.ThemeIcon(OUTCOME_ICON[r.outcome]);
        item.contextValue = `exchange ${r.outcome}`;
        return item;
      }
      case 'trust-message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: TrustNode): vscode.TreeItem {
    const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
    if (node.kind === 'policy') {
      const p = node.policy;
      item.tooltip = new vscode.MarkdownString(
        [
          `**${esc(p.name)}** · environment ${esc(p.environment)}${p.workspace ? ` of workspace ${esc(p.workspace)}` : ''} · tokens live ${p.ttlSeconds} s`,
          '',
          `Issuer ${code(p.issuer)}, audience ${code(p.audience)}`,
          '',
          ...Object.entries(p.claims).map(([c, v]) => `- ${code(c)} = ${code(v)}`),
        ].join('\n'),
      );
    } else if (node.kind === 'exchange') {
      const r = node.row;
      const rows: [string, string | null | undefined][] = [
        ['Outcome', r.outcome], ['Time', r.time], ['Policy', r.policy], ['Environment', r.environment], ['Repository', r.repository],
        ['Workflow', r.workflow], ['Ref', r.ref], ['Run ID', r.runId], ['Reason', r.reason],
      ];
      item.tooltip = new vscode.MarkdownString(rows.filter(([, v]) => v).map(([k, v]) => `${k}: ${code(v!)}`).join('  \n'));
    }
    return item;
  }

  async getChildren(node?: TrustNode): Promise<TrustNode[]> {
    try {
      return await this.#model.children(this.#org(), node);
    } catch (err) {
      this.#onError(err);
      return [];
    }
  }

  dispose(): void {
    this.#unsubscribe();
    this.#changed.dispose();
  }
}

function esc(s: string): string {
  return s.replace(/[\\`*_[\]<>]/g, '\\$&');
}
