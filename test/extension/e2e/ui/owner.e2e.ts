// A user's session with the extension in VS Code (code-server in Chromium, driven by Playwright):
// connect from the welcome view, see the tree, switch environment, search, add, reveal and watch it
// re-mask, edit, delete. The steps build on each other like a real session, so they run in order.
// Screenshots of the key screens go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { valueOnServer } from './server-check.ts';
import { MASK, Workbench } from './workbench.ts';
import { UI_CLIPBOARD_SECONDS, UI_REVEAL_SECONDS, uiWorld } from './world.ts';

describe('UI: an Owner connects and manages secrets in the sidebar', function () {
  let wb: Workbench;
  const seeded = () => uiWorld().seeded;

  before(async () => {
    wb = await Workbench.open();
  });

  after(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot('failure-owner').catch(() => undefined);
    await wb.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('offers "Connect" in the Secrets view while not connected', async () => {
    await wb.openSecretsView();
    await wb.widenSidebar();
    await wb.welcomeButton('Connect').waitFor({ timeout: 60_000 });
    await wb.screenshot('01-welcome-connect');
  });

  it('connects from the welcome view (URL, then the token in a password box) and shows org → env → secrets, masked', async () => {
    await wb.welcomeButton('Connect').click();
    await wb.answer(/Secrets server URL/, seeded().url);
    await wb.quickInput.filter({ hasText: /token/i }).waitFor();
    assert.equal(await wb.quickInputBox.getAttribute('type'), 'password');
    await wb.answer(/token/i, seeded().ownerToken);
    await wb.expand('Acme Corp');
    await wb.expand('development');
    await wb.row('STRIPE_KEY').first().waitFor({ timeout: 30_000 });
    for (const key of Object.keys(seeded().seeded.development!)) {
      assert.equal((await wb.description(key).innerText()).trim(), MASK, `${key} is not masked`);
    }
    await wb.statusBarItem(`${seeded().org}/development`).waitFor();
    const text = await wb.page.locator('body').innerText();
    assert.ok(!text.includes(seeded().ownerToken), 'the token is visible on the page');
    for (const v of Object.values(seeded().seeded.development!)) assert.ok(!text.includes(v), 'a value is visible before any reveal');
    await wb.screenshot('02-tree-connected');
  });

  it('switches environment from the status bar: a quick pick, then the status bar and a notification confirm', async () => {
    await wb.statusBarItem(`${seeded().org}/development`).click();
    await wb.pick('staging');
    await wb.statusBarItem(`${seeded().org}/staging`).waitFor();
    await wb.notification(/Switched to staging/).waitFor();
    await wb.screenshot('03-switched-to-staging');
    await wb.runCommand('Secrets: Switch Environment');
    await wb.pick('development');
    await wb.statusBarItem(`${seeded().org}/development`).waitFor();
  });

  it('searches as the user types: only keys containing the text, case-insensitively', async () => {
    await wb.runCommand('Secrets: Search');
    await wb.quickInput.filter({ hasText: /Filter by part of the key/ }).waitFor();
    await wb.quickInputBox.pressSequentially('Url', { delay: 30 });
    // The filter follows each keystroke: after "U", API_TIMEOUT still matches; only "Url" hides it, so wait
    // for the whole text to be applied before judging what is shown.
    await waitUntil(async () => (await wb.row('STRIPE_KEY').count()) === 0, 'STRIPE_KEY to be filtered out');
    await waitUntil(async () => (await wb.row('API_TIMEOUT').count()) === 0, 'API_TIMEOUT to be filtered out once "Url" is typed');
    assert.ok((await wb.row('DATABASE_URL').count()) >= 1);
    await wb.page.keyboard.press('Enter');
    await wb.view.getByText('Showing keys containing "Url"').waitFor();
    await wb.screenshot('04-search-url');
    await wb.runCommand('Secrets: Clear Search');
    await wb.row('STRIPE_KEY').first().waitFor();
  });

  it('adds a secret: the key is uppercased as typed and validated live, the value goes in a password box', async () => {
    await wb.runCommand('Secrets: Add Secret');
    await wb.quickInput.filter({ hasText: /Secret key/ }).waitFor();
    await wb.quickInputBox.pressSequentially('9lives', { delay: 20 });
    await wb.quickInput.locator('.quick-input-message', { hasText: /must start with a letter or underscore/ }).waitFor();
    // The extension rewrites the box in upper case after each keystroke; clearing it before the last
    // rewrite lands would get '9LIVES' written back under the next key typed (a race on a loaded machine).
    await waitUntil(async () => (await wb.quickInputBox.inputValue()) === '9LIVES', 'the invalid key to be uppercased');
    await wb.quickInputBox.fill('');
    await wb.quickInputBox.pressSequentially('new_api_key', { delay: 20 });
    await waitUntil(async () => (await wb.quickInputBox.inputValue()) === 'NEW_API_KEY', 'the key to be uppercased as typed');
    await wb.screenshot('05-add-key-uppercased');
    await wb.page.keyboard.press('Enter');
    await wb.quickInput.filter({ hasText: /Value of NEW_API_KEY/ }).waitFor();
    assert.equal(await wb.quickInputBox.getAttribute('type'), 'password');
    await wb.answer(/Value of NEW_API_KEY/, 'canary-ui-added-4c1d');
    await wb.answer(/Description/, 'Added through the UI');
    await wb.notification(/Secret NEW_API_KEY added to development/).waitFor();
    await wb.row('NEW_API_KEY').waitFor();
    assert.equal((await wb.description('NEW_API_KEY').innerText()).trim(), MASK);
    assert.equal(await valueOnServer('NEW_API_KEY'), 'canary-ui-added-4c1d');
    await wb.screenshot('06-added');
  });

  it('offers reveal, edit and delete on an Owner\'s secret (context menu)', async () => {
    const entries = await wb.contextMenu('STRIPE_KEY');
    for (const e of ['Reveal', 'Copy Value', 'Copy Reference', 'Edit', 'Delete']) assert.ok(entries.includes(e), `no "${e}" in ${JSON.stringify(entries)}`);
  });

  it('reveals a value in the tree, then masks it again by itself after secrets.revealSeconds', async () => {
    await wb.chooseFromContextMenu('STRIPE_KEY', 'Reveal');
    const value = seeded().seeded.development!.STRIPE_KEY!;
    await wb.description('STRIPE_KEY').filter({ hasText: value }).waitFor();
    const shownAt = Date.now();
    await wb.page.mouse.move(700, 500); // the row's hover buttons would cut the value short
    await wb.screenshot('07-revealed');
    await wb.description('STRIPE_KEY').filter({ hasText: MASK }).waitFor({ timeout: UI_REVEAL_SECONDS * 1000 + 10_000 });
    const after = Date.now() - shownAt;
    assert.ok(after >= UI_REVEAL_SECONDS * 1000 - 1500, `re-masked after ${after} ms, sooner than the ${UI_REVEAL_SECONDS} s setting`);
    await wb.screenshot('08-re-masked');
  });

  it('edits a value (key read-only, password box); saving nothing says "No changes to save"', async () => {
    await wb.chooseFromContextMenu('NEW_API_KEY', 'Edit');
    await wb.quickInput.filter({ hasText: /New value of NEW_API_KEY/ }).waitFor();
    assert.equal(await wb.quickInputBox.getAttribute('type'), 'password');
    await wb.answer(/New value of NEW_API_KEY/, 'canary-ui-edited-9d0e');
    await wb.answer(/Description/, 'Edited through the UI');
    await wb.notification(/Saved NEW_API_KEY in development \(version 2\)/).waitFor();
    assert.equal(await valueOnServer('NEW_API_KEY'), 'canary-ui-edited-9d0e');
    await wb.screenshot('09-edited');
    await wb.chooseFromContextMenu('NEW_API_KEY', 'Edit');
    await wb.answer(/New value of NEW_API_KEY/, '');
    await wb.answer(/Description/, 'Edited through the UI');
    await wb.notification(/No changes to save/).waitFor();
  });

  it('deletes after a modal confirmation that names the key', async () => {
    await wb.chooseFromContextMenu('NEW_API_KEY', 'Delete');
    await wb.dialog.filter({ hasText: 'Delete secret NEW_API_KEY from development?' }).waitFor();
    await wb.screenshot('10-delete-confirmation');
    await wb.dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
    await wb.notification(/Deleted NEW_API_KEY from development/).waitFor();
    await wb.row('NEW_API_KEY').waitFor({ state: 'detached' });
    assert.equal(await valueOnServer('NEW_API_KEY'), undefined);
  });

  it('copies a value to the clipboard and clears it again after secrets.clipboardSeconds', async () => {
    const value = seeded().seeded.development!.DATABASE_URL!;
    await wb.chooseFromContextMenu('DATABASE_URL', 'Copy Value');
    await wb.notification(new RegExp(`Copied the value of DATABASE_URL; the clipboard is cleared in ${UI_CLIPBOARD_SECONDS} s`)).waitFor();
    await waitUntil(async () => (await wb.clipboardText()) === value, 'the value on the clipboard');
    assert.equal((await wb.description('DATABASE_URL').innerText()).trim(), MASK, 'copying revealed the value in the tree');
    await waitUntil(async () => (await wb.clipboardText()) !== value, 'the clipboard to be cleared', UI_CLIPBOARD_SECONDS * 1000 + 10_000);
  });

  it('in production, deletes only after the key is typed to confirm', async () => {
    await wb.expand('production');
    await wb.chooseFromContextMenu('SENTRY_DSN', 'Delete');
    await wb.dialog.filter({ hasText: 'Delete secret SENTRY_DSN from production?' }).waitFor();
    await wb.dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
    await wb.quickInput.filter({ hasText: /type SENTRY_DSN to confirm/ }).waitFor();
    await wb.quickInputBox.fill('SENTRY');
    await wb.quickInput.locator('.quick-input-message', { hasText: /Type SENTRY_DSN exactly/ }).waitFor();
    await wb.screenshot('12-production-typed-confirmation');
    await wb.quickInputBox.fill('SENTRY_DSN');
    await wb.page.keyboard.press('Enter');
    await wb.notification(/Deleted SENTRY_DSN from production/).waitFor();
    await wb.row('SENTRY_DSN').waitFor({ state: 'detached' });
    assert.equal(await valueOnServer('SENTRY_DSN', 'production'), undefined);
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
