// POST …/batch: many creates and updates of one environment, all or nothing (services/secrets/secret-batch.ts).
import type { FastifyInstance } from 'fastify';
import { SECRET_BATCH_MAX_BYTES, SECRET_BATCH_MAX_ITEMS, type SecretBatch, type SecretBatchItem } from '../../core/api-types.ts';
import { accessEnvironment, accessOrg, authorize } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, description, envParams } from '../http/schemas.ts';
import type { SecretBatchService } from '../services/secrets/secret-batch.ts';
import { checkedKey } from './secrets.ts';

const itemSchema = body(
  { key: { type: 'string' }, value: { type: 'string' }, description, ifMatch: { type: 'integer', minimum: 0, maximum: 999_999_999_999_999 } },
  ['key', 'value'],
);

export function registerSecretBatchRoutes(app: FastifyInstance, deps: Deps, batches: SecretBatchService): void {
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
      return batches.apply(callerOf(request, access.actor), access.org, env, request.body.secrets, request.body.dryRun === true, (k) => checkedKey(k));
    },
  );
}
