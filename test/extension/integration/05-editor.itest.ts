// The editor side in a real VS Code: in a workspace `.env` file, `$NAME` references to secrets of the
// current environment get a hover with metadata (never the value), completion after `$`, and a
// warning for a name that does not exist. Plus the copy and compare commands, which must not carry
// values either.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, eventually, isCommandError, run, server, type SecretsExtensionApi } from './support.ts';

describe('editor features and copy/compare (live server)', () => {
  let a: SecretsExtensionApi;
  let doc: vscode.TextDocument;
  const s = () => server();
  const allValues = () => Object.values(s().seeded).flatMap((env) => Object.values(env));

  before(async () => {
    a = await api();
    const r = await run('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.ok(!isCommandError(r), `connect failed: ${JSON.stringify(r)}`);
    await run('secrets.switchEnvironment', 'development');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the window has no workspace folder');
    // The harness's workspace holds `.env`: DATABASE_URL=$DATABASE_URL, MISSING=$NOT_A_SECRET.
    doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, '.env'));
    await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await run('secrets.signOut');
  });

  const positionOf = (text: string, delta = 1) => doc.positionAt(doc.getText().indexOf(text) + delta);

  it('warns about a $NAME that is not a secret in the current environment, and only about that one', async () => {
    const diags = await eventually(
      () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'secrets'),
      (d) => d.length > 0,
      10_000,
      'a diagnostic on .env',
    );
    assert.equal(diags.length, 1);
    assert.equal(diags[0]!.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diags[0]!.message, /NOT_A_SECRET/);
    assert.equal(doc.getText(diags[0]!.range), '$NOT_A_SECRET');
  });

  it('shows a secret\'s metadata on hover over $NAME, never its value', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf('$DATABASE_URL', 3));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /DATABASE_URL/);
    assert.match(text, /development/);
    for (const v of allValues()) assert.ok(!text.includes(v), 'a value is in the hover');
  });

  it('completes secret names after $', async () => {
    const edit = new vscode.WorkspaceEdit();
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    edit.insert(doc.uri, end, '\nNEW=$STR');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const at = doc.lineAt(doc.lineCount - 1).range.end;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at, '$');
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('STRIPE_KEY'), `no STRIPE_KEY among ${JSON.stringify(labels.slice(0, 20))}`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a pinned ${NAME@1}: the hover names the pinned version, and versions complete after ${NAME@', async () => {
    const edit = new vscode.WorkspaceEdit();
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    edit.insert(doc.uri, end, '\nPINNED=${DATABASE_URL@1}\nNEXT=${STRIPE_KEY@');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf('${DATABASE_URL@1}', 4));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /DATABASE_URL@1\*\* — version 1 of a secret in .*pinned/);
      for (const v of allValues()) assert.ok(!text.includes(v), 'a value is in the hover');
      const at = doc.lineAt(doc.lineCount - 1).range.end;
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at, '@');
      const versions = list.items.filter((i) => /version/.test(i.detail ?? ''));
      assert.ok(versions.length >= 1, `no version offered among ${JSON.stringify(list.items.slice(0, 10).map((i) => i.label))}`);
      assert.match(versions[0]!.detail ?? '', /^current version of STRIPE_KEY$/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('copies a reference as $NAME', async () => {
    const r = await run<{ reference: string }>('secrets.copyReference', 'STRIPE_KEY');
    assert.deepEqual(r, { reference: '$STRIPE_KEY' });
  });

  it('compares environments by key and version only', async () => {
    const c = await run<{ environments: string[]; rows: { key: string; presentIn: boolean[] }[] }>('secrets.compareEnvironments', ['development', 'production']);
    assert.deepEqual(c.environments, ['development', 'production']);
    const sentry = c.rows.find((r) => r.key === 'SENTRY_DSN');
    assert.deepEqual(sentry?.presentIn, [false, true]);
    const json = JSON.stringify(c);
    for (const v of allValues()) assert.ok(!json.includes(v), 'a value is in the comparison');
    assert.equal(a.state.env, 'development');
  });
});
