// Headers on every response, errors and 404s included. The API serves JSON only, to programs: nothing
// may be sniffed into HTML, framed, cached by a browser or proxy (a response can carry a value or a
// token), or leak its URL to another site. A hand-written hook instead of @fastify/helmet: helmet's
// defaults are for HTML pages (a script CSP, DNS-prefetch and download options) and it sets no
// Cache-Control; these six lines are the whole policy. HSTS belongs to whoever terminates TLS.
// The dashboard's page and assets (http/dashboard.ts) are the one exception: they get DASHBOARD_HEADERS,
// a CSP that lets the page run its own script and style and nothing else (no inline code, no other
// origin), and the caching that dashboard.ts chose.
import type { FastifyInstance, FastifyReply } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The dashboard's headers; `hsts` when its public URL is https. */
export function dashboardHeaders(hsts: boolean): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': DASHBOARD_CSP,
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
  if (hsts) headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return headers;
}

const dashboardReplies = new WeakMap<FastifyReply, Readonly<Record<string, string>>>();

/** This reply is the dashboard's: it gets `headers` instead of the API's. */
export function markDashboard(reply: FastifyReply, headers: Readonly<Record<string, string>>): void {
  dashboardReplies.set(reply, headers);
}

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const dashboard = dashboardReplies.get(reply);
    if (dashboard) {
      reply.headers(dashboard);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    } else reply.headers(SECURITY_HEADERS);
    return payload;
  });
}
