// Case-insensitive partial-key filtering, fast enough to run on every keystroke over 10,000 keys:
// keys are lower-cased once, and a query that extends the previous one only re-scans the previous
// matches (typing narrows, it never widens).

export class KeyFilter<T> {
  readonly #keyOf: (item: T) => string;
  #items: readonly T[] = [];
  #lower: string[] = [];
  #lastQuery = '';
  #lastIndexes: number[] | undefined;

  constructor(keyOf: (item: T) => string, items: readonly T[] = []) {
    this.#keyOf = keyOf;
    this.setItems(items);
  }

  setItems(items: readonly T[]): void {
    this.#items = items;
    this.#lower = items.map((i) => this.#keyOf(i).toLowerCase());
    this.#lastQuery = '';
    this.#lastIndexes = undefined;
  }

  get items(): readonly T[] {
    return this.#items;
  }

  apply(query: string): T[] {
    const q = query.trim().toLowerCase();
    if (q === '') {
      this.#lastQuery = '';
      this.#lastIndexes = undefined;
      return this.#items.slice();
    }
    const candidates =
      this.#lastIndexes !== undefined && this.#lastQuery !== '' && q.includes(this.#lastQuery)
        ? this.#lastIndexes
        : undefined;
    const next: number[] = [];
    if (candidates) {
      for (const i of candidates) if (this.#lower[i]!.includes(q)) next.push(i);
    } else {
      for (let i = 0; i < this.#lower.length; i++) if (this.#lower[i]!.includes(q)) next.push(i);
    }
    this.#lastQuery = q;
    this.#lastIndexes = next;
    return next.map((i) => this.#items[i]!);
  }
}

export function filterByKey<T extends { readonly key: string }>(items: readonly T[], query: string): T[] {
  return new KeyFilter<T>((i) => i.key, items).apply(query);
}
