// The last line of defence for anything the extension shows or logs: strings it knows to be secret
// (the token, values it revealed or was given) are replaced, in every encoded form core knows
// (base64, URL-encoded, JSON-escaped, …), before text leaves the process.
import { isTooShortToMask, maskFormsOf, redact } from '../../core/mask.ts';

export class Redactor {
  readonly #secrets = new Set<string>();
  #forms: string[] | undefined;

  add(secret: string | undefined): void {
    // Very short strings would blank out ordinary words all over a message.
    if (secret && !isTooShortToMask(secret) && !this.#secrets.has(secret)) {
      this.#secrets.add(secret);
      this.#forms = undefined;
    }
  }

  forget(secret: string | undefined): void {
    if (secret && this.#secrets.delete(secret)) this.#forms = undefined;
  }

  clear(): void {
    this.#secrets.clear();
    this.#forms = undefined;
  }

  redact(text: string): string {
    this.#forms ??= maskFormsOf(this.#secrets).filter((f) => !isTooShortToMask(f));
    return redact(text, this.#forms);
  }
}
