// Last line of defence for error text that came from the server: the server promises never to echo a
// token or value in a problem detail, but the client knows exactly which secrets a request carried, so
// it removes them — and their encoded forms (core/mask.ts) — anyway rather than trusting that promise.
import { isTooShortToMask, maskFormsOf, redact } from '../mask.ts';

export class Redactor {
  readonly #secrets: readonly string[];
  #forms: readonly string[] | undefined;

  constructor(secrets: readonly string[]) {
    // Shorter strings would blank ordinary words out of messages while protecting nothing.
    this.#secrets = secrets.filter((s) => !isTooShortToMask(s));
  }

  with(more: readonly string[]): Redactor {
    return more.length === 0 ? this : new Redactor([...this.#secrets, ...more]);
  }

  apply(text: string): string {
    // Forms are computed only when an error needs them (a request may carry a 64 KiB value), and only
    // those that fit in the text can occur in it.
    this.#forms ??= maskFormsOf(this.#secrets).filter((f) => !isTooShortToMask(f));
    return redact(text, this.#forms.filter((f) => f.length <= text.length));
  }
}
