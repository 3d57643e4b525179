// A page object for the parts of VS Code's workbench the UI tests touch, located the way a user
// finds them (labels, roles, visible text) rather than by internal ids where possible.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { workbenchUrl } from '../harness/extension-tests.ts';
import { ARTIFACTS } from '../harness/paths.ts';
import { uiWorld } from './world.ts';

export const MASK = '••••••••';

export class Workbench {
  readonly page: Page;
  readonly context: BrowserContext;

  private constructor(context: BrowserContext, page: Page) {
    this.context = context;
    this.page = page;
  }

  /** A fresh browser context (its own SecretStorage) with the workbench loaded on the test folder. */
  static async open(): Promise<Workbench> {
    const w = uiWorld();
    // Clipboard permissions: Copy Value writes through the browser's clipboard, and the test reads it back.
    const context = await w.browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(workbenchUrl(w.codeServer, w.folder));
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(context, page);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  }

  // ---- the Secrets view ---------------------------------------------------------------------------

  get view(): Locator {
    return this.page.locator('[id="workbench.view.extension.secrets"]');
  }

  async openSecretsView(): Promise<void> {
    await this.page.locator('.activitybar [aria-label^="Secrets"]').first().click({ timeout: 60_000 });
    await this.view.waitFor({ timeout: 30_000 });
  }

  /** Drags the sidebar's edge so values and inline buttons fit side by side in the screenshots. */
  async widenSidebar(by = 260): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) return;
    const x = box.x + box.width + 1;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + by, y, { steps: 8 });
    await this.page.mouse.up();
  }

  welcomeButton(label: string): Locator {
    return this.view.locator('.welcome-view-content .monaco-button', { hasText: label });
  }

  get rows(): Locator {
    return this.view.locator('.monaco-list-row');
  }

  /** The tree row whose label is exactly `label`. */
  row(label: string): Locator {
    // The first match is the one nearest the top (development comes before staging and production).
    return this.rows.filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) });
  }

  /** Expands a collapsed tree row (a click, as a user would), waiting for the row to exist first. */
  async expand(label: string): Promise<void> {
    const row = this.row(label).first();
    await row.waitFor({ timeout: 30_000 });
    // The extension may expand the current organization/environment by itself while the row loads;
    // click only while it is still collapsed, and give each click time to take effect.
    const deadline = Date.now() + 20_000;
    while ((await row.getAttribute('aria-expanded')) !== 'true') {
      if (Date.now() > deadline) throw new Error(`the tree row ${label} did not expand`);
      await row.click();
      await this.page.waitForTimeout(750);
    }
  }

  async labels(): Promise<string[]> {
    return this.rows.locator('.label-name').allInnerTexts();
  }

  description(label: string): Locator {
    return this.row(label).first().locator('.label-description');
  }

  /** Right-clicks a row and returns the context menu's entries (then closes the menu unless told to keep it). */
  async contextMenu(label: string, keepOpen = false): Promise<string[]> {
    await this.row(label).first().click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    const entries = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    if (!keepOpen) {
      await this.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden' });
    }
    return entries;
  }

  async chooseFromContextMenu(label: string, entry: string): Promise<void> {
    await this.row(label).first().click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-label', { hasText: new RegExp(`^${escape(entry)}$`) });
    await item.waitFor();
    // A menu ignores a mouse-up that comes right after it opened (VS Code's guard against the
    // right-click release choosing an entry), so a too-quick click can be lost: retry until it closes.
    for (let attempt = 0; ; attempt++) {
      await this.page.waitForTimeout(300);
      await item.click().catch(() => undefined);
      const closed = await menu.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => false);
      if (closed) return;
      if (attempt === 3) throw new Error(`the context menu entry "${entry}" could not be chosen`);
    }
  }

  // ---- command palette, quick input, notifications, dialogs, status bar -------------------------

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.quickInput.locator('input.input').first();
  }

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor();
    await this.quickInputBox.fill(`>${title}`);
    const entry = this.quickInput.locator('.monaco-list-row', { hasText: title }).first();
    await entry.waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Waits for an input box whose prompt or title matches, types (or fills) the text and accepts it. */
  async answer(prompt: RegExp, text: string, options: { type?: boolean } = {}): Promise<void> {
    await this.quickInput.filter({ hasText: prompt }).waitFor();
    await this.quickInputBox.fill('');
    if (options.type) await this.quickInputBox.pressSequentially(text, { delay: 20 });
    else await this.quickInputBox.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Picks from an open quick pick the way a user does with the keyboard: type to filter, Enter. */
  async pick(label: string): Promise<void> {
    await this.quickInput.locator('.monaco-list-row').first().waitFor();
    await this.quickInputBox.fill(label);
    await this.quickInput.locator('.monaco-list-row.focused .label-name', { hasText: new RegExp(`^${escape(label)}$`) }).waitFor();
    await this.page.keyboard.press('Enter');
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  async dismissNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  async clipboardText(): Promise<string> {
    // A string expression: the project's TypeScript has no DOM types.
    return String(await this.page.evaluate('navigator.clipboard.readText()'));
  }

  get dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator('.part.statusbar .statusbar-item', { hasText: text });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
