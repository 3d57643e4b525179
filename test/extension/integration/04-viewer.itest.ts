// A Viewer sees the secrets' metadata but is offered no reveal, edit or delete, and asking anyway
// (a command from the palette, a keybinding) is refused before any request — nothing changes.
import assert from 'node:assert/strict';
import { MASK, api, envChildren, isCommandError, revealOnServer, run, secretsOf, server, type SecretsExtensionApi } from './support.ts';

describe('a Viewer in the sidebar (live server)', () => {
  let a: SecretsExtensionApi;
  const s = () => server();

  before(async () => {
    a = await api();
    const r = await run('secrets.connect', { url: s().url, token: s().viewerToken });
    assert.ok(!isCommandError(r), `connect failed: ${JSON.stringify(r)}`);
  });

  after(async () => {
    await run('secrets.signOut');
  });

  it('browses the tree with the viewer role, values masked', async () => {
    assert.equal(a.state.role, 'viewer');
    const secrets = secretsOf(await envChildren(a, s().org, 'development'));
    assert.ok(secrets.length > 0);
    for (const n of secrets) assert.equal(n.display, MASK);
  });

  it('offers only viewing on its secret items: no reveal, edit or delete', async () => {
    const secrets = secretsOf(await envChildren(a, s().org, 'development'));
    for (const n of secrets) assert.deepEqual(n.actions, ['view']);
  });

  for (const [id, args] of [
    ['secrets.revealSecret', ['STRIPE_KEY']],
    ['secrets.copyValue', ['STRIPE_KEY']],
    ['secrets.editSecret', ['STRIPE_KEY', { value: 'canary-viewer-edit-a9' }]],
    ['secrets.deleteSecret', ['STRIPE_KEY', { confirm: true }]],
    ['secrets.addSecret', [{ key: 'VIEWER_ADDED', value: 'canary-viewer-add-b3' }]],
  ] as const) {
    it(`is refused ${id} with a clear message, and nothing changes`, async () => {
      const r = await run(id, ...args);
      assert.ok(isCommandError(r), `${id} succeeded for a viewer`);
      assert.equal(r.error.code, 'EXT_NOT_ALLOWED');
      assert.match(r.error.message, /viewer/);
      assert.equal(a.model.secretNode(s().org, 'development', 'STRIPE_KEY')?.display, MASK);
    });
  }

  it('left the server untouched', async () => {
    assert.equal(await revealOnServer('STRIPE_KEY'), s().seeded.development!.STRIPE_KEY);
    assert.equal(await revealOnServer('VIEWER_ADDED'), undefined);
  });
});
