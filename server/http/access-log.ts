// One line per request, never with headers, bodies or query strings (a search term is not a value,
// but nothing after `?` is needed to operate the server). Successful requests log at debug level,
// client errors at info, server errors at error.
import type { FastifyInstance } from 'fastify';

export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
    const q = request.url.indexOf('?');
    request.log[level](
      { method: request.method, path: q < 0 ? request.url : request.url.slice(0, q), status, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
