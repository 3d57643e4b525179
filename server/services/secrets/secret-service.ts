// The rules of an environment's secrets, in one place for every route that touches them: values are
// sealed bound to organization, environment, key and version; an update names the version it read
// (If-Match) and loses to any change in between; every change and every reveal is audited, a reveal's
// event durable before the value leaves; unreadable ciphertexts are refused and recorded; storage
// errors become the API's problems. A place is an environment of the organization or of a workspace:
// in a workspace, reads are of its effective set and writes of its own secrets only.
import { randomUUID } from 'node:crypto';
import type { AuditDetails, RevealedSecret } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { RevealCache } from '../../crypto/reveal-cache.ts';
import { openValue, sealValue } from '../../crypto/secret-values.ts';
import { ApiError } from '../../errors.ts';
import { AuditWriteError, DuplicateError, VersionConflictError, type OrgRow, type SecretMetaRow, type SecretRow, type SecretVersionMetaRow, type Storage } from '../../storage/types.ts';
import { availableTo, cacheKey, effectiveSet, ownId, placeName, type Placed, type SecretPlace } from '../workspaces/effective-set.ts';
import type { WorkspaceService } from '../workspaces/workspace-service.ts';
import { isUnreadable, refuseUnreadable } from './unreadable.ts';
import { checkValueSize } from './value-rules.ts';
import { versionTime } from './version-time.ts';

export interface SecretChange {
  value?: string;
  description?: string;
  /** Organization secrets: the workspaces that may use it (slugs; [] = every workspace). */
  workspaces?: string[];
  /** The version the caller last saw (If-Match), or undefined for whatever is current. */
  ifMatch?: number;
}

export interface BulkRevealResult {
  secrets: RevealedSecret[];
  missing: string[];
  /** The encoded whole-environment answer, when it came from the cache. */
  encoded?: Buffer;
}

/** Re-reads allowed to an update without If-Match that keeps losing the race to concurrent writers. */
const MAX_UPDATE_ATTEMPTS = 50;

/** An update without If-Match lost to a concurrent one: it is retried on the fresh row. */
class LostRace {
  readonly problem: ApiError;
  constructor(problem: ApiError) {
    this.problem = problem;
  }
}

const byKey = (a: RevealedSecret, b: RevealedSecret) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function notFound(key: string, place: SecretPlace): ApiError {
  return new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${placeName(place)}`);
}

function versionNotFound(key: string, place: SecretPlace, version: number): ApiError {
  return new ApiError('SECRET_VERSION_NOT_FOUND', `Version ${version} of ${key} is not kept in ${placeName(place)}`);
}

function staleVersion(key: string, current: number, had: number): ApiError {
  return new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else (version ${current} is current, you had ${had})`);
}

export function readOnlyInWorkspace(key: string, workspace: string): ApiError {
  return new ApiError(
    'ORG_SECRET_READ_ONLY',
    `${key} is an organization secret: it is read-only in workspace ${workspace}. Override it by adding a workspace secret with the same key, or ask an Admin to change it for the organization.`,
  );
}

/** A change whose audit event could not be written did not happen; the caller may retry. */
function mapAuditFailure(err: unknown): never {
  if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
  throw err;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class SecretService {
  private readonly storage: Storage;
  private readonly keyring: Keyring;
  private readonly cache: RevealCache;
  private readonly workspaces: WorkspaceService;

  constructor(storage: Storage, keyring: Keyring, cache: RevealCache, workspaces: WorkspaceService) {
    this.storage = storage;
    this.keyring = keyring;
    this.cache = cache;
    this.workspaces = workspaces;
  }

  async list(org: OrgRow, place: SecretPlace, search?: string): Promise<Placed<SecretMetaRow>[]> {
    const { env, workspace } = place;
    if (!workspace) return this.storage.listSecrets(org.id, env.id, search);
    const [orgRows, own] = await Promise.all([this.storage.listSecrets(org.id, env.id, search), this.storage.listSecrets(org.id, env.id, search, workspace.id)]);
    return effectiveSet(orgRows, own, workspace);
  }

  /** The entry of the place's set with this key (in a workspace: its own, else the organization's available one). */
  async entry(org: OrgRow, place: SecretPlace, key: string): Promise<Placed<SecretRow> | undefined> {
    const { env, workspace } = place;
    if (!workspace) return this.storage.getSecret(org.id, env.id, key);
    const own = await this.storage.getSecret(org.id, env.id, key, workspace.id);
    const shared = await this.storage.getSecret(org.id, env.id, key);
    const available = shared && availableTo(shared, workspace) ? shared : undefined;
    if (own) return { ...own, scope: 'workspace', overrides: available !== undefined };
    return available && { ...available, scope: 'organization' };
  }

  async meta(org: OrgRow, place: SecretPlace, key: string): Promise<Placed<SecretMetaRow>> {
    const row = await this.entry(org, place, key);
    if (!row) throw notFound(key, place);
    return row;
  }

  /**
   * The workspace's own secret about to be written; an organization secret the workspace sees instead
   * is read-only there (409), anything else a 404. Organization places pass through.
   */
  private async ownForWrite(org: OrgRow, place: SecretPlace, key: string): Promise<void> {
    if (!place.workspace) return;
    if (await this.storage.getSecret(org.id, place.env.id, key, place.workspace.id)) return;
    const shared = await this.storage.getSecret(org.id, place.env.id, key);
    if (shared && availableTo(shared, place.workspace)) throw readOnlyInWorkspace(key, place.workspace.slug);
    throw notFound(key, place);
  }

  async create(
    caller: Caller,
    org: OrgRow,
    place: SecretPlace,
    key: string,
    value: string | undefined,
    description: string | undefined,
    workspaces?: string[],
  ): Promise<Placed<SecretRow>> {
    const { env, workspace } = place;
    if (value === undefined || value === '') throw new ApiError('SECRET_VALUE_REQUIRED', 'Secret value is required');
    checkValueSize(value);
    const scoped = workspaces === undefined ? [] : await this.workspaces.checkSlugs(org, workspaces, 'body.workspaces');
    const sealed = sealValue(this.keyring, org, env.id, key, 1, value, ownId(place));
    const at = new Date().toISOString();
    let row: SecretRow;
    try {
      row = await this.storage.createSecret(
        org.id,
        env.id,
        { id: randomUUID(), key, description: description ?? '', workspaces: scoped, nonce: sealed.nonce, ciphertext: sealed.ciphertext, at, by: caller.actor.display },
        callerEvent(caller, 'secret.create', 'allowed', env.slug, [key], scoped.length > 0 ? { workspaces: { before: [], after: scoped } } : undefined),
        ownId(place),
      );
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${placeName(place)}`);
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(cacheKey(place));
    }
    if (!workspace) return row;
    const shared = await this.storage.getSecret(org.id, env.id, key);
    return { ...row, scope: 'workspace', overrides: shared !== undefined && availableTo(shared, workspace) };
  }

  async update(caller: Caller, org: OrgRow, place: SecretPlace, key: string, change: SecretChange, details?: AuditDetails): Promise<Placed<SecretRow>> {
    await this.ownForWrite(org, place, key);
    const workspaces = change.workspaces === undefined ? undefined : await this.workspaces.checkSlugs(org, change.workspaces, 'body.workspaces');
    // Without If-Match the caller asked for "whatever is current": a change that slipped in between
    // our read and our write (another request, possibly on another server instance) is read again
    // and the update re-applied on top of it. With If-Match it is the caller's 412.
    for (let attempt = 1; ; attempt++) {
      try {
        const row = await this.updateOnce(caller, org, place, key, { ...change, ...(workspaces !== undefined && { workspaces }) }, details);
        return place.workspace ? ((await this.entry(org, place, key)) ?? row) : row;
      } catch (err) {
        if (!(err instanceof LostRace) || attempt >= MAX_UPDATE_ATTEMPTS) throw err instanceof LostRace ? err.problem : err;
      }
    }
  }

  private async updateOnce(caller: Caller, org: OrgRow, place: SecretPlace, key: string, change: SecretChange, details?: AuditDetails): Promise<SecretRow> {
    const { env } = place;
    const current = await this.storage.getSecret(org.id, env.id, key, ownId(place));
    if (!current) throw notFound(key, place);
    const { ifMatch } = change;
    if (ifMatch !== undefined && ifMatch !== current.version) throw staleVersion(key, current.version, ifMatch);

    const newValue = change.value;
    if (newValue) checkValueSize(newValue);
    const newDescription = change.description ?? current.description;
    // The version is part of the ciphertext's binding, so even a description change re-seals the value.
    const oldValue = openValue(this.keyring, org, current);
    const valueChanged = newValue !== undefined && newValue !== '' && newValue !== oldValue;
    const scopeChanged = change.workspaces !== undefined && !sameList(change.workspaces, current.workspaces);
    const scopeDetails = scopeChanged ? { workspaces: { before: current.workspaces, after: change.workspaces! } } : undefined;
    if (!valueChanged && newDescription === current.description) {
      if (!scopeChanged) throw new ApiError('NO_CHANGES', 'No changes to save');
      // Versions are of the value and description: who may use the secret changes without a new one.
      try {
        const row = await this.storage.setSecretWorkspaces(org.id, env.id, key, change.workspaces!, callerEvent(caller, 'secret.update', 'allowed', env.slug, [key], { ...details, ...scopeDetails }));
        if (!row) throw notFound(key, place);
        return row;
      } catch (err) {
        return mapAuditFailure(err);
      } finally {
        this.cache.invalidate(cacheKey(place));
      }
    }

    const sealed = sealValue(this.keyring, org, env.id, key, current.version + 1, valueChanged ? newValue : oldValue, ownId(place));
    try {
      // Storage writes only if the row is still at the version read above, so a change committed in
      // between (by this or another server instance) makes this one fail instead of being overwritten.
      return await this.storage.updateSecret(
        org.id,
        env.id,
        key,
        {
          description: newDescription,
          ...(scopeChanged && { workspaces: change.workspaces! }),
          nonce: sealed.nonce,
          ciphertext: sealed.ciphertext,
          expectedVersion: current.version,
          at: versionTime(new Date(), current),
          by: caller.actor.display,
        },
        callerEvent(caller, 'secret.update', 'allowed', env.slug, [key], details || scopeDetails ? { ...details, ...scopeDetails } : undefined),
        ownId(place),
      );
    } catch (err) {
      if (err instanceof VersionConflictError) {
        if (err.current === 0) throw notFound(key, place);
        const problem = staleVersion(key, err.current, ifMatch ?? current.version);
        if (ifMatch === undefined) throw new LostRace(problem);
        throw problem;
      }
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(cacheKey(place));
    }
  }

  /** The place whose versions a key's effective entry has: in a workspace, its own where it has one, else the organization's. */
  private async versionSource(org: OrgRow, place: SecretPlace, key: string): Promise<{ workspaceId: string; scope?: 'organization' | 'workspace' }> {
    if (!place.workspace) return { workspaceId: '' };
    const entry = await this.entry(org, place, key);
    if (!entry) throw notFound(key, place);
    return entry.scope === 'workspace' ? { workspaceId: place.workspace.id, scope: 'workspace' } : { workspaceId: '', scope: 'organization' };
  }

  /** Every kept version of the secret (the effective entry's), newest first, without values. */
  async versions(org: OrgRow, place: SecretPlace, key: string): Promise<{ rows: SecretVersionMetaRow[]; scope?: 'organization' | 'workspace' }> {
    const source = await this.versionSource(org, place, key);
    const rows = await this.storage.listSecretVersions(org.id, place.env.id, key, source.workspaceId);
    if (!rows) throw notFound(key, place);
    return { rows, ...(source.scope && { scope: source.scope }) };
  }

  /** One kept version's value, with the same rights and audit as a reveal of the current one. */
  async revealVersion(caller: Caller, org: OrgRow, place: SecretPlace, key: string, version: number): Promise<RevealedSecret> {
    const { env } = place;
    const source = await this.versionSource(org, place, key);
    const row = await this.storage.getSecretVersion(org.id, env.id, key, version, source.workspaceId);
    if (!row) {
      if (!(await this.storage.getSecret(org.id, env.id, key, source.workspaceId))) throw notFound(key, place);
      throw versionNotFound(key, place, version);
    }
    let value: string;
    try {
      value = openValue(this.keyring, org, row);
    } catch (err) {
      if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.reveal', env, [key], err, { version });
      throw err;
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.reveal', 'allowed', env.slug, [key], { version }));
    return { key, value, version, ...(source.scope && { scope: source.scope }) };
  }

  /**
   * A new version with the value and description of a kept one. It is an update (If-Match, the same
   * race rules, audited as \`secret.update\` naming the restored version); a kept version that fails its
   * integrity check is refused and audited like a reveal of it. In a workspace, only of its own secrets.
   */
  async rollback(caller: Caller, org: OrgRow, place: SecretPlace, key: string, version: number, ifMatch: number | undefined): Promise<Placed<SecretRow>> {
    const { env } = place;
    await this.ownForWrite(org, place, key);
    const row = await this.storage.getSecretVersion(org.id, env.id, key, version, ownId(place));
    if (!row) {
      if (!(await this.storage.getSecret(org.id, env.id, key, ownId(place)))) throw notFound(key, place);
      throw versionNotFound(key, place, version);
    }
    let value: string;
    try {
      value = openValue(this.keyring, org, row);
    } catch (err) {
      if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.update', env, [key], err, { restoredVersion: version });
      throw err;
    }
    return this.update(caller, org, place, key, { value, description: row.description, ifMatch }, { restoredVersion: version });
  }

  async delete(caller: Caller, org: OrgRow, place: SecretPlace, key: string): Promise<void> {
    const { env } = place;
    await this.ownForWrite(org, place, key);
    let gone: boolean;
    try {
      gone = await this.storage.deleteSecret(org.id, env.id, key, callerEvent(caller, 'secret.delete', 'allowed', env.slug, [key]), ownId(place));
    } catch (err) {
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(cacheKey(place));
    }
    if (!gone) throw notFound(key, place);
  }

  /** One value; its audit event is durable before it is returned. */
  async reveal(caller: Caller, org: OrgRow, place: SecretPlace, key: string): Promise<RevealedSecret> {
    const { env } = place;
    const revision = await this.storage.environmentRevision(org.id, env.id);
    let revealed = this.cache.get(cacheKey(place), revision)?.byKey.get(key);
    if (!revealed) {
      const row = await this.entry(org, place, key);
      if (!row) throw notFound(key, place);
      try {
        revealed = { key, value: openValue(this.keyring, org, row), version: row.version, ...(row.scope && { scope: row.scope }) };
      } catch (err) {
        if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.reveal', env, [key], err);
        throw err;
      }
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.reveal', 'allowed', env.slug, [key]));
    return revealed;
  }

  /**
   * The place's rows with ciphertexts (a workspace's effective set), and the environment revision they
   * are of; undefined revision when the two reads of a workspace saw different revisions (not cacheable).
   */
  private async rowsForReveal(org: OrgRow, place: SecretPlace, keys: string[] | undefined): Promise<{ revision: number | undefined; rows: Placed<SecretRow>[] }> {
    const { env, workspace } = place;
    const shared = await this.storage.getSecretsForReveal(org.id, env.id, keys);
    if (!workspace) return shared;
    const own = await this.storage.getSecretsForReveal(org.id, env.id, keys, workspace.id);
    return { revision: own.revision === shared.revision ? own.revision : undefined, rows: effectiveSet(shared.rows, own.rows, workspace) };
  }

  /** Every secret of the place, or the named ones, audited as one event before anything leaves. */
  async bulkReveal(caller: Caller, org: OrgRow, place: SecretPlace, requested: string[] | undefined): Promise<BulkRevealResult> {
    const { env } = place;
    const revision = await this.storage.environmentRevision(org.id, env.id);
    const cached = this.cache.get(cacheKey(place), revision);
    let secrets: RevealedSecret[];
    if (cached && requested) secrets = requested.flatMap((k) => cached.byKey.get(k) ?? []).sort(byKey);
    else if (cached) secrets = cached.secrets;
    else {
      const read = await this.rowsForReveal(org, place, requested);
      const opened = this.openAll(org, read.rows);
      if ('unreadable' in opened) return refuseUnreadable(this.storage, caller, org, 'secret.bulk_reveal', env, opened.unreadable, opened.refusal);
      secrets = opened.secrets;
      if (!requested && read.revision !== undefined) this.cache.fill(cacheKey(place), read.revision, secrets);
    }
    let missing: string[] = [];
    if (requested && secrets.length !== requested.length) {
      const found = new Set(secrets.map((r) => r.key));
      missing = requested.filter((k) => !found.has(k));
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.bulk_reveal', 'allowed', env.slug, secrets.map((r) => r.key)));
    if (cached && !requested) {
      cached.response ??= Buffer.from(JSON.stringify({ environment: env.slug, ...(place.workspace && { workspace: place.workspace.slug }), secrets: cached.secrets, missing: [] }));
      return { secrets, missing, encoded: cached.response };
    }
    return { secrets, missing };
  }

  /**
   * Named secrets of which some are pinned to a kept version (`KEY@3`, of the effective entry in a
   * workspace), audited as one bulk reveal naming them as asked, before anything leaves. Never from
   * the cache: it holds current versions only.
   */
  async bulkRevealPinned(caller: Caller, org: OrgRow, place: SecretPlace, requested: { key: string; version?: number; asked: string }[]): Promise<BulkRevealResult> {
    const { env } = place;
    const unpinned = requested.filter((r) => r.version === undefined).map((r) => r.key);
    const current = new Map((unpinned.length > 0 ? (await this.rowsForReveal(org, place, unpinned)).rows : []).map((r) => [r.key, r]));
    const secrets: RevealedSecret[] = [];
    const missing: string[] = [];
    const unreadable: string[] = [];
    let refusal: ApiError | undefined;
    for (const r of requested) {
      let row: (Pick<SecretRow, 'environmentId' | 'workspaceId' | 'key' | 'version' | 'nonce' | 'ciphertext'> & { scope?: 'organization' | 'workspace' }) | undefined;
      if (r.version === undefined) row = current.get(r.key);
      else {
        const entry = place.workspace ? await this.entry(org, place, r.key) : undefined;
        if (place.workspace && !entry) row = undefined;
        else {
          const kept = await this.storage.getSecretVersion(org.id, env.id, r.key, r.version, entry?.workspaceId ?? '');
          row = kept && { ...kept, ...(entry?.scope && { scope: entry.scope }) };
        }
      }
      if (!row) {
        missing.push(r.asked);
        continue;
      }
      try {
        secrets.push({ key: r.key, value: openValue(this.keyring, org, row), version: row.version, ...(row.scope && { scope: row.scope }) });
      } catch (err) {
        if (!isUnreadable(err)) throw err;
        refusal ??= err;
        unreadable.push(r.asked);
      }
    }
    if (refusal) return refuseUnreadable(this.storage, caller, org, 'secret.bulk_reveal', env, unreadable, refusal);
    const found = new Set(missing);
    const asked = requested.filter((r) => !found.has(r.asked)).map((r) => r.asked);
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.bulk_reveal', 'allowed', env.slug, asked));
    return { secrets: secrets.sort(byKey), missing };
  }

  /** Opens every row, or names each row that failed its integrity check. */
  private openAll(org: OrgRow, rows: Placed<SecretRow>[]): { secrets: RevealedSecret[] } | { unreadable: string[]; refusal: ApiError } {
    const secrets = new Array<RevealedSecret>(rows.length);
    let unreadable: { unreadable: string[]; refusal: ApiError } | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      try {
        secrets[i] = { key: row.key, value: openValue(this.keyring, org, row), version: row.version, ...(row.scope && { scope: row.scope }) };
      } catch (err) {
        if (!isUnreadable(err)) throw err;
        unreadable ??= { unreadable: [], refusal: err };
        unreadable.unreadable.push(row.key);
      }
    }
    return unreadable ?? { secrets };
  }

  /** Fail closed: a value leaves only once its audit event is durable. */
  private async auditReveal(caller: Caller, org: OrgRow, event: ReturnType<typeof callerEvent>): Promise<void> {
    try {
      await this.storage.appendAudit(org.id, event);
    } catch {
      throw new ApiError('AUDIT_UNAVAILABLE');
    }
  }
}
