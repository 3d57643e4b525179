// First start on an empty data directory: an instance admin, the organization `default`, and the
// admin's token written to `<dataDir>/admin-token` (0600). Only the file's path is ever printed.
import { randomUUID } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENVIRONMENTS } from '../core/api-types.ts';
import { generateToken, hashToken } from './auth/tokens.ts';
import type { Keyring } from './crypto/keyring.ts';
import type { EnvironmentRow, Storage } from './storage/types.ts';

export const BOOTSTRAP_ADMIN = { name: 'Admin', email: 'admin@localhost' };
export const DEFAULT_ORG = { slug: 'default', name: 'Default' };

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin-token');
}

export function defaultEnvironments(at: string): EnvironmentRow[] {
  return DEFAULT_ENVIRONMENTS.map((slug) => ({ id: randomUUID(), slug, name: slug[0]!.toUpperCase() + slug.slice(1), createdAt: at }));
}

/** Returns the admin-token path when it bootstrapped, or null when the data directory was in use. */
export async function bootstrapIfEmpty(storage: Storage, keyring: Keyring, dataDir: string): Promise<string | null> {
  if ((await storage.countUsers()) > 0) return null;
  const at = new Date().toISOString();
  const userId = randomUUID();
  const token = generateToken('personal');
  // The file is written before the admin exists: a crash in between leaves no users, so the next start
  // bootstraps again and overwrites it, instead of an admin whose only token was never saved.
  const path = adminTokenPath(dataDir);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  await storage.createUser(
    { id: userId, name: BOOTSTRAP_ADMIN.name, email: BOOTSTRAP_ADMIN.email, instanceAdmin: true, createdAt: at },
    {
      id: randomUUID(),
      kind: 'personal',
      hash: hashToken(token),
      name: 'bootstrap',
      userId,
      orgId: null,
      environmentId: null,
      createdAt: at,
      createdBy: BOOTSTRAP_ADMIN.name,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    },
  );
  const orgId = randomUUID();
  await storage.createOrg(
    { id: orgId, slug: DEFAULT_ORG.slug, name: DEFAULT_ORG.name, wrappedKey: keyring.newOrgKey(orgId), createdAt: at },
    userId,
    defaultEnvironments(at),
    {
      time: at,
      actorType: 'user',
      actorId: userId,
      actorName: BOOTSTRAP_ADMIN.name,
      action: 'org.create',
      environment: null,
      keys: [],
      outcome: 'allowed',
      ip: 'local',
      userAgent: 'bootstrap',
    },
  );
  return path;
}
