// Bulk reveal for CI: every secret of an environment (or the named ones) in one round trip, recorded
// as one audit event that is durable before any value leaves.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BulkReveal, RevealedSecret } from '../../core/api-types.ts';
import { accessEnvironment, accessOrg } from '../auth/access.ts';
import { auditEvent } from '../audit/events.ts';
import { openValue } from '../crypto/secret-values.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { envParams, revealedSchema } from '../http/schemas.ts';
import { checkedKey } from './secrets.ts';
import { isUnreadable, refuseUnreadable } from './unreadable-audit.ts';

const MAX_KEYS = 1000;

const byKey = (a: RevealedSecret, b: RevealedSecret) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function registerBulkRevealRoutes(app: FastifyInstance, deps: Deps): void {
  const { storage, keyring, revealCache } = deps;

  app.post<{ Params: { org: string; env: string }; Body: { keys?: string[] } | undefined | null }>(
    '/v1/orgs/:org/environments/:env/reveal',
    {
      config: { action: 'secret.bulk_reveal' },
      schema: {
        params: envParams,
        body: {
          type: ['object', 'null'],
          properties: { keys: { type: 'array', maxItems: MAX_KEYS, items: { type: 'string', maxLength: 512 } } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { environment: { type: 'string' }, secrets: { type: 'array', items: revealedSchema }, missing: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply): Promise<BulkReveal | FastifyReply> => {
      const access = await accessOrg(deps, request, request.params.org);
      const env = await accessEnvironment(deps, request, access, request.params.env, 'secret.reveal');
      const requested = request.body?.keys ? [...new Set(request.body.keys.map((k) => checkedKey(k)))] : undefined;
      const cached = revealCache.get(env.id);
      let secrets: RevealedSecret[];
      if (cached && requested) secrets = requested.flatMap((k) => cached.byKey.get(k) ?? []).sort(byKey);
      else if (cached) secrets = cached.secrets;
      else {
        const generation = revealCache.generation(env.id);
        const rows = await storage.getSecretsForReveal(access.org.id, env.id, requested);
        secrets = new Array<RevealedSecret>(rows.length);
        let unreadable: { keys: string[]; first: ApiError } | undefined;
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          try {
            secrets[i] = { key: row.key, value: openValue(keyring, access.org, row), version: row.version };
          } catch (err) {
            if (!isUnreadable(err)) throw err;
            unreadable ??= { keys: [], first: err };
            unreadable.keys.push(row.key);
          }
        }
        if (unreadable) return refuseUnreadable(deps, request, access, 'secret.bulk_reveal', env.slug, unreadable.keys, unreadable.first);
        if (!requested) revealCache.fill(env.id, generation, secrets);
      }
      let missing: string[] = [];
      if (requested && secrets.length !== requested.length) {
        const found = new Set(secrets.map((r) => r.key));
        missing = requested.filter((k) => !found.has(k));
      }
      try {
        await storage.appendAudit(access.org.id, auditEvent(request, access.actor, 'secret.bulk_reveal', 'allowed', env.slug, secrets.map((r) => r.key)));
      } catch {
        throw new ApiError('AUDIT_UNAVAILABLE');
      }
      reply.header('cache-control', 'no-store');
      if (cached && !requested) {
        cached.response ??= Buffer.from(JSON.stringify({ environment: env.slug, secrets: cached.secrets, missing: [] } satisfies BulkReveal));
        reply.type('application/json; charset=utf-8');
        return reply.send(cached.response);
      }
      return { environment: env.slug, secrets, missing };
    },
  );
}
