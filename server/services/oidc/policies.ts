// Trust policies of an organization: which OIDC tokens may become a short-lived read-only token for
// which environment. The caller (routes/oidc-policies.ts) has checked Admin+; this owns the rules.
import { randomUUID } from 'node:crypto';
import { GITHUB_ACTIONS_ISSUER, OIDC_MAX_TTL_SECONDS, type ClaimCheck, type OidcDryRun, type OidcPolicy, type OidcPolicyInput } from '../../../core/api-types.ts';
import type { Actor } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../errors.ts';
import { DuplicateError, type OidcPolicyRow, type OrgRow } from '../../storage/types.ts';
import type { AuditStamp } from './audit-stamp.ts';
import { checkClaim, checkClaims, claimText } from './claim-checks.ts';
import { checkClaimConditions, checkIssuer, checkTtl } from './policy-rules.ts';
import { DEFAULT_OIDC_SETTINGS } from './settings.ts';
import { workspaceNotFound } from '../workspaces/workspace-service.ts';

export type OidcPolicyPatch = Partial<OidcPolicyInput>;

export class OidcPolicyService {
  private readonly deps: Deps;

  constructor(deps: Deps) {
    this.deps = deps;
  }

  private get allowHttp(): boolean {
    return (this.deps.oidc ?? DEFAULT_OIDC_SETTINGS).allowHttpIssuers;
  }

  private async toPolicy(org: OrgRow, row: OidcPolicyRow): Promise<OidcPolicy> {
    const env = await this.deps.storage.getEnvironmentById(org.id, row.environmentId);
    return {
      id: row.id,
      name: row.name,
      issuer: row.issuer,
      audience: row.audience,
      environment: env?.slug ?? '',
      workspace: row.workspaceId ? ((await this.deps.storage.getWorkspaceById(org.id, row.workspaceId))?.slug ?? null) : null,
      claims: row.claims,
      ttlSeconds: row.ttlSeconds,
      createdAt: row.createdAt,
      createdBy: row.createdBy,
      updatedAt: row.updatedAt,
    };
  }

  async list(org: OrgRow): Promise<OidcPolicy[]> {
    const rows = await this.deps.storage.listOidcPolicies(org.id);
    return Promise.all(rows.map((r) => this.toPolicy(org, r)));
  }

  private async row(org: OrgRow, id: string): Promise<OidcPolicyRow> {
    const row = await this.deps.storage.getOidcPolicy(org.id, id);
    if (!row) throw new ApiError('OIDC_POLICY_NOT_FOUND', `No trust policy ${id} in ${org.slug}`);
    return row;
  }

  async get(org: OrgRow, id: string): Promise<OidcPolicy> {
    return this.toPolicy(org, await this.row(org, id));
  }

  private async environmentId(org: OrgRow, slug: string): Promise<string> {
    const env = await this.deps.storage.getEnvironment(org.id, slug);
    if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${slug} does not exist in ${org.slug}`);
    return env.id;
  }

  private async workspaceId(org: OrgRow, slug: string | null): Promise<string | null> {
    if (slug === null) return null;
    const ws = await this.deps.storage.getWorkspace(org.id, slug);
    if (!ws) throw workspaceNotFound(org, slug);
    return ws.id;
  }

  /** Every rule a stored policy obeys, checked on create and on the merged result of an update. */
  private async validated(org: OrgRow, input: OidcPolicyInput): Promise<Omit<OidcPolicyRow, 'id' | 'createdAt' | 'createdBy' | 'updatedAt'>> {
    checkClaimConditions(input.claims);
    return {
      name: input.name,
      issuer: checkIssuer(input.issuer ?? GITHUB_ACTIONS_ISSUER, this.allowHttp),
      audience: input.audience,
      environmentId: await this.environmentId(org, input.environment),
      workspaceId: await this.workspaceId(org, input.workspace ?? null),
      claims: input.claims,
      ttlSeconds: checkTtl(input.ttlSeconds ?? OIDC_MAX_TTL_SECONDS),
    };
  }

  private nameTaken(org: OrgRow, name: string): ApiError {
    return new ApiError('OIDC_POLICY_EXISTS', `A trust policy named ${name} already exists in ${org.slug}`);
  }

  async create(org: OrgRow, input: OidcPolicyInput, actor: Actor, audit: AuditStamp): Promise<OidcPolicy> {
    const at = new Date(this.deps.clock.now()).toISOString();
    const row: OidcPolicyRow = { id: randomUUID(), ...(await this.validated(org, input)), createdAt: at, createdBy: actor.display, updatedAt: at };
    try {
      await this.deps.storage.createOidcPolicy(org.id, row, audit(actor, 'oidc_policy.create', 'allowed', input.environment, { policy: { id: row.id, name: row.name } }));
    } catch (err) {
      if (err instanceof DuplicateError) throw this.nameTaken(org, row.name);
      throw err;
    }
    return this.toPolicy(org, row);
  }

  async update(org: OrgRow, id: string, patch: OidcPolicyPatch, actor: Actor, audit: AuditStamp): Promise<OidcPolicy> {
    const current = await this.get(org, id);
    if (Object.keys(patch).length === 0) throw new ApiError('NO_CHANGES');
    const merged: OidcPolicyInput = {
      name: patch.name ?? current.name,
      issuer: patch.issuer ?? current.issuer,
      audience: patch.audience ?? current.audience,
      environment: patch.environment ?? current.environment,
      workspace: patch.workspace === undefined ? current.workspace : patch.workspace,
      claims: patch.claims ?? current.claims,
      ttlSeconds: patch.ttlSeconds ?? current.ttlSeconds,
    };
    const row: OidcPolicyRow = {
      id,
      ...(await this.validated(org, merged)),
      createdAt: current.createdAt,
      createdBy: current.createdBy,
      updatedAt: new Date(this.deps.clock.now()).toISOString(),
    };
    try {
      const found = await this.deps.storage.updateOidcPolicy(org.id, row, audit(actor, 'oidc_policy.update', 'allowed', merged.environment, { policy: { id, name: row.name } }));
      if (!found) throw new ApiError('OIDC_POLICY_NOT_FOUND', `No trust policy ${id} in ${org.slug}`);
    } catch (err) {
      if (err instanceof DuplicateError) throw this.nameTaken(org, row.name);
      throw err;
    }
    return this.toPolicy(org, row);
  }

  /** Deleting a policy revokes the tokens it minted that have not expired yet. */
  async delete(org: OrgRow, id: string, actor: Actor, audit: AuditStamp): Promise<void> {
    const current = await this.get(org, id);
    const at = new Date(this.deps.clock.now()).toISOString();
    const gone = await this.deps.storage.deleteOidcPolicy(org.id, id, at, audit(actor, 'oidc_policy.delete', 'allowed', current.environment, { policy: { id, name: current.name } }));
    if (!gone) throw new ApiError('OIDC_POLICY_NOT_FOUND', `No trust policy ${id} in ${org.slug}`);
  }

  /**
   * A dry run: would a token with these claims be accepted? Checks iss and aud when given, then every
   * claim condition. The signature and the token's times are not part of a dry run.
   */
  async dryRun(org: OrgRow, id: string, claims: Record<string, unknown>): Promise<OidcDryRun> {
    const policy = await this.row(org, id);
    const checks: ClaimCheck[] = [];
    if (claims.iss !== undefined) checks.push(checkClaim('iss', policy.issuer, claims.iss));
    if (claims.aud !== undefined) checks.push(audienceCheck(policy.audience, claims.aud));
    checks.push(...checkClaims(policy.claims, claims));
    return { accepted: checks.every((c) => c.ok), checks };
  }
}

function audienceCheck(expected: string, aud: unknown): ClaimCheck {
  const list = [aud].flat().map(claimText).filter((a): a is string => a !== null);
  const ok = list.includes(expected);
  const got = list.join(', ');
  const q = JSON.stringify;
  return {
    claim: 'aud',
    expected,
    got,
    ok,
    explanation: ok ? `aud includes ${q(expected)}, as required` : `aud must include ${q(expected)}, the token's audience is ${q(got)}`,
  };
}
