// The data directory is the server's alone: a directory open to others is tightened to 0700 at start
// (or the server refuses when it cannot be), and a master.key that others can read is refused, as ssh
// refuses such a private key.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { canary, createSecret, reveal } from './helpers-api.ts';
import { startExpectingRefusal } from './support/operator.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const NOBODY = 65534;

describe('server: data directory and master key file modes', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  const made: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-modes-'));
    made.push(dir);
    return dir;
  };
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('tightens a data directory open to others to 0700 at start, on first start and on a later one', async () => {
    const dataDir = freshDir();
    chmodSync(dataDir, 0o755);
    server = await startServer({ dataDir });
    assert.equal(modeOf(dataDir), 0o700);
    assert.match(server.output(), /was open to other users \(mode 0755\); it was restricted to 0700/);
    await server.stop();

    chmodSync(dataDir, 0o775);
    server = await startServer({ dataDir });
    assert.equal(modeOf(dataDir), 0o700);
  });

  it('refuses to start when the data directory is open to others and cannot be tightened', async () => {
    // Someone else's directory: as root, the server runs as nobody in a root-owned directory; as
    // another user, the root directory (/) stands in for it. Either way chmod fails with EPERM.
    const asRoot = process.getuid?.() === 0;
    let dataDir = '/';
    if (asRoot) {
      dataDir = freshDir();
      chmodSync(dataDir, 0o755);
    }
    const before = modeOf(dataDir);
    const refused = await startExpectingRefusal(dataDir, {}, asRoot ? { uid: NOBODY, gid: NOBODY } : {});
    assert.notEqual(refused.code, 0, refused.out);
    assert.match(refused.out, /is open to other users \(mode 0755\) and could not be restricted to 0700 \(EPERM\)/);
    assert.doesNotMatch(refused.out, /listening at/i);
    assert.equal(modeOf(dataDir), before);
  });

  for (const mode of [0o644, 0o640]) {
    it(`refuses a master.key of mode 0${mode.toString(8)}, and starts once it is 0600`, async () => {
      server = await startServer();
      const dataDir = server.dataDir;
      made.push(dataDir);
      const value = canary('MODES');
      await createSecret(server, 'default', 'production', 'MODE_CHECK', value);
      await server.stop();
      server = undefined;
      const keyFile = join(dataDir, 'master.key');
      chmodSync(keyFile, mode);

      const refused = await startExpectingRefusal(dataDir, {});
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, new RegExp(`master key file .*master\\.key is accessible to other users \\(mode 0${mode.toString(8)}\\); the server refuses to use it`));
      assert.match(refused.out, /chmod 600/);
      assert.doesNotMatch(refused.out, /listening at/i);
      assert.equal(modeOf(keyFile), mode, 'the refusal changes nothing');

      chmodSync(keyFile, 0o600);
      server = await startServer({ dataDir });
      assert.equal((await reveal(server, 'default', 'production', 'MODE_CHECK')).body.value, value);
    });
  }
});
