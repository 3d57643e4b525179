// The Audit Logs page's Action filter and the server's own actor, in Chromium against the live server
// (in-process, with a clock the test moves so the history retention prunes without waiting days): the
// filter offers exactly the actions docs/api.md documents, so the two cannot drift apart, and a pruning
// by the server (actor `system`, named `retention`) reads as the server's, found by its action and name.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AuditEvent } from '../../core/api-types.ts';
import { canary } from '../server/helpers-api.ts';
import { ofAction, auditEvents } from '../server/support/audit.ts';
import { createTeam, createSecret, secretPath, sleep, type Team } from '../server/support/fixtures.ts';
import { http, type Http } from '../server/support/http.ts';
import { ManualClock, serveInProcess, type InProcessServer } from '../server/support/in-process.ts';
import { assert, assertAccessible, ensureBuilt, launchChromium, screenshot, signIn, until, watchErrors } from './support/dashboard.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The actions the Audit section of docs/api.md lists (its "Actions:" paragraph). */
function documentedActions(): string[] {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
  const start = doc.indexOf('\nActions: ');
  const end = doc.indexOf('\nAllowed reads of metadata', start);
  assert.ok(start > 0 && end > start, 'the Actions paragraph of docs/api.md');
  return [...new Set([...doc.slice(start, end).matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]!))].sort();
}

describe('web: the Audit Logs action filter and the server as an actor', function () {
  this.timeout(90_000);
  let server: InProcessServer;
  let api: Http;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let team: Team;

  before(async () => {
    await ensureBuilt();
    const clock = new ManualClock();
    clock.advance(Date.now() - clock.now());
    server = await serveInProcess(clock, { historyPruneIntervalMs: 50 });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    assert.equal((await api.put(`/v1/orgs/${team.org}/settings/history-retention`, team.admin.token, { days: 1, minVersions: 1 })).status, 200);
    await createSecret(api, team.editor.token, team.org, 'production', 'PRUNED_KEY', canary('PRUNE_V1'));
    assert.equal((await api.patch(secretPath(team.org, 'production', 'PRUNED_KEY'), team.editor.token, { value: canary('PRUNE_V2') })).status, 200);
    // Version 1 was replaced two days ago as far as the server knows: the next pruning removes it.
    clock.advance(2 * DAY_MS);
    let pruned: AuditEvent[] = [];
    const started = Date.now();
    while (pruned.length === 0) {
      assert.ok(Date.now() - started < 15_000, 'no pruning was recorded');
      await sleep(50);
      pruned = ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned');
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.origin })).newPage();
    errors = watchErrors(page);
    await signIn(page, team.owner.token);
    await page.getByLabel('Organization').selectOption(team.org);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Logs' }).click();
    await page.getByRole('table').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(() => assert.deepEqual(errors.splice(0), [], 'the page logged errors'));

  it('offers exactly the actions docs/api.md documents, among them the newer ones', async () => {
    const documented = documentedActions();
    for (const newer of ['secret.history_pruned', 'history_retention.update', 'workspace.create', 'workspace.update', 'workspace.delete', 'environment.rollback', 'oidc.exchange', 'oidc_policy.create', 'oidc_policy.update', 'oidc_policy.delete', 'oidc_policy.list']) {
      assert.ok(documented.includes(newer), `docs/api.md lists ${newer}`);
    }
    const options = await page.getByLabel('Action').locator('option').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    assert.equal(options[0], '', 'first "Any action"');
    assert.deepEqual([...options.slice(1)].sort(), documented);
    assert.deepEqual(options.slice(1), [...options.slice(1)].sort(), 'listed alphabetically');
  });

  it("shows the history pruning as the server's (actor retention), found by its action and by the actor's name", async () => {
    const table = page.getByRole('table');
    await page.getByLabel('Action').selectOption('secret.history_pruned');
    await until(async () => (await table.locator('tbody tr').count()) === 1);
    const cells = await table.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    assert.equal(cells[1], 'retention (server, automatic)');
    assert.deepEqual([cells[2], cells[3], cells[5], cells[6], cells[7]], ['secret.history_pruned', 'production', 'PRUNED_KEY', 'allowed', '—'], 'no request, so no IP address');
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Actor').fill('Retention');
    await until(async () => (await table.locator('tbody tr').count()) === 1);
    assert.equal(await table.getByRole('row').nth(1).getByRole('cell').nth(2).innerText(), 'secret.history_pruned');
    await assertAccessible(page, 'a pruning in the audit log');
    await screenshot(page, 'audit-history-pruned');
    await page.getByLabel('Actor').fill('');
    // Everyone else keeps their own reading: a person's name alone.
    await page.getByLabel('Action').selectOption('history_retention.update');
    await until(async () => (await table.locator('tbody tr').count()) === 1);
    assert.equal(await table.getByRole('row').nth(1).getByRole('cell').nth(1).innerText(), team.admin.user.name);
  });
});
