// docs/api.md is the contract the clients code against: every route the server registers is written
// there, and every route written there is served.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from '../../server/app.ts';
import { systemClock } from '../../server/clock.ts';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { Keyring } from '../../server/crypto/keyring.ts';
import { toKeyObject } from '../../server/crypto/envelope.ts';
import { RevealCache } from '../../server/crypto/reveal-cache.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import { PublicSite } from '../../server/web/public-site.ts';

const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');

/** `METHOD /path` for every route bullet of docs/api.md; a section heading with a path is the base of relative bullets. */
export function documentedRoutes(doc: string): Set<string> {
  const routes = new Set<string>();
  let base = '';
  for (const line of doc.split('\n')) {
    const heading = /^#{2,4} .*`(\/[^`]+)`/.exec(line);
    if (heading) base = heading[1]!;
    else if (/^#{2,4} /.test(line)) base = '';
    const m = /^- `(GET|POST|PUT|PATCH|DELETE)(?: ([^`]*))?`/.exec(line);
    if (!m) continue;
    let path = (m[2] ?? '').split('?')[0]!.trim();
    if (!path.startsWith('/v1') && !path.startsWith('/healthz')) path = base + path;
    routes.add(`${m[1]} ${path.replace(/\/$/, '')}`);
  }
  return routes;
}

/** The server's `:param` in the docs' `{param}` spelling (`{KEY}` for secret keys). */
function docSpelling(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => (name === 'key' ? '{KEY}' : `{${name}}`));
}

describe('server: routes match docs/api.md', () => {
  let served: Set<string>;

  before(async () => {
    const storage = SqliteStorage.open(mkdtempSync(join(tmpdir(), 'secrets-contract-')));
    served = new Set<string>();
    const app = buildApp(
      { storage, keyring: new Keyring(toKeyObject(randomBytes(32))), revealCache: new RevealCache(), clock: systemClock, limits: DEFAULT_LIMITS, site: new PublicSite(new URL('http://localhost:8787')) },
      { logLevel: 'silent', onRoute: (method, url) => served.add(`${method} ${docSpelling(url)}`) },
    );
    await app.ready();
    await app.close();
    await storage.close();
  });

  it('reads the documented routes (a sanity check of the parser itself)', () => {
    const documented = documentedRoutes(DOC);
    assert.ok(documented.has('GET /v1/orgs/{org}/environments/{env}/secrets'));
    assert.ok(documented.has('POST /v1/orgs/{org}/environments/{env}/secrets'));
    assert.ok(documented.has('POST /v1/orgs/{org}/environments/{env}/secrets/{KEY}/reveal'));
    assert.ok(documented.size >= 25, String(documented.size));
  });

  it('serves no route that docs/api.md does not list', () => {
    const undocumented = [...served].filter((r) => !documentedRoutes(DOC).has(r));
    assert.deepEqual(undocumented, []);
  });

  it('serves every route that docs/api.md lists', () => {
    const missing = [...documentedRoutes(DOC)].filter((r) => !served.has(r));
    assert.deepEqual(missing, []);
  });
});
