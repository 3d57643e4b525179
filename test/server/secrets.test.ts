// Secrets under /v1/orgs/{org}/environments/{env}/secrets, against the live server: list + search
// (metadata only), create, get with ETag, reveal, PATCH with If-Match, DELETE.
import assert from 'node:assert/strict';
import type { RevealedSecret, SecretMeta } from '../../core/api-types.ts';
import { KEY_MESSAGES } from '../../core/secret-key.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { createSecret, createTeam, reveal, secretPath, secretsPath, unique, type Team } from './support/fixtures.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('server: secrets', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let org: string;
  const env = 'production';

  before(async function () {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    org = team.org;
  });
  after(() => stopAndRemove(server));

  describe('create', () => {
    it('answers 201 with metadata, version 1, ETag "1", and never echoes the value', async () => {
      const value = 'sk_live_create_' + unique('v');
      const r = await api.post<SecretMeta>(secretsPath(org, env), team.editor.token, {
        key: 'STRIPE_KEY',
        value,
        description: 'Stripe live key',
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('etag'), '"1"');
      assert.equal(r.body.key, 'STRIPE_KEY');
      assert.equal(r.body.description, 'Stripe live key');
      assert.equal(r.body.version, 1);
      assert.match(r.body.createdAt, ISO);
      assert.match(r.body.updatedAt, ISO);
      assert.equal(r.body.createdBy, team.editor.user.name);
      assert.equal(r.body.updatedBy, team.editor.user.name);
      assert.ok(!('value' in r.body), 'create response must not carry the value');
      assert.ok(!r.text.includes(value), 'create response must not contain the value');
    });

    it('uppercases the key', async () => {
      const meta = await createSecret(api, team.editor.token, org, env, 'lower_case_key', 'v1');
      assert.equal(meta.key, 'LOWER_CASE_KEY');
      assert.equal(await reveal(api, team.editor.token, org, env, 'LOWER_CASE_KEY'), 'v1');
    });

    it('defaults a missing description to an empty string', async () => {
      const meta = await createSecret(api, team.editor.token, org, env, 'NO_DESCRIPTION', 'v');
      assert.equal(meta.description, '');
    });

    it('accepts keys that start with an underscore and keys of exactly 128 characters', async () => {
      await createSecret(api, team.editor.token, org, env, '_UNDERSCORE_1', 'v');
      await createSecret(api, team.editor.token, org, env, 'K'.repeat(128), 'v');
    });

    for (const [label, key] of [
      ['starts with a digit', '1ABC'],
      ['contains a hyphen', 'A-B'],
      ['contains a space', 'A B'],
      ['contains a dot', 'A.B'],
      ['is longer than 128 characters', 'K'.repeat(129)],
      ['contains a non-ASCII letter', 'CAFÉ_KEY'],
    ] as const) {
      it(`rejects a key that ${label} with SECRET_KEY_INVALID and the product message`, async () => {
        const r = await api.post(secretsPath(org, env), team.editor.token, { key, value: 'v' });
        assertProblem(r, 400, 'SECRET_KEY_INVALID', KEY_MESSAGES.invalid);
      });
    }

    it('rejects an empty key with "Secret key is required"', async () => {
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: '', value: 'v' });
      assertProblem(r, 400, 'SECRET_KEY_REQUIRED', 'Secret key is required');
    });

    it('rejects a missing key with "Secret key is required"', async () => {
      const r = await api.post(secretsPath(org, env), team.editor.token, { value: 'v' });
      assertProblem(r, 400, 'SECRET_KEY_REQUIRED', 'Secret key is required');
    });

    it('rejects an empty value with "Secret value is required"', async () => {
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: 'EMPTY_VALUE', value: '' });
      assertProblem(r, 400, 'SECRET_VALUE_REQUIRED', 'Secret value is required');
    });

    it('rejects a missing value with "Secret value is required"', async () => {
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: 'MISSING_VALUE' });
      assertProblem(r, 400, 'SECRET_VALUE_REQUIRED', 'Secret value is required');
      const g = await api.get(secretPath(org, env, 'MISSING_VALUE'), team.editor.token);
      assert.equal(g.status, 404, 'a rejected create must not leave a secret behind');
    });

    it('refuses a duplicate key in the same environment with 409 SECRET_EXISTS, whatever its case', async () => {
      await createSecret(api, team.editor.token, org, env, 'DUPLICATE_ME', 'first');
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: 'duplicate_me', value: 'second' });
      assertProblem(r, 409, 'SECRET_EXISTS', 'A secret with the key DUPLICATE_ME already exists in production');
      assert.equal(await reveal(api, team.editor.token, org, env, 'DUPLICATE_ME'), 'first', 'the original value is untouched');
    });

    it('answers concurrent creates of one key with exactly one 201 and 409s, never a 500', async () => {
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => api.post(secretsPath(org, env), team.editor.token, { key: 'RACE_CREATE', value: `v${i}` })),
      );
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409], replies.map((r) => r.text).join('\n'));
      for (const r of replies.filter((x) => x.status === 409)) assertProblem(r, 409, 'SECRET_EXISTS');
    });

    it('stores values byte for byte (unicode, newlines, JSON-looking text)', async () => {
      const value = 'multi\nline\r\n{"json": true} — ünïcødé 🔑 \u0000 end';
      await createSecret(api, team.editor.token, org, env, 'EXACT_BYTES', value);
      assert.equal(await reveal(api, team.editor.token, org, env, 'EXACT_BYTES'), value);
    });

    it('accepts a value of exactly 64 KiB and rejects one byte more with 400', async () => {
      await createSecret(api, team.editor.token, org, env, 'BIG_VALUE', 'x'.repeat(64 * 1024));
      assert.equal((await reveal(api, team.editor.token, org, env, 'BIG_VALUE')).length, 64 * 1024);
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: 'TOO_BIG_VALUE', value: 'x'.repeat(64 * 1024 + 1) });
      assert.equal(r.status, 400, r.text.slice(0, 300));
      // multi-byte characters count as UTF-8 bytes: 21,846 × 3 bytes > 64 KiB
      const r2 = await api.post(secretsPath(org, env), team.editor.token, { key: 'TOO_BIG_UTF8', value: '€'.repeat(21846) });
      assert.equal(r2.status, 400, r2.text.slice(0, 300));
    });

    it('accepts a description of 1,000 characters and rejects 1,001 with 400 VALIDATION_FAILED', async () => {
      await createSecret(api, team.editor.token, org, env, 'LONG_DESCRIPTION', 'v', 'd'.repeat(1000));
      const r = await api.post(secretsPath(org, env), team.editor.token, { key: 'TOO_LONG_DESCRIPTION', value: 'v', description: 'd'.repeat(1001) });
      assertProblem(r, 400, 'VALIDATION_FAILED');
    });
  });

  describe('get', () => {
    it('returns metadata with the version as a quoted ETag, and no value', async () => {
      const value = 'get-me-' + unique('v');
      await createSecret(api, team.editor.token, org, env, 'GET_ME', value, 'desc');
      const r = await api.get<SecretMeta>(secretPath(org, env, 'GET_ME'), team.viewer.token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('etag'), '"1"');
      assert.deepEqual(Object.keys(r.body).sort(), ['createdAt', 'createdBy', 'description', 'execRisk', 'key', 'updatedAt', 'updatedBy', 'version', 'workspaces']);
      assert.equal(r.body.key, 'GET_ME');
      assert.ok(!r.text.includes(value));
    });

    it('treats the key in the path case-insensitively', async () => {
      await createSecret(api, team.editor.token, org, env, 'MIXED_CASE_PATH', 'v');
      const r = await api.get<SecretMeta>(secretPath(org, env, 'mixed_Case_path'), team.viewer.token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.key, 'MIXED_CASE_PATH');
    });

    it('answers 404 SECRET_NOT_FOUND for a key that does not exist', async () => {
      const r = await api.get(secretPath(org, env, 'NOPE_NOT_HERE'), team.viewer.token);
      assertProblem(r, 404, 'SECRET_NOT_FOUND', 'Secret NOPE_NOT_HERE does not exist in production');
    });

    it('answers 404 ENVIRONMENT_NOT_FOUND for an unknown environment', async () => {
      const r = await api.get(secretsPath(org, 'staging2'), team.viewer.token);
      assertProblem(r, 404, 'ENVIRONMENT_NOT_FOUND', `Environment staging2 does not exist in ${org}`);
    });
  });

  describe('reveal', () => {
    it('returns key, value and version', async () => {
      await createSecret(api, team.editor.token, org, env, 'REVEAL_ME', 'the-value');
      const r = await api.post<RevealedSecret>(`${secretPath(org, env, 'reveal_me')}/reveal`, team.editor.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { key: 'REVEAL_ME', value: 'the-value', version: 1 });
      assert.match(r.headers.get('cache-control') ?? '', /no-store/, 'a revealed value must not be cached by any intermediary');
    });

    it('answers 404 SECRET_NOT_FOUND when revealing a missing key', async () => {
      const r = await api.post(`${secretPath(org, env, 'NOT_THERE')}/reveal`, team.editor.token);
      assertProblem(r, 404, 'SECRET_NOT_FOUND', 'Secret NOT_THERE does not exist in production');
    });
  });

  describe('list and search', () => {
    const listEnv = 'staging';
    const values: Record<string, string> = {
      STRIPE_KEY: 'list-canary-stripe-8f2a',
      STRIPE_WEBHOOK: 'list-canary-webhook-77c1',
      DATABASE_URL: 'postgres://list-canary-db-3b9e',
      ABXCD: 'list-canary-abxcd-0d0d',
    };
    before(async () => {
      for (const [key, value] of Object.entries(values)) await createSecret(api, team.editor.token, org, listEnv, key, value);
    });

    const list = async (search?: string) => {
      const q = search === undefined ? '' : `?search=${encodeURIComponent(search)}`;
      const r = await api.get<{ secrets: SecretMeta[] }>(secretsPath(org, listEnv) + q, team.viewer.token);
      assert.equal(r.status, 200, r.text);
      for (const v of Object.values(values)) assert.ok(!r.text.includes(v), 'a list never carries values');
      for (const s of r.body.secrets) assert.ok(!('value' in s), 'a list entry has no value field');
      return r.body.secrets.map((s) => s.key);
    };

    it('lists metadata only, sorted by key', async () => {
      const r = await api.get<{ secrets: SecretMeta[] }>(secretsPath(org, listEnv), team.viewer.token);
      assert.equal(r.status, 200);
      for (const s of r.body.secrets) {
        assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'createdBy', 'description', 'execRisk', 'key', 'updatedAt', 'updatedBy', 'version', 'workspaces']);
      }
      assert.deepEqual(await list(), ['ABXCD', 'DATABASE_URL', 'STRIPE_KEY', 'STRIPE_WEBHOOK']);
    });

    it('searches case-insensitively on any part of the key', async () => {
      assert.deepEqual(await list('stripe'), ['STRIPE_KEY', 'STRIPE_WEBHOOK']);
      assert.deepEqual(await list('StRiPe_K'), ['STRIPE_KEY']);
      assert.deepEqual(await list('hook'), ['STRIPE_WEBHOOK']);
      assert.deepEqual(await list('_url'), ['DATABASE_URL']);
      assert.deepEqual(await list('nothing-like-this'), []);
      assert.deepEqual(await list(''), ['ABXCD', 'DATABASE_URL', 'STRIPE_KEY', 'STRIPE_WEBHOOK'], 'an empty search lists everything');
    });

    it('treats search text literally (no SQL wildcards)', async () => {
      assert.deepEqual(await list('%'), []);
      assert.deepEqual(await list('B_C'), [], '"_" must not match any character');
      assert.deepEqual(await list("' OR 1=1 --"), []);
    });

    it('does not search in values or descriptions', async () => {
      assert.deepEqual(await list('canary'), []);
    });

    it('answers an empty list for an environment with no secrets', async () => {
      const other = await createTeam(api, server.adminToken);
      const r2 = await api.get<{ secrets: SecretMeta[] }>(secretsPath(other.org, 'development'), other.viewer.token);
      assert.equal(r2.status, 200);
      assert.deepEqual(r2.body, { secrets: [] });
    });
  });

  describe('update (PATCH)', () => {
    it('changes the value, increments the version and the ETag, and records who updated it', async () => {
      const created = await createSecret(api, team.owner.token, org, env, 'PATCH_VALUE', 'old');
      const r = await api.patch<SecretMeta>(secretPath(org, env, 'PATCH_VALUE'), team.editor.token, { value: 'canary-patched-value-9a41' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.version, 2);
      assert.equal(r.headers.get('etag'), '"2"');
      assert.equal(r.body.createdBy, team.owner.user.name);
      assert.equal(r.body.updatedBy, team.editor.user.name);
      assert.equal(r.body.createdAt, created.createdAt);
      assert.ok(Date.parse(r.body.updatedAt) >= Date.parse(created.updatedAt));
      assert.ok(!r.text.includes('canary-patched-value-9a41'), 'PATCH response carries no value');
      assert.equal(await reveal(api, team.editor.token, org, env, 'PATCH_VALUE'), 'canary-patched-value-9a41');
      const g = await api.get(secretPath(org, env, 'PATCH_VALUE'), team.viewer.token);
      assert.equal(g.headers.get('etag'), '"2"');
    });

    it('changes only the description when the value is absent, keeping the value', async () => {
      await createSecret(api, team.editor.token, org, env, 'PATCH_DESC', 'keep-me', 'before');
      const r = await api.patch<SecretMeta>(secretPath(org, env, 'PATCH_DESC'), team.editor.token, { description: 'after' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.description, 'after');
      assert.equal(r.body.version, 2);
      assert.equal(await reveal(api, team.editor.token, org, env, 'PATCH_DESC'), 'keep-me');
    });

    it('keeps the current value when the value is an empty string', async () => {
      await createSecret(api, team.editor.token, org, env, 'PATCH_EMPTY', 'keep-me-too', 'before');
      const r = await api.patch<SecretMeta>(secretPath(org, env, 'PATCH_EMPTY'), team.editor.token, { value: '', description: 'after' });
      assert.equal(r.status, 200, r.text);
      assert.equal(await reveal(api, team.editor.token, org, env, 'PATCH_EMPTY'), 'keep-me-too');
    });

    it('answers "No changes to save" for an empty body, an empty value alone, or an unchanged description', async () => {
      await createSecret(api, team.editor.token, org, env, 'PATCH_NOTHING', 'v', 'same');
      for (const body of [{}, { value: '' }, { description: 'same' }, { value: '', description: 'same' }]) {
        const r = await api.patch(secretPath(org, env, 'PATCH_NOTHING'), team.editor.token, body);
        assertProblem(r, 400, 'NO_CHANGES', 'No changes to save');
      }
      const g = await api.get<SecretMeta>(secretPath(org, env, 'PATCH_NOTHING'), team.viewer.token);
      assert.equal(g.body.version, 1, 'a refused PATCH does not bump the version');
    });

    it('applies the change when If-Match names the current version', async () => {
      await createSecret(api, team.editor.token, org, env, 'IF_MATCH_OK', 'v1');
      const r = await api.patch<SecretMeta>(secretPath(org, env, 'IF_MATCH_OK'), team.editor.token, { value: 'v2' }, { 'if-match': '"1"' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.version, 2);
    });

    it('refuses a stale If-Match with 412 STALE_VERSION and leaves the secret as it was', async () => {
      await createSecret(api, team.editor.token, org, env, 'IF_MATCH_STALE', 'v1');
      await api.patch(secretPath(org, env, 'IF_MATCH_STALE'), team.editor.token, { value: 'v2' });
      await api.patch(secretPath(org, env, 'IF_MATCH_STALE'), team.editor.token, { value: 'v3' });
      const r = await api.patch(secretPath(org, env, 'IF_MATCH_STALE'), team.editor.token, { value: 'lost-update' }, { 'if-match': '"2"' });
      assertProblem(r, 412, 'STALE_VERSION', 'Secret IF_MATCH_STALE was changed by someone else (version 3 is current, you had 2)');
      assert.ok(!r.text.includes('lost-update'));
      assert.equal(await reveal(api, team.editor.token, org, env, 'IF_MATCH_STALE'), 'v3');
    });

    it('lets exactly one of two concurrent PATCHes with the same If-Match win', async () => {
      await createSecret(api, team.editor.token, org, env, 'RACE', 'v1');
      const [a, b] = await Promise.all([
        api.patch(secretPath(org, env, 'RACE'), team.editor.token, { value: 'a' }, { 'if-match': '"1"' }),
        api.patch(secretPath(org, env, 'RACE'), team.owner.token, { value: 'b' }, { 'if-match': '"1"' }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 412]);
      const winner = a.status === 200 ? 'a' : 'b';
      assert.equal(await reveal(api, team.editor.token, org, env, 'RACE'), winner);
    });

    it('gives concurrent PATCHes without If-Match distinct consecutive versions, and the last one wins', async () => {
      await createSecret(api, team.editor.token, org, env, 'CONCURRENT_PATCH', 'v0');
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.patch<SecretMeta>(secretPath(org, env, 'CONCURRENT_PATCH'), team.editor.token, { value: `p${i}` })),
      );
      for (const r of replies) assert.equal(r.status, 200, r.text);
      const versions = replies.map((r) => r.body.version).sort((a, b) => a - b);
      assert.deepEqual(versions, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const last = replies.find((r) => r.body.version === 11)!;
      const lastValue = `p${replies.indexOf(last)}`;
      assert.equal(await reveal(api, team.editor.token, org, env, 'CONCURRENT_PATCH'), lastValue);
    });

    it('cannot rename a key: "key" in the body is an unknown field', async () => {
      await createSecret(api, team.editor.token, org, env, 'NO_RENAME', 'v');
      const r = await api.patch(secretPath(org, env, 'NO_RENAME'), team.editor.token, { key: 'RENAMED', value: 'v2' });
      assertProblem(r, 400, 'VALIDATION_FAILED');
      assert.equal((await api.get(secretPath(org, env, 'RENAMED'), team.viewer.token)).status, 404);
      assert.equal(await reveal(api, team.editor.token, org, env, 'NO_RENAME'), 'v');
    });

    it('answers 404 SECRET_NOT_FOUND when patching a missing key', async () => {
      const r = await api.patch(secretPath(org, env, 'PATCH_MISSING'), team.editor.token, { value: 'x' });
      assertProblem(r, 404, 'SECRET_NOT_FOUND', 'Secret PATCH_MISSING does not exist in production');
    });
  });

  describe('delete', () => {
    it('answers 204 and the secret is gone from get, reveal and list', async () => {
      await createSecret(api, team.editor.token, org, env, 'DELETE_ME', 'bye');
      const r = await api.del(secretPath(org, env, 'delete_me'), team.admin.token);
      assert.equal(r.status, 204, r.text);
      assert.equal(r.text, '');
      assertProblem(await api.get(secretPath(org, env, 'DELETE_ME'), team.viewer.token), 404, 'SECRET_NOT_FOUND');
      assertProblem(await api.post(`${secretPath(org, env, 'DELETE_ME')}/reveal`, team.editor.token), 404, 'SECRET_NOT_FOUND');
      const list = await api.get<{ secrets: SecretMeta[] }>(secretsPath(org, env) + '?search=DELETE_ME', team.viewer.token);
      assert.deepEqual(list.body.secrets, []);
    });

    it('answers 404 on a second delete, and a re-created key starts again at version 1 with the new value', async () => {
      await createSecret(api, team.editor.token, org, env, 'DELETE_TWICE', 'first');
      await api.patch(secretPath(org, env, 'DELETE_TWICE'), team.editor.token, { value: 'second' });
      assert.equal((await api.del(secretPath(org, env, 'DELETE_TWICE'), team.admin.token)).status, 204);
      assertProblem(await api.del(secretPath(org, env, 'DELETE_TWICE'), team.admin.token), 404, 'SECRET_NOT_FOUND');
      const again = await createSecret(api, team.editor.token, org, env, 'DELETE_TWICE', 'third');
      assert.equal(again.version, 1);
      assert.equal(await reveal(api, team.editor.token, org, env, 'DELETE_TWICE'), 'third');
    });
  });
});
