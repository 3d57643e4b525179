// A user's session with history and workspaces in VS Code (code-server in Chromium, driven by
// Playwright): Show History from a secret's context menu, reveal an old version and watch it re-mask,
// roll back through the confirmation dialog; then a workspace appears in the tree, the status bar's
// workspace item switches to it, its secrets carry scope badges and its organization secrets offer no
// Edit or Delete. Runs after the other UI files (it adds a workspace, removed again at the end).
import assert from 'node:assert/strict';
import { valueOnServer } from './server-check.ts';
import { MASK, Workbench } from './workbench.ts';
import { UI_REVEAL_SECONDS, uiWorld } from './world.ts';

const V1 = 'canary-ui-history-v1-5e6f7a8b';
const V2 = 'canary-ui-history-v2-9c0d1e2f';

async function api(method: string, path: string, body?: unknown): Promise<number> {
  const { seeded } = uiWorld();
  const res = await fetch(`${seeded.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${seeded.ownerToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('UI: the History view and workspaces', function () {
  let wb: Workbench;
  const seeded = () => uiWorld().seeded;
  const secrets = () => `/v1/orgs/${seeded().org}/environments/development/secrets`;

  before(async () => {
    assert.equal(await api('POST', secrets(), { key: 'UI_HISTORY_KEY', value: V1, description: 'first' }), 201);
    assert.equal(await api('PATCH', `${secrets()}/UI_HISTORY_KEY`, { value: V2, description: 'second' }), 200);
    wb = await Workbench.open();
  });

  after(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot('failure-workspaces-history').catch(() => undefined);
    await wb.close();
    await api('DELETE', `/v1/orgs/${seeded().org}/workspaces/ui-billing`).catch(() => undefined);
    await api('DELETE', `${secrets()}/UI_HISTORY_KEY`).catch(() => undefined);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('shows a secret’s versions from its context menu, newest first, with who wrote each', async () => {
    await wb.openSecretsView();
    await wb.widenSidebar();
    await wb.welcomeButton('Connect').click();
    await wb.answer(/Secrets server URL/, seeded().url);
    await wb.answer(/token/i, seeded().ownerToken);
    await wb.expand('Acme Corp');
    await wb.expand('development');
    await wb.chooseFromContextMenu('UI_HISTORY_KEY', 'Show History');
    await wb.row('version 2').first().waitFor({ timeout: 30_000 });
    assert.match(await wb.description('version 2').innerText(), new RegExp(`^current · by ${seeded().ownerName} · .* · ${MASK}$`));
    assert.match(await wb.description('version 1').innerText(), new RegExp(`^by ${seeded().ownerName} · .* · ${MASK}$`));
    // Nobody rolls back to the version that is already current.
    assert.ok(!(await wb.contextMenu('version 2')).includes('Roll Back to This Version'));
    await wb.screenshot('20-history-view');
  });

  it('reveals an old version in the view, masked again after secrets.revealSeconds', async () => {
    await wb.chooseFromContextMenu('version 1', 'Reveal Version');
    await wb.description('version 1').filter({ hasText: V1 }).waitFor();
    await wb.screenshot('21-history-old-version-revealed');
    const revealedAt = Date.now();
    await wb.description('version 1').filter({ hasText: MASK }).waitFor({ timeout: UI_REVEAL_SECONDS * 1000 + 10_000 });
    assert.ok(Date.now() - revealedAt >= UI_REVEAL_SECONDS * 1000 - 1500, 're-masked before secrets.revealSeconds');
  });

  it('rolls back to an old version through a confirmation dialog: a new version with the old value', async () => {
    await wb.chooseFromContextMenu('version 1', 'Roll Back to This Version');
    await wb.dialog.filter({ hasText: 'Roll back UI_HISTORY_KEY in development to version 1?' }).waitFor();
    await wb.screenshot('22-rollback-dialog');
    await wb.dialog.locator('.monaco-button', { hasText: /^Roll Back$/ }).click();
    await wb.notification(/Rolled back UI_HISTORY_KEY in development to version 1 \(now version 3\)/).waitFor();
    await wb.row('version 3').first().waitFor();
    assert.equal(await valueOnServer('UI_HISTORY_KEY'), V1);
  });

  it('shows a workspace beside "Organization secrets", switches to it from the status bar, badges scopes and offers no Edit or Delete of organization secrets', async () => {
    assert.equal(await api('POST', `/v1/orgs/${seeded().org}/workspaces`, { slug: 'ui-billing', name: 'UI Billing' }), 201);
    await wb.runCommand('Secrets: Refresh');
    await wb.row('Organization secrets').first().waitFor({ timeout: 30_000 });
    await wb.row('UI Billing').first().waitFor();
    await wb.statusBarItem('organization').click();
    await wb.pick('ui-billing');
    await wb.statusBarItem(`${seeded().org}/ui-billing/development`).waitFor();
    await wb.statusBarItem('ui-billing').first().waitFor();
    await wb.expand('UI Billing');
    await wb.row('UI_HISTORY_KEY').last().waitFor();
    // The workspace's development is expanded by the switch; its rows come after the organization's.
    const badge = wb.view.locator('.monaco-list-row[aria-label^="STRIPE_KEY"] .label-description', { hasText: /^organization · / });
    await badge.first().waitFor({ timeout: 30_000 });
    await wb.screenshot('23-workspace-scope-badges');
    await badge.first().click({ button: 'right' });
    const menu = wb.page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    const entries = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await wb.page.keyboard.press('Escape');
    assert.ok(entries.includes('Reveal'), `no Reveal in ${entries.join(', ')}`);
    assert.ok(!entries.includes('Edit') && !entries.includes('Delete'), `an organization secret offers ${entries.join(', ')} in a workspace`);
  });
});
