// Filtering the audit trail on the server, and reading it forward from a known event (what
// `secrets audit --follow` polls with).
import assert from 'node:assert/strict';
import type { AuditPage } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { createEnvironment, createSecret, createTeam, secretPath, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';

describe('server: audit filters and reading forward', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let env: string;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'ALPHA', 'alpha-audit-value-1');
    await createSecret(api, team.editor.token, team.org, env, 'BRAVO', 'bravo-audit-value-2');
    await api.post(`${secretPath(team.org, env, 'ALPHA')}/reveal`, team.editor.token);
    await api.post(`${secretPath(team.org, env, 'ALPHA')}/reveal`, team.viewer.token);
  });
  after(() => stopAndRemove(server));

  const audit = async (query: string) => {
    const r = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit?${query}`, team.owner.token);
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  const summary = (p: AuditPage) => p.events.map((e) => `${e.action}:${e.keys.join(',')}:${e.outcome}`);

  it('filters by key, outcome, action family, environment and actor, newest first', async () => {
    assert.deepEqual(summary(await audit('key=alpha')), ['secret.reveal:ALPHA:denied', 'secret.reveal:ALPHA:allowed', 'secret.create:ALPHA:allowed']);
    assert.deepEqual(summary(await audit('key=ALPHA&outcome=denied')), ['secret.reveal:ALPHA:denied']);
    assert.deepEqual(summary(await audit(`action=secret&environment=${env}&outcome=allowed`)), [
      'secret.reveal:ALPHA:allowed',
      'secret.create:BRAVO:allowed',
      'secret.create:ALPHA:allowed',
    ]);
    assert.deepEqual(summary(await audit('action=secret.create&key=BRAVO')), ['secret.create:BRAVO:allowed']);
    const byActor = await audit(`actor=${encodeURIComponent(team.viewer.user.name.toUpperCase())}`);
    assert.deepEqual(summary(byActor), ['secret.reveal:ALPHA:denied']);
    assert.deepEqual(summary(await audit(`actor=${team.viewer.user.id}`)), ['secret.reveal:ALPHA:denied']);
  });

  it('filters by time, inclusive at both ends, and pages filtered results with the cursor', async () => {
    const all = await audit('key=ALPHA');
    const oldest = all.events.at(-1)!;
    const newest = all.events[0]!;
    assert.deepEqual(summary(await audit(`key=ALPHA&until=${encodeURIComponent(oldest.time)}`)), ['secret.create:ALPHA:allowed']);
    assert.equal((await audit(`key=ALPHA&since=${encodeURIComponent(newest.time)}`)).events[0]!.id, newest.id);
    assert.deepEqual((await audit('key=ALPHA&until=2000-01-01T00:00:00Z')).events, []);
    const first = await audit('key=ALPHA&limit=2');
    assert.equal(first.events.length, 2);
    const second = await audit(`key=ALPHA&limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(summary(second), ['secret.create:ALPHA:allowed']);
    assert.equal(second.nextCursor, null);
  });

  it('after=<event id> answers the later events oldest first, filtered, and nothing after the newest', async () => {
    const all = (await audit('limit=500')).events;
    const mark = all.find((e) => e.action === 'secret.create' && e.keys[0] === 'ALPHA')!;
    const later = await audit(`after=${mark.id}`);
    assert.equal(later.nextCursor, null);
    assert.deepEqual(summary(later), ['secret.create:BRAVO:allowed', 'secret.reveal:ALPHA:allowed', 'secret.reveal:ALPHA:denied']);
    assert.deepEqual(summary(await audit(`after=${mark.id}&key=ALPHA`)), ['secret.reveal:ALPHA:allowed', 'secret.reveal:ALPHA:denied']);
    assert.deepEqual(summary(await audit(`after=${mark.id}&limit=1`)), ['secret.create:BRAVO:allowed']);
    assert.deepEqual((await audit(`after=${all[0]!.id}`)).events, []);
  });

  it('refuses a bad time, action, outcome or key, an unknown event id, and after with cursor', async () => {
    const bad = async (query: string, code: 'VALIDATION_FAILED' | 'SECRET_KEY_INVALID') =>
      assertProblem(await api.get(`/v1/orgs/${team.org}/audit?${query}`, team.owner.token), 400, code);
    await bad('since=yesterday', 'VALIDATION_FAILED');
    await bad('action=SECRET;DROP', 'VALIDATION_FAILED');
    await bad('outcome=maybe', 'VALIDATION_FAILED');
    await bad('key=not-a-key', 'SECRET_KEY_INVALID');
    await bad('after=00000000-0000-4000-8000-000000000000', 'VALIDATION_FAILED');
    const some = (await audit('limit=2'));
    await bad(`after=${some.events[0]!.id}&cursor=${some.nextCursor}`, 'VALIDATION_FAILED');
  });

  it('keeps filters and after behind Admin+: a Viewer gets 403', async () => {
    assertProblem(await api.get(`/v1/orgs/${team.org}/audit?key=ALPHA`, team.viewer.token), 403, 'FORBIDDEN');
  });
});
