// Issue 8 §1: a secret whose key changes how programs start (flagged execRisk by the server) is marked in
// the Secrets view — its item's description and tooltip say clients refuse to export it. Live server.
import assert from 'node:assert/strict';
import type { SecretNode } from '../../../extension/model/nodes.ts';
import { MASK } from '../../../extension/model/nodes.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { secretDescription, secretTooltip } from '../../../extension/vscode/tree-items.ts';
import { ManualClock } from './support/fake-clock.ts';
import { startWorld, type World } from './support/world.ts';

describe('extension: secrets with a name that changes how programs start are marked (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    await world.members.editor.client.createSecret(world.org, 'staging', { key: 'NODE_OPTIONS', value: '--import=data:text/javascript,exec-risk-canary-2d7c' });
  });
  after(async () => world?.close());

  async function stagingSecrets(): Promise<SecretNode[]> {
    const model = new SecretsTreeModel({ clock: new ManualClock(), revealSeconds: () => 30 });
    model.setApi(world.members.viewer.client);
    const [org] = await model.children();
    assert.ok(org);
    const staging = (await model.children(org)).find((e) => e.kind === 'env' && e.env === 'staging')!;
    return (await model.children(staging)).filter((n): n is SecretNode => n.kind === 'secret');
  }

  it('marks NODE_OPTIONS in its description and explains in its tooltip; other secrets are unmarked', async () => {
    const nodes = await stagingSecrets();
    const risky = nodes.find((n) => n.secretKey === 'NODE_OPTIONS')!;
    assert.equal(risky.meta.execRisk, true);
    assert.equal(secretDescription(risky), `⚠ ${MASK}`);
    assert.match(secretTooltip(risky), /⚠ \*\*NODE_OPTIONS\*\* changes how programs start or find code: the Action, `secrets run` and `secrets export` refuse to export it unless the name is allowed/);
    const others = nodes.filter((n) => n.secretKey !== 'NODE_OPTIONS');
    assert.ok(others.length > 0);
    for (const n of others) {
      assert.equal(secretDescription(n), MASK);
      assert.ok(!secretTooltip(n).includes('⚠'));
    }
  });
});
