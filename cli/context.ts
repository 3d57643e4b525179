// What a command runs with: its arguments, the streams, the resolved settings, one lazily opened API
// client, and the list of sensitive strings (token, values) that error output is scrubbed of.
import { SecretsClient } from '../core/client.ts';
import type { EnvironmentRef } from '../core/client/paths.ts';
import { SLUG_PATTERN } from '../core/api-types.ts';
import { SecretsError } from '../core/errors.ts';
import { Redactor } from '../core/redactor.ts';
import { stripTerminalControls } from '../core/terminal-text.ts';
import type { Flags } from './args.ts';
import { readLogin, resolveSettings, type Settings } from './config.ts';
import { CliError } from './errors.ts';
import type { Io } from './io.ts';
import { USER_AGENT } from './version.ts';

export interface Target {
  org: string;
  env: string;
  /** The workspace whose effective set the command works on, if one was chosen. */
  workspace?: string;
  /** What the client's per-environment methods take: the environment, or the environment of the workspace. */
  ref: EnvironmentRef;
  /** For messages: `acme/production`, or `acme/production (workspace billing)`. */
  label: string;
}

export class Context {
  readonly io: Io;
  readonly flags: Flags;
  readonly args: readonly string[];
  /** Words after `--` (the child command of `secrets run`), or null when there was no `--`. */
  readonly rest: readonly string[] | null;
  readonly #redactor = new Redactor();
  #settings: Settings | undefined;
  #client: SecretsClient | undefined;
  #quick = false;

  constructor(io: Io, flags: Flags, args: readonly string[], rest: readonly string[] | null) {
    this.io = io;
    this.flags = flags;
    this.args = args;
    this.rest = rest;
    this.#redactor.add(io.env.SECRETS_TOKEN);
  }

  /**
   * Marks strings that must never reach the terminal in an error or debug line. Values too short to mask
   * (`ab`, `1`) are left out: hiding them would shred every message (a value `v1` would blank out every `/v1/` path) and protect little.
   */
  sensitive(...values: string[]): void {
    for (const v of values) this.#redactor.add(v);
  }

  /** Never throws: it runs while an error is being reported, where a second error would print the first raw. */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  settings(): Settings {
    if (!this.#settings) {
      this.#settings = resolveSettings(this.flags, this.io.env, readLogin(this.io.env));
      if (this.#settings.stored) this.sensitive(this.#settings.stored.token);
    }
    return this.#settings;
  }

  /**
   * One short attempt per request instead of retries with back-off: for shell completion, where a slow
   * server must not freeze the user's Tab key. Call before the first request.
   */
  preferQuickAnswers(): void {
    this.#quick = true;
  }

  /** The client for the configured server and token, opened on first use. */
  client(): SecretsClient {
    if (this.#client) return this.#client;
    const { url, token, stored } = this.settings();
    if (!url) throw new CliError('CLI_NOT_CONFIGURED', 'No server configured: run `secrets login --url URL`, or pass --url or set SECRETS_URL');
    if (!token) {
      throw new CliError(
        'CLI_NOT_CONFIGURED',
        stored
          ? `Not logged in to ${url} (the stored login is for ${stored.url}): run \`secrets login --url ${url}\` or set SECRETS_TOKEN`
          : `Not logged in: run \`secrets login --url ${url}\` or set SECRETS_TOKEN`,
      );
    }
    this.#client = this.newClient(url, token);
    return this.#client;
  }

  newClient(url: string, token: string): SecretsClient {
    this.sensitive(token);
    const debug = Boolean(this.io.env.SECRETS_DEBUG);
    try {
      return new SecretsClient({
        baseUrl: url,
        token,
        userAgent: `${USER_AGENT} (node ${process.version}; ${process.platform})`,
        ...(this.#quick && { timeoutMs: 3000, retries: 0 }),
        ...(debug && {
          onResponse: (r) => this.debug(`${r.method} ${r.path} → ${r.status} (${Math.round(r.ms)} ms)`),
          onRetry: (r) => this.debug(`retry ${r.attempt} in ${Math.round(r.delayMs)} ms: ${r.reason}`),
        }),
      });
    } catch (err) {
      // A URL the server-URL rule refuses is core's own error (SECRETS_URL_INVALID), reported as it is.
      if (err instanceof SecretsError) throw err;
      // Otherwise the constructor rejected a malformed token; its message never includes the token.
      throw new CliError('CLI_INVALID_INPUT', err instanceof Error ? err.message : 'Invalid token');
    }
  }

  /** The organization: --org, SECRETS_ORG, the stored default, or a service token's own. */
  async org(): Promise<string> {
    const org = this.settings().org ?? (await this.#serviceScope())?.org;
    if (!org) throw new CliError('CLI_NOT_CONFIGURED', 'No organization selected: pass --org or set SECRETS_ORG');
    return org;
  }

  /** The organization and environment a secrets command works in. */
  async target(): Promise<Target> {
    const s = this.settings();
    const workspace = this.workspace();
    // A service token (its prefix says so) may be bound to a workspace, which only the server knows.
    const askToken = !s.org || !s.env || (workspace === undefined && s.token?.startsWith('scrt_svc_') === true);
    const scope = askToken ? await this.#serviceScope() : undefined;
    const org = s.org ?? scope?.org;
    const env = s.env ?? scope?.env;
    if (!org) throw new CliError('CLI_NOT_CONFIGURED', 'No organization selected: pass --org or set SECRETS_ORG');
    if (!env) throw new CliError('CLI_NOT_CONFIGURED', 'No environment selected: pass --env or set SECRETS_ENV');
    return targetOf(org, env, workspace ?? scope?.workspace);
  }

  /** The workspace chosen with --workspace or SECRETS_WORKSPACE, checked as a slug before any request. */
  workspace(): string | undefined {
    const ws = this.settings().workspace;
    if (ws !== undefined && !SLUG_PATTERN.test(ws)) {
      const source = this.flags.workspace !== undefined ? '--workspace' : this.io.env.SECRETS_WORKSPACE ? 'SECRETS_WORKSPACE' : 'The stored login\'s workspace';
      throw new CliError('CLI_USAGE', `${source} must be a workspace slug: lowercase letters, digits and hyphens`);
    }
    return ws;
  }

  // A service token belongs to exactly one organization and environment (and maybe workspace), so it needs no flag.
  async #serviceScope(): Promise<{ org?: string; env?: string; workspace?: string } | undefined> {
    const me = await this.client().me();
    if (me.tokenKind !== 'service') return undefined;
    return { ...(me.organization && { org: me.organization }), ...(me.environment && { env: me.environment }), ...(me.workspace && { workspace: me.workspace }) };
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /**
   * JSON already escapes C0 controls; C1 controls, DEL and bidi overrides are escaped too (still the same
   * JSON value), so `--json` on a terminal cannot be acted on either.
   */
  json(value: unknown): void {
    this.io.stdout.write(safeJson(JSON.stringify(value, null, 2)) + '\n');
  }

  /** One JSON value on one line (a stream of events), escaped as json() escapes. */
  jsonLine(value: unknown): void {
    this.io.stdout.write(safeJson(JSON.stringify(value)) + '\n');
  }

  /** Status lines for people (what was done), kept off stdout so pipes get only data. They quote names from the server, so no control sequence gets through. */
  note(text: string): void {
    this.io.stderr.write(stripTerminalControls(this.redact(text)) + '\n');
  }

  debug(text: string): void {
    this.io.stderr.write(`secrets: debug: ${stripTerminalControls(this.redact(text))}\n`);
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.close();
  }
}

/** An environment of the organization, or of one of its workspaces. */
export function targetOf(org: string, env: string, workspace: string | undefined): Target {
  return workspace === undefined
    ? { org, env, ref: env, label: `${org}/${env}` }
    : { org, env, workspace, ref: { workspace, environment: env }, label: `${org}/${env} (workspace ${workspace})` };
}

function safeJson(text: string): string {
  return text.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
