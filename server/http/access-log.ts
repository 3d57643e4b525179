// One line per request, never with headers, bodies, query strings or invitation secrets (a search term is not a value,
// but nothing after `?` is needed to operate the server). Successful requests log at debug level,
// client errors at info, server errors at error.
import type { FastifyInstance } from 'fastify';

export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
    const q = request.url.indexOf('?');
    // An invitation link's secret is in the path of the invitation routes: log their pattern instead.
    const invitation = request.url.startsWith('/v1/invitations/');
    const path = invitation ? (request.routeOptions.url ?? '/v1/invitations/…') : q < 0 ? request.url : request.url.slice(0, q);
    request.log[level](
      { method: request.method, path, status, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
