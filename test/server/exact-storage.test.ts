// Values and keys are stored exactly, or refused (issue 8, item 3), against the live server: a value or
// description that UTF-8 cannot carry (a lone UTF-16 surrogate from a `\ud800` escape, invalid bytes)
// is a 400 instead of turning into U+FFFD; a key with a non-ASCII letter is refused instead of being
// uppercased onto an ASCII key; a body in another charset is a 415.
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { bulkRevealPath, createSecret, reveal, secretPath, secretsPath } from './support/fixtures.ts';
import { canary } from './helpers-api.ts';

const ORG = 'default';
const ENV = 'production';

describe('server: values and keys are stored exactly, or refused', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let token: string;
  const original = canary('DB_PASSWORD');

  before(async () => {
    server = await startServer();
    api = http(server.url);
    token = server.adminToken;
    await createSecret(api, token, ORG, ENV, 'DB_PASSWORD', original, 'the real one');
  });
  after(() => stopAndRemove(server));

  const postRaw = (path: string, raw: string | Uint8Array, method = 'POST', contentType = 'application/json') =>
    api.request(method, path, { token, raw, headers: { 'content-type': contentType } });

  describe('values and descriptions', () => {
    // JSON text as sent on the wire: each escape decodes to a lone surrogate in JavaScript.
    const lone: [string, string][] = [
      ['a lone high surrogate', '\\ud800'],
      ['a lone low surrogate', '\\udc00'],
      ['a high surrogate at the end of a longer value', 'abc\\ud83d'],
      ['two surrogates in the wrong order', '\\ude00\\ud83d'],
    ];
    for (const [what, escaped] of lone) {
      it(`refuses a value with ${what} with a 400 naming the field, and stores nothing`, async () => {
        const r = await postRaw(secretsPath(ORG, ENV), `{"key":"LONE_SURROGATE","value":"${escaped}"}`);
        const p = assertProblem(r, 400, 'VALIDATION_FAILED', /^body\.value: must be valid Unicode text/);
        assert.deepEqual(p.errors?.map((e) => e.path), ['body.value']);
        assert.equal((await api.get(secretPath(ORG, ENV, 'LONE_SURROGATE'), token)).status, 404);
      });
    }

    it('refuses a lone surrogate in an update of the value or description, and keeps the secret as it was', async () => {
      const value = await postRaw(secretPath(ORG, ENV, 'DB_PASSWORD'), '{"value":"x\\ud800"}', 'PATCH');
      assertProblem(value, 400, 'VALIDATION_FAILED', /^body\.value: /);
      const description = await postRaw(secretPath(ORG, ENV, 'DB_PASSWORD'), '{"description":"\\udfff"}', 'PATCH');
      assertProblem(description, 400, 'VALIDATION_FAILED', /^body\.description: /);
      assert.equal(await reveal(api, token, ORG, ENV, 'DB_PASSWORD'), original);
      const meta = await api.get<{ version: number; description: string }>(secretPath(ORG, ENV, 'DB_PASSWORD'), token);
      assert.equal(meta.body.version, 1);
      assert.equal(meta.body.description, 'the real one');
    });

    it('refuses a lone surrogate in a description on create', async () => {
      const r = await postRaw(secretsPath(ORG, ENV), '{"key":"LONE_DESCRIPTION","value":"v","description":"\\ud800 note"}');
      assertProblem(r, 400, 'VALIDATION_FAILED', /^body\.description: /);
      assert.equal((await api.get(secretPath(ORG, ENV, 'LONE_DESCRIPTION'), token)).status, 404);
    });

    it('refuses invalid UTF-8 bytes inside a JSON string instead of storing U+FFFD', async () => {
      const head = new TextEncoder().encode('{"key":"BAD_BYTES","value":"ab');
      const tail = new TextEncoder().encode('cd"}');
      for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80] /* CESU-8 surrogate */, [0xc0, 0xaf] /* overlong */]) {
        const r = await postRaw(secretsPath(ORG, ENV), new Uint8Array([...head, ...bad, ...tail]));
        assertProblem(r, 400, 'VALIDATION_FAILED', 'The request body is not valid UTF-8');
      }
      assert.equal((await api.get(secretPath(ORG, ENV, 'BAD_BYTES'), token)).status, 404);
    });

    it('stores well-formed text outside the BMP (a surrogate pair) exactly', async () => {
      const value = `${canary('PAIRED')}-😀-𝄞-\u{10FFFF}`;
      await createSecret(api, token, ORG, ENV, 'PAIRED_SURROGATES', value, 'emoji 🔑');
      assert.equal(await reveal(api, token, ORG, ENV, 'PAIRED_SURROGATES'), value);
    });
  });

  describe('keys are ASCII before they are uppercased', () => {
    // Each uppercases (or looks like) an ASCII key in Unicode: DB_PAſſWORD.toUpperCase() === 'DB_PASSWORD'.
    const lookalikes = ['DB_PAſſWORD', 'db_paſſword', 'DB_PASSWORD\u212A', 'ᴅB_PASSWORD', 'DB_PASSWORD\u00a0', 'ı', 'straße', 'DB_PASSWORＤ'];

    for (const key of lookalikes) {
      it(`refuses ${JSON.stringify(key)} on create, read, update, delete, reveal and bulk reveal; DB_PASSWORD is untouched`, async () => {
        const message = /^Secret key must start with a letter or underscore and contain only A–Z, 0–9 and _/;
        assertProblem(await api.post(secretsPath(ORG, ENV), token, { key, value: canary('IMPOSTOR') }), 400, 'SECRET_KEY_INVALID', message);
        assertProblem(await api.get(secretPath(ORG, ENV, key), token), 400, 'SECRET_KEY_INVALID', message);
        assertProblem(await api.patch(secretPath(ORG, ENV, key), token, { value: canary('OVERWRITE') }), 400, 'SECRET_KEY_INVALID', message);
        const revealed = await api.post(`${secretPath(ORG, ENV, key)}/reveal`, token);
        assertProblem(revealed, 400, 'SECRET_KEY_INVALID', message);
        assert.ok(!revealed.text.includes(original));
        const bulk = await api.post(bulkRevealPath(ORG, ENV), token, { keys: [key] });
        assertProblem(bulk, 400, 'SECRET_KEY_INVALID', message);
        assert.ok(!bulk.text.includes(original));
        assertProblem(await api.del(secretPath(ORG, ENV, key), token), 400, 'SECRET_KEY_INVALID', message);

        assert.equal(await reveal(api, token, ORG, ENV, 'DB_PASSWORD'), original);
        const meta = await api.get<{ version: number }>(secretPath(ORG, ENV, 'DB_PASSWORD'), token);
        assert.equal(meta.body.version, 1);
      });
    }

    it('still uppercases ASCII keys as typed', async () => {
      assert.equal(await reveal(api, token, ORG, ENV, 'db_password'), original);
    });

    it('does not fold a search onto ASCII either: "paſſ" finds nothing, "pass" finds DB_PASSWORD', async () => {
      const search = async (q: string) =>
        (await api.get<{ secrets: { key: string }[] }>(`${secretsPath(ORG, ENV)}?search=${encodeURIComponent(q)}`, token)).body.secrets.map((s) => s.key);
      assert.deepEqual(await search('paſſ'), []);
      assert.deepEqual(await search('pass'), ['DB_PASSWORD']);
    });
  });

  describe('charset', () => {
    for (const type of ['application/json; charset=latin1', 'application/json; charset=ISO-8859-1', 'application/json; charset="utf-16"', 'application/json;charset=windows-1252']) {
      it(`answers 415 UNSUPPORTED_MEDIA_TYPE for ${type}, and stores nothing`, async () => {
        const latin1 = new Uint8Array([...new TextEncoder().encode('{"key":"LATIN1","value":"caf'), 0xe9, ...new TextEncoder().encode('"}')]);
        const r = await postRaw(secretsPath(ORG, ENV), latin1, 'POST', type);
        assertProblem(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
        assert.equal((await api.get(secretPath(ORG, ENV, 'LATIN1'), token)).status, 404);
      });
    }

    it('accepts UTF-8 however it is spelled', async () => {
      for (const [i, type] of ['application/json; charset=UTF-8', 'application/json; charset="utf-8"', 'application/json;charset=utf8'].entries()) {
        const r = await postRaw(secretsPath(ORG, ENV), `{"key":"SPELLED_${i}","value":"café"}`, 'POST', type);
        assert.equal(r.status, 201, `${type}: ${r.text}`);
        assert.equal(await reveal(api, token, ORG, ENV, `SPELLED_${i}`), 'café');
      }
    });
  });
});
