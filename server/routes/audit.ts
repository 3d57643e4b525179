// Reading the audit trail (Admin+): newest first with an opaque cursor, or forward from a known event
// for followers; filtered by time, actor, action, key, environment, workspace and outcome in the query.
import type { FastifyInstance } from 'fastify';
import type { AuditPage } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { toAuditEvent } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { id, isoTime, orgParams, slug, ValidationProblem } from '../http/schemas.ts';
import type { AuditFilter, AuditQuery as ApiAuditQuery } from '../../core/api-types.ts';
import { checkedKey } from './secrets.ts';

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
    workspace: nullableString,
    keys: { type: 'array', items: { type: 'string' } },
    outcome: { type: 'string' },
    ip: { type: 'string' },
    userAgent: nullableString,
    count: { type: 'integer' },
    // Free-form by design (workflow, policy, refusals: core/api-types.ts AuditDetails); written by the server only.
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** The query as it arrives: the limit is still text. */
type AuditQuery = Omit<ApiAuditQuery, 'limit'> & { limit?: string };

function isoParam(value: string, name: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ValidationProblem(`querystring.${name}`, 'must be an ISO 8601 time');
  return new Date(ms).toISOString();
}

function filterOf(q: AuditQuery): AuditFilter {
  const f: AuditFilter = {};
  if (q.since !== undefined) f.since = isoParam(q.since, 'since');
  if (q.until !== undefined) f.until = isoParam(q.until, 'until');
  if (q.actor !== undefined) f.actor = q.actor;
  if (q.action !== undefined) f.action = q.action;
  if (q.key !== undefined) f.key = checkedKey(q.key);
  if (q.environment !== undefined) f.environment = q.environment;
  if (q.workspace !== undefined) f.workspace = q.workspace;
  if (q.outcome !== undefined) f.outcome = q.outcome;
  return f;
}

export function registerAuditRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { org: string }; Querystring: AuditQuery }>(
    '/v1/orgs/:org/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        params: orgParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
            cursor: { type: 'string', maxLength: 64 },
            after: id,
            since: isoTime,
            until: isoTime,
            actor: { type: 'string', minLength: 1, maxLength: 200 },
            action: { type: 'string', pattern: '^[a-z_]{1,32}([.][a-z_]{1,32})?$' },
            key: { type: 'string', minLength: 1, maxLength: 512 },
            environment: slug,
            workspace: slug,
            outcome: { type: 'string', enum: ['allowed', 'denied'] },
          },
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
      const filter = filterOf(request.query);
      if (request.query.after !== undefined) {
        if (request.query.cursor !== undefined) throw new ValidationProblem('querystring.after', 'cannot be combined with cursor');
        // Forward from a known event, oldest first: what a follower polls with the last id it has seen.
        const newer = await deps.storage.listAuditAfter(access.org.id, limit, request.query.after, filter);
        if (!newer) throw new ValidationProblem('querystring.after', 'is not an event of this organization');
        return { events: newer.map(toAuditEvent), nextCursor: null };
      }
      const before = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const rows = await deps.storage.listAudit(access.org.id, limit + 1, before, filter);
      const page = rows.slice(0, limit);
      return {
        events: page.map(toAuditEvent),
        nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null,
      };
    },
  );
}
