// Operator settings of the operational surface: how long a graceful shutdown waits for in-flight
// requests, and who may read /metrics (docs/api.md "Operations").

export type MetricsAccess = 'loopback' | 'open' | 'off';

export interface OpsSettings {
  /** After SIGTERM/SIGINT, how long in-flight requests may take before their connections are cut. */
  shutdownTimeoutMs: number;
  /** `loopback`: /metrics answers only peers on 127.0.0.0/8 or ::1; `open`: every peer; `off`: nobody. */
  metricsAccess: MetricsAccess;
}

export const DEFAULT_OPS: Readonly<OpsSettings> = { shutdownTimeoutMs: 20_000, metricsAccess: 'loopback' };

const ACCESS: readonly MetricsAccess[] = ['loopback', 'open', 'off'];

/** `invalid` raises the configuration error (config.ts owns its type). */
export function opsSettingsFromEnv(env: NodeJS.ProcessEnv, invalid: (message: string) => never): OpsSettings {
  const settings = { ...DEFAULT_OPS };
  const timeout = env.SECRETS_SHUTDOWN_TIMEOUT_MS;
  if (timeout !== undefined && timeout !== '') {
    const n = Number(timeout);
    if (!/^\d+$/.test(timeout) || !Number.isSafeInteger(n) || n < 1) invalid(`SECRETS_SHUTDOWN_TIMEOUT_MS must be a whole number of at least 1, got "${timeout}"`);
    settings.shutdownTimeoutMs = n;
  }
  const access = env.SECRETS_METRICS;
  if (access !== undefined && access !== '') {
    if (!ACCESS.includes(access as MetricsAccess)) invalid(`SECRETS_METRICS must be one of ${ACCESS.join(', ')}, got "${access}"`);
    settings.metricsAccess = access as MetricsAccess;
  }
  return settings;
}
