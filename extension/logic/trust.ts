// Keyless CI as an Admin sees it in the editor: the organization's OIDC trust policies (name,
// environment, what binds the repository, token TTL) and the last exchanges from the audit log
// (accepted or refused, policy, repository, workflow, ref, run id), as the dashboard's Trust policies
// page shows them. Audit events of exchanges hold verified claims, never a token.
import type { AuditDetails, AuditEvent, ClaimConditions, OidcPolicy, WorkflowContext } from '../../core/api-types.ts';
import type { SecretsApi } from './ports.ts';

export const LAST_EXCHANGES = 20;

// The claims that can bind a policy to a repository (docs/api.md, Trust policies), in the order shown.
const BINDING_CLAIMS: readonly [claim: string, label: string][] = [
  ['repository', 'repository'],
  ['repository_id', 'repository id'],
  ['repository_owner', 'owner'],
  ['repository_owner_id', 'owner id'],
  ['sub', 'sub'],
];

/** What ties a policy to a repository, e.g. `repository acme/app` or `owner acme · sub repo:acme/*`. */
export function repositoryBinding(claims: ClaimConditions): string {
  const parts = BINDING_CLAIMS.filter(([c]) => claims[c] !== undefined).map(([c, label]) => `${label} ${claims[c]}`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

export type ExchangeOutcome = 'accepted' | 'refused' | 'error';

export interface ExchangeRow {
  id: string;
  time: string;
  outcome: ExchangeOutcome;
  policy: string | undefined;
  environment: string | null;
  repository: string | undefined;
  workflow: string | undefined;
  ref: string | undefined;
  runId: string | undefined;
  /** Why a refusal refused (the first check that failed), e.g. `aud: expected … got …`. */
  reason: string | undefined;
}

const OUTCOME: Record<AuditEvent['outcome'], ExchangeOutcome> = { allowed: 'accepted', denied: 'refused', error: 'error' };

export function exchangeRow(e: AuditEvent): ExchangeRow {
  const d: AuditDetails = e.details ?? {};
  const w: WorkflowContext = d.workflow ?? {};
  const refusal = d.refusals?.[0];
  return {
    id: e.id,
    time: e.time,
    outcome: OUTCOME[e.outcome],
    policy: d.policy?.name ?? refusal?.policy?.name,
    environment: e.environment,
    repository: w.repository,
    workflow: w.workflow,
    ref: w.ref,
    runId: w.runId,
    reason: refusal?.reason,
  };
}

export interface TrustOverview {
  org: string;
  policies: OidcPolicy[];
  exchanges: ExchangeRow[];
}

export async function loadTrust(api: SecretsApi, org: string): Promise<TrustOverview> {
  const [policies, audit] = await Promise.all([
    api.listOidcPolicies(org),
    api.listAudit(org, { action: 'oidc.exchange', limit: LAST_EXCHANGES }),
  ]);
  return { org, policies, exchanges: audit.events.map(exchangeRow) };
}
