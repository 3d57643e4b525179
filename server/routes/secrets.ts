// Secrets of one environment: metadata, create, reveal, update (optimistic with If-Match), delete.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECRET_VALUE_MAX_BYTES, type CreatedSecret, type SecretMeta } from '../../core/api-types.ts';
import { isExecRiskName, refusedNameReason } from '../../core/refused-names.ts';
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../../core/secret-key.ts';
import { accessEnvironment, accessOrg } from '../auth/access.ts';
import { auditEvent } from '../audit/events.ts';
import { openValue, sealValue } from '../crypto/secret-values.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { AuditWriteError, DuplicateError, VersionConflictError, type SecretMetaRow } from '../storage/types.ts';
import { isUnreadable, refuseUnreadable } from './unreadable-audit.ts';
import { body, createdSecretSchema, description, emptyBody, envParams, revealedSchema, secretMetaSchema, secretParams, ValidationProblem } from '../http/schemas.ts';

type SecretParams = { org: string; env: string; key: string };

export function toSecretMeta(r: SecretMetaRow): SecretMeta {
  return {
    key: r.key,
    description: r.description,
    version: r.version,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
    execRisk: isExecRiskName(r.key),
  };
}

/** What the creator of a secret should know: a name clients refuse to export unless it is allowed. */
function createWarnings(key: string): string[] {
  const reason = refusedNameReason(key, { ignoreCase: false });
  if (reason === null) return [];
  return [`${key} is refused by the Action, \`secrets run\` and \`secrets export\` unless allowed by name (allow-names, --allow-name): ${reason}`];
}

/** The key as the user typed it, uppercased and checked, with the product's messages. */
export function checkedKey(raw: string | undefined): string {
  const key = normalizeKey(raw ?? '');
  const problem = keyProblem(key);
  if (problem === 'required') throw new ApiError('SECRET_KEY_REQUIRED', KEY_MESSAGES.required);
  if (problem === 'invalid') throw new ApiError('SECRET_KEY_INVALID', KEY_MESSAGES.invalid);
  return key;
}

export function checkValueSize(value: string): void {
  if (Buffer.byteLength(value, 'utf8') > SECRET_VALUE_MAX_BYTES) throw new ValidationProblem('body.value', 'must be at most 64 KiB');
}

/** `If-Match: "3"` (or 3, W/"3", *): the version the caller last saw, or undefined for any. */
function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) throw new ValidationProblem('headers.if-match', 'must be the secret version, e.g. "3"');
  return Number(m[1]);
}

function staleVersion(key: string, current: number, had: number): ApiError {
  return new ApiError('STALE_VERSION', `Secret ${key} was changed by someone else (version ${current} is current, you had ${had})`);
}

function auditFailed(): ApiError {
  return new ApiError('AUDIT_UNAVAILABLE');
}

export function registerSecretRoutes(app: FastifyInstance, deps: Deps): void {
  const { storage, keyring, revealCache } = deps;
  const base = '/v1/orgs/:org/environments/:env/secrets';

  app.get<{ Params: { org: string; env: string }; Querystring: { search?: string } }>(
    base,
    {
      config: { action: 'secret.list' },
      schema: {
        params: envParams,
        querystring: { type: 'object', properties: { search: { type: 'string', maxLength: 256 } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { secrets: { type: 'array', items: secretMetaSchema } } } },
      },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.view');
      const search = request.query.search?.trim();
      return { secrets: (await storage.listSecrets(access.org.id, env.id, search || undefined)).map(toSecretMeta) };
    },
  );

  app.post<{ Params: { org: string; env: string }; Body: { key?: string; value?: string; description?: string } }>(
    base,
    {
      config: { action: 'secret.create' },
      schema: {
        params: envParams,
        body: body({ key: { type: 'string' }, value: { type: 'string' }, description }),
        response: { 201: createdSecretSchema },
      },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.create');
      const key = checkedKey(request.body.key);
      const value = request.body.value;
      if (value === undefined || value === '') throw new ApiError('SECRET_VALUE_REQUIRED', 'Secret value is required');
      checkValueSize(value);
      const sealed = sealValue(keyring, access.org, env.id, key, 1, value);
      const at = new Date().toISOString();
      revealCache.invalidate(env.id);
      try {
        const row = await storage.createSecret(
          access.org.id,
          env.id,
          { id: randomUUID(), key, description: request.body.description ?? '', nonce: sealed.nonce, ciphertext: sealed.ciphertext, at, by: access.actor.display },
          auditEvent(request, access.actor, 'secret.create', 'allowed', env.slug, [key]),
        );
        reply.code(201).header('etag', `"${row.version}"`);
        const created: CreatedSecret = { ...toSecretMeta(row), warnings: createWarnings(key) };
        return created;
      } catch (err) {
        if (err instanceof DuplicateError) throw new ApiError('SECRET_EXISTS', `A secret with the key ${key} already exists in ${env.slug}`);
        if (err instanceof AuditWriteError) throw auditFailed();
        throw err;
      } finally {
        revealCache.invalidate(env.id);
      }
    },
  );

  app.get<{ Params: SecretParams }>(
    `${base}/:key`,
    { config: { action: 'secret.read' }, schema: { params: secretParams, response: { 200: secretMetaSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.view');
      const key = checkedKey(request.params.key);
      const row = await storage.getSecret(access.org.id, env.id, key);
      if (!row) throw new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
      reply.header('etag', `"${row.version}"`);
      return toSecretMeta(row);
    },
  );

  app.post<{ Params: SecretParams }>(
    `${base}/:key/reveal`,
    { config: { action: 'secret.reveal' }, schema: { params: secretParams, body: emptyBody, response: { 200: revealedSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.reveal');
      const key = checkedKey(request.params.key);
      let revealed = revealCache.get(env.id)?.byKey.get(key);
      if (!revealed) {
        const row = await storage.getSecret(access.org.id, env.id, key);
        if (!row) throw new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
        let value: string;
        try {
          value = openValue(keyring, access.org, row);
        } catch (err) {
          if (isUnreadable(err)) return refuseUnreadable(deps, request, access, 'secret.reveal', env.slug, [key], err);
          throw err;
        }
        revealed = { key, value, version: row.version };
      }
      // Fail closed: the value leaves only once its audit event is durable.
      try {
        await storage.appendAudit(access.org.id, auditEvent(request, access.actor, 'secret.reveal', 'allowed', env.slug, [key]));
      } catch {
        throw auditFailed();
      }
      reply.header('cache-control', 'no-store').header('etag', `"${revealed.version}"`);
      return revealed;
    },
  );

  app.patch<{ Params: SecretParams; Body: { value?: string; description?: string } }>(
    `${base}/:key`,
    { config: { action: 'secret.update' }, schema: { params: secretParams, body: body({ value: { type: 'string' }, description }), response: { 200: secretMetaSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.edit');
      const key = checkedKey(request.params.key);
      const ifMatch = ifMatchVersion(request);
      const current = await storage.getSecret(access.org.id, env.id, key);
      if (!current) throw new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
      if (ifMatch !== undefined && ifMatch !== current.version) throw staleVersion(key, current.version, ifMatch);

      const newValue = request.body.value;
      if (newValue) checkValueSize(newValue);
      const newDescription = request.body.description ?? current.description;
      // The version is part of the ciphertext's binding, so even a description change re-seals the value.
      const oldValue = openValue(keyring, access.org, current);
      const valueChanged = newValue !== undefined && newValue !== '' && newValue !== oldValue;
      if (!valueChanged && newDescription === current.description) throw new ApiError('NO_CHANGES', 'No changes to save');

      const sealed = sealValue(keyring, access.org, env.id, key, current.version + 1, valueChanged ? newValue : oldValue);
      revealCache.invalidate(env.id);
      try {
        const row = await storage.updateSecret(
          access.org.id,
          env.id,
          key,
          { description: newDescription, nonce: sealed.nonce, ciphertext: sealed.ciphertext, expectedVersion: current.version, at: new Date().toISOString(), by: access.actor.display },
          auditEvent(request, access.actor, 'secret.update', 'allowed', env.slug, [key]),
        );
        reply.header('etag', `"${row.version}"`);
        return toSecretMeta(row);
      } catch (err) {
        if (err instanceof VersionConflictError) {
          if (err.current === 0) throw new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
          throw staleVersion(key, err.current, ifMatch ?? current.version);
        }
        if (err instanceof AuditWriteError) throw auditFailed();
        throw err;
      } finally {
        revealCache.invalidate(env.id);
      }
    },
  );

  app.delete<{ Params: SecretParams }>(`${base}/:key`, { config: { action: 'secret.delete' }, schema: { params: secretParams } }, async (request, reply) => {
    const access = await accessOrg(deps, request, request.params.org);
    const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.delete');
    const key = checkedKey(request.params.key);
    let gone: boolean;
    revealCache.invalidate(env.id);
    try {
      gone = await storage.deleteSecret(access.org.id, env.id, key, auditEvent(request, access.actor, 'secret.delete', 'allowed', env.slug, [key]));
    } catch (err) {
      if (err instanceof AuditWriteError) throw auditFailed();
      throw err;
    } finally {
      revealCache.invalidate(env.id);
    }
    if (!gone) throw new ApiError('SECRET_NOT_FOUND', `Secret ${key} does not exist in ${env.slug}`);
    return reply.code(204).send();
  });
}
