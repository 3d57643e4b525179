import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { Cancelled, ExtensionError, describeError } from '../../../extension/errors.ts';
import { addSecret } from '../../../extension/logic/add-secret.ts';
import { deleteSecret } from '../../../extension/logic/delete-secret.ts';
import { editSecret, patchFor } from '../../../extension/logic/edit-secret.ts';
import { validateKey } from '../../../extension/logic/secret-input.ts';
import { ScriptedUi } from './support/scripted-ui.ts';
import { CANARY, startWorld, type World } from './support/world.ts';

describe('extension command logic: add, edit, delete (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });
  const dev = () => ({ org: world.org, env: 'development' });
  const prod = () => ({ org: world.org, env: 'production' });

  describe('Add Secret', () => {
    it('uppercases the key as it is typed, takes the value in a password prompt, and creates the secret', async () => {
      const ui = new ScriptedUi([{ input: 'new_api_key' }, { input: 'canary-new-1234' }, { input: 'Added from VS Code' }]);
      const meta = await addSecret(world.members.editor.client, ui, dev());
      assert.equal(meta.key, 'NEW_API_KEY');
      assert.equal(meta.version, 1);
      assert.equal(meta.description, 'Added from VS Code');
      assert.equal(ui.prompts[0]!.shown, 'NEW_API_KEY', 'the key box showed the uppercased key');
      assert.equal(ui.prompts[1]!.password, true, 'the value prompt hides what is typed');
      assert.equal(ui.prompts[2]!.password, undefined, 'the description is not a password');
      const revealed = await world.members.owner.client.revealSecret(world.org, 'development', 'NEW_API_KEY');
      assert.equal(revealed.value, 'canary-new-1234');
    });

    it('validates the key live with the product messages', () => {
      assert.equal(validateKey(''), 'Secret key is required');
      assert.equal(validateKey('   '), 'Secret key is required');
      assert.match(validateKey('1ABC')!, /^Secret key must start with a letter or underscore/);
      assert.match(validateKey('BAD-KEY')!, /only A–Z, 0–9 and _/);
      assert.match(validateKey('A'.repeat(129))!, /max 128/);
      assert.equal(validateKey('a'.repeat(128)), undefined);
      assert.equal(validateKey('good_key'), undefined);
      assert.equal(validateKey('stripe_secret_key', new Set(['STRIPE_SECRET_KEY']), 'development'), 'A secret with the key STRIPE_SECRET_KEY already exists in development');
    });

    it('offers the live validation to the prompt, so an invalid key or empty value is never accepted', async () => {
      const ui = new ScriptedUi([{ input: 'bad-key' }]);
      await assert.rejects(addSecret(world.members.editor.client, ui, dev()), /would not be accepted: Secret key must start/);
      const ui2 = new ScriptedUi([{ input: 'OK_KEY' }, { input: '' }]);
      await assert.rejects(addSecret(world.members.editor.client, ui2, dev()), /would not be accepted: Secret value is required/);
    });

    it('rejects invalid programmatic arguments before any request, with the same messages', async () => {
      const ui = new ScriptedUi();
      await assert.rejects(addSecret(world.members.editor.client, ui, dev(), { args: { key: '', value: 'x' } }), (e) => e instanceof ExtensionError && e.message === 'Secret key is required');
      await assert.rejects(addSecret(world.members.editor.client, ui, dev(), { args: { key: 'K', value: '' } }), (e) => e instanceof ExtensionError && e.message === 'Secret value is required');
    });

    it('reports a key that already exists with the server’s message and no value in it', async () => {
      const err = await addSecret(world.members.editor.client, new ScriptedUi(), dev(), {
        args: { key: 'stripe_secret_key', value: 'canary-dup-5555' },
      }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_CONFLICT'));
      const shown = describeError('Add Secret', err);
      assert.equal(shown.message, `Add Secret failed: A secret with the key STRIPE_SECRET_KEY already exists in development`);
      assert.ok(!shown.message.includes('canary-dup-5555'));
    });

    it('stops quietly when the user cancels a prompt', async () => {
      await assert.rejects(addSecret(world.members.editor.client, new ScriptedUi([{ input: 'X_KEY' }, { input: undefined }]), dev()), Cancelled);
      await assert.rejects(world.members.owner.client.getSecret(world.org, 'development', 'X_KEY'), (e) => isSecretsError(e, 'SECRETS_NOT_FOUND'));
    });

    it('is refused for a Viewer by the server', async () => {
      const err = await addSecret(world.members.viewer.client, new ScriptedUi(), dev(), { args: { key: 'VIEWER_KEY', value: 'v' } }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'));
      assert.match(describeError('Add Secret', err).message, /^Add Secret failed: /);
    });
  });

  describe('Edit', () => {
    it('keeps the key, keeps the current value when the new one is empty, and bumps the version', async () => {
      const owner = world.members.owner.client;
      const seen = await owner.createSecret(world.org, 'development', { key: 'EDIT_KEEP', value: 'canary-keep-1', description: 'old' });
      const ui = new ScriptedUi([{ input: '' }, { input: 'new description' }]);
      const meta = await editSecret(world.members.editor.client, ui, dev(), seen);
      assert.equal(meta.key, 'EDIT_KEEP');
      assert.equal(meta.version, 2);
      assert.equal(meta.description, 'new description');
      assert.equal((await owner.revealSecret(world.org, 'development', 'EDIT_KEEP')).value, 'canary-keep-1');
      assert.match(ui.prompts[0]!.text!, /leave empty to keep the current value/);
      assert.equal(ui.prompts[0]!.password, true);
      assert.equal(ui.prompts[1]!.value, 'old', 'the description prompt starts from the current one');
      assert.match(ui.prompts[0]!.title, /Edit EDIT_KEEP in development \(version 1\)/);
    });

    it('saves a new value', async () => {
      const owner = world.members.owner.client;
      const seen = await owner.createSecret(world.org, 'development', { key: 'EDIT_VALUE', value: 'canary-v1' });
      const meta = await editSecret(world.members.editor.client, new ScriptedUi([{ input: 'canary-v2' }, { input: '' }]), dev(), seen);
      assert.equal(meta.version, 2);
      assert.equal((await owner.revealSecret(world.org, 'development', 'EDIT_VALUE')).value, 'canary-v2');
    });

    it('says "No changes to save" when neither value nor description changed, and sends nothing', async () => {
      const owner = world.members.owner.client;
      const seen = await owner.createSecret(world.org, 'development', { key: 'EDIT_NOOP', value: 'canary-noop', description: 'same' });
      const err = await editSecret(world.members.editor.client, new ScriptedUi([{ input: '' }, { input: 'same' }]), dev(), seen).catch((e: unknown) => e);
      assert.ok(err instanceof ExtensionError);
      assert.equal(err.code, 'EXT_NO_CHANGES');
      assert.equal(err.message, 'No changes to save');
      assert.equal(describeError('Edit', err).message, 'Edit failed: No changes to save');
      assert.equal((await owner.getSecret(world.org, 'development', 'EDIT_NOOP')).version, 1, 'no request changed the secret');
    });

    it('computes the patch: only what changed', () => {
      assert.equal(patchFor({ description: 'd' }, { value: '', description: 'd' }), undefined);
      assert.equal(patchFor({ description: 'd' }, { description: ' d ' }), undefined, 'surrounding spaces are not a change');
      assert.deepEqual(patchFor({ description: 'd' }, { value: 'v' }), { value: 'v' });
      assert.deepEqual(patchFor({ description: 'd' }, { description: '' }), { description: '' }, 'clearing a description is a change');
    });

    it('reports a concurrent edit (If-Match) instead of overwriting it', async () => {
      const owner = world.members.owner.client;
      const seen = await owner.createSecret(world.org, 'development', { key: 'EDIT_RACE', value: 'canary-race-0' });
      // Someone else saves first.
      await world.members.admin.client.updateSecret(world.org, 'development', 'EDIT_RACE', { value: 'canary-race-theirs' });
      const err = await editSecret(world.members.editor.client, new ScriptedUi(), dev(), seen, { value: 'canary-race-mine' }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_STALE_VERSION'), String(err));
      const shown = describeError('Edit', err);
      assert.match(shown.message, /^Edit failed: Secret EDIT_RACE was changed by someone else \(version 2 is current, you had 1\)/);
      assert.match(shown.message, /Refresh to see the current version; nothing was overwritten\.$/);
      assert.ok(!shown.message.includes('canary-race'));
      assert.equal((await owner.revealSecret(world.org, 'development', 'EDIT_RACE')).value, 'canary-race-theirs', 'their value survived');
    });

    it('is refused for a Viewer by the server', async () => {
      const seen = await world.members.owner.client.getSecret(world.org, 'development', 'REDIS_URL');
      const err = await editSecret(world.members.viewer.client, new ScriptedUi(), dev(), seen, { description: 'x' }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'));
    });
  });

  describe('Delete', () => {
    it('asks for a modal confirmation naming the key, and deletes permanently', async () => {
      const owner = world.members.owner.client;
      await owner.createSecret(world.org, 'staging', { key: 'DEL_ME', value: 'canary-del' });
      const ui = new ScriptedUi([{ confirm: true }]);
      await deleteSecret(world.members.admin.client, ui, { org: world.org, env: 'staging' }, 'DEL_ME');
      assert.equal(ui.prompts.length, 1, 'outside production one confirmation is enough');
      assert.equal(ui.prompts[0]!.title, 'Delete secret DEL_ME from staging?');
      assert.match(ui.prompts[0]!.detail!, /permanently deletes DEL_ME.*cannot be recovered/);
      assert.equal(ui.prompts[0]!.text, 'Delete');
      await assert.rejects(owner.getSecret(world.org, 'staging', 'DEL_ME'), (e) => isSecretsError(e, 'SECRETS_NOT_FOUND'));
    });

    it('keeps the secret when the confirmation is dismissed', async () => {
      const owner = world.members.owner.client;
      await owner.createSecret(world.org, 'staging', { key: 'DEL_KEEP', value: 'canary-keep' });
      await assert.rejects(deleteSecret(world.members.admin.client, new ScriptedUi([{ confirm: false }]), { org: world.org, env: 'staging' }, 'DEL_KEEP'), Cancelled);
      assert.equal((await owner.getSecret(world.org, 'staging', 'DEL_KEEP')).key, 'DEL_KEEP');
    });

    it('in production, makes the user type the key, and keeps the secret when it does not match', async () => {
      const owner = world.members.owner.client;
      await owner.createSecret(world.org, 'production', { key: 'PROD_DEL', value: 'canary-prod-del' });
      const wrong = new ScriptedUi([{ confirm: true }, { input: 'PROD_DE' }]);
      await assert.rejects(deleteSecret(world.members.admin.client, wrong, prod(), 'PROD_DEL'), /would not be accepted: Type PROD_DEL exactly/);
      await assert.rejects(deleteSecret(world.members.admin.client, new ScriptedUi(), prod(), 'PROD_DEL', { confirm: 'PROD_DE' }), (e) => e instanceof ExtensionError && e.code === 'EXT_CONFIRMATION_MISMATCH');
      await assert.rejects(deleteSecret(world.members.admin.client, new ScriptedUi([{ confirm: true }, { input: undefined }]), prod(), 'PROD_DEL'), Cancelled);
      assert.equal((await owner.getSecret(world.org, 'production', 'PROD_DEL')).key, 'PROD_DEL', 'still there');

      const right = new ScriptedUi([{ confirm: true }, { input: 'PROD_DEL' }]);
      await deleteSecret(world.members.admin.client, right, prod(), 'PROD_DEL');
      assert.match(right.prompts[1]!.text!, /production is protected: type PROD_DEL to confirm/);
      await assert.rejects(owner.getSecret(world.org, 'production', 'PROD_DEL'), (e) => isSecretsError(e, 'SECRETS_NOT_FOUND'));
    });

    it('skips the prompts for programmatic use with { confirm: true }', async () => {
      const owner = world.members.owner.client;
      await owner.createSecret(world.org, 'production', { key: 'PROD_API', value: 'canary-prod-api' });
      const ui = new ScriptedUi();
      await deleteSecret(world.members.owner.client, ui, prod(), 'PROD_API', { confirm: true });
      assert.equal(ui.prompts.length, 0);
      await assert.rejects(owner.getSecret(world.org, 'production', 'PROD_API'), (e) => isSecretsError(e, 'SECRETS_NOT_FOUND'));
    });

    it('is refused for an Editor by the server (delete is Admin+)', async () => {
      const err = await deleteSecret(world.members.editor.client, new ScriptedUi(), dev(), 'REDIS_URL', { confirm: true }).catch((e: unknown) => e);
      assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'));
      assert.equal((await world.members.owner.client.getSecret(world.org, 'development', 'REDIS_URL')).key, 'REDIS_URL');
    });
  });

  it('never puts a value into an error message, even one the server echoed', () => {
    const err = new ExtensionError('EXT_INVALID_INPUT', `bad input ${CANARY.DATABASE_URL}`);
    const redact = (t: string) => t.split(CANARY.DATABASE_URL).join('***');
    assert.equal(describeError('Add Secret', err, redact).message, 'Add Secret failed: bad input ***');
    assert.equal(describeError('Reveal', new TypeError(`boom ${CANARY.DATABASE_URL}`)).message, 'Reveal failed: Something unexpected went wrong; the "Secrets" output has the details');
  });
});
