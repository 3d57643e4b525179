// One error catalogue, documented: every code the server can answer with is in docs/api.md's table with
// the same status, and every documented code is in the catalogue. Then, against the live server, a
// seeded fuzz of request shapes never produces a 5xx, and every error it does produce is a catalogue
// problem in RFC 9457 form.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Problem, ProblemCode } from '../../core/api-types.ts';
import { ERROR_CATALOGUE, problemType } from '../../server/errors.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { prng } from '../helpers/prng.ts';
import { canary, createSecret } from './helpers-api.ts';

const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');

function documentedCodes(): Map<string, number> {
  const codes = new Map<string, number>();
  for (const m of DOC.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) codes.set(m[1]!, Number(m[2]));
  return codes;
}


describe('server: error catalogue', () => {
  it('documents every catalogue code in docs/api.md with the same status', () => {
    const documented = documentedCodes();
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.equal(documented.get(code), entry.status, `${code} is documented with status ${entry.status}`);
    }
  });

  it('has every code docs/api.md documents', () => {
    const documented = documentedCodes();
    assert.ok(documented.size >= 20, 'the table was found');
    assert.deepEqual([...documented.keys()].filter((c) => !(c in ERROR_CATALOGUE)), []);
  });

  it('derives the problem type from the code in kebab case', () => {
    assert.equal(problemType('SECRET_KEY_REQUIRED'), 'https://secrets.dev/problems/secret-key-required');
    assert.equal(problemType('NOT_FOUND'), 'https://secrets.dev/problems/not-found');
  });

  it("uses the product's wording for the messages the issue names", () => {
    assert.equal(ERROR_CATALOGUE.SECRET_KEY_REQUIRED.detail, 'Secret key is required');
    assert.equal(ERROR_CATALOGUE.SECRET_VALUE_REQUIRED.detail, 'Secret value is required');
    assert.equal(ERROR_CATALOGUE.NO_CHANGES.detail, 'No changes to save');
  });
});

describe('server: no request shape produces a 500', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const value = canary('FUZZ');

  before(async () => {
    server = await startServer();
    await createSecret(server, 'default', 'production', 'FUZZ_TARGET', value);
  });
  after(async () => server.stop());

  async function assertProblemOrSuccess(method: string, path: string, headers: Record<string, string>, body: string | undefined, what: string): Promise<number> {
    const res = await fetch(server.url + path, { method, headers, body });
    const text = await res.text();
    assert.ok(res.status < 500, `${what} → ${res.status} ${text.slice(0, 300)}`);
    assert.ok(!text.includes(value) || path.includes('reveal'), `${what}: a value outside a reveal`);
    if (res.status >= 400) {
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
      const p = JSON.parse(text) as Problem;
      assert.ok(p.code in ERROR_CATALOGUE, `${what}: unknown code ${p.code}`);
      assert.equal(p.status, res.status, what);
      assert.equal(ERROR_CATALOGUE[p.code as ProblemCode].status, res.status, what);
      assert.equal(p.type, problemType(p.code), what);
      assert.equal(typeof p.title, 'string');
      assert.equal(typeof p.detail, 'string');
    }
    return res.status;
  }

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB', async () => {
    const big = JSON.stringify({ key: 'BIG', value: 'x'.repeat(1024 * 1024 + 10) });
    const status = await assertProblemOrSuccess(
      'POST',
      '/v1/orgs/default/environments/production/secrets',
      { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      big,
      'huge body',
    );
    assert.equal(status, 413);
  });

  it('survives 400 seeded random requests (methods, paths, headers, bodies) with catalogue problems only', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261123);
    const r = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const segments = ['default', 'production', 'FUZZ_TARGET', 'fuzz_target', '', '..', '%2e%2e', '%00', 'ü', '%ZZ', 'a'.repeat(700), '{org}', '-x', 'x'.repeat(63)];
    const templates = [
      '/v1/orgs/{o}',
      '/v1/orgs/{o}/members/{x}',
      '/v1/orgs/{o}/environments',
      '/v1/orgs/{o}/environments/{e}/secrets',
      '/v1/orgs/{o}/environments/{e}/secrets/{k}',
      '/v1/orgs/{o}/environments/{e}/secrets/{k}/reveal',
      '/v1/orgs/{o}/environments/{e}/reveal',
      '/v1/orgs/{o}/tokens',
      '/v1/orgs/{o}/tokens/{x}',
      '/v1/orgs/{o}/audit?limit={x}&cursor={x}',
      '/v1/orgs/{o}/environments/{e}/secrets?search={x}&extra=1',
      '/v1/me/tokens/{x}',
      '/v1/users',
      '/v1/nope/{x}',
    ];
    const jsonValue = (depth: number): unknown => {
      const t = r();
      if (depth > 3 || t < 0.25) return pick([null, true, 0, -1, 1e308, '', 'x', 'A'.repeat(200), '\u0000', '💥', value]);
      if (t < 0.5) return Array.from({ length: Math.floor(r() * 4) }, () => jsonValue(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 5); i++) o[pick(['key', 'value', 'description', 'keys', 'name', 'slug', 'email', 'role', 'environment', 'expiresAt', '__proto__', 'constructor', 'x'])] = jsonValue(depth + 1);
      return o;
    };
    const bodies = (): string | undefined => {
      const t = r();
      if (t < 0.15) return undefined;
      if (t < 0.25) return pick(['{', '[1,', 'null', '""', '{"key":"A","value":"v"}{', '\u0000']);
      return JSON.stringify(jsonValue(0));
    };
    for (let i = 0; i < 400; i++) {
      const path = pick(templates).replace(/\{[oekx]\}/g, () => encodeURI(pick(segments)).replaceAll('%25', '%'));
      const method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
      const headers: Record<string, string> = {};
      const auth = r();
      if (auth < 0.7) headers.authorization = `Bearer ${server.adminToken}`;
      else if (auth < 0.8) headers.authorization = pick(['Bearer', 'Bearer ', 'scrt_pat_x', `Bearer ${server.adminToken}x`, 'Basic Zm9vOmJhcg==']);
      const body = method === 'GET' || method === 'DELETE' || method === 'OPTIONS' ? undefined : bodies();
      if (body !== undefined) headers['content-type'] = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json']);
      if (r() < 0.1) headers['if-match'] = pick(['"1"', 'W/"1"', '*', 'garbage', '"99999999999999999999"']);
      await assertProblemOrSuccess(method, path, headers, body, `seed ${seed} #${i} ${method} ${path.slice(0, 80)} ${String(body).slice(0, 80)}`);
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
