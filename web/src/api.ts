// The dashboard's one way to the server: the same /v1 API every client uses, authenticated by the
// HttpOnly session cookie the browser sends by itself (this code never sees a token after sign-in).
// State-changing requests carry the session's CSRF token in X-CSRF-Token. A failure becomes an
// ApiProblem holding the API's own message (problem+json `detail`), never a stack or a raw body.
import type { Problem } from '../../core/api-types.ts';
import { WEB_ERRORS, type WebErrorCode } from './errors.ts';

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A failure in the browser itself, from the catalogue in errors.ts. */
export function webProblem(code: WebErrorCode): ApiProblem {
  return new ApiProblem(0, code, WEB_ERRORS[code]);
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

/** The CSRF token of the current session (from POST or GET /v1/session); null when signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server answers 401 to a request made with the session: the session is over. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Sign-in itself: a 401 is a wrong token, not an ended session. */
  signingIn?: boolean;
}

export async function api<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw webProblem('WEB_NETWORK');
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (response.ok && type.includes('json')) return (await response.json()) as T;
  if (response.ok) return undefined as T;
  let problem: Partial<Problem> = {};
  if (type.includes('json')) problem = ((await response.json().catch(() => ({}))) ?? {}) as Partial<Problem>;
  if (response.status === 401 && !options.signingIn) onUnauthorized();
  if (typeof problem.detail !== 'string' || !problem.detail || typeof problem.code !== 'string') {
    const unexplained = webProblem('WEB_HTTP');
    throw new ApiProblem(response.status, unexplained.code, `${unexplained.message} (${response.status})`);
  }
  throw new ApiProblem(response.status, problem.code, problem.detail);
}

/** Path segment: slugs and keys are validated by the server; this only keeps them one segment. */
export const seg = (s: string): string => encodeURIComponent(s);

export function errorMessage(err: unknown): string {
  if (err instanceof ApiProblem) return err.message;
  return WEB_ERRORS.WEB_INTERNAL;
}
