// Bulk reveal for CI: every secret of an environment (or the named ones) in one round trip, recorded
// as one audit event that is durable before any value leaves (services/secrets/secret-service.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BulkReveal } from '../../core/api-types.ts';
import { accessOrg, accessPlace } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { placeParams, revealedSchema, ValidationProblem } from '../http/schemas.ts';
import type { EnvironmentHistory } from '../services/secrets/environment-history.ts';
import type { SecretService } from '../services/secrets/secret-service.ts';
import { parseMoment } from '../http/moment.ts';
import { checkedKey, PLACES } from './secrets.ts';

const MAX_KEYS = 1000;

/** `KEY` or `KEY@3` (that kept version of KEY), the key checked as everywhere. */
function parsePin(raw: string): { key: string; version?: number; asked: string } {
  const m = /^(.*)@([1-9][0-9]{0,14})$/.exec(raw);
  if (!m) return { key: checkedKey(raw), asked: checkedKey(raw) };
  const key = checkedKey(m[1]);
  return { key, version: Number(m[2]), asked: `${key}@${m[2]}` };
}

export function registerBulkRevealRoutes(app: FastifyInstance, deps: Deps, secrets: SecretService, history: EnvironmentHistory): void {
  for (const { prefix, workspace } of PLACES) registerAt(app, deps, secrets, history, prefix, workspace);
}

function registerAt(app: FastifyInstance, deps: Deps, secrets: SecretService, history: EnvironmentHistory, prefix: string, inWorkspace: boolean): void {
  app.post<{ Params: { org: string; env: string; ws?: string }; Body: { keys?: string[]; at?: string } | undefined | null }>(
    `${prefix}/reveal`,
    {
      config: { action: 'secret.bulk_reveal' },
      schema: {
        params: placeParams(inWorkspace),
        body: {
          type: ['object', 'null'],
          properties: { keys: { type: 'array', maxItems: MAX_KEYS, items: { type: 'string', maxLength: 512 } }, at: { type: 'string', maxLength: 64 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              environment: { type: 'string' },
              workspace: { type: 'string' },
              secrets: { type: 'array', items: revealedSchema },
              missing: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request, reply): Promise<BulkReveal | FastifyReply> => {
      const access = await accessOrg(deps, request, request.params.org);
      const place = await accessPlace(deps, request, access, request.params, 'secret.reveal');
      const { env } = place;
      const caller = callerOf(request, access.actor, place.workspace?.slug);
      const where = { environment: env.slug, ...(place.workspace && { workspace: place.workspace.slug }) };
      const pins = request.body?.keys?.map(parsePin);
      if (pins?.some((p) => p.version !== undefined)) {
        if (request.body?.at !== undefined) throw new ValidationProblem('body.at', 'cannot be combined with KEY@version pins');
        const seen = new Set<string>();
        for (const p of pins) {
          if (seen.has(p.key)) throw new ValidationProblem('body.keys', `${p.key} is asked for more than once`);
          seen.add(p.key);
        }
        const result = await secrets.bulkRevealPinned(caller, access.org, place, pins);
        reply.header('cache-control', 'no-store');
        return { ...where, secrets: result.secrets, missing: result.missing };
      }
      const requested = request.body?.keys ? [...new Set(request.body.keys.map((k) => checkedKey(k)))] : undefined;
      if (request.body?.at !== undefined) {
        const then = await history.revealAt(caller, access.org, place, parseMoment(request.body.at, 'body.at'), requested);
        reply.header('cache-control', 'no-store');
        return { ...where, secrets: then.secrets, missing: then.missing };
      }
      const result = await secrets.bulkReveal(caller, access.org, place, requested);
      reply.header('cache-control', 'no-store');
      if (result.encoded) {
        reply.type('application/json; charset=utf-8');
        return reply.send(result.encoded);
      }
      return { ...where, secrets: result.secrets, missing: result.missing };
    },
  );
}
