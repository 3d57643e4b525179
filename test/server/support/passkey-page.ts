// A tiny test page on the server's own origin (served through Playwright's request routing) in real
// Chromium with a virtual authenticator, loading @simplewebauthn/browser bundled with esbuild. Every
// API call is the page's own fetch, so the browser sets Origin, Sec-Fetch-Site and the cookie exactly
// as for the dashboard, and the passkey ceremonies run for real.
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium, type VirtualAuthenticator } from './chromium.ts';

export interface PageReply {
  status: number;
  /** JSON from the page; each test checks the fields it relies on. */
  body: any;
}

export interface PasskeyPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  authenticator: VirtualAuthenticator;
  /** The CSRF token the page sends on writes ('' for none): the current session's. */
  csrf: string;
  /** fetch from the page, as the dashboard would. */
  call(method: string, path: string, json?: unknown): Promise<PageReply>;
  /** navigator.credentials.create with these options; the credential as JSON. */
  register(optionsJSON: unknown): Promise<unknown>;
  /** navigator.credentials.get with these options; the assertion as JSON. */
  authenticate(optionsJSON: unknown): Promise<unknown>;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>passkey test page</title>
<script src="/__test/webauthn.js"></script></head><body><main>passkey test page</main></body></html>`;

async function browserBundle(): Promise<string> {
  const out = await build({
    stdin: { contents: "export { startRegistration, startAuthentication } from '@simplewebauthn/browser';", resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'SimpleWebAuthnBrowser',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Opens the page at `origin` (the server's public URL); only /v1/ requests reach the server. */
export async function openPasskeyPage(origin: string): Promise<PasskeyPage> {
  const bundle = await browserBundle();
  const browser = await launchChromium();
  const context = await browser.newContext();
  // Everything but the API is answered here (the page, its script, a favicon), so the server sees the
  // API calls the test makes and nothing else.
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.startsWith('/v1/')) return route.continue();
    if (path === '/__test/webauthn.js') return route.fulfill({ status: 200, contentType: 'text/javascript', body: bundle });
    if (path === '/__test/page') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE });
    return route.fulfill({ status: 404, body: '' });
  });
  const page = await context.newPage();
  await page.goto(`${origin}/__test/page`);
  await page.waitForFunction(() => 'SimpleWebAuthnBrowser' in globalThis);
  const p: PasskeyPage = {
    browser,
    context,
    page,
    authenticator: await addVirtualAuthenticator(context, page),
    csrf: '',
    call: (method, path, json) =>
      page.evaluate(
        async ({ method, path, json, csrf }) => {
          const headers: Record<string, string> = {};
          if (json !== undefined) headers['content-type'] = 'application/json';
          if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
          const r = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), credentials: 'same-origin' });
          const text = await r.text();
          return { status: r.status, body: text ? JSON.parse(text) : null };
        },
        { method, path, json, csrf: p.csrf },
      ),
    register: (optionsJSON) => page.evaluate(async (o) => (globalThis as any).SimpleWebAuthnBrowser.startRegistration({ optionsJSON: o }), optionsJSON),
    authenticate: (optionsJSON) => page.evaluate(async (o) => (globalThis as any).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: o }), optionsJSON),
    close: () => browser.close(),
  };
  return p;
}
