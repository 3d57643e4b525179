import assert from 'node:assert/strict';
import type { Role } from '../../../core/api-types.ts';
import { isSecretsError } from '../../../core/errors.ts';
import { MASK, type EnvNode, type OrgNode, type SecretNode, type TreeNode } from '../../../extension/model/nodes.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { envContextValue, orgContextValue, secretContextValue, secretTooltip } from '../../../extension/vscode/tree-items.ts';
import { ManualClock } from './support/fake-clock.ts';
import { CANARY, startWorld, type World } from './support/world.ts';

describe('extension tree model (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });

  function modelFor(role: Role, clock = new ManualClock(), revealSeconds = 30) {
    const model = new SecretsTreeModel({ clock, revealSeconds: () => revealSeconds });
    model.setApi(world.members[role].client);
    return { model, clock };
  }

  async function expandAll(model: SecretsTreeModel): Promise<{ orgs: OrgNode[]; envs: EnvNode[]; secrets: SecretNode[] }> {
    const orgs = (await model.children()) as OrgNode[];
    const envs: EnvNode[] = [];
    const secrets: SecretNode[] = [];
    for (const o of orgs) {
      for (const e of (await model.children(o)) as EnvNode[]) {
        envs.push(e);
        for (const s of await model.children(e)) if (s.kind === 'secret') secrets.push(s);
      }
    }
    return { orgs, envs, secrets };
  }

  it('shows organization → environments → secrets, every value masked', async () => {
    const { model } = modelFor('owner');
    const { orgs, envs, secrets } = await expandAll(model);
    assert.deepEqual(orgs.map((o) => [o.org, o.name, o.role]), [[world.org, 'Acme Corp', 'owner']]);
    assert.deepEqual(envs.map((e) => e.env), ['development', 'staging', 'production'], 'pipeline order, as the dashboard lists them');
    const dev = secrets.filter((s) => s.env === 'development').map((s) => s.secretKey);
    assert.deepEqual(dev, ['DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY'], 'sorted by key');
    assert.deepEqual(secrets.filter((s) => s.env === 'production').map((s) => s.secretKey), ['PROD_ONLY_TOKEN', 'STRIPE_SECRET_KEY']);
    for (const s of secrets) {
      assert.equal(s.display, MASK);
      assert.equal(s.revealed, false);
    }
    const stripe = secrets.find((s) => s.env === 'development' && s.secretKey === 'STRIPE_SECRET_KEY')!;
    assert.equal(stripe.meta.description, 'Stripe test key');
    assert.equal(stripe.meta.version, 1);
    assert.match(stripe.meta.updatedBy, /^owner-/);
    assert.ok(!JSON.stringify(secrets).includes(CANARY.STRIPE_SECRET_KEY), 'listing never carries a value');
  });

  const expected: Record<Role, { actions: string[]; context: string }> = {
    owner: { actions: ['view', 'reveal', 'create', 'edit', 'delete'], context: 'secret canReveal canEdit canDelete masked' },
    admin: { actions: ['view', 'reveal', 'create', 'edit', 'delete'], context: 'secret canReveal canEdit canDelete masked' },
    editor: { actions: ['view', 'reveal', 'create', 'edit'], context: 'secret canReveal canEdit masked' },
    viewer: { actions: ['view'], context: 'secret masked' },
  };
  for (const role of ['owner', 'admin', 'editor', 'viewer'] as const) {
    it(`offers the ${role} role exactly the actions the server allows (context menus: ${expected[role].context})`, async () => {
      const { model } = modelFor(role);
      const { orgs, secrets } = await expandAll(model);
      assert.equal(orgs[0]!.role, role);
      assert.equal(secrets.length, 7, `${role} sees every secret's metadata`);
      for (const s of secrets) {
        assert.deepEqual(s.actions, expected[role].actions);
        assert.equal(secretContextValue(s), expected[role].context);
      }
    });
  }

  it('lists extra environments after the default three, by slug', async () => {
    await world.members.owner.client.createEnvironment(world.org, { slug: 'qa' });
    await world.members.owner.client.createEnvironment(world.org, { slug: 'canary' });
    const { model } = modelFor('owner');
    const [org] = (await model.children()) as OrgNode[];
    const envs = (await model.children(org)) as EnvNode[];
    assert.deepEqual(envs.map((e) => e.env), ['development', 'staging', 'production', 'canary', 'qa']);
  });

  it('shows an outsider no organization at all', async () => {
    const model = new SecretsTreeModel({ clock: new ManualClock() });
    model.setApi(world.outsider.client);
    assert.deepEqual(await model.children(), []);
  });

  it('filters secrets by a case-insensitive part of the key, and says when nothing matches', async () => {
    const { model } = modelFor('editor');
    const { envs } = await expandAll(model);
    const dev = envs.find((e) => e.env === 'development')!;
    model.setSearch('url');
    assert.deepEqual(keys(model.getChildren(dev)), ['DATABASE_URL', 'REDIS_URL']);
    model.setSearch('StRiPe');
    assert.deepEqual(keys(model.getChildren(dev)), ['STRIPE_SECRET_KEY']);
    model.setSearch('secret_k');
    assert.deepEqual(keys(model.getChildren(dev)), ['STRIPE_SECRET_KEY']);
    model.setSearch('nothing-like-this');
    const none = model.getChildren(dev);
    assert.equal(none.length, 1);
    assert.equal(none[0]!.kind, 'message');
    assert.match((none[0] as { text: string }).text, /No secrets match "nothing-like-this"/);
    model.setSearch('');
    assert.equal(keys(model.getChildren(dev)).length, 3);
  });

  it('reveals a value in the tree and masks it again by itself after revealSeconds', async () => {
    const { model, clock } = modelFor('editor', new ManualClock(), 30);
    await expandAll(model);
    const changes: (TreeNode | undefined)[] = [];
    model.onDidChange((n) => changes.push(n));
    const node = await model.reveal(world.org, 'development', 'stripe_secret_key');
    assert.equal(node.secretKey, 'STRIPE_SECRET_KEY');
    assert.equal(node.revealed, true);
    assert.equal(node.display, CANARY.STRIPE_SECRET_KEY);
    assert.equal(changes.at(-1), node, 'the change names the node, so only that row re-renders');
    const other = model.secretNode(world.org, 'development', 'DATABASE_URL')!;
    assert.equal(other.display, MASK, 'revealing one secret reveals only that one');

    clock.advance(29_999);
    assert.equal(model.secretNode(world.org, 'development', 'STRIPE_SECRET_KEY')!.display, CANARY.STRIPE_SECRET_KEY);
    clock.advance(1);
    assert.equal(node.revealed, false);
    assert.equal(node.display, MASK);
    assert.equal(model.revealedCount, 0);
    assert.equal(clock.pending, 0);
  });

  it('reads revealSeconds at each reveal, and hide masks before the deadline', async () => {
    let seconds = 5;
    const clock = new ManualClock();
    const model = new SecretsTreeModel({ clock, revealSeconds: () => seconds });
    model.setApi(world.members.owner.client);
    await expandAll(model);
    await model.reveal(world.org, 'production', 'PROD_ONLY_TOKEN');
    clock.advance(5_000);
    assert.equal(model.revealedCount, 0, 'masked after 5 s');
    seconds = 60;
    const node = await model.reveal(world.org, 'production', 'PROD_ONLY_TOKEN');
    clock.advance(59_000);
    assert.equal(node.revealed, true);
    model.hide(world.org, 'production', 'PROD_ONLY_TOKEN');
    assert.equal(node.display, MASK);
    assert.equal(clock.pending, 0, 'hiding cancels the timer');
  });

  it('gives every secret a tooltip with description, version and who changed it when — never the value, even while revealed', async () => {
    const { model } = modelFor('owner');
    await expandAll(model);
    const node = await model.reveal(world.org, 'development', 'STRIPE_SECRET_KEY');
    const tip = secretTooltip(node);
    assert.match(tip, /\*\*STRIPE_SECRET_KEY\*\* · version 1/);
    assert.match(tip, /Stripe test key/);
    assert.match(tip, new RegExp(`Updated by ${node.meta.updatedBy} at ${node.meta.updatedAt}`));
    assert.ok(!tip.includes(CANARY.STRIPE_SECRET_KEY));
    assert.equal(secretContextValue(node), 'secret canReveal canEdit canDelete revealed', 'the item menu offers Hide, not Reveal');
  });

  it('marks environment and organization items for their menus (switch to another, add where allowed)', async () => {
    for (const [role, canAdd] of [['editor', true], ['viewer', false]] as const) {
      const { model } = modelFor(role);
      model.setCurrent(world.org, 'development');
      const { orgs, envs } = await expandAll(model);
      assert.equal(orgContextValue(orgs[0]!), 'organization current');
      const values = envs.map((e) => envContextValue(e, model.roleIn(e.org)));
      assert.equal(values[0], `environment current${canAdd ? ' canEdit' : ''}`);
      assert.equal(values[1], `environment other${canAdd ? ' canEdit' : ''}`);
    }
  });

  it('masks a revealed value again when a reload shows someone changed the secret', async () => {
    const { model } = modelFor('owner');
    await expandAll(model);
    await world.members.owner.client.createSecret(world.org, 'staging', { key: 'ROTATED', value: 'canary-rotated-1' });
    await model.loadSecrets(world.org, 'staging');
    await model.reveal(world.org, 'staging', 'ROTATED');
    await model.loadSecrets(world.org, 'staging');
    assert.equal(model.secretNode(world.org, 'staging', 'ROTATED')!.display, 'canary-rotated-1', 'an unchanged secret stays revealed across a reload');
    await world.members.admin.client.updateSecret(world.org, 'staging', 'ROTATED', { value: 'canary-rotated-2' });
    await model.loadSecrets(world.org, 'staging');
    const after = model.secretNode(world.org, 'staging', 'ROTATED')!;
    assert.equal(after.meta.version, 2);
    assert.equal(after.display, MASK, 'the old value is not shown as the new version’s');
    assert.equal(after.revealed, false);
    assert.equal(model.revealedCount, 0, 'its timer and value are gone too');
    await world.members.owner.client.deleteSecret(world.org, 'staging', 'ROTATED');
  });

  it('refuses a Viewer a reveal (403 from the server) and keeps the value masked', async () => {
    const { model } = modelFor('viewer');
    await expandAll(model);
    await assert.rejects(model.reveal(world.org, 'development', 'STRIPE_SECRET_KEY'), (e) => isSecretsError(e, 'SECRETS_FORBIDDEN'));
    assert.equal(model.secretNode(world.org, 'development', 'STRIPE_SECRET_KEY')!.display, MASK);
  });

  it('masks everything when the organization changes or the client is replaced', async () => {
    const { model } = modelFor('owner');
    await expandAll(model);
    model.setCurrent(world.org, 'development');
    await model.reveal(world.org, 'development', 'REDIS_URL');
    model.setCurrent('another-org', 'development');
    assert.equal(model.revealedCount, 0);
    model.setCurrent(world.org, 'development');
    await model.reveal(world.org, 'development', 'REDIS_URL');
    model.setApi(world.members.owner.client);
    assert.equal(model.revealedCount, 0);
    assert.deepEqual(model.getChildren(), [], 'nothing loaded with the old client survives');
  });

  it('marks the current organization and environment', async () => {
    const { model } = modelFor('owner');
    model.setCurrent(world.org, 'staging');
    const { orgs, envs } = await expandAll(model);
    assert.equal(orgs[0]!.current, true);
    assert.deepEqual(envs.filter((e) => e.current).map((e) => e.env), ['staging']);
    assert.equal(model.currentRole, 'owner');
  });
});

function keys(nodes: TreeNode[]): string[] {
  return nodes.filter((n): n is SecretNode => n.kind === 'secret').map((n) => n.secretKey);
}
