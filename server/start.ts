// Starting the server: the data directory (0700, locked for this process), storage, recovery of an
// interrupted key rotation, master key, key check, first-start bootstrap, then listen.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { bootstrapIfEmpty } from './bootstrap.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { Keyring } from './crypto/keyring.ts';
import { RevealCache } from './crypto/reveal-cache.ts';
import { recoverInterruptedRotation } from './crypto/interrupted-rotation.ts';
import { loadMasterKey, masterKeyPath, refuseExposedKeyFile } from './crypto/master-key.ts';
import { lockDataDir } from './data-dir/lock.ts';
import { secureDataDir } from './data-dir/permissions.ts';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.ts';
import { PublicSite } from './web/public-site.ts';

export class WrongMasterKeyError extends Error {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor() {
    super('The master key does not match this data directory; the server refuses to start rather than lose access to secrets');
  }
}

export async function startServer(config: Config): Promise<FastifyInstance> {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  secureDataDir(config.dataDir, warn);
  // Held until the process ends: no second server and no rotation can use the directory meanwhile.
  const lock = lockDataDir(config.dataDir, 'server');
  let storage: SqliteStorage | undefined;
  try {
    storage = SqliteStorage.open(config.dataDir);
    const recovered = recoverInterruptedRotation(config.dataDir, await storage.getMasterCheck(), config.masterKeyBase64);
    if (recovered) warn(recovered);
    if (!config.masterKeyBase64) refuseExposedKeyFile(masterKeyPath(config.dataDir));
    const master = loadMasterKey(config.dataDir, config.masterKeyBase64, warn);
    const keyring = new Keyring(master.key);
    const check = await storage.getMasterCheck();
    if (check === undefined) await storage.setMasterCheck(keyring.masterCheck());
    else if (!keyring.verifyMasterCheck(check)) throw new WrongMasterKeyError();

    const site = new PublicSite(config.publicUrl);
    const deps = { storage, keyring, revealCache: new RevealCache(), clock: systemClock, limits: config.limits, site };
    const app = buildApp(deps, { logLevel: config.logLevel });
    for (const w of warnings) app.log.warn(w);
    const tokenPath = await bootstrapIfEmpty(storage, keyring, config.dataDir);
    if (tokenPath) app.log.info(`First start: created the instance admin and organization "default"; the admin token is in ${tokenPath}`);
    const opened = storage;
    app.addHook('onClose', async () => {
      await opened.close();
      lock.release();
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    site.bind(typeof address === 'object' && address ? address.port : config.port);
    app.log.info(`Public URL (passkeys and invitation links): ${site.origin}`);
    return app;
  } catch (err) {
    await storage?.close();
    lock.release();
    throw err;
  }
}
