// The audit log: Admin+ only, newest first, cursor pagination without gaps or repeats, every
// change and every denied attempt recorded with the fields of docs/api.md, and never a value.
import assert from 'node:assert/strict';
import type { AuditEvent, AuditPage } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { bulkRevealPath, createEnvironment, createSecret, createServiceToken, createTeam, createUser, secretPath, secretsPath, setRole, type Team } from './support/fixtures.ts';

const VALUE = 'audit-canary-value-5d1f0c';
const VALUE2 = 'audit-canary-value2-77aa1e';
const UA = 'audit-test-agent/2.0';

describe('server: audit', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let events: AuditEvent[];
  const env = 'production';

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    const ua = { 'user-agent': UA };
    await api.post(secretsPath(team.org, env), team.editor.token, { key: 'AUDITED', value: VALUE, description: 'd' }, ua);
    await api.post(`${secretPath(team.org, env, 'AUDITED')}/reveal`, team.editor.token, {}, ua);
    await api.get(secretPath(team.org, env, 'AUDITED'), team.viewer.token, ua);
    await api.patch(secretPath(team.org, env, 'AUDITED'), team.editor.token, { value: VALUE2 }, ua);
    await api.post(bulkRevealPath(team.org, env), team.editor.token, { keys: ['AUDITED'] }, ua);
    await api.del(secretPath(team.org, env, 'AUDITED'), team.admin.token);
    // denied attempts
    await api.post(`${secretPath(team.org, 'staging', 'ANY')}/reveal`, team.viewer.token, {}, ua);
    await api.post(secretsPath(team.org, env), team.viewer.token, { key: 'DENIED_CREATE', value: VALUE }, ua);
    await api.get(`/v1/orgs/${team.org}/audit`, team.editor.token, ua);
    await createEnvironment(api, team.admin.token, team.org, 'audited-env');
    const svc = await createServiceToken(api, team.admin.token, team.org, env, { name: 'audited-token' });
    await api.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, team.admin.token);
    const u = await createUser(api, server.adminToken);
    await setRole(api, team.admin.token, team.org, u.user.id, 'viewer');
    await setRole(api, team.admin.token, team.org, u.user.id, 'editor');
    await api.del(`/v1/orgs/${team.org}/members/${u.user.id}`, team.admin.token);
    events = await auditEvents(api, team.owner.token, team.org);
  });
  after(() => stopAndRemove(server));

  const find = (action: AuditEvent['action'], outcome: AuditEvent['outcome'] = 'allowed') => {
    const e = events.find((x) => x.action === action && x.outcome === outcome);
    assert.ok(e, `no ${outcome} ${action} event in ${JSON.stringify(events.map((x) => `${x.action}/${x.outcome}`))}`);
    return e;
  };

  it('records every event with the fields of docs/api.md', () => {
    assert.ok(events.length > 0);
    for (const e of events) {
      assert.deepEqual(Object.keys(e).sort(), ['action', 'actor', 'count', 'environment', 'id', 'ip', 'keys', 'outcome', 'time', 'userAgent', 'workspace']);
      assert.match(e.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.ok(['user', 'service', 'anonymous'].includes(e.actor.type));
      assert.ok(Array.isArray(e.keys));
      assert.ok(e.outcome === 'allowed' || e.outcome === 'denied');
      assert.equal(typeof e.ip, 'string');
    }
  });

  it('records a create with actor, environment, key, IP and user agent', () => {
    const e = find('secret.create');
    assert.deepEqual(e.actor, { type: 'user', id: team.editor.user.id, name: team.editor.user.name });
    assert.equal(e.environment, env);
    assert.deepEqual(e.keys, ['AUDITED']);
    assert.match(e.ip, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    assert.equal(e.userAgent, UA);
  });

  for (const action of ['secret.reveal', 'secret.update', 'secret.bulk_reveal', 'secret.delete'] as const) {
    it(`records ${action} with the key`, () => {
      const e = find(action);
      assert.equal(e.environment, env);
      assert.ok(e.keys.includes('AUDITED'), JSON.stringify(e));
    });
  }

  it('records the creation of the organization by its creator', () => {
    assert.equal(find('org.create').actor.id, team.owner.user.id);
  });

  it('records environment, token and member changes', () => {
    find('environment.create');
    find('token.create');
    find('token.revoke');
    find('member.add');
    find('member.update');
    find('member.remove');
  });

  it('records denied attempts with the actor: a Viewer\'s reveal and create, an Editor\'s audit read', () => {
    const reveal = events.find((e) => e.action === 'secret.reveal' && e.outcome === 'denied');
    assert.ok(reveal, 'denied reveal recorded');
    assert.equal(reveal.actor.id, team.viewer.user.id);
    assert.equal(reveal.environment, 'staging');
    assert.equal(reveal.userAgent, UA);
    const create = events.find((e) => e.action === 'secret.create' && e.outcome === 'denied');
    assert.ok(create, 'denied create recorded');
    assert.equal(create.actor.id, team.viewer.user.id);
    const audit = events.find((e) => e.action === 'audit.read' && e.outcome === 'denied');
    assert.ok(audit, 'denied audit read recorded');
    assert.equal(audit.actor.id, team.editor.user.id);
  });

  it('records a denied attempt without a token as an anonymous actor', async () => {
    assertProblem(await api.post(`${secretPath(team.org, env, 'ANY')}/reveal`, undefined, {}), 401, 'UNAUTHORIZED');
    const fresh = await auditEvents(api, team.owner.token, team.org);
    const e = fresh.find((x) => x.outcome === 'denied' && x.actor.type === 'anonymous');
    assert.ok(e, 'anonymous denied attempt recorded');
    assert.equal(e.actor.id, null);
  });

  it('never holds a secret value', async () => {
    const text = JSON.stringify(await auditEvents(api, team.owner.token, team.org));
    assert.ok(!text.includes(VALUE));
    assert.ok(!text.includes(VALUE2));
  });

  it('lists newest first', () => {
    for (let i = 1; i < events.length; i++) {
      assert.ok(Date.parse(events[i - 1]!.time) >= Date.parse(events[i]!.time), `event ${i} is newer than event ${i - 1}`);
    }
    const idx = (a: AuditEvent['action']) => events.findIndex((e) => e.action === a && e.outcome === 'allowed');
    assert.ok(idx('secret.delete') < idx('secret.create'), 'the delete, done later, comes first');
  });

  it('pages with limit and cursor without gaps or repeats, ending with nextCursor null', async () => {
    const all = await auditEvents(api, team.owner.token, team.org);
    const seen: AuditEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Awaited<ReturnType<typeof api.get<AuditPage>>> = await api.get<AuditPage>(
        `/v1/orgs/${team.org}/audit?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        team.owner.token,
      );
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.events.length <= 3);
      seen.push(...r.body.events);
      cursor = r.body.nextCursor;
      pages += 1;
      assert.ok(pages < 1000);
    } while (cursor);
    const ids = seen.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no event appears twice');
    const wanted = all.map((e) => e.id);
    for (const id of wanted) assert.ok(ids.includes(id), `event ${id} was skipped by pagination`);
    assert.ok(pages >= Math.ceil(wanted.length / 3));
  });

  it('pages 50 events at a time by default', async () => {
    for (let i = 0; i < 30; i++) {
      await createSecret(api, team.editor.token, team.org, 'development', `PAGE_${i}`, 'v');
      await api.post(`${secretPath(team.org, 'development', `PAGE_${i}`)}/reveal`, team.editor.token);
    }
    const r = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit`, team.owner.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.events.length, 50);
    assert.equal(typeof r.body.nextCursor, 'string');
  });

  it('answers limit=1 with one event and a cursor', async () => {
    const r = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit?limit=1`, team.admin.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.events.length, 1);
    assert.equal(typeof r.body.nextCursor, 'string');
  });

  it('is readable by Owner and Admin, refused to Editor and Viewer with 403', async () => {
    assert.equal((await api.get(`/v1/orgs/${team.org}/audit`, team.owner.token)).status, 200);
    assert.equal((await api.get(`/v1/orgs/${team.org}/audit`, team.admin.token)).status, 200);
    assertProblem(await api.get(`/v1/orgs/${team.org}/audit`, team.editor.token), 403, 'FORBIDDEN');
    assertProblem(await api.get(`/v1/orgs/${team.org}/audit`, team.viewer.token), 403, 'FORBIDDEN');
  });

  it('holds only its own organization\'s events', async () => {
    const other = await createTeam(api, server.adminToken);
    await createSecret(api, other.editor.token, other.org, env, 'OTHER_ORG_SECRET', 'x');
    const mine = JSON.stringify(await auditEvents(api, team.owner.token, team.org));
    assert.ok(!mine.includes('OTHER_ORG_SECRET'));
    assert.ok(!mine.includes(other.editor.user.id));
    const theirs = JSON.stringify(await auditEvents(api, other.owner.token, other.org));
    assert.ok(!theirs.includes('AUDITED'));
  });
});
