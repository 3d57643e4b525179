// An Owner's day in the sidebar, against the live server: connect, browse organization → environment
// → secrets, switch environment, search, add, reveal (and watch it re-mask), edit, delete. Each step
// is checked twice: in what the tree model shows, and on the server itself.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  MASK, api, direct, envChildren, eventually, isCommandError, revealOnServer, run, secretsOf, server,
  type SecretsExtensionApi,
} from './support.ts';

describe('an Owner in the sidebar (live server)', function () {
  let a: SecretsExtensionApi;
  const errors: string[] = [];
  const s = () => server();
  const keysOf = async (env: string) => secretsOf(await envChildren(a, s().org, env)).map((n) => n.secretKey);
  const node = (key: string, env = 'development') => a.model.secretNode(s().org, env, key);
  /** Runs a command that is expected to fail and returns its error (kept for the leak check at the end). */
  const failing = async (id: string, ...args: unknown[]) => {
    const r = await run(id, ...args);
    assert.ok(isCommandError(r), `${id} was expected to fail but returned ${JSON.stringify(r)}`);
    errors.push(r.error.message);
    return r.error;
  };

  before(async () => {
    a = await api();
  });

  it('connects with the URL and token given to secrets.connect, into the organization and its first environment', async () => {
    const r = await run<{ org: string; env: string; user: string | null }>('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.deepEqual(r, { org: s().org, env: 'development', user: s().ownerName });
    assert.equal(a.state.connected, true);
    assert.equal(a.state.org, s().org);
    assert.equal(a.state.env, 'development');
    assert.equal(a.state.role, 'owner');
    assert.match(a.state.statusText, new RegExp(`${s().org}/development`));
    // The URL is a setting; the token is not (it lives in SecretStorage only).
    const settings = vscode.workspace.getConfiguration('secrets');
    assert.equal(settings.get('serverUrl'), s().url);
    assert.ok(!JSON.stringify(settings).includes(s().ownerToken));
  });

  it('shows organization → environments → secrets, keys sorted and every value masked', async () => {
    const orgs = await a.model.children();
    assert.deepEqual(orgs.map((n) => n.kind === 'org' && [n.org, n.name, n.role]), [[s().org, 'Acme Corp', 'owner']]);
    const envs = await a.model.children(orgs[0]);
    assert.deepEqual(envs.map((n) => n.kind === 'env' && n.env), ['development', 'staging', 'production']);
    const secrets = secretsOf(await envChildren(a, s().org, 'development'));
    assert.deepEqual(secrets.map((n) => n.secretKey), Object.keys(s().seeded.development!).sort());
    for (const n of secrets) {
      assert.equal(n.display, MASK);
      assert.equal(n.revealed, false);
      assert.equal(n.meta.updatedBy, s().ownerName);
      assert.equal(n.meta.version, 1);
    }
    const shown = JSON.stringify(secrets);
    for (const value of Object.values(s().seeded.development!)) assert.ok(!shown.includes(value), 'a value is in the tree before any reveal');
  });

  it('switches environment: the tree, the status bar and the environment setting follow', async () => {
    const r = await run('secrets.switchEnvironment', 'staging');
    assert.deepEqual(r, { org: s().org, env: 'staging' });
    assert.equal(a.state.env, 'staging');
    assert.match(a.state.statusText, new RegExp(`${s().org}/staging`));
    assert.equal(vscode.workspace.getConfiguration('secrets').get('environment'), 'staging');
    assert.deepEqual(await keysOf('staging'), Object.keys(s().seeded.staging!).sort());
    const err = await failing('secrets.switchEnvironment', 'staging2');
    assert.equal(err.code, 'EXT_UNKNOWN_ENVIRONMENT');
    assert.equal(a.state.env, 'staging');
    await run('secrets.switchEnvironment', 'development');
    assert.equal(a.state.env, 'development');
  });

  it('searches by any part of the key, case-insensitively, and clears the search', async () => {
    await run('secrets.search', 'url');
    assert.equal(a.state.search, 'url');
    assert.deepEqual(await keysOf('development'), ['DATABASE_URL', 'REDIS_URL']);
    await run('secrets.search', 'Stripe');
    assert.deepEqual(await keysOf('development'), ['STRIPE_KEY']);
    await run('secrets.search', 'nothing-like-this');
    const children = await envChildren(a, s().org, 'development');
    assert.equal(secretsOf(children).length, 0);
    assert.ok(children.some((n) => n.kind === 'message' && /No secrets match/.test(n.text)));
    await run('secrets.clearSearch');
    assert.equal(a.state.search, '');
    assert.equal((await keysOf('development')).length, Object.keys(s().seeded.development!).length);
  });

  it('adds a secret: key uppercased, value stored on the server, shown masked in the tree', async () => {
    const meta = await run<{ key: string; version: number; description: string }>('secrets.addSecret', {
      key: 'feature_flags_token',
      value: 'canary-added-in-vscode-5e1f',
      description: 'Added from VS Code',
    });
    assert.equal(meta.key, 'FEATURE_FLAGS_TOKEN');
    assert.equal(meta.version, 1);
    assert.equal(await revealOnServer('FEATURE_FLAGS_TOKEN'), 'canary-added-in-vscode-5e1f');
    assert.ok((await keysOf('development')).includes('FEATURE_FLAGS_TOKEN'));
    assert.equal(node('FEATURE_FLAGS_TOKEN')?.display, MASK);
    assert.equal(node('FEATURE_FLAGS_TOKEN')?.meta.description, 'Added from VS Code');
  });

  it('refuses to add a duplicate key or an invalid one, naming the action', async () => {
    const dup = await failing('secrets.addSecret', { key: 'STRIPE_KEY', value: 'canary-duplicate-value-0aa1' });
    assert.match(dup.message, /^Add Secret failed: .*STRIPE_KEY already exists/);
    const bad = await failing('secrets.addSecret', { key: '9-lives', value: 'canary-bad-key-value-77c2' });
    assert.match(bad.message, /^Add Secret failed: /);
    assert.equal(await revealOnServer('9-LIVES'), undefined);
    assert.equal(await revealOnServer('STRIPE_KEY'), s().seeded.development!.STRIPE_KEY);
  });

  it('reveals a value in the tree and masks it again by itself after secrets.revealSeconds', async () => {
    const seconds = vscode.workspace.getConfiguration('secrets').get<number>('revealSeconds')!;
    const r = await run<{ key: string; revealed: boolean; seconds: number }>('secrets.revealSecret', 'STRIPE_KEY');
    assert.deepEqual(r, { key: 'STRIPE_KEY', revealed: true, seconds });
    const revealedAt = Date.now();
    assert.equal(node('STRIPE_KEY')?.revealed, true);
    assert.equal(node('STRIPE_KEY')?.display, s().seeded.development!.STRIPE_KEY);
    // Only the one asked for is revealed.
    assert.equal(node('DATABASE_URL')?.display, MASK);
    await eventually(() => node('STRIPE_KEY')?.display, (d) => d === MASK, seconds * 1000 + 5000, 're-masking');
    const after = Date.now() - revealedAt;
    assert.ok(after >= seconds * 1000 - 250, `re-masked after ${after} ms, before the ${seconds} s setting`);
    assert.equal(node('STRIPE_KEY')?.revealed, false);
  });

  it('hides a revealed value at once on secrets.hideSecret', async () => {
    await run('secrets.revealSecret', 'REDIS_URL');
    assert.equal(node('REDIS_URL')?.revealed, true);
    await run('secrets.hideSecret', 'REDIS_URL');
    assert.equal(node('REDIS_URL')?.display, MASK);
  });

  it('edits a value with If-Match: version + 1 on the server, the key unchanged', async () => {
    const meta = await run<{ key: string; version: number }>('secrets.editSecret', 'API_TIMEOUT', { value: 'canary-dev-timeout-edited-6f04' });
    assert.deepEqual([meta.key, meta.version], ['API_TIMEOUT', 2]);
    assert.equal(await revealOnServer('API_TIMEOUT'), 'canary-dev-timeout-edited-6f04');
    assert.equal(node('API_TIMEOUT')?.meta.version, 2);
  });

  it('keeps the current value when the new one is empty, and says "No changes to save" when nothing changed', async () => {
    const err = await failing('secrets.editSecret', 'API_TIMEOUT', { value: '', description: 'API_TIMEOUT for development' });
    assert.equal(err.code, 'EXT_NO_CHANGES');
    assert.match(err.message, /No changes to save/);
    const meta = await run<{ version: number; description: string }>('secrets.editSecret', 'API_TIMEOUT', { value: '', description: 'Seconds before an API call gives up' });
    assert.equal(meta.version, 3);
    assert.equal(meta.description, 'Seconds before an API call gives up');
    assert.equal(await revealOnServer('API_TIMEOUT'), 'canary-dev-timeout-edited-6f04');
  });

  it('reports a concurrent edit instead of overwriting it (stale version), then shows the winner', async () => {
    const before = node('REDIS_URL')!.meta.version;
    // Someone else changes REDIS_URL behind the extension's back.
    const other = await direct(s().ownerToken, 'PATCH', `/v1/orgs/${s().org}/environments/development/secrets/REDIS_URL`, { value: 'redis://canary-changed-elsewhere:6379' });
    assert.equal(other.status, 200);
    const err = await failing('secrets.editSecret', 'REDIS_URL', { value: 'redis://canary-mine-would-overwrite:6379' });
    assert.equal(err.code, 'SECRETS_STALE_VERSION');
    assert.match(err.message, /^Edit failed: /);
    assert.equal(await revealOnServer('REDIS_URL'), 'redis://canary-changed-elsewhere:6379');
    await eventually(() => node('REDIS_URL')?.meta.version, (v) => v === before + 1, 5000, 'the tree to show the winning version');
  });

  it('deletes a secret (confirmed): gone from the tree and from the server', async () => {
    const r = await run('secrets.deleteSecret', 'FEATURE_FLAGS_TOKEN', { confirm: true });
    assert.deepEqual(r, { key: 'FEATURE_FLAGS_TOKEN', deleted: true });
    assert.ok(!(await keysOf('development')).includes('FEATURE_FLAGS_TOKEN'));
    const gone = await direct(s().ownerToken, 'GET', `/v1/orgs/${s().org}/environments/development/secrets/FEATURE_FLAGS_TOKEN`);
    assert.equal(gone.status, 404);
  });

  it('in production, deletes nothing unless the typed key matches', async () => {
    await run('secrets.switchEnvironment', 'production');
    const err = await failing('secrets.deleteSecret', 'SENTRY_DSN', { confirm: 'SENTRY' });
    assert.equal(err.code, 'EXT_CONFIRMATION_MISMATCH');
    assert.equal(await revealOnServer('SENTRY_DSN', 'production'), s().seeded.production!.SENTRY_DSN);
    await run('secrets.switchEnvironment', 'development');
  });

  it('never puts a value or the token into an error message', () => {
    assert.ok(errors.length >= 5);
    const canaries = [s().ownerToken, 'canary-'];
    for (const message of errors) for (const c of canaries) assert.ok(!message.includes(c), `an error message leaks ${c === 'canary-' ? 'a value' : 'the token'}: ${message}`);
  });

  it('signs out: disconnected, the tree empty', async () => {
    await run('secrets.signOut');
    assert.equal(a.state.connected, false);
    assert.deepEqual(await a.model.children(), []);
  });
});
