// The edge where every failure becomes application/problem+json. Nothing from the request body, and
// nothing from a parser's message (which can quote the body), ever reaches a response or a log line.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, problemBody } from '../errors.ts';
import { AuditWriteError } from '../storage/types.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

export function sendProblem(reply: FastifyReply, err: ApiError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type('application/problem+json; charset=utf-8').send(problemBody(err));
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationProblem(err: FastifyError): ApiError {
  const context = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  const errors = ((err.validation ?? []) as AjvIssue[]).map((v) => {
    const base = `${context}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`;
    if (v.keyword === 'additionalProperties') {
      const field = String(v.params?.additionalProperty ?? '');
      return { path: `${base}.${field}`, message: `unknown field "${field}"` };
    }
    if (v.keyword === 'required') {
      const field = String(v.params?.missingProperty ?? '');
      return { path: `${base}.${field}`, message: `${field} is required` };
    }
    return { path: base, message: v.message ?? 'is invalid' };
  });
  const first = errors[0];
  const detail = first ? `${first.path}: ${first.message}` : 'The request does not match the expected shape';
  return new ApiError('VALIDATION_FAILED', detail, { errors });
}

/** Fastify's own errors (parsing, limits, media type) in the catalogue's terms. */
function frameworkProblem(err: FastifyError): ApiError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('VALIDATION_FAILED', 'The request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('VALIDATION_FAILED', 'The request body is empty');
  }
  const status = err.statusCode ?? 500;
  if (status === 413) return new ApiError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE');
  if (status === 404) return new ApiError('NOT_FOUND');
  if (status === 405) return new ApiError('METHOD_NOT_ALLOWED');
  if (status >= 400 && status < 500) return new ApiError('VALIDATION_FAILED', 'The request could not be read');
  return null;
}

/** Answers a request no route matched, returning true, or returns false to leave it a 404 problem. */
export type NotFoundFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

export function installProblemHandlers(app: FastifyInstance, fallback?: NotFoundFallback): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return sendProblem(reply, err);
    // A change whose audit event could not be written was rolled back with it.
    if ((err as Error) instanceof AuditWriteError) {
      request.log.error({ errName: err.name }, 'audit write failed; the change was rolled back');
      return sendProblem(reply, new ApiError('AUDIT_UNAVAILABLE'));
    }
    if (err.validation) return sendProblem(reply, validationProblem(err));
    const known = frameworkProblem(err);
    if (known) return sendProblem(reply, known);
    // Unexpected: the log gets the cause (our errors never carry values), the caller a generic problem.
    request.log.error({ errName: err.name, errCode: err.code, stack: err.stack }, 'unexpected error');
    return sendProblem(reply, new ApiError('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return reply;
    return sendProblem(reply, new ApiError('NOT_FOUND'));
  });
}

/** Errors the router raises before any route runs (malformed URL encoding, overlong parameters). */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is malformed';
  // The router answers these before any hook runs, so the onSend hook cannot add them.
  reply.headers(SECURITY_HEADERS);
  void sendProblem(reply, new ApiError('VALIDATION_FAILED', detail));
}
