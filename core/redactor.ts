// The one redactor every client uses as its last line of defence: the API client for error text the server
// sends back (the server promises never to echo a token or value, but the client knows exactly which
// secrets a request carried), the CLI for every line it prints to stderr, the extension for everything it
// shows or logs. It knows a set of secrets and removes each, in every encoded form core/mask.ts lists,
// from text before the text leaves the process.
import { compileRedactor, isTooShortToMask, maskFormsOf, REDACTED } from './mask.ts';

export class Redactor {
  readonly #secrets = new Set<string>();
  // Computed only when text is first redacted (a request may carry a 64 KiB value and never fail), and
  // again after the set of secrets changes.
  #forms: string[] | undefined;
  #compiled: ((text: string) => string) | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Remembers a secret. Strings too short to mask are ignored: hiding `v1` would blank out every `/v1/` path. */
  add(secret: string | undefined): void {
    if (secret && !isTooShortToMask(secret) && !this.#secrets.has(secret)) {
      this.#secrets.add(secret);
      this.#invalidate();
    }
  }

  forget(secret: string | undefined): void {
    if (secret && this.#secrets.delete(secret)) this.#invalidate();
  }

  clear(): void {
    this.#secrets.clear();
    this.#invalidate();
  }

  /** A redactor that knows these secrets too; this one is left as it is. */
  with(more: Iterable<string | undefined>): Redactor {
    const extra = [...more].filter((s): s is string => !!s && !isTooShortToMask(s) && !this.#secrets.has(s));
    return extra.length === 0 ? this : new Redactor([...this.#secrets, ...extra]);
  }

  /** Never throws: it runs while an error is being reported, where a second error would print the first raw. */
  redact(text: string): string {
    if (text.length === 0 || this.#secrets.size === 0) return text;
    this.#forms ??= maskFormsOf(this.#secrets).filter((f) => !isTooShortToMask(f));
    try {
      this.#compiled ??= compileRedactor(this.#forms);
      return this.#compiled(text);
    } catch {
      // Thousands of forms in one alternation can pass what the regular-expression engine compiles; plain
      // search cannot fail (forms are longest first, as compileRedactor orders them).
      let out = text;
      for (const form of this.#forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
      return out;
    }
  }

  #invalidate(): void {
    this.#forms = undefined;
    this.#compiled = undefined;
  }
}
