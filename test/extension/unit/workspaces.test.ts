import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { ExtensionError, describeError } from '../../../extension/errors.ts';
import { addSecret } from '../../../extension/logic/add-secret.ts';
import { editSecret, patchFor } from '../../../extension/logic/edit-secret.ts';
import { LiveRefresh } from '../../../extension/logic/live-refresh.ts';
import type { EnvNode, OrgScopeNode, SecretNode, TreeNode, WorkspaceNode } from '../../../extension/model/nodes.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { envContextValue, scopeBadge, secretContextValue, secretDescription, secretTooltip } from '../../../extension/vscode/tree-items.ts';
import { ManualClock } from './support/fake-clock.ts';
import { ScriptedUi } from './support/scripted-ui.ts';
import { startWorld, type World } from './support/world.ts';

const SHARED = 'canary-ws-shared-host-0b1c2d3e';
const BILLING_ONLY = 'canary-ws-billing-only-4f5a6b7c';
const OVERRIDE = 'canary-ws-billing-override-8d9e0f1a';
const LIMIT_ME = 'canary-ws-limit-me-in-edit-6c2f9a4e1b7d3085';

describe('extension workspaces: organization → workspace → environment → secret, scopes, read-only organization secrets (live server)', () => {
  let world: World;
  let editorId: string;
  before(async () => {
    world = await startWorld();
    const owner = world.members.owner.client;
    editorId = (await world.members.editor.client.me()).user!.id;
    // The Editor owns "billing"; nobody but Admins writes "search".
    await owner.createWorkspace(world.org, { slug: 'billing', name: 'Billing', owner: editorId });
    await owner.createWorkspace(world.org, { slug: 'search' });
    await owner.createSecret(world.org, 'development', { key: 'WS_DB_HOST', value: SHARED });
    await owner.createSecret(world.org, 'development', { key: 'WS_BILLING_ONLY', value: BILLING_ONLY, workspaces: ['billing'] });
  });
  after(async () => {
    await world?.close();
  });

  function modelFor(role: 'owner' | 'admin' | 'editor' | 'viewer', me?: string) {
    const model = new SecretsTreeModel({ clock: new ManualClock() });
    model.setApi(world.members[role].client);
    model.setMe(me);
    return model;
  }
  const workspaceEnv = async (model: SecretsTreeModel, ws: string, env = 'development'): Promise<SecretNode[]> => {
    const [org] = await model.children();
    const level = await model.children(org);
    const wsNode = level.find((n): n is WorkspaceNode => n.kind === 'workspace' && n.workspace === ws)!;
    const envNode = (await model.children(wsNode)).find((n): n is EnvNode => n.kind === 'env' && n.env === env)!;
    return (await model.children(envNode)).filter((n): n is SecretNode => n.kind === 'secret');
  };

  it('puts "Organization secrets" and the workspaces under an organization that has workspaces', async () => {
    const model = modelFor('viewer');
    const [org] = await model.children();
    const level: TreeNode[] = await model.children(org);
    assert.deepEqual(level.map((n) => n.kind === 'workspace' ? `workspace ${n.workspace}` : n.kind), ['org-scope', 'workspace billing', 'workspace search']);
    const envs = await model.children(level[0] as OrgScopeNode);
    assert.deepEqual(envs.map((e) => e.kind === 'env' && [e.env, e.workspace]), [['development', undefined], ['staging', undefined], ['production', undefined]]);
    const billingEnvs = await model.children(level[1]);
    assert.deepEqual(billingEnvs.map((e) => e.kind === 'env' && [e.env, e.workspace]), [['development', 'billing'], ['staging', 'billing'], ['production', 'billing']]);
    assert.equal(model.getParent(billingEnvs[0]!), level[1], 'a workspace environment’s parent is its workspace');
    assert.equal(model.getParent(envs[0]!), level[0], 'an organization environment’s parent is "Organization secrets"');
  });

  it('lists a workspace’s effective set with scope badges: an organization secret limited to billing is invisible in search', async () => {
    const model = modelFor('viewer');
    const billing = await workspaceEnv(model, 'billing');
    const search = await workspaceEnv(model, 'search');
    assert.ok(billing.some((n) => n.secretKey === 'WS_BILLING_ONLY'));
    assert.ok(!search.some((n) => n.secretKey === 'WS_BILLING_ONLY'), 'scoped to billing, yet shown in search');
    const shared = billing.find((n) => n.secretKey === 'WS_DB_HOST')!;
    assert.equal(shared.workspace, 'billing');
    assert.equal(shared.meta.scope, 'organization');
    assert.equal(scopeBadge(shared), 'organization');
    assert.match(secretDescription(shared), /^organization · ••••••••$/);
    assert.match(secretTooltip(shared), /Organization secret: read-only in workspace billing/);
  });

  it('offers the workspace owner no edit or delete of organization secrets there, but Add (an override) in its environments', async () => {
    const model = modelFor('editor', editorId);
    const billing = await workspaceEnv(model, 'billing');
    const shared = billing.find((n) => n.secretKey === 'WS_DB_HOST')!;
    assert.deepEqual(shared.actions, ['view', 'reveal']);
    assert.equal(secretContextValue(shared), 'secret canReveal orgScope masked');
    assert.equal(model.canWrite(world.org, 'billing'), true, 'the owner writes its workspace');
    assert.equal(model.canWrite(world.org, 'search'), false, 'an Editor who does not own search does not write it');
    assert.equal(envContextValue(model.envNode(world.org, 'development', 'billing')!, model.canWrite(world.org, 'billing')), 'environment other inWorkspace canEdit');
    assert.equal(envContextValue(model.envNode(world.org, 'development', 'search')!, model.canWrite(world.org, 'search')), 'environment other inWorkspace');
  });

  it('creates a workspace secret with Add in a workspace, overriding the organization secret of the same key there only', async () => {
    const target = { org: world.org, env: 'development', workspace: 'billing' };
    const ui = new ScriptedUi([{ input: 'ws_db_host' }, { input: OVERRIDE }, { input: '' }]);
    const meta = await addSecret(world.members.editor.client, ui, target, { existingKeys: new Set(), overridableKeys: new Set(['WS_DB_HOST']) });
    assert.deepEqual([meta.key, meta.scope, meta.overrides], ['WS_DB_HOST', 'workspace', true]);
    assert.match(ui.prompts[1]!.text!, /overrides the organization secret/);
    const owner = world.members.owner.client;
    assert.equal((await owner.revealSecret(world.org, { workspace: 'billing', environment: 'development' }, 'WS_DB_HOST')).value, OVERRIDE);
    assert.equal((await owner.revealSecret(world.org, { workspace: 'search', environment: 'development' }, 'WS_DB_HOST')).value, SHARED);
    assert.equal((await owner.revealSecret(world.org, 'development', 'WS_DB_HOST')).value, SHARED);
    const model = modelFor('editor', editorId);
    const node = (await workspaceEnv(model, 'billing')).find((n) => n.secretKey === 'WS_DB_HOST')!;
    assert.equal(scopeBadge(node), 'workspace · overrides');
    assert.deepEqual(node.actions, ['view', 'reveal', 'create', 'edit', 'delete']);
    assert.equal(secretContextValue(node), 'secret canReveal canEdit canDelete workspaceScope masked');
  });

  it('reveals in a workspace the value of its effective set, masked again by itself', async () => {
    const clock = new ManualClock();
    const model = new SecretsTreeModel({ clock, revealSeconds: () => 3 });
    model.setApi(world.members.editor.client);
    await workspaceEnv(model, 'billing');
    const node = await model.reveal(world.org, 'development', 'WS_DB_HOST', 'billing');
    assert.equal(node.display, OVERRIDE);
    clock.advance(3000);
    assert.equal(node.display, '••••••••');
  });

  it('shows the server’s ORG_SECRET_READ_ONLY in the edit’s notification when an organization secret is written through a workspace anyway', async () => {
    const target = { org: world.org, env: 'development', workspace: 'billing' };
    const seen = await world.members.owner.client.getSecret(world.org, target.env, 'WS_BILLING_ONLY');
    const err = await editSecret(world.members.owner.client, new ScriptedUi(), target, seen, { value: 'canary-ws-refused-write-2c3d4e5f' }).catch((e: unknown) => e);
    assert.ok(isSecretsError(err, 'SECRETS_CONFLICT') && err.problemCode === 'ORG_SECRET_READ_ONLY', String(err));
    const shown = describeError('Edit', err);
    assert.match(shown.message, /^Edit failed: WS_BILLING_ONLY is an organization secret: it is read-only in workspace billing/);
    assert.equal((await world.members.owner.client.revealSecret(world.org, 'development', 'WS_BILLING_ONLY')).value, BILLING_ONLY);
  });

  it('lets an Editor who does not own the workspace write nothing there (the server refuses what the menus hide)', async () => {
    const err = await addSecret(world.members.editor.client, new ScriptedUi(), { org: world.org, env: 'development', workspace: 'search' }, { args: { key: 'NOT_MINE', value: 'canary-ws-not-mine-6a7b8c9d' } }).catch((e: unknown) => e);
    assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'), String(err));
  });

  it('limits an organization secret to the workspaces ticked in Edit (the version unchanged), and ticking none makes it every workspace’s again', async () => {
    const owner = world.members.owner.client;
    await owner.createSecret(world.org, 'development', { key: 'WS_LIMIT_ME', value: LIMIT_ME });
    const target = { org: world.org, env: 'development' };
    const choices = [{ slug: 'billing', name: 'Billing' }, { slug: 'search', name: 'search' }];
    const inSearch = async () => (await owner.listSecrets(world.org, { workspace: 'search', environment: 'development' })).some((s) => s.key === 'WS_LIMIT_ME');
    const seen = await owner.getSecret(world.org, 'development', 'WS_LIMIT_ME');
    assert.deepEqual(seen.workspaces, []);
    const ui = new ScriptedUi([{ input: '' }, { input: '' }, { pickMany: ['billing'] }]);
    const limited = await editSecret(world.members.editor.client, ui, target, seen, undefined, choices);
    assert.deepEqual([limited.workspaces, limited.version], [['billing'], seen.version]);
    assert.deepEqual([ui.prompts[2]!.kind, ui.prompts[2]!.title, ui.prompts[2]!.labels], ['pickMany', 'Workspaces that may use WS_LIMIT_ME', ['billing', 'search']]);
    assert.equal(await inSearch(), false, 'limited to billing, yet still in search’s effective set');
    assert.ok((await owner.listSecrets(world.org, { workspace: 'billing', environment: 'development' })).some((s) => s.key === 'WS_LIMIT_ME'));
    assert.deepEqual(ui.prompts[2]!.picked, [], 'available to every workspace: none ticked');
    const again = new ScriptedUi([{ input: '' }, { input: '' }, { pickMany: ['billing'] }]);
    const same = await editSecret(world.members.editor.client, again, target, limited, undefined, choices).catch((e: unknown) => e);
    assert.ok(same instanceof ExtensionError && same.code === 'EXT_NO_CHANGES', String(same));
    assert.deepEqual(again.prompts[2]!.picked, ['billing'], 'the workspaces it is limited to are ticked');
    // A list loaded before billing existed: billing is still offered, ticked, so accepting the pick as
    // shown changes nothing rather than opening the secret to every workspace.
    const stale = new ScriptedUi([{ input: '' }, { input: '' }, { pickMany: ['billing'] }]);
    const kept = await editSecret(world.members.editor.client, stale, target, limited, undefined, [{ slug: 'search', name: 'search' }]).catch((e: unknown) => e);
    assert.deepEqual([stale.prompts[2]!.labels, stale.prompts[2]!.picked], [['search', 'billing'], ['billing']]);
    assert.ok(kept instanceof ExtensionError && kept.code === 'EXT_NO_CHANGES', String(kept));
    const everyone = await editSecret(world.members.editor.client, new ScriptedUi([{ input: '' }, { input: '' }, { pickMany: [] }]), target, limited, undefined, choices);
    assert.deepEqual(everyone.workspaces, []);
    assert.equal(await inSearch(), true);
    assert.equal((await owner.revealSecret(world.org, 'development', 'WS_LIMIT_ME')).value, LIMIT_ME, 'the value was kept');
  });

  it('edits a secret’s workspaces from arguments, shows the server’s WORKSPACE_UNKNOWN, and offers no choice in a workspace', async () => {
    assert.equal(patchFor({ description: '', workspaces: ['billing', 'search'] }, { workspaces: ['search', 'billing', 'billing'] }), undefined);
    assert.deepEqual(patchFor({ description: '', workspaces: [] }, { workspaces: ['search', 'billing'] }), { workspaces: ['billing', 'search'] });
    const target = { org: world.org, env: 'development' };
    const seen = await world.members.owner.client.getSecret(world.org, 'development', 'WS_LIMIT_ME');
    const meta = await editSecret(world.members.editor.client, new ScriptedUi(), target, seen, { workspaces: ['search'] });
    assert.deepEqual(meta.workspaces, ['search']);
    const unknown = await editSecret(world.members.editor.client, new ScriptedUi(), target, meta, { workspaces: ['billng'] }).catch((e: unknown) => e);
    assert.ok(isSecretsError(unknown) && unknown.problemCode === 'WORKSPACE_UNKNOWN', String(unknown));
    assert.match(describeError('Edit', unknown).message, /^Edit failed: Workspace billng does not exist in /);
    const inWs = { org: world.org, env: 'development', workspace: 'billing' };
    const own = await world.members.owner.client.createSecret(world.org, { workspace: 'billing', environment: 'development' }, { key: 'WS_BILLING_OWN', value: 'canary-ws-billing-own-edit-8e3a1c5f' });
    const refused = await editSecret(world.members.owner.client, new ScriptedUi(), inWs, own, { workspaces: ['search'] }).catch((e: unknown) => e);
    assert.ok(refused instanceof ExtensionError && refused.code === 'EXT_INVALID_INPUT', String(refused));
    const ui = new ScriptedUi([{ input: '' }, { input: 'Billing’s own' }]);
    const edited = await editSecret(world.members.owner.client, ui, inWs, own, undefined, [{ slug: 'billing', name: 'Billing' }]);
    assert.equal(edited.description, 'Billing’s own');
    assert.equal(ui.prompts.length, 2, 'a workspace secret’s edit asks for no workspaces');
  });

  it('shows an organization without workspaces as before: organization → environments', async () => {
    const other = `solo-${process.pid.toString(36)}`;
    await world.members.owner.client.createOrg({ slug: other, name: 'Solo' });
    const model = modelFor('owner');
    const orgs = await model.children();
    const solo = orgs.find((o) => o.kind === 'org' && o.org === other)!;
    const level = await model.children(solo);
    assert.deepEqual(level.map((n) => n.kind === 'env' && n.env), ['development', 'staging', 'production']);
  });
});

describe('extension live refresh in a workspace (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    await world.members.owner.client.createWorkspace(world.org, { slug: 'billing' });
  });
  after(async () => {
    await world?.close();
  });

  it('re-lists the workspace’s effective set from its stream: an organization secret available to it, and its own secrets', async () => {
    const model = new SecretsTreeModel();
    model.setApi(world.members.viewer.client);
    const live = new LiveRefresh({ reload: (org, env, workspace) => model.loadSecrets(org, env, workspace), log: () => undefined }, 50);
    try {
      live.follow(world.members.viewer.client, world.org, 'development', 'billing');
      await model.loadSecrets(world.org, 'development', 'billing');
      await new Promise((r) => setTimeout(r, 300));
      await world.members.owner.client.createSecret(world.org, 'development', { key: 'LIVE_IN_WS', value: 'canary-live-in-ws-1b2c3d4e' });
      const deadline = Date.now() + 10_000;
      while (!model.secretNode(world.org, 'development', 'LIVE_IN_WS', 'billing')) {
        if (Date.now() > deadline) throw new Error('the new organization secret never reached the workspace’s list');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(model.secretNode(world.org, 'development', 'LIVE_IN_WS', 'billing')!.meta.scope, 'organization');
      await world.members.owner.client.createSecret(world.org, { workspace: 'billing', environment: 'development' }, { key: 'LIVE_IN_WS', value: 'canary-live-ws-own-5f6a7b8c' });
      const until = Date.now() + 10_000;
      while (model.secretNode(world.org, 'development', 'LIVE_IN_WS', 'billing')!.meta.scope !== 'workspace') {
        if (Date.now() > until) throw new Error('the workspace’s own override never reached its list');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      live.dispose();
    }
  });
});
