import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SECRETS_ERROR_CODES } from '../../../core/errors.ts';
import { EXTENSION_ERRORS, ExtensionError } from '../../../extension/errors.ts';
import { ENV_FILE_PATTERN, LANGUAGE_IDS } from '../../../extension/language/references.ts';
import { COMMANDS, registerCommands } from '../../../extension/vscode/commands.ts';
import type { Controller } from '../../../extension/vscode/controller.ts';

const ROOT = resolve(import.meta.dirname, '../../../extension');
interface Manifest {
  name: string;
  publisher: string;
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string; when: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown }> };
  };
}
const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as Manifest;

/** The ids that registerCommands really registers, through the same loop extension.ts runs. */
function registeredIds(): string[] {
  const ids: string[] = [];
  registerCommands((id) => (ids.push(id), { dispose() {} }), {} as Controller, { fail: () => undefined });
  return ids;
}

describe('extension manifest and registration', () => {
  it('registers every command the manifest contributes, and contributes every command it registers', () => {
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    const registered = registeredIds().sort();
    assert.deepEqual(
      declared.filter((id) => !registered.includes(id)),
      [],
      'declared in package.json but never registered',
    );
    assert.deepEqual(
      registered.filter((id) => !declared.includes(id)),
      [],
      'registered but not declared in package.json',
    );
    assert.equal(new Set(registered).size, registered.length, 'no id registered twice');
  });

  it('has the contract’s commands (history, trust policies and workspace management included), all in the "Secrets" category, titled as the notifications name them', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [
      'secrets.addSecret', 'secrets.clearSearch', 'secrets.compareEnvironments', 'secrets.connect', 'secrets.copyReference',
      'secrets.copyValue', 'secrets.createWorkspace', 'secrets.deleteSecret', 'secrets.deleteWorkspace', 'secrets.editSecret', 'secrets.hideSecret', 'secrets.hideVersion', 'secrets.refresh',
      'secrets.refreshHistory', 'secrets.refreshTrustPolicies', 'secrets.renameWorkspace', 'secrets.revealSecret', 'secrets.revealVersion', 'secrets.rollbackToVersion',
      'secrets.search', 'secrets.setWorkspaceOwner', 'secrets.showHistory', 'secrets.signOut', 'secrets.switchEnvironment', 'secrets.switchOrganization', 'secrets.switchWorkspace', 'secrets.whatChanged',
    ]);
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Secrets', c.command);
      assert.equal(c.title, COMMANDS.find((s) => s.id === c.command)!.title, `${c.command}: the error notification names the action as the palette does`);
    }
  });

  it('activates only on its view, its commands and the .env / YAML / shell file types', () => {
    const commandIds = new Set(registeredIds());
    const allowedLanguages = new Set<string>([...LANGUAGE_IDS, 'properties']);
    for (const ev of manifest.activationEvents) {
      const [kind, arg] = ev.split(':') as [string, string];
      if (kind === 'onView') assert.ok(['secrets.tree', 'secrets.history', 'secrets.trust'].includes(arg), `${ev} is not one of its views`);
      else if (kind === 'onCommand') assert.ok(commandIds.has(arg), `${ev} is not one of its commands`);
      else if (kind === 'onLanguage') assert.ok(allowedLanguages.has(arg), `${ev} is not a file type it serves`);
      else assert.fail(`unexpected activation event ${ev}`);
    }
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(manifest.activationEvents.includes('onView:secrets.tree'));
    for (const lang of ['dotenv', 'yaml', 'shellscript']) assert.ok(manifest.activationEvents.includes(`onLanguage:${lang}`));
    assert.equal(ENV_FILE_PATTERN, '**/{.env,.env.*,*.env}');
  });

  it('follows the extension contract: ids, bundle, view container, welcome view, settings', () => {
    assert.equal(manifest.name, 'secrets-vscode');
    assert.equal(manifest.publisher, 'secrets');
    assert.equal(manifest.main, './dist/extension.cjs');
    assert.equal(manifest.engines.vscode, '^1.90.0');
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]), [['secrets', 'Secrets']]);
    assert.deepEqual(manifest.contributes.views.secrets!.map((v) => v.id), ['secrets.tree', 'secrets.history', 'secrets.trust']);
    // Trust policies are the Admins' and Owners': the view is not even shown to others.
    assert.equal((manifest.contributes.views.secrets!.find((v) => v.id === 'secrets.trust') as { when?: string }).when, 'secrets.connected && secrets.canAdmin');
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === 'secrets.tree')!;
    assert.equal(welcome.when, '!secrets.connected');
    assert.match(welcome.contents, /\[Connect\]\(command:secrets\.connect\)/);
    const props = manifest.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props).sort(), ['secrets.clipboardSeconds', 'secrets.environment', 'secrets.organization', 'secrets.revealSeconds', 'secrets.serverUrl', 'secrets.workspace']);
    // A folder can be pinned to a workspace: the setting is resource-scoped.
    assert.equal((props['secrets.workspace'] as { scope?: string }).scope, 'resource');
    assert.equal(props['secrets.revealSeconds']!.default, 30);
    assert.equal(props['secrets.clipboardSeconds']!.default, 45);
    assert.ok(!Object.keys(props).some((k) => /token/i.test(k)), 'the token is never a setting');
  });

  it('names only contributed commands in its menus, and hides reveal/edit/delete behind role context', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(declared.has(item.command), `${menu} names ${item.command}`);
    }
    const itemMenu = manifest.contributes.menus['view/item/context']!;
    const guard: Record<string, RegExp> = {
      'secrets.revealSecret': /canReveal/,
      'secrets.copyValue': /canReveal/,
      'secrets.editSecret': /canEdit/,
      'secrets.deleteSecret': /canDelete/,
      'secrets.revealVersion': /canReveal/,
      'secrets.rollbackToVersion': /canRollback/,
      'secrets.createWorkspace': /canAdmin/,
      'secrets.renameWorkspace': /canAdmin/,
      'secrets.setWorkspaceOwner': /canAdmin/,
      'secrets.deleteWorkspace': /canAdmin/,
    };
    for (const item of itemMenu) {
      const g = guard[item.command];
      if (g) assert.match(item.when!, g, `${item.command} in the item menu must be guarded by role`);
    }
    const palette = manifest.contributes.menus.commandPalette!;
    assert.match(palette.find((p) => p.command === 'secrets.deleteSecret')!.when!, /secrets\.canDelete/);
    assert.match(palette.find((p) => p.command === 'secrets.revealSecret')!.when!, /secrets\.canReveal/);
    assert.match(palette.find((p) => p.command === 'secrets.editSecret')!.when!, /secrets\.canEdit/);
    assert.match(palette.find((p) => p.command === 'secrets.revealVersion')!.when!, /secrets\.canReveal/);
    assert.match(palette.find((p) => p.command === 'secrets.rollbackToVersion')!.when!, /secrets\.canEdit/);
    assert.match(palette.find((p) => p.command === 'secrets.refreshTrustPolicies')!.when!, /secrets\.canAdmin/);
    // Workspaces are created, renamed, re-owned and deleted by Admins and Owners only.
    for (const id of ['secrets.createWorkspace', 'secrets.renameWorkspace', 'secrets.setWorkspaceOwner', 'secrets.deleteWorkspace']) {
      assert.match(palette.find((p) => p.command === id)!.when!, /secrets\.canAdmin/, id);
      for (const item of manifest.contributes.menus['view/title']!.filter((t) => t.command === id)) assert.match(item.when!, /secrets\.canAdmin/, id);
    }
    assert.ok(itemMenu.some((i) => i.command === 'secrets.deleteWorkspace' && /\^workspace/.test(i.when!)), 'Delete Workspace is on workspace items');
    assert.ok(itemMenu.some((i) => i.command === 'secrets.createWorkspace' && /\^organization/.test(i.when!)), 'Create Workspace is on organization items');
  });

  it('turns a failing command into the edge’s answer instead of an exception', async () => {
    const handlers = new Map<string, (...a: unknown[]) => unknown>();
    const failing = {
      secrets: {
        deleteSecret: async () => {
          throw new ExtensionError('EXT_NOT_CONNECTED');
        },
      },
    } as unknown as Controller;
    const seen: [string, unknown][] = [];
    registerCommands((id, h) => (handlers.set(id, h), { dispose() {} }), failing, {
      fail: (title, err) => (seen.push([title, err]), { error: 'shown' }),
    });
    assert.deepEqual(await handlers.get('secrets.deleteSecret')!('KEY'), { error: 'shown' });
    assert.equal(seen[0]![0], 'Delete');
    assert.equal((seen[0]![1] as ExtensionError).code, 'EXT_NOT_CONNECTED');
  });

  it('documents every error code a user can meet in extension/ERRORS.md', () => {
    const doc = readFileSync(resolve(ROOT, 'ERRORS.md'), 'utf8');
    for (const code of [...Object.keys(EXTENSION_ERRORS), ...SECRETS_ERROR_CODES]) {
      assert.ok(doc.includes(`\`${code}\``), `${code} is not documented in extension/ERRORS.md`);
    }
    for (const [code, message] of Object.entries(EXTENSION_ERRORS)) {
      if (code === 'EXT_INVALID_INPUT' || code === 'EXT_NOT_ALLOWED') continue;
      assert.ok(doc.includes(message), `the message of ${code} in ERRORS.md is out of date`);
    }
  });
});
