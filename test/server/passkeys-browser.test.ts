// The passkey ceremonies end to end in real Chromium against the real server process, with the
// DevTools protocol's virtual authenticator: invite → open the link → register a passkey (a new user,
// signed in) → sign out → sign in with the passkey; then "My account" passkeys (add, rename, remove,
// not the last one) and a replayed sign-in refused. The page (support/passkey-page.ts) is a tiny test
// page on the server's own origin (http://localhost:PORT); every API call is the page's own fetch.
import assert from 'node:assert/strict';
import type { CreatedInvitation } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { addVirtualAuthenticator } from './support/chromium.ts';
import { createTeam, type Team } from './support/fixtures.ts';
import { http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { openPasskeyPage, type PasskeyPage } from './support/passkey-page.ts';

describe('server: passkeys in real Chromium (virtual authenticator)', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let origin: string;
  let p: PasskeyPage;
  let firstSignIn: unknown;

  const call = (method: string, path: string, json?: unknown) => p.call(method, path, json);
  const register = (optionsJSON: unknown) => p.register(optionsJSON);
  const authenticate = (optionsJSON: unknown) => p.authenticate(optionsJSON);

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    origin = `http://localhost:${new URL(server.url).port}`;
    p = await openPasskeyPage(origin);
  });
  after(async () => {
    await p?.close();
    await stopAndRemove(server);
  });

  it('invite → open the link → register a passkey: a new user, a member with the invited role, signed in', async () => {
    const made = await api.post<CreatedInvitation>(`/v1/orgs/${team.org}/invitations`, team.admin.token, { email: 'passkey-person@example.test', role: 'editor' });
    assert.equal(made.status, 201, made.text);
    const token = new URL(made.body.url).hash.slice(1);
    const preview = await call('GET', `/v1/invitations/${token}`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.organization.slug, team.org);
    const options = await call('POST', `/v1/invitations/${token}/passkey/options`, { name: 'Pat Passkey' });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    const credential = await register(options.body);
    const accepted = await call('POST', `/v1/invitations/${token}/accept`, { credential, passkeyName: 'Laptop' });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal(accepted.body.organization.role, 'editor');
    assert.equal(accepted.body.session.user.email, 'passkey-person@example.test');
    assert.equal(accepted.body.session.signedInWith, 'passkey');
    assert.equal(await p.authenticator.credentialCount(), 1);
    p.csrf = accepted.body.session.csrfToken;

    const session = await call('GET', '/v1/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.name, 'Pat Passkey');
    const orgs = await call('GET', '/v1/orgs');
    assert.deepEqual(orgs.body.orgs.map((o: { slug: string }) => o.slug), [team.org]);
    assert.equal((await call('GET', `/v1/invitations/${token}`)).status, 404, 'the link is used up');
  });

  it('keeps the session out of reach of scripts and storage: HttpOnly cookie, nothing in Web Storage or IndexedDB', async () => {
    assert.equal(await p.page.evaluate('document.cookie'), '');
    const cookies = await p.context.cookies(origin);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true);
    assert.equal(cookies[0]!.sameSite, 'Strict');
    assert.deepEqual(await p.page.evaluate('(async () => [localStorage.length, sessionStorage.length, (await indexedDB.databases()).length])()'), [0, 0, 0]);
  });

  it('refuses a write from the page without the CSRF token', async () => {
    const saved = p.csrf;
    p.csrf = '';
    const r = await call('POST', '/v1/me/tokens', { name: 'no-csrf' });
    p.csrf = saved;
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'CSRF_REJECTED');
  });

  it('signs out on the server, then signs in again with the passkey alone', async () => {
    assert.equal((await call('DELETE', '/v1/session')).status, 204);
    assert.equal((await call('GET', '/v1/session')).status, 401);
    assert.equal((await p.context.cookies(origin)).length, 0);
    p.csrf = '';

    const options = await call('POST', '/v1/session/passkey/options', {});
    assert.equal(options.status, 200);
    assert.equal(options.body.rpId, 'localhost');
    const credential = await authenticate(options.body);
    firstSignIn = credential;
    const signedIn = await call('POST', '/v1/session/passkey', { credential });
    assert.equal(signedIn.status, 201, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.user.email, 'passkey-person@example.test');
    assert.equal(signedIn.body.signedInWith, 'passkey');
    p.csrf = signedIn.body.csrfToken;
    assert.equal((await call('GET', '/v1/me')).body.user.email, 'passkey-person@example.test');
  });

  it('refuses a replayed sign-in (the challenge is single use) as PASSKEY_REJECTED', async () => {
    const replay = await call('POST', '/v1/session/passkey', { credential: firstSignIn });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'PASSKEY_REJECTED');
  });

  it('refuses a sign-in whose authenticator did not verify the user (no PIN or biometric)', async () => {
    const options = await call('POST', '/v1/session/passkey/options', {});
    assert.equal(options.body.userVerification, 'required');
    // A page that asks the authenticator not to verify the user: the assertion comes back without the UV flag.
    const credential = await authenticate({ ...options.body, userVerification: 'discouraged' });
    const r = await call('POST', '/v1/session/passkey', { credential });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.code, 'PASSKEY_REJECTED');
  });

  it('My account: adds a second passkey, renames it, and removes one, but never the last way to sign in', async () => {
    const listed = await call('GET', '/v1/me/passkeys');
    assert.equal(listed.body.passkeys.length, 1);
    const first = listed.body.passkeys[0];
    assert.equal(first.name, 'Laptop');
    assert.ok(first.lastUsedAt, 'the sign-in set lastUsedAt');

    const refused = await call('DELETE', `/v1/me/passkeys/${first.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'LAST_SIGN_IN_METHOD');

    // A second authenticator, as a person adding a security key or another device.
    await p.authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: p.authenticator.authenticatorId });
    p.authenticator = await addVirtualAuthenticator(p.context, p.page);
    const options = await call('POST', '/v1/me/passkeys/options', {});
    assert.equal(options.status, 200);
    assert.deepEqual(options.body.excludeCredentials.map((c: { id: string }) => c.id), [first.id]);
    const added = await call('POST', '/v1/me/passkeys', { credential: await register(options.body), name: 'Phone' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const renamed = await call('PATCH', `/v1/me/passkeys/${added.body.id}`, { name: 'Work phone' });
    assert.equal(renamed.body.name, 'Work phone');
    assert.equal((await call('DELETE', `/v1/me/passkeys/${first.id}`)).status, 204);
    assert.deepEqual((await call('GET', '/v1/me/passkeys')).body.passkeys.map((k: { name: string }) => k.name), ['Work phone']);

    // The remaining passkey (on the new authenticator) still signs in.
    await call('DELETE', '/v1/session');
    p.csrf = '';
    const signIn = await call('POST', '/v1/session/passkey/options', {});
    const again = await call('POST', '/v1/session/passkey', { credential: await authenticate(signIn.body) });
    assert.equal(again.status, 201, JSON.stringify(again.body));
  });

  it('audited the acceptance and the passkey sign-ins in the organization', async () => {
    const events = await auditEvents(api, team.owner.token, team.org);
    const accept = ofAction(events, 'invitation.accept').find((e) => e.actor.name === 'Pat Passkey');
    assert.ok(accept, 'invitation.accept by the new person');
    assert.ok(ofAction(events, 'session.create').filter((e) => e.actor.id === accept.actor.id).length >= 3);
    assert.ok(ofAction(events, 'session.delete').some((e) => e.actor.id === accept.actor.id));
  });
});
