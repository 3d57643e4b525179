// The token lives only in VS Code's SecretStorage (the OS keychain on desktop), never in settings.
import type * as vscode from 'vscode';

const KEY = 'secrets.token';

export class TokenStore {
  readonly #storage: vscode.SecretStorage;
  constructor(storage: vscode.SecretStorage) {
    this.#storage = storage;
  }
  get(): Thenable<string | undefined> {
    return this.#storage.get(KEY);
  }
  set(token: string): Thenable<void> {
    return this.#storage.store(KEY, token);
  }
  clear(): Thenable<void> {
    return this.#storage.delete(KEY);
  }
}
