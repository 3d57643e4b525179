// Reads and checks the action's inputs. The token is registered as a secret before anything else can print,
// and every problem becomes an ActionError naming the input, never echoing what it held.
import * as core from '@actions/core';
import { SLUG_PATTERN } from '../core/api-types.ts';
import { isMoment, MOMENT_EXAMPLE } from '../core/moment.ts';
import { normalizeServerUrl } from '../core/server-url.ts';
import { isSendableToken } from '../core/token.ts';
import { DOTENV_DIALECTS, isDotenvDialect, type DotenvDialect } from '../core/dotenv.ts';
import { ActionError } from './errors.ts';
import { parseKeys, type KeySelection } from './keys.ts';

export type OnConflict = 'error' | 'warn';

/** A service token from the `token` input, or the job's OIDC token exchanged for a short-lived one. */
export type ActionAuth = { kind: 'token'; token: string } | { kind: 'oidc'; audience: string; policy: string | null };

export interface ActionInputs {
  url: string;
  auth: ActionAuth;
  org: string;
  environment: string;
  /** A workspace of the organization: its effective set is loaded (organization secrets available to it, overridden by its own). */
  workspace: string | null;
  /** null: every secret in the environment, exported under its own key. */
  keys: KeySelection[] | null;
  /** The environment as it was at this moment (ISO time with a zone), or null for now. */
  at: string | null;
  exportEnv: boolean;
  outputs: boolean;
  envFile: string | null;
  /** Which reader env-file is written for; `portable` is read alike by all of them. */
  envFileFormat: DotenvDialect;
  template: string | null;
  templateOutput: string | null;
  failOnMissing: boolean;
  onConflict: OnConflict;
  /** Names exported although core/refused-names.ts refuses them by default. */
  allowNames: string[];
}

// The same defaults as action.yml, for runs where the runner did not fill them in (a local `node` run);
// test/action/action-yml.test.ts checks the two agree.
export const INPUT_DEFAULTS = {
  'export-env': 'true',
  outputs: 'false',
  'fail-on-missing': 'true',
  'on-conflict': 'error',
  'env-file-format': 'portable',
} as const;

function optional(name: string): string | null {
  const value = core.getInput(name);
  return value === '' ? null : value;
}

function required(name: string): string {
  const value = core.getInput(name);
  if (value === '') throw new ActionError('ACTION_INPUT_REQUIRED', `Input "${name}" is required`);
  return value;
}

function boolean(name: keyof typeof INPUT_DEFAULTS): boolean {
  const value = core.getInput(name) || INPUT_DEFAULTS[name];
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new ActionError('ACTION_INPUT_INVALID', `Input "${name}" must be true or false`);
}

function slug(name: string): string {
  const value = required(name);
  if (!SLUG_PATTERN.test(value)) {
    throw new ActionError('ACTION_INPUT_INVALID', `Input "${name}" must be a slug: lowercase letters, digits and hyphens`);
  }
  return value;
}

/** The server URL rule every client shares (core/server-url.ts); a refusal fails with SECRETS_URL_INVALID. */
function serverUrl(): string {
  return normalizeServerUrl(required('url'));
}

/** One name per line (blank lines and `#` comments ignored), each a variable name. */
function allowNames(): string[] {
  const names: string[] = [];
  for (const [i, raw] of core.getInput('allow-names').split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(line)) {
      throw new ActionError('ACTION_INPUT_INVALID', `Input "allow-names" line ${i + 1} is not a variable name; list one name per line`);
    }
    names.push(line);
  }
  return names;
}

function envFileFormat(): DotenvDialect {
  const value = core.getInput('env-file-format') || INPUT_DEFAULTS['env-file-format'];
  if (!isDotenvDialect(value)) {
    throw new ActionError('ACTION_INPUT_INVALID', `Input "env-file-format" must be one of ${DOTENV_DIALECTS.join(', ')}`);
  }
  return value;
}

/**
 * `auth: token` needs the `token` input; `auth: oidc` refuses one (two credentials would leave it unclear
 * which one the audit log shows); without `auth`, a token means token and its absence means OIDC.
 */
function auth(url: string): ActionAuth {
  // Registered first: whatever goes wrong after this, the runner masks the token in the log.
  const token = optional('token');
  if (token !== null) core.setSecret(token);
  const mode = core.getInput('auth') || (token === null ? 'oidc' : 'token');
  if (mode !== 'token' && mode !== 'oidc') throw new ActionError('ACTION_INPUT_INVALID', 'Input "auth" must be token or oidc');
  if (mode === 'token') {
    if (token === null) throw new ActionError('ACTION_INPUT_REQUIRED', 'Input "token" is required with auth: token');
    // A token pasted with a line break or space (from a file, a multi-line secret) would fail as an HTTP header.
    if (!isSendableToken(token)) throw new ActionError('ACTION_INPUT_INVALID', 'Input "token" contains whitespace or control characters');
    return { kind: 'token', token };
  }
  if (token !== null) throw new ActionError('ACTION_INPUT_INVALID', 'Inputs "token" and "auth: oidc" exclude each other; remove one');
  return { kind: 'oidc', audience: optional('audience') ?? url, policy: optional('oidc-policy') };
}

/**
 * `at`: an ISO time with a zone. A key pinned in `keys` names its version already, so the two together
 * would say two things about which value to load: refused.
 */
function moment(keys: KeySelection[] | null): string | null {
  const at = optional('at');
  if (at === null) return null;
  if (!isMoment(at)) throw new ActionError('ACTION_INPUT_INVALID', `Input "at" must be an ISO 8601 time with a zone, e.g. ${MOMENT_EXAMPLE}`);
  const pinned = keys?.find((k) => k.key.includes('@'));
  if (pinned) {
    throw new ActionError(
      'ACTION_INPUT_INVALID',
      `Input "at" cannot be combined with a pinned key (keys line ${pinned.line}: ${pinned.key}): "at" loads every key as it was then, a pin names one version; use one or the other`,
    );
  }
  return at;
}

export function readInputs(): ActionInputs {
  const url = serverUrl();
  const authentication = auth(url);

  const onConflict = core.getInput('on-conflict') || INPUT_DEFAULTS['on-conflict'];
  if (onConflict !== 'error' && onConflict !== 'warn') {
    throw new ActionError('ACTION_INPUT_INVALID', 'Input "on-conflict" must be error or warn');
  }
  const keysText = optional('keys');
  const keys = keysText === null ? null : parseKeys(keysText);
  if (keys !== null && keys.length === 0) {
    throw new ActionError('ACTION_KEYS_INVALID', 'Input "keys" lists no key; leave it out to load every secret');
  }

  const at = moment(keys);

  const template = optional('template');
  const templateOutput = optional('template-output');
  if ((template === null) !== (templateOutput === null)) {
    throw new ActionError('ACTION_INPUT_INVALID', 'Inputs "template" and "template-output" go together; set both or neither');
  }

  return {
    url,
    auth: authentication,
    org: slug('org'),
    environment: slug('environment'),
    workspace: optional('workspace') === null ? null : slug('workspace'),
    keys,
    at,
    exportEnv: boolean('export-env'),
    outputs: boolean('outputs'),
    envFile: optional('env-file'),
    envFileFormat: envFileFormat(),
    template,
    templateOutput,
    failOnMissing: boolean('fail-on-missing'),
    onConflict,
    allowNames: allowNames(),
  };
}
