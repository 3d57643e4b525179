import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { Cancelled, ExtensionError } from '../../../extension/errors.ts';
import { changesMarkdown, parseMoment, whatChanged } from '../../../extension/logic/changes.ts';
import { rollbackSecret } from '../../../extension/logic/rollback-secret.ts';
import { HistoryModel } from '../../../extension/model/history-model.ts';
import { MASK } from '../../../extension/model/nodes.ts';
import { versionContextValue, versionDescription } from '../../../extension/vscode/history-items.ts';
import { ManualClock } from './support/fake-clock.ts';
import { ScriptedUi } from './support/scripted-ui.ts';
import { startWorld, type World } from './support/world.ts';

const V1 = 'canary-history-v1-3c9e1a77d2';
const V2 = 'canary-history-v2-8b04f6e1aa';
const V3 = 'canary-history-v3-51d7c2e940';

describe('extension history: versions, old values with the timed re-mask, rollback, what changed (live server)', () => {
  let world: World;
  const dev = () => ({ org: world.org, env: 'development' });
  before(async () => {
    world = await startWorld();
    const owner = world.members.owner.client;
    await owner.createSecret(world.org, 'development', { key: 'HISTORY_KEY', value: V1, description: 'first' });
    await owner.updateSecret(world.org, 'development', 'HISTORY_KEY', { value: V2 });
    await world.members.editor.client.updateSecret(world.org, 'development', 'HISTORY_KEY', { value: V3, description: 'third' });
  });
  after(async () => {
    await world?.close();
  });

  function historyFor(role: 'owner' | 'editor' | 'viewer', clock = new ManualClock(), seconds = 30) {
    const client = world.members[role].client;
    return { model: new HistoryModel({ api: () => client, clock, revealSeconds: () => seconds }), clock, client };
  }

  it('lists the versions newest first, the first current, each with who wrote it and when, and no value', async () => {
    const { model } = historyFor('viewer');
    const versions = await model.show({ ...dev(), key: 'history_key' });
    assert.deepEqual(versions.map((v) => [v.version, v.current, v.createdBy]), [
      [3, true, world.members.editor.name],
      [2, false, world.members.owner.name],
      [1, false, world.members.owner.name],
    ]);
    assert.deepEqual(versions.map((v) => v.description), ['third', 'first', 'first']);
    for (const v of versions) {
      assert.equal(v.display, MASK);
      assert.match(v.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    }
    assert.equal(model.shownCurrent, 3);
    assert.equal(model.label, `HISTORY_KEY · ${world.org}/development`);
    const shown = JSON.stringify(versions);
    for (const v of [V1, V2, V3]) assert.ok(!shown.includes(v));
    assert.match(versionDescription(versions[0]!), new RegExp(`^current · by ${world.members.editor.name} · `));
  });

  it('reveals an old version and masks it again after revealSeconds, like the tree does', async () => {
    const { model, clock } = historyFor('editor', new ManualClock(), 5);
    await model.show({ ...dev(), key: 'HISTORY_KEY' });
    const changed: (number | undefined)[] = [];
    model.onDidChange((n) => changed.push(n?.version));
    const node = await model.reveal(1);
    assert.equal(node.display, V1);
    assert.equal(node.revealed, true);
    assert.equal(model.versions.find((v) => v.version === 2)!.display, MASK, 'only the one asked for is revealed');
    clock.advance(4999);
    assert.equal(node.display, V1);
    clock.advance(1);
    assert.equal(node.display, MASK);
    assert.equal(node.revealed, false);
    assert.equal(model.revealedCount, 0);
    assert.deepEqual(changed, [1, 1], 'one change event per reveal and per re-mask, naming the version');
    // The server audited the reveal of that version.
    const audit = await world.members.owner.client.listAudit(world.org, { action: 'secret.reveal', key: 'HISTORY_KEY' });
    assert.ok(audit.events.some((e) => e.details?.version === 1 && e.actor.name === world.members.editor.name));
  });

  it('masks everything on clear (sign-out, another organization) and forgets the target', async () => {
    const { model, clock } = historyFor('editor');
    await model.show({ ...dev(), key: 'HISTORY_KEY' });
    await model.reveal(2);
    model.clear();
    assert.equal(model.revealedCount, 0);
    assert.equal(model.target, undefined);
    assert.equal(clock.pending, 0, 'no re-mask timer is left behind');
  });

  it('offers reveal and rollback in the menus by role, never rollback of the current version', async () => {
    const { model } = historyFor('viewer');
    const [current, old] = await model.show({ ...dev(), key: 'HISTORY_KEY' });
    assert.equal(versionContextValue(old!, false, false), 'version old masked');
    assert.equal(versionContextValue(old!, true, true), 'version old canReveal canRollback masked');
    assert.equal(versionContextValue(current!, true, true), 'version current canReveal masked');
  });

  it('rolls back after a confirmation naming both versions, sending If-Match of the version shown', async () => {
    const { client } = historyFor('editor');
    await client.createSecret(world.org, 'development', { key: 'ROLL_KEY', value: 'canary-roll-a-0f1e2d3c4b', description: 'a' });
    await client.updateSecret(world.org, 'development', 'ROLL_KEY', { value: 'canary-roll-b-9a8b7c6d5e', description: 'b' });
    const cancel = new ScriptedUi([{ confirm: false }]);
    await assert.rejects(rollbackSecret(client, cancel, dev(), 'ROLL_KEY', { to: 1, shownCurrent: 2 }), Cancelled);
    assert.equal((await client.getSecret(world.org, 'development', 'ROLL_KEY')).version, 2, 'a cancelled rollback sends nothing');
    const ui = new ScriptedUi([{ confirm: true }]);
    const meta = await rollbackSecret(client, ui, dev(), 'ROLL_KEY', { to: 1, shownCurrent: 2 });
    assert.equal(ui.prompts[0]!.title, 'Roll back ROLL_KEY in development to version 1?');
    assert.match(ui.prompts[0]!.detail!, /gets version 3 with the value and description of version 1/);
    assert.equal(ui.prompts[0]!.text, 'Roll Back');
    assert.deepEqual([meta.version, meta.description], [3, 'a']);
    assert.equal((await client.revealSecret(world.org, 'development', 'ROLL_KEY')).value, 'canary-roll-a-0f1e2d3c4b');
  });

  it('refuses a rollback when the secret changed since the version shown (stale), changing nothing', async () => {
    const { client } = historyFor('editor');
    const before = await client.revealSecret(world.org, 'development', 'ROLL_KEY');
    const err = await rollbackSecret(client, new ScriptedUi(), dev(), 'ROLL_KEY', { to: 1, shownCurrent: 2 }, { confirm: true }).catch((e: unknown) => e);
    assert.ok(isSecretsError(err, 'SECRETS_STALE_VERSION'), String(err));
    const after = await client.revealSecret(world.org, 'development', 'ROLL_KEY');
    assert.deepEqual([after.version, after.value], [before.version, before.value]);
  });

  it('says "No changes to save" for a rollback to the current version, without a request', async () => {
    const { client } = historyFor('editor');
    const err = await rollbackSecret(client, new ScriptedUi(), dev(), 'ROLL_KEY', { to: 3, shownCurrent: 3 }).catch((e: unknown) => e);
    assert.ok(err instanceof ExtensionError && err.code === 'EXT_NO_CHANGES');
  });

  it('lets no Viewer roll back (the server refuses what the menus hide)', async () => {
    const { client } = historyFor('viewer');
    const err = await rollbackSecret(client, new ScriptedUi(), dev(), 'ROLL_KEY', { to: 1, shownCurrent: 3 }, { confirm: true }).catch((e: unknown) => e);
    assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'), String(err));
  });

  it('reports what changed between two moments: added, changed old → new, removed; never values', async () => {
    const owner = world.members.owner.client;
    await owner.createSecret(world.org, 'staging', { key: 'GOES_AWAY', value: 'canary-goes-away-6e5d4c3b2a' });
    const from = (await owner.getSecret(world.org, 'staging', 'GOES_AWAY')).updatedAt;
    await new Promise((r) => setTimeout(r, 20));
    await owner.createSecret(world.org, 'staging', { key: 'NEW_ONE', value: 'canary-new-one-1a2b3c4d5e' });
    await owner.updateSecret(world.org, 'staging', 'DATABASE_URL', { value: 'canary-changed-db-7f8e9d0c1b' });
    await owner.deleteSecret(world.org, 'staging', 'GOES_AWAY');
    await owner.createSecret(world.org, 'staging', { key: 'LATER_ONE', value: 'canary-later-one-0e9d8c7b6a' });
    // The moment before LATER_ONE was created: it is not in the report.
    const to = new Date(Date.parse((await owner.getSecret(world.org, 'staging', 'LATER_ONE')).createdAt) - 1).toISOString();
    const target = { org: world.org, env: 'staging' };
    const changes = await whatChanged(world.members.viewer.client, new ScriptedUi(), target, new Date(), { from, to });
    assert.deepEqual(changes.added, [{ key: 'NEW_ONE', version: 1 }]);
    assert.deepEqual(changes.changed, [{ key: 'DATABASE_URL', from: 1, to: 2 }]);
    assert.deepEqual(changes.removed, [{ key: 'GOES_AWAY', version: 1 }]);
    const md = changesMarkdown(changes, target);
    assert.match(md, /## Added \(1\)\n\n- `NEW_ONE` — version 1/);
    assert.match(md, /## Changed \(1\)\n\n- `DATABASE_URL` — version 1 → 2/);
    assert.match(md, /## Removed \(1\)\n\n- `GOES_AWAY` — was version 1/);
    assert.ok(!/canary/.test(md + JSON.stringify(changes)), 'a value reached the report');
  });

  it('asks for the moments when none are given: a span preset back from now, then "until now"', async () => {
    const now = new Date();
    const ui = new ScriptedUi([{ pick: 'In the last 24 hours' }, { pick: 'Until now' }]);
    const changes = await whatChanged(world.members.viewer.client, ui, dev(), now);
    assert.equal(Date.parse(changes.from), now.getTime() - 24 * 3_600_000, 'the server was asked from 24 hours before now');
    assert.ok(Date.parse(changes.to) >= Date.parse(changes.from));
    assert.equal(ui.prompts[0]!.title, `What Changed in ${world.org}/development`);
    assert.deepEqual(ui.prompts[1]!.labels, ['Until now', 'Until a moment…']);
  });

  it('reads moments as an ISO time with a zone or a span back from an injected now, refusing anything else', () => {
    const now = new Date('2026-11-02T12:00:00Z');
    assert.deepEqual(parseMoment('90m', now), { at: '2026-11-02T10:30:00.000Z' });
    assert.deepEqual(parseMoment('7d', now), { at: '2026-10-26T12:00:00.000Z' });
    assert.deepEqual(parseMoment('2026-11-01T14:02Z', now), { at: '2026-11-01T14:02:00.000Z' });
    assert.deepEqual(parseMoment('2026-11-01T14:02:00+02:00', now), { at: '2026-11-01T12:02:00.000Z' });
    for (const bad of ['', 'yesterday', '2026-11-01T14:02', '2026-11-01', '5y']) assert.ok('problem' in parseMoment(bad, now), bad);
  });
});
