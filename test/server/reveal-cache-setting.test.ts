// SECRETS_REVEAL_CACHE=off, against the real server: no bulk or single reveal is served from the reveal
// cache (the reveal-cache lookup counter at /metrics shows every lookup a miss), the values are still
// the right ones, and a value other than on/off stops the server at start. `npm run bench:server`
// measures the uncached path with it.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createOrg, createSecret, reveal } from './support/fixtures.ts';

function sample(scrape: string, series: string): number {
  for (const line of scrape.split('\n')) if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

async function lookups(api: Http): Promise<{ hit: number; miss: number }> {
  const r = await api.get('/metrics');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return { hit: sample(r.text, 'secrets_reveal_cache_lookups_total{result="hit"}'), miss: sample(r.text, 'secrets_reveal_cache_lookups_total{result="miss"}') };
}

/** Reveals the environment in bulk three times and one key once; the cache lookups they caused. */
async function revealFourTimes(server: RunningServer): Promise<{ hit: number; miss: number }> {
  const api = http(server.url);
  const org = await createOrg(api, server.adminToken);
  const env = await createEnvironment(api, server.adminToken, org);
  await createSecret(api, server.adminToken, org, env, 'ONE', 'canary-reveal-cache-off-ONE-5d1e8a2b7c');
  await createSecret(api, server.adminToken, org, env, 'TWO', 'canary-reveal-cache-off-TWO-c3f90b6e41');
  const before = await lookups(api);
  for (let i = 0; i < 3; i++) {
    const r = await api.post<{ secrets: { key: string; value: string }[] }>(bulkRevealPath(org, env), server.adminToken, {});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.secrets.map((s) => s.value).sort(), ['canary-reveal-cache-off-ONE-5d1e8a2b7c', 'canary-reveal-cache-off-TWO-c3f90b6e41']);
  }
  assert.equal(await reveal(api, server.adminToken, org, env, 'TWO'), 'canary-reveal-cache-off-TWO-c3f90b6e41');
  const after = await lookups(api);
  return { hit: after.hit - before.hit, miss: after.miss - before.miss };
}

describe('server: SECRETS_REVEAL_CACHE', function () {
  let cached: RunningServer | undefined;
  let uncached: RunningServer | undefined;
  after(() => stopAndRemove(cached, uncached));

  it('off: every reveal reads and decrypts (no lookup hits the cache) and answers the right values', async () => {
    uncached = await startServer({ env: { SECRETS_REVEAL_CACHE: 'off' } });
    assert.deepEqual(await revealFourTimes(uncached), { hit: 0, miss: 4 });
  });

  it('on by default: the same reveals after the first are served from the cache', async () => {
    cached = await startServer();
    assert.deepEqual(await revealFourTimes(cached), { hit: 3, miss: 1 });
  });

  it('a value other than on or off is refused at start, naming the setting', () => {
    assert.equal(loadConfig({}).revealCache, true);
    assert.equal(loadConfig({ SECRETS_REVEAL_CACHE: 'on' }).revealCache, true);
    assert.equal(loadConfig({ SECRETS_REVEAL_CACHE: 'off' }).revealCache, false);
    for (const bad of ['false', 'OFF', '0']) {
      assert.throws(() => loadConfig({ SECRETS_REVEAL_CACHE: bad }), (e: unknown) => e instanceof ConfigError && /SECRETS_REVEAL_CACHE must be on or off/.test(e.message));
    }
  });
});
