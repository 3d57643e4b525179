// An environment as it was at a moment, and what changed between two: read from the versions the
// secrets still keep and the metadata of deleted secrets' versions (when each was written and when
// the secret was deleted). A version of a deleted secret is listed, never revealed: its value is gone.
// In a workspace: its effective set at the moment, from both histories (which organization secrets
// are available to it is taken as it is now).
import type { EnvironmentChanges, EnvironmentRollback, RevealedSecret, SecretAtMoment } from '../../../core/api-types.ts';
import { callerEvent, type Caller } from '../../audit/events.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { RevealCache } from '../../crypto/reveal-cache.ts';
import { openValue, sealValue } from '../../crypto/secret-values.ts';
import { ApiError } from '../../errors.ts';
import { AuditWriteError, BatchWriteError, type BatchWrite, type OrgRow, type Storage, type TimelineRow } from '../../storage/types.ts';
import { availableTo, cacheKey, ownId, placeName, type SecretPlace } from '../workspaces/effective-set.ts';
import { isUnreadable, refuseUnreadable } from './unreadable.ts';
import { versionTime } from './version-time.ts';

export interface RevealAtResult {
  secrets: RevealedSecret[];
  /** Keys that existed then (or were asked for) whose value of then is not kept. */
  missing: string[];
}

/**
 * The version of each key at `at` (an ISO time as the server writes them): the newest version written
 * at or before it, unless its secret was deleted at or before it. Times compare as strings: the server
 * writes every one as `Date.toISOString()`.
 */
export function stateAt(rows: readonly TimelineRow[], at: string): Map<string, TimelineRow> {
  const newest = new Map<string, TimelineRow>();
  for (const r of rows) {
    if (r.createdAt > at) continue;
    const had = newest.get(r.key);
    if (!had || later(r, had)) newest.set(r.key, r);
  }
  for (const [key, r] of newest) if (r.deletedAt !== null && r.deletedAt <= at) newest.delete(key);
  return newest;
}

/** Of two versions of one key, the one written later (a re-created secret starts again at version 1). */
function later(a: TimelineRow, b: TimelineRow): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  // Written in the same millisecond: the live lifetime is the later one, then the later deletion, then the higher version.
  if ((a.deletedAt === null) !== (b.deletedAt === null)) return a.deletedAt === null;
  if (a.deletedAt !== b.deletedAt) return (a.deletedAt ?? '') > (b.deletedAt ?? '');
  return a.version > b.version;
}

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function sameVersion(a: PlacedVersion, b: PlacedVersion): boolean {
  return a.version === b.version && a.createdAt === b.createdAt && a.workspaceId === b.workspaceId;
}

/** A version of the place's set at a moment, with the storage workspace id it is kept under. */
type PlacedVersion = TimelineRow & { workspaceId: string; scope?: 'organization' | 'workspace' };

/** The timelines a place's state is read from. */
interface PlaceTimelines {
  shared: TimelineRow[];
  own: TimelineRow[] | null;
  /** Organization keys available to the workspace now. */
  available: Set<string> | null;
}

function placedState(t: PlaceTimelines, place: SecretPlace, at: string): Map<string, PlacedVersion> {
  const out = new Map<string, PlacedVersion>();
  const workspace = place.workspace;
  if (!workspace || !t.own || !t.available) {
    for (const [k, r] of stateAt(t.shared, at)) out.set(k, { ...r, workspaceId: '' });
    return out;
  }
  for (const [k, r] of stateAt(t.shared, at)) if (t.available.has(k)) out.set(k, { ...r, workspaceId: '', scope: 'organization' });
  for (const [k, r] of stateAt(t.own, at)) out.set(k, { ...r, workspaceId: workspace.id, scope: 'workspace' });
  return out;
}

export class EnvironmentHistory {
  private readonly storage: Storage;
  private readonly keyring: Keyring;
  private readonly cache: RevealCache;

  constructor(storage: Storage, keyring: Keyring, cache: RevealCache) {
    this.storage = storage;
    this.keyring = keyring;
    this.cache = cache;
  }

  private async timelines(org: OrgRow, place: SecretPlace): Promise<PlaceTimelines> {
    const { env, workspace } = place;
    const shared = await this.storage.secretTimeline(org.id, env.id);
    if (!workspace) return { shared, own: null, available: null };
    const own = await this.storage.secretTimeline(org.id, env.id, workspace.id);
    const current = await this.storage.listSecrets(org.id, env.id);
    return { shared, own, available: new Set(current.filter((r) => availableTo(r, workspace)).map((r) => r.key)) };
  }

  async secretsAt(org: OrgRow, place: SecretPlace, at: string): Promise<SecretAtMoment[]> {
    const state = placedState(await this.timelines(org, place), place, at);
    return [...state.values()]
      .map((r) => ({ key: r.key, version: r.version, createdAt: r.createdAt, createdBy: r.createdBy, retained: r.deletedAt === null, ...(r.scope && { scope: r.scope }) }))
      .sort(byKey);
  }

  /** The values of then, audited as one bulk reveal naming the moment, durable before anything leaves. */
  async revealAt(caller: Caller, org: OrgRow, place: SecretPlace, at: string, requested: string[] | undefined): Promise<RevealAtResult> {
    const { env } = place;
    const state = placedState(await this.timelines(org, place), place, at);
    const keys = requested ?? [...state.keys()].sort();
    const secrets: RevealedSecret[] = [];
    const missing: string[] = [];
    const unreadable: string[] = [];
    let refusal: ApiError | undefined;
    for (const key of keys) {
      const then = state.get(key);
      const row = then && then.deletedAt === null ? await this.storage.getSecretVersion(org.id, env.id, key, then.version, then.workspaceId) : undefined;
      if (!row) {
        missing.push(key);
        continue;
      }
      try {
        secrets.push({ key, value: openValue(this.keyring, org, row), version: row.version, ...(then?.scope && { scope: then.scope }) });
      } catch (err) {
        if (!isUnreadable(err)) throw err;
        refusal ??= err;
        unreadable.push(key);
      }
    }
    if (refusal) return refuseUnreadable(this.storage, caller, org, 'secret.bulk_reveal', env, unreadable, refusal, { at });
    try {
      await this.storage.appendAudit(org.id, callerEvent(caller, 'secret.bulk_reveal', 'allowed', env.slug, secrets.map((s) => s.key), { at }));
    } catch {
      throw new ApiError('AUDIT_UNAVAILABLE');
    }
    return { secrets: secrets.sort(byKey), missing };
  }

  /** Keys added, changed (old → new version) and removed between two moments; never values. */
  async changes(org: OrgRow, place: SecretPlace, from: string, to: string): Promise<EnvironmentChanges> {
    const t = await this.timelines(org, place);
    const before = placedState(t, place, from);
    const after = placedState(t, place, to);
    const result: EnvironmentChanges = { from, to, added: [], changed: [], removed: [] };
    for (const [key, now] of after) {
      const then = before.get(key);
      if (!then) result.added.push({ key, version: now.version });
      else if (!sameVersion(then, now)) result.changed.push({ key, from: then.version, to: now.version });
    }
    for (const [key, then] of before) if (!after.has(key)) result.removed.push({ key, version: then.version });
    result.added.sort(byKey);
    result.changed.sort(byKey);
    result.removed.sort(byKey);
    return result;
  }

  /**
   * Every key whose version differs from the one it had at `at` gets a new version with the value and
   * description of then; keys created since are deleted when `removeNew`, else left alone; keys whose
   * value of then is gone (deleted since) are named in `unrestorable`. One transaction, one audit event.
   */
  async rollback(caller: Caller, org: OrgRow, place: SecretPlace, at: string, removeNew: boolean): Promise<EnvironmentRollback> {
    const { env } = place;
    const own = ownId(place);
    const timeline = await this.storage.secretTimeline(org.id, env.id, own);
    const then = stateAt(timeline, at);
    const current = new Map((await this.storage.getSecretsForReveal(org.id, env.id, undefined, own)).rows.map((r) => [r.key, r]));
    const now = new Date();
    const writes: BatchWrite[] = [];
    const result: EnvironmentRollback = { at, restored: [], removed: [], unrestorable: [] };
    for (const [key, was] of [...then].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const row = current.get(key);
      const kept = was.deletedAt === null ? await this.storage.getSecretVersion(org.id, env.id, key, was.version, own) : undefined;
      if (!row || !kept) {
        result.unrestorable.push(key);
        continue;
      }
      if (row.version === was.version) continue;
      let value: string;
      let currentValue: string;
      try {
        value = openValue(this.keyring, org, kept);
        currentValue = openValue(this.keyring, org, row);
      } catch (err) {
        if (isUnreadable(err)) return refuseUnreadable(this.storage, caller, org, 'environment.rollback', env, [key], err, { at });
        throw err;
      }
      // A key changed and changed back has the value of then already: no new version.
      if (value === currentValue && kept.description === row.description) continue;
      const sealed = sealValue(this.keyring, org, env.id, key, row.version + 1, value, own);
      writes.push({
        kind: 'update',
        key,
        update: { description: kept.description, nonce: sealed.nonce, ciphertext: sealed.ciphertext, expectedVersion: row.version, at: versionTime(now, row), by: caller.actor.display },
      });
      result.restored.push({ key, from: row.version, to: row.version + 1, version: was.version });
    }
    if (removeNew) {
      for (const key of [...current.keys()].sort()) {
        if (then.has(key)) continue;
        writes.push({ kind: 'delete', key, at: now.toISOString(), by: caller.actor.display });
        result.removed.push(key);
      }
    }
    if (writes.length === 0) return result;
    const keys = [...result.restored.map((r) => r.key), ...result.removed];
    try {
      await this.storage.applySecretBatch(org.id, env.id, writes, callerEvent(caller, 'environment.rollback', 'allowed', env.slug, keys, { at }), own);
    } catch (err) {
      // Someone changed or deleted one of these keys since we read them: nothing was written.
      if (err instanceof BatchWriteError) throw new ApiError('STALE_VERSION', `The environment ${placeName(place)} changed while rolling back; nothing was changed, try again`);
      if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
      throw err;
    } finally {
      this.cache.invalidate(cacheKey(place));
    }
    return result;
  }
}
