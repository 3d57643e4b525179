// "Connect": a server URL and a personal token, checked against the server before anything is saved,
// then the organization and environment to start in.
import type { Environment, Me, Org } from '../../core/api-types.ts';
import { normalizeServerUrl } from '../../core/server-url.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, UiPort } from './ports.ts';

export interface ConnectArgs {
  url?: string;
  token?: string;
}

export interface Connection<A extends SecretsApi> {
  url: string;
  token: string;
  api: A;
  me: Me;
  orgs: Org[];
}

/** The server URL rule every client shares; a refusal is core's ServerUrlError (SECRETS_URL_INVALID). */
export { normalizeServerUrl };

export function urlProblem(raw: string): string | undefined {
  try {
    normalizeServerUrl(raw);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function connect<A extends SecretsApi>(
  createApi: (url: string, token: string) => A,
  ui: UiPort,
  options: { args?: ConnectArgs; defaultUrl?: string } = {},
): Promise<Connection<A>> {
  const rawUrl =
    options.args?.url ??
    (await ui.input({
      title: 'Secrets: Connect (1/2)',
      prompt: 'Secrets server URL',
      value: options.defaultUrl || 'http://127.0.0.1:8787',
      validate: urlProblem,
    }));
  if (rawUrl === undefined) throw new Cancelled();
  const url = normalizeServerUrl(rawUrl);
  const token = (
    options.args?.token ??
    (await ui.input({
      title: 'Secrets: Connect (2/2)',
      prompt: 'Personal token (scrt_pat_…); it is kept in VS Code’s secret storage',
      password: true,
      validate: (v) => (v.trim() === '' ? 'A token is required' : undefined),
    }))
  )?.trim();
  if (token === undefined) throw new Cancelled();
  if (token === '') throw new ExtensionError('EXT_TOKEN_REQUIRED');
  const api = createApi(url, token);
  const me = await api.me();
  const orgs = await api.listOrgs();
  return { url, token, api, me, orgs };
}

/** The organization to start in: the configured one if the token can see it, else the first. */
export function chooseOrganization(orgs: readonly Org[], preferred: string | undefined): Org {
  if (orgs.length === 0) throw new ExtensionError('EXT_NO_ORGANIZATION');
  return orgs.find((o) => o.slug === preferred) ?? [...orgs].sort((a, b) => a.slug.localeCompare(b.slug))[0]!;
}

/** The environment to start in: the configured one if it exists, else development, else the first. */
export function chooseEnvironment(envs: readonly Environment[], preferred: string | undefined): Environment {
  const pick = envs.find((e) => e.slug === preferred) ?? envs.find((e) => e.slug === 'development') ?? envs[0];
  if (!pick) throw new ExtensionError('EXT_UNKNOWN_ENVIRONMENT');
  return pick;
}
