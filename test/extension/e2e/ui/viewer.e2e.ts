// A Viewer, in their own browser (own SecretStorage), connects through the command palette and is
// offered no reveal, edit or delete: not in the secret's context menu, not as inline buttons, not in
// the command palette.
import assert from 'node:assert/strict';
import { MASK, Workbench } from './workbench.ts';
import { uiWorld } from './world.ts';

const FORBIDDEN = ['Reveal', 'Copy Value', 'Edit', 'Delete'];

describe('UI: a Viewer sees secrets but no reveal, edit or delete', function () {
  let wb: Workbench;
  const seeded = () => uiWorld().seeded;

  before(async () => {
    wb = await Workbench.open();
  });

  after(async () => {
    await wb.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot(`failed-viewer-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('connects from the command palette with a viewer token and sees the tree, masked', async () => {
    await wb.openSecretsView();
    await wb.widenSidebar();
    await wb.runCommand('Secrets: Connect');
    await wb.answer(/Secrets server URL/, seeded().url);
    await wb.answer(/token/i, seeded().viewerToken);
    await wb.expand('Acme Corp');
    await wb.expand('development');
    await wb.row('STRIPE_KEY').first().waitFor();
    assert.equal((await wb.description('STRIPE_KEY').innerText()).trim(), MASK);
    await wb.row('Acme Corp').filter({ hasText: 'viewer' }).waitFor();
  });

  it('has no Reveal, Copy Value, Edit or Delete in a secret\'s context menu, but can copy its reference', async () => {
    const entries = await wb.contextMenu('STRIPE_KEY', true);
    await wb.screenshot('11-viewer-context-menu');
    await wb.page.keyboard.press('Escape');
    assert.ok(entries.includes('Copy Reference'), `no "Copy Reference" in ${JSON.stringify(entries)}`);
    for (const e of FORBIDDEN) assert.ok(!entries.includes(e), `a Viewer is offered "${e}": ${JSON.stringify(entries)}`);
  });

  it('has no inline reveal, edit or delete buttons on a secret row', async () => {
    const row = wb.row('STRIPE_KEY').first();
    await row.hover();
    const buttons = await row.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    for (const e of FORBIDDEN) assert.ok(!buttons.some((b) => b.startsWith(e)), `inline "${e}" for a Viewer: ${JSON.stringify(buttons)}`);
  });

  it('does not offer Reveal, Edit or Delete in the command palette', async () => {
    await wb.page.keyboard.press('F1');
    await wb.quickInputBox.fill('>Secrets: ');
    await wb.quickInput.locator('.monaco-list-row', { hasText: 'Secrets: Copy Reference' }).first().waitFor();
    const offered = await wb.quickInput.locator('.monaco-list-row .label-name').allInnerTexts();
    await wb.page.keyboard.press('Escape');
    for (const e of ['Reveal', 'Edit', 'Delete', 'Add Secret']) assert.ok(!offered.some((o) => o.trim() === `Secrets: ${e}`), `palette offers "Secrets: ${e}" to a Viewer`);
  });
});
