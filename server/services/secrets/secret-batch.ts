// Many creates and updates of one environment in one transaction (what `secrets import` sends): each
// key is checked as a single create or update would check it, each change gets its own audit event,
// and any failure (a bad key, an empty value, a stale If-Match, a key created meanwhile, possibly
// through another server instance) changes nothing. Storage decides the duplicate and version rules
// inside its transaction; this file names the item that failed.
import { randomUUID } from 'node:crypto';
import type { SecretBatch, SecretBatchItem, SecretBatchResult } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { RevealCache } from '../../crypto/reveal-cache.ts';
import { openValue, sealValue } from '../../crypto/secret-values.ts';
import { ApiError } from '../../errors.ts';
import { ValidationProblem } from '../../http/schemas.ts';
import { AuditWriteError, BatchWriteError, DuplicateError, type BatchWrite, type OrgRow, type SecretRow, type Storage } from '../../storage/types.ts';
import { availableTo, cacheKey, ownId, placeName, type SecretPlace } from '../workspaces/effective-set.ts';
import { readOnlyInWorkspace } from './secret-service.ts';
import { checkValueSize } from './value-rules.ts';
import { isUnreadable, refuseUnreadable } from './unreadable.ts';
import { versionTime } from './version-time.ts';

/** Problems of one item keep the single-secret wording and say which item it was in `errors`. */
function atItem(index: number, field: string, err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const path = `body.secrets[${index}].${field}`;
  if (err instanceof ValidationProblem) return new ValidationProblem(path, err.errors?.[0]?.message ?? err.detail);
  return new ApiError(err.code, err.detail, { errors: [{ path, message: err.detail }] });
}

export class SecretBatchService {
  private readonly storage: Storage;
  private readonly keyring: Keyring;
  private readonly cache: RevealCache;

  constructor(storage: Storage, keyring: Keyring, cache: RevealCache) {
    this.storage = storage;
    this.keyring = keyring;
    this.cache = cache;
  }

  /**
   * `checkedKey` normalises a key as the single-secret routes do, or throws their problem. A dry run
   * answers what would happen and writes nothing.
   */
  async apply(
    caller: Caller,
    org: OrgRow,
    place: SecretPlace,
    items: readonly SecretBatchItem[],
    dryRun: boolean,
    checkedKey: (raw: string) => string,
  ): Promise<SecretBatch> {
    const { env } = place;
    const own = ownId(place);
    // Every item is checked before anything is sealed or written, in order, so the first problem is reported.
    const keys = new Array<string>(items.length);
    const seen = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      let key: string;
      try {
        key = keys[i] = checkedKey(items[i]!.key);
      } catch (err) {
        throw atItem(i, 'key', err);
      }
      const first = seen.get(key);
      if (first !== undefined) throw new ValidationProblem(`body.secrets[${i}].key`, `${key} is also item ${first}; a key may appear once`);
      seen.set(key, i);
      try {
        // The same checks as a single create (secret-service.ts); a value rule added there belongs here too.
        if (items[i]!.value === '') throw new ApiError('SECRET_VALUE_REQUIRED', 'Secret value is required');
        checkValueSize(items[i]!.value);
      } catch (err) {
        throw atItem(i, 'value', err);
      }
    }

    const existing = new Map<string, SecretRow>();
    for (const row of (await this.storage.getSecretsForReveal(org.id, env.id, [...seen.keys()], own)).rows) existing.set(row.key, row);
    // In a workspace, a key that is only an organization secret there is created as the workspace's
    // override: the organization secret itself is never written through a workspace.

    const now = new Date();
    const at = now.toISOString();
    const writes: BatchWrite[] = [];
    const writeIndex: number[] = [];
    const results: SecretBatchResult[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const key = keys[i]!;
      const current = existing.get(key);
      if (item.ifMatch === 0 && current) throw atItem(i, 'ifMatch', new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${placeName(place)}`));
      if (item.ifMatch !== undefined && item.ifMatch > 0) {
        if (!current && place.workspace) {
          const shared = await this.storage.getSecret(org.id, env.id, key);
          if (shared && availableTo(shared, place.workspace)) throw atItem(i, 'ifMatch', readOnlyInWorkspace(key, place.workspace.slug));
        }
        if (!current) throw atItem(i, 'ifMatch', new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${placeName(place)}`));
        if (current.version !== item.ifMatch) {
          throw atItem(i, 'ifMatch', new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else (version ${current.version} is current, you had ${item.ifMatch})`));
        }
      }
      if (!current) {
        results[i] = { key, outcome: 'created', version: 1 };
        if (dryRun) continue;
        const sealed = sealValue(this.keyring, org, env.id, key, 1, item.value, own);
        writeIndex.push(i);
        writes.push({
          kind: 'create',
          secret: { id: randomUUID(), key, description: item.description ?? '', nonce: sealed.nonce, ciphertext: sealed.ciphertext, at, by: caller.actor.display },
          audit: callerEvent(caller, 'secret.create', 'allowed', env.slug, [key]),
        });
        continue;
      }
      const newDescription = item.description ?? current.description;
      let currentValue: string;
      try {
        currentValue = openValue(this.keyring, org, current);
      } catch (err) {
        if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'secret.update', env, [key], err);
        throw err;
      }
      // As PATCH does: the same value and description is no change, and no new version.
      if (currentValue === item.value && newDescription === current.description) {
        results[i] = { key, outcome: 'unchanged', version: current.version };
        continue;
      }
      results[i] = { key, outcome: 'updated', version: current.version + 1 };
      if (dryRun) continue;
      const sealed = sealValue(this.keyring, org, env.id, key, current.version + 1, item.value, own);
      writeIndex.push(i);
      writes.push({
        kind: 'update',
        key,
        update: { description: newDescription, nonce: sealed.nonce, ciphertext: sealed.ciphertext, expectedVersion: current.version, at: versionTime(now, current), by: caller.actor.display },
        audit: callerEvent(caller, 'secret.update', 'allowed', env.slug, [key]),
      });
    }

    if (writes.length > 0) {
      try {
        await this.storage.applySecretBatch(org.id, env.id, writes, undefined, own);
      } catch (err) {
        if (err instanceof BatchWriteError) {
          // Someone else wrote one of the keys between the checks above and the transaction.
          const i = writeIndex[err.index]!;
          const key = keys[i]!;
          if (err.failure instanceof DuplicateError) throw atItem(i, 'key', new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${placeName(place)}`));
          throw atItem(i, 'key', new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else while the batch was applied`));
        }
        if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
        throw err;
      } finally {
        // Frees memory only: the environment's revision, raised by the batch, keeps stale entries unused.
        this.cache.invalidate(cacheKey(place));
      }
    }
    return { environment: env.slug, dryRun, results };
  }
}

