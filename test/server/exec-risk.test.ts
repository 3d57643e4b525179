// Issue 8 §1: the API flags a secret whose key changes how programs start or find code (execRisk on its
// metadata) and warns its creator, so the extension and future UIs can show it. Against the live server.
import assert from 'node:assert/strict';
import type { CreatedSecret, SecretMeta } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http } from './support/http.ts';
import { createTeam, secretPath, secretsPath, type Team } from './support/fixtures.ts';

describe('server: keys that change how programs start are flagged (execRisk)', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const env = 'production';

  before(async function () {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
  });
  after(() => stopAndRemove(server));

  it('an Editor creating BASH_ENV gets it created, flagged, with a warning that names the key and why', async () => {
    const value = 'exec-risk-canary-value-6b2f0d';
    const r = await api.post<CreatedSecret>(secretsPath(team.org, env), team.editor.token, { key: 'bash_env', value });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.key, 'BASH_ENV');
    assert.equal(r.body.execRisk, true);
    assert.equal(r.body.warnings.length, 1);
    assert.match(r.body.warnings[0]!, /^BASH_ENV is refused by the Action, `secrets run` and `secrets export` unless allowed by name \(allow-names, --allow-name\): a shell reads it/);
    assert.ok(!r.text.includes(value));
  });

  it('an ordinary key is not flagged and its creation carries no warning', async () => {
    const r = await api.post<CreatedSecret>(secretsPath(team.org, env), team.editor.token, { key: 'DATABASE_URL', value: 'postgres://exec-risk-canary' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.execRisk, false);
    assert.deepEqual(r.body.warnings, []);
  });

  it('the flag is on the metadata everywhere: list, get and update', async () => {
    await api.post(secretsPath(team.org, env), team.editor.token, { key: 'NODE_OPTIONS', value: '--import=data:text/javascript,exec-risk-canary' });
    const list = await api.get<{ secrets: SecretMeta[] }>(secretsPath(team.org, env), team.viewer.token);
    assert.equal(list.status, 200, list.text);
    const flags = Object.fromEntries(list.body.secrets.map((s) => [s.key, s.execRisk]));
    assert.equal(flags['NODE_OPTIONS'], true);
    assert.equal(flags['BASH_ENV'], true);
    assert.equal(flags['DATABASE_URL'], false);
    const one = await api.get<SecretMeta>(secretPath(team.org, env, 'NODE_OPTIONS'), team.viewer.token);
    assert.equal(one.body.execRisk, true);
    const patched = await api.patch<SecretMeta>(secretPath(team.org, env, 'NODE_OPTIONS'), team.editor.token, { description: 'flagged' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.execRisk, true);
  });
});
