// A raw Server-Sent Events reader for tests: fetch, the bytes kept as text (for "never contains X"
// checks), events split by blank lines. Deliberately not core's reader, so server tests pin the wire.

export interface RawEvent {
  event: string;
  id: string;
  data: Record<string, unknown>;
}

export class RawStream {
  status = 0;
  headers = new Headers();
  text = '';
  ended = false;
  readonly #abort = new AbortController();
  #waiters: (() => void)[] = [];

  static async open(url: string, token: string | undefined, headers: Record<string, string> = {}): Promise<RawStream> {
    const s = new RawStream();
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }), ...headers },
      signal: s.#abort.signal,
    });
    s.status = res.status;
    s.headers = res.headers;
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body!) {
          s.text += decoder.decode(chunk as Uint8Array, { stream: true });
          s.#wake();
        }
      } catch {
        // aborted by close()
      } finally {
        s.ended = true;
        s.#wake();
      }
    })();
    return s;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Complete events so far (comments and `retry:` blocks left out). */
  events(): RawEvent[] {
    const blocks = this.text.split('\n\n').slice(0, -1);
    const out: RawEvent[] = [];
    for (const block of blocks) {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const i = line.indexOf(': ');
        if (line.startsWith(':') || i < 0) continue;
        fields.set(line.slice(0, i), line.slice(i + 2));
      }
      if (!fields.has('data')) continue;
      out.push({ event: fields.get('event') ?? 'message', id: fields.get('id') ?? '', data: JSON.parse(fields.get('data')!) as Record<string, unknown> });
    }
    return out;
  }

  /** Change events only (created, updated, deleted). */
  changes(): RawEvent[] {
    return this.events().filter((e) => ['created', 'updated', 'deleted'].includes(e.event));
  }

  async waitFor(what: string, done: (s: RawStream) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done(this)) {
      if (this.ended && !done(this)) throw new Error(`stream ended before ${what}; got:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got:\n${this.text}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.#abort.abort();
  }
}
