// Builds the fastify application: strict JSON-schema validation (unknown fields are rejected, never
// stripped; no type coercion), a 1 MiB body limit, logs that never carry bodies or credentials, and
// every route of docs/api.md.
import Fastify, { type FastifyInstance } from 'fastify';
import { installProblemHandlers } from './http/problems.ts';
import { installJsonParser } from './http/json-body.ts';
import { installMethodNotAllowed } from './http/method-not-allowed.ts';
import { registerHealthRoutes } from './routes/health.ts';
import type { Deps } from './deps.ts';

export const BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  logLevel: string;
}

export function buildApp(deps: Deps, options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // The default request serializer logs no headers or bodies; redaction is a second belt.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  installProblemHandlers(app);
  installJsonParser(app);
  installMethodNotAllowed(app);
  registerHealthRoutes(app);
  void deps;
  return app;
}
