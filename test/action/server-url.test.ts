// The bundled Action refuses the same server URLs as every other client (core/server-url.ts), with the same
// code at the end of its one ::error:: line, before any request and without quoting the URL.
import assert from 'node:assert/strict';
import { SERVER_URL_MESSAGES } from '../../core/server-url.ts';
import { BAD_SERVER_URLS, URL_PASSWORD_CANARY } from '../helpers/bad-server-urls.ts';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

describe('action: the shared server-URL rule (committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;

  before(async () => {
    s = await seed({ URL_RULE_CANARY: 'canary-url-rule-value-9b41e6d02a7f3c58' });
  });
  after(async () => s?.stop());

  it('refuses each URL with SECRETS_URL_INVALID and core’s message, exporting nothing', async () => {
    for (const { url, reason } of BAD_SERVER_URLS) {
      const r = await new Job().main({ url, token: s.token, org: s.org, environment: s.environment });
      assert.equal(r.exitCode, 1, `${reason}: ${r.stdout}`);
      assert.equal(r.errors.length, 1, r.stdout);
      assert.equal(r.errors[0], `Input "url" cannot be used: ${SERVER_URL_MESSAGES[reason]} [SECRETS_URL_INVALID]`);
      assert.equal(r.files.env, '');
      const logged = r.stdout + r.stderr;
      assert.ok(!logged.includes(URL_PASSWORD_CANARY) && !logged.includes('canary-host'), logged);
    }
  });

  it('accepts the live server’s loopback URL written with a trailing slash and upper-case scheme', async () => {
    const r = await new Job().main({ url: `${s.url.replace('http:', 'HTTP:')}/`, token: s.token, org: s.org, environment: s.environment });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(r.env['URL_RULE_CANARY'], 'canary-url-rule-value-9b41e6d02a7f3c58');
  });
});
