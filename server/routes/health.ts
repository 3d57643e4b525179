// Probes for a process supervisor or load balancer. `/healthz`: the process answers (restart it when
// it does not). `/readyz`: it can serve — the database answers a real query through the storage and
// its schema is migrated to this server's version (send it traffic only then). Neither needs a token
// or says more than ready / not ready. Once a graceful shutdown begins both fail (new connections are
// refused, idle ones closed, fastify's return503OnClosing answers the rest), so a balancer stops sending
// new requests while in-flight ones finish.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';

const statusSchema = { type: 'object', properties: { status: { type: 'string' } } };

export function registerHealthRoutes(app: FastifyInstance, deps: Pick<Deps, 'storage'>): void {
  app.get('/healthz', { schema: { response: { 200: statusSchema } } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { schema: { response: { 200: statusSchema } } }, async (request) => {
    try {
      await deps.storage.ping();
    } catch (err) {
      // The cause (a connection error, a schema behind) is for the operator's log, not the prober.
      request.log.error({ errName: (err as Error).name, errCode: (err as { code?: unknown }).code }, `not ready: ${(err as Error).message}`);
      throw new ApiError('NOT_READY');
    }
    return { status: 'ready' };
  });
}
