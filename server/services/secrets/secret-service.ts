// The rules of an environment's secrets, in one place for every route that touches them: values are
// sealed bound to organization, environment, key and version; an update names the version it read
// (If-Match) and loses to any change in between; every change and every reveal is audited, a reveal's
// event durable before the value leaves; unreadable ciphertexts are refused and recorded; storage
// errors become the API's problems.
import { randomUUID } from 'node:crypto';
import type { AuditDetails, RevealedSecret } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { RevealCache } from '../../crypto/reveal-cache.ts';
import { openValue, sealValue } from '../../crypto/secret-values.ts';
import { ApiError } from '../../errors.ts';
import { AuditWriteError, DuplicateError, VersionConflictError, type EnvironmentRow, type OrgRow, type SecretMetaRow, type SecretRow, type SecretVersionMetaRow, type Storage } from '../../storage/types.ts';
import { isUnreadable, refuseUnreadable } from './unreadable.ts';
import { checkValueSize } from './value-rules.ts';
import { versionTime } from './version-time.ts';

export interface SecretChange {
  value?: string;
  description?: string;
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

function notFound(key: string, env: EnvironmentRow): ApiError {
  return new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
}

function versionNotFound(key: string, env: EnvironmentRow, version: number): ApiError {
  return new ApiError('SECRET_VERSION_NOT_FOUND', `Version ${version} of ${key} is not kept in ${env.slug}`);
}

function staleVersion(key: string, current: number, had: number): ApiError {
  return new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else (version ${current} is current, you had ${had})`);
}

/** A change whose audit event could not be written did not happen; the caller may retry. */
function mapAuditFailure(err: unknown): never {
  if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
  throw err;
}

export class SecretService {
  private readonly storage: Storage;
  private readonly keyring: Keyring;
  private readonly cache: RevealCache;

  constructor(storage: Storage, keyring: Keyring, cache: RevealCache) {
    this.storage = storage;
    this.keyring = keyring;
    this.cache = cache;
  }

  list(org: OrgRow, env: EnvironmentRow, search?: string): Promise<SecretMetaRow[]> {
    return this.storage.listSecrets(org.id, env.id, search);
  }

  async meta(org: OrgRow, env: EnvironmentRow, key: string): Promise<SecretMetaRow> {
    const row = await this.storage.getSecret(org.id, env.id, key);
    if (!row) throw notFound(key, env);
    return row;
  }

  async create(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string, value: string | undefined, description: string | undefined): Promise<SecretRow> {
    if (value === undefined || value === '') throw new ApiError('SECRET_VALUE_REQUIRED', 'Secret value is required');
    checkValueSize(value);
    const sealed = sealValue(this.keyring, org, env.id, key, 1, value);
    const at = new Date().toISOString();
    try {
      return await this.storage.createSecret(
        org.id,
        env.id,
        { id: randomUUID(), key, description: description ?? '', nonce: sealed.nonce, ciphertext: sealed.ciphertext, at, by: caller.actor.display },
        callerEvent(caller, 'secret.create', 'allowed', env.slug, [key]),
      );
    } catch (err) {
      if (err instanceof DuplicateError) throw new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${env.slug}`);
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(env.id);
    }
  }

  async update(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string, change: SecretChange, details?: AuditDetails): Promise<SecretRow> {
    // Without If-Match the caller asked for "whatever is current": a change that slipped in between
    // our read and our write (another request, possibly on another server instance) is read again
    // and the update re-applied on top of it. With If-Match it is the caller's 412.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.updateOnce(caller, org, env, key, change, details);
      } catch (err) {
        if (!(err instanceof LostRace) || attempt >= MAX_UPDATE_ATTEMPTS) throw err instanceof LostRace ? err.problem : err;
      }
    }
  }

  private async updateOnce(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string, change: SecretChange, details?: AuditDetails): Promise<SecretRow> {
    const current = await this.storage.getSecret(org.id, env.id, key);
    if (!current) throw notFound(key, env);
    const { ifMatch } = change;
    if (ifMatch !== undefined && ifMatch !== current.version) throw staleVersion(key, current.version, ifMatch);

    const newValue = change.value;
    if (newValue) checkValueSize(newValue);
    const newDescription = change.description ?? current.description;
    // The version is part of the ciphertext's binding, so even a description change re-seals the value.
    const oldValue = openValue(this.keyring, org, current);
    const valueChanged = newValue !== undefined && newValue !== '' && newValue !== oldValue;
    if (!valueChanged && newDescription === current.description) throw new ApiError('NO_CHANGES', 'No changes to save');

    const sealed = sealValue(this.keyring, org, env.id, key, current.version + 1, valueChanged ? newValue : oldValue);
    try {
      // Storage writes only if the row is still at the version read above, so a change committed in
      // between (by this or another server instance) makes this one fail instead of being overwritten.
      return await this.storage.updateSecret(
        org.id,
        env.id,
        key,
        { description: newDescription, nonce: sealed.nonce, ciphertext: sealed.ciphertext, expectedVersion: current.version, at: versionTime(new Date(), current), by: caller.actor.display },
        callerEvent(caller, 'secret.update', 'allowed', env.slug, [key], details),
      );
    } catch (err) {
      if (err instanceof VersionConflictError) {
        if (err.current === 0) throw notFound(key, env);
        const problem = staleVersion(key, err.current, ifMatch ?? current.version);
        if (ifMatch === undefined) throw new LostRace(problem);
        throw problem;
      }
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(env.id);
    }
  }

  /** Every kept version of the secret, newest first, without values. */
  async versions(org: OrgRow, env: EnvironmentRow, key: string): Promise<SecretVersionMetaRow[]> {
    const rows = await this.storage.listSecretVersions(org.id, env.id, key);
    if (!rows) throw notFound(key, env);
    return rows;
  }

  /** One kept version's value, with the same rights and audit as a reveal of the current one. */
  async revealVersion(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string, version: number): Promise<RevealedSecret> {
    const row = await this.storage.getSecretVersion(org.id, env.id, key, version);
    if (!row) {
      if (!(await this.storage.getSecret(org.id, env.id, key))) throw notFound(key, env);
      throw versionNotFound(key, env, version);
    }
    let value: string;
    try {
      value = openValue(this.keyring, org, row);
    } catch (err) {
      if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.reveal', env, [key], err, { version });
      throw err;
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.reveal', 'allowed', env.slug, [key], { version }));
    return { key, value, version };
  }

  /**
   * A new version with the value and description of a kept one. It is an update (If-Match, the same
   * race rules, audited as \`secret.update\` naming the restored version); a kept version that fails its
   * integrity check is refused and audited like a reveal of it.
   */
  async rollback(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string, version: number, ifMatch: number | undefined): Promise<SecretRow> {
    const row = await this.storage.getSecretVersion(org.id, env.id, key, version);
    if (!row) {
      if (!(await this.storage.getSecret(org.id, env.id, key))) throw notFound(key, env);
      throw versionNotFound(key, env, version);
    }
    let value: string;
    try {
      value = openValue(this.keyring, org, row);
    } catch (err) {
      if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.update', env, [key], err, { restoredVersion: version });
      throw err;
    }
    return this.update(caller, org, env, key, { value, description: row.description, ifMatch }, { restoredVersion: version });
  }

  async delete(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string): Promise<void> {
    let gone: boolean;
    try {
      gone = await this.storage.deleteSecret(org.id, env.id, key, callerEvent(caller, 'secret.delete', 'allowed', env.slug, [key]));
    } catch (err) {
      return mapAuditFailure(err);
    } finally {
      this.cache.invalidate(env.id);
    }
    if (!gone) throw notFound(key, env);
  }

  /** One value; its audit event is durable before it is returned. */
  async reveal(caller: Caller, org: OrgRow, env: EnvironmentRow, key: string): Promise<RevealedSecret> {
    const revision = await this.storage.environmentRevision(org.id, env.id);
    let revealed = this.cache.get(env.id, revision)?.byKey.get(key);
    if (!revealed) {
      const row = await this.storage.getSecret(org.id, env.id, key);
      if (!row) throw notFound(key, env);
      try {
        revealed = { key, value: openValue(this.keyring, org, row), version: row.version };
      } catch (err) {
        if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.reveal', env, [key], err);
        throw err;
      }
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.reveal', 'allowed', env.slug, [key]));
    return revealed;
  }

  /** Every secret of the environment, or the named ones, audited as one event before anything leaves. */
  async bulkReveal(caller: Caller, org: OrgRow, env: EnvironmentRow, requested: string[] | undefined): Promise<BulkRevealResult> {
    const revision = await this.storage.environmentRevision(org.id, env.id);
    const cached = this.cache.get(env.id, revision);
    let secrets: RevealedSecret[];
    if (cached && requested) secrets = requested.flatMap((k) => cached.byKey.get(k) ?? []).sort(byKey);
    else if (cached) secrets = cached.secrets;
    else {
      const read = await this.storage.getSecretsForReveal(org.id, env.id, requested);
      const opened = this.openAll(org, read.rows);
      if ('unreadable' in opened) return refuseUnreadable(this.storage, caller, org, 'secret.bulk_reveal', env, opened.unreadable, opened.refusal);
      secrets = opened.secrets;
      if (!requested) this.cache.fill(env.id, read.revision, secrets);
    }
    let missing: string[] = [];
    if (requested && secrets.length !== requested.length) {
      const found = new Set(secrets.map((r) => r.key));
      missing = requested.filter((k) => !found.has(k));
    }
    await this.auditReveal(caller, org, callerEvent(caller, 'secret.bulk_reveal', 'allowed', env.slug, secrets.map((r) => r.key)));
    if (cached && !requested) {
      cached.response ??= Buffer.from(JSON.stringify({ environment: env.slug, secrets: cached.secrets, missing: [] }));
      return { secrets, missing, encoded: cached.response };
    }
    return { secrets, missing };
  }

  /**
   * Named secrets of which some are pinned to a kept version (`KEY@3`), audited as one bulk reveal
   * naming them as asked, before anything leaves. Never from the cache: it holds current versions only.
   */
  async bulkRevealPinned(caller: Caller, org: OrgRow, env: EnvironmentRow, requested: { key: string; version?: number; asked: string }[]): Promise<BulkRevealResult> {
    const unpinned = requested.filter((r) => r.version === undefined).map((r) => r.key);
    const current = new Map((unpinned.length > 0 ? (await this.storage.getSecretsForReveal(org.id, env.id, unpinned)).rows : []).map((r) => [r.key, r]));
    const secrets: RevealedSecret[] = [];
    const missing: string[] = [];
    const unreadable: string[] = [];
    let refusal: ApiError | undefined;
    for (const r of requested) {
      const row = r.version === undefined ? current.get(r.key) : await this.storage.getSecretVersion(org.id, env.id, r.key, r.version);
      if (!row) {
        missing.push(r.asked);
        continue;
      }
      try {
        secrets.push({ key: r.key, value: openValue(this.keyring, org, row), version: row.version });
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
  private openAll(org: OrgRow, rows: SecretRow[]): { secrets: RevealedSecret[] } | { unreadable: string[]; refusal: ApiError } {
    const secrets = new Array<RevealedSecret>(rows.length);
    let unreadable: { unreadable: string[]; refusal: ApiError } | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      try {
        secrets[i] = { key: row.key, value: openValue(this.keyring, org, row), version: row.version };
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
