// Which secrets are currently shown in plain text, and the timers that mask them again. Values live
// only here, only in memory, and only until their deadline.
import type { Clock } from './clock.ts';

interface Revealed {
  value: string;
  version: number;
  timer: unknown;
}

export class RevealState {
  readonly #clock: Clock;
  readonly #onChange: (id: string) => void;
  readonly #revealed = new Map<string, Revealed>();

  constructor(clock: Clock, onChange: (id: string) => void) {
    this.#clock = clock;
    this.#onChange = onChange;
  }

  reveal(id: string, value: string, version: number, seconds: number): void {
    this.#drop(id);
    const timer = this.#clock.setTimeout(() => this.hide(id), Math.max(1, seconds) * 1000);
    this.#revealed.set(id, { value, version, timer });
    this.#onChange(id);
  }

  hide(id: string): void {
    if (this.#drop(id)) this.#onChange(id);
  }

  value(id: string): string | undefined {
    return this.#revealed.get(id)?.value;
  }

  version(id: string): number | undefined {
    return this.#revealed.get(id)?.version;
  }

  isRevealed(id: string): boolean {
    return this.#revealed.has(id);
  }

  /** The ids currently revealed. */
  ids(): string[] {
    return [...this.#revealed.keys()];
  }

  get size(): number {
    return this.#revealed.size;
  }

  /** Masks everything (sign-out, switching organization, deactivate). */
  clear(): void {
    for (const id of [...this.#revealed.keys()]) this.hide(id);
  }

  #drop(id: string): boolean {
    const r = this.#revealed.get(id);
    if (!r) return false;
    this.#clock.clearTimeout(r.timer);
    r.value = '';
    this.#revealed.delete(id);
    return true;
  }
}
