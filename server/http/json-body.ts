// JSON bodies: an empty body counts as no body (so `POST …/reveal` works with or without `{}`), and a
// malformed one is a 400 whose detail never quotes the input. A body is stored exactly or refused: it
// must be UTF-8 (a declared charset other than UTF-8 is 415, invalid bytes are 400, never decoded to
// U+FFFD), and no string in it may hold a lone UTF-16 surrogate (`"\ud800"` parses to one in JS, and
// it cannot be encoded as UTF-8 without turning into U+FFFD).
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';
import { ValidationProblem } from './schemas.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// With the u flag, a paired surrogate is one code point; only a lone one is in category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** The charset parameter of a content-type header, lowercased and unquoted, or undefined. */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return m ? m[2]!.toLowerCase() : undefined;
}

/**
 * The path (`body.keys.0`) of the first string, or object key, that is not well-formed Unicode. Walked
 * with an explicit stack: a body may nest thousands deep, more than the call stack holds.
 */
export function illFormedPath(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, 'body']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (!wellFormed(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}.${i}`]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        if (!wellFormed(k)) return `${path}.${k.replace(/\p{Cs}/gu, '\uFFFD')}`;
        stack.push([v, `${path}.${k}`]);
      }
    }
  }
  return null;
}

export function installJsonParser(app: FastifyInstance): void {
  // Only JSON is accepted: text/plain and the rest are 415, not parsed as something else.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = charsetOf(req.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json in UTF-8 (no other charset is accepted)'), undefined);
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new ApiError('VALIDATION_FAILED', 'The request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new ApiError('VALIDATION_FAILED', 'The request body is not valid JSON'), undefined);
    }
    const bad = illFormedPath(parsed);
    if (bad) return done(new ValidationProblem(bad, 'must be valid Unicode text: a lone UTF-16 surrogate (e.g. "\\ud800") cannot be stored exactly'), undefined);
    done(null, parsed);
  });
}
