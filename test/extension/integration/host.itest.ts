// The ground the other suites stand on: this is a real VS Code, and the extension under development is
// loaded into it and activates.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, fixture } from './context.ts';

describe('inside a real VS Code', () => {
  it('runs in the VS Code release code-server carries, with a Node extension host', () => {
    assert.equal(vscode.version, fixture().vscodeVersion);
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.equal(typeof process.versions.node, 'string');
  });

  it('has the extension under development loaded from its manifest', () => {
    const ext = extension();
    const manifest = ext.packageJSON as { name: string; publisher: string; main: string };
    assert.equal(`${manifest.publisher}.${manifest.name}`, fixture().extensionId);
    assert.equal(manifest.main, './dist/extension.cjs');
  });

  it('activates the extension, whose activate() returns the test API', async () => {
    const ext = extension();
    const api = (await ext.activate()) as { model?: unknown; state?: unknown } | undefined;
    assert.equal(ext.isActive, true);
    assert.ok(api && typeof api === 'object', 'activate() returned no API object');
    assert.ok(api.model, 'the test API has no model');
    assert.ok(api.state, 'the test API has no state');
  });
});
