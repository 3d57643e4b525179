// `secrets invite` and `secrets invitations`: the real executable against the real server.
import assert from 'node:assert/strict';
import type { Invitation } from '../../core/api-types.ts';
import { clientFor, startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

describe('secrets invite and secrets invitations against the live server', function () {
  let fx: Fixture;
  let envAuth: Record<string, string>;
  let adminOnlyToken: string;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('invite-co');
    envAuth = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, ...freshHome() };
    const admin = await fx.admin.createUser({ name: 'Ada Admin', email: 'ada-admin-invite-co@example.com' });
    await fx.admin.putMember(fx.org, admin.user.id, 'admin');
    adminOnlyToken = admin.token;
  });
  after(async () => fx?.close());

  const as = (extra: Record<string, string> = {}): CliOptions => ({ env: { ...envAuth, ...extra } });

  it('prints the one-time link alone on stdout, describes it on stderr without the link, and lists the invitation without it', async () => {
    const r = await secrets(['invite', 'new.person.invite-co@example.com', '--role', 'Editor'], as());
    assert.equal(r.code, 0, r.stderr);
    const link = r.stdout.trim();
    assert.equal(r.stdout, `${link}\n`, 'stdout holds the link and nothing else');
    assert.match(link, /^http:\/\/localhost:\d+\/invite#scrt_inv_[A-Za-z0-9_-]{20,}$/);
    assert.match(r.stderr, /^Invited new\.person\.invite-co@example\.com to invite-co as editor \(id [^)]+, valid until /);
    const secret = link.slice(link.indexOf('#') + 1);
    assert.ok(!r.stderr.includes(secret), 'the link reached stderr');

    const listed = await secrets(['invitations', '--json'], as());
    assert.equal(listed.code, 0, listed.stderr);
    const open = JSON.parse(listed.stdout) as Invitation[];
    assert.deepEqual(open.map((i) => [i.email, i.role]), [['new.person.invite-co@example.com', 'editor']]);
    assert.ok(!listed.stdout.includes(secret), 'the list carries the link secret');
    const table = await secrets(['invitations'], as());
    assert.match(table.stdout, /^ID\s+EMAIL\s+ROLE\s+CREATED\s+CREATED BY\s+EXPIRES\n/);
    assert.ok(!table.stdout.includes(secret));
  });

  it('revokes by id; a pasted link is refused without being echoed or sent', async () => {
    const created = await secrets(['invite', 'revoked.person.invite-co@example.com', '--role', 'viewer', '--json'], as());
    assert.equal(created.code, 0, created.stderr);
    const { id, url } = JSON.parse(created.stdout) as Invitation & { url: string };

    const pasted = await secrets(['invitations', 'revoke', url], as());
    assert.equal(pasted.code, 9);
    assert.ok(!pasted.stderr.includes(url.slice(url.indexOf('#') + 1)), 'the link secret was echoed');

    const revoked = await secrets(['invitations', 'revoke', id], as());
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stderr, `Revoked invitation ${id} in invite-co\n`);
    const open = (await clientFor(fx.url, fx.adminToken).listInvitations(fx.org)).map((i) => i.id);
    assert.ok(!open.includes(id), 'the revoked invitation is still open');
    assert.equal((await secrets(['invitations', 'revoke', id], as())).code, 6, 'a second revoke is not found');
  });

  it('refuses a bad role (exit 9) and a missing --role or EMAIL (exit 2) before anything is sent', async () => {
    const bad = await secrets(['invite', 'x.invite-co@example.com', '--role', 'superuser'], as());
    assert.equal(bad.code, 9);
    assert.match(bad.stderr, /Role must be one of owner, admin, editor, viewer/);
    assert.equal((await secrets(['invite', 'x.invite-co@example.com'], as())).code, 2);
    assert.equal((await secrets(['invite', '--role', 'viewer'], as())).code, 2);
    const open = await clientFor(fx.url, fx.adminToken).listInvitations(fx.org);
    assert.ok(!open.some((i) => i.email === 'x.invite-co@example.com'));
  });

  it('follows the API: a Viewer may not invite (exit 5), an Admin may not invite an Owner (exit 5)', async () => {
    const viewer = await secrets(['invite', 'v.invite-co@example.com', '--role', 'viewer'], as({ SECRETS_TOKEN: fx.viewerToken }));
    assert.equal(viewer.code, 5, viewer.stderr);
    const adminOwner = await secrets(['invite', 'o.invite-co@example.com', '--role', 'owner'], as({ SECRETS_TOKEN: adminOnlyToken }));
    assert.equal(adminOwner.code, 5, adminOwner.stderr);
    const adminEditor = await secrets(['invite', 'e.invite-co@example.com', '--role', 'editor'], as({ SECRETS_TOKEN: adminOnlyToken }));
    assert.equal(adminEditor.code, 0, adminEditor.stderr);
  });
});
