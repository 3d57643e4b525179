// A deliberately small fetch-based HTTP helper for the server's behaviour tests. It does not use
// core's client on purpose: these tests pin down the wire contract (docs/api.md) independently of it.
import assert from 'node:assert/strict';
import type { Problem, ProblemCode } from '../../../core/api-types.ts';

export interface Reply<T> {
  status: number;
  headers: Headers;
  /** The raw response body, for "never contains X" checks. */
  text: string;
  /** The parsed JSON body (undefined when the body is empty or not JSON). */
  body: T;
}

export interface RequestOptions {
  token?: string;
  /** A JSON value to send (content-type application/json). */
  json?: unknown;
  /** A raw body sent as is (for hostile-body tests); set content-type yourself in headers. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /**
   * Retry this many times when the connection breaks before an answer arrives. Only for oversized
   * uploads: a server may answer 413 and close at once (connection: close) rather than read a huge
   * body, and a client still writing can then see EPIPE/ECONNRESET instead of the answer.
   */
  retryOnReset?: number;
}

export interface Http {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  get<T = unknown>(path: string, token?: string, headers?: Record<string, string>): Promise<Reply<T>>;
  post<T = unknown>(path: string, token: string | undefined, json?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  put<T = unknown>(path: string, token: string | undefined, json?: unknown): Promise<Reply<T>>;
  patch<T = unknown>(path: string, token: string | undefined, json?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  del<T = unknown>(path: string, token?: string): Promise<Reply<T>>;
}

export function http(baseUrl: string): Http {
  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetch(baseUrl + path, { method, headers, body });
        break;
      } catch (error) {
        if (attempt >= (options.retryOnReset ?? 0)) throw error;
      }
    }
    const text = await res.text();
    let parsed: unknown;
    const type = res.headers.get('content-type') ?? '';
    if (text.length > 0 && /json/i.test(type)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  };
  return {
    request,
    get: (path, token, headers) => request('GET', path, { token, headers }),
    post: (path, token, json, headers) => request('POST', path, { token, json: json ?? {}, headers }),
    put: (path, token, json) => request('PUT', path, { token, json: json ?? {} }),
    patch: (path, token, json, headers) => request('PATCH', path, { token, json: json ?? {}, headers }),
    del: (path, token) => request('DELETE', path, { token }),
  };
}

const kebab = (code: string) => code.toLowerCase().replaceAll('_', '-');

/**
 * Asserts an RFC 9457 problem response as docs/api.md defines it: the status, the media type, the
 * five fields, the type URI derived from the code, and optionally the exact (or matching) detail.
 */
export function assertProblem(reply: Reply<unknown>, status: number, code: ProblemCode, detail?: string | RegExp): Problem {
  const where = `${status} ${code} expected, got ${reply.status}: ${reply.text.slice(0, 400)}`;
  assert.equal(reply.status, status, where);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/, `content-type: ${where}`);
  const p = reply.body as Problem;
  assert.equal(typeof p, 'object', where);
  assert.equal(p.code, code, where);
  assert.equal(p.status, status, where);
  assert.equal(p.type, `https://secrets.dev/problems/${kebab(code)}`, where);
  assert.equal(typeof p.title, 'string', where);
  assert.ok(p.title.length > 0, `empty title: ${where}`);
  assert.equal(typeof p.detail, 'string', where);
  assert.ok(p.detail.length > 0, `empty detail: ${where}`);
  if (typeof detail === 'string') assert.equal(p.detail, detail);
  else if (detail) assert.match(p.detail, detail);
  return p;
}

/** Any well-formed problem response (status and code from the catalogue, never a 5xx). */
export function assertClientProblem(reply: Reply<unknown>, label: string): Problem {
  const where = `${label}: got ${reply.status}: ${reply.text.slice(0, 300)}`;
  assert.ok(reply.status >= 400 && reply.status < 500, where);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
  const p = reply.body as Problem;
  assert.equal(p.status, reply.status, where);
  assert.equal(typeof p.code, 'string', where);
  assert.equal(p.type, `https://secrets.dev/problems/${kebab(p.code)}`, where);
  assert.equal(typeof p.title, 'string', where);
  assert.equal(typeof p.detail, 'string', where);
  return p;
}
