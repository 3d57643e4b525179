// JSON bodies: an empty body counts as no body (so `POST …/reveal` works with or without `{}`), and a
// malformed one is a 400 whose detail never quotes the input.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

export function installJsonParser(app: FastifyInstance): void {
  // Only JSON is accepted: text/plain and the rest are 415, not parsed as something else.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('VALIDATION_FAILED', 'The request body is not valid JSON'), undefined);
    }
  });
}
