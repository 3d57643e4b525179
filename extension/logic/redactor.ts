// The last line of defence for anything the extension shows or logs: strings it knows to be secret
// (the token, values it revealed or was given) are replaced before text leaves the process.

const MIN_LENGTH = 4;

export class Redactor {
  readonly #secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_LENGTH) this.#secrets.add(secret);
  }

  forget(secret: string | undefined): void {
    if (secret) this.#secrets.delete(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
    return out;
  }
}
