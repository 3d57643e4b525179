import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { ExtensionError } from '../../../extension/errors.ts';
import { ClipboardGuard, referenceFor } from '../../../extension/logic/clipboard.ts';
import { compareEnvironments, comparisonMarkdown, differences } from '../../../extension/logic/compare.ts';
import { chooseEnvironment, chooseOrganization, connect, normalizeServerUrl } from '../../../extension/logic/connect.ts';
import { Redactor } from '../../../core/redactor.ts';
import { ManualClock } from './support/fake-clock.ts';
import { MemoryClipboard, ScriptedUi } from './support/scripted-ui.ts';
import { CANARY, client, startWorld, type World } from './support/world.ts';

describe('extension command logic: connect, compare, clipboard (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });

  describe('Connect', () => {
    it('prompts for the URL and a password-hidden token, checks them against the server, and lists the organizations', async () => {
      const ui = new ScriptedUi([{ input: `${world.server.url}/` }, { input: world.members.viewer.token }]);
      const made: string[] = [];
      const conn = await connect((url, token) => (made.push(url), client(url, token)), ui, { defaultUrl: 'http://old.example' });
      try {
        assert.equal(conn.url, world.server.url, 'trailing slash removed');
        assert.deepEqual(made, [world.server.url]);
        assert.equal(ui.prompts[0]!.value, 'http://old.example', 'the URL prompt starts from the setting');
        assert.equal(ui.prompts[1]!.password, true);
        assert.equal(conn.me.user?.name, world.members.viewer.name);
        assert.deepEqual(conn.orgs.map((o) => [o.slug, o.role]), [[world.org, 'viewer']]);
      } finally {
        await conn.api.close();
      }
    });

    it('fails with the server’s 401 for a bad token, and the message carries no token', async () => {
      const bad = 'scrt_pat_canarycanarycanarycanarycanary0000';
      let api: ReturnType<typeof client> | undefined;
      const err = await connect((url, token) => (api = client(url, token)), new ScriptedUi(), { args: { url: world.server.url, token: bad } }).catch((e: unknown) => e);
      await api?.close();
      assert.ok(isSecretsError(err, 'SECRETS_UNAUTHORIZED'), String(err));
      assert.ok(!(err as Error).message.includes(bad));
    });

    it('rejects a URL that is not http(s) before any request', () => {
      assert.throws(() => normalizeServerUrl('ftp://x'), (e) => isSecretsError(e, 'SECRETS_URL_INVALID'));
      assert.throws(() => normalizeServerUrl('not a url'), (e) => isSecretsError(e, 'SECRETS_URL_INVALID'));
      assert.throws(() => normalizeServerUrl('https://user:pw@host'), /must not contain a user name or password/);
      assert.equal(normalizeServerUrl(' https://secrets.example.com/base/ '), 'https://secrets.example.com/base');
    });

    it('starts in the configured organization and environment when they exist, else sensible defaults', async () => {
      const owner = world.members.owner.client;
      const orgs = await owner.listOrgs();
      const envs = await owner.listEnvironments(world.org);
      assert.equal(chooseOrganization(orgs, world.org).slug, world.org);
      assert.equal(chooseOrganization(orgs, 'gone').slug, world.org);
      assert.throws(() => chooseOrganization([], undefined), (e) => e instanceof ExtensionError && e.code === 'EXT_NO_ORGANIZATION');
      assert.equal(chooseEnvironment(envs, 'production').slug, 'production');
      assert.equal(chooseEnvironment(envs, 'nope').slug, 'development');
    });
  });

  describe('Compare Environments', () => {
    it('shows which keys exist in which environments, never a value', async () => {
      const c = await compareEnvironments(world.members.viewer.client, world.org, ['development', 'staging', 'production']);
      const row = (key: string) => c.rows.find((r) => r.key === key)!.presentIn;
      assert.deepEqual(row('STRIPE_SECRET_KEY'), [true, true, true]);
      assert.deepEqual(row('DATABASE_URL'), [true, true, false]);
      assert.deepEqual(row('PROD_ONLY_TOKEN'), [false, false, true]);
      assert.deepEqual(row('REDIS_URL'), [true, false, false]);
      assert.ok(differences(c).every((r) => r.presentIn.includes(false)));
      const md = comparisonMarkdown(c);
      assert.match(md, /\| `PROD_ONLY_TOKEN` \| — \| — \| ✓ v1 \|/);
      for (const v of [...Object.values(CANARY), 'canary-stripe-prod', 'redis://dev']) {
        assert.ok(!md.includes(v) && !JSON.stringify(c).includes(v), `value ${v} leaked into the comparison`);
      }
    });

    it('works for a Viewer (metadata only) and fails for an unknown environment with the server’s message', async () => {
      const err = await compareEnvironments(world.members.viewer.client, world.org, ['development', 'staging2']).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_NOT_FOUND'));
      assert.match((err as Error).message, /staging2/);
    });
  });

  describe('Copy Value / Copy Reference', () => {
    it('clears the clipboard after N seconds when it still holds the value', async () => {
      const revealed = await world.members.editor.client.revealSecret(world.org, 'development', 'STRIPE_SECRET_KEY');
      const clipboard = new MemoryClipboard();
      const clock = new ManualClock();
      const guard = new ClipboardGuard(clipboard, clock);
      await guard.copySecret(revealed.value, 45);
      assert.equal(clipboard.text, CANARY.STRIPE_SECRET_KEY);
      clock.advance(44_999);
      assert.equal(clipboard.text, CANARY.STRIPE_SECRET_KEY);
      clock.advance(1);
      await new Promise((r) => setImmediate(r));
      assert.equal(clipboard.text, '');
    });

    it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
      const clipboard = new MemoryClipboard();
      const clock = new ManualClock();
      const guard = new ClipboardGuard(clipboard, clock);
      await guard.copySecret('canary-clip-1', 10);
      await clipboard.writeText('something the user copied');
      clock.advance(10_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(clipboard.text, 'something the user copied');
      assert.equal(guard.pending, false);
    });

    it('a second copy replaces the first one’s timer; 0 seconds never clears', async () => {
      const clipboard = new MemoryClipboard();
      const clock = new ManualClock();
      const guard = new ClipboardGuard(clipboard, clock);
      await guard.copySecret('canary-a', 10);
      clock.advance(5_000);
      await guard.copySecret('canary-b', 10);
      clock.advance(5_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(clipboard.text, 'canary-b', 'the first deadline no longer applies');
      clock.advance(5_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(clipboard.text, '');
      await guard.copySecret('canary-c', 0);
      assert.equal(clock.pending, 0);
    });

    it('copies a reference in the $NAME form', () => {
      assert.equal(referenceFor('STRIPE_SECRET_KEY'), '$STRIPE_SECRET_KEY');
    });
  });

  it('the redactor removes every known secret (longest first) from text', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('canary-long-value');
    r.add('canary-long');
    assert.equal(r.redact('x canary-long-value y canary-long abc'), 'x *** y *** abc', 'secrets shorter than 4 characters are not redacted (they would mangle text)');
    assert.equal(r.redact(`b64 ${Buffer.from('canary-long-value').toString('base64')} url ${encodeURIComponent('a b/c?d=e&f')}`), `b64 *** url ${encodeURIComponent('a b/c?d=e&f')}`);
    r.add('a b/c?d=e&f');
    assert.equal(r.redact(`url ${encodeURIComponent('a b/c?d=e&f')}`), 'url ***', 'encoded forms too');
    r.forget('canary-long');
    assert.equal(r.redact('canary-long!'), 'canary-long!');
    r.clear();
    assert.equal(r.redact('canary-long-value'), 'canary-long-value');
  });
});
