// `secrets audit --follow` on PostgreSQL with two server instances: an audit event that commits after
// a later-started one was already printed (a long transaction on another instance, such as an import,
// holds it) is still printed, and every event once. PostgreSQL hands out numbers at insert, not at
// commit, so the server orders an organization's trail by a number taken as its commit is decided.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../core/api-types.ts';
import { connectDatabase, freshDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { clientFor } from './fixture.ts';
import { ensureBuilt, freshHome, startSecrets } from './run-cli.ts';

describe('secrets audit --follow on PostgreSQL, two instances', function () {
  this.timeout(90_000);
  let servers: RunningServer[] = [];
  let databaseUrl: string;
  let adminToken: string;

  before(async function () {
    this.timeout(90_000);
    await ensureBuilt();
    databaseUrl = await freshDatabase();
    const masterKey = randomBytes(32).toString('base64');
    const first = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'secrets-follow-pg-')), databaseUrl, env: { SECRETS_MASTER_KEY: masterKey } });
    servers.push(first);
    adminToken = first.adminToken;
    servers.push(await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'secrets-follow-pg-')), databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: masterKey } }));
  });
  after(async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) rmSync(s.dataDir, { recursive: true, force: true });
    servers = [];
  });

  it('prints an event whose transaction commits after a later event was printed, and each event once', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const viaA = clientFor(a.url, adminToken);
    const viaB = clientFor(b.url, adminToken);
    await viaA.createOrg({ slug: 'follow-co', name: 'Follow Co' });
    await viaA.createSecret('follow-co', 'staging', { key: 'REVEALED_MEANWHILE', value: `follow-pg-canary-${randomBytes(12).toString('hex')}` });

    const child = startSecrets(['audit', '--follow', '--json', '--interval', '200ms', '--limit', '1'], {
      env: { SECRETS_URL: a.url, SECRETS_TOKEN: adminToken, SECRETS_ORG: 'follow-co', ...freshHome() },
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const printed = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    const waitFor = async (what: string, done: (events: AuditEvent[]) => boolean, ms = 15_000) => {
      for (const end = Date.now() + ms; !done(printed()); ) {
        if (Date.now() > end) throw new Error(`the follower did not print ${what}; it printed:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const lock = await connectDatabase(databaseUrl);
    let importing: Promise<unknown> | undefined;
    try {
      await waitFor('the backlog', (events) => events.length === 1);
      // Hold production's row: the import through instance B writes its first key (and, before the
      // fix, that key's audit row) and then waits to number its change until the lock goes.
      await lock.query('BEGIN');
      await lock.query(`SELECT 1 FROM environments WHERE slug = 'production' FOR NO KEY UPDATE`);
      importing = viaB.applySecretBatch('follow-co', 'production', {
        secrets: [
          { key: 'IMPORTED_FIRST', value: `follow-pg-canary-${randomBytes(12).toString('hex')}` },
          { key: 'IMPORTED_SECOND', value: `follow-pg-canary-${randomBytes(12).toString('hex')}` },
        ],
      });
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((r) => setTimeout(r, 50));
        const { rows } = await lock.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        waiting = rows[0]!.n;
      }
      // Meanwhile a reveal through instance A commits, and the follower prints it (and polls past it).
      await viaA.revealSecret('follow-co', 'staging', 'REVEALED_MEANWHILE');
      await waitFor('the reveal', (events) => events.some((e) => e.action === 'secret.reveal'));
      await lock.query('ROLLBACK');
      await importing;
      await waitFor('the import\'s events', (events) => ['IMPORTED_FIRST', 'IMPORTED_SECOND'].every((k) => events.some((e) => e.action === 'secret.create' && e.keys.includes(k))));
      // Two more rounds of polling: nothing is printed twice.
      await viaA.revealSecret('follow-co', 'staging', 'REVEALED_MEANWHILE');
      await waitFor('the second reveal', (events) => events.filter((e) => e.action === 'secret.reveal').length === 2);
      await new Promise((r) => setTimeout(r, 500));
      const events = printed();
      assert.equal(new Set(events.map((e) => e.id)).size, events.length, `an event was printed twice:\n${out}`);
      assert.deepEqual(
        events.filter((e) => e.action === 'secret.create').map((e) => e.keys.join(',')),
        ['REVEALED_MEANWHILE', 'IMPORTED_FIRST', 'IMPORTED_SECOND'],
      );
      assert.ok(!out.includes('follow-pg-canary'));
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await importing?.catch(() => undefined);
      await lock.end();
      child.kill('SIGTERM');
      await once(child, 'close');
      await viaA.close();
      await viaB.close();
    }
  });
});
