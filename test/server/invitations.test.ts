// Invitations against the real server process: an Admin creates a one-time link (shown once, stored
// hashed, valid 7 days), lists and revokes invitations; the link describes the invitation without
// using it up; an existing user signed in as the invited e-mail joins by accepting; every step is
// audited; a used, revoked or unknown link is one 404. (A new person's acceptance with a passkey is
// proven in real Chromium: test/server/passkeys-browser.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptedInvitation, CreatedInvitation, Invitation, InvitationPreview, Member } from '../../core/api-types.ts';
import { databaseBytes } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { pageHeaders, signInWithToken } from './support/browser-session.ts';
import { createTeam, createUser, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';

const tokenOf = (url: string) => new URL(url).hash.slice(1);

describe('server: invitations', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let origin: string;

  before(async () => {
    server = await startServer({ env: { LOG_LEVEL: 'debug' } });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    origin = `http://localhost:${new URL(server.url).port}`;
  });
  after(() => stopAndRemove(server));

  const invite = (token: string, email: string, role = 'editor') => api.post<CreatedInvitation>(`/v1/orgs/${team.org}/invitations`, token, { email, role });

  it('creates a one-time link under the public URL, valid 7 days, with the secret in the fragment', async () => {
    const r = await invite(team.admin.token, 'newcomer-1@example.test');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const url = new URL(r.body.url);
    assert.equal(url.origin, origin);
    assert.equal(url.pathname, '/invite');
    assert.match(url.hash, /^#scrt_inv_[A-Za-z0-9_-]{43}$/);
    assert.equal(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt), 7 * 24 * 3600 * 1000);
    assert.deepEqual({ email: r.body.email, role: r.body.role, createdBy: r.body.createdBy }, { email: 'newcomer-1@example.test', role: 'editor', createdBy: team.admin.user.name });
  });

  it('lists open invitations without their links, and never stores the link secret', async () => {
    const made = await invite(team.admin.token, 'newcomer-2@example.test', 'viewer');
    const list = await api.get<{ invitations: Invitation[] }>(`/v1/orgs/${team.org}/invitations`, team.admin.token);
    assert.equal(list.status, 200);
    const found = list.body.invitations.find((i) => i.id === made.body.id);
    assert.deepEqual(Object.keys(found!).sort(), ['createdAt', 'createdBy', 'email', 'expiresAt', 'id', 'role']);
    const secret = tokenOf(made.body.url);
    assert.ok(!list.text.includes(secret));
    if (server.databaseUrl) assert.ok(!(await databaseBytes(server.databaseUrl)).toString('latin1').includes(secret), 'PostgreSQL');
    else for (const f of ['secrets.db', 'secrets.db-wal']) assert.ok(!readFileSync(join(server.dataDir, f)).toString('latin1').includes(secret), f);
  });

  it('lets only Admins and Owners invite, and only an Owner invite an Owner', async () => {
    assertProblem(await invite(team.editor.token, 'x@example.test'), 403, 'FORBIDDEN');
    assertProblem(await invite(team.viewer.token, 'x@example.test'), 403, 'FORBIDDEN');
    assertProblem(await invite(team.outsider.token, 'x@example.test'), 404, 'ORG_NOT_FOUND');
    assertProblem(await invite(team.admin.token, 'x@example.test', 'owner'), 403, 'OWNER_PROTECTED');
    assert.equal((await invite(team.owner.token, 'co-owner@example.test', 'owner')).status, 201);
    assertProblem(await api.get(`/v1/orgs/${team.org}/invitations`, team.editor.token), 403, 'FORBIDDEN');
  });

  it('describes the invitation from its link without using it up', async () => {
    const made = await invite(team.admin.token, 'preview@example.test', 'viewer');
    for (let i = 0; i < 2; i++) {
      const r = await api.get<InvitationPreview>(`/v1/invitations/${tokenOf(made.body.url)}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.organization, { slug: team.org, name: `Org ${team.org}` });
      assert.equal(r.body.email, 'preview@example.test');
      assert.equal(r.body.role, 'viewer');
    }
  });

  it('lets an existing user signed in as the invited e-mail join with the invited role, once; the link is then used up', async () => {
    const person = await createUser(api, server.adminToken);
    const made = await invite(team.admin.token, person.user.email.toUpperCase(), 'editor');
    const token = tokenOf(made.body.url);
    const accepted = await api.post<AcceptedInvitation>(`/v1/invitations/${token}/accept`, person.token, {});
    assert.equal(accepted.status, 201, accepted.text);
    assert.equal(accepted.body.organization.slug, team.org);
    assert.equal(accepted.body.organization.role, 'editor');
    assert.equal(accepted.body.session, null);
    const member = await api.get<Member>(`/v1/orgs/${team.org}/members/${person.user.id}`, team.admin.token);
    assert.equal(member.body.role, 'editor');
    assertProblem(await api.post(`/v1/invitations/${token}/accept`, person.token, {}), 404, 'INVITATION_NOT_FOUND');
    assertProblem(await api.get(`/v1/invitations/${token}`), 404, 'INVITATION_NOT_FOUND');
    const list = await api.get<{ invitations: Invitation[] }>(`/v1/orgs/${team.org}/invitations`, team.admin.token);
    assert.ok(!list.body.invitations.some((i) => i.id === made.body.id), 'an accepted invitation is no longer open');
  });

  it('accepts with the session cookie too (with its CSRF token)', async () => {
    const person = await createUser(api, server.adminToken);
    const made = await invite(team.admin.token, person.user.email, 'viewer');
    const s = await signInWithToken(api, person.token, origin);
    const r = await api.request<AcceptedInvitation>('POST', `/v1/invitations/${tokenOf(made.body.url)}/accept`, { json: {}, headers: pageHeaders(s, origin) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.organization.role, 'viewer');
  });

  it('refuses a signed-in user whose e-mail is not the invited one, leaving the invitation open', async () => {
    const made = await invite(team.admin.token, 'someone-else@example.test');
    const token = tokenOf(made.body.url);
    assertProblem(await api.post(`/v1/invitations/${token}/accept`, team.outsider.token, {}), 403, 'FORBIDDEN', /someone-else@example\.test/);
    assert.equal((await api.get(`/v1/invitations/${token}`)).status, 200);
  });

  it('asks a person who is not signed in for a passkey, and refuses a new registration for an e-mail that has a user', async () => {
    const fresh = await invite(team.admin.token, 'brand-new@example.test');
    assertProblem(await api.post(`/v1/invitations/${tokenOf(fresh.body.url)}/accept`, undefined, {}), 400, 'VALIDATION_FAILED', /credential/);
    const options = await api.post<{ challenge: string; rp: { id: string }; user: { name: string } }>(`/v1/invitations/${tokenOf(fresh.body.url)}/passkey/options`, undefined, { name: 'Brand New' });
    assert.equal(options.status, 200, options.text);
    assert.equal(options.body.rp.id, 'localhost');
    assert.equal(options.body.user.name, 'brand-new@example.test');
    const existing = await invite(team.admin.token, team.outsider.user.email);
    assertProblem(await api.post(`/v1/invitations/${tokenOf(existing.body.url)}/passkey/options`, undefined, { name: 'X' }), 409, 'USER_EXISTS');
  });

  it('revokes: the link stops working, and revoking again is 404', async () => {
    const made = await invite(team.admin.token, 'revoked@example.test');
    assert.equal((await api.del(`/v1/orgs/${team.org}/invitations/${made.body.id}`, team.admin.token)).status, 204);
    assertProblem(await api.get(`/v1/invitations/${tokenOf(made.body.url)}`), 404, 'INVITATION_NOT_FOUND');
    assertProblem(await api.del(`/v1/orgs/${team.org}/invitations/${made.body.id}`, team.admin.token), 404, 'INVITATION_NOT_FOUND');
    assertProblem(await api.del(`/v1/orgs/${team.org}/invitations/${made.body.id}`, team.editor.token), 403, 'FORBIDDEN');
  });

  it('answers an unknown link like a used one', async () => {
    assertProblem(await api.get(`/v1/invitations/scrt_inv_${'k'.repeat(43)}`), 404, 'INVITATION_NOT_FOUND');
  });

  it('audits creation, revocation and acceptance, and never logs a link secret', async () => {
    const person = await createUser(api, server.adminToken);
    const made = await invite(team.admin.token, person.user.email);
    await api.get(`/v1/invitations/${tokenOf(made.body.url)}`);
    await api.post(`/v1/invitations/${tokenOf(made.body.url)}/accept`, person.token, {});
    const other = await invite(team.admin.token, 'audited-revoke@example.test');
    await api.del(`/v1/orgs/${team.org}/invitations/${other.body.id}`, team.admin.token);
    const events = await auditEvents(api, team.owner.token, team.org);
    assert.ok(ofAction(events, 'invitation.create').some((e) => e.actor.id === team.admin.user.id));
    assert.ok(ofAction(events, 'invitation.revoke').some((e) => e.actor.id === team.admin.user.id));
    assert.ok(ofAction(events, 'invitation.accept').some((e) => e.actor.id === person.user.id));
    const text = JSON.stringify(events) + server.output();
    assert.ok(!text.includes(tokenOf(made.body.url)) && !text.includes(tokenOf(other.body.url)));
    assert.match(server.output(), /\/v1\/invitations\/:token\/accept/, 'the debug access log shows the route pattern');
  });
});
