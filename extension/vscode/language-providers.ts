// Hover, completion and diagnostics for `$NAME` and pinned `${NAME@3}` in .env, YAML and shell files, against the secrets of
// the current environment. The text work is in ../language/references.ts; this only maps offsets.
import * as vscode from 'vscode';
import {
  ENV_FILE_PATTERN,
  LANGUAGE_IDS,
  completionCandidates,
  completionContext,
  currentVersions,
  hoverMarkdown,
  missingHoverMarkdown,
  pinCandidates,
  referenceAt,
  unknownReferences,
} from '../language/references.ts';
import type { SecretsTreeModel } from '../model/tree-model.ts';

export const DOCUMENT_SELECTOR: vscode.DocumentSelector = [
  ...LANGUAGE_IDS.map((language) => ({ language })),
  // `.env` files are `dotenv` in recent VS Code, `properties` or plain text in older ones.
  { pattern: ENV_FILE_PATTERN },
];

export function registerLanguageFeatures(model: SecretsTreeModel): vscode.Disposable[] {
  const current = () => {
    const org = model.currentOrg;
    const env = model.currentEnv;
    if (!org || !env) return undefined;
    const workspace = model.currentWorkspace;
    const secrets = model.secrets(org, env, workspace);
    // Named `workspace/env` in hovers and completions when a workspace is current.
    return secrets ? { org, env: workspace === undefined ? env : `${workspace}/${env}`, secrets } : undefined;
  };

  const hover = vscode.languages.registerHoverProvider(DOCUMENT_SELECTOR, {
    provideHover(doc, position) {
      const scope = current();
      if (!scope) return undefined;
      const text = doc.getText();
      const ref = referenceAt(text, doc.offsetAt(position));
      if (!ref) return undefined;
      const meta = scope.secrets.find((s) => s.key === ref.name);
      const md = meta ? hoverMarkdown(meta, scope.org, scope.env, ref.version) : missingHoverMarkdown(ref.name, scope.org, scope.env);
      return new vscode.Hover(new vscode.MarkdownString(md), new vscode.Range(doc.positionAt(ref.start), doc.positionAt(ref.end)));
    },
  });

  const completion = vscode.languages.registerCompletionItemProvider(
    DOCUMENT_SELECTOR,
    {
      provideCompletionItems(doc, position) {
        const scope = current();
        if (!scope) return undefined;
        const line = doc.lineAt(position.line).text;
        const ctx = completionContext(line.slice(0, position.character));
        if (!ctx) return undefined;
        // An auto-closed `${}` already has its brace: replace it rather than add a second one.
        const closed = ctx.braced && line[position.character] === '}';
        const range = new vscode.Range(position.line, ctx.nameStart, position.line, position.character + (closed ? 1 : 0));
        if (ctx.pinOf !== undefined) {
          const meta = scope.secrets.find((s) => s.key === ctx.pinOf);
          if (!meta) return undefined;
          return pinCandidates(meta, ctx.partial).map((v, i) => {
            const item = new vscode.CompletionItem(String(v), vscode.CompletionItemKind.Value);
            item.range = range;
            item.insertText = `${v}}`;
            // Keep the newest first: the label order would put 10 before 9.
            item.sortText = String(i).padStart(3, '0');
            item.detail = v === meta.version ? `current version of ${meta.key}` : `version ${v} of ${meta.key}`;
            return item;
          });
        }
        return completionCandidates(scope.secrets, ctx.partial).map((s) => {
          const item = new vscode.CompletionItem(s.key, vscode.CompletionItemKind.Variable);
          item.range = range;
          item.insertText = ctx.braced ? `${s.key}}` : s.key;
          item.detail = `secret in ${scope.org}/${scope.env} · v${s.version}`;
          if (s.description) item.documentation = s.description;
          return item;
        });
      },
    },
    '$',
    '{',
    '@',
  );

  const diagnostics = vscode.languages.createDiagnosticCollection('secrets');
  const refresh = (doc: vscode.TextDocument) => {
    if (vscode.languages.match(DOCUMENT_SELECTOR, doc) === 0) return;
    const scope = current();
    if (!scope) {
      diagnostics.delete(doc.uri);
      return;
    }
    const known = currentVersions(scope.secrets);
    diagnostics.set(
      doc.uri,
      unknownReferences(doc.getText(), known, scope.env).map((r) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end)), r.message, vscode.DiagnosticSeverity.Warning);
        d.source = 'secrets';
        d.code = 'unknown-secret';
        return d;
      }),
    );
  };
  const refreshAll = () => vscode.workspace.textDocuments.forEach(refresh);

  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const debounced = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(pending.get(key));
    pending.set(key, setTimeout(() => {
      pending.delete(key);
      refresh(doc);
    }, 250));
  };
  let modelTimer: ReturnType<typeof setTimeout> | undefined;

  refreshAll();
  return [
    hover,
    completion,
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => debounced(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)),
    new vscode.Disposable(
      model.onDidChange((node) => {
        // Reveal/hide events (one secret node) do not change which names exist.
        if (node?.kind === 'secret') return;
        clearTimeout(modelTimer);
        modelTimer = setTimeout(refreshAll, 100);
      }),
    ),
    new vscode.Disposable(() => {
      clearTimeout(modelTimer);
      for (const t of pending.values()) clearTimeout(t);
    }),
  ];
}
