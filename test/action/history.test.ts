// The Action and secret history (issue 12), bundled and run as the runner runs it against the live server:
// `KEY@3` pins in `keys`, `${KEY@3}` pins in values, `at:` (the environment as it was at a moment) and
// the version of each exported key in the job summary. Moments are times the server reported for its own
// edits, never the local clock or the date.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const V1 = 'action-history-canary-password-one-7c2e9a4f1b6d38';
const V2 = 'action-history-canary-password-two-1d8b3f6a0e5c92';
const HOST = 'action-history-canary-host-4a9f2c7e1b3d60.internal';
const GONE = 'action-history-canary-deleted-5e0c8b2d7a4f19';
const LATER = 'action-history-canary-added-later-9b4d1f7e3c6a25';
const CANARIES = [V1, V2, HOST, GONE, LATER];

/** Lets the server's clock move past `iso`, so the next edit is strictly after that moment. */
async function passed(iso: string): Promise<void> {
  while (Date.now() <= Date.parse(iso) + 1) await new Promise((r) => setTimeout(r, 2));
}

describe('action: pinned versions, an environment at a moment, versions in the summary (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;
  /** Production at t0: DB_PASSWORD v1, DB_HOST, DATABASE_URL (pinning DB_PASSWORD@1), OLD_KEY. Since: DB_PASSWORD v2, OLD_KEY deleted, NEW_KEY. */
  let t0: string;

  before(async () => {
    s = await seed({});
    const env = s.environment;
    await s.admin.createSecret(s.org, env, { key: 'DB_PASSWORD', value: V1 });
    await s.admin.createSecret(s.org, env, { key: 'DB_HOST', value: HOST });
    await s.admin.createSecret(s.org, env, { key: 'DATABASE_URL', value: 'postgres://app:${DB_PASSWORD@1}@$DB_HOST/app' });
    t0 = (await s.admin.createSecret(s.org, env, { key: 'OLD_KEY', value: GONE })).updatedAt;
    await passed(t0);
    await s.admin.updateSecret(s.org, env, 'DB_PASSWORD', { value: V2 });
    await s.admin.deleteSecret(s.org, env, 'OLD_KEY');
    await s.admin.createSecret(s.org, env, { key: 'NEW_KEY', value: LATER });
    base = { url: s.url, token: s.token, org: s.org, environment: env };
  });
  after(async () => s?.stop());

  const noCanaryIn = (text: string) => {
    for (const v of CANARIES) assert.ok(!text.includes(v), 'no value in the summary or an error');
  };
  /** The summary table's rows: name, secret key, version. */
  const summaryRows = (summary: string) =>
    [...summary.matchAll(/<tr><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => m.slice(1).map((c) => c.replace(/<\/?code>/g, '')));

  it('keys: KEY@1 loads that kept version beside the current one, renamed with =>, in one bulk reveal per use of the key', async () => {
    const r = await new Job().main({ ...base, keys: 'DB_PASSWORD@1 => OLD_PASSWORD\nDB_PASSWORD\ndb_host' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { OLD_PASSWORD: V1, DB_PASSWORD: V2, DB_HOST: HOST });
    assert.ok(r.masks.includes(V1) && r.masks.includes(V2));
    assert.deepEqual(summaryRows(r.summary), [
      ['OLD_PASSWORD', 'DB_PASSWORD@1', '1'],
      ['DB_PASSWORD', 'same', '2'],
      ['DB_HOST', 'same', '1'],
    ]);
    noCanaryIn(r.summary);
    const [event] = (await s.admin.listAudit(s.org, { action: 'secret.bulk_reveal', limit: 5 })).events;
    assert.deepEqual(event!.keys, ['DB_PASSWORD@1'], 'the second request names the pin as asked');
  });

  it('a pinned key is exported under its key, and the summary shows its version', async () => {
    const r = await new Job().main({ ...base, keys: 'DB_PASSWORD@1' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { DB_PASSWORD: V1 });
    assert.deepEqual(summaryRows(r.summary), [['DB_PASSWORD', 'DB_PASSWORD@1', '1']]);
  });

  it('a value with ${DB_PASSWORD@1} resolves to version 1 (read and masked, never exported as a key)', async () => {
    const r = await new Job().main(base);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { DATABASE_URL: `postgres://app:${V1}@${HOST}/app`, DB_HOST: HOST, DB_PASSWORD: V2, NEW_KEY: LATER });
    assert.ok(r.masks.includes(V1), 'the pinned version is masked');
    assert.ok(r.masks.includes(`postgres://app:${V1}@${HOST}/app`), 'and the value built from it');
    const listed = await new Job().main({ ...base, keys: 'DATABASE_URL' });
    assert.equal(listed.exitCode, 0, listed.stdout + listed.stderr);
    assert.deepEqual(listed.env, { DATABASE_URL: `postgres://app:${V1}@${HOST}/app` });
  });

  it('a template may use ${DB_PASSWORD@1} too', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 'cfg.tmpl'), 'old=${DB_PASSWORD@1}\nnow=$DB_PASSWORD\n');
    const r = await job.main({ ...base, keys: 'DB_PASSWORD', template: 'cfg.tmpl', 'template-output': 'cfg.out', 'export-env': 'false' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(join(job.workspace, 'cfg.out'), 'utf8'), `old=${V1}\nnow=${V2}\n`);
  });

  it('a pinned key or reference to a version not kept fails naming it, before anything is exported', async () => {
    const listed = await new Job().main({ ...base, keys: 'DB_PASSWORD@9\nDB_HOST' });
    assert.equal(listed.exitCode, 1);
    assert.deepEqual(listed.env, {});
    assert.match(listed.errors[0]!, /Versions not kept in acme\/production: DB_PASSWORD@9 .*\[ACTION_SECRET_MISSING\]/);

    await s.admin.createEnvironment(s.org, { slug: 'pin-not-kept' });
    await s.admin.createSecret(s.org, 'pin-not-kept', { key: 'DATABASE_URL', value: 'postgres://app:${DB_PASSWORD@9}@db/app' });
    const { token } = await s.admin.createServiceToken(s.org, { name: 'ci-pin', environment: 'pin-not-kept' });
    const referenced = await new Job().main({ ...base, token, environment: 'pin-not-kept' });
    assert.equal(referenced.exitCode, 1);
    assert.deepEqual(referenced.env, {});
    assert.match(referenced.errors[0]!, /Secret DATABASE_URL references \$\{DB_PASSWORD@9\}, but version 9 of DB_PASSWORD is not kept .*\[SECRETS_REFERENCE_MISSING\]/);
    // The log holds values only in the ::add-mask:: commands that hide them.
    noCanaryIn([listed.stdout, referenced.stdout].join('\n').split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n'));
  });

  it('at: loads the environment as it was then (values, references and versions of then), audited with the moment', async () => {
    const at = (await s.admin.listSecretsAt(s.org, s.environment, t0)).secrets.filter((x) => x.retained).map((x) => x.key);
    assert.deepEqual(at, ['DATABASE_URL', 'DB_HOST', 'DB_PASSWORD'], 'OLD_KEY existed then but its value is gone');
    const r = await new Job().main({ ...base, keys: 'DATABASE_URL\nDB_PASSWORD\nDB_HOST', at: t0 });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { DATABASE_URL: `postgres://app:${V1}@${HOST}/app`, DB_PASSWORD: V1, DB_HOST: HOST });
    assert.match(r.summary, /from environment <code>production<\/code> of <code>acme<\/code> as it was at <code>[^<]+<\/code>/);
    assert.deepEqual(summaryRows(r.summary), [
      ['DATABASE_URL', 'same', '1'],
      ['DB_PASSWORD', 'same', '1'],
      ['DB_HOST', 'same', '1'],
    ]);
    noCanaryIn(r.summary);
    const events = (await s.admin.listAudit(s.org, { action: 'secret.bulk_reveal', limit: 5 })).events;
    assert.equal(events[1]!.details?.['at'], t0, 'the keys were revealed as of the moment (then the pin their value names)');
  });

  it('at: the whole environment fails naming a key whose secret was deleted since; fail-on-missing false warns and loads the rest', async () => {
    const r = await new Job().main({ ...base, at: t0 });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(r.env, {});
    assert.match(r.errors[0]!, /Existed in acme\/production as of .* but deleted since, so their values are gone: OLD_KEY \[ACTION_SECRET_MISSING\]/);
    const warned = await new Job().main({ ...base, at: t0, 'fail-on-missing': 'false' });
    assert.equal(warned.exitCode, 0, warned.stdout + warned.stderr);
    assert.deepEqual(warned.env, { DATABASE_URL: `postgres://app:${V1}@${HOST}/app`, DB_PASSWORD: V1, DB_HOST: HOST });
    assert.ok(warned.warnings.some((w) => w.includes('OLD_KEY')));
  });

  it('at: refuses a time without a zone, and pinned keys with it, before any request', async () => {
    const noServer = { ...base, url: 'http://127.0.0.1:9' };
    const bad = await new Job().main({ ...noServer, at: '2026-11-01T14:02' });
    assert.equal(bad.exitCode, 1);
    assert.match(bad.errors[0]!, /Input "at" must be an ISO 8601 time with a zone, e.g\. 2026-11-01T14:02:00Z \[ACTION_INPUT_INVALID\]/);
    const pinned = await new Job().main({ ...noServer, at: t0, keys: 'DB_HOST\nDB_PASSWORD@1' });
    assert.equal(pinned.exitCode, 1);
    assert.match(pinned.errors[0]!, /Input "at" cannot be combined with a pinned key \(keys line 2: DB_PASSWORD@1\).*\[ACTION_INPUT_INVALID\]/);
  });

  it('keys: a pin that is not a version number is refused naming the line', async () => {
    const r = await new Job().main({ ...base, keys: 'DB_HOST\nDB_PASSWORD@latest' });
    assert.equal(r.exitCode, 1);
    assert.match(r.errors[0]!, /keys line 2: a pinned version is KEY@NUMBER, as in DB_PASSWORD@3 \[ACTION_KEYS_INVALID\]/);
  });
});
