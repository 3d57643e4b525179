// Playing the attacker who can write the database but has no key, against workspaces: a workspace
// secret's row moved to the organization (so every workspace would see it), or an organization
// secret's ciphertext copied onto a workspace's override, is refused with SECRET_UNREADABLE and never
// turns into a value: a value is sealed bound to its workspace (or to none).
// These tests open the SQLite file itself, so they run on SQLite in the PostgreSQL run too.
import assert from 'node:assert/strict';
import type { Problem } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { canary, expectCall, openDb } from './helpers-api.ts';

describe('server: workspace ciphertexts are bound to their workspace', function () {
  this.timeout(60_000);
  let server: RunningServer;
  const own = canary('WS_MOVED');
  const shared = canary('ORG_SHARED');
  const override = canary('WS_OVERRIDE');

  before(async () => {
    server = await startServer({ sqlite: true });
    const t = server.adminToken;
    await expectCall(server, 201, 'POST', '/v1/orgs/default/workspaces', t, { slug: 'billing' });
    await expectCall(server, 201, 'POST', '/v1/orgs/default/workspaces/billing/environments/production/secrets', t, { key: 'MOVED', value: own });
    await expectCall(server, 201, 'POST', '/v1/orgs/default/environments/production/secrets', t, { key: 'SHARED', value: shared });
    await expectCall(server, 201, 'POST', '/v1/orgs/default/workspaces/billing/environments/production/secrets', t, { key: 'SHARED', value: override });
    await server.stop();
    const db = openDb(server.dataDir);
    // The workspace's own secret made an organization secret, as if it were everyone's.
    db.prepare(`UPDATE secrets SET workspace_id = '' WHERE key = 'MOVED'`).run();
    // The organization's ciphertext copied over the workspace's override of the same key and version.
    const org = db.prepare(`SELECT nonce, ciphertext FROM secrets WHERE key = 'SHARED' AND workspace_id = ''`).get() as { nonce: Uint8Array; ciphertext: Uint8Array };
    db.prepare(`UPDATE secrets SET nonce = ?, ciphertext = ? WHERE key = 'SHARED' AND workspace_id <> ''`).run(org.nonce, org.ciphertext);
    db.close();
    server = await startServer({ sqlite: true, dataDir: server.dataDir });
  });
  after(async () => server.stop());

  function assertUnreadable(r: { status: number; text: string; body: unknown }): void {
    assert.equal(r.status, 500, r.text);
    assert.equal((r.body as Problem).code, 'SECRET_UNREADABLE');
    for (const v of [own, shared, override]) assert.ok(!r.text.includes(v), 'the refusal carries no value');
  }

  it('refuses a workspace secret moved to the organization, on the organization path and in every workspace', async () => {
    const t = server.adminToken;
    await expectCall(server, 201, 'POST', '/v1/orgs/default/workspaces', t, { slug: 'search' });
    assertUnreadable(await expectCall(server, 500, 'POST', '/v1/orgs/default/environments/production/secrets/MOVED/reveal', t));
    assertUnreadable(await expectCall(server, 500, 'POST', '/v1/orgs/default/workspaces/search/environments/production/reveal', t));
  });

  it("refuses the organization's ciphertext copied onto a workspace's override, and still serves the organization's own", async () => {
    const t = server.adminToken;
    assertUnreadable(await expectCall(server, 500, 'POST', '/v1/orgs/default/workspaces/billing/environments/production/secrets/SHARED/reveal', t));
    const intact = await expectCall<{ value: string }>(server, 200, 'POST', '/v1/orgs/default/environments/production/secrets/SHARED/reveal', t);
    assert.equal(intact.body.value, shared);
  });
});
