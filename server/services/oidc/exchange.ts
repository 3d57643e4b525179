// The exchange: an OIDC token from a CI run becomes a short-lived, read-only token for one environment,
// when one of the organization's trust policies accepts it. Every exchange is audited with the verified
// workflow claims; every refusal is audited and answered with which policy and which check failed
// (expected vs got, never the token). Before a token's signature holds, a refusal names the check but
// no policy's conditions: only a genuine token of a trusted issuer learns what a policy expects.
import { randomUUID } from 'node:crypto';
import { decodeJwt, type JWTPayload } from 'jose';
import type { AuditDetails, OidcExchange, OidcRefusal, WorkflowContext } from '../../../core/api-types.ts';
import { cleanWorkflowContext } from '../../audit/workflow-context.ts';
import type { Actor } from '../../auth/principal.ts';
import { generateToken, hashToken } from '../../auth/tokens.ts';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../errors.ts';
import type { OidcPolicyRow, OrgRow, TokenRow } from '../../storage/types.ts';
import type { AuditStamp } from './audit-stamp.ts';
import { checkClaims, shown } from './claim-checks.ts';
import { IssuerUnavailableError, type IssuerKeys } from './issuer-keys.ts';
import { headerRefusal, verifyToken } from './verify-token.ts';

export interface ExchangeRequest {
  org: string;
  token: string;
  /** A policy id or name; without it every policy of the token's issuer is tried, in name order. */
  policy?: string;
}

const ANONYMOUS: Actor = { type: 'anonymous', id: null, name: null, display: 'anonymous' };
/** Minted tokens are kept this long past their expiry (their last use stays visible), then deleted. */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;

/** The workflow claims of a verified GitHub Actions token, as audit events record them. */
export function workflowOf(claims: JWTPayload): WorkflowContext | undefined {
  return cleanWorkflowContext({
    repository: claims.repository,
    workflow: claims.workflow,
    ref: claims.ref,
    sha: claims.sha,
    runId: claims.run_id,
    runAttempt: claims.run_attempt,
    actor: claims.actor,
  });
}

export class OidcExchangeService {
  private readonly deps: Deps;
  private readonly keys: IssuerKeys;

  constructor(deps: Deps, keys: IssuerKeys) {
    this.deps = deps;
    this.keys = keys;
  }

  async exchange(input: ExchangeRequest, audit: AuditStamp): Promise<OidcExchange> {
    // An unknown organization is refused exactly like one whose policies do not trust the token's issuer
    // (so the exchange does not tell which organizations exist); it has no audit log to write to.
    const org = await this.deps.storage.getOrgBySlug(input.org);

    const header = headerRefusal(input.token);
    if (header) throw this.refuse(org, audit, [header]);

    let iss: string | null = null;
    try {
      const unverified = decodeJwt(input.token);
      iss = typeof unverified.iss === 'string' ? unverified.iss : null;
    } catch {
      throw this.refuse(org, audit, [{ policy: null, claim: 'token', expected: 'a signed JWT (compact JWS)', got: null, reason: 'the token is not a signed JWT' }]);
    }
    const all = org ? await this.deps.storage.listOidcPolicies(org.id) : [];
    const named = input.policy === undefined ? all : all.filter((p) => p.id === input.policy || p.name === input.policy);
    if (input.policy !== undefined && named.length === 0) {
      throw this.refuse(org, audit, [{ policy: null, claim: 'policy', expected: null, got: shown(input.policy), reason: 'this organization has no such trust policy' }]);
    }
    // Only policies' issuers are ever fetched; which issuers are trusted is not told to the caller.
    const candidates = named.filter((p) => p.issuer === iss);
    if (!org || candidates.length === 0) {
      throw this.refuse(org, audit, [{ policy: null, claim: 'iss', expected: null, got: shown(iss), reason: 'no trust policy of this organization trusts tokens from this issuer' }]);
    }

    const refusals: OidcRefusal[] = [];
    let verifiedClaims: JWTPayload | undefined;
    // (org is known here: an unknown one has no candidates.)
    for (const policy of candidates) {
      let verified;
      try {
        verified = await verifyToken(input.token, policy, this.keys, this.deps.clock.now());
      } catch (err) {
        if (err instanceof IssuerUnavailableError) throw this.unavailable(org, audit, policy, err);
        throw err;
      }
      if (!verified.ok) {
        refusals.push(verified.refusal);
        // A signature that fails for one policy fails for every policy of the issuer.
        if (verified.unsigned) break;
        continue;
      }
      verifiedClaims = verified.claims;
      const failed = checkClaims(policy.claims, verified.claims).filter((c) => !c.ok);
      if (failed.length === 0) return this.mint(org, policy, verified.claims, audit);
      for (const c of failed) refusals.push({ policy: { id: policy.id, name: policy.name }, claim: c.claim, expected: c.expected, got: c.got, reason: c.explanation });
    }
    throw this.refuse(org, audit, refusals, verifiedClaims && workflowOf(verifiedClaims));
  }

  private async mint(org: OrgRow, policy: OidcPolicyRow, claims: JWTPayload, audit: AuditStamp): Promise<OidcExchange> {
    const env = await this.deps.storage.getEnvironmentById(org.id, policy.environmentId);
    if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', 'The environment of this trust policy no longer exists');
    const now = this.deps.clock.now();
    const token = generateToken('service');
    const workflow = workflowOf(claims) ?? null;
    const row: TokenRow = {
      id: randomUUID(),
      kind: 'service',
      hash: hashToken(token),
      name: `oidc:${policy.name}`,
      userId: null,
      orgId: org.id,
      environmentId: env.id,
      createdAt: new Date(now).toISOString(),
      createdBy: `oidc:${policy.name}`,
      expiresAt: new Date(now + policy.ttlSeconds * 1000).toISOString(),
      revokedAt: null,
      lastUsedAt: null,
      oidcPolicyId: policy.id,
      workflow,
      workspaceId: policy.workspaceId ?? null,
    };
    const workspace = policy.workspaceId ? ((await this.deps.storage.getWorkspaceById(org.id, policy.workspaceId))?.slug ?? null) : null;
    const actor: Actor = { type: 'service', id: row.id, name: row.name, display: `token:${row.name}` };
    const details: AuditDetails = { policy: { id: policy.id, name: policy.name }, ...(workflow && { workflow: { ...workflow, source: 'verified' } }) };
    await this.deps.storage.createServiceToken(org.id, row, { ...audit(actor, 'oidc.exchange', 'allowed', env.slug, details), workspace });
    // Every CI run mints a token: without this the table would grow with the number of runs, forever.
    await this.deps.storage.pruneOidcTokens(org.id, new Date(now - KEEP_EXPIRED_MS).toISOString());
    return { token, expiresAt: row.expiresAt!, environment: env.slug, workspace };
  }

  /** Audits the refusal (not awaited, aggregated like every denial) and returns the problem to answer. */
  private refuse(org: OrgRow | undefined, audit: AuditStamp, refusals: OidcRefusal[], workflow?: WorkflowContext): ApiError {
    if (!org) return refused(refusals);
    const details: AuditDetails = { refusals, ...(workflow && { workflow: { ...workflow, source: 'verified' } }) };
    const event = audit(ANONYMOUS, 'oidc.exchange', 'denied', null, details);
    const first = refusals[0];
    const window = Math.floor(this.deps.clock.now() / this.deps.limits.auditDenialWindowMs);
    event.repeatKey = JSON.stringify([window, 'oidc.exchange', first?.policy?.id ?? null, first?.claim ?? null, first?.got ?? null, workflow?.repository ?? null]);
    void this.deps.storage.appendAudit(org.id, event).catch(() => undefined);
    return refused(refusals);
  }

  private unavailable(org: OrgRow, audit: AuditStamp, policy: OidcPolicyRow, err: IssuerUnavailableError): ApiError {
    const refusal: OidcRefusal = { policy: { id: policy.id, name: policy.name }, claim: 'signature', expected: null, got: null, reason: err.message };
    const event = audit(ANONYMOUS, 'oidc.exchange', 'error', null, { refusals: [refusal] });
    const window = Math.floor(this.deps.clock.now() / this.deps.limits.auditDenialWindowMs);
    event.repeatKey = JSON.stringify([window, 'oidc.exchange', policy.id, 'unavailable']);
    void this.deps.storage.appendAudit(org.id, event).catch(() => undefined);
    return new ApiError('OIDC_ISSUER_UNAVAILABLE', `${err.message}; try again shortly`);
  }
}

function refused(refusals: OidcRefusal[]): ApiError {
  const first = refusals[0];
  const by = first?.policy ? `Trust policy ${first.policy.name} refused the token` : 'The token was refused';
  const detail = first ? `${by}: ${first.reason}` : undefined;
  return new ApiError('OIDC_TOKEN_REFUSED', detail, { refusals });
}
