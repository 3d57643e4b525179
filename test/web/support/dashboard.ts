// The dashboard as a person meets it: the real server (server/main.ts as a process) serving the
// freshly built web/dist, and Debian's Chromium driven by playwright-core, opened at the public URL
// (http://localhost:PORT: passkeys and the session cookie belong to that origin).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildDashboard } from '../../../web/build.ts';
import { startServer, type RunningServer } from '../../helpers/server.ts';
import { http, type Http } from '../../server/support/http.ts';
import { stopAndRemove } from '../../server/support/lifecycle.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/web');

let built: Promise<unknown> | undefined;
/** Builds web/dist once per test process, so a test file run alone serves the current sources. */
export function ensureBuilt(): Promise<unknown> {
  built ??= buildDashboard();
  return built;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export interface Dashboard {
  server: RunningServer;
  /** http://localhost:PORT, the public URL. */
  base: string;
  api: Http;
  browser: Browser;
  /** A fresh browser profile (own cookies and storage) at 1280×800, or at `width`×844. */
  context(width?: number): Promise<BrowserContext>;
  stop(): Promise<void>;
}

export async function startDashboard(env: Record<string, string> = {}): Promise<Dashboard> {
  await ensureBuilt();
  const server = await startServer({ env });
  const base = server.url.replace('127.0.0.1', 'localhost');
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    server,
    base,
    api: http(server.url),
    browser,
    async context(width?: number) {
      const c = await browser.newContext({ viewport: width ? { width, height: 844 } : { width: 1280, height: 800 }, baseURL: base });
      contexts.push(c);
      return c;
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await stopAndRemove(server);
    },
  };
}

/** Fails the test on anything the page logs as an error (a CSP violation, an uncaught exception). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused request (4xx) is logged by Chromium itself; the page shows the API's message for it.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Personal token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export interface SignedInPage {
  context: BrowserContext;
  page: Page;
  /** Errors the page logs (watchErrors). */
  errors: string[];
}

/** A fresh browser profile signed in with `token`, watching for page errors, with `org` chosen in the header. */
export async function openSignedIn(d: Dashboard, token: string, org: string, options: { clipboard?: boolean } = {}): Promise<SignedInPage> {
  const context = await d.context();
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, token);
  await page.getByLabel('Organization').selectOption(org);
  return { context, page, errors };
}

/** An instant as the page's datetime-local value (the browser's own time zone), to the millisecond. */
export function localInstant(page: Page, iso: string): Promise<string> {
  return page.evaluate(`(() => { const d = new Date(${JSON.stringify(iso)}); const z = (n, w = 2) => String(n).padStart(w, '0');
    return d.getFullYear() + '-' + z(d.getMonth() + 1) + '-' + z(d.getDate()) + 'T' + z(d.getHours()) + ':' + z(d.getMinutes()) + ':' + z(d.getSeconds()) + '.' + z(d.getMilliseconds(), 3); })()`) as Promise<string>;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(resolve(import.meta.dirname, '../../../node_modules/axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern: the page itself still allows no inline script) and fails on serious or critical violations.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `axe on ${what}`);
}

/** Every place a browser could keep something: web storage, IndexedDB, history, the URL, cookies JS can read. */
// Runs in the page (a string: the test's TypeScript has no DOM types).
const STORAGE_DUMP = `(async () => {
  const parts = [location.href, String(history.length), JSON.stringify(history.state), document.cookie];
  for (const store of [localStorage, sessionStorage]) {
    for (let i = 0; i < store.length; i++) { const k = store.key(i); parts.push(k, store.getItem(k) ?? ''); }
  }
  for (const info of await indexedDB.databases()) {
    parts.push(JSON.stringify(info));
    const db = await new Promise((res, rej) => { const r = indexedDB.open(info.name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    for (const name of db.objectStoreNames) {
      const all = await new Promise((res) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => res(r.result); });
      parts.push(JSON.stringify(all));
    }
    db.close();
  }
  for (const name of await caches.keys()) parts.push(name);
  return parts.join('\\n');
})()`;

/** Every place a page could keep something: web storage, IndexedDB, Cache Storage, history, the URL, script-readable cookies. */
export async function browserStorage(page: Page): Promise<string> {
  return (await page.evaluate(STORAGE_DUMP)) as string;
}

/**
 * Polls a condition from the test side (page.waitForFunction evaluates a string in the page, which
 * the dashboard's CSP rightly refuses as eval).
 */
export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { assert };
