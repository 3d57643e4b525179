// Live events of one environment, or of a workspace's effective set in it (Server-Sent Events): the
// same rights as listing its secrets.
import type { FastifyInstance } from 'fastify';
import { accessOrg, accessPlace } from '../auth/access.ts';
import type { Deps } from '../deps.ts';
import type { EventStreams } from '../events/event-streams.ts';
import { placeParams } from '../http/schemas.ts';
import { PLACES } from './secrets.ts';

export function registerEventRoutes(app: FastifyInstance, deps: Deps, streams: EventStreams): void {
  for (const { prefix, workspace } of PLACES) registerAt(app, deps, streams, prefix, workspace);
}

function registerAt(app: FastifyInstance, deps: Deps, streams: EventStreams, prefix: string, inWorkspace: boolean): void {
  app.get<{ Params: { org: string; env: string; ws?: string } }>(
    `${prefix}/events`,
    { config: { action: 'secret.list' }, schema: { params: placeParams(inWorkspace) } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      const { env, workspace } = await accessPlace(deps, request, access, request.params, 'secret.view');
      const p = access.principal;
      const principal = p.kind === 'personal' ? `user:${p.user.id}` : `token:${p.tokenId}`;
      streams.admit(principal);
      const header = request.headers['last-event-id'];
      const current = request.currentPrincipal;
      // Asked again while the stream is open: the same checks as opening it, against the credential as it is now.
      const stillAllowed = async (): Promise<boolean> => {
        const now = current ? await current() : null;
        if (!now) return false;
        request.principal = now;
        try {
          const again = await accessOrg(deps, request, request.params.org);
          const place = await accessPlace(deps, request, again, request.params, 'secret.view');
          return place.env.id === env.id && place.workspace?.id === workspace?.id;
        } catch {
          return false;
        }
      };
      reply.hijack();
      await streams.serve(reply.raw, {
        orgId: access.org.id,
        environmentId: env.id,
        environment: env.slug,
        ...(workspace && { workspace: { id: workspace.id, slug: workspace.slug } }),
        principal,
        lastEventId: Array.isArray(header) ? header[0] : header,
        stillAllowed,
      });
    },
  );
}
