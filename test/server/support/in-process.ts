// The server's own application (server/app.ts) listening on 127.0.0.1 and spoken to over HTTP, built
// with a clock the test moves: for behaviour that depends on time (session expiry), without sleeping.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../server/app.ts';
import { adminTokenPath, bootstrapIfEmpty } from '../../../server/bootstrap.ts';
import type { Clock } from '../../../server/clock.ts';
import { toKeyObject } from '../../../server/crypto/envelope.ts';
import { Keyring } from '../../../server/crypto/keyring.ts';
import { RevealCache } from '../../../server/crypto/reveal-cache.ts';
import { DEFAULT_LIMITS, type ServerLimits } from '../../../server/limits.ts';
import type { OidcSettings } from '../../../server/services/oidc/settings.ts';
import { PostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/types.ts';
import { databaseFor, testingPostgres } from '../../helpers/postgres.ts';
import { PublicSite } from '../../../server/web/public-site.ts';

export class ManualClock implements Clock {
  private t = Date.parse('2030-01-01T00:00:00Z');
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface InProcessServer {
  url: string;
  /** http://localhost:PORT, the public URL. */
  origin: string;
  adminToken: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  /** Store on the run's backend (PostgreSQL in the PostgreSQL run) instead of always SQLite. */
  runBackend?: boolean;
  /** Store in this PostgreSQL database (another in-process server may share it); implies PostgreSQL. */
  databaseUrl?: string;
  /** Keyless CI settings (e.g. http issuers allowed for a loopback issuer). */
  oidc?: OidcSettings;
}

export async function serveInProcess(clock: Clock, limits: Partial<ServerLimits>, options: InProcessOptions = {}): Promise<InProcessServer & { databaseUrl?: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'secrets-inproc-'));
  const databaseUrl = options.databaseUrl ?? (options.runBackend && testingPostgres() ? await databaseFor(dataDir) : undefined);
  const storage: Storage = databaseUrl ? await PostgresStorage.open(databaseUrl) : SqliteStorage.open(dataDir);
  const keyring = new Keyring(toKeyObject(randomBytes(32)));
  const adminFile = await storage.exclusive(() => bootstrapIfEmpty(storage, keyring, dataDir));
  const site = new PublicSite(undefined);
  const app = buildApp({ storage, keyring, revealCache: new RevealCache(), clock, limits: { ...DEFAULT_LIMITS, ...limits }, site, ...(options.oidc && { oidc: options.oidc }) }, { logLevel: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  site.bind(port);
  return {
    url: `http://127.0.0.1:${port}`,
    origin: site.origin,
    adminToken: adminFile ? readFileSync(adminTokenPath(dataDir), 'utf8').trim() : '',
    dataDir,
    ...(databaseUrl && { databaseUrl }),
    stop: async () => {
      await app.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
