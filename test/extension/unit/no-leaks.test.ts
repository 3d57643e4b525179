import assert from 'node:assert/strict';
import { SecretsClient } from '../../../core/client.ts';
import { describeError } from '../../../extension/errors.ts';
import { addSecret } from '../../../extension/logic/add-secret.ts';
import { deleteSecret } from '../../../extension/logic/delete-secret.ts';
import { editSecret } from '../../../extension/logic/edit-secret.ts';
import { requestLine } from '../../../extension/logic/log-lines.ts';
import { Redactor } from '../../../core/redactor.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { ManualClock } from './support/fake-clock.ts';
import { ScriptedUi } from './support/scripted-ui.ts';
import { startWorld, type World } from './support/world.ts';

// Every line the output channel would get and every notification the edge would show, for a session
// that adds, reveals, edits (also stale), fails and deletes secrets holding canary values.
describe('extension: no value or token in logs or notifications (live server)', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('logs method, path, status and time for every request, and nothing secret, through a whole session', async () => {
    const canaries = ['canary-leak-value-0001', 'canary-leak-value-0002', 'canary-leak-value-0003'];
    const token = world.members.owner.token;
    const redactor = new Redactor();
    redactor.add(token);
    const lines: string[] = [];
    const api = new SecretsClient({
      baseUrl: world.server.url,
      token,
      userAgent: 'secrets-vscode-test/0.1.0',
      retries: 0,
      onResponse: (info) => lines.push(requestLine(info, redactor)),
    });
    const shown: string[] = [];
    const run = async (action: string, f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        shown.push(describeError(action, err, (t) => redactor.redact(t)).message);
      }
    };
    const target = { org: world.org, env: 'production' };
    try {
      const model = new SecretsTreeModel({ clock: new ManualClock() });
      model.setApi(api);
      await model.loadOrgs();
      await model.loadEnvironments(world.org);
      await run('Add Secret', () => addSecret(api, new ScriptedUi([{ input: 'leak_test' }, { input: canaries[0]! }, { input: '' }]), target));
      await run('Add Secret', () => addSecret(api, new ScriptedUi(), target, { args: { key: 'LEAK_TEST', value: canaries[1]! } }));
      await model.loadSecrets(world.org, 'production');
      await run('Reveal', async () => redactor.add((await model.reveal(world.org, 'production', 'LEAK_TEST')).display));
      const seen = model.secretNode(world.org, 'production', 'LEAK_TEST')!.meta;
      await run('Edit', () => editSecret(api, new ScriptedUi(), target, seen, { value: canaries[1]! }));
      await run('Edit', () => editSecret(api, new ScriptedUi(), target, seen, { value: canaries[2]! }));
      await run('Edit', () => editSecret(api, new ScriptedUi(), target, { ...seen, version: 99 }, { value: canaries[2]! }));
      await run('Reveal', () => model.reveal(world.org, 'production', 'NO_SUCH_KEY'));
      await run('Delete', () => deleteSecret(api, new ScriptedUi(), target, 'LEAK_TEST', { confirm: 'LEAK_TES' }));
      await run('Delete', () => deleteSecret(api, new ScriptedUi(), target, 'LEAK_TEST', { confirm: 'LEAK_TEST' }));
    } finally {
      await api.close();
    }

    assert.ok(lines.length >= 9, lines.join('\n'));
    for (const line of lines) assert.match(line, /^(GET|POST|PATCH|DELETE|PUT) \/v1\/\S+ \d{3} \d+ms$/, line);
    assert.ok(lines.some((l) => /^POST \/v1\/orgs\/[^/]+\/environments\/production\/secrets\/LEAK_TEST\/reveal 200 /.test(l)));
    assert.ok(lines.some((l) => / 412 /.test(l)), 'the stale edit was logged with its status');
    assert.ok(shown.length >= 4, shown.join('\n'));
    assert.ok(shown.some((m) => /^Add Secret failed: A secret with the key LEAK_TEST already exists/.test(m)));
    assert.ok(shown.some((m) => /^Edit failed: Secret LEAK_TEST was changed by someone else/.test(m)));
    assert.ok(shown.some((m) => /^Reveal failed: Secret NO_SUCH_KEY does not exist in production/.test(m)));
    assert.ok(shown.some((m) => /^Delete failed: The key typed did not match/.test(m)));
    const everything = [...lines, ...shown].join('\n');
    for (const secret of [...canaries, token]) assert.ok(!everything.includes(secret), `${secret.slice(0, 12)}… leaked`);
  });
});
