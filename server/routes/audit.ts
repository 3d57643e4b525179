// Reading the audit trail (Admin+), newest first, with an opaque cursor.
import type { FastifyInstance } from 'fastify';
import type { AuditPage } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { toAuditEvent } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { orgParams, ValidationProblem } from '../http/schemas.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationProblem('querystring.cursor', 'is not a cursor this server issued');
  return Number(m[1]);
}

const nullableString = { type: ['string', 'null'] } as const;
const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    time: { type: 'string' },
    actor: { type: 'object', properties: { type: { type: 'string' }, id: nullableString, name: nullableString } },
    action: { type: 'string' },
    environment: nullableString,
    keys: { type: 'array', items: { type: 'string' } },
    outcome: { type: 'string' },
    ip: { type: 'string' },
    userAgent: nullableString,
    count: { type: 'integer' },
    // Free-form by design (workflow, policy, refusals: core/api-types.ts AuditDetails); written by the server only.
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export function registerAuditRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { org: string }; Querystring: { limit?: string; cursor?: string } }>(
    '/v1/orgs/:org/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        params: orgParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' }, cursor: { type: 'string', maxLength: 64 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: eventSchema }, nextCursor: nullableString } } },
      },
    },
    async (request): Promise<AuditPage> => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
      if (limit < 1 || limit > MAX_LIMIT) throw new ValidationProblem('querystring.limit', `must be between 1 and ${MAX_LIMIT}`);
      const before = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const rows = await deps.storage.listAudit(access.org.id, limit + 1, before);
      const page = rows.slice(0, limit);
      return {
        events: page.map(toAuditEvent),
        nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null,
      };
    },
  );
}
