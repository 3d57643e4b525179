// The "Secrets" output channel: one line per HTTP answer (method, path, status, ms) and one per
// failure code. Everything passes the redactor first; values and the token are never written.
import * as vscode from 'vscode';
import type { ResponseInfo, RetryInfo } from '../../core/client.ts';
import { requestLine, retryLine } from '../logic/log-lines.ts';
import type { Redactor } from '../../core/redactor.ts';

export class OutputLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly #redactor: Redactor;

  constructor(redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel('Secrets', { log: true });
    this.#redactor = redactor;
  }

  response(info: ResponseInfo): void {
    this.channel.info(requestLine(info, this.#redactor));
  }

  retry(info: RetryInfo): void {
    this.channel.warn(retryLine(info, this.#redactor));
  }

  info(text: string): void {
    this.channel.info(this.#redactor.redact(text));
  }

  error(text: string): void {
    this.channel.error(this.#redactor.redact(text));
  }

  dispose(): void {
    this.channel.dispose();
  }
}
