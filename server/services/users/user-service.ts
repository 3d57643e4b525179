// Instance users and their personal tokens: only an instance admin creates users; a token is shown
// once and stored as a hash; its lifetime is bounded by the minting token's (auth/token-lifetime.ts).
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../auth/principal.ts';
import { mintedExpiry } from '../../auth/token-lifetime.ts';
import { generateToken, hashToken } from '../../auth/tokens.ts';
import { ApiError } from '../../errors.ts';
import { DuplicateError, type Storage, type TokenRow, type UserRow } from '../../storage/types.ts';

function newPersonalToken(userId: string, userName: string, tokenName: string, expiresAt: string | null): { row: TokenRow; token: string } {
  const token = generateToken('personal');
  const at = new Date().toISOString();
  return {
    token,
    row: {
      id: randomUUID(),
      kind: 'personal',
      hash: hashToken(token),
      name: tokenName,
      userId,
      orgId: null,
      environmentId: null,
      createdAt: at,
      createdBy: userName,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
}

export class UserService {
  private readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
  }

  async createUser(principal: Principal, caller: UserRow, name: string, email: string): Promise<{ user: UserRow; token: string }> {
    if (!caller.instanceAdmin) throw new ApiError('FORBIDDEN', 'Only an instance admin can create users');
    const user: UserRow = { id: randomUUID(), name, email, instanceAdmin: false, createdAt: new Date().toISOString() };
    const { row, token } = newPersonalToken(user.id, user.name, 'initial', mintedExpiry(principal, null, 'body'));
    try {
      await this.storage.createUser(user, row);
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('USER_EXISTS', `A user with the e-mail ${user.email} already exists`);
      throw err;
    }
    return { user, token };
  }

  async createToken(principal: Principal, user: UserRow, name: string, requestedExpiry: string | null): Promise<{ row: TokenRow; token: string }> {
    const expiresAt = mintedExpiry(principal, requestedExpiry, 'body.expiresAt');
    const created = newPersonalToken(user.id, user.name, name, expiresAt);
    await this.storage.createPersonalToken(created.row);
    return created;
  }

  async revokeToken(user: UserRow, tokenId: string): Promise<void> {
    const revoked = await this.storage.revokePersonalToken(user.id, tokenId, new Date().toISOString());
    if (!revoked) throw new ApiError('TOKEN_NOT_FOUND', 'No such token');
  }
}
