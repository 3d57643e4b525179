// POST …/batch: many creates and updates of one environment, all or nothing (services/secrets/secret-batch.ts).
import type { FastifyInstance } from 'fastify';
import { SECRET_BATCH_MAX_BYTES, SECRET_BATCH_MAX_ITEMS, type SecretBatch, type SecretBatchItem } from '../../core/api-types.ts';
import { accessOrg, accessPlace } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, description, placeParams } from '../http/schemas.ts';
import type { SecretBatchService } from '../services/secrets/secret-batch.ts';
import { checkedKey, PLACES } from './secrets.ts';

const itemSchema = body(
  { key: { type: 'string' }, value: { type: 'string' }, description, ifMatch: { type: 'integer', minimum: 0, maximum: 999_999_999_999_999 } },
  ['key', 'value'],
);

export function registerSecretBatchRoutes(app: FastifyInstance, deps: Deps, batches: SecretBatchService): void {
  for (const { prefix, workspace } of PLACES) registerAt(app, deps, batches, prefix, workspace);
}

function registerAt(app: FastifyInstance, deps: Deps, batches: SecretBatchService, prefix: string, inWorkspace: boolean): void {
  app.post<{ Params: { org: string; env: string; ws?: string }; Body: { secrets: SecretBatchItem[]; dryRun?: boolean } }>(
    `${prefix}/batch`,
    {
      bodyLimit: SECRET_BATCH_MAX_BYTES,
      config: { action: 'secret.create' },
      schema: {
        params: placeParams(inWorkspace),
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
      // Creates and updates: Editor+ in the organization; in a workspace, its owner or an Admin+.
      const place = await accessPlace(deps, request, access, request.params, 'secret.create');
      if (!place.workspace) await accessPlace(deps, request, access, request.params, 'secret.edit');
      const result = await batches.apply(callerOf(request, access.actor, place.workspace?.slug), access.org, place, request.body.secrets, request.body.dryRun === true, (k) => checkedKey(k));
      return result;
    },
  );
}
