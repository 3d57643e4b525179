// `secrets retention` against the live server: any member shows the organization's history retention,
// an Admin sets it (the server applies it), bad numbers are refused before any request, and a member
// who may not set it gets the forbidden exit status.
import assert from 'node:assert/strict';
import type { HistoryRetention } from '../../core/api-types.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

describe('secrets retention against the live server', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let home: Record<string, string>;
  const as = (token: string): CliOptions => ({ env: { SECRETS_URL: fx.url, SECRETS_TOKEN: token, SECRETS_ORG: fx.org, ...home } });

  before(async () => {
    await ensureBuilt();
    fx = await startFixture('retention-cli');
    home = freshHome();
  });
  after(async () => fx?.close());

  it('shows the default to any member (plain and --json), with show as the default verb', async () => {
    const plain = await secrets(['retention'], as(fx.viewerToken));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim(), 'retention-cli: replaced versions are kept 90 days, and the newest 10 versions of every secret however old (the default)');
    const json = await secrets(['retention', 'show', '--json'], as(fx.viewerToken));
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { days: 90, minVersions: 10, updatedAt: null, updatedBy: null });
  });

  it('set --days --min-versions changes it on the server (Admin+), and show then names who set it', async () => {
    const set = await secrets(['retention', 'set', '--days', '30', '--min-versions', '3'], as(fx.adminToken));
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stderr, /History retention of retention-cli set: replaced versions are kept 30 days, and the newest 3 versions of every secret however old; the server's next pruning applies it/);
    const stored = await fx.admin.getHistoryRetention(fx.org);
    assert.deepEqual([stored.days, stored.minVersions], [30, 3]);

    const json = await secrets(['retention', 'set', '--days', '1', '--min-versions', '1', '--json'], as(fx.adminToken));
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as HistoryRetention;
    assert.deepEqual([body.days, body.minVersions], [1, 1]);
    assert.deepEqual(await fx.admin.getHistoryRetention(fx.org), body);

    const shown = await secrets(['retention', 'show'], as(fx.viewerToken));
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^retention-cli: replaced versions are kept 1 day, and the newest 1 version of every secret however old \(set by .+ at \d{4}-\d{2}-\d{2} \d{2}:\d{2}\)$/m);
  });

  it('refuses a Viewer setting it (5), bad numbers (9) and missing or misplaced options (2), changing nothing', async () => {
    const before = await fx.admin.getHistoryRetention(fx.org);
    const viewer = await secrets(['retention', 'set', '--days', '400', '--min-versions', '20'], as(fx.viewerToken));
    assert.equal(viewer.code, 5, viewer.stderr);
    for (const [days, min] of [['0', '5'], ['3651', '5'], ['1.5', '5'], ['30', '0'], ['30', '1001'], ['thirty', '5']] as const) {
      const r = await secrets(['retention', 'set', '--days', days, '--min-versions', min], as(fx.adminToken));
      assert.equal(r.code, 9, `${days}/${min}: ${r.stderr}`);
      assert.match(r.stderr, /^secrets: --(days|min-versions) must be a whole number of (days|versions) from 1 to (3650|1000)\n$/);
    }
    const missing = await secrets(['retention', 'set', '--days', '30'], as(fx.adminToken));
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--min-versions is required/);
    const misplaced = await secrets(['retention', 'show', '--days', '30'], as(fx.adminToken));
    assert.equal(misplaced.code, 2, misplaced.stderr);
    assert.deepEqual(await fx.admin.getHistoryRetention(fx.org), before);
  });
});
