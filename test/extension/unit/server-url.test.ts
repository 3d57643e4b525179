// The extension's Connect refuses the same server URLs as every other client (core/server-url.ts), with the
// same code, before any request: as the live validation of the URL prompt and as a programmatic argument.
import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { SERVER_URL_MESSAGES, ServerUrlError } from '../../../core/server-url.ts';
import { describeError } from '../../../extension/errors.ts';
import { connect, urlProblem } from '../../../extension/logic/connect.ts';
import type { SecretsApi } from '../../../extension/logic/ports.ts';
import { BAD_SERVER_URLS, URL_PASSWORD_CANARY } from '../../helpers/bad-server-urls.ts';
import { ScriptedUi } from './support/scripted-ui.ts';

describe('extension: the shared server-URL rule', () => {
  const token = 'scrt_pat_canary-ext-token-e05b7d4a19c3f826';

  it('Connect refuses the same URLs with SECRETS_URL_INVALID, before creating a client', async () => {
    for (const { url, reason } of BAD_SERVER_URLS) {
      const made: string[] = [];
      const createApi = (u: string): SecretsApi => {
        made.push(u);
        throw new Error('no client may be created for a refused URL');
      };
      const err = await connect(createApi, new ScriptedUi(), { args: { url, token } }).catch((e: unknown) => e);
      assert.ok(err instanceof ServerUrlError && isSecretsError(err, 'SECRETS_URL_INVALID'), `${reason}: ${String(err)}`);
      assert.equal(err.reason, reason);
      assert.deepEqual(made, []);
      const shown = describeError('Connect', err);
      assert.equal(shown.code, 'SECRETS_URL_INVALID');
      assert.equal(shown.message, `Connect failed: ${SERVER_URL_MESSAGES[reason]}`);
      assert.ok(!shown.message.includes(URL_PASSWORD_CANARY) && !shown.message.includes('canary-host'));
    }
  });

  it('the URL prompt’s live validation says the same as the refusal', () => {
    for (const { url, reason } of BAD_SERVER_URLS) assert.equal(urlProblem(url), SERVER_URL_MESSAGES[reason], reason);
    assert.equal(urlProblem('http://127.0.0.1:8787'), undefined);
  });
});
