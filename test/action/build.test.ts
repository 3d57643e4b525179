// The bundle's build-time substitutions (action/build.ts) must stay faithful to what they replace.
import assert from 'node:assert/strict';
import { constants } from 'node:http2';
import { HTTP2_CONSTANTS_USED, LAZY_HTTP2_SOURCE } from '../../action/build.ts';

describe('action: bundle substitutions', () => {
  it('the lazy node:http2 stand-in carries the protocol constants node:http2 has', () => {
    for (const [name, value] of Object.entries(HTTP2_CONSTANTS_USED)) {
      assert.equal((constants as Record<string, unknown>)[name], value, name);
    }
  });

  it('the lazy node:http2 stand-in hands connect to the real module', () => {
    const exports: Record<string, unknown> = {};
    const requested: string[] = [];
    const fakeRequire = (id: string) => {
      requested.push(id);
      return { connect: (...args: unknown[]) => ({ connected: args }) };
    };
    new Function('exports', 'require', LAZY_HTTP2_SOURCE)(exports, fakeRequire);
    assert.deepEqual(requested, [], 'nothing is loaded up front');
    assert.deepEqual((exports['connect'] as (...a: unknown[]) => unknown)('https://h2.example', { a: 1 }), { connected: ['https://h2.example', { a: 1 }] });
    assert.deepEqual(requested, ['node:http2']);
  });
});
