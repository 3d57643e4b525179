// The services the routes call, built once per app over the same storage, keyring and reveal cache.
import type { Deps } from '../deps.ts';
import { MemberService } from './members/member-service.ts';
import { OrgService } from './orgs/org-service.ts';
import { EnvironmentHistory } from './secrets/environment-history.ts';
import { SecretBatchService } from './secrets/secret-batch.ts';
import { SecretService } from './secrets/secret-service.ts';
import { ServiceTokenService } from './tokens/service-token-service.ts';
import { UserService } from './users/user-service.ts';
import { WorkspaceService } from './workspaces/workspace-service.ts';

export interface Services {
  secrets: SecretService;
  secretBatches: SecretBatchService;
  history: EnvironmentHistory;
  members: MemberService;
  orgs: OrgService;
  serviceTokens: ServiceTokenService;
  users: UserService;
  workspaces: WorkspaceService;
}

export function createServices(deps: Deps, onTokenRevoked: (tokenId: string) => void): Services {
  const workspaces = new WorkspaceService(deps.storage, deps.revealCache);
  return {
    secrets: new SecretService(deps.storage, deps.keyring, deps.revealCache, workspaces),
    secretBatches: new SecretBatchService(deps.storage, deps.keyring, deps.revealCache),
    history: new EnvironmentHistory(deps.storage, deps.keyring, deps.revealCache),
    members: new MemberService(deps.storage),
    orgs: new OrgService(deps.storage, deps.keyring),
    serviceTokens: new ServiceTokenService(deps.storage, onTokenRevoked),
    users: new UserService(deps.storage),
    workspaces,
  };
}
