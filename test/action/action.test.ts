import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as dotenvParse } from 'dotenv';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const TLS_KEY = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nline-two-of-the-key\n-----END KEY-----\n';
const SECRETS = {
  DB_USER: 'app_user',
  DB_PASSWORD: 'pa55-w0rd!',
  DB_HOST: 'db.internal',
  DATABASE_URL: 'postgres://$DB_USER:${DB_PASSWORD}@$DB_HOST/app',
  PRICE: 'costs $$5 or $$6',
  TLS_KEY,
  SHORT: 'ab',
  API_TOKEN: 'tok_1234 567890abcdef?+/=',
};
const RESOLVED_URL = 'postgres://app_user:pa55-w0rd!@db.internal/app';

describe('action: loading an environment into a job (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;

  before(async () => {
    s = await seed(SECRETS);
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment };
  });
  after(async () => s?.stop());

  it('exports every secret of the environment as job variables, references resolved and $$ unescaped', async () => {
    const r = await new Job().main(base);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.env, { ...SECRETS, DATABASE_URL: RESOLVED_URL, PRICE: 'costs $5 or $6' });
    assert.deepEqual(r.outputs, {}, 'outputs default to off');
  });

  it('registers the token, every value, every resolved value and the forms the runner does not derive', async () => {
    const r = await new Job().main(base);
    assert.equal(r.masks[0], s.token, 'the token is masked before anything else');
    for (const [key, value] of Object.entries(SECRETS)) {
      if (key !== 'SHORT') assert.ok(r.masks.includes(value), `${key} is masked`);
    }
    assert.ok(r.masks.includes(RESOLVED_URL), 'the value built from references is masked');
    const token = SECRETS.API_TOKEN;
    assert.ok(r.masks.includes(Buffer.from(token).toString('base64url')), 'base64url');
    assert.ok(r.masks.includes(Buffer.from(token).toString('hex')), 'hex');
    assert.ok(r.masks.includes(new URLSearchParams([['', token]]).toString().slice(1)), 'form-encoded');
    for (const line of ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'line-two-of-the-key', '-----BEGIN KEY-----']) {
      assert.ok(r.masks.includes(line), `line of a multi-line value: ${line}`);
    }
    assert.ok(!r.masks.includes(Buffer.from(token).toString('base64')), 'base64 is left to the runner, which derives it');
  });

  it('names a value too short to mask in a warning, and does not register it', async () => {
    const r = await new Job().main(base);
    assert.equal(r.exitCode, 0);
    assert.ok(r.warnings.some((w) => w.includes('SHORT') && /too short/.test(w)), r.warnings.join('\n'));
    assert.ok(!r.masks.includes('ab'));
  });

  it('loads only the listed keys, renames with =>, and resolves references to secrets it does not export', async () => {
    const bulk = async () => (await s.admin.listAudit(s.org, { limit: 500 })).events.filter((e) => e.action === 'secret.bulk_reveal');
    const before = (await bulk()).length;
    const r = await new Job().main({ ...base, keys: 'DATABASE_URL => PG_URL\n# the password for psql\n\n  db_password=>PGPASSWORD  \nDB_HOST' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const events = await bulk();
    assert.equal(events.length, before + 2, 'the listed keys, then the one secret they refer to that was not listed');
    assert.deepEqual([...events[0]!.keys].sort(), ['DB_USER']);
    assert.deepEqual(r.env, { PG_URL: RESOLVED_URL, PGPASSWORD: SECRETS.DB_PASSWORD, DB_HOST: SECRETS.DB_HOST });
    assert.ok(r.masks.includes(SECRETS.DB_USER), 'a secret read only to resolve a reference is masked too');
  });

  it('makes one bulk request for the whole environment, sent as secrets-action/<version>', async () => {
    const before = (await s.admin.listAudit(s.org, { limit: 500 })).events.filter((e) => e.action === 'secret.bulk_reveal').length;
    const r = await new Job().main(base);
    assert.equal(r.exitCode, 0);
    const events = (await s.admin.listAudit(s.org, { limit: 500 })).events.filter((e) => e.action === 'secret.bulk_reveal');
    assert.equal(events.length, before + 1);
    assert.equal(events[0]!.actor.type, 'service');
    assert.match(events[0]!.userAgent ?? '', /^secrets-action\/\d+\.\d+\.\d+/);
  });

  it('sets step outputs when outputs is true, and no variables when export-env is false', async () => {
    const r = await new Job().main({ ...base, keys: 'DATABASE_URL\nTLS_KEY', outputs: 'true', 'export-env': 'false' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, {});
    assert.deepEqual(r.outputs, { DATABASE_URL: RESOLVED_URL, TLS_KEY });
  });

  it('writes a mode 0600 env-file that dotenv reads back exactly, and the post step removes it', async () => {
    const job = new Job();
    const file = join(job.workspace, 'app.env');
    const r = await job.main({ ...base, 'env-file': 'app.env', 'export-env': 'false' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { readFileSync } = await import('node:fs');
    assert.deepEqual(dotenvParse(readFileSync(file, 'utf8')), { ...SECRETS, DATABASE_URL: RESOLVED_URL, PRICE: 'costs $5 or $6' });
    const made = statSync(file, { bigint: true });
    assert.deepEqual(JSON.parse(job.state['secret-files']!), [{ path: file, dev: String(made.dev), ino: String(made.ino) }]);

    const post = await job.post();
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.equal(existsSync(file), false);
    assert.match(post.stdout, /Removed .*app\.env/);
  });

  it('renders a template with keys, renamed names and $$, to a 0600 file the post step removes', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 'config.tmpl'), 'url=$DATABASE_URL\npassword=${PGPASSWORD}\nprice=$$9\nkey<<\n$TLS_KEY');
    const r = await job.main({
      ...base,
      keys: 'DATABASE_URL\nDB_PASSWORD => PGPASSWORD\nTLS_KEY',
      template: 'config.tmpl',
      'template-output': 'config.out',
    });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const out = join(job.workspace, 'config.out');
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(out, 'utf8'), `url=${RESOLVED_URL}\npassword=${SECRETS.DB_PASSWORD}\nprice=$9\nkey<<\n${TLS_KEY}`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    await job.post();
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(join(job.workspace, 'config.tmpl')), true, 'the template itself is the user’s and stays');
  });

  it('fetches a secret only the template references, without exporting it', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 't'), 'host=$DB_HOST');
    const r = await job.main({ ...base, keys: 'API_TOKEN', template: 't', 'template-output': 'o' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(Object.keys(r.env), ['API_TOKEN']);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(join(job.workspace, 'o'), 'utf8'), `host=${SECRETS.DB_HOST}`);
  });

  it('a template reference to a name that is not a secret fails, or with fail-on-missing false stays as written', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 't'), 'a=$API_TOKEN b=$NOT_A_SECRET');
    const failed = await job.main({ ...base, keys: 'API_TOKEN', template: 't', 'template-output': 'o' });
    assert.equal(failed.exitCode, 1);
    assert.match(failed.errors[0]!, /NOT_A_SECRET.*\[SECRETS_REFERENCE_MISSING\]$/);
    assert.equal(existsSync(join(job.workspace, 'o')), false, 'nothing written');
    assert.equal(failed.files.env, '', 'nothing exported');

    const kept = await job.main({ ...base, keys: 'API_TOKEN', template: 't', 'template-output': 'o', 'fail-on-missing': 'false' });
    assert.equal(kept.exitCode, 0, kept.stdout);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(join(job.workspace, 'o'), 'utf8'), `a=${SECRETS.API_TOKEN} b=$NOT_A_SECRET`);
  });

  it('with fail-on-missing false, warns about a missing key and exports the rest', async () => {
    const r = await new Job().main({ ...base, keys: 'API_TOKEN\nNOT_THERE', 'fail-on-missing': 'false' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { API_TOKEN: SECRETS.API_TOKEN });
    assert.ok(r.warnings.some((w) => w.includes('NOT_THERE')), r.warnings.join('\n'));
  });

  it('writes a job summary with the names, the environment and the count, and no value', async () => {
    const r = await new Job().main({ ...base, keys: 'DATABASE_URL => PG_URL\nAPI_TOKEN' });
    assert.equal(r.exitCode, 0);
    assert.match(r.summary, /2 secrets from environment <code>production<\/code> of <code>acme<\/code>/);
    assert.match(r.summary, /PG_URL/);
    assert.match(r.summary, /API_TOKEN/);
    for (const value of [...Object.values(SECRETS).filter((v) => v.length > 3), RESOLVED_URL]) {
      assert.ok(!r.summary.includes(value), 'no value in the summary');
    }
  });

  it('the post step does nothing when the main step wrote no file', async () => {
    const job = new Job();
    await job.main(base);
    const post = await job.post();
    assert.equal(post.exitCode, 0);
    assert.equal(post.stdout.trim(), '');
  });
});
