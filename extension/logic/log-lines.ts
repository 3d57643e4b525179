// The output channel's lines. Built from what the client reports (method, path without query, status,
// time) and passed through the redactor, so nothing but metadata can reach the log.
import type { ResponseInfo, RetryInfo } from '../../core/client.ts';
import type { Redactor } from '../../core/redactor.ts';

export function requestLine(info: ResponseInfo, redactor: Redactor): string {
  return redactor.redact(`${info.method} ${info.path} ${info.status} ${Math.round(info.ms)}ms`);
}

export function retryLine(info: RetryInfo, redactor: Redactor): string {
  return redactor.redact(`retry ${info.attempt} in ${Math.round(info.delayMs)}ms: ${info.reason}`);
}
