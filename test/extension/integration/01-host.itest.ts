// The ground the other suites stand on: this is a real VS Code, the extension under development is
// loaded into it, stays dormant until its view is opened, and then activates and exposes its test API.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, fixture } from './context.ts';
import { eventually } from './support.ts';

describe('inside a real VS Code', () => {
  it('runs in the VS Code the harness started, in a Node extension host', () => {
    const f = fixture();
    if (f.vscodeVersion) assert.equal(vscode.version, f.vscodeVersion);
    else assert.match(vscode.version, /^1\.\d+\.\d+/);
    // code-server serves the web workbench; test-electron opens the desktop one.
    assert.equal(vscode.env.uiKind, f.host === 'code-server' ? vscode.UIKind.Web : vscode.UIKind.Desktop);
    assert.match(process.versions.node, /^\d+\./);
  });

  it('has the extension under development loaded from its manifest', () => {
    const manifest = extension().packageJSON as { name: string; publisher: string; main: string };
    assert.equal(`${manifest.publisher}.${manifest.name}`, fixture().extensionId);
    assert.equal(manifest.main, './dist/extension.cjs');
  });

  it('declares activation only on its view, its commands and the reference file types', () => {
    const events = (extension().packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    const stray = events.filter((e) => !/^(onView:secrets\.|onCommand:secrets\.|onLanguage:(dotenv|yaml|shellscript|properties)$)/.test(e));
    assert.deepEqual(stray, []);
  });

  it('stays dormant until its view is opened, then activates', async () => {
    const ext = extension();
    assert.equal(ext.isActive, false, 'the extension activated before anything asked for it');
    await vscode.commands.executeCommand('workbench.view.extension.secrets');
    await eventually(() => ext.isActive, (v) => v, 20_000, 'activation on opening the Secrets view');
  });

  it('returns the test API (tree model and state) from activate()', async () => {
    const api = (await extension().activate()) as { model?: unknown; state?: { connected?: boolean } } | undefined;
    assert.ok(api && typeof api === 'object', 'activate() returned no API object');
    assert.ok(api.model, 'the test API has no model');
    assert.equal(api.state?.connected, false, 'connected before any token was given');
  });
});
