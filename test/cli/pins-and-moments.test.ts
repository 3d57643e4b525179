// `${NAME@3}` pins in `secrets run` / `secrets export`, `secrets export --at` and `secrets diff` against the
// live server. Moments are times the server reported for its own edits (updatedAt), never the local clock
// or the date.
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../core/api-types.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

const V1 = 'pins-cli-canary-password-version-one-3f9c1e7a5b2d48';
const V2 = 'pins-cli-canary-password-version-two-8a2d6f0c4e1b97';
const HOST = 'pins-cli-canary-host-6e1b9d3a7c5f20.internal';
const GONE = 'pins-cli-canary-deleted-value-0b7e4c2a9d6f13';
const ADDED = 'pins-cli-canary-added-later-5d3a8f1e6c0b94';
const CANARIES = [V1, V2, HOST, GONE, ADDED];

/** Lets the server's clock move past `iso`, so the next edit is strictly after that moment. */
async function passed(iso: string): Promise<void> {
  while (Date.now() <= Date.parse(iso) + 1) await new Promise((r) => setTimeout(r, 2));
}

describe('secrets run/export with ${NAME@version} pins, export --at and diff against the live server', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let as: (env: string, extra?: Record<string, string>) => CliOptions;
  /** development: DB_PASSWORD v1, DB_HOST and DATABASE_URL written by t0, OLD_KEY by t1; then DB_PASSWORD v2, OLD_KEY deleted, NEW_KEY added by t2. */
  let t0: string;
  let t1: string;
  let t2: string;

  before(async function () {
    await ensureBuilt();
    fx = await startFixture('pins-co');
    const home = freshHome();
    as = (env, extra = {}) => ({ env: { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: env, ...home, ...extra } });
    const dev = 'development';
    await fx.admin.createSecret(fx.org, dev, { key: 'DB_PASSWORD', value: V1 });
    await fx.admin.createSecret(fx.org, dev, { key: 'DB_HOST', value: HOST });
    t0 = (await fx.admin.createSecret(fx.org, dev, { key: 'DATABASE_URL', value: 'postgres://app:${DB_PASSWORD@1}@$DB_HOST/app now=$DB_PASSWORD' })).updatedAt;
    await passed(t0);
    t1 = (await fx.admin.createSecret(fx.org, dev, { key: 'OLD_KEY', value: GONE })).updatedAt;
    await passed(t1);
    await fx.admin.updateSecret(fx.org, dev, 'DB_PASSWORD', { value: V2 });
    await fx.admin.deleteSecret(fx.org, dev, 'OLD_KEY');
    t2 = (await fx.admin.createSecret(fx.org, dev, { key: 'NEW_KEY', value: ADDED })).updatedAt;
    await passed(t2);
  });
  after(async () => fx?.close());

  const bulkReveals = async (): Promise<AuditEvent[]> => (await fx.admin.listAudit(fx.org, { action: 'secret.bulk_reveal', limit: 50 })).events;

  it('export resolves ${DB_PASSWORD@1} to version 1 beside the current DB_PASSWORD, with one more bulk reveal naming the pin', async () => {
    const before = (await bulkReveals()).length;
    const r = await secrets(['export', '--format', 'json'], as('development'));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(out.DATABASE_URL, `postgres://app:${V1}@${HOST}/app now=${V2}`);
    assert.deepEqual(Object.keys(out), ['DATABASE_URL', 'DB_HOST', 'DB_PASSWORD', 'NEW_KEY'], 'the pinned version is read, not exported as a key');
    const events = await bulkReveals();
    assert.equal(events.length, before + 2, 'the environment, then the pinned version');
    assert.deepEqual(events[0]!.keys, ['DB_PASSWORD@1']);
  });

  it('run gives the command the value built from the pinned version', async () => {
    const r = await secrets(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.DATABASE_URL ?? "unset")'], as('development'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `postgres://app:${V1}@${HOST}/app now=${V2}`);
  });

  it('a pin to a version not kept fails naming the secret, the pin and the version (exit 13), never a value', async () => {
    await fx.admin.createEnvironment(fx.org, { slug: 'pin-not-kept' });
    await fx.admin.createSecret(fx.org, 'pin-not-kept', { key: 'DB_PASSWORD', value: V1 });
    await fx.admin.createSecret(fx.org, 'pin-not-kept', { key: 'DATABASE_URL', value: 'postgres://app:${DB_PASSWORD@9}@db/app' });
    for (const args of [['export'], ['run', '--', 'true']]) {
      const r = await secrets(args, as('pin-not-kept'));
      assert.equal(r.code, 13, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Secret DATABASE_URL references \$\{DB_PASSWORD@9\}, but version 9 of DB_PASSWORD is not kept/);
      for (const v of CANARIES) assert.ok(!r.stderr.includes(v));
    }
    const kept = await secrets(['export', '--format', 'json', '--keep-missing'], as('pin-not-kept'));
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(JSON.parse(kept.stdout).DATABASE_URL, 'postgres://app:${DB_PASSWORD@9}@db/app', '--keep-missing leaves the pin as written');
  });

  it('export --at prints the environment as it was then: the values of then, keys created since absent', async () => {
    const r = await secrets(['export', '--format', 'json', '--at', t0], as('development'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      DATABASE_URL: `postgres://app:${V1}@${HOST}/app now=${V1}`,
      DB_HOST: HOST,
      DB_PASSWORD: V1,
    });
    const events = await bulkReveals();
    assert.equal(events[1]!.details?.['at'], t0, 'the environment is audited as a reveal at that moment (then the pin)');
  });

  it('export --at fails naming a key whose secret was deleted since (exit 6); --keep-missing leaves it out', async () => {
    await fx.admin.createEnvironment(fx.org, { slug: 'deleted-since' });
    await fx.admin.createSecret(fx.org, 'deleted-since', { key: 'STAYS', value: HOST });
    const at = (await fx.admin.createSecret(fx.org, 'deleted-since', { key: 'REMOVED_LATER', value: GONE })).updatedAt;
    await passed(at);
    await fx.admin.deleteSecret(fx.org, 'deleted-since', 'REMOVED_LATER');
    const r = await secrets(['export', '--at', at], as('deleted-since'));
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /REMOVED_LATER existed in pins-co\/deleted-since at .* but was deleted since: its value is gone/);
    const kept = await secrets(['export', '--format', 'json', '--at', at, '--keep-missing'], as('deleted-since'));
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stderr, /REMOVED_LATER .* left out/);
    assert.deepEqual(JSON.parse(kept.stdout), { STAYS: HOST });
  });

  it('refuses a moment without a zone or that is not a time, before any request (exit 2)', async () => {
    for (const bad of ['2026-11-01T00:00', 'yesterday', '2026-13-45T99:00Z']) {
      const r = await secrets(['export', '--at', bad], as('development', { SECRETS_URL: 'http://127.0.0.1:9' }));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--at must be an ISO 8601 time with a zone/);
    }
  });

  it('diff lists keys added, changed (old → new version) and removed between two moments, never values', async () => {
    const r = await secrets(['diff', '--from', t1, '--to', t2], as('development'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/)),
      [
        ['CHANGE', 'KEY', 'VERSION'],
        ['changed', 'DB_PASSWORD', '1 → 2'],
        ['added', 'NEW_KEY', '1'],
        ['removed', 'OLD_KEY', '1'],
      ],
    );
    assert.match(r.stderr, /1 added, 1 changed, 1 removed in pins-co\/development between/);
    const j = await secrets(['diff', '--from', t1, '--to', t2, '--json'], as('development'));
    assert.equal(j.code, 0, j.stderr);
    const changes = JSON.parse(j.stdout);
    assert.deepEqual(
      { added: changes.added, changed: changes.changed, removed: changes.removed },
      { added: [{ key: 'NEW_KEY', version: 1 }], changed: [{ key: 'DB_PASSWORD', from: 1, to: 2 }], removed: [{ key: 'OLD_KEY', version: 1 }] },
    );
    for (const v of CANARIES) assert.ok(!(r.stdout + r.stderr + j.stdout).includes(v));
  });

  it('diff without --to compares with now; with nothing changed it says so; --from is required', async () => {
    const now = await secrets(['diff', '--from', t2], as('development'));
    assert.equal(now.code, 0, now.stderr);
    assert.equal(now.stdout, '');
    assert.match(now.stderr, /No changes in pins-co\/development between/);
    const none = await secrets(['diff'], as('development'));
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--from is required/);
    const bad = await secrets(['diff', '--from', t1, '--to', 'tomorrow'], as('development'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to must be an ISO 8601 time with a zone/);
  });
});
