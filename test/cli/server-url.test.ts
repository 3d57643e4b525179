// The `secrets` executable refuses the same server URLs as every other client (core/server-url.ts), with
// core's code class (exit 9, SECRETS_URL_INVALID) and core's sentence, never quoting the URL.
import assert from 'node:assert/strict';
import { CORE_EXIT_CODES } from '../../cli/errors.ts';
import { SERVER_URL_MESSAGES } from '../../core/server-url.ts';
import { BAD_SERVER_URLS, URL_PASSWORD_CANARY } from '../helpers/bad-server-urls.ts';
import { ensureBuilt, freshHome, secrets } from './run-cli.ts';

describe('secrets CLI: the shared server-URL rule', function () {
  this.timeout(60_000);
  before(async () => ensureBuilt());

  it('refuses the same URLs with SECRETS_URL_INVALID’s exit status and core’s message, as --url and as SECRETS_URL', async () => {
    assert.equal(CORE_EXIT_CODES['SECRETS_URL_INVALID'], 9);
    for (const { url, reason } of BAD_SERVER_URLS) {
      const token = 'scrt_pat_canary-cli-token-8d2f61b0c3e94a75';
      for (const [args, env] of [
        [['orgs', '--url', url], { SECRETS_TOKEN: token }],
        [['login'], { SECRETS_URL: url, SECRETS_TOKEN: token }],
      ] as const) {
        const r = await secrets(args, { env: { ...freshHome(), ...env } });
        assert.equal(r.code, 9, `${reason}: ${r.stderr}`);
        assert.equal(r.stderr, `secrets: ${SERVER_URL_MESSAGES[reason]}\n`, reason);
        assert.ok(!r.stderr.includes(URL_PASSWORD_CANARY) && !r.stderr.includes('canary-host') && !r.stderr.includes(token));
      }
    }
  });

  it('plain http to this machine is accepted (the request then fails only for want of a server)', async () => {
    const r = await secrets(['orgs', '--url', 'http://127.0.0.1:9'], { env: { ...freshHome(), SECRETS_TOKEN: 'scrt_pat_x' } });
    assert.equal(r.code, 12, r.stderr);
  });
});
