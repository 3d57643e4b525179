// SECRETS_PUBLIC_URL: an origin only, or the server refuses to start naming the setting; without it
// the public URL is http://localhost:<port listened on> (passkeys need a host name, not an IP).
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { PublicSite } from '../../server/web/public-site.ts';

describe('server: SECRETS_PUBLIC_URL', () => {
  it('defaults to http://localhost:PORT once the port is known', () => {
    const site = new PublicSite(loadConfig({}).publicUrl);
    site.bind(40123);
    assert.equal(site.origin, 'http://localhost:40123');
    assert.equal(site.rpId, 'localhost');
    assert.equal(site.secure, false);
  });

  it('takes an https origin as the relying party (host name without port) and makes cookies Secure', () => {
    const site = new PublicSite(loadConfig({ SECRETS_PUBLIC_URL: 'https://secrets.example.com:8443/' }).publicUrl);
    site.bind(1);
    assert.equal(site.origin, 'https://secrets.example.com:8443');
    assert.equal(site.rpId, 'secrets.example.com');
    assert.equal(site.secure, true);
  });

  for (const bad of ['secrets.example.com', 'ftp://secrets.example.com', 'https://secrets.example.com/app', 'https://u:p@secrets.example.com', 'https://secrets.example.com/?x=1', 'https://secrets.example.com/#f']) {
    it(`refuses ${bad}, naming the setting`, () => {
      assert.throws(() => loadConfig({ SECRETS_PUBLIC_URL: bad }), (e: unknown) => e instanceof ConfigError && /SECRETS_PUBLIC_URL/.test(e.message));
    });
  }
});
