// The manifest and the running extension agree: every command it contributes is registered with VS
// Code (a contributed command without a handler would fail only when a user clicks it).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension } from './context.ts';
import { api } from './support.ts';

const CONTRACT_COMMANDS = [
  'secrets.connect', 'secrets.signOut', 'secrets.switchOrganization', 'secrets.switchEnvironment', 'secrets.refresh',
  'secrets.search', 'secrets.clearSearch', 'secrets.addSecret', 'secrets.revealSecret', 'secrets.hideSecret',
  'secrets.copyValue', 'secrets.copyReference', 'secrets.compareEnvironments', 'secrets.editSecret', 'secrets.deleteSecret',
];

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

describe('commands and contributions', () => {
  const manifest = () => extension().packageJSON as Manifest;

  before(async () => {
    await api();
  });

  it('contributes every command of the contract, all under the "Secrets" category', () => {
    const contributed = manifest().contributes.commands;
    assert.deepEqual(CONTRACT_COMMANDS.filter((id) => !contributed.some((c) => c.command === id)), []);
    assert.deepEqual(contributed.filter((c) => c.category !== 'Secrets').map((c) => c.command), []);
  });

  it('registers a handler in VS Code for every command the manifest contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest().contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  it('contributes the "Secrets" activity-bar container with the secrets.tree view', () => {
    const c = manifest().contributes;
    assert.ok(c.viewsContainers.activitybar.some((v) => v.id === 'secrets' && v.title === 'Secrets'));
    assert.ok(c.views.secrets?.some((v) => v.id === 'secrets.tree'));
  });

  it('reads the settings VS Code holds, with 30 s reveal by default and the test override applied', () => {
    const props = manifest().contributes.configuration.properties;
    for (const name of ['serverUrl', 'organization', 'environment', 'revealSeconds', 'clipboardSeconds']) assert.ok(props[`secrets.${name}`], `secrets.${name} is not contributed`);
    assert.equal(props['secrets.revealSeconds']!.default, 30);
    // The harness's user settings.json sets 2 s so re-masking can be watched.
    assert.equal(vscode.workspace.getConfiguration('secrets').get('revealSeconds'), 2);
  });

  it('refuses a command that needs a connection with one clear error, not an exception', async () => {
    const r = await vscode.commands.executeCommand<{ error?: { code: string; message: string } }>('secrets.refresh');
    assert.equal(r?.error?.code, 'EXT_NOT_CONNECTED');
    assert.match(r!.error!.message, /^Refresh failed: /);
  });
});
