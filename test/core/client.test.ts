// Every SecretsClient call against the real server (test/helpers/server.ts), including the mapping of
// the server's problem answers to SecretsError codes and the ETag / If-Match round trip.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { SecretsClient, type ResponseInfo } from '../../core/client.ts';
import { SecretsError, type SecretsErrorCode } from '../../core/errors.ts';
import type { User } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const UA = 'secrets-core-test/0.1.0';

interface Expected {
  code: SecretsErrorCode;
  status: number;
  problemCode: string;
  message?: string | RegExp;
}

async function rejects(p: Promise<unknown>, expected: Expected): Promise<SecretsError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SecretsError, `expected a SecretsError ${expected.code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, expected.code, String(caught));
  assert.equal(caught.status, expected.status, String(caught));
  assert.equal(caught.problemCode, expected.problemCode, String(caught));
  assert.ok(caught.detail !== undefined && caught.detail.length > 0, 'the server’s detail is carried');
  assert.equal(caught.message, caught.detail);
  if (typeof expected.message === 'string') assert.equal(caught.message, expected.message);
  else if (expected.message) assert.match(caught.message, expected.message);
  return caught;
}

describe('core/client against the live server', function () {
  let server: RunningServer;
  let admin: SecretsClient;
  const clients: SecretsClient[] = [];
  const responses: ResponseInfo[] = [];
  const ORG = 'acme';
  const ENV = 'production';

  const clientFor = (token: string): SecretsClient => {
    const c = new SecretsClient({ baseUrl: server.url, token, userAgent: UA, retries: 0 });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startServer();
    admin = new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: UA, onResponse: (i) => responses.push(i) });
    clients.push(admin);
    await admin.createOrg({ slug: ORG, name: 'Acme Inc' });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  describe('me, users and personal tokens', () => {
    it('me() describes the caller of a personal token', async () => {
      const me = await admin.me();
      assert.equal(me.tokenKind, 'personal');
      assert.equal(me.user?.instanceAdmin, true);
    });

    it('createUser returns the user and a personal token that works once', async () => {
      const { user, token } = await admin.createUser({ name: 'Dana', email: 'dana@example.com' });
      assert.equal(user.email, 'dana@example.com');
      assert.match(token, /^scrt_pat_/);
      const me = await clientFor(token).me();
      assert.equal(me.user?.id, user.id);
    });

    it('createUser with a taken e-mail → SECRETS_CONFLICT (USER_EXISTS)', async () => {
      await rejects(admin.createUser({ name: 'Dana 2', email: 'dana@example.com' }), { code: 'SECRETS_CONFLICT', status: 409, problemCode: 'USER_EXISTS' });
    });

    it('creates, lists and revokes personal tokens; a revoked token → SECRETS_UNAUTHORIZED', async () => {
      const created = await admin.createPersonalToken({ name: 'laptop' });
      assert.match(created.token, /^scrt_pat_/);
      const listed = await admin.listPersonalTokens();
      const entry = listed.find((t) => t.id === created.id);
      assert.ok(entry, 'the new token is listed');
      assert.equal(entry.name, 'laptop');
      assert.ok(!JSON.stringify(listed).includes(created.token), 'the list never contains a token');
      const laptop = clientFor(created.token);
      await laptop.me();
      await admin.revokePersonalToken(created.id);
      await rejects(laptop.me(), { code: 'SECRETS_UNAUTHORIZED', status: 401, problemCode: 'UNAUTHORIZED' });
    });

    it('revoking an unknown token → SECRETS_NOT_FOUND (TOKEN_NOT_FOUND)', async () => {
      await rejects(admin.revokePersonalToken('00000000-0000-0000-0000-000000000000'), {
        code: 'SECRETS_NOT_FOUND',
        status: 404,
        problemCode: 'TOKEN_NOT_FOUND',
      });
    });

    it('an unknown token → SECRETS_UNAUTHORIZED (401)', async () => {
      await rejects(clientFor('scrt_pat_nottherightone000000000000000000000').listOrgs(), {
        code: 'SECRETS_UNAUTHORIZED',
        status: 401,
        problemCode: 'UNAUTHORIZED',
      });
    });
  });

  describe('organizations and members', () => {
    let member: User;
    let memberClient: SecretsClient;

    before(async () => {
      const created = await admin.createUser({ name: 'Mo', email: 'mo@example.com' });
      member = created.user;
      memberClient = clientFor(created.token);
    });

    it('createOrg makes the caller owner; listOrgs and getOrg show it', async () => {
      const org = await admin.createOrg({ slug: 'globex', name: 'Globex' });
      assert.deepEqual({ slug: org.slug, name: org.name, role: org.role }, { slug: 'globex', name: 'Globex', role: 'owner' });
      assert.ok((await admin.listOrgs()).some((o) => o.slug === 'globex'));
      assert.equal((await admin.getOrg('globex')).name, 'Globex');
    });

    it('createOrg with a taken slug → SECRETS_CONFLICT (ORG_EXISTS)', async () => {
      await rejects(admin.createOrg({ slug: ORG, name: 'Again' }), { code: 'SECRETS_CONFLICT', status: 409, problemCode: 'ORG_EXISTS' });
    });

    it('createOrg with a bad slug → SECRETS_VALIDATION (VALIDATION_FAILED)', async () => {
      await rejects(admin.createOrg({ slug: 'Not A Slug', name: 'x' }), { code: 'SECRETS_VALIDATION', status: 400, problemCode: 'VALIDATION_FAILED' });
    });

    it('an organization the caller is not in looks absent → SECRETS_NOT_FOUND (ORG_NOT_FOUND)', async () => {
      await rejects(memberClient.getOrg(ORG), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'ORG_NOT_FOUND' });
      await rejects(admin.getOrg('no-such-org'), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'ORG_NOT_FOUND' });
    });

    it('putMember adds then changes a member; getMember and listMembers show the role', async () => {
      const added = await admin.putMember(ORG, member.id, 'viewer');
      assert.equal(added.role, 'viewer');
      assert.equal(added.userId, member.id);
      assert.equal((await admin.getMember(ORG, member.id)).role, 'viewer');
      const changed = await admin.putMember(ORG, member.id, 'editor');
      assert.equal(changed.role, 'editor');
      const all = await admin.listMembers(ORG);
      assert.equal(all.find((m) => m.userId === member.id)?.role, 'editor');
      assert.equal((await memberClient.getOrg(ORG)).role, 'editor');
    });

    it('a member without the permission → SECRETS_FORBIDDEN (FORBIDDEN)', async () => {
      await admin.putMember(ORG, member.id, 'viewer');
      await rejects(memberClient.createSecret(ORG, ENV, { key: 'VIEWER_WRITE', value: 'nope-nope' }), {
        code: 'SECRETS_FORBIDDEN',
        status: 403,
        problemCode: 'FORBIDDEN',
      });
      await rejects(memberClient.putMember(ORG, member.id, 'owner'), { code: 'SECRETS_FORBIDDEN', status: 403, problemCode: 'FORBIDDEN' });
    });

    it('removing the last owner → SECRETS_CONFLICT (LAST_OWNER)', async () => {
      const me = await admin.me();
      await rejects(admin.removeMember(ORG, me.user!.id), { code: 'SECRETS_CONFLICT', status: 409, problemCode: 'LAST_OWNER' });
    });

    it('removing a member who owns a workspace → SECRETS_CONFLICT (MEMBER_OWNS_WORKSPACES, naming it), until it has another owner', async () => {
      await admin.putMember(ORG, member.id, 'editor');
      const ws = await admin.createWorkspace(ORG, { slug: 'core-owned', owner: member.id });
      await rejects(admin.removeMember(ORG, member.id), { code: 'SECRETS_CONFLICT', status: 409, problemCode: 'MEMBER_OWNS_WORKSPACES' });
      await assert.rejects(admin.removeMember(ORG, member.id), (err: Error) => err.message.includes('owns workspaces core-owned: give them another owner first'));
      await admin.updateWorkspace(ORG, ws.slug, { owner: (await admin.me()).user!.id });
    });

    it('removeMember removes; getMember then → SECRETS_NOT_FOUND (MEMBER_NOT_FOUND)', async () => {
      await admin.removeMember(ORG, member.id);
      await rejects(admin.getMember(ORG, member.id), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'MEMBER_NOT_FOUND' });
      await rejects(memberClient.getOrg(ORG), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'ORG_NOT_FOUND' });
    });

    it('putMember for an unknown user → SECRETS_NOT_FOUND (USER_NOT_FOUND)', async () => {
      await rejects(admin.putMember(ORG, '00000000-0000-0000-0000-000000000000', 'viewer'), {
        code: 'SECRETS_NOT_FOUND',
        status: 404,
        problemCode: 'USER_NOT_FOUND',
      });
    });
  });

  describe('environments', () => {
    it('every organization starts with development, staging and production', async () => {
      const slugs = (await admin.listEnvironments(ORG)).map((e) => e.slug);
      for (const s of ['development', 'staging', 'production']) assert.ok(slugs.includes(s), `${s} in ${slugs.join(',')}`);
    });

    it('createEnvironment adds one; a taken slug → SECRETS_CONFLICT (ENVIRONMENT_EXISTS)', async () => {
      const env = await admin.createEnvironment(ORG, { slug: 'qa', name: 'QA' });
      assert.equal(env.slug, 'qa');
      assert.equal(env.name, 'QA');
      assert.ok((await admin.listEnvironments(ORG)).some((e) => e.slug === 'qa'));
      await rejects(admin.createEnvironment(ORG, { slug: 'qa' }), { code: 'SECRETS_CONFLICT', status: 409, problemCode: 'ENVIRONMENT_EXISTS' });
    });

    it('an unknown environment → SECRETS_NOT_FOUND (ENVIRONMENT_NOT_FOUND) naming it', async () => {
      await rejects(admin.listSecrets(ORG, 'staging2'), {
        code: 'SECRETS_NOT_FOUND',
        status: 404,
        problemCode: 'ENVIRONMENT_NOT_FOUND',
        message: /staging2/,
      });
    });
  });

  describe('secrets', () => {
    it('createSecret uppercases the key and starts at version 1', async () => {
      const meta = await admin.createSecret(ORG, ENV, { key: 'stripe_key', value: 'sk_live_123', description: 'Stripe' });
      assert.equal(meta.key, 'STRIPE_KEY');
      assert.equal(meta.version, 1);
      assert.equal(meta.description, 'Stripe');
      assert.ok(!('value' in meta), 'metadata has no value');
    });

    it('listSecrets is sorted by key and searches case-insensitively in any part of the key', async () => {
      await admin.createSecret(ORG, ENV, { key: 'DB_PASSWORD', value: 'pw-123456' });
      await admin.createSecret(ORG, ENV, { key: 'AWS_SECRET', value: 'aws-123456' });
      const keys = (await admin.listSecrets(ORG, ENV)).map((s) => s.key);
      assert.deepEqual(keys, [...keys].sort());
      assert.ok(keys.includes('DB_PASSWORD') && keys.includes('AWS_SECRET'));
      assert.deepEqual((await admin.listSecrets(ORG, ENV, { search: 'pass' })).map((s) => s.key), ['DB_PASSWORD']);
      assert.deepEqual(await admin.listSecrets(ORG, ENV, { search: '&search=DB' }), []);
    });

    it('getSecret returns metadata whose version is the ETag', async () => {
      const meta = await admin.getSecret(ORG, ENV, 'stripe_key');
      assert.equal(meta.key, 'STRIPE_KEY');
      const raw = await fetch(`${server.url}/v1/orgs/${ORG}/environments/${ENV}/secrets/STRIPE_KEY`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      assert.equal(raw.headers.get('etag'), `"${meta.version}"`);
    });

    it('revealSecret returns the value and version', async () => {
      assert.deepEqual(await admin.revealSecret(ORG, ENV, 'STRIPE_KEY'), { key: 'STRIPE_KEY', value: 'sk_live_123', version: 1 });
    });

    it('updateSecret with the current If-Match bumps the version; a stale one → SECRETS_STALE_VERSION', async () => {
      const before = await admin.getSecret(ORG, ENV, 'STRIPE_KEY');
      const updated = await admin.updateSecret(ORG, ENV, 'STRIPE_KEY', { value: 'sk_live_456' }, { ifMatch: before.version });
      assert.equal(updated.version, before.version + 1);
      assert.equal((await admin.revealSecret(ORG, ENV, 'STRIPE_KEY')).value, 'sk_live_456');
      const err = await rejects(admin.updateSecret(ORG, ENV, 'STRIPE_KEY', { value: 'sk_live_789' }, { ifMatch: before.version }), {
        code: 'SECRETS_STALE_VERSION',
        status: 412,
        problemCode: 'STALE_VERSION',
        message: `Secret STRIPE_KEY was changed by someone else (version ${updated.version} is current, you had ${before.version})`,
      });
      assert.ok(!err.message.includes('sk_live'));
      assert.equal((await admin.revealSecret(ORG, ENV, 'STRIPE_KEY')).value, 'sk_live_456', 'the stale write changed nothing');
    });

    it('updateSecret without If-Match changes the description and keeps the value', async () => {
      const updated = await admin.updateSecret(ORG, ENV, 'STRIPE_KEY', { description: 'Live Stripe key' });
      assert.equal(updated.description, 'Live Stripe key');
      assert.equal((await admin.revealSecret(ORG, ENV, 'STRIPE_KEY')).value, 'sk_live_456');
    });

    it('updateSecret with nothing new → SECRETS_VALIDATION "No changes to save"', async () => {
      await rejects(admin.updateSecret(ORG, ENV, 'STRIPE_KEY', { description: 'Live Stripe key' }), {
        code: 'SECRETS_VALIDATION',
        status: 400,
        problemCode: 'NO_CHANGES',
        message: 'No changes to save',
      });
    });

    it('createSecret without a key, without a value, or with a bad key → SECRETS_VALIDATION with the product messages', async () => {
      await rejects(admin.createSecret(ORG, ENV, { key: '', value: 'v-123456' }), {
        code: 'SECRETS_VALIDATION',
        status: 400,
        problemCode: 'SECRET_KEY_REQUIRED',
        message: 'Secret key is required',
      });
      await rejects(admin.createSecret(ORG, ENV, { key: 'EMPTY', value: '' }), {
        code: 'SECRETS_VALIDATION',
        status: 400,
        problemCode: 'SECRET_VALUE_REQUIRED',
        message: 'Secret value is required',
      });
      await rejects(admin.createSecret(ORG, ENV, { key: '1BAD-KEY', value: 'v-123456' }), {
        code: 'SECRETS_VALIDATION',
        status: 400,
        problemCode: 'SECRET_KEY_INVALID',
      });
    });

    it('createSecret with a taken key → SECRETS_CONFLICT (SECRET_EXISTS) naming key and environment', async () => {
      await rejects(admin.createSecret(ORG, ENV, { key: 'STRIPE_KEY', value: 'again-123' }), {
        code: 'SECRETS_CONFLICT',
        status: 409,
        problemCode: 'SECRET_EXISTS',
        message: 'A secret with the key STRIPE_KEY already exists in production',
      });
    });

    it('a value over 64 KiB → SECRETS_VALIDATION; a body over 1 MiB → SECRETS_TOO_LARGE', async () => {
      const tooLong = await admin.createSecret(ORG, ENV, { key: 'HUGE', value: 'x'.repeat(64 * 1024 + 1) }).catch((e: unknown) => e);
      assert.ok(tooLong instanceof SecretsError && tooLong.code === 'SECRETS_VALIDATION' && tooLong.status === 400, String(tooLong));
      await rejects(admin.createSecret(ORG, ENV, { key: 'HUGER', value: 'x'.repeat(1024 * 1024 + 10) }), {
        code: 'SECRETS_TOO_LARGE',
        status: 413,
        problemCode: 'PAYLOAD_TOO_LARGE',
      });
    });

    it('encodes path segments, so a key cannot reach another route', async () => {
      // Unencoded, "STRIPE_KEY/reveal" would be the reveal route and answer with the value.
      for (const key of ['STRIPE_KEY/reveal', '../../../../me', 'STRIPE_KEY?x=1', 'STRIPE_KEY#x']) {
        const err = await admin.getSecret(ORG, ENV, key).catch((e: unknown) => e);
        assert.ok(err instanceof SecretsError, `${key}: ${String(err)}`);
        assert.ok(err.code === 'SECRETS_NOT_FOUND' || err.code === 'SECRETS_VALIDATION', `${key}: ${err.code}`);
      }
      await assert.rejects(admin.getSecret(ORG, ENV, '..'), TypeError);
    });

    it('deleteSecret removes the secret for good → then SECRETS_NOT_FOUND (SECRET_NOT_FOUND)', async () => {
      await admin.createSecret(ORG, ENV, { key: 'TEMP', value: 'temp-123' });
      await admin.deleteSecret(ORG, ENV, 'temp');
      await rejects(admin.getSecret(ORG, ENV, 'TEMP'), {
        code: 'SECRETS_NOT_FOUND',
        status: 404,
        problemCode: 'SECRET_NOT_FOUND',
        message: 'Secret TEMP does not exist in production',
      });
      await rejects(admin.revealSecret(ORG, ENV, 'TEMP'), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'SECRET_NOT_FOUND' });
    });

    it('keeps environments isolated: the same key holds different values', async () => {
      await admin.createSecret(ORG, 'staging', { key: 'DB_PASSWORD', value: 'staging-pw' });
      assert.equal((await admin.revealSecret(ORG, 'staging', 'DB_PASSWORD')).value, 'staging-pw');
      assert.equal((await admin.revealSecret(ORG, ENV, 'DB_PASSWORD')).value, 'pw-123456');
    });
  });

  describe('bulk reveal', () => {
    it('reveals every secret of the environment in one call', async () => {
      const bulk = await admin.bulkReveal(ORG, ENV);
      assert.equal(bulk.environment, ENV);
      assert.deepEqual(bulk.missing, []);
      const byKey = Object.fromEntries(bulk.secrets.map((s) => [s.key, s.value]));
      assert.equal(byKey.DB_PASSWORD, 'pw-123456');
      assert.equal(byKey.STRIPE_KEY, 'sk_live_456');
    });

    it('reveals the named keys and lists the missing ones', async () => {
      const bulk = await admin.bulkReveal(ORG, ENV, { keys: ['DB_PASSWORD', 'NOPE'] });
      assert.deepEqual(bulk.secrets.map((s) => s.key), ['DB_PASSWORD']);
      assert.deepEqual(bulk.missing, ['NOPE']);
    });
  });

  describe('service tokens', () => {
    it('create, use within scope, be refused outside it, list without the token, revoke', async () => {
      const created = await admin.createServiceToken(ORG, { name: 'ci', environment: ENV });
      assert.match(created.token, /^scrt_svc_/);
      assert.equal(created.environment, ENV);
      const listed = await admin.listServiceTokens(ORG);
      assert.ok(listed.some((t) => t.id === created.id && t.name === 'ci'));
      assert.ok(!JSON.stringify(listed).includes(created.token));

      const ci = clientFor(created.token);
      const me = await ci.me();
      assert.deepEqual({ kind: me.tokenKind, user: me.user, org: me.organization, env: me.environment }, { kind: 'service', user: null, org: ORG, env: ENV });
      assert.ok((await ci.bulkReveal(ORG, ENV)).secrets.some((s) => s.key === 'DB_PASSWORD'));
      assert.equal((await ci.revealSecret(ORG, ENV, 'DB_PASSWORD')).value, 'pw-123456');
      await rejects(ci.createSecret(ORG, ENV, { key: 'FROM_CI', value: 'ci-value-1' }), { code: 'SECRETS_FORBIDDEN', status: 403, problemCode: 'FORBIDDEN' });
      await rejects(ci.revealSecret(ORG, 'staging', 'DB_PASSWORD'), { code: 'SECRETS_FORBIDDEN', status: 403, problemCode: 'FORBIDDEN' });

      await admin.revokeServiceToken(ORG, created.id);
      await rejects(ci.me(), { code: 'SECRETS_UNAUTHORIZED', status: 401, problemCode: 'UNAUTHORIZED' });
      await rejects(admin.revokeServiceToken(ORG, created.id), { code: 'SECRETS_NOT_FOUND', status: 404, problemCode: 'TOKEN_NOT_FOUND' });
    });
  });

  describe('audit', () => {
    it('pages newest first with a cursor and records our user agent, never a value', async () => {
      const first = await admin.listAudit(ORG, { limit: 2 });
      assert.equal(first.events.length, 2);
      assert.ok(first.nextCursor, 'there is a next page');
      const second = await admin.listAudit(ORG, { limit: 2, cursor: first.nextCursor });
      assert.equal(second.events.length, 2);
      assert.ok(!second.events.some((e) => first.events.some((f) => f.id === e.id)), 'pages do not overlap');
      assert.ok(first.events[0]!.time >= second.events[0]!.time, 'newest first');

      const all = await admin.listAudit(ORG, { limit: 500 });
      const reveal = all.events.find((e) => e.action === 'secret.reveal' && e.keys.includes('STRIPE_KEY'));
      assert.ok(reveal, 'the reveal was audited');
      assert.equal(reveal.userAgent, UA);
      const text = JSON.stringify(all);
      for (const v of ['sk_live_123', 'sk_live_456', 'pw-123456']) assert.ok(!text.includes(v), `audit contains ${v}`);
    });

    it('a limit out of range → SECRETS_VALIDATION', async () => {
      await rejects(admin.listAudit(ORG, { limit: 501 }), { code: 'SECRETS_VALIDATION', status: 400, problemCode: 'VALIDATION_FAILED' });
    });
  });

  describe('hooks and canaries', () => {
    it('reports each answer to onResponse with method, path (no query) and status', () => {
      const search = responses.find((r) => r.method === 'GET' && r.path === `/v1/orgs/${ORG}/environments/${ENV}/secrets` && r.status === 200);
      assert.ok(search, 'the list call was reported');
      assert.ok(responses.some((r) => r.status === 412 && r.method === 'PATCH'));
      assert.ok(responses.every((r) => !r.path.includes('?') && r.ms >= 0));
    });

    it('no error from the live server carries the token or the value sent', async () => {
      const TOKEN = server.adminToken;
      const VALUE = 'canary-live-value-9c1f';
      const errors: unknown[] = [
        await admin.createSecret(ORG, ENV, { key: '1BAD', value: VALUE }).catch((e: unknown) => e),
        await admin.createSecret(ORG, ENV, { key: 'STRIPE_KEY', value: VALUE }).catch((e: unknown) => e),
        await admin.updateSecret(ORG, ENV, 'STRIPE_KEY', { value: VALUE }, { ifMatch: 1 }).catch((e: unknown) => e),
        await admin.updateSecret(ORG, ENV, 'NOPE', { value: VALUE }).catch((e: unknown) => e),
        await admin.createSecret(ORG, 'nope', { key: 'X_Y', value: VALUE }).catch((e: unknown) => e),
        await clientFor(`${TOKEN}x`).revealSecret(ORG, ENV, 'STRIPE_KEY').catch((e: unknown) => e),
      ];
      for (const err of errors) {
        assert.ok(err instanceof SecretsError, String(err));
        for (const view of [String(err), err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })]) {
          assert.ok(!view.includes(TOKEN), `token in ${view}`);
          assert.ok(!view.includes(VALUE), `value in ${view}`);
        }
      }
    });
  });
});
