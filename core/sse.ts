// A Server-Sent Events parser following the WHATWG HTML "event stream interpretation": lines end in
// CRLF, LF or CR (a CR at the end of one chunk and an LF at the start of the next are one line end);
// `data` lines join with LF; a leading space after the colon is dropped once; `id` with NUL is ignored
// and otherwise persists across events; `retry` takes ASCII digits only; comments start with `:`; an
// event with no data is not dispatched; an unfinished event at the end of the stream is discarded.

export interface SseMessage {
  /** The `event` field, or `message`. */
  type: string;
  data: string;
  /** The stream's last event ID when this message was dispatched. */
  lastEventId: string;
}

export interface SseHandlers {
  onMessage(message: SseMessage): void;
  onRetry?(ms: number): void;
  onComment?(text: string): void;
}

export class SseParser {
  readonly #handlers: SseHandlers;
  #rest = '';
  #skipLF = false;
  #started = false;
  #type = '';
  #data = '';
  #hasData = false;
  #lastEventId = '';

  constructor(handlers: SseHandlers) {
    this.#handlers = handlers;
  }

  /** The last event ID buffer: what a client sends as Last-Event-ID when it reconnects. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** Decoded text, in any chunking. */
  push(text: string): void {
    let s = this.#rest + text;
    this.#rest = '';
    if (!this.#started && s.length > 0) {
      this.#started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let pos = 0;
    if (this.#skipLF && s.length > 0) {
      if (s[0] === '\n') pos = 1;
      this.#skipLF = false;
    }
    for (;;) {
      const cr = s.indexOf('\r', pos);
      const lf = s.indexOf('\n', pos);
      if (cr === -1 && lf === -1) break;
      let end: number;
      let next: number;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        end = lf;
        next = lf + 1;
      } else {
        end = cr;
        if (cr + 1 < s.length) next = s[cr + 1] === '\n' ? cr + 2 : cr + 1;
        else {
          next = cr + 1;
          this.#skipLF = true;
        }
      }
      this.#line(s.slice(pos, end));
      pos = next;
    }
    this.#rest = s.slice(pos);
  }

  #line(line: string): void {
    if (line === '') return this.#dispatch();
    if (line[0] === ':') {
      this.#handlers.onComment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data += `${value}\n`;
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.#handlers.onRetry?.(Number(value));
        break;
      default:
      // unknown fields are ignored
    }
  }

  #dispatch(): void {
    const type = this.#type;
    const data = this.#data;
    const had = this.#hasData;
    this.#type = '';
    this.#data = '';
    this.#hasData = false;
    if (!had) return;
    this.#handlers.onMessage({ type: type || 'message', data: data.slice(0, -1), lastEventId: this.#lastEventId });
  }
}
