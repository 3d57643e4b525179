// Shared set-up of the keyless-CI tests: a policy body like the README's, and exchange helpers.
import type { OidcExchange, OidcPolicy, OidcPolicyInput, Problem } from '../../../core/api-types.ts';
import type { Http, Reply } from '../support/http.ts';

export type Refused = Problem & { refusals: NonNullable<Problem['refusals']> };

export function policyBody(issuer: string, overrides: Partial<OidcPolicyInput> = {}): OidcPolicyInput {
  return {
    name: `deploy-${Math.random().toString(36).slice(2, 8)}`,
    issuer,
    audience: 'https://secrets.example.test',
    environment: 'staging',
    claims: { repository: 'acme/app', ref: 'refs/heads/main' },
    ttlSeconds: 600,
    ...overrides,
  };
}

export async function createPolicy(api: Http, token: string, org: string, body: OidcPolicyInput): Promise<OidcPolicy> {
  const r = await api.post<OidcPolicy>(`/v1/orgs/${org}/oidc-policies`, token, body);
  if (r.status !== 201) throw new Error(`create policy: ${r.status} ${r.text}`);
  return r.body;
}

export function exchange(api: Http, org: string, token: string, policy?: string): Promise<Reply<OidcExchange & Refused>> {
  return api.post<OidcExchange & Refused>('/v1/auth/oidc', undefined, policy === undefined ? { org, token } : { org, token, policy });
}
