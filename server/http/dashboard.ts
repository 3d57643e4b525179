// Serves the web dashboard (built by web/build.ts into web/dist/) from the same server as the API.
// It registers no route: /v1/* keeps the API's problem+json 404, and any other GET that no route
// answers gets the app's index.html (the app routes by path), or a content-hashed asset under
// /assets/ with a year of caching. The dashboard's responses get their own headers (a CSP that
// allows the page's own script and style, nothing inline) in place of the API's default-src 'none'.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicSite } from '../web/public-site.ts';
import { dashboardHeaders, markDashboard } from './security-headers.ts';

export const DEFAULT_DIST = resolve(import.meta.dirname, '../../web/dist');

const ASSET = /^\/assets\/(app-[0-9a-f]{16}\.(js|css))$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

interface Built {
  index: Buffer;
  assets: Map<string, Buffer>;
}

export interface DashboardOptions {
  /** Where the built dashboard is (web/dist by default). */
  distDir?: string;
  /** SECRETS_PUBLIC_URL: https turns on HSTS; its origin is where loopback addresses are sent. */
  site: PublicSite;
}

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/;

/**
 * The session cookie is accepted only from the public URL's origin, and passkeys need a host name,
 * so a page opened at http://127.0.0.1:PORT while the public URL is http://localhost:PORT could not
 * sign in: it is sent to the same path at the public URL. Only loopback addresses are redirected
 * (a proxy in front that rewrites Host to something else is left alone, so no loop).
 */
function loopbackRedirect(request: FastifyRequest, site: PublicSite): string | null {
  const host = request.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host) || site.rpId !== 'localhost') return null;
  return `${site.origin}${request.url.startsWith('/') ? request.url : '/'}`;
}

const API_PATH = /^\/(v\d+(\/|$)|healthz$)/;

/** True for the paths the API owns (/v1 and any later /vN, /healthz); everything else unrouted is the dashboard's. */
export function isApiPath(url: string): boolean {
  return API_PATH.test(url.split('?')[0]!);
}

/**
 * The not-found fallback: answers dashboard paths and returns true, or returns false for the API's
 * own 404. The build is read once, when first found (a server started before `npm run build:web`
 * serves it once it exists).
 */
export function dashboardFallback(options: DashboardOptions): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const dist = options.distDir ?? DEFAULT_DIST;
  let headers: Readonly<Record<string, string>> | undefined;
  let built: Built | null = null;
  const load = (): Built | null => {
    if (built) return built;
    const indexPath = join(dist, 'index.html');
    if (!existsSync(indexPath)) return null;
    const assets = new Map<string, Buffer>();
    for (const name of readdirSync(join(dist, 'assets'))) assets.set(name, readFileSync(join(dist, 'assets', name)));
    built = { index: readFileSync(indexPath), assets };
    return built;
  };

  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (isApiPath(request.url)) return false;
    // The public URL is known only once the server listens (PORT=0).
    headers ??= dashboardHeaders(options.site.secure);
    markDashboard(reply, headers);
    const elsewhere = loopbackRedirect(request, options.site);
    if (elsewhere) {
      void reply.code(308).header('location', elsewhere).send();
      return true;
    }
    const app = load();
    if (!app) {
      void reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build:web` (npm start does it).\n');
      return true;
    }
    const path = request.url.split('?')[0]!;
    if (path.startsWith('/assets/')) {
      const m = ASSET.exec(path);
      const body = m ? app.assets.get(m[1]!) : undefined;
      if (!m || !body) {
        void reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
        return true;
      }
      void reply.header('cache-control', 'public, max-age=31536000, immutable').type(TYPES[m[2]!]!).send(body);
      return true;
    }
    // The page itself is revalidated on every load, so a new build's hashed names are picked up.
    void reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(app.index);
    return true;
  };
}
