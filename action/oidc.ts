// Keyless authentication: the job's OIDC token from the runner (core.getIDToken, which needs the job
// permission `id-token: write`), exchanged at the secrets server for a short-lived read-only token of
// one environment. Both tokens are masked before anything could print them.
import * as core from '@actions/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretsClient, type TokenlessOptions } from '../core/client.ts';
import { isSecretsError } from '../core/errors.ts';
import type { OidcExchange } from '../core/api-types.ts';
import { ActionError } from './errors.ts';

/** The two lines a job needs for the runner to hand out OIDC tokens. */
export const PERMISSION_LINES = 'permissions:\n  id-token: write';

const ID_TOKEN_ATTEMPTS = 3;
const ID_TOKEN_RETRY_MS = 1_000;

/** The runner's ID token for `audience`, retried: the token service is a network call like any other. */
export async function requestIdToken(audience: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    throw new ActionError(
      'ACTION_OIDC_PERMISSION',
      `This job may not request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add these two lines to the job or the workflow\n${PERMISSION_LINES}\nor pass a service token in the "token" input`,
      { keepLines: true },
    );
  }
  let last = '';
  for (let attempt = 1; attempt <= ID_TOKEN_ATTEMPTS; attempt++) {
    try {
      const token = await core.getIDToken(audience);
      core.setSecret(token);
      return token;
    } catch (err) {
      // @actions/core's message carries the HTTP status; nothing in it is a credential, but only the status is kept.
      const status = /Error Code\s*:\s*(\d{3})/.exec((err as Error).message ?? '')?.[1];
      last = status ? `HTTP ${status}` : 'no ID token in the answer or no answer';
      if (attempt < ID_TOKEN_ATTEMPTS) {
        core.info(`Requesting the job's OIDC token failed (${last}); retrying in ${ID_TOKEN_RETRY_MS * attempt} ms`);
        await sleep(ID_TOKEN_RETRY_MS * attempt);
      }
    }
  }
  throw new ActionError('ACTION_OIDC_TOKEN', `The runner did not issue an OIDC token after ${ID_TOKEN_ATTEMPTS} attempts (${last})`);
}

/** Exchanges the ID token; a refusal becomes one line naming the policy and the claim that failed. */
export async function exchangeIdToken(options: TokenlessOptions, org: string, idToken: string, policy: string | null): Promise<OidcExchange> {
  let minted: OidcExchange;
  try {
    minted = await SecretsClient.exchangeOidcToken(options, { org, token: idToken, ...(policy !== null && { policy }) });
  } catch (err) {
    if (isSecretsError(err) && err.problemCode === 'OIDC_TOKEN_REFUSED') {
      throw new ActionError('ACTION_OIDC_REFUSED', `The secrets server refused this job's OIDC token: ${err.detail ?? err.message}`);
    }
    throw err;
  }
  core.setSecret(minted.token);
  return minted;
}
