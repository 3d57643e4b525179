// Registers every secret value with the runner's log masker before anything can print it. The runner masks
// a registered value and derives its base64, JSON- and URI-escaped forms itself; core's maskForms adds what
// it does not derive (each line of a multi-line value, base64url, form-encoding with `+`, hex, base64 inside
// a longer base64 text), and those are registered too.
import * as core from '@actions/core';
import { isTooShortToMask, maskForms, MIN_MASK_LENGTH } from '../core/mask.ts';

function runnerDerived(value: string): Set<string> {
  const derived = new Set<string>([Buffer.from(value, 'utf8').toString('base64'), JSON.stringify(value).slice(1, -1)]);
  try {
    derived.add(encodeURIComponent(value));
  } catch {
    // A lone surrogate has no URI form.
  }
  return derived;
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
    const forms = maskForms(value);
    const derived = runnerDerived(value);
    const lines = new Set(value.split(/\r\n|\r|\n/).map((l) => l.trim()));
    for (const form of forms) {
      if (this.#registered.has(form) || isTooShortToMask(form)) continue;
      if (derived.has(form) && form !== value && !lines.has(form)) continue;
      this.#registered.add(form);
      core.setSecret(form);
    }
    this.#registered.add(value);
  }
}
