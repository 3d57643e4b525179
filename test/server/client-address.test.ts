// Per-client limits are keyed on the client's address: IPv4 as is (also IPv4-mapped), IPv6 by its /64,
// so a host cannot escape a limit by rotating through the addresses of its own prefix.
import assert from 'node:assert/strict';
import { clientKey } from '../../server/http/client-address.ts';

describe('server: the client address limits are keyed on', () => {
  it('keys an IPv4 client by its address, also when it arrives IPv4-mapped', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::FFFF:203.0.113.7'), '203.0.113.7');
  });

  it('keys every address of one IPv6 /64 the same, however it is written', () => {
    const key = clientKey('2001:db8:aa:1::1');
    assert.equal(key, '2001:db8:aa:1::/64');
    for (const a of ['2001:db8:aa:1:ffff:ffff:ffff:fffe', '2001:0db8:00aa:0001:0:0:0:2', '2001:DB8:AA:1::abcd', '2001:db8:aa:1::1%eth0']) {
      assert.equal(clientKey(a), key, a);
    }
  });

  it('keys different IPv6 /64s apart', () => {
    assert.notEqual(clientKey('2001:db8:aa:1::1'), clientKey('2001:db8:aa:2::1'));
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
  });
});
