// Starting the server: master key, storage, key check, first-start bootstrap, then listen.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { bootstrapIfEmpty } from './bootstrap.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { Keyring } from './crypto/keyring.ts';
import { RevealCache } from './crypto/reveal-cache.ts';
import { loadMasterKey } from './crypto/master-key.ts';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.ts';

export class WrongMasterKeyError extends Error {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor() {
    super('The master key does not match this data directory; the server refuses to start rather than lose access to secrets');
  }
}

export async function startServer(config: Config): Promise<FastifyInstance> {
  const warnings: string[] = [];
  const master = loadMasterKey(config.dataDir, config.masterKeyBase64, (m) => warnings.push(m));
  const storage = SqliteStorage.open(config.dataDir);
  const keyring = new Keyring(master.key);
  const check = await storage.getMasterCheck();
  if (check === undefined) await storage.setMasterCheck(keyring.masterCheck());
  else if (!keyring.verifyMasterCheck(check)) {
    await storage.close();
    throw new WrongMasterKeyError();
  }

  const deps = { storage, keyring, revealCache: new RevealCache(), clock: systemClock, limits: config.limits };
  const app = buildApp(deps, { logLevel: config.logLevel });
  for (const w of warnings) app.log.warn(w);
  const tokenPath = await bootstrapIfEmpty(storage, keyring, config.dataDir);
  if (tokenPath) app.log.info(`First start: created the instance admin and organization "default"; the admin token is in ${tokenPath}`);
  app.addHook('onClose', async () => storage.close());
  await app.listen({ host: config.host, port: config.port });
  return app;
}
