// Organization visibility and permission checks for one request. A non-member sees 404 exactly as if
// the organization did not exist; a member without the permission gets 403. Both are audited.
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../core/api-types.ts';
import { recordDenial } from '../audit/denials.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { SecretPlace } from '../services/workspaces/effective-set.ts';
import { canWriteWorkspace, workspaceNotFound } from '../services/workspaces/workspace-service.ts';
import type { EnvironmentRow, OrgRow } from '../storage/types.ts';
import { actorOf, type Actor, type Principal } from './principal.ts';
import { roleAllows, serviceAllows, type Permission } from './permissions.ts';

export interface OrgAccess {
  org: OrgRow;
  principal: Principal;
  /** The member's role; null for a service token. */
  role: Role | null;
  actor: Actor;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('UNAUTHORIZED');
  return request.principal;
}

export async function accessOrg(deps: Deps, request: FastifyRequest, slug: string): Promise<OrgAccess> {
  const principal = principalOf(request);
  const org = await deps.storage.getOrgBySlug(slug);
  if (!org) throw new ApiError('ORG_NOT_FOUND', `Organization ${slug} does not exist`);
  const actor = actorOf(principal);
  if (principal.kind === 'service') {
    if (principal.orgId !== org.id) throw new ApiError('ORG_NOT_FOUND', `Organization ${slug} does not exist`);
    return { org, principal, role: null, actor };
  }
  const member = await deps.storage.getMember(org.id, principal.user.id);
  if (!member) {
    recordDenial(deps, request, org.id, actor);
    throw new ApiError('ORG_NOT_FOUND', `Organization ${slug} does not exist`);
  }
  return { org, principal, role: member.role, actor };
}

/** Throws 403 (audited) unless the caller may do this; `environment` binds service tokens. */
export async function authorize(
  deps: Deps,
  request: FastifyRequest,
  access: OrgAccess,
  permission: Permission,
  environment?: EnvironmentRow,
): Promise<void> {
  const p = access.principal;
  let allowed: boolean;
  if (p.kind === 'service') allowed = serviceAllows(permission) && (environment === undefined ? permission === 'org.read' : environment.id === p.environmentId);
  else allowed = access.role !== null && roleAllows(access.role, permission);
  if (allowed) return;
  recordDenial(deps, request, access.org.id, access.actor);
  throw new ApiError('FORBIDDEN', p.kind === 'service' ? 'This service token does not allow this action' : 'Your role does not allow this action');
}

/** The environment named in the path; for service tokens a foreign environment is a 403, not a 404. */
export async function accessEnvironment(
  deps: Deps,
  request: FastifyRequest,
  access: OrgAccess,
  slug: string,
  permission: Permission,
): Promise<EnvironmentRow> {
  const p = access.principal;
  if (p.kind !== 'service') await authorize(deps, request, access, permission);
  const env = await deps.storage.getEnvironment(access.org.id, slug);
  if (p.kind === 'service') {
    if (!env || env.id !== p.environmentId) {
      recordDenial(deps, request, access.org.id, access.actor);
      throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
    }
    await authorize(deps, request, access, permission, env);
  }
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${slug} does not exist in ${access.org.slug}`);
  return env;
}

/** Writes to secrets: in a workspace, its owner's and the organization's Owners' and Admins' alone. */
const WRITES: ReadonlySet<Permission> = new Set<Permission>(['secret.create', 'secret.edit', 'secret.delete']);

function refuse(deps: Deps, request: FastifyRequest, access: OrgAccess): never {
  recordDenial(deps, request, access.org.id, access.actor);
  throw new ApiError('FORBIDDEN', access.principal.kind === 'service' ? 'This service token does not allow this action' : 'Your role does not allow this action');
}

/**
 * The place a secrets route addresses: an environment of the organization (`ws` absent) or of one
 * workspace. Reading follows the organization role; writing a workspace's secrets needs its owner or
 * an organization Owner or Admin. A service token bound to a workspace is refused on the organization
 * path and on other workspaces; one not bound to a workspace is refused on workspace paths.
 */
export async function accessPlace(
  deps: Deps,
  request: FastifyRequest,
  access: OrgAccess,
  params: { env: string; ws?: string },
  permission: Permission,
): Promise<SecretPlace> {
  const p = access.principal;
  if (params.ws === undefined) {
    const env = await accessEnvironment(deps, request, access, params.env, permission);
    if (p.kind === 'service' && p.workspaceId !== null) refuse(deps, request, access);
    return { env, workspace: null };
  }
  if (p.kind === 'service') {
    const env = await accessEnvironment(deps, request, access, params.env, permission);
    const workspace = p.workspaceId === null ? undefined : await deps.storage.getWorkspace(access.org.id, params.ws);
    if (!workspace || workspace.id !== p.workspaceId) refuse(deps, request, access);
    return { env, workspace };
  }
  const writing = WRITES.has(permission);
  if (!writing) await authorize(deps, request, access, permission);
  const workspace = await deps.storage.getWorkspace(access.org.id, params.ws);
  if (!workspace) throw workspaceNotFound(access.org, params.ws);
  if (writing && !canWriteWorkspace(workspace, p.user.id, access.role!)) refuse(deps, request, access);
  const env = await deps.storage.getEnvironment(access.org.id, params.env);
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${params.env} does not exist in ${access.org.slug}`);
  return { env, workspace };
}
