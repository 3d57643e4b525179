// The extension's live refresh (extension/logic/live-refresh.ts) against the live server, with the real
// tree model and core client the extension uses: a change made elsewhere appears in the tree without a
// refresh, a burst (an import) is one reload, a change made while the connection was down arrives after
// it comes back (Last-Event-ID), switching environments or disposing stops the old stream.
import assert from 'node:assert/strict';
import { SecretsClient } from '../../../core/client.ts';
import { LiveRefresh } from '../../../extension/logic/live-refresh.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { startProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { startWorld, type World } from './support/world.ts';

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('extension live refresh (live server)', function () {
  this.timeout(60_000);
  let world: World;
  let proxy: TcpProxy;
  let viewer: SecretsClient;
  let model: SecretsTreeModel;
  let live: LiveRefresh;
  const log: string[] = [];

  before(async () => {
    world = await startWorld();
    proxy = await startProxy(world.server.url);
    // The viewer's tree, through a proxy the test can cut; the owner writes directly.
    viewer = new SecretsClient({ baseUrl: proxy.url, token: world.members.viewer.token, userAgent: 'secrets-vscode-test/0.1.0', retries: 0 });
    model = new SecretsTreeModel();
    model.setApi(viewer);
    live = new LiveRefresh({ reload: (org, env) => model.loadSecrets(org, env), log: (l) => log.push(l) }, 100);
  });
  after(async () => {
    live?.dispose();
    await viewer?.close();
    await proxy?.close();
    await world?.close();
  });

  const keys = (env: string) => (model.secrets(world.org, env) ?? []).map((m) => m.key);
  const version = (env: string, key: string) => model.secrets(world.org, env)?.find((m) => m.key === key)?.version;

  it('shows a secret created, updated and deleted elsewhere without a refresh', async () => {
    live.follow(viewer, world.org, 'development');
    await model.loadSecrets(world.org, 'development');
    await new Promise((r) => setTimeout(r, 300)); // the stream is open (ready) before the writes
    const owner = world.members.owner.client;
    await owner.createSecret(world.org, 'development', { key: 'LIVE_ONE', value: 'canary-live-one-5e1d' });
    await until('LIVE_ONE in the tree', () => keys('development').includes('LIVE_ONE'));
    await owner.updateSecret(world.org, 'development', 'LIVE_ONE', { value: 'canary-live-two-5e1d' });
    await until('version 2', () => version('development', 'LIVE_ONE') === 2);
    await owner.deleteSecret(world.org, 'development', 'LIVE_ONE');
    await until('LIVE_ONE gone', () => !keys('development').includes('LIVE_ONE'));
  });

  it('reloads once for a burst of changes (an import of 300 keys in one batch)', async () => {
    const before = live.reloads;
    await world.members.owner.client.applySecretBatch(world.org, 'development', {
      secrets: Array.from({ length: 300 }, (_, i) => ({ key: `IMPORTED_${i}`, value: `canary-imported-${i}-2b7c` })),
    });
    await until('the 300 keys', () => keys('development').filter((k) => k.startsWith('IMPORTED_')).length === 300);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(live.reloads - before, 1);
  });

  it('after a dropped connection, resumes and shows the changes made while it was down', async () => {
    proxy.drop();
    await until('the lost-connection log line', () => log.some((l) => /connection lost/.test(l)));
    await world.members.owner.client.createSecret(world.org, 'development', { key: 'WHILE_DOWN', value: 'canary-while-down-8a3f' });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!keys('development').includes('WHILE_DOWN'));
    proxy.reconnect();
    await until('WHILE_DOWN in the tree', () => keys('development').includes('WHILE_DOWN'), 20_000);
  });

  it('follows only the selected environment, and nothing after dispose', async () => {
    live.follow(viewer, world.org, 'staging');
    await model.loadSecrets(world.org, 'staging');
    await new Promise((r) => setTimeout(r, 300));
    const owner = world.members.owner.client;
    await owner.createSecret(world.org, 'staging', { key: 'STAGED', value: 'canary-staged-3c9d' });
    await until('STAGED in the tree', () => keys('staging').includes('STAGED'));
    const before = live.reloads;
    await owner.createSecret(world.org, 'development', { key: 'NOT_FOLLOWED', value: 'canary-not-followed-1f2e' });
    live.dispose();
    await owner.createSecret(world.org, 'staging', { key: 'AFTER_DISPOSE', value: 'canary-after-dispose-6b4a' });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(live.reloads, before);
    assert.ok(!keys('development').includes('NOT_FOLLOWED'));
    assert.ok(!keys('staging').includes('AFTER_DISPOSE'));
    assert.ok(log.every((l) => !/canary/.test(l)), 'no value in the log');
  });
});
