// Request validation and error shape, against the live server: every error is problem+json, unknown
// JSON fields are rejected, bodies over 1 MiB get 413, non-JSON bodies 415, and no hostile body,
// path, query or header can make the server answer 500.
import assert from 'node:assert/strict';
import type { ProblemCode } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertClientProblem, assertProblem, http, type Http } from './support/http.ts';
import { bulkRevealPath, createSecret, createTeam, createUser, secretPath, secretsPath, type Team } from './support/fixtures.ts';

const MiB = 1024 * 1024;

describe('server: validation and errors', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let newcomerId: string;
  const env = 'production';

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    newcomerId = (await createUser(api, server.adminToken)).user.id;
    await createSecret(api, team.owner.token, team.org, env, 'EXISTING', 'v');
  });
  after(() => stopAndRemove(server));

  /** Every route that takes a JSON body, with a valid body and who may call it. */
  const bodyRoutes = () =>
    [
      { method: 'POST', path: '/v1/users', token: server.adminToken, valid: { name: 'n', email: 'unknown-field@example.test' } },
      { method: 'POST', path: '/v1/me/tokens', token: team.owner.token, valid: { name: 'laptop' } },
      { method: 'POST', path: '/v1/orgs', token: team.owner.token, valid: { slug: 'unknown-field-org', name: 'x' } },
      { method: 'PUT', path: `/v1/orgs/${team.org}/members/${newcomerId}`, token: team.owner.token, valid: { role: 'viewer' } },
      { method: 'POST', path: `/v1/orgs/${team.org}/environments`, token: team.owner.token, valid: { slug: 'unknown-field-env' } },
      { method: 'POST', path: secretsPath(team.org, env), token: team.owner.token, valid: { key: 'UNKNOWN_FIELD', value: 'v' } },
      { method: 'PATCH', path: secretPath(team.org, env, 'EXISTING'), token: team.owner.token, valid: { value: 'v2' } },
      { method: 'POST', path: bulkRevealPath(team.org, env), token: team.owner.token, valid: { keys: ['EXISTING'] } },
      { method: 'POST', path: `/v1/orgs/${team.org}/tokens`, token: team.owner.token, valid: { name: 'ci', environment: env } },
    ] as const;

  describe('unknown JSON fields', () => {
    it('are rejected with 400 VALIDATION_FAILED on every route that takes a body, and nothing is changed', async () => {
      for (const route of bodyRoutes()) {
        const r = await api.request(route.method, route.path, { token: route.token, json: { ...route.valid, unexpected: true } });
        assertProblem(r, 400, 'VALIDATION_FAILED');
      }
      assert.equal((await api.get(secretPath(team.org, env, 'UNKNOWN_FIELD'), team.owner.token)).status, 404);
      assert.equal((await api.get(`/v1/orgs/${team.org}/members/${newcomerId}`, team.owner.token)).status, 404);
      assert.equal((await api.get('/v1/orgs/unknown-field-org', team.owner.token)).status, 404);
    });

    it('a prototype-pollution attempt (__proto__) is just an unknown field', async () => {
      const raw = '{"key":"PROTO_KEY","value":"v","__proto__":{"role":"owner","isAdmin":true}}';
      const r = await api.request('POST', secretsPath(team.org, env), {
        token: team.viewer.token,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(r.status === 400 || r.status === 403, `${r.status} ${r.text}`);
      assertClientProblem(r, '__proto__ body');
      const again = await api.post(secretsPath(team.org, env), team.viewer.token, { key: 'AFTER_PROTO', value: 'v' });
      assertProblem(again, 403, 'FORBIDDEN');
    });
  });

  describe('body size', () => {
    it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB, and stores nothing', async () => {
      const body = JSON.stringify({ key: 'HUGE', value: 'x'.repeat(MiB) });
      assert.ok(body.length > MiB);
      const r = await api.request('POST', secretsPath(team.org, env), { token: team.owner.token, raw: body, headers: { 'content-type': 'application/json' }, retryOnReset: 3 });
      assertProblem(r, 413, 'PAYLOAD_TOO_LARGE');
      assert.equal((await api.get(secretPath(team.org, env, 'HUGE'), team.owner.token)).status, 404);
    });

    it('answers 413 PAYLOAD_TOO_LARGE on every route that takes a body', async () => {
      const filler = 'x'.repeat(MiB + 1);
      for (const route of bodyRoutes()) {
        const raw = JSON.stringify({ ...route.valid, padding: filler });
        const r = await api.request(route.method, route.path, { token: route.token, raw, headers: { 'content-type': 'application/json' }, retryOnReset: 3 });
        assertProblem(r, 413, 'PAYLOAD_TOO_LARGE');
      }
    });

    it('judges a body just under 1 MiB by its content instead (400, not 413)', async () => {
      const body = JSON.stringify({ key: 'NEARLY_HUGE', value: 'x'.repeat(MiB - 100) });
      assert.ok(body.length < MiB);
      const r = await api.request('POST', secretsPath(team.org, env), { token: team.owner.token, raw: body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, r.text.slice(0, 300));
      assertClientProblem(r, 'value over 64 KiB');
    });
  });

  describe('content type', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      it(`answers 415 UNSUPPORTED_MEDIA_TYPE for ${type}`, async () => {
        const r = await api.request('POST', secretsPath(team.org, env), {
          token: team.owner.token,
          raw: '{"key":"WRONG_TYPE","value":"v"}',
          headers: { 'content-type': type },
        });
        assertProblem(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });
    }

    it('accepts application/json with a charset parameter', async () => {
      const r = await api.request('POST', secretsPath(team.org, env), {
        token: team.owner.token,
        raw: '{"key":"CHARSET_OK","value":"v"}',
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      assert.equal(r.status, 201, r.text);
    });

    it('never answers 5xx for a body without a content type', async () => {
      const r = await api.request('POST', secretsPath(team.org, env), { token: team.owner.token, raw: new TextEncoder().encode('{"key":"NO_TYPE","value":"v"}') });
      assertClientProblem(r, 'no content-type');
    });
  });

  describe('hostile bodies', () => {
    const hostile: [string, string | Uint8Array][] = [
      ['truncated JSON', '{"key":"A","value":'],
      ['a lone brace', '{'],
      ['trailing garbage', '{"key":"A","value":"v"} garbage'],
      ['empty body', ''],
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"KEY"'],
      ['a number', '42'],
      ['a boolean', 'true'],
      ['a numeric key', '{"key":123,"value":"v"}'],
      ['an array key', '{"key":["A"],"value":"v"}'],
      ['an operator-object key', '{"key":{"$ne":null},"value":"v"}'],
      ['a null key', '{"key":null,"value":"v"}'],
      ['a numeric value', '{"key":"A","value":123}'],
      ['a null value', '{"key":"A","value":null}'],
      ['an object value', '{"key":"A","value":{"nested":"x"}}'],
      ['an array value', '{"key":"A","value":["x"]}'],
      ['a numeric description', '{"key":"A","value":"v","description":5}'],
      ['a constructor field', '{"key":"A","value":"v","constructor":{"prototype":{"x":1}}}'],
      ['a key with a NUL', '{"key":"A\\u0000B","value":"v"}'],
      ['a 100k-character key', JSON.stringify({ key: 'K'.repeat(100_000), value: 'v' })],
      ['deeply nested arrays', '['.repeat(5000) + ']'.repeat(5000)],
      ['deeply nested objects', '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)],
      ['a lone surrogate', '{"key":"A","value":"\\ud800"}'],
      ['invalid UTF-8 bytes', new Uint8Array([0x7b, 0x22, 0x6b, 0x65, 0x79, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ];

    for (const [label, raw] of hostile) {
      it(`answers a 4xx problem, never a 5xx, for ${label}`, async () => {
        for (const route of bodyRoutes()) {
          const r = await api.request(route.method, route.path, { token: route.token, raw, headers: { 'content-type': 'application/json' } });
          // the bulk reveal body is optional ({ keys? }): no body, or JSON null, means "every secret"
          if ((label === 'empty body' || label === 'null') && route.path.endsWith('/reveal') && r.status === 200) continue;
          const p = assertClientProblem(r, `${label} → ${route.method} ${route.path}`);
          assert.equal(r.status, 400, `${label} → ${route.method} ${route.path}: ${r.status} ${r.text.slice(0, 200)}`);
          const codes: ProblemCode[] = ['VALIDATION_FAILED', 'SECRET_KEY_REQUIRED', 'SECRET_VALUE_REQUIRED', 'SECRET_KEY_INVALID', 'NO_CHANGES'];
          assert.ok(codes.includes(p.code), `${label}: unexpected code ${p.code}`);
        }
        assert.equal((await api.get('/healthz')).status, 200);
      });
    }

    it('never answers 5xx to 300 random JSON shapes (seeded, so a failure reproduces)', async () => {
      let seed = 0x5eed;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const fields = ['key', 'value', 'description', 'keys', 'name', 'email', 'slug', 'role', 'environment', 'expiresAt', '__proto__', 'constructor', ''];
      const scalar = (): unknown =>
        pick([
          () => null,
          () => true,
          () => Math.floor(rand() * 1e6) - 5e5,
          () => rand() * 1e308,
          () => '',
          () => 'A'.repeat(Math.floor(rand() * 300)),
          () => pick(['owner', 'viewer', 'production', 'STRIPE_KEY', '2026-01-01T00:00:00Z', 'not-a-date', '\u0000', '💥', '../..', '%s%n']),
        ])();
      const value = (depth: number): unknown => {
        if (depth > 3 || rand() < 0.5) return scalar();
        if (rand() < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
        return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(fields), value(depth + 1)]));
      };
      for (let i = 0; i < 300; i++) {
        const route = pick(bodyRoutes());
        const body = rand() < 0.7 ? { ...route.valid, [pick(fields)]: value(0) } : value(0);
        const raw = JSON.stringify(body) ?? 'null';
        const r = await api.request(route.method, route.path, { token: route.token, raw, headers: { 'content-type': 'application/json' } });
        assert.ok(r.status < 500, `#${i} ${route.method} ${route.path} ${raw.slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`);
        if (r.status >= 400) assertClientProblem(r, `#${i} ${raw.slice(0, 100)}`);
      }
    });

    it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
      const r = await api.request('POST', secretsPath(team.org, env), { token: team.owner.token, raw: '{"key":', headers: { 'content-type': 'application/json' } });
      assertProblem(r, 400, 'VALIDATION_FAILED');
    });
  });

  describe('hostile paths, queries and headers', () => {
    const paths: [string, string][] = [
      ['an upper-case org slug', '/v1/orgs/UPPER/environments'],
      ['an org slug with a NUL', '/v1/orgs/a%00b/environments'],
      ['a 5,000-character org slug', `/v1/orgs/${'a'.repeat(5000)}/environments`],
      ['an env slug with dots', `/v1/orgs/TEAM/environments/..%2F..%2Fetc/secrets`],
      ['a traversal key', `/v1/orgs/TEAM/environments/production/secrets/..%2F..%2Fpasswd`],
      ['a 5,000-character key', `/v1/orgs/TEAM/environments/production/secrets/${'K'.repeat(5000)}`],
      ['a key with a NUL', `/v1/orgs/TEAM/environments/production/secrets/A%00B`],
      ['a key with percent-garbage', `/v1/orgs/TEAM/environments/production/secrets/%E0%A4%A`],
      ['a 10,000-character search', `/v1/orgs/TEAM/environments/production/secrets?search=${'s'.repeat(10_000)}`],
      ['a search given twice', `/v1/orgs/TEAM/environments/production/secrets?search=a&search=b`],
      ['a non-numeric audit limit', `/v1/orgs/TEAM/audit?limit=abc`],
      ['an audit limit of 0', `/v1/orgs/TEAM/audit?limit=0`],
      ['an audit limit of 501', `/v1/orgs/TEAM/audit?limit=501`],
      ['a negative audit limit', `/v1/orgs/TEAM/audit?limit=-1`],
      ['a garbage audit cursor', `/v1/orgs/TEAM/audit?cursor=%27%3B%20DROP%20TABLE%20audit%3B--`],
      ['a base64 garbage audit cursor', `/v1/orgs/TEAM/audit?cursor=eyJub3QiOiJhIGN1cnNvciJ9`],
      ['a member id that is not an id', `/v1/orgs/TEAM/members/..%2F..`],
      ['a token id that is not an id', `/v1/orgs/TEAM/tokens/${'x'.repeat(3000)}`],
    ];
    for (const [label, template] of paths) {
      it(`answers ${label} with a problem+json 4xx, never a 5xx`, async () => {
        const path = template.replace('TEAM', team.org);
        for (const method of ['GET', 'DELETE']) {
          const r = await api.request(method, path, { token: team.owner.token });
          assert.ok(r.status < 500, `${method} ${label}: ${r.status} ${r.text.slice(0, 300)}`);
          if (r.status >= 400) assertClientProblem(r, `${method} ${label}`);
        }
      });
    }

    it('accepts audit limits of 1 and 500', async () => {
      assert.equal((await api.get(`/v1/orgs/${team.org}/audit?limit=1`, team.owner.token)).status, 200);
      assert.equal((await api.get(`/v1/orgs/${team.org}/audit?limit=500`, team.owner.token)).status, 200);
    });

    it('never answers 5xx to 200 random paths and queries (seeded)', async () => {
      let seed = 0xbad5eed;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const segment = () =>
        pick([
          () => team.org,
          () => 'production',
          () => 'EXISTING',
          () => newcomerId,
          () => encodeURIComponent(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() * 0x2fff)))),
          () => '%' + Math.floor(rand() * 256).toString(16).toUpperCase(),
          () => 'x'.repeat(Math.floor(rand() * 800)),
          () => '..',
          () => '',
        ])();
      const templates = [
        (a: string, b: string, c: string) => `/v1/orgs/${a}`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/members/${b}`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/environments/${b}/secrets/${c}`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/environments/${b}/secrets/${c}/reveal`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/environments/${b}/secrets?search=${c}`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/environments/${b}/reveal`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/tokens/${b}`,
        (a: string, b: string, c: string) => `/v1/orgs/${a}/audit?limit=${b}&cursor=${c}`,
        (a: string, b: string, c: string) => `/v1/me/tokens/${a}`,
        (a: string, b: string, c: string) => `/${a}/${b}/${c}`,
      ];
      for (let i = 0; i < 200; i++) {
        const path = pick(templates)(segment(), segment(), segment());
        const method = pick(['GET', 'DELETE', 'POST', 'PUT', 'PATCH']);
        const r = await api.request(method, path, { token: team.owner.token, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
        assert.ok(r.status < 500, `#${i} ${method} ${path.slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`);
        if (r.status >= 400) assertClientProblem(r, `#${i} ${method} ${path.slice(0, 100)}`);
      }
    });

    for (const [label, limit] of [['0', '0'], ['501', '501'], ['abc', 'abc']] as const) {
      it(`rejects an audit limit of ${label} with 400 VALIDATION_FAILED`, async () => {
        assertProblem(await api.get(`/v1/orgs/${team.org}/audit?limit=${limit}`, team.owner.token), 400, 'VALIDATION_FAILED');
      });
    }

    it('rejects a bad organization slug in POST /v1/orgs with 400 VALIDATION_FAILED', async () => {
      for (const slug of ['Upper', '-leading-dash', 'has space', 'a'.repeat(64), '']) {
        assertProblem(await api.post('/v1/orgs', team.owner.token, { slug, name: 'x' }), 400, 'VALIDATION_FAILED');
      }
    });

    const authHeaders: [string, string][] = [
      ['an empty Bearer', 'Bearer '],
      ['Basic auth', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
      ['an unknown personal token', 'Bearer scrt_pat_' + 'A'.repeat(43)],
      ['an unknown service token', 'Bearer scrt_svc_' + 'A'.repeat(43)],
      ['a token without prefix', 'Bearer ' + 'A'.repeat(64)],
      ['a 10,000-character token', 'Bearer scrt_pat_' + 'A'.repeat(10_000)],
      ['a token with SQL', "Bearer scrt_pat_' OR '1'='1"],
      ['two tokens', 'Bearer a, Bearer b'],
    ];
    for (const [label, value] of authHeaders) {
      it(`answers 401 UNAUTHORIZED for ${label}`, async () => {
        const r = await api.request('GET', secretsPath(team.org, env), { headers: { authorization: value } });
        assertProblem(r, 401, 'UNAUTHORIZED');
        // RFC 9110 §11.6.1 / RFC 6750: a 401 names the scheme to use
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b/);
      });
    }
  });

  describe('routes and methods', () => {
    it('answers an unknown route with 404 NOT_FOUND as problem+json', async () => {
      assertProblem(await api.get('/v1/no-such-thing', team.owner.token), 404, 'NOT_FOUND');
      assertProblem(await api.get('/v2/orgs', team.owner.token), 404, 'NOT_FOUND');
    });

    it('answers a known route with the wrong method with 405 METHOD_NOT_ALLOWED', async () => {
      const r = await api.del('/v1/orgs', team.owner.token);
      assertProblem(r, 405, 'METHOD_NOT_ALLOWED');
      // RFC 9110 §15.5.6: a 405 carries the methods the route does accept
      assert.deepEqual((r.headers.get('allow') ?? '').split(/,\s*/).sort(), ['GET', 'POST']);
      assertProblem(await api.put(secretsPath(team.org, env), team.owner.token, {}), 405, 'METHOD_NOT_ALLOWED');
    });
  });
});
