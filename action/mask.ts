// Registers every secret value with the runner's log masker before anything can print it. The runner masks
// a registered value and derives its base64 (at all three byte alignments), JSON- and URI-escaped forms
// itself (actions/runner ValueEncoders); of the forms core's maskForms lists, the action registers the ones
// it does not derive: the value, each line of a multi-line value, base64url, form-encoding with `+`, hex.
// Registering the rest would only double the runner's work for every later log line.
import * as core from '@actions/core';
import { formEncoded, isTooShortToMask, maskForms, MIN_MASK_LENGTH } from '../core/mask.ts';

// Characters form-encoding leaves alone: for a value made only of these the form-encoded form is the value.
const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;
const LINE_BREAK = /[\r\n]/;

function notDerivedByRunner(value: string): Set<string> {
  const bytes = Buffer.from(value, 'utf8');
  const wanted = new Set<string>([value, bytes.toString('base64url'), bytes.toString('hex')]);
  // Both checks skip work that a thousand plain one-line tokens would otherwise repeat for nothing.
  if (!FORM_SAFE.test(value)) wanted.add(formEncoded(value));
  if (LINE_BREAK.test(value)) for (const line of value.split(/\r\n|\r|\n/)) wanted.add(line.trim());
  else wanted.add(value.trim());
  return wanted;
}

export class Masker {
  readonly #registered = new Set<string>();
  readonly #warned = new Set<string>();

  /** Registers a batch; `label` names each value in warnings (a key, or `KEY (resolved)`), never the value. */
  register(entries: Iterable<readonly [label: string, value: string]>): void {
    // One write for the whole batch instead of one per command: a thousand secrets are several thousand lines.
    process.stdout.cork();
    try {
      for (const [label, value] of entries) this.#registerOne(label, value);
    } finally {
      process.stdout.uncork();
    }
  }

  #registerOne(label: string, value: string): void {
    if (this.#registered.has(value)) return;
    if (isTooShortToMask(value)) {
      // Masking "on" or "42" would blank out ordinary words and numbers all over the log, so the runner is not
      // asked to; the user is told which secret is printed as is wherever a later step prints it.
      if (!this.#warned.has(label)) {
        this.#warned.add(label);
        core.warning(`Secret ${label} is shorter than ${MIN_MASK_LENGTH} characters, too short to be masked in logs`);
      }
      return;
    }
    const wanted = notDerivedByRunner(value);
    for (const form of maskForms(value)) {
      if (!wanted.has(form) || this.#registered.has(form) || isTooShortToMask(form)) continue;
      this.#registered.add(form);
      core.setSecret(form);
    }
    this.#registered.add(value);
  }
}
