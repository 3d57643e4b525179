import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { Cancelled, ExtensionError, describeError } from '../../../extension/errors.ts';
import { createWorkspace } from '../../../extension/logic/create-workspace.ts';
import { deleteWorkspace } from '../../../extension/logic/delete-workspace.ts';
import { renameWorkspace } from '../../../extension/logic/rename-workspace.ts';
import { validateWorkspaceName, validateWorkspaceSlug, type WorkspaceScope, type WorkspaceSeen } from '../../../extension/logic/workspace-input.ts';
import { setWorkspaceOwner } from '../../../extension/logic/workspace-owner.ts';
import type { OrgNode, WorkspaceNode } from '../../../extension/model/nodes.ts';
import { orgContextValue, workspaceContextValue } from '../../../extension/vscode/tree-items.ts';
import { ScriptedUi } from './support/scripted-ui.ts';
import { client, startWorld, type World } from './support/world.ts';

const WS_SECRET = 'canary-ws-admin-own-secret-5e8c1a7f2b9d4e60';
const LIMITED = 'canary-ws-admin-limited-alone-3b7d9f1c6a2e8d45';

describe('extension workspace management: create, rename, set owner, delete (live server)', () => {
  let world: World;
  let ids: Record<'owner' | 'admin' | 'editor' | 'viewer', string>;
  let emails: Record<'editor', string>;
  before(async () => {
    world = await startWorld();
    const members = await world.members.owner.client.listMembers(world.org);
    const idOf = (name: string) => members.find((m) => m.name === name)!.userId;
    ids = { owner: idOf(world.members.owner.name), admin: idOf(world.members.admin.name), editor: idOf(world.members.editor.name), viewer: idOf(world.members.viewer.name) };
    emails = { editor: members.find((m) => m.name === world.members.editor.name)!.email };
  });
  after(async () => {
    await world?.close();
  });
  const as = (role: WorkspaceScope['role']): WorkspaceScope => ({ org: world.org, role });
  const seen = async (slug: string): Promise<WorkspaceSeen> => {
    const w = await world.members.owner.client.getWorkspace(world.org, slug);
    return { slug: w.slug, name: w.name, owner: w.owner, ownerName: w.ownerName };
  };
  const gone = async (slug: string) => {
    const err = await world.members.owner.client.getWorkspace(world.org, slug).catch((e: unknown) => e);
    return isSecretsError(err, 'SECRETS_NOT_FOUND') && err.problemCode === 'WORKSPACE_NOT_FOUND';
  };

  describe('Create Workspace', () => {
    it('lowercases the slug as typed, takes an optional name, and offers the members as owner with the user first', async () => {
      const ui = new ScriptedUi([{ input: 'Billing' }, { input: 'Billing team' }, { pick: world.members.editor.name }]);
      const w = await createWorkspace(world.members.admin.client, ui, as('admin'), { existingSlugs: new Set() });
      assert.deepEqual([w.slug, w.name, w.owner], ['billing', 'Billing team', ids.editor]);
      assert.equal(ui.prompts[0]!.shown, 'billing', 'the slug box showed the lowercased slug');
      const owners = ui.prompts[2]!;
      assert.equal(owners.kind, 'pick');
      assert.equal(owners.labels![0], world.members.admin.name, 'the user is offered first, as the server’s default');
      assert.deepEqual([...owners.labels!].sort(), [world.members.owner.name, world.members.admin.name, world.members.editor.name, world.members.viewer.name].sort());
      const stored = await seen('billing');
      assert.deepEqual([stored.name, stored.owner], ['Billing team', ids.editor]);
    });

    it('validates the slug live (rule, taken) and names an empty name after the slug, owned by the caller', async () => {
      assert.equal(validateWorkspaceSlug(''), 'Workspace slug is required');
      assert.match(validateWorkspaceSlug('-billing')!, /lowercase letters, digits and hyphens/);
      assert.match(validateWorkspaceSlug('bill ing')!, /lowercase letters, digits and hyphens/);
      assert.match(validateWorkspaceSlug('a'.repeat(64))!, /at most 63 characters/);
      assert.equal(validateWorkspaceSlug('billing', new Set(['billing']), 'acme'), 'A workspace with the slug billing already exists in acme');
      assert.equal(validateWorkspaceName('   '), 'Workspace name is required');
      assert.equal(validateWorkspaceName('', true), undefined);
      assert.match(validateWorkspaceName('n'.repeat(201))!, /at most 200 characters/);
      const ui = new ScriptedUi([{ input: 'search' }, { input: '' }, { pick: world.members.owner.name }]);
      const w = await createWorkspace(world.members.owner.client, ui, as('owner'), { existingSlugs: new Set(['billing']) });
      assert.deepEqual([w.slug, w.name, w.owner], ['search', 'search', ids.owner]);
      assert.match(ui.prompts[2]!.labels![0]!, new RegExp(world.members.owner.name));
    });

    it('creates from arguments, the owner named by e-mail, and shows the server’s WORKSPACE_EXISTS and WORKSPACE_OWNER_INVALID', async () => {
      const w = await createWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), { args: { slug: 'payments', owner: emails.editor } });
      assert.deepEqual([w.slug, w.owner], ['payments', ids.editor]);
      const mine = await createWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), { args: { slug: 'ledger' } });
      assert.equal(mine.owner, ids.admin, 'no owner given: the caller owns it');
      const exists = await createWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), { args: { slug: 'payments' } }).catch((e: unknown) => e);
      assert.ok(isSecretsError(exists, 'SECRETS_CONFLICT') && exists.problemCode === 'WORKSPACE_EXISTS', String(exists));
      assert.match(describeError('Create Workspace', exists).message, /^Create Workspace failed: A workspace with the slug payments already exists in /);
      const outsider = (await world.outsider.client.me()).user!.id;
      const invalid = await createWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), { args: { slug: 'stray', owner: outsider } }).catch((e: unknown) => e);
      assert.ok(isSecretsError(invalid) && invalid.problemCode === 'WORKSPACE_OWNER_INVALID', String(invalid));
      assert.match(describeError('Create Workspace', invalid).message, new RegExp(`^Create Workspace failed: The owner ${outsider} is not a member of ${world.org}`));
      const bad = await createWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), { args: { slug: 'Bad Slug' } }).catch((e: unknown) => e);
      assert.ok(bad instanceof ExtensionError && bad.code === 'EXT_INVALID_INPUT', String(bad));
      assert.ok(await gone('stray'));
    });

    it('refuses a Viewer and an Editor politely before any prompt, and the server refuses them anyway', async () => {
      for (const role of ['viewer', 'editor'] as const) {
        const ui = new ScriptedUi();
        const err = await createWorkspace(world.members[role].client, ui, as(role), { args: { slug: `by-${role}` } }).catch((e: unknown) => e);
        assert.ok(err instanceof ExtensionError && err.code === 'EXT_NOT_ALLOWED', String(err));
        assert.equal(err.message, `Workspaces are created, renamed and deleted by the Admins and Owners of ${world.org}; your role is ${role}`);
        assert.equal(ui.prompts.length, 0, 'no prompt before the refusal');
        // A stale role (the menus thought Admin): the server still decides.
        const forbidden = await createWorkspace(world.members[role].client, new ScriptedUi(), as('admin'), { args: { slug: `by-${role}` } }).catch((e: unknown) => e);
        assert.ok(isSecretsError(forbidden, 'SECRETS_FORBIDDEN'), String(forbidden));
        assert.ok(await gone(`by-${role}`));
      }
      const rename = await renameWorkspace(world.members.viewer.client, new ScriptedUi(), as('viewer'), await seen('billing'), { name: 'Nope' }).catch((e: unknown) => e);
      assert.ok(rename instanceof ExtensionError && rename.code === 'EXT_NOT_ALLOWED');
      const del = await deleteWorkspace(world.members.viewer.client, new ScriptedUi(), as('viewer'), await seen('billing'), { confirm: true }).catch((e: unknown) => e);
      assert.ok(del instanceof ExtensionError && del.code === 'EXT_NOT_ALLOWED');
      const delForbidden = await deleteWorkspace(world.members.viewer.client, new ScriptedUi(), as('admin'), await seen('billing'), { confirm: true }).catch((e: unknown) => e);
      assert.ok(isSecretsError(delForbidden, 'SECRETS_FORBIDDEN'), String(delForbidden));
      assert.equal((await seen('billing')).name, 'Billing team');
    });
  });

  describe('Rename Workspace and Set Workspace Owner', () => {
    it('renames with the current name prefilled; the same name is "No changes to save" before any request', async () => {
      const ui = new ScriptedUi([{ input: ' Billing & invoices ' }]);
      const before = await seen('billing');
      const w = await renameWorkspace(world.members.admin.client, ui, as('admin'), before);
      assert.equal(ui.prompts[0]!.value, 'Billing team', 'the box starts with the current name');
      assert.deepEqual([w.slug, w.name], ['billing', 'Billing & invoices']);
      assert.equal((await seen('billing')).name, 'Billing & invoices');
      const same = await renameWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), await seen('billing'), { name: 'Billing & invoices' }).catch((e: unknown) => e);
      assert.ok(same instanceof ExtensionError && same.code === 'EXT_NO_CHANGES');
      const cancelled = await renameWorkspace(world.members.admin.client, new ScriptedUi([{ input: undefined }]), as('admin'), await seen('billing')).catch((e: unknown) => e);
      assert.ok(cancelled instanceof Cancelled);
    });

    it('sets the owner from a pick of the members (the current owner marked), or by e-mail', async () => {
      const ui = new ScriptedUi([{ pick: world.members.viewer.name }]);
      const w = await setWorkspaceOwner(world.members.owner.client, ui, as('owner'), await seen('billing'));
      assert.equal(w.owner, ids.viewer);
      assert.equal(ui.prompts[0]!.labels![0], world.members.editor.name, 'the current owner is listed first');
      const back = await setWorkspaceOwner(world.members.owner.client, new ScriptedUi(), as('owner'), await seen('billing'), { owner: emails.editor });
      assert.deepEqual([back.owner, back.ownerName], [ids.editor, world.members.editor.name]);
      const same = await setWorkspaceOwner(world.members.owner.client, new ScriptedUi(), as('owner'), await seen('billing'), { owner: ids.editor }).catch((e: unknown) => e);
      assert.ok(same instanceof ExtensionError && same.code === 'EXT_NO_CHANGES');
    });
  });

  describe('Delete Workspace', () => {
    it('names the workspace and what goes with it, asks for the slug typed, and deletes its secrets and bound tokens', async () => {
      const owner = world.members.owner.client;
      await owner.createSecret(world.org, { workspace: 'search', environment: 'development' }, { key: 'SEARCH_OWN', value: WS_SECRET });
      const bound = await owner.createServiceToken(world.org, { name: 'search-ci', environment: 'development', workspace: 'search' });
      const tokenClient = client(world.server.url, bound.token);
      try {
        assert.equal((await tokenClient.listSecrets(world.org, { workspace: 'search', environment: 'development' })).some((s) => s.key === 'SEARCH_OWN'), true);
        const ui = new ScriptedUi([{ confirm: true }, { input: 'search' }]);
        await deleteWorkspace(owner, ui, as('owner'), await seen('search'));
        const [modal, typed] = ui.prompts;
        assert.equal(modal!.kind, 'confirm');
        assert.equal(modal!.title, `Delete workspace search of ${world.org}?`);
        assert.match(modal!.detail!, /Its own secrets in every environment, their history, and the service tokens and trust policies bound to it are deleted with it/);
        assert.match(modal!.detail!, /Organization secrets are not affected/);
        assert.equal(modal!.text, 'Delete Workspace');
        assert.equal(typed!.kind, 'input');
        assert.match(typed!.text!, /^Type search to delete the workspace/);
        assert.ok(await gone('search'));
        const refused = await tokenClient.listSecrets(world.org, { workspace: 'search', environment: 'development' }).catch((e: unknown) => e);
        assert.ok(isSecretsError(refused, 'SECRETS_UNAUTHORIZED'), `the bound token still works: ${String(refused)}`);
        assert.ok(!JSON.stringify(ui.prompts).includes(WS_SECRET));
      } finally {
        await tokenClient.close();
      }
    });

    it('refuses a slug typed that does not match with EXT_CONFIRMATION_MISMATCH, and deletes nothing', async () => {
      const typedWrong = await deleteWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), await seen('payments'), { confirm: 'payment' }).catch((e: unknown) => e);
      assert.ok(typedWrong instanceof ExtensionError && typedWrong.code === 'EXT_CONFIRMATION_MISMATCH', String(typedWrong));
      assert.equal(typedWrong.message, 'The slug typed did not match, so workspace payments was not deleted');
      assert.equal(describeError('Delete Workspace', typedWrong).message, 'Delete Workspace failed: The slug typed did not match, so workspace payments was not deleted');
      const ui = new ScriptedUi([{ confirm: true }, { input: '' }]);
      const empty = await deleteWorkspace(world.members.admin.client, ui, as('admin'), await seen('payments')).catch((e: unknown) => e);
      assert.ok(empty instanceof ExtensionError && empty.code === 'EXT_CONFIRMATION_MISMATCH');
      const declined = await deleteWorkspace(world.members.admin.client, new ScriptedUi([{ confirm: false }]), as('admin'), await seen('payments')).catch((e: unknown) => e);
      assert.ok(declined instanceof Cancelled);
      assert.equal((await seen('payments')).slug, 'payments');
      await deleteWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), await seen('payments'), { confirm: 'payments' });
      assert.ok(await gone('payments'), 'the slug typed as an argument deletes without the modal');
    });

    it('shows the server’s WORKSPACE_IN_USE naming the keys while an organization secret is limited to it alone', async () => {
      await world.members.owner.client.createSecret(world.org, 'staging', { key: 'LEDGER_ONLY', value: LIMITED, workspaces: ['ledger'] });
      const err = await deleteWorkspace(world.members.admin.client, new ScriptedUi(), as('admin'), await seen('ledger'), { confirm: true }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_CONFLICT') && err.problemCode === 'WORKSPACE_IN_USE', String(err));
      const shown = describeError('Delete Workspace', err);
      assert.equal(shown.code, 'SECRETS_CONFLICT');
      assert.equal(shown.message, 'Delete Workspace failed: Organization secrets are limited to workspace ledger alone: staging/LEDGER_ONLY. Change their workspaces first');
      assert.ok(!shown.message.includes(LIMITED));
      assert.equal((await seen('ledger')).slug, 'ledger');
    });
  });

  it('marks organization and workspace items canAdmin for Admins and Owners only (the menus hide the rest)', () => {
    const ws = (mine: boolean): WorkspaceNode => ({ kind: 'workspace', id: 'w', org: 'acme', workspace: 'billing', name: 'Billing', owner: 'u1', ownerName: 'Ann', mine, current: false });
    assert.equal(workspaceContextValue(ws(false), 'admin'), 'workspace other canAdmin');
    assert.equal(workspaceContextValue(ws(true), 'owner'), 'workspace other mine canAdmin');
    assert.equal(workspaceContextValue(ws(true), 'editor'), 'workspace other mine', 'owning a workspace is not managing it');
    assert.equal(workspaceContextValue(ws(false), 'viewer'), 'workspace other');
    const org = (role: OrgNode['role']): OrgNode => ({ kind: 'org', id: 'o', org: 'acme', name: 'Acme', role, current: true });
    assert.equal(orgContextValue(org('owner')), 'organization current canAdmin');
    assert.equal(orgContextValue(org('viewer')), 'organization current');
  });
});
