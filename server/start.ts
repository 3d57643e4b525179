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
import { PostgresStorage } from './storage/postgres/postgres-storage.ts';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.ts';
import { PublicSite } from './web/public-site.ts';
import type { Storage } from './storage/types.ts';

export class WrongMasterKeyError extends Error {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor() {
    super('The master key does not match this data directory (or database); the server refuses to start rather than lose access to secrets');
  }
}

export async function startServer(config: Config): Promise<FastifyInstance> {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  secureDataDir(config.dataDir, warn);
  // Held until the process ends: no second server and no rotation can use the directory meanwhile.
  const lock = lockDataDir(config.dataDir, 'server');
  const infos: string[] = [];
  let storage: Storage | undefined;
  try {
    storage = config.databaseUrl
      ? await PostgresStorage.open(config.databaseUrl, {
          onMigrated: (v) => infos.push(`Applied database migration ${v}`),
          changeBacklog: config.limits.eventsBacklog,
        })
      : SqliteStorage.open(config.dataDir, { changeBacklog: config.limits.eventsBacklog });
    const db = storage;
    const recovered = recoverInterruptedRotation(config.dataDir, await db.getMasterCheck(), config.masterKeyBase64);
    if (recovered) warn(recovered);
    if (!config.masterKeyBase64) refuseExposedKeyFile(masterKeyPath(config.dataDir));
    const master = loadMasterKey(config.dataDir, config.masterKeyBase64, warn);
    const keyring = new Keyring(master.key);

    const site = new PublicSite(config.publicUrl);
    const deps = { storage: db, keyring, revealCache: new RevealCache({ enabled: config.revealCache }), clock: systemClock, limits: config.limits, site, oidc: config.oidc };
    const app = buildApp(deps, { logLevel: config.logLevel, metricsAccess: config.ops.metricsAccess });
    if (config.oidc.allowHttpIssuers) warn('SECRETS_OIDC_ALLOW_HTTP_ISSUERS=true: OIDC issuers over plain http are trusted; for development only');
    for (const w of warnings) app.log.warn(w);
    for (const i of infos) app.log.info(i);
    const tokenPath = await db.exclusive(async () => {
      // Instances starting together on one database: the first sets the check, the others verify it.
      if ((await db.getMasterCheck()) === undefined) await db.setMasterCheck(keyring.masterCheck());
      if (!keyring.verifyMasterCheck((await db.getMasterCheck())!)) throw new WrongMasterKeyError();
      return bootstrapIfEmpty(db, keyring, config.dataDir);
    });
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
