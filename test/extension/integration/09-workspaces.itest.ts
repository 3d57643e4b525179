// Workspaces inside a real VS Code against the live server: the tree gains a level (organization →
// Organization secrets | workspace → environment → secret), a workspace's environment shows its
// effective set with scope badges, organization secrets are read-only there, Add in a workspace makes
// a workspace secret (an override when the key is an organization secret), the status bar names the
// workspace, and `secrets.workspace` in a folder's settings pins the folder to a workspace.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EnvNode, WorkspaceNode } from '../../../extension/model/nodes.ts';
import { MASK, api, direct, eventually, isCommandError, run, secretsOf, server, type SecretsExtensionApi } from './support.ts';

const SHARED = 'canary-e2e-ws-shared-7a1b2c';
const BILLING_ONLY = 'canary-e2e-ws-billing-only-3d4e5f';
const OVERRIDE = 'canary-e2e-ws-override-9a8b7c';

describe('workspaces in the sidebar (live server)', function () {
  let a: SecretsExtensionApi;
  const s = () => server();
  const org = () => s().org;
  const wsPath = (ws: string, env = 'development') => `/v1/orgs/${org()}/workspaces/${ws}/environments/${env}/secrets`;
  const folderUri = () => vscode.workspace.workspaceFolders![0]!.uri;
  const secretsIn = async (ws: string, env = 'development') => {
    const [orgNode] = await a.model.children();
    const level = await a.model.children(orgNode);
    const wsNode = level.find((n): n is WorkspaceNode => n.kind === 'workspace' && n.workspace === ws);
    assert.ok(wsNode, `workspace ${ws} is not in the tree`);
    const envNode = (await a.model.children(wsNode)).find((n): n is EnvNode => n.kind === 'env' && n.env === env)!;
    return secretsOf(await a.model.children(envNode));
  };
  const revealIn = async (ws: string, key: string) => {
    const r = await direct(s().ownerToken, 'POST', `${wsPath(ws)}/${key}/reveal`);
    return r.status === 200 ? (r.body as { value: string }).value : undefined;
  };

  before(async () => {
    a = await api();
    for (const [slug, owner] of [['billing', s().wsOwnerId], ['search', undefined]] as const) {
      const r = await direct(s().ownerToken, 'POST', `/v1/orgs/${org()}/workspaces`, { slug, ...(owner ? { owner } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const orgSecrets = `/v1/orgs/${org()}/environments/development/secrets`;
    assert.equal((await direct(s().ownerToken, 'POST', orgSecrets, { key: 'WS_DB_HOST', value: SHARED })).status, 201);
    assert.equal((await direct(s().ownerToken, 'POST', orgSecrets, { key: 'WS_BILLING_ONLY', value: BILLING_ONLY, workspaces: ['billing'] })).status, 201);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('secrets', folderUri()).update('workspace', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.workspace.getConfiguration('secrets').update('workspace', undefined, vscode.ConfigurationTarget.Global);
    await run('secrets.signOut');
  });

  it('shows "Organization secrets" and the workspaces under the organization, and the workspace item in the status bar', async () => {
    const r = await run('secrets.connect', { url: s().url, token: s().wsOwnerToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal(a.state.workspace, undefined);
    const [orgNode] = await a.model.children();
    const level = await a.model.children(orgNode);
    assert.deepEqual(level.map((n) => (n.kind === 'workspace' ? n.workspace : n.kind)), ['org-scope', 'billing', 'search']);
    const billing = level[1] as WorkspaceNode;
    assert.deepEqual([billing.ownerName, billing.mine], [s().wsOwnerName, true]);
    assert.equal(a.state.workspaceStatusText, '$(globe) organization');
  });

  it('switches to a workspace: its effective set with scope badges, the status bar and the setting follow', async () => {
    const r = await run<{ workspace: string | null }>('secrets.switchWorkspace', 'billing');
    assert.equal(r.workspace, 'billing');
    assert.equal(a.state.workspace, 'billing');
    assert.match(a.state.statusText, new RegExp(`${org()}/billing/development`));
    assert.equal(a.state.workspaceStatusText, '$(folder-library) billing');
    assert.equal(vscode.workspace.getConfiguration('secrets', folderUri()).get('workspace'), 'billing');
    const billing = await secretsIn('billing');
    const shared = billing.find((n) => n.secretKey === 'WS_DB_HOST')!;
    assert.deepEqual([shared.meta.scope, shared.display], ['organization', MASK]);
    assert.ok(billing.some((n) => n.secretKey === 'WS_BILLING_ONLY'));
    assert.ok(!(await secretsIn('search')).some((n) => n.secretKey === 'WS_BILLING_ONLY'), 'an organization secret limited to billing is shown in search');
    const bad = await run('secrets.switchWorkspace', 'nope');
    assert.ok(isCommandError(bad));
    assert.equal(bad.error.code, 'EXT_UNKNOWN_WORKSPACE');
  });

  it('keeps organization secrets read-only in a workspace: no edit or delete offered, refused before any request', async () => {
    const shared = (await secretsIn('billing')).find((n) => n.secretKey === 'WS_DB_HOST')!;
    assert.deepEqual(shared.actions, ['view', 'reveal']);
    const edit = await run('secrets.editSecret', shared, { value: 'canary-e2e-ws-refused-edit-1f2e' });
    assert.ok(isCommandError(edit));
    assert.equal(edit.error.code, 'EXT_ORG_SECRET_READ_ONLY');
    assert.match(edit.error.message, /^Edit failed: WS_DB_HOST is an organization secret: it is read-only in workspace billing/);
    const del = await run('secrets.deleteSecret', shared, { confirm: true });
    assert.ok(isCommandError(del));
    assert.equal(del.error.code, 'EXT_ORG_SECRET_READ_ONLY');
    assert.equal(await revealIn('billing', 'WS_DB_HOST'), SHARED);
  });

  it('adds a workspace secret in the workspace, overriding the organization secret there only', async () => {
    const meta = await run<{ key: string; scope?: string; overrides?: boolean }>('secrets.addSecret', { key: 'ws_db_host', value: OVERRIDE });
    assert.ok(!isCommandError(meta), JSON.stringify(meta));
    assert.deepEqual([meta.key, meta.scope, meta.overrides], ['WS_DB_HOST', 'workspace', true]);
    assert.equal(await revealIn('billing', 'WS_DB_HOST'), OVERRIDE);
    assert.equal(await revealIn('search', 'WS_DB_HOST'), SHARED);
    const node = a.model.secretNode(org(), 'development', 'WS_DB_HOST', 'billing')!;
    assert.deepEqual([node.meta.scope, node.meta.overrides], ['workspace', true]);
    assert.ok(node.actions.includes('edit') && node.actions.includes('delete'));
    const revealed = await run<{ revealed: boolean }>('secrets.revealSecret', node);
    assert.equal(revealed.revealed, true);
    assert.equal(a.model.secretNode(org(), 'development', 'WS_DB_HOST', 'billing')!.display, OVERRIDE);
    await eventually(() => a.model.secretNode(org(), 'development', 'WS_DB_HOST', 'billing')!.display, (d) => d === MASK, 8000, 're-masking');
  });

  it('shows the history of the workspace secret, and deleting it brings the organization secret back', async () => {
    const h = await run<{ workspace?: string; versions: { version: number }[] }>('secrets.showHistory', 'WS_DB_HOST');
    assert.equal(h.workspace, 'billing');
    assert.deepEqual(h.versions.map((v) => v.version), [1]);
    const r = await run('secrets.deleteSecret', 'WS_DB_HOST', { confirm: true });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    await eventually(() => a.model.secretNode(org(), 'development', 'WS_DB_HOST', 'billing')?.meta.scope, (sc) => sc === 'organization', 5000, 'the organization secret back in billing');
    assert.equal(await revealIn('billing', 'WS_DB_HOST'), SHARED);
  });

  it('shows the server’s ORG_SECRET_READ_ONLY when a stale tree offered a write, and reloads to show the organization secret', async () => {
    // Wendy overrides WS_BILLING_ONLY from elsewhere; the followed workspace stream brings it into the tree.
    assert.equal((await direct(s().wsOwnerToken, 'POST', wsPath('billing'), { key: 'WS_BILLING_ONLY', value: 'canary-e2e-ws-override-2-6b7c' })).status, 201);
    await eventually(() => a.model.secretNode(org(), 'development', 'WS_BILLING_ONLY', 'billing')?.meta.scope, (sc) => sc === 'workspace', 10_000, 'the override in the tree');
    // Only the current environment is followed: with staging current, billing/development's list goes stale.
    await run('secrets.switchEnvironment', 'staging');
    assert.equal((await direct(s().wsOwnerToken, 'DELETE', `${wsPath('billing')}/WS_BILLING_ONLY`)).status, 204);
    const stale = a.model.secretNode(org(), 'development', 'WS_BILLING_ONLY', 'billing')!;
    assert.equal(stale.meta.scope, 'workspace', 'the list of an environment that is not followed changed by itself');
    const r = await run('secrets.deleteSecret', stale, { confirm: true });
    assert.ok(isCommandError(r), JSON.stringify(r));
    assert.equal(r.error.code, 'SECRETS_CONFLICT');
    assert.match(r.error.message, /^Delete failed: WS_BILLING_ONLY is an organization secret: it is read-only in workspace billing/);
    assert.equal(a.model.secretNode(org(), 'development', 'WS_BILLING_ONLY', 'billing')?.meta.scope, 'organization', 'the tree was not reloaded');
    assert.equal(await revealIn('billing', 'WS_BILLING_ONLY'), BILLING_ONLY);
    await run('secrets.switchEnvironment', 'development');
  });

  it('lets an Editor who does not own the workspace write nothing there', async () => {
    const r = await run('secrets.connect', { url: s().url, token: s().editorToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal(a.state.workspace, 'billing', 'the folder’s workspace setting applies to the next connection');
    const add = await run('secrets.addSecret', { key: 'NOT_MINE', value: 'canary-e2e-ws-not-mine-4c5d' });
    assert.ok(isCommandError(add));
    assert.equal(add.error.code, 'EXT_NOT_ALLOWED');
    assert.match(add.error.message, new RegExp(`Only the owner of workspace billing \\(${s().wsOwnerName}\\)`));
    assert.equal((await direct(s().editorToken, 'POST', wsPath('billing'), { key: 'NOT_MINE', value: 'canary-e2e-ws-not-mine-4c5d' })).status, 403);
  });

  it('pins a folder to a workspace with secrets.workspace in its settings', async () => {
    await vscode.workspace.getConfiguration('secrets', folderUri()).update('workspace', 'search', vscode.ConfigurationTarget.WorkspaceFolder);
    await eventually(() => a.state.workspace, (w) => w === 'search', 10_000, 'the window to follow the folder’s workspace');
    assert.match(a.state.statusText, new RegExp(`${org()}/search/development`));
    await run('secrets.switchWorkspace', '');
    assert.equal(a.state.workspace, undefined);
    assert.equal(a.state.workspaceStatusText, '$(globe) organization');
    // A single-folder window reports the folder's settings as workspace settings.
    const pinned = vscode.workspace.getConfiguration('secrets', folderUri()).inspect<string>('workspace');
    assert.equal(pinned?.workspaceFolderValue ?? pinned?.workspaceValue, '', 'the switch is written where the pin is');
  });
});

describe('managing workspaces from the sidebar: Admins and Owners (live server)', function () {
  let a: SecretsExtensionApi;
  const s = () => server();
  const org = () => s().org;
  const LIMITED = 'canary-e2e-ws-limited-alone-5c9e2a7b4d1f';
  const workspaceItems = async (): Promise<WorkspaceNode[]> => {
    const [orgNode] = await a.model.children();
    return (await a.model.children(orgNode)).filter((n): n is WorkspaceNode => n.kind === 'workspace');
  };
  const onServer = async (slug: string) => direct(s().ownerToken, 'GET', `/v1/orgs/${org()}/workspaces/${slug}`);

  before(async () => {
    a = await api();
    const r = await run('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal(a.state.role, 'owner');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('secrets').update('workspace', undefined, vscode.ConfigurationTarget.Global);
    await run('secrets.signOut');
  });

  it('creates a workspace from arguments, owned by the member named, and the tree shows it', async () => {
    const r = await run<{ slug: string; name: string; owner: string; ownerName: string }>('secrets.createWorkspace', { slug: 'vs-ops', name: 'Ops', owner: s().wsOwnerId });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.deepEqual([r.slug, r.name, r.owner, r.ownerName], ['vs-ops', 'Ops', s().wsOwnerId, s().wsOwnerName]);
    const item = (await workspaceItems()).find((w) => w.workspace === 'vs-ops');
    assert.ok(item, 'the new workspace is not in the tree');
    assert.deepEqual([item.name, item.ownerName], ['Ops', s().wsOwnerName]);
    assert.equal((await onServer('vs-ops')).status, 200);
    const taken = await run('secrets.createWorkspace', { slug: 'vs-ops' });
    assert.ok(isCommandError(taken));
    assert.equal(taken.error.code, 'SECRETS_CONFLICT');
    assert.match(taken.error.message, /^Create Workspace failed: A workspace with the slug vs-ops already exists/);
  });

  it('renames it and gives it another owner; the tree follows', async () => {
    const item = (await workspaceItems()).find((w) => w.workspace === 'vs-ops')!;
    const renamed = await run<{ name: string }>('secrets.renameWorkspace', item, { name: 'Operations' });
    assert.ok(!isCommandError(renamed), JSON.stringify(renamed));
    assert.equal((await workspaceItems()).find((w) => w.workspace === 'vs-ops')!.name, 'Operations');
    const reowned = await run<{ owner: string }>('secrets.setWorkspaceOwner', 'vs-ops', { owner: (await me(s().ownerToken)).id });
    assert.ok(!isCommandError(reowned), JSON.stringify(reowned));
    const now = (await workspaceItems()).find((w) => w.workspace === 'vs-ops')!;
    assert.deepEqual([now.name, now.mine], ['Operations', true]);
    const same = await run('secrets.renameWorkspace', 'vs-ops', { name: 'Operations' });
    assert.ok(isCommandError(same));
    assert.equal(same.error.code, 'EXT_NO_CHANGES');
  });

  it('shows the server’s WORKSPACE_IN_USE naming the keys (Edit frees the secret), and a slug typed wrong deletes nothing', async () => {
    const secrets = `/v1/orgs/${org()}/environments/development/secrets`;
    assert.equal((await direct(s().ownerToken, 'POST', secrets, { key: 'VS_OPS_ONLY', value: LIMITED, workspaces: ['vs-ops'] })).status, 201);
    const inUse = await run('secrets.deleteWorkspace', 'vs-ops', { confirm: true });
    assert.ok(isCommandError(inUse));
    assert.equal(inUse.error.code, 'SECRETS_CONFLICT');
    assert.equal(inUse.error.message, 'Delete Workspace failed: Organization secrets are limited to workspace vs-ops alone: development/VS_OPS_ONLY. Change their workspaces first');
    // Edit makes it every workspace's again: the way out the message points to.
    const released = await run<{ workspaces?: string[] }>('secrets.editSecret', { secretKey: 'VS_OPS_ONLY', org: org(), env: 'development' }, { workspaces: [] });
    assert.ok(!isCommandError(released), JSON.stringify(released));
    assert.deepEqual(released.workspaces, []);
    const wrong = await run('secrets.deleteWorkspace', 'vs-ops', { confirm: 'vs-op' });
    assert.ok(isCommandError(wrong));
    assert.equal(wrong.error.code, 'EXT_CONFIRMATION_MISMATCH');
    assert.equal((await onServer('vs-ops')).status, 200);
    assert.ok((await workspaceItems()).some((w) => w.workspace === 'vs-ops'));
  });

  it('deletes the current workspace with its slug typed: the tree drops it and the window goes back to the organization’s secrets', async () => {
    const switched = await run<{ workspace: string | null }>('secrets.switchWorkspace', 'vs-ops');
    assert.equal(switched.workspace, 'vs-ops');
    const item = (await workspaceItems()).find((w) => w.workspace === 'vs-ops')!;
    const r = await run<{ deleted: boolean }>('secrets.deleteWorkspace', item, { confirm: 'vs-ops' });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal((await onServer('vs-ops')).status, 404);
    assert.ok(!(await workspaceItems()).some((w) => w.workspace === 'vs-ops'), 'the deleted workspace is still in the tree');
    assert.equal(a.state.workspace, undefined);
    assert.equal(a.state.workspaceStatusText, '$(globe) organization');
    assert.match(a.state.statusText, new RegExp(`${org()}/development`));
    assert.equal(vscode.workspace.getConfiguration('secrets').get('workspace'), '', 'the setting still names the deleted workspace');
  });

  it('refuses a Viewer politely, before any prompt or request', async () => {
    const r = await run('secrets.connect', { url: s().url, token: s().viewerToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    for (const [id, args] of [['secrets.createWorkspace', { slug: 'vs-viewer' }], ['secrets.deleteWorkspace', 'billing']] as const) {
      const refused = await run(id, args, { confirm: true });
      assert.ok(isCommandError(refused), id);
      assert.equal(refused.error.code, 'EXT_NOT_ALLOWED');
      assert.match(refused.error.message, new RegExp(`Workspaces are created, renamed and deleted by the Admins and Owners of ${org()}; your role is viewer`));
    }
    assert.equal((await onServer('vs-viewer')).status, 404);
    assert.equal((await onServer('billing')).status, 200);
  });
});

async function me(token: string): Promise<{ id: string }> {
  return ((await direct(token, 'GET', '/v1/me')).body as { user: { id: string } }).user;
}
