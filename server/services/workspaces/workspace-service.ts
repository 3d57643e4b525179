// Workspaces of an organization: created, renamed, handed to another owner and deleted by Admins+,
// each change audited naming the workspace. Who may write a workspace's secrets is decided here too,
// so the routes and every service agree: its owner and the organization's Owners and Admins.
import { randomUUID } from 'node:crypto';
import { SLUG_PATTERN, type AuditDetails, type Role } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { RevealCache } from '../../crypto/reveal-cache.ts';
import { ApiError } from '../../errors.ts';
import { ValidationProblem } from '../../http/schemas.ts';
import { AuditWriteError, DuplicateError, OwnerNotMemberError, WorkspaceInUseError, type OrgRow, type Storage, type WorkspaceRow } from '../../storage/types.ts';

export function workspaceNotFound(org: OrgRow, slug: string): ApiError {
  return new ApiError('WORKSPACE_NOT_FOUND', `Workspace ${slug} does not exist in ${org.slug}`);
}

/** Whether a member with `role` (user `userId`) may write the workspace's own secrets. */
export function canWriteWorkspace(workspace: WorkspaceRow, userId: string, role: Role): boolean {
  return role === 'owner' || role === 'admin' || workspace.ownerId === userId;
}

function ownerInvalid(org: OrgRow, userId: string, path: string): ApiError {
  return new ApiError('WORKSPACE_OWNER_INVALID', `The owner ${userId} is not a member of ${org.slug}`, { errors: [{ path, message: 'must be the user id of a member' }] });
}

function auditFailure(err: unknown): never {
  if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
  throw err;
}

export class WorkspaceService {
  private readonly storage: Storage;
  private readonly cache: RevealCache;

  constructor(storage: Storage, cache: RevealCache) {
    this.storage = storage;
    this.cache = cache;
  }

  list(org: OrgRow): Promise<WorkspaceRow[]> {
    return this.storage.listWorkspaces(org.id);
  }

  async get(org: OrgRow, slug: string): Promise<WorkspaceRow> {
    const ws = await this.storage.getWorkspace(org.id, slug);
    if (!ws) throw workspaceNotFound(org, slug);
    return ws;
  }

  /** The slugs an organization secret may be limited to: each a workspace of the organization; sorted, without repeats. */
  async checkSlugs(org: OrgRow, slugs: readonly string[], path: string): Promise<string[]> {
    const unique = [...new Set(slugs)].sort();
    for (const s of unique) if (!SLUG_PATTERN.test(s)) throw new ValidationProblem(path, `${JSON.stringify(s)} is not a workspace slug`);
    if (unique.length === 0) return [];
    const known = new Set((await this.storage.listWorkspaces(org.id)).map((w) => w.slug));
    const unknown = unique.find((s) => !known.has(s));
    if (unknown !== undefined) throw new ApiError('WORKSPACE_UNKNOWN', `Workspace ${unknown} does not exist in ${org.slug}`, { errors: [{ path, message: `${unknown} is not a workspace of ${org.slug}` }] });
    return unique;
  }

  private async member(org: OrgRow, userId: string, path: string): Promise<{ id: string; name: string }> {
    const m = await this.storage.getMember(org.id, userId);
    if (!m) throw ownerInvalid(org, userId, path);
    return { id: m.userId, name: m.name };
  }

  async create(caller: Caller, org: OrgRow, input: { slug: string; name?: string; owner?: string }): Promise<WorkspaceRow> {
    const ownerId = input.owner ?? caller.actor.id;
    if (ownerId === null) throw new ValidationProblem('body.owner', 'is required when the caller is not a user');
    const owner = await this.member(org, ownerId, 'body.owner');
    const ws: WorkspaceRow = {
      id: randomUUID(),
      slug: input.slug,
      name: input.name ?? input.slug,
      ownerId: owner.id,
      ownerName: owner.name,
      createdAt: new Date().toISOString(),
      createdBy: caller.actor.display,
    };
    try {
      await this.storage.createWorkspace(org.id, ws, callerEvent({ ...caller, workspace: ws.slug }, 'workspace.create', 'allowed', null, []));
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('WORKSPACE_EXISTS', `A workspace with the slug ${ws.slug} already exists in ${org.slug}`);
      // Removed from the organization between the check above and the transaction.
      if (err instanceof OwnerNotMemberError) throw ownerInvalid(org, ws.ownerId, 'body.owner');
      return auditFailure(err);
    }
    return ws;
  }

  async update(caller: Caller, org: OrgRow, slug: string, change: { name?: string; owner?: string }): Promise<WorkspaceRow> {
    const current = await this.get(org, slug);
    const next = { ...current };
    const changes: NonNullable<AuditDetails['changes']> = {};
    if (change.name !== undefined && change.name !== current.name) {
      next.name = change.name;
      changes.name = { before: current.name, after: change.name };
    }
    if (change.owner !== undefined && change.owner !== current.ownerId) {
      const owner = await this.member(org, change.owner, 'body.owner');
      next.ownerId = owner.id;
      next.ownerName = owner.name;
      changes.owner = { before: current.ownerId, after: owner.id };
    }
    if (!changes.name && !changes.owner) throw new ApiError('NO_CHANGES', 'No changes to save');
    try {
      const done = await this.storage.updateWorkspace(org.id, next, callerEvent({ ...caller, workspace: slug }, 'workspace.update', 'allowed', null, [], { changes }));
      if (!done) throw workspaceNotFound(org, slug);
    } catch (err) {
      if (err instanceof OwnerNotMemberError) throw ownerInvalid(org, next.ownerId, 'body.owner');
      return auditFailure(err);
    }
    return next;
  }

  /** Deletes the workspace with its secrets (every environment), their history and its bound tokens and trust policies. */
  async delete(caller: Caller, org: OrgRow, slug: string): Promise<void> {
    const ws = await this.get(org, slug);
    let deleted: string[] | undefined;
    try {
      deleted = await this.storage.deleteWorkspace(org.id, ws.id, callerEvent({ ...caller, workspace: slug }, 'workspace.delete', 'allowed', null, []));
    } catch (err) {
      if (err instanceof WorkspaceInUseError) {
        throw new ApiError('WORKSPACE_IN_USE', `Organization secrets are limited to workspace ${slug} alone: ${err.keys.join(', ')}. Change their workspaces first`);
      }
      return auditFailure(err);
    } finally {
      // Memory only: every environment's revision was raised with the deletion.
      this.cache.clear();
    }
    if (deleted === undefined) throw workspaceNotFound(org, slug);
  }
}
