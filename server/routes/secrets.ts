// Secrets of one environment: metadata, create, reveal, update (optimistic with If-Match), delete. The
// rules live in services/secrets/secret-service.ts; these handlers parse, authorize and call it. Each
// route is served twice: for an environment of the organization, and of a workspace (its effective set).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreatedSecret, EnvironmentChanges, EnvironmentRollback, SecretMeta, SecretsAtMoment, SecretVersionList } from '../../core/api-types.ts';
import { isExecRiskName, refusedNameReason } from '../../core/refused-names.ts';
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../../core/secret-key.ts';
import { accessOrg, accessPlace } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { EnvironmentHistory } from '../services/secrets/environment-history.ts';
import type { SecretService } from '../services/secrets/secret-service.ts';
import { parseMoment } from '../http/moment.ts';
import type { Placed } from '../services/workspaces/effective-set.ts';
import type { SecretMetaRow } from '../storage/types.ts';
import { body, createdSecretSchema, description, emptyBody, keyParam, placeParams, revealedSchema, secretMetaSchema, slug, ValidationProblem } from '../http/schemas.ts';

type PlaceParams = { org: string; env: string; ws?: string };
type SecretParams = PlaceParams & { key: string };
type VersionParams = SecretParams & { version: string };

const versionNumber = { type: 'integer', minimum: 1, maximum: 999_999_999_999_999 } as const;
/** Path parameters are strings: a version there is its decimal digits. */
const versionParam = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const;
const workspacesField = { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 64 } } as const;

/** The two prefixes every route of this file is served under, and whether it is a workspace's. */
export const PLACES = [
  { prefix: '/v1/orgs/:org/environments/:env', workspace: false },
  { prefix: '/v1/orgs/:org/workspaces/:ws/environments/:env', workspace: true },
] as const;

/** `workspaces` limits organization secrets; a workspace's own secrets have none. */
function workspacesOf(body: { workspaces?: string[] }, inWorkspace: boolean): string[] | undefined {
  if (body.workspaces !== undefined && inWorkspace) throw new ValidationProblem('body.workspaces', 'is for organization secrets; a workspace secret is its workspace\'s alone');
  return body.workspaces;
}

const versionListSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { version: { type: 'integer' }, description: { type: 'string' }, createdAt: { type: 'string' }, createdBy: { type: 'string' } },
      },
    },
  },
} as const;

export function toSecretMeta(r: Placed<SecretMetaRow>): SecretMeta {
  return {
    key: r.key,
    description: r.description,
    version: r.version,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
    execRisk: isExecRiskName(r.key),
    ...(r.workspaceId === '' && { workspaces: r.workspaces }),
    ...(r.scope && { scope: r.scope }),
    ...(r.overrides !== undefined && { overrides: r.overrides }),
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

/** `If-Match: "3"` (or 3, W/"3", *): the version the caller last saw, or undefined for any. */
function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) throw new ValidationProblem('headers.if-match', 'must be the secret version, e.g. "3"');
  return Number(m[1]);
}

export function registerSecretRoutes(app: FastifyInstance, deps: Deps, secrets: SecretService, history: EnvironmentHistory): void {
  for (const { prefix, workspace } of PLACES) registerAt(app, deps, secrets, history, prefix, workspace);
}

function registerAt(app: FastifyInstance, deps: Deps, secrets: SecretService, history: EnvironmentHistory, prefix: string, inWorkspace: boolean): void {
  const base = `${prefix}/secrets`;
  const envParams = placeParams(inWorkspace);
  const secretParams = placeParams(inWorkspace, { key: keyParam });
  const versionParams = placeParams(inWorkspace, { key: keyParam, version: versionParam });

  app.get<{ Params: PlaceParams; Querystring: { search?: string; at?: string } }>(
    base,
    {
      config: { action: 'secret.list' },
      schema: {
        params: envParams,
        querystring: { type: 'object', properties: { search: { type: 'string', maxLength: 256 }, at: { type: 'string', maxLength: 64 } }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              at: { type: 'string' },
              secrets: { type: 'array', items: { type: 'object', properties: { ...secretMetaSchema.properties, retained: { type: 'boolean' } } } },
            },
          },
        },
      },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.view');
      if (request.query.at !== undefined) {
        if (request.query.search !== undefined) throw new ValidationProblem('querystring.search', 'cannot be combined with at');
        const at = parseMoment(request.query.at, 'querystring.at');
        const then: SecretsAtMoment = { at, secrets: await history.secretsAt(access.org, place, at) };
        return then;
      }
      const search = request.query.search?.trim();
      return { secrets: (await secrets.list(access.org, place, search || undefined)).map(toSecretMeta) };
    },
  );

  app.post<{ Params: PlaceParams; Body: { at: string; removeNew?: boolean } }>(
    `${prefix}/rollback`,
    { config: { action: 'environment.rollback' }, schema: { params: envParams, body: body({ at: { type: 'string', maxLength: 64 }, removeNew: { type: 'boolean' } }, ['at']) } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      // Admin+ (in a workspace, also its owner): it may rewrite (and, with removeNew, delete) every secret of the place at once.
      const place = await accessPlace(deps, request, access, request.params, 'secret.delete');
      const at = parseMoment(request.body.at, 'body.at');
      const done: EnvironmentRollback = await history.rollback(callerOf(request, access.actor, place.workspace?.slug), access.org, place, at, request.body.removeNew === true);
      return done;
    },
  );

  app.get<{ Params: PlaceParams; Querystring: { from: string; to?: string } }>(
    `${prefix}/changes`,
    {
      config: { action: 'secret.list' },
      schema: {
        params: envParams,
        querystring: { type: 'object', properties: { from: { type: 'string', maxLength: 64 }, to: { type: 'string', maxLength: 64 } }, required: ['from'], additionalProperties: false },
      },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.view');
      const from = parseMoment(request.query.from, 'querystring.from');
      const to = request.query.to === undefined ? new Date().toISOString() : parseMoment(request.query.to, 'querystring.to');
      if (to < from) throw new ValidationProblem('querystring.to', 'must not be before from');
      const changes: EnvironmentChanges = await history.changes(access.org, place, from, to);
      return changes;
    },
  );

  app.post<{ Params: PlaceParams; Body: { key?: string; value?: string; description?: string; workspaces?: string[] } }>(
    base,
    {
      config: { action: 'secret.create' },
      schema: {
        params: envParams,
        body: body({ key: { type: 'string' }, value: { type: 'string' }, description, workspaces: workspacesField }),
        response: { 201: createdSecretSchema },
      },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.create');
      const key = checkedKey(request.body.key);
      const workspaces = workspacesOf(request.body, inWorkspace);
      const row = await secrets.create(callerOf(request, access.actor, place.workspace?.slug), access.org, place, key, request.body.value, request.body.description, workspaces);
      reply.code(201).header('etag', `"${row.version}"`);
      const created: CreatedSecret = { ...toSecretMeta(row), warnings: createWarnings(key) };
      return created;
    },
  );

  app.get<{ Params: SecretParams }>(
    `${base}/:key`,
    { config: { action: 'secret.read' }, schema: { params: secretParams, response: { 200: secretMetaSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.view');
      const row = await secrets.meta(access.org, place, checkedKey(request.params.key));
      reply.header('etag', `"${row.version}"`);
      return toSecretMeta(row);
    },
  );

  app.post<{ Params: SecretParams }>(
    `${base}/:key/reveal`,
    { config: { action: 'secret.reveal' }, schema: { params: secretParams, body: emptyBody, response: { 200: revealedSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.reveal');
      const revealed = await secrets.reveal(callerOf(request, access.actor, place.workspace?.slug), access.org, place, checkedKey(request.params.key));
      reply.header('cache-control', 'no-store').header('etag', `"${revealed.version}"`);
      return revealed;
    },
  );

  app.patch<{ Params: SecretParams; Body: { value?: string; description?: string; workspaces?: string[] } }>(
    `${base}/:key`,
    {
      config: { action: 'secret.update' },
      schema: { params: secretParams, body: body({ value: { type: 'string' }, description, workspaces: workspacesField }), response: { 200: secretMetaSchema } },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.edit');
      const key = checkedKey(request.params.key);
      const ifMatch = ifMatchVersion(request);
      const workspaces = workspacesOf(request.body, inWorkspace);
      const row = await secrets.update(callerOf(request, access.actor, place.workspace?.slug), access.org, place, key, {
        value: request.body.value,
        description: request.body.description,
        ...(workspaces !== undefined && { workspaces }),
        ifMatch,
      });
      reply.header('etag', `"${row.version}"`);
      return toSecretMeta(row);
    },
  );

  app.get<{ Params: SecretParams }>(
    `${base}/:key/versions`,
    { config: { action: 'secret.read' }, schema: { params: secretParams, response: { 200: { ...versionListSchema, properties: { ...versionListSchema.properties, scope: { type: 'string' } } } } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.view');
      const key = checkedKey(request.params.key);
      const { rows, scope } = await secrets.versions(access.org, place, key);
      const list: SecretVersionList = {
        key,
        ...(scope && { scope }),
        versions: rows.map((r) => ({ version: r.version, description: r.description, createdAt: r.createdAt, createdBy: r.createdBy })),
      };
      return list;
    },
  );

  app.post<{ Params: VersionParams }>(
    `${base}/:key/versions/:version/reveal`,
    {
      config: { action: 'secret.reveal' },
      schema: { params: versionParams, body: emptyBody, response: { 200: revealedSchema } },
    },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.reveal');
      const revealed = await secrets.revealVersion(callerOf(request, access.actor, place.workspace?.slug), access.org, place, checkedKey(request.params.key), Number(request.params.version));
      reply.header('cache-control', 'no-store');
      return revealed;
    },
  );

  app.post<{ Params: SecretParams; Body: { version: number } }>(
    `${base}/:key/rollback`,
    { config: { action: 'secret.update' }, schema: { params: secretParams, body: body({ version: versionNumber }, ['version']), response: { 200: secretMetaSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.edit');
      const key = checkedKey(request.params.key);
      const row = await secrets.rollback(callerOf(request, access.actor, place.workspace?.slug), access.org, place, key, request.body.version, ifMatchVersion(request));
      reply.header('etag', `"${row.version}"`);
      return toSecretMeta(row);
    },
  );

  app.delete<{ Params: SecretParams }>(`${base}/:key`, { config: { action: 'secret.delete' }, schema: { params: secretParams } }, async (request, reply) => {
    const access = await accessOrg(deps, request, request.params.org);
    // In a workspace its owner deletes its secrets too; in the organization, Admin+.
    const place = await accessPlace(deps, request, access, request.params, 'secret.delete');
    await secrets.delete(callerOf(request, access.actor, place.workspace?.slug), access.org, place, checkedKey(request.params.key));
    return reply.code(204).send();
  });
}
