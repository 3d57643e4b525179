// A token cannot mint a token that outlives it: an expiring personal token creates personal tokens,
// service tokens and users whose tokens expire no later than itself, and a later expiry is refused.
import assert from 'node:assert/strict';
import type { PersonalToken, ServiceToken, User } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe('server: a token cannot mint a token that outlives it', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  /** The admin's own personal token, expiring in two days. */
  let shortLived: string;
  let limit: string;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    const r = await api.post<PersonalToken & { token: string }>('/v1/me/tokens', server.adminToken, { name: 'short-lived', expiresAt: inDays(2) });
    assert.equal(r.status, 201, r.text);
    shortLived = r.body.token;
    limit = r.body.expiresAt!;
  });
  after(() => stopAndRemove(server));

  it('refuses a personal token that would expire later than the token creating it, or never', async () => {
    const later = await api.post('/v1/me/tokens', shortLived, { name: 'later', expiresAt: inDays(30) });
    const p = assertProblem(later, 400, 'VALIDATION_FAILED', /^body\.expiresAt: must not be later than the expiry of the token making this request/);
    assert.deepEqual(p.errors?.map((e) => e.path), ['body.expiresAt']);
    const implicit = await api.post<PersonalToken>('/v1/me/tokens', shortLived, { name: 'no-expiry-asked' });
    assert.equal(implicit.status, 201, implicit.text);
    assert.equal(implicit.body.expiresAt, limit, 'a token asked for without an expiry expires with its creator');
    const mine = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', server.adminToken);
    assert.ok(mine.body.tokens.every((t) => t.name !== 'later'), 'the refused token was not created');
    assert.ok(mine.body.tokens.filter((t) => t.expiresAt === null).length === 1, 'only the first-start token never expires');
  });

  it('allows an earlier expiry', async () => {
    const sooner = inDays(1);
    const r = await api.post<PersonalToken>('/v1/me/tokens', shortLived, { name: 'sooner', expiresAt: sooner });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.expiresAt, sooner);
  });

  it('refuses a service token that would outlive the personal token creating it, and caps one without an expiry', async () => {
    const later = await api.post('/v1/orgs/default/tokens', shortLived, { name: 'ci-later', environment: 'production', expiresAt: inDays(365) });
    assertProblem(later, 400, 'VALIDATION_FAILED', /^body\.expiresAt: must not be later/);
    const implicit = await api.post<ServiceToken>('/v1/orgs/default/tokens', shortLived, { name: 'ci', environment: 'production' });
    assert.equal(implicit.status, 201, implicit.text);
    assert.equal(implicit.body.expiresAt, limit);
    const list = await api.get<{ tokens: ServiceToken[] }>('/v1/orgs/default/tokens', server.adminToken);
    assert.deepEqual(list.body.tokens.map((t) => [t.name, t.expiresAt]), [['ci', limit]]);
  });

  it("gives a user created by an expiring token a first token that expires with the creator's", async () => {
    const r = await api.post<{ user: User; token: string }>('/v1/users', shortLived, { name: 'Newcomer', email: 'newcomer@example.test' });
    assert.equal(r.status, 201, r.text);
    const theirs = await api.get<{ tokens: PersonalToken[] }>('/v1/me/tokens', r.body.token);
    assert.deepEqual(theirs.body.tokens.map((t) => t.expiresAt), [limit]);
  });

  it('leaves a token that never expires free to mint tokens that never expire', async () => {
    const r = await api.post<PersonalToken>('/v1/me/tokens', server.adminToken, { name: 'forever' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.expiresAt, null);
    const later = await api.post<PersonalToken>('/v1/me/tokens', server.adminToken, { name: 'far', expiresAt: inDays(3650) });
    assert.equal(later.status, 201, later.text);
  });
});
