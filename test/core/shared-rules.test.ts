// Safety rules that had several copies now have one, and every former copy follows it.
import assert from 'node:assert/strict';
import { planNames } from '../../action/names.ts';
import { SLUG_PATTERN } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { DotenvUnrepresentableError, formatDotenv } from '../../core/dotenv.ts';
import { isEnvName } from '../../core/env-name.ts';
import { isSendableToken } from '../../core/token.ts';
import { slug } from '../../server/http/schemas.ts';

const BAD_TOKENS = ['scrt_pat_has space', 'scrt_pat_tab\there', 'scrt_pat_line\nbreak', ' scrt_pat_lead', 'scrt_pat_nul\0', 'scrt_pat_ünïcode', ''];

describe('core: one implementation of each shared safety rule', () => {
  it('a token is sendable only as visible ASCII; the API client refuses every other one', () => {
    assert.equal(isSendableToken('scrt_pat_' + 'A'.repeat(43)), true);
    for (const bad of BAD_TOKENS) {
      assert.equal(isSendableToken(bad), false, JSON.stringify(bad));
      assert.throws(() => new SecretsClient({ baseUrl: 'http://127.0.0.1:9', token: bad, userAgent: 't/1' }), TypeError, JSON.stringify(bad));
    }
  });

  it('environment-variable names: the dotenv writer and the Action’s export names follow one rule', () => {
    for (const name of ['A', '_x', 'DB_URL2', '1X', 'A-B', 'A B', 'É', '']) {
      const dotenvAccepts = (() => {
        try {
          formatDotenv({ [name]: 'v' });
          return true;
        } catch (err) {
          assert.ok(err instanceof DotenvUnrepresentableError);
          return false;
        }
      })();
      const plan = planNames([{ key: 'K', name }], { env: {}, values: { K: 'v' }, runnerOs: 'Linux', exportEnv: true, outputs: false });
      const actionAccepts = plan.issues.length === 0;
      assert.equal(dotenvAccepts, isEnvName(name), `dotenv: ${JSON.stringify(name)}`);
      assert.equal(actionAccepts, isEnvName(name), `action: ${JSON.stringify(name)}`);
    }
  });

  it('the server validates slugs with core’s pattern', () => {
    assert.equal(slug.pattern, SLUG_PATTERN.source);
  });
});
