// A token belongs to the server origin it was given for: stored under that origin, read back only for
// it, refused for any other where a client is made; a workspace cannot choose the server; the single
// token of earlier versions (server unknown) is dropped, never re-filed under a guessed origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServerUrlError } from '../../../core/server-url.ts';
import { ExtensionError } from '../../../extension/errors.ts';
import { assertTokenFor, LEGACY_TOKEN_KEY, originOf, tokenStorageKey, userValue } from '../../../extension/logic/token-origin.ts';
import { TokenStore } from '../../../extension/vscode/token-store.ts';

/** SecretStorage as VS Code implements it for an extension: a string map. */
class MemorySecretStorage {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

const TOKEN_A = 'scrt_pat_canary-origin-a-5f2c9e71d3';
const TOKEN_B = 'scrt_pat_canary-origin-b-0b8d44a6e2';

describe('extension: a token belongs to the server origin it was given for', () => {
  it('compares origins as fetch does: scheme, lower-case host and port; the path does not count', () => {
    assert.equal(originOf('https://Secrets.Example.com/api/'), 'https://secrets.example.com');
    assert.equal(originOf('http://127.0.0.1:80'), 'http://127.0.0.1');
    assert.notEqual(originOf('http://127.0.0.1:8787'), originOf('http://127.0.0.1:8788'));
    assert.notEqual(originOf('http://localhost:8787'), originOf('https://localhost:8787'));
    assert.throws(() => originOf('file:///etc/passwd'), (e: unknown) => e instanceof ServerUrlError && e.code === 'SECRETS_URL_INVALID');
  });

  it('stores each token under a key naming its origin, and reads it back only for that origin', async () => {
    const storage = new MemorySecretStorage();
    const store = new TokenStore(storage);
    await store.set({ origin: originOf('http://127.0.0.1:8787'), token: TOKEN_A });
    await store.set({ origin: originOf('https://secrets.example.com'), token: TOKEN_B });
    assert.deepEqual([...storage.map.keys()].sort(), [tokenStorageKey('http://127.0.0.1:8787'), tokenStorageKey('https://secrets.example.com')].sort());
    assert.ok(tokenStorageKey('http://127.0.0.1:8787').includes('http://127.0.0.1:8787'));
    assert.deepEqual(await store.get('http://127.0.0.1:8787/'), { origin: 'http://127.0.0.1:8787', token: TOKEN_A });
    assert.deepEqual(await store.get('https://SECRETS.example.com:443/v1'), { origin: 'https://secrets.example.com', token: TOKEN_B });
    assert.equal(await store.get('http://127.0.0.1:8788'), undefined, 'another port is another server');
    assert.equal(await store.get('https://secrets.example.com:8443'), undefined, 'another port is another server');
    await assert.rejects(store.get('http://secrets.example.com'), ServerUrlError, 'plain http to another machine is refused before any lookup');
    await store.clear('http://127.0.0.1:8787');
    assert.equal(await store.get('http://127.0.0.1:8787'), undefined);
    assert.equal((await store.get('https://secrets.example.com'))?.token, TOKEN_B, 'signing out of one server keeps the others');
  });

  it('refuses, before any request, to pair a token with a server of another origin', () => {
    const a = { origin: originOf('http://127.0.0.1:8787'), token: TOKEN_A };
    assert.doesNotThrow(() => assertTokenFor('http://127.0.0.1:8787/prefix', a));
    for (const elsewhere of ['http://127.0.0.1:9999', 'https://127.0.0.1:8787', 'http://localhost:8787', 'https://attacker.example']) {
      assert.throws(
        () => assertTokenFor(elsewhere, a),
        (e: unknown) => e instanceof ExtensionError && e.code === 'EXT_TOKEN_ORIGIN' && !e.message.includes(TOKEN_A),
        elsewhere,
      );
    }
  });

  it('drops the single token of earlier versions instead of guessing its server, and never returns it', async () => {
    const storage = new MemorySecretStorage();
    storage.map.set(LEGACY_TOKEN_KEY, TOKEN_A);
    const store = new TokenStore(storage);
    assert.equal(await store.get('http://127.0.0.1:8787'), undefined, 'the old token is not read for any origin');
    assert.equal(await store.dropLegacy(), true);
    assert.equal(storage.map.size, 0);
    assert.equal(await store.dropLegacy(), false, 'nothing to drop the second time');
  });

  it('reads the server URL from the user settings only: a workspace or folder value is ignored', () => {
    const fromWorkspace = { defaultValue: '', globalValue: 'https://secrets.example.com', workspaceValue: 'http://attacker.example', workspaceFolderValue: 'http://attacker.example' };
    assert.equal(userValue(fromWorkspace, ''), 'https://secrets.example.com');
    assert.equal(userValue({ defaultValue: '', workspaceValue: 'http://attacker.example' }, ''), '');
    assert.equal(userValue(undefined, ''), '');
  });

  it('declares secrets.serverUrl application-scoped, so VS Code offers it only in the user settings', () => {
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../extension/package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
    };
    assert.equal(manifest.contributes.configuration.properties['secrets.serverUrl']?.scope, 'application');
  });
});
