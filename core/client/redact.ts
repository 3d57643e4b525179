// Last line of defence for error text that came from the server: the server promises never to echo a
// token or value in a problem detail, but the client knows exactly which secrets a request carried, so
// it removes them anyway rather than trusting that promise.

/** Shorter strings would redact ordinary words out of messages while protecting nothing. */
const MIN_REDACT_LENGTH = 4;
export const REDACTED = '[REDACTED]';

export class Redactor {
  readonly #needles: readonly string[];

  constructor(needles: readonly string[]) {
    // Longest first, so a secret containing another secret is removed whole.
    this.#needles = [...new Set(needles.filter((n) => n.length >= MIN_REDACT_LENGTH))].sort((a, b) => b.length - a.length);
  }

  with(more: readonly string[]): Redactor {
    return more.length === 0 ? this : new Redactor([...this.#needles, ...more]);
  }

  apply(text: string): string {
    let out = text;
    for (const n of this.#needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  }
}
