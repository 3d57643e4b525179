// A secret's History inside a real VS Code against the live server: the versions listed newest first
// with who wrote each and when, an old version revealed and masked again by itself, a rollback (and a
// stale one refused), and What Changed between two moments — each checked in the views' models and on
// the server itself.
import assert from 'node:assert/strict';
import { MASK, api, direct, eventually, isCommandError, revealOnServer, run, server, type SecretsExtensionApi } from './support.ts';

interface Summary {
  key: string;
  versions: { version: number; createdBy: string; current: boolean }[];
}
interface Changes {
  added: { key: string; version: number }[];
  changed: { key: string; from: number; to: number }[];
  removed: { key: string; version: number }[];
}

describe('the History view and What Changed (live server)', function () {
  let a: SecretsExtensionApi;
  const s = () => server();
  const secretsPath = (env = 'development') => `/v1/orgs/${s().org}/environments/${env}/secrets`;
  let createdAt = '';

  before(async () => {
    a = await api();
    const r = await run('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.ok(!isCommandError(r), `connect failed: ${JSON.stringify(r)}`);
    await run('secrets.switchEnvironment', 'development');
    const created = await direct(s().ownerToken, 'POST', secretsPath(), { key: 'HISTORY_DEMO', value: 'canary-history-demo-v1-a7c3e9', description: 'first' });
    assert.equal(created.status, 201);
    createdAt = (created.body as { createdAt: string }).createdAt;
    for (const value of ['canary-history-demo-v2-4be1d0', 'canary-history-demo-v3-90f2c6']) {
      assert.equal((await direct(s().ownerToken, 'PATCH', `${secretsPath()}/HISTORY_DEMO`, { value })).status, 200);
    }
    await run('secrets.refresh');
  });

  it('lists the versions of a secret newest first, the first current, with who wrote each', async () => {
    const r = await run<Summary>('secrets.showHistory', { secretKey: 'HISTORY_DEMO', org: s().org, env: 'development' });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.deepEqual(r.versions.map((v) => [v.version, v.current, v.createdBy]), [
      [3, true, s().ownerName],
      [2, false, s().ownerName],
      [1, false, s().ownerName],
    ]);
    assert.deepEqual(a.history.versions.map((v) => v.display), [MASK, MASK, MASK]);
    assert.equal(a.history.target?.key, 'HISTORY_DEMO');
  });

  it('reveals an old version in the view and masks it again after secrets.revealSeconds', async () => {
    const r = await run<{ version: number; revealed: boolean; seconds: number }>('secrets.revealVersion', 1);
    assert.deepEqual([r.version, r.revealed, r.seconds], [1, true, 2]);
    const node = () => a.history.versions.find((v) => v.version === 1);
    assert.equal(node()?.display, 'canary-history-demo-v1-a7c3e9');
    assert.equal(a.history.versions.find((v) => v.version === 2)?.display, MASK);
    await eventually(() => node()?.display, (d) => d === MASK, 8000, 're-masking of version 1');
  });

  it('rolls back to an old version: a new version with its value on the server, the tree and the view follow', async () => {
    const meta = await run<{ key: string; version: number; description: string }>('secrets.rollbackToVersion', 1, { confirm: true });
    assert.ok(!isCommandError(meta), JSON.stringify(meta));
    assert.deepEqual([meta.key, meta.version, meta.description], ['HISTORY_DEMO', 4, 'first']);
    assert.equal(await revealOnServer('HISTORY_DEMO'), 'canary-history-demo-v1-a7c3e9');
    assert.equal(a.model.secretNode(s().org, 'development', 'HISTORY_DEMO')?.meta.version, 4);
    await eventually(() => a.history.versions.map((v) => v.version), (v) => v[0] === 4 && v.length === 4, 5000, 'the History view to show version 4');
    const audit = await direct(s().ownerToken, 'GET', `/v1/orgs/${s().org}/audit?action=secret.update&key=HISTORY_DEMO&limit=1`);
    assert.equal((audit.body as { events: { details?: { restoredVersion?: number } }[] }).events[0]?.details?.restoredVersion, 1);
  });

  it('refuses a rollback when someone changed the secret since the version shown, and shows what won', async () => {
    assert.equal((await direct(s().ownerToken, 'PATCH', `${secretsPath()}/HISTORY_DEMO`, { value: 'canary-history-demo-elsewhere-5d1e' })).status, 200);
    const r = await run('secrets.rollbackToVersion', 2, { confirm: true });
    assert.ok(isCommandError(r), `the rollback over a newer version went through: ${JSON.stringify(r)}`);
    assert.equal(r.error.code, 'SECRETS_STALE_VERSION');
    assert.match(r.error.message, /^Roll Back to This Version failed: /);
    assert.equal(await revealOnServer('HISTORY_DEMO'), 'canary-history-demo-elsewhere-5d1e');
    await eventually(() => a.history.shownCurrent, (v) => v === 5, 5000, 'the History view to show the winning version 5');
  });

  it('says what changed in the environment between two moments: added, changed old → new, removed; no value', async () => {
    const from = new Date(Date.parse(createdAt) - 1).toISOString();
    assert.equal((await direct(s().ownerToken, 'POST', secretsPath(), { key: 'CHANGES_GONE', value: 'canary-changes-gone-3f0a2b' })).status, 201);
    assert.equal((await direct(s().ownerToken, 'DELETE', `${secretsPath()}/CHANGES_GONE`)).status, 204);
    const r = await run<Changes>('secrets.whatChanged', 'development', { from });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.deepEqual(r.added, [{ key: 'HISTORY_DEMO', version: 5 }]);
    assert.deepEqual(r.removed, []);
    const before = await run<Changes>('secrets.whatChanged', 'development', { from, to: new Date(Date.parse(createdAt)).toISOString() });
    assert.deepEqual(before.added, [{ key: 'HISTORY_DEMO', version: 1 }]);
    assert.ok(!JSON.stringify([r, before]).includes('canary'), 'a value reached the report');
    const bad = await run('secrets.whatChanged', 'development', { from: 'yesterday' });
    assert.ok(isCommandError(bad));
    assert.equal(bad.error.code, 'EXT_INVALID_INPUT');
  });

  it('empties the History view when the secret shown is deleted', async () => {
    const r = await run('secrets.deleteSecret', 'HISTORY_DEMO', { confirm: true });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal(a.history.target, undefined);
    const none = await run('secrets.revealVersion', 1);
    assert.ok(isCommandError(none));
    assert.equal(none.error.code, 'EXT_NO_HISTORY');
  });
});
