// Membership rules: who may grant, change or remove the Owner role, and that an organization always
// keeps one Owner. The last-Owner rule is checked again by storage inside the transaction that makes
// the change, so two concurrent demotions (through one server instance or several) cannot both pass.
import type { Role } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import { canManageRole } from '../../auth/permissions.ts';
import { ApiError } from '../../errors.ts';
import { LastOwnerError, MemberOwnsWorkspacesError, type MemberRow, type Storage } from '../../storage/types.ts';

function lastOwner(): ApiError {
  return new ApiError('LAST_OWNER', 'The organization must keep at least one Owner');
}

export class MemberService {
  private readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
  }

  async get(orgId: string, userId: string): Promise<MemberRow> {
    const member = await this.storage.getMember(orgId, userId);
    if (!member) throw new ApiError('MEMBER_NOT_FOUND', 'That user is not a member of this organization');
    return member;
  }

  /** Adds the user with `role`, or changes their role; `callerRole` is the acting member's. */
  async put(caller: Caller, orgId: string, callerRole: Role, userId: string, role: Role): Promise<{ member: MemberRow; created: boolean }> {
    const user = await this.storage.getUser(userId);
    if (!user) throw new ApiError('USER_NOT_FOUND', 'No such user');
    const current = await this.storage.getMember(orgId, userId);
    if (!canManageRole(callerRole, current?.role ?? null, role)) {
      throw new ApiError('OWNER_PROTECTED', 'Only an Owner can grant, change or remove the Owner role');
    }
    if (current?.role === 'owner' && role !== 'owner' && (await this.storage.countOwners(orgId)) <= 1) throw lastOwner();
    const action = current ? 'member.update' : 'member.add';
    try {
      await this.storage.putMember(orgId, userId, role, new Date().toISOString(), callerEvent(caller, action, 'allowed', null, []));
    } catch (err) {
      if (err instanceof LastOwnerError) throw lastOwner();
      throw err;
    }
    return { member: await this.get(orgId, userId), created: !current };
  }

  async remove(caller: Caller, orgId: string, callerRole: Role, userId: string): Promise<void> {
    const current = await this.get(orgId, userId);
    if (!canManageRole(callerRole, current.role, null)) throw new ApiError('OWNER_PROTECTED', 'Only an Owner can remove an Owner');
    if (current.role === 'owner' && (await this.storage.countOwners(orgId)) <= 1) throw lastOwner();
    let removed: boolean;
    try {
      removed = await this.storage.removeMember(orgId, current.userId, callerEvent(caller, 'member.remove', 'allowed', null, []));
    } catch (err) {
      if (err instanceof LastOwnerError) throw lastOwner();
      if (err instanceof MemberOwnsWorkspacesError) {
        throw new ApiError('MEMBER_OWNS_WORKSPACES', `${current.name} owns workspaces ${err.workspaces.join(', ')}: give them another owner first`);
      }
      throw err;
    }
    if (!removed) throw new ApiError('MEMBER_NOT_FOUND', 'That user is not a member of this organization');
  }
}
