// Service tokens: minted for one environment of one organization, shown once, stored only as a hash;
// revocation is audited and takes effect on every server instance (storage tells the others).
import { randomUUID } from 'node:crypto';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Principal } from '../../auth/principal.ts';
import { mintedExpiry } from '../../auth/token-lifetime.ts';
import { generateToken, hashToken } from '../../auth/tokens.ts';
import { ApiError } from '../../errors.ts';
import type { EnvironmentRow, OrgRow, Storage, TokenRow, WorkspaceRow } from '../../storage/types.ts';

export class ServiceTokenService {
  private readonly storage: Storage;
  /** Told about each revoked token, so per-process bookkeeping about it can go. */
  private readonly onRevoked: (tokenId: string) => void;

  constructor(storage: Storage, onRevoked: (tokenId: string) => void) {
    this.storage = storage;
    this.onRevoked = onRevoked;
  }

  async environment(org: OrgRow, slug: string): Promise<EnvironmentRow> {
    const env = await this.storage.getEnvironment(org.id, slug);
    if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${slug} does not exist in ${org.slug}`);
    return env;
  }

  /** `workspace`: the token reads that workspace's effective set in `env` and nothing else. */
  async create(
    caller: Caller,
    principal: Principal,
    org: OrgRow,
    env: EnvironmentRow,
    workspace: WorkspaceRow | null,
    name: string,
    requestedExpiry: string | null,
  ): Promise<{ row: TokenRow; token: string }> {
    const expiresAt = mintedExpiry(principal, requestedExpiry, 'body.expiresAt');
    const token = generateToken('service');
    const row: TokenRow = {
      id: randomUUID(),
      kind: 'service',
      hash: hashToken(token),
      name,
      userId: null,
      orgId: org.id,
      environmentId: env.id,
      createdAt: new Date().toISOString(),
      createdBy: caller.actor.display,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      workspaceId: workspace?.id ?? null,
    };
    const event = callerEvent(workspace ? { ...caller, workspace: workspace.slug } : caller, 'token.create', 'allowed', env.slug, []);
    await this.storage.createServiceToken(org.id, row, event);
    return { row, token };
  }

  async revoke(caller: Caller, org: OrgRow, tokenId: string): Promise<void> {
    const revoked = await this.storage.revokeServiceToken(org.id, tokenId, new Date().toISOString(), callerEvent(caller, 'token.revoke', 'allowed', null, []));
    if (!revoked) throw new ApiError('TOKEN_NOT_FOUND', 'No such token in this organization');
    this.onRevoked(tokenId);
  }
}
