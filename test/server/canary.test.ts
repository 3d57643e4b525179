// Secrets are sacred: distinctive canary values (and every token minted) are pushed through the
// happy paths and through every kind of error, then looked for in the server's output, in every
// error response, in the audit log, and in the raw bytes of every file in the data directory
// (SQLite main file, -wal and -shm included) or of every row of the PostgreSQL database, while running
// and after a clean stop.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { queryDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http, type Reply } from './support/http.ts';
import { auditEvents } from './support/audit.ts';
import { bulkRevealPath, createServiceToken, createTeam, reveal, secretPath, secretsPath, type Team } from './support/fixtures.ts';

const canary = (label: string) => `CANARY_${label}_${randomBytes(12).toString('hex')}`;

/** The forms a plaintext leak could take in a file: as is, base64 and hex of its UTF-8 bytes. */
function leakForms(secret: string): Buffer[] {
  const utf8 = Buffer.from(secret, 'utf8');
  return [utf8, Buffer.from(utf8.toString('base64')), Buffer.from(utf8.toString('base64url')), Buffer.from(utf8.toString('hex'))];
}

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('server: canary values never leak', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const env = 'production';
  const values: string[] = [];
  const tokens: string[] = [];
  const errorReplies: { label: string; reply: Reply<unknown> }[] = [];

  const fresh = (label: string) => {
    const v = canary(label);
    values.push(v);
    return v;
  };
  const expectError = async (label: string, p: Promise<Reply<unknown>>) => {
    const reply = await p;
    assert.ok(reply.status >= 400, `${label}: expected an error, got ${reply.status}`);
    errorReplies.push({ label, reply });
  };

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    tokens.push(server.adminToken, ...(['owner', 'admin', 'editor', 'viewer', 'outsider'] as const).map((r) => team[r].token));
    const svc = await createServiceToken(api, team.admin.token, team.org, env);
    tokens.push(svc.token);
    const pat = await api.post<{ token: string }>('/v1/me/tokens', team.editor.token, { name: 'laptop' });
    tokens.push(pat.body.token);

    const stored = fresh('STORED');
    const updated = fresh('UPDATED');
    assert.equal((await api.post(secretsPath(team.org, env), team.editor.token, { key: 'CANARY_ONE', value: stored })).status, 201);
    assert.equal((await api.post(secretsPath(team.org, 'staging'), team.editor.token, { key: 'CANARY_MULTI', value: `line1\n${fresh('MULTILINE')}\nline3` })).status, 201);
    assert.equal((await api.patch(secretPath(team.org, env, 'CANARY_ONE'), team.editor.token, { value: updated })).status, 200);
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'CANARY_ONE'), updated);
    assert.equal((await api.post(bulkRevealPath(team.org, env), svc.token, {})).status, 200);
    assert.equal((await api.post(bulkRevealPath(team.org, 'staging'), team.editor.token, {})).status, 200);
    // a deleted secret's value must not linger in plaintext either
    const deleted = fresh('DELETED');
    await api.post(secretsPath(team.org, env), team.editor.token, { key: 'CANARY_DELETED', value: deleted });
    await api.del(secretPath(team.org, env, 'CANARY_DELETED'), team.admin.token);

    const json = { 'content-type': 'application/json' };
    await expectError('duplicate key', api.post(secretsPath(team.org, env), team.editor.token, { key: 'CANARY_ONE', value: fresh('DUPLICATE') }));
    await expectError('invalid key', api.post(secretsPath(team.org, env), team.editor.token, { key: '1-bad key', value: fresh('BADKEY') }));
    await expectError('viewer create', api.post(secretsPath(team.org, env), team.viewer.token, { key: 'VIEWER_TRY', value: fresh('VIEWER') }));
    await expectError('outsider create', api.post(secretsPath(team.org, env), team.outsider.token, { key: 'OUTSIDER_TRY', value: fresh('OUTSIDER') }));
    await expectError('no token create', api.post(secretsPath(team.org, env), undefined, { key: 'ANON_TRY', value: fresh('ANON') }));
    await expectError('service token create', api.post(secretsPath(team.org, env), svc.token, { key: 'SVC_TRY', value: fresh('SVCWRITE') }));
    await expectError('unknown env', api.post(secretsPath(team.org, 'nowhere'), team.editor.token, { key: 'NOWHERE', value: fresh('NOENV') }));
    await expectError('unknown field', api.post(secretsPath(team.org, env), team.editor.token, { key: 'UNKNOWN_FIELD', value: fresh('UNKFIELD'), extra: fresh('EXTRA') }));
    await expectError('value of wrong type', api.post(secretsPath(team.org, env), team.editor.token, { key: 'WRONG_TYPE', value: [fresh('ARRAY')] }));
    await expectError('value object', api.post(secretsPath(team.org, env), team.editor.token, { key: 'WRONG_TYPE', value: { v: fresh('OBJECT') } }));
    await expectError('value too long', api.post(secretsPath(team.org, env), team.editor.token, { key: 'TOO_LONG', value: fresh('TOOLONG') + 'x'.repeat(70 * 1024) }));
    await expectError('body too large', api.request('POST', secretsPath(team.org, env), {
      token: team.editor.token,
      json: { key: 'TOO_LARGE', value: fresh('TOOLARGE') + 'x'.repeat(1024 * 1024) },
      retryOnReset: 3,
    }));
    await expectError('malformed JSON', api.request('POST', secretsPath(team.org, env), { token: team.editor.token, raw: `{"key":"MALFORMED","value":"${fresh('MALFORMED')}"`, headers: json }));
    await expectError('JSON with a bad token after the value', api.request('POST', secretsPath(team.org, env), { token: team.editor.token, raw: `{"value":"${fresh('BADJSON')}" x}`, headers: json }));
    await expectError('wrong content type', api.request('POST', secretsPath(team.org, env), { token: team.editor.token, raw: `key=A&value=${fresh('FORM')}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    await expectError('stale If-Match', api.patch(secretPath(team.org, env, 'CANARY_ONE'), team.editor.token, { value: fresh('STALE') }, { 'if-match': '"1"' }));
    await expectError('patch missing secret', api.patch(secretPath(team.org, env, 'NOT_THERE'), team.editor.token, { value: fresh('PATCHMISSING') }));
    await expectError('patch with key', api.patch(secretPath(team.org, env, 'CANARY_ONE'), team.editor.token, { key: 'RENAMED', value: fresh('RENAME') }));
    await expectError('viewer patch', api.patch(secretPath(team.org, env, 'CANARY_ONE'), team.viewer.token, { value: fresh('VIEWERPATCH') }));
    await expectError('viewer reveal', api.post(`${secretPath(team.org, env, 'CANARY_ONE')}/reveal`, team.viewer.token));
    await expectError('viewer bulk reveal', api.post(bulkRevealPath(team.org, env), team.viewer.token, {}));
    const bogus = `scrt_pat_${randomBytes(32).toString('base64url')}`;
    tokens.push(bogus);
    await expectError('unknown token', api.get(secretsPath(team.org, env), bogus));
    const revoked = await createServiceToken(api, team.admin.token, team.org, env);
    tokens.push(revoked.token);
    await api.del(`/v1/orgs/${team.org}/tokens/${revoked.id}`, team.admin.token);
    await expectError('revoked token', api.post(bulkRevealPath(team.org, env), revoked.token, {}));
  });
  after(() => stopAndRemove(server));

  const assertAbsent = (where: string, text: string) => {
    for (const v of values) assert.ok(!text.includes(v), `a secret value (${v.slice(0, 20)}…) appears in ${where}`);
    for (const t of tokens) assert.ok(!text.includes(t), `a token appears in ${where}`);
  };

  it('no error response carries a value or a token', () => {
    assert.ok(errorReplies.length >= 20);
    for (const { label, reply } of errorReplies) {
      assert.ok(reply.status < 500, `${label}: ${reply.status} ${reply.text.slice(0, 200)}`);
      assertAbsent(`the error response to "${label}"`, reply.text);
      assertAbsent(`the headers of the response to "${label}"`, JSON.stringify([...reply.headers]));
    }
  });

  it('the audit log carries no value and no token', async () => {
    assertAbsent('the audit log', JSON.stringify(await auditEvents(api, team.owner.token, team.org)));
  });

  it('the server\'s output carries no value and no token', () => {
    assertAbsent('the server output', server.output());
  });

  /** On PostgreSQL: every column of every row of every table, bytes as stored, holds no value or token. */
  const scanDatabase = async () => {
    const tables = await queryDatabase<{ tablename: string }>(server.databaseUrl!, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    assert.ok(tables.some((t) => t.tablename === 'secrets'), 'the secrets table exists');
    const chunks: Buffer[] = [];
    for (const { tablename } of tables) {
      for (const row of await queryDatabase(server.databaseUrl!, `SELECT * FROM "${tablename}"`)) {
        for (const v of Object.values(row)) chunks.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
      }
    }
    const bytes = Buffer.concat(chunks);
    for (const v of values) for (const form of leakForms(v)) assert.equal(bytes.indexOf(form), -1, 'a value appears in plaintext in the database');
    for (const t of tokens) for (const form of leakForms(t)) assert.equal(bytes.indexOf(form), -1, 'a token appears in plaintext in the database');
  };

  const scanDataDir = () => {
    const files = filesUnder(server.dataDir);
    if (server.databaseUrl) {
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const v of values) for (const form of leakForms(v)) assert.equal(bytes.indexOf(form), -1, `a value appears in plaintext in ${file}`);
      }
      return files;
    }
    assert.ok(files.some((f) => /\.(db|sqlite3?)$/.test(f) || f.includes('.db')), `no database file in ${files.join(', ')}`);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const v of values) for (const form of leakForms(v)) assert.equal(bytes.indexOf(form), -1, `a value appears in plaintext in ${file}`);
      if (file.endsWith('admin-token')) continue; // that file's whole purpose is to hold the admin token
      for (const t of tokens) for (const form of leakForms(t)) assert.equal(bytes.indexOf(form), -1, `a token appears in plaintext in ${file}`);
    }
    return files;
  };

  it('no file in the data directory (database, -wal, -shm) holds a value or a token while the server runs', () => {
    const files = scanDataDir();
    if (server.databaseUrl) return scanDatabase();
    assert.ok(files.some((f) => f.endsWith('-wal')), `expected a WAL file while running: ${files.join(', ')}`);
  });

  it('after a clean stop (WAL checkpointed into the database) still no file holds a value or a token, nor does the output', async () => {
    await server.stop();
    scanDataDir();
    if (server.databaseUrl) await scanDatabase();
    assertAbsent('the server output after stop', server.output());
  });
});
