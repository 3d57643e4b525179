// Operator configuration, read once from the environment (see docs/api.md "Operations").
import { resolve } from 'node:path';
import { limitsFromEnv, type ServerLimits } from './limits.ts';
import { parsePublicUrl, PublicUrlError } from './web/public-site.ts';
import { opsSettingsFromEnv, type OpsSettings } from './ops/settings.ts';
import { oidcSettingsFromEnv, type OidcSettings } from './services/oidc/settings.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Base64 of 32 bytes, or undefined to use (or create) `<dataDir>/master.key`. */
  masterKeyBase64: string | undefined;
  logLevel: string;
  limits: ServerLimits;
  /** SECRETS_PUBLIC_URL; undefined means http://localhost:<the port listened on>. */
  publicUrl: URL | undefined;
  ops: OpsSettings;
  oidc: OidcSettings;
  /** `postgres://…` to store in PostgreSQL (several instances may share it); undefined for SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** SECRETS_REVEAL_CACHE: false (`off`) makes every reveal read and decrypt (benchmarks of that path). */
  revealCache: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const portText = env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0–65535, got "${portText}"`);
  const databaseUrl = env.SECRETS_DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(?:ql)?:\/\//.test(databaseUrl)) {
    // The URL may hold a password: the message names the setting, never its value.
    throw new ConfigError('SECRETS_DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const revealCache = env.SECRETS_REVEAL_CACHE || 'on';
  if (revealCache !== 'on' && revealCache !== 'off') throw new ConfigError(`SECRETS_REVEAL_CACHE must be on or off, got "${revealCache}"`);
  return {
    databaseUrl,
    revealCache: revealCache === 'on',
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: resolve(env.SECRETS_DATA_DIR || './.secrets'),
    masterKeyBase64: env.SECRETS_MASTER_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    limits: limitsFromEnv(env, (message) => {
      throw new ConfigError(message);
    }),
    publicUrl: publicUrlFromEnv(env.SECRETS_PUBLIC_URL),
    ops: opsSettingsFromEnv(env, (message) => {
      throw new ConfigError(message);
    }),
    oidc: oidcSettingsFromEnv(env, (message) => {
      throw new ConfigError(message);
    }),
  };
}

function publicUrlFromEnv(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    return parsePublicUrl(text);
  } catch (err) {
    if (err instanceof PublicUrlError) throw new ConfigError(err.message);
    throw err;
  }
}
