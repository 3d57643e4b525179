// Backup and restore of the SQLite store as an operator runs them: `node server/main.ts backup <file>`
// beside a running server that keeps writing, then `restore <file>` into a fresh data directory, and a
// server started there with the same master key reads every secret back. The backup holds no master
// key, and restore refuses to run beside a server, over an existing database without --force, or with
// a master key that does not open the backup.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkReveal } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createOrg, secretsPath } from './support/fixtures.ts';
import { SERVER_MAIN } from './support/operator.ts';

function operator(command: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; startedAt: number; endedAt: number }> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_MAIN, ...command], {
      env: { ...process.env, SECRETS_MASTER_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, startedAt, endedAt: Date.now() });
    });
  });
}

interface Write {
  key: string;
  value: string;
  startedAt: number;
  ackedAt: number | null;
}

async function revealAll(api: Http, token: string, org: string, env: string): Promise<Map<string, string>> {
  const r = await api.post<BulkReveal>(bulkRevealPath(org, env), token, {});
  assert.equal(r.status, 200, r.text);
  return new Map(r.body.secrets.map((s) => [s.key, s.value]));
}

describe('server: backup and restore', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const tempDir = (label: string) => {
    const d = mkdtempSync(join(tmpdir(), `secrets-${label}-`));
    dirs.push(d);
    return d;
  };
  after(async () => {
    await stopAndRemove(...servers);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('backs up while writes go on and restores into a fresh data directory where every secret reads back with the same master key', async () => {
    const source = await startServer({ sqlite: true });
    servers.push(source);
    const api = http(source.url);
    const org = await createOrg(api, source.adminToken);
    const env = await createEnvironment(api, source.adminToken, org);
    const masterKey = readFileSync(join(source.dataDir, 'master.key'), 'utf8').trim();

    const writes: Write[] = [];
    let n = 0;
    const write = async () => {
      const w: Write = { key: `W_${n++}`, value: `canary-backup-${randomBytes(20).toString('hex')}`, startedAt: Date.now(), ackedAt: null };
      writes.push(w);
      const r = await api.post(secretsPath(org, env), source.adminToken, { key: w.key, value: w.value });
      assert.equal(r.status, 201, r.text);
      w.ackedAt = Date.now();
    };
    for (let i = 0; i < 40; i++) await write();

    let writing = true;
    const writers = Array.from({ length: 3 }, async () => {
      while (writing) await write();
    });
    const backupFile = join(tempDir('backup-file'), 'secrets-backup.db');
    let backup: Awaited<ReturnType<typeof operator>>;
    try {
      await new Promise((r) => setTimeout(r, 150));
      backup = await operator(['backup', backupFile], { SECRETS_DATA_DIR: source.dataDir });
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    assert.equal(backup.code, 0, backup.out);
    assert.ok(
      writes.some((w) => w.startedAt < backup.endedAt && w.ackedAt! > backup.startedAt),
      'writes were going on while the backup ran',
    );
    assert.match(backup.out, /THE MASTER KEY IS NOT IN THIS BACKUP/);
    assert.ok(!backup.out.includes(masterKey), 'the output does not print the key');
    assert.equal(statSync(backupFile).mode & 0o777, 0o600);
    const bytes = readFileSync(backupFile);
    assert.ok(!bytes.includes(Buffer.from(masterKey)), 'the backup holds no master key (base64)');
    assert.ok(!bytes.includes(Buffer.from(masterKey, 'base64')), 'the backup holds no master key (raw)');
    for (const w of writes.slice(0, 5)) assert.ok(!bytes.includes(Buffer.from(w.value)), 'values are encrypted in the backup');

    const again = await operator(['backup', backupFile], { SECRETS_DATA_DIR: source.dataDir });
    assert.notEqual(again.code, 0);
    assert.match(again.out, /already exists: a backup never overwrites a file/);

    // A fresh data directory, the same master key.
    const fresh = join(tempDir('restore'), 'data');
    const restored = await operator(['restore', backupFile], { SECRETS_DATA_DIR: fresh, SECRETS_MASTER_KEY: masterKey });
    assert.equal(restored.code, 0, restored.out);
    assert.match(restored.out, /The master key from SECRETS_MASTER_KEY opens it/);
    assert.equal(statSync(join(fresh, 'secrets.db')).mode & 0o777, 0o600);
    copyFileSync(join(source.dataDir, 'admin-token'), join(fresh, 'admin-token'));
    const copy = await startServer({ sqlite: true, dataDir: fresh, env: { SECRETS_MASTER_KEY: masterKey } });
    servers.push(copy);
    const got = await revealAll(http(copy.url), source.adminToken, org, env);

    const acked = writes.filter((w) => w.ackedAt !== null && w.ackedAt < backup.startedAt);
    assert.ok(acked.length >= 40);
    for (const w of acked) assert.equal(got.get(w.key), w.value, `${w.key}, acknowledged before the backup began, reads back`);
    for (const w of writes.filter((w) => w.startedAt > backup.endedAt)) assert.ok(!got.has(w.key), `${w.key}, begun after the backup ended, is not in it`);
    const sent = new Map(writes.map((w) => [w.key, w.value]));
    for (const [key, value] of got) assert.equal(value, sent.get(key), `${key} holds the value that was written`);
    assert.equal((await http(copy.url).get(`/v1/orgs/${org}/audit?limit=5`, source.adminToken)).status, 200, 'the audit log came along');
  });

  it('refuses to restore beside a running server, over an existing database without --force, or with a master key that does not open the backup', async () => {
    const server = await startServer({ sqlite: true });
    servers.push(server);
    const api = http(server.url);
    const org = await createOrg(api, server.adminToken);
    const env = await createEnvironment(api, server.adminToken, org);
    assert.equal((await api.post(secretsPath(org, env), server.adminToken, { key: 'BEFORE', value: 'canary-before-6d1f0e2a' })).status, 201);
    const backupFile = join(tempDir('backup-file'), 'b.db');
    assert.equal((await operator(['backup', backupFile], { SECRETS_DATA_DIR: server.dataDir })).code, 0);
    assert.equal((await api.post(secretsPath(org, env), server.adminToken, { key: 'AFTER', value: 'canary-after-93be7c41' })).status, 201);

    const beside = await operator(['restore', backupFile, '--force'], { SECRETS_DATA_DIR: server.dataDir });
    assert.notEqual(beside.code, 0);
    assert.match(beside.out, /in use by a running server .*stop the server before restoring/);

    await server.stop();
    const noForce = await operator(['restore', backupFile], { SECRETS_DATA_DIR: server.dataDir });
    assert.notEqual(noForce.code, 0);
    assert.match(noForce.out, /already exists: restoring would replace it .*Pass --force/);

    const wrongKey = await operator(['restore', backupFile], { SECRETS_DATA_DIR: join(tempDir('wrong-key'), 'data'), SECRETS_MASTER_KEY: randomBytes(32).toString('base64') });
    assert.notEqual(wrongKey.code, 0);
    assert.match(wrongKey.out, /The master key from SECRETS_MASTER_KEY does not open this backup/);

    const missing = await operator(['restore', join(tempDir('none'), 'nothing.db')], { SECRETS_DATA_DIR: join(tempDir('none-data'), 'data') });
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /There is no backup at/);

    // With --force over the stopped server's own directory (its master.key opens the backup): the
    // write made after the backup is gone, the one before is back, and the old WAL did not corrupt it.
    const forced = await operator(['restore', backupFile, '--force'], { SECRETS_DATA_DIR: server.dataDir });
    assert.equal(forced.code, 0, forced.out);
    assert.match(forced.out, /the previous database was replaced/);
    assert.ok(!existsSync(join(server.dataDir, 'secrets.db-wal')) || statSync(join(server.dataDir, 'secrets.db-wal')).size === 0);
    const back = await startServer({ sqlite: true, dataDir: server.dataDir });
    servers.push(back);
    const got = await revealAll(http(back.url), server.adminToken, org, env);
    assert.deepEqual([...got], [['BEFORE', 'canary-before-6d1f0e2a']]);
  });

  it('refuses backup and restore on PostgreSQL, pointing to pg_dump, without printing the database URL', async () => {
    const url = 'postgres://secrets:pw-canary-5b1e9c44d0@127.0.0.1:1/secrets';
    for (const command of [['backup', join(tempDir('pg-backup'), 'b.db')], ['restore', join(tempDir('pg-restore'), 'b.db')]]) {
      const r = await operator(command, { SECRETS_DATA_DIR: join(tempDir('pg-data'), 'data'), SECRETS_DATABASE_URL: url });
      assert.notEqual(r.code, 0);
      assert.match(r.out, /copies the SQLite store; with SECRETS_DATABASE_URL set, use pg_dump and pg_restore/);
      assert.ok(!r.out.includes('pw-canary-5b1e9c44d0'), r.out);
    }
  });
});
