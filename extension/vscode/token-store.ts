// Tokens live only in VS Code's SecretStorage (the OS keychain on desktop), never in settings, one per
// server origin: a token is only ever read back for the origin it was given for (see token-origin.ts).
import type * as vscode from 'vscode';
import { LEGACY_TOKEN_KEY, originOf, tokenStorageKey, type OriginToken } from '../logic/token-origin.ts';

export class TokenStore {
  readonly #storage: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>;
  constructor(storage: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>) {
    this.#storage = storage;
  }

  async get(origin: string): Promise<OriginToken | undefined> {
    const o = originOf(origin);
    const token = await this.#storage.get(tokenStorageKey(o));
    return token ? { origin: o, token } : undefined;
  }

  async set(t: OriginToken): Promise<void> {
    await this.#storage.store(tokenStorageKey(t.origin), t.token);
  }

  async clear(origin: string): Promise<void> {
    await this.#storage.delete(tokenStorageKey(origin));
  }

  /**
   * Deletes the single token earlier versions stored without its server; true when there was one.
   * Which server it was used with cannot be known, so the user is asked for the token again.
   */
  async dropLegacy(): Promise<boolean> {
    if ((await this.#storage.get(LEGACY_TOKEN_KEY)) === undefined) return false;
    await this.#storage.delete(LEGACY_TOKEN_KEY);
    return true;
  }
}
