// POST /v1/auth/oidc: no bearer token; the OIDC token in the body is the credential. A refusal counts
// as a failed authentication of the client's address (auth/failed-auth-limiter.ts), as a bad bearer
// token does, so the exchange is no oracle for guessing.
import type { FastifyInstance } from 'fastify';
import type { FailedAuthLimiter } from '../auth/failed-auth-limiter.ts';
import { ApiError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { body, slug } from '../http/schemas.ts';
import type { ExchangeRequest, OidcExchangeService } from '../services/oidc/exchange.ts';
import { stampFor } from './oidc-policies.ts';

/** Large enough for any real OIDC token (GitHub's are ~1–2 KB), small enough to parse cheaply. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export function registerOidcAuthRoutes(app: FastifyInstance, exchange: OidcExchangeService, limiter: FailedAuthLimiter): void {
  app.post<{ Body: ExchangeRequest }>(
    '/v1/auth/oidc',
    {
      config: { public: true },
      schema: {
        body: body({ org: slug, token: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH }, policy: { type: 'string', minLength: 1, maxLength: 200 } }, ['org', 'token']),
        response: {
          200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, environment: { type: 'string' }, workspace: { type: ['string', 'null'] } } },
        },
      },
    },
    async (request, reply) => {
      try {
        const minted = await exchange.exchange(request.body, stampFor(request));
        reply.header('cache-control', 'no-store');
        return minted;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'OIDC_TOKEN_REFUSED') limiter.recordFailure(clientKey(request.socket.remoteAddress));
        throw err;
      }
    },
  );
}
