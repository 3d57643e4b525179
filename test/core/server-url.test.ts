import assert from 'node:assert/strict';
import { SecretsClient } from '../../core/client.ts';
import { isSecretsError } from '../../core/errors.ts';
import { normalizeServerUrl, SERVER_URL_MESSAGES, ServerUrlError } from '../../core/server-url.ts';
import { BAD_SERVER_URLS, URL_PASSWORD_CANARY } from '../helpers/bad-server-urls.ts';

function refusal(fn: () => unknown): ServerUrlError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServerUrlError, `a ServerUrlError, not ${String(err)}`);
    return err;
  }
  assert.fail('accepted');
}

describe('core/server-url: the one server-URL rule', () => {
  for (const { url, reason } of BAD_SERVER_URLS) {
    it(`refuses ${JSON.stringify(url.replace(URL_PASSWORD_CANARY, '…'))} as ${reason}, without quoting it`, () => {
      const err = refusal(() => normalizeServerUrl(url));
      assert.equal(err.code, 'SECRETS_URL_INVALID');
      assert.equal(err.reason, reason);
      assert.ok(isSecretsError(err, 'SECRETS_URL_INVALID'));
      assert.equal(err.message, SERVER_URL_MESSAGES[reason]);
      const shown = `${err.message}\n${err.stack}\n${JSON.stringify(err)}`;
      assert.ok(!shown.includes(URL_PASSWORD_CANARY) && !shown.includes('canary-host'), shown);
    });
  }

  it('normalizes: whitespace around trimmed, scheme and host lower-cased, default port and trailing slashes dropped, path kept', () => {
    assert.equal(normalizeServerUrl('  HTTPS://Secrets.Example.COM:443/base//  '), 'https://secrets.example.com/base');
    assert.equal(normalizeServerUrl('https://secrets.example.com:8443/'), 'https://secrets.example.com:8443');
    assert.equal(normalizeServerUrl('https://secrets.example.com'), 'https://secrets.example.com');
  });

  it('allows plain http only to this machine: localhost, *.localhost, 127.0.0.0/8 and [::1]', () => {
    assert.equal(normalizeServerUrl('http://127.0.0.1:8787/'), 'http://127.0.0.1:8787');
    assert.equal(normalizeServerUrl('http://127.1:8787'), 'http://127.0.0.1:8787');
    assert.equal(normalizeServerUrl('http://127.200.3.4'), 'http://127.200.3.4');
    assert.equal(normalizeServerUrl('http://LOCALHOST:8787'), 'http://localhost:8787');
    assert.equal(normalizeServerUrl('http://secrets.localhost'), 'http://secrets.localhost');
    assert.equal(normalizeServerUrl('http://[::1]:8787'), 'http://[::1]:8787');
    for (const host of ['128.0.0.1', '192.168.1.10', 'localhost.example.com', '[::2]', '0.0.0.0']) {
      assert.equal(refusal(() => normalizeServerUrl(`http://${host}`)).reason, 'insecure-http', host);
    }
  });

  it('refuses a line break or control character inside the URL, which the URL parser would silently drop', () => {
    assert.equal(new URL('https://secrets.exa\nmple.com').host, 'secrets.example.com', 'what the parser alone would do');
    for (const url of ['https://secrets.exa\nmple.com', 'https://secrets.example.com/a\rb', 'https://secrets.example.com/\u0000', 'https://secrets .example.com']) {
      assert.equal(refusal(() => normalizeServerUrl(url)).reason, 'not-a-url', JSON.stringify(url));
    }
  });

  it('the API client refuses the same URLs with the same error, before any connection', () => {
    for (const { url, reason } of BAD_SERVER_URLS) {
      const err = refusal(() => new SecretsClient({ baseUrl: url, token: 'scrt_pat_x', userAgent: 't/1' }));
      assert.equal(err.reason, reason, url);
    }
  });
});
