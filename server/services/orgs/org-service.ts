// Creating organizations (each with its own data key and the default environments) and environments;
// a taken slug is the API's conflict, not a storage error.
import { randomUUID } from 'node:crypto';
import { callerEvent, type Caller } from '../../audit/events.ts';
import { defaultEnvironments } from '../../bootstrap.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { ApiError } from '../../errors.ts';
import { DuplicateError, type EnvironmentRow, type OrgRow, type Storage } from '../../storage/types.ts';

export class OrgService {
  private readonly storage: Storage;
  private readonly keyring: Keyring;

  constructor(storage: Storage, keyring: Keyring) {
    this.storage = storage;
    this.keyring = keyring;
  }

  async createOrg(caller: Caller, ownerId: string, slug: string, name: string): Promise<OrgRow> {
    const at = new Date().toISOString();
    const orgId = randomUUID();
    const org: OrgRow = { id: orgId, slug, name, wrappedKey: this.keyring.newOrgKey(orgId), createdAt: at };
    try {
      await this.storage.createOrg(org, ownerId, defaultEnvironments(at), callerEvent(caller, 'org.create', 'allowed', null, []));
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('ORG_EXISTS', `An organization with the slug ${org.slug} already exists`);
      throw err;
    }
    return org;
  }

  async createEnvironment(caller: Caller, org: OrgRow, slug: string, name: string | undefined): Promise<EnvironmentRow> {
    const env: EnvironmentRow = { id: randomUUID(), slug, name: name ?? slug[0]!.toUpperCase() + slug.slice(1), createdAt: new Date().toISOString() };
    try {
      await this.storage.createEnvironment(org.id, env, callerEvent(caller, 'environment.create', 'allowed', slug, []));
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('ENVIRONMENT_EXISTS', `Environment ${slug} already exists in ${org.slug}`);
      throw err;
    }
    return env;
  }
}
