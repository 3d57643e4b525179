// One HTTP round trip to the secrets API with everything around it: the keep-alive pool, the per-attempt
// deadline, retries, problem+json → SecretsError, and the guarantee that no error we raise carries the
// token or a value (undici's own errors are never attached: some hold request or socket state).
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header.js';
import { codeForResponse, DEFAULT_MESSAGES, SecretsError, type SecretsErrorCode } from '../errors.ts';
import { backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.ts';
import { Redactor } from '../redactor.ts';
import { normalizeServerUrl } from '../server-url.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetryInfo {
  /** The attempt that just failed, counting from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** Why: `HTTP 503`, `HTTP 429`, `ECONNRESET`, `timeout after 10000 ms`, … (never a secret). */
  reason: string;
}

export interface ResponseInfo {
  method: string;
  /** The request path without its query string. */
  path: string;
  status: number;
  ms: number;
}

export interface TransportOptions {
  baseUrl: string;
  /** null for the one route that takes no bearer token (the OIDC exchange). */
  token: string | null;
  userAgent: string;
  timeoutMs: number;
  policy: RetryPolicy;
  onRetry?: (info: RetryInfo) => void;
  onResponse?: (info: ResponseInfo) => void;
  random?: () => number;
  /** Sent with every request (e.g. the workflow-context header). */
  headers?: Record<string, string>;
}

export interface RequestSpec {
  method: Method;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send twice: GET/PUT/DELETE, and the reveal POSTs (their only side effect is an audit event). */
  idempotent: boolean;
  /** Values this request carries, redacted from any error text the server might echo. */
  sensitive?: readonly string[];
}

export interface Reply<T> {
  status: number;
  headers: IncomingHttpHeaders;
  data: T;
}

/** Errors of the network layer that prove the request never reached the server, so any method may retry. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

interface Failure {
  error: SecretsError;
  retryable: boolean;
  reason: string;
  retryAfterMs?: number;
}

export class Transport {
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #origin: string;
  readonly #token: string | null;
  readonly #headers: Record<string, string>;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #onRetry?: (info: RetryInfo) => void;
  readonly #onResponse?: (info: ResponseInfo) => void;
  readonly #random: () => number;
  readonly #redactor: Redactor;

  constructor(options: TransportOptions) {
    const url = new URL(normalizeServerUrl(options.baseUrl));
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#token = options.token;
    this.#headers = { ...options.headers };
    this.#userAgent = options.userAgent;
    this.#timeoutMs = options.timeoutMs;
    this.#policy = options.policy;
    this.#onRetry = options.onRetry;
    this.#onResponse = options.onResponse;
    this.#random = options.random ?? Math.random;
    this.#redactor = new Redactor(options.token === null ? [] : [options.token]);
    this.#pool = new Pool(this.#origin, {
      connections: 8,
      keepAliveTimeout: 10_000,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** The server this transport talks to, without credentials; safe to print. */
  get origin(): string {
    return this.#origin + this.#prefix;
  }

  async send<T>(spec: RequestSpec): Promise<Reply<T>> {
    const redactor = this.#redactor.with(spec.sensitive ?? []);
    const maxAttempts = Math.max(0, this.#policy.retries) + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt<T>(spec, redactor);
      if ('data' in outcome) return outcome;
      const failure = outcome;
      const last = attempt >= maxAttempts;
      const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > this.#policy.maxRetryAfterMs;
      if (!failure.retryable || last || tooLong) {
        throw withAttempts(failure.error, attempt);
      }
      const delayMs = failure.retryAfterMs ?? backoffDelay(attempt, this.#policy, this.#random);
      safeCall(this.#onRetry, { attempt, delayMs, reason: failure.reason });
      await sleep(delayMs);
    }
  }

  /**
   * Opens a long-lived GET (an event stream): one attempt, no retries (the caller resumes), failures
   * mapped like send()'s. The body ends after `idleTimeoutMs` without a byte (heartbeats keep it open).
   */
  async openStream(path: string, headers: Record<string, string>, idleTimeoutMs: number, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const spec: RequestSpec = { method: 'GET', path, idempotent: true };
    const started = performance.now();
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(), this.#timeoutMs);
    const onAbort = () => connect.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.#pool.request({
        method: 'GET',
        path: this.#prefix + path,
        headers: { accept: 'text/event-stream', authorization: `Bearer ${this.#token}`, 'user-agent': this.#userAgent, ...headers },
        signal: connect.signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: idleTimeoutMs,
      });
      clearTimeout(timer);
      safeCall(this.#onResponse, { method: 'GET', path, status: res.statusCode, ms: Math.round(performance.now() - started) });
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        throw this.#httpFailure(res.statusCode, res.headers, text, spec, this.#redactor).error;
      }
      const body = res.body;
      return (async function* () {
        try {
          for await (const chunk of body) yield chunk as Buffer;
        } catch (err) {
          if (signal?.aborted) return;
          throw new SecretsError(TIMEOUTS.has(errorCode(err) ?? '') ? 'SECRETS_TIMEOUT' : 'SECRETS_NETWORK', 'The event stream was interrupted');
        } finally {
          signal?.removeEventListener('abort', onAbort);
          body.destroy();
        }
      })();
    } catch (err) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err instanceof SecretsError) throw err;
      throw this.#networkFailure(err, spec, connect.signal.aborted && !signal?.aborted).error;
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.closed && !this.#pool.destroyed) await this.#pool.close();
  }

  async #attempt<T>(spec: RequestSpec, redactor: Redactor): Promise<Reply<T> | Failure> {
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...(this.#token !== null && { authorization: `Bearer ${this.#token}` }),
      'user-agent': this.#userAgent,
      ...this.#headers,
      ...spec.headers,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const pathOnly = spec.path.split('?')[0]!;
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    let status: number;
    let resHeaders: IncomingHttpHeaders;
    let text: string;
    try {
      const res = await this.#pool.request({
        method: spec.method,
        path: this.#prefix + spec.path,
        headers,
        body,
        signal: deadline.signal,
      });
      status = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      return this.#networkFailure(err, spec, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    safeCall(this.#onResponse, { method: spec.method, path: pathOnly, status, ms: Math.round(performance.now() - started) });

    if (status >= 200 && status < 300) {
      if (status === 204 || text === '') return { status, headers: resHeaders, data: undefined as T };
      try {
        return { status, headers: resHeaders, data: JSON.parse(text) as T };
      } catch {
        // The body may be a revealed value: say nothing about its content.
        return {
          error: new SecretsError('SECRETS_SERVER', `The secrets server sent an unreadable response (HTTP ${status})`, { status }),
          retryable: false,
          reason: `HTTP ${status}`,
        };
      }
    }
    return this.#httpFailure(status, resHeaders, text, spec, redactor);
  }

  #httpFailure(status: number, headers: IncomingHttpHeaders, text: string, spec: RequestSpec, redactor: Redactor): Failure {
    const problem = readProblem(text, headers['content-type']);
    const code = codeForResponse(status, problem.code);
    const detail = problem.detail !== undefined ? redactor.redact(problem.detail) : undefined;
    const title = problem.title !== undefined ? redactor.redact(problem.title) : undefined;
    const errors = problem.errors?.map((e) => ({ path: redactor.redact(e.path), message: redactor.redact(e.message) }));
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : undefined;
    const message = detail ?? title ?? (status < 400 ? `Unexpected HTTP ${status} from the secrets server` : DEFAULT_MESSAGES[code]);
    const error = new SecretsError(code, message, {
      status,
      ...(problem.code !== undefined && { problemCode: redactor.redact(problem.code) }),
      ...(detail !== undefined && { detail }),
      ...(errors !== undefined && { errors }),
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
    return {
      error,
      retryable: spec.idempotent && isRetryableStatus(status),
      reason: `HTTP ${status}`,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }

  #networkFailure(err: unknown, spec: RequestSpec, ourDeadline: boolean): Failure {
    const sysCode = errorCode(err);
    const timedOut = ourDeadline || (sysCode !== undefined && TIMEOUTS.has(sysCode));
    const neverSent = sysCode !== undefined && NEVER_SENT.has(sysCode);
    let code: SecretsErrorCode;
    let message: string;
    let reason: string;
    if (timedOut) {
      code = 'SECRETS_TIMEOUT';
      reason = `timeout after ${this.#timeoutMs} ms`;
      message = `The secrets server at ${this.origin} did not answer within ${this.#timeoutMs} ms`;
    } else if (sysCode === 'UND_ERR_DESTROYED' || sysCode === 'UND_ERR_CLOSED') {
      return {
        error: new SecretsError('SECRETS_NETWORK', 'The client was closed; create a new SecretsClient'),
        retryable: false,
        reason: sysCode,
      };
    } else {
      code = 'SECRETS_NETWORK';
      reason = sysCode ?? 'network error';
      message = `Could not reach the secrets server at ${this.origin} (${reason})`;
    }
    // Deliberately no `cause`: the undici error may reference the socket or request options.
    return { error: new SecretsError(code, message), retryable: spec.idempotent || neverSent, reason };
  }
}

interface LooseProblem {
  code?: string;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

function readProblem(text: string, contentType: string | string[] | undefined): LooseProblem {
  const type = String(Array.isArray(contentType) ? contentType[0] : (contentType ?? ''));
  if (!/json/i.test(type) || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const p = parsed as Record<string, unknown>;
  const out: LooseProblem = {};
  if (typeof p.code === 'string') out.code = p.code;
  if (typeof p.title === 'string') out.title = p.title;
  if (typeof p.detail === 'string' && p.detail !== '') out.detail = p.detail;
  if (Array.isArray(p.errors)) {
    out.errors = p.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ path: String(e.path ?? ''), message: String(e.message ?? '') }));
  }
  return out;
}

/** The system or undici error code, looking through AggregateError (happy-eyeballs connects) and `cause`. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 3) return undefined;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && e.code !== 'UND_ERR_ABORTED' && e.code !== 'ABORT_ERR') return e.code;
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0], depth + 1);
  if (e.cause !== undefined) return errorCode(e.cause, depth + 1);
  return typeof e.code === 'string' ? e.code : undefined;
}

function withAttempts(error: SecretsError, attempts: number): SecretsError {
  return new SecretsError(error.code, error.message, {
    ...(error.status !== undefined && { status: error.status }),
    ...(error.problemCode !== undefined && { problemCode: error.problemCode }),
    ...(error.detail !== undefined && { detail: error.detail }),
    ...(error.errors !== undefined && { errors: error.errors }),
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    attempts,
  });
}

/** Observability hooks must not be able to break (or leak into) a request. */
function safeCall<T>(hook: ((info: T) => void) | undefined, info: T): void {
  if (!hook) return;
  try {
    hook(info);
  } catch {
    // ignored on purpose: a logging hook's failure is not the request's failure
  }
}
