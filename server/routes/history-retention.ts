// GET/PUT /v1/orgs/{org}/settings/history-retention: how long the organization keeps replaced versions
// (any member reads it; Admin+ sets it). services/secrets/history-retention.ts owns the rules.
import type { FastifyInstance } from 'fastify';
import { HISTORY_RETENTION_MAX_DAYS, HISTORY_RETENTION_MAX_VERSIONS } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, orgParams } from '../http/schemas.ts';
import type { HistoryRetentionService } from '../services/secrets/history-retention.ts';

const retentionSchema = {
  type: 'object',
  properties: {
    days: { type: 'integer' },
    minVersions: { type: 'integer' },
    updatedAt: { type: ['string', 'null'] },
    updatedBy: { type: ['string', 'null'] },
  },
} as const;

const PATH = '/v1/orgs/:org/settings/history-retention';

export function registerHistoryRetentionRoutes(app: FastifyInstance, deps: Deps, retention: HistoryRetentionService): void {
  app.get<{ Params: { org: string } }>(PATH, { config: { action: 'org.read' }, schema: { params: orgParams, response: { 200: retentionSchema } } }, async (request) => {
    const access = await accessOrg(deps, request, request.params.org);
    await authorize(deps, request, access, 'org.view');
    return retention.get(access.org);
  });

  app.put<{ Params: { org: string }; Body: { days: number; minVersions: number } }>(
    PATH,
    {
      config: { action: 'history_retention.update' },
      schema: {
        params: orgParams,
        body: body(
          {
            days: { type: 'integer', minimum: 1, maximum: HISTORY_RETENTION_MAX_DAYS },
            minVersions: { type: 'integer', minimum: 1, maximum: HISTORY_RETENTION_MAX_VERSIONS },
          },
          ['days', 'minVersions'],
        ),
        response: { 200: retentionSchema },
      },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      return retention.set(callerOf(request, access.actor), access.org, request.body);
    },
  );
}
