import assert from 'node:assert/strict';
import { SseParser, type SseMessage } from '../../core/sse.ts';

function parse(chunks: string[]): { messages: SseMessage[]; retries: number[]; comments: string[]; lastEventId: string } {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const p = new SseParser({ onMessage: (m) => messages.push(m), onRetry: (ms) => retries.push(ms), onComment: (c) => comments.push(c) });
  for (const c of chunks) p.push(c);
  return { messages, retries, comments, lastEventId: p.lastEventId };
}

/** Every way of cutting the text into two chunks. */
function everySplit(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('core: SSE parser (WHATWG event stream interpretation)', () => {
  it('reads event, id and multi-line data; a space after the colon is dropped once', () => {
    const r = parse(['event: updated\nid: 7\ndata:  two spaces\ndata:x\n\n']);
    assert.deepEqual(r.messages, [{ type: 'updated', data: ' two spaces\nx', lastEventId: '7' }]);
  });

  it('treats CRLF, LF and CR alike, also when CR and LF arrive in different chunks', () => {
    const text = 'event: a\r\ndata: 1\r\rdata: 2\n\ndata: 3\r\n\r\n';
    for (const chunks of everySplit(text)) {
      const r = parse(chunks);
      assert.deepEqual(
        r.messages.map((m) => [m.type, m.data]),
        [
          ['a', '1'],
          ['message', '2'],
          ['message', '3'],
        ],
        JSON.stringify(chunks),
      );
    }
  });

  it('passes comments (heartbeats) aside and never as messages', () => {
    const r = parse([': heartbeat\n\n:\n\ndata: d\n\n']);
    assert.deepEqual(r.comments, [' heartbeat', '']);
    assert.equal(r.messages.length, 1);
  });

  it('keeps the last event id across events; an event without data is not dispatched but its id counts', () => {
    const r = parse(['id: 5\n\ndata: a\n\nid: 9\nevent: ready\n\n']);
    assert.deepEqual(r.messages, [{ type: 'message', data: 'a', lastEventId: '5' }]);
    assert.equal(r.lastEventId, '9');
  });

  it('ignores an id containing NUL, and a retry that is not all digits', () => {
    const r = parse(['id: 1\n\nid: 2\0x\nretry: 12a\nretry: 3000\ndata: z\n\n']);
    assert.equal(r.messages[0]!.lastEventId, '1');
    assert.deepEqual(r.retries, [3000]);
  });

  it('reads a field without a colon as empty, ignores unknown fields, strips only the stream’s leading BOM', () => {
    // The second BOM is inside the stream: it makes the field name unknown, so nothing is dispatched.
    const r = parse(['\uFEFFdata\nfoo: bar\n\n', '\uFEFFdata: not-a-field\n\n']);
    assert.deepEqual(r.messages, [{ type: 'message', data: '', lastEventId: '' }]);
  });

  it('discards an unfinished event at the end of the stream', () => {
    assert.deepEqual(parse(['data: complete\n\ndata: half']).messages.length, 1);
  });
});
