// The limit settings are documented where operators look (docs/api.md Operations with their defaults,
// README), and a setting the server cannot use stops it with an error naming the setting.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, type ServerLimits } from '../../server/limits.ts';

const API = readFileSync(resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('server: limit settings', () => {
  for (const [field, setting] of Object.entries(LIMIT_SETTINGS) as [keyof ServerLimits, { env: string; unit: string }][]) {
    it(`documents ${setting.env} with its default in docs/api.md and names it in the README`, () => {
      const shown = setting.unit === 's' ? DEFAULT_LIMITS[field] / 1000 : DEFAULT_LIMITS[field];
      assert.match(API, new RegExp(`\\| \`${setting.env}\` \\| ${shown} \\|`));
      assert.ok(README.includes(`\`${setting.env}\``), setting.env);
    });
  }

  it('reads each setting in its unit', () => {
    const limits = loadConfig({ SECRETS_HEADERS_TIMEOUT_MS: '250', SECRETS_AUTH_FAILURE_WINDOW_SECONDS: '7', SECRETS_MAX_CONNECTIONS_PER_CLIENT: '3' }).limits;
    assert.equal(limits.headersTimeoutMs, 250);
    assert.equal(limits.authFailureWindowMs, 7_000);
    assert.equal(limits.maxConnectionsPerClient, 3);
    assert.equal(limits.requestTimeoutMs, DEFAULT_LIMITS.requestTimeoutMs);
  });

  for (const bad of ['0', '-1', '1.5', '1e3', 'soon', ' 5']) {
    it(`refuses ${JSON.stringify(bad)}, naming the setting`, () => {
      assert.throws(() => loadConfig({ SECRETS_AUTH_FAILURE_LIMIT: bad }), (e: unknown) => e instanceof ConfigError && /SECRETS_AUTH_FAILURE_LIMIT/.test(e.message));
    });
  }

  it('refuses an event-stream heartbeat not shorter than the connection timeout (idle streams would be cut)', () => {
    assert.throws(() => loadConfig({ SECRETS_EVENTS_HEARTBEAT_SECONDS: '30', SECRETS_CONNECTION_TIMEOUT_MS: '30000' }), /SECRETS_EVENTS_HEARTBEAT_SECONDS/);
    assert.equal(loadConfig({ SECRETS_EVENTS_HEARTBEAT_SECONDS: '29' }).limits.eventsHeartbeatMs, 29_000);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    assert.throws(() => loadConfig({ SECRETS_HEADERS_TIMEOUT_MS: '5000', SECRETS_REQUEST_TIMEOUT_MS: '1000' }), /SECRETS_HEADERS_TIMEOUT_MS/);
  });
});
