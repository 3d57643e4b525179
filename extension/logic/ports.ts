// The two things command logic talks to: the secrets API (core's SecretsClient satisfies this
// structurally) and a small UI port (prompts, confirmations, clipboard) that the VS Code adapter
// implements. Logic never imports `vscode`, so it runs under plain mocha against the live server.
import type { Environment, Me, Org, RevealedSecret, SecretMeta } from '../../core/api-types.ts';

export interface SecretsApi {
  me(): Promise<Me>;
  listOrgs(): Promise<Org[]>;
  listEnvironments(org: string): Promise<Environment[]>;
  listSecrets(org: string, env: string, opts?: { search?: string }): Promise<SecretMeta[]>;
  getSecret(org: string, env: string, key: string): Promise<SecretMeta>;
  revealSecret(org: string, env: string, key: string): Promise<RevealedSecret>;
  createSecret(org: string, env: string, body: { key: string; value: string; description?: string }): Promise<SecretMeta>;
  updateSecret(
    org: string,
    env: string,
    key: string,
    body: { value?: string; description?: string },
    opts?: { ifMatch?: number },
  ): Promise<SecretMeta>;
  deleteSecret(org: string, env: string, key: string): Promise<void>;
}

export interface InputOptions {
  title: string;
  prompt?: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Rewrites the text as it is typed (keys are uppercased live). */
  transform?: (value: string) => string;
  /** A message when the text is unacceptable, undefined when it is fine; shown live. */
  validate?: (value: string) => string | undefined;
  /** Called with the (transformed) text on every keystroke, e.g. to filter live. */
  onChange?: (value: string) => void;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

export interface UiPort {
  /** undefined when the user cancelled. */
  input(options: InputOptions): Promise<string | undefined>;
  pick<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T | undefined>;
  pickMany<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T[] | undefined>;
  /** A modal confirmation; true only when the user chose `confirmLabel`. */
  confirm(message: string, options: { detail: string; confirmLabel: string }): Promise<boolean>;
}

export interface ClipboardPort {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** Where a command acts: an organization and one of its environments. */
export interface Target {
  org: string;
  env: string;
}
