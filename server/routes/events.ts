// Live events of one environment (Server-Sent Events): the same rights as listing its secrets.
import type { FastifyInstance } from 'fastify';
import { accessOrg, accessPlace } from '../auth/access.ts';
import type { Deps } from '../deps.ts';
import type { EventStreams } from '../events/event-streams.ts';
import { envParams } from '../http/schemas.ts';

export function registerEventRoutes(app: FastifyInstance, deps: Deps, streams: EventStreams): void {
  app.get<{ Params: { org: string; env: string } }>(
    '/v1/orgs/:org/environments/:env/events',
    { config: { action: 'secret.list' }, schema: { params: envParams } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const { env } = await accessPlace(deps, request, access, request.params, 'secret.view');
      const p = access.principal;
      const principal = p.kind === 'personal' ? `user:${p.user.id}` : `token:${p.tokenId}`;
      streams.admit(principal);
      const header = request.headers['last-event-id'];
      reply.hijack();
      await streams.serve(reply.raw, {
        orgId: access.org.id,
        environmentId: env.id,
        environment: env.slug,
        principal,
        lastEventId: Array.isArray(header) ? header[0] : header,
      });
    },
  );
}
