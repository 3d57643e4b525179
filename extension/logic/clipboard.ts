// Copy Value: the value goes to the clipboard and is cleared again after N seconds — but only if the
// clipboard still holds it, so whatever the user copied since is left alone.
import type { Clock } from '../model/clock.ts';
import type { ClipboardPort } from './ports.ts';

export class ClipboardGuard {
  readonly #clipboard: ClipboardPort;
  readonly #clock: Clock;
  #pending: { timer: unknown; value: string } | undefined;

  constructor(clipboard: ClipboardPort, clock: Clock) {
    this.#clipboard = clipboard;
    this.#clock = clock;
  }

  async copySecret(value: string, clearAfterSeconds: number): Promise<void> {
    this.#cancel();
    await this.#clipboard.writeText(value);
    if (clearAfterSeconds <= 0) return;
    const timer = this.#clock.setTimeout(() => void this.clearIfUnchanged(), clearAfterSeconds * 1000);
    this.#pending = { timer, value };
  }

  /** Runs at the deadline (and on deactivate). True when it cleared the clipboard. */
  async clearIfUnchanged(): Promise<boolean> {
    const pending = this.#pending;
    this.#cancel();
    if (!pending) return false;
    const now = await this.#clipboard.readText().catch(() => undefined);
    if (now !== pending.value) return false;
    await this.#clipboard.writeText('');
    return true;
  }

  get pending(): boolean {
    return this.#pending !== undefined;
  }

  #cancel(): void {
    if (this.#pending) this.#clock.clearTimeout(this.#pending.timer);
    this.#pending = undefined;
  }
}

/** What "Copy Reference" puts on the clipboard: the form the resolver and the Action understand. */
export function referenceFor(key: string): string {
  return `$${key}`;
}
