// Fastify answers an unknown method on a known path with 404; the contract says 405 with `Allow`.
// Every path gets explicit handlers for the methods it lacks, marked so route listings skip them.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function installMethodNotAllowed(app: FastifyInstance): void {
  const byPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if ((route.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = byPath.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    byPath.set(route.url, set);
  });
  // Runs once every route registered so far (call this first, register routes, then boot) is known.
  app.after(() => {
    for (const [url, have] of byPath) {
      const allow = [...have].filter((m) => m !== 'HEAD').join(', ');
      const missing = METHODS.filter((m) => !have.has(m));
      if (missing.length === 0) continue;
      app.route({
        method: missing,
        url,
        config: { methodNotAllowed: true },
        handler: async () => {
          throw new ApiError('METHOD_NOT_ALLOWED', `Allowed: ${allow}`, { headers: { allow } });
        },
      });
    }
  });
}
