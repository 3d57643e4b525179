// Headers on every response, errors and 404s included. The API serves JSON only, to programs: nothing
// may be sniffed into HTML, framed, cached by a browser or proxy (a response can carry a value or a
// token), or leak its URL to another site. A hand-written hook instead of @fastify/helmet: helmet's
// defaults are for HTML pages (a script CSP, DNS-prefetch and download options) and it sets no
// Cache-Control; these six lines are the whole policy. HSTS belongs to whoever terminates TLS.
import type { FastifyInstance } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
}
