// Many creates and updates of one environment in one transaction (what `secrets import` sends): each
// key is checked as a single create or update would check it, each change gets its own audit event,
// and any failure — a bad key, an empty value, a stale If-Match, a key created meanwhile — changes nothing.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SECRET_BATCH_MAX_BYTES, SECRET_BATCH_MAX_ITEMS, type SecretBatch, type SecretBatchItem, type SecretBatchResult } from '../../core/api-types.ts';
import { accessEnvironment, accessOrg, authorize } from '../auth/access.ts';
import { auditEvent } from '../audit/events.ts';
import { openValue, sealValue } from '../crypto/secret-values.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { body, description, envParams, ValidationProblem } from '../http/schemas.ts';
import { AuditWriteError, BatchWriteError, DuplicateError, type BatchWrite, type SecretRow } from '../storage/types.ts';
import { checkedKey, checkValueSize } from './secrets.ts';

const itemSchema = body(
  { key: { type: 'string' }, value: { type: 'string' }, description, ifMatch: { type: 'integer', minimum: 0, maximum: 999_999_999_999_999 } },
  ['key', 'value'],
);

/** Problems of one item keep the single-secret wording and say which item it was in `errors`. */
function atItem(index: number, field: string, err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const path = `body.secrets[${index}].${field}`;
  if (err instanceof ValidationProblem) return new ValidationProblem(path, err.errors?.[0]?.message ?? err.detail);
  return new ApiError(err.code, err.detail, { errors: [{ path, message: err.detail }] });
}

export function registerSecretBatchRoutes(app: FastifyInstance, deps: Deps): void {
  const { storage, keyring, revealCache } = deps;

  app.post<{ Params: { org: string; env: string }; Body: { secrets: SecretBatchItem[]; dryRun?: boolean } }>(
    '/v1/orgs/:org/environments/:env/batch',
    {
      bodyLimit: SECRET_BATCH_MAX_BYTES,
      config: { action: 'secret.create' },
      schema: {
        params: envParams,
        body: body({ secrets: { type: 'array', minItems: 1, maxItems: SECRET_BATCH_MAX_ITEMS, items: itemSchema }, dryRun: { type: 'boolean' } }, ['secrets']),
        response: {
          200: {
            type: 'object',
            properties: {
              environment: { type: 'string' },
              dryRun: { type: 'boolean' },
              results: {
                type: 'array',
                items: { type: 'object', properties: { key: { type: 'string' }, outcome: { type: 'string' }, version: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
    async (request): Promise<SecretBatch> => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.create');
      await authorize(deps, request, access, 'secret.edit', env);
      const items = request.body.secrets;
      const dryRun = request.body.dryRun === true;

      // Every item is checked before anything is sealed or written, in order, so the first problem is reported.
      const keys = new Array<string>(items.length);
      const seen = new Map<string, number>();
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        try {
          keys[i] = checkedKey(item.key);
        } catch (err) {
          throw atItem(i, 'key', err);
        }
        const first = seen.get(keys[i]!);
        if (first !== undefined) throw new ValidationProblem(`body.secrets[${i}].key`, `${keys[i]} is also item ${first}; a key may appear once`);
        seen.set(keys[i]!, i);
        try {
          // The same checks as a single create (routes/secrets.ts); a value rule added there belongs here too.
          if (item.value === '') throw new ApiError('SECRET_VALUE_REQUIRED', 'Secret value is required');
          checkValueSize(item.value);
        } catch (err) {
          throw atItem(i, 'value', err);
        }
      }

      const existing = new Map<string, SecretRow>();
      for (const row of await storage.getSecretsForReveal(access.org.id, env.id, [...seen.keys()])) existing.set(row.key, row);

      const at = new Date().toISOString();
      const writes: BatchWrite[] = [];
      const writeIndex: number[] = [];
      const results: SecretBatchResult[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const key = keys[i]!;
        const current = existing.get(key);
        if (item.ifMatch === 0 && current) throw atItem(i, 'ifMatch', new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${env.slug}`));
        if (item.ifMatch !== undefined && item.ifMatch > 0) {
          if (!current) throw atItem(i, 'ifMatch', new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`));
          if (current.version !== item.ifMatch) {
            throw atItem(i, 'ifMatch', new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else (version ${current.version} is current, you had ${item.ifMatch})`));
          }
        }
        if (!current) {
          results[i] = { key, outcome: 'created', version: 1 };
          if (dryRun) continue;
          const sealed = sealValue(keyring, access.org, env.id, key, 1, item.value);
          writeIndex.push(i);
          writes.push({
            kind: 'create',
            secret: { id: randomUUID(), key, description: item.description ?? '', nonce: sealed.nonce, ciphertext: sealed.ciphertext, at, by: access.actor.display },
            audit: auditEvent(request, access.actor, 'secret.create', 'allowed', env.slug, [key]),
          });
          continue;
        }
        const newDescription = item.description ?? current.description;
        // As PATCH does: the same value and description is no change, and no new version.
        if (openValue(keyring, access.org, current) === item.value && newDescription === current.description) {
          results[i] = { key, outcome: 'unchanged', version: current.version };
          continue;
        }
        results[i] = { key, outcome: 'updated', version: current.version + 1 };
        if (dryRun) continue;
        const sealed = sealValue(keyring, access.org, env.id, key, current.version + 1, item.value);
        writeIndex.push(i);
        writes.push({
          kind: 'update',
          key,
          update: { description: newDescription, nonce: sealed.nonce, ciphertext: sealed.ciphertext, expectedVersion: current.version, at, by: access.actor.display },
          audit: auditEvent(request, access.actor, 'secret.update', 'allowed', env.slug, [key]),
        });
      }

      if (writes.length > 0) {
        revealCache.invalidate(env.id);
        try {
          await storage.applySecretBatch(access.org.id, env.id, writes);
        } catch (err) {
          if (err instanceof BatchWriteError) {
            // Someone else wrote one of the keys between the checks above and the transaction.
            const i = writeIndex[err.index]!;
            const key = keys[i]!;
            if (err.failure instanceof DuplicateError) throw atItem(i, 'key', new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${env.slug}`));
            throw atItem(i, 'key', new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else while the batch was applied`));
          }
          if (err instanceof AuditWriteError) throw new ApiError('AUDIT_UNAVAILABLE');
          throw err;
        } finally {
          revealCache.invalidate(env.id);
        }
      }
      return { environment: env.slug, dryRun, results };
    },
  );
}
