// The Action's env-file, written by the committed bundle against a live server, read back by the real
// readers people load it with (test/helpers/dotenv-readers.ts); env-file-format names the one reader.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READERS, readWith } from '../helpers/dotenv-readers.ts';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const PORTABLE = {
  AF_PEM: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n+/x=\n-----END PRIVATE KEY-----\n',
  AF_JSON: '{"user":"admin","pass":"p@ss w0rd #1","list":[1,2]}',
  AF_QUOTE: "it's-a-canary-6b0e2f",
  AF_TILDE: '~/not-home',
  AF_TICKS: '`not run` #kept',
};
// Both quote kinds and a $NAME: no form every reader agrees on holds it; a shell reads it back from '…'\''…'.
const AWKWARD = `it's "both" $HOME-canary-93ad51`;
// As stored: `$$` is how a secret keeps a literal `$` past reference resolution.
const AWKWARD_STORED = AWKWARD.replace('$', '$$$$');

describe('action: env-file is read back exactly by the real readers (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let base: Record<string, string>;

  before(async () => {
    s = await seed({ ...PORTABLE, AF_AWKWARD: AWKWARD_STORED });
    base = { url: s.url, token: s.token, org: s.org, environment: s.environment, 'export-env': 'false' };
  });
  after(async () => s?.stop());

  it('portable (the default): Node, dotenv, dotenv-expand, dotenvx, python-dotenv, docker-compose, bash and dash all read it back', async () => {
    const job = new Job();
    const r = await job.main({ ...base, keys: Object.keys(PORTABLE).join('\n'), 'env-file': 'app.env' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const text = readFileSync(join(job.workspace, 'app.env'), 'utf8');
    for (const reader of READERS) assert.deepEqual(readWith(reader, text, 'AF_'), PORTABLE, reader);
  });

  it('a value the readers do not agree on fails the step naming the key and the input, and writes no file', async () => {
    const job = new Job();
    const r = await job.main({ ...base, 'env-file': 'app.env' });
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.equal(r.errors.length, 1, r.stdout);
    assert.match(r.errors[0]!, /"AF_AWKWARD".*\(portable\).*\[SECRETS_DOTENV_UNREPRESENTABLE\]$/);
    assert.ok(!(r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n').includes('canary-93ad51'));
    assert.equal(existsSync(join(job.workspace, 'app.env')), false);
  });

  it('env-file-format: shell writes it so that bash and dash read it back', async () => {
    const job = new Job();
    const r = await job.main({ ...base, 'env-file': 'app.env', 'env-file-format': 'shell' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const text = readFileSync(join(job.workspace, 'app.env'), 'utf8');
    for (const reader of ['bash set -a; .', 'dash set -a; .'] as const) {
      assert.deepEqual(readWith(reader, text, 'AF_'), { ...PORTABLE, AF_AWKWARD: AWKWARD }, reader);
    }
  });

  it('an unknown env-file-format is an invalid input, before anything is fetched', async () => {
    const r = await new Job().main({ ...base, 'env-file': 'app.env', 'env-file-format': 'bashish' });
    assert.equal(r.exitCode, 1);
    assert.match(r.errors[0]!, /"env-file-format" must be one of portable, node, dotenv, dotenvx, python-dotenv, compose, shell \[ACTION_INPUT_INVALID\]$/);
  });
});
