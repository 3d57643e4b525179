// Cross-site request defences for requests a browser makes. The session cookie is SameSite=Strict, so
// another site's pages never send it; these checks are the second and third belts (and cover a sibling
// subdomain, which SameSite counts as the same site): a request that changes anything with the cookie
// must come from our own origin (Origin, or Sec-Fetch-Site when a browser sends no Origin) and carry
// the session's CSRF token, which only our own pages can read (from POST/GET /v1/session).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Refuses a request a browser says came from another site or origin. Requests without either header
 * (curl, the CLI) pass unless `requireBrowserProof`: a request riding on the session cookie must show
 * where it came from.
 */
export function assertSameOrigin(request: FastifyRequest, origin: string, requireBrowserProof: boolean): void {
  const sent = header(request, 'origin');
  const site = header(request, 'sec-fetch-site');
  if (sent !== undefined && sent !== origin) throw new ApiError('CSRF_REJECTED', `Requests from ${sent.slice(0, 200)} are refused; use ${origin}`);
  if (site !== undefined && site !== 'same-origin' && !(site === 'none' && !changesState(request))) {
    throw new ApiError('CSRF_REJECTED', 'Cross-site requests are refused');
  }
  if (requireBrowserProof && changesState(request) && sent === undefined && site === undefined) {
    throw new ApiError('CSRF_REJECTED', 'A request signed in with the session cookie must send its Origin');
  }
}

export function assertCsrfToken(request: FastifyRequest, expected: string): void {
  const sent = header(request, 'x-csrf-token');
  const a = Buffer.from(sent ?? '', 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ApiError('CSRF_REJECTED', sent === undefined ? 'X-CSRF-Token is required with the session cookie' : 'X-CSRF-Token does not match this session');
  }
}
