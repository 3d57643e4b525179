// Where the CLI's settings come from, as pure functions: precedence of flags, SECRETS_* variables and the
// stored login, the rule that a stored token only goes to its own server, and URL checks.
import assert from 'node:assert/strict';
import { normalizeUrl, resolveSettings, type StoredLogin } from '../../cli/config.ts';
import { shellQuote } from '../../cli/shell-quote.ts';
import { execFileSync } from 'node:child_process';

const stored: StoredLogin = { url: 'https://vault.example.com', token: 'scrt_pat_stored', org: 'acme', env: 'production' };

describe('secrets CLI settings', () => {
  it('flags beat SECRETS_* variables, which beat the stored login', () => {
    const s = resolveSettings({ org: 'flag-org' }, { SECRETS_ORG: 'env-org', SECRETS_ENV: 'staging' }, stored);
    assert.deepEqual([s.url, s.token, s.org, s.env], ['https://vault.example.com', 'scrt_pat_stored', 'flag-org', 'staging']);
    const t = resolveSettings({}, { SECRETS_TOKEN: 'scrt_pat_env' }, stored);
    assert.equal(t.token, 'scrt_pat_env');
    assert.equal(t.org, 'acme');
  });

  it('the stored token and defaults apply only to the server they were stored for', () => {
    const elsewhere = resolveSettings({ url: 'https://other.example.com' }, {}, stored);
    assert.equal(elsewhere.token, undefined);
    assert.equal(elsewhere.org, undefined);
    const viaEnv = resolveSettings({}, { SECRETS_URL: 'https://other.example.com' }, stored);
    assert.equal(viaEnv.token, undefined);
    const same = resolveSettings({ url: 'https://vault.example.com/' }, {}, stored);
    assert.equal(same.token, 'scrt_pat_stored');
  });

  it('a stored default workspace applies only with the stored organization and token: never to another organization, another token or another server', () => {
    const withWs: StoredLogin = { ...stored, org: 'acme', workspace: 'billing' };
    assert.equal(resolveSettings({}, {}, withWs).workspace, 'billing');
    assert.equal(resolveSettings({ org: 'other' }, {}, withWs).workspace, undefined, '--org elsewhere');
    assert.equal(resolveSettings({}, { SECRETS_ORG: 'other' }, withWs).workspace, undefined, 'SECRETS_ORG elsewhere');
    assert.equal(resolveSettings({}, { SECRETS_TOKEN: 'scrt_pat_someone_else' }, withWs).workspace, undefined, 'another identity');
    assert.equal(resolveSettings({ url: 'https://other.example.com' }, {}, withWs).workspace, undefined, 'another server');
    assert.equal(resolveSettings({ workspace: 'search' }, { SECRETS_TOKEN: 'scrt_pat_x' }, withWs).workspace, 'search', 'a chosen workspace always applies');
  });

  it('empty SECRETS_* variables count as unset', () => {
    const s = resolveSettings({}, { SECRETS_URL: '', SECRETS_TOKEN: '', SECRETS_ORG: '', SECRETS_ENV: '' }, stored);
    assert.deepEqual([s.url, s.token, s.org, s.env], ['https://vault.example.com', 'scrt_pat_stored', 'acme', 'production']);
  });

  it('URLs: the shared rule (core/server-url.ts), trailing slashes dropped, a path prefix kept', () => {
    assert.equal(normalizeUrl('https://vault.example.com/'), 'https://vault.example.com');
    assert.equal(normalizeUrl(' https://example.com/secrets// '), 'https://example.com/secrets');
    assert.throws(() => normalizeUrl('ftp://example.com'), { code: 'SECRETS_URL_INVALID', reason: 'scheme' });
    assert.throws(() => normalizeUrl('not a url'), { code: 'SECRETS_URL_INVALID', reason: 'not-a-url' });
    assert.throws(() => normalizeUrl('https://u:p@example.com'), { code: 'SECRETS_URL_INVALID', message: /must not contain a user name or password/ });
  });

  it('a stored login whose URL the rule now refuses applies to no URL, and is refused when it is the URL in use', () => {
    const old: StoredLogin = { url: 'http://10.0.0.5:8787', token: 'scrt_pat_stored_old' };
    const s = resolveSettings({ url: 'https://vault.example.com' }, {}, old);
    assert.equal(s.token, undefined);
    assert.throws(() => resolveSettings({}, {}, old), { code: 'SECRETS_URL_INVALID', reason: 'insecure-http' });
  });

  it('shell quoting reads back exactly through sh for any value', () => {
    for (const v of ["it's", '$HOME `id` "q" \\n', 'line\nbreak', '', "''", '!x', 'ünï ☃']) {
      assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(v)}`], { encoding: 'utf8' }), v);
    }
  });
});
