// The command table's receiver: the session (connection and scope), the secret, history and workspace
// commands, plus the edge that turns any failure into one notification naming the action.
import * as vscode from 'vscode';
import { Cancelled, describeError } from '../errors.ts';
import type { OutputLog } from './output-log.ts';
import type { HistoryCommands } from './history-commands.ts';
import type { SecretCommands } from './secret-commands.ts';
import type { Session } from './session.ts';
import type { WorkspaceCommands } from './workspace-commands.ts';

export interface CommandFailure {
  error: { code: string; message: string };
}

// Shown as information rather than as an error: the user did nothing wrong.
const INFORMATIONAL = new Set(['EXT_NO_CHANGES']);

export class Controller {
  readonly session: Session;
  readonly secrets: SecretCommands;
  readonly history: HistoryCommands;
  readonly workspaces: WorkspaceCommands;
  readonly #log: OutputLog;
  lastError: { code: string; message: string } | undefined;

  constructor(session: Session, secrets: SecretCommands, history: HistoryCommands, workspaces: WorkspaceCommands, log: OutputLog) {
    this.session = session;
    this.secrets = secrets;
    this.history = history;
    this.workspaces = workspaces;
    this.#log = log;
  }

  fail(title: string, err: unknown): CommandFailure | { cancelled: true } {
    if (err instanceof Cancelled) return { cancelled: true };
    const e = describeError(title, err, (t) => this.session.redactor.redact(t));
    this.lastError = e;
    this.#log.error(`${e.code}: ${e.message}`);
    if (INFORMATIONAL.has(e.code)) void vscode.window.showInformationMessage(e.message);
    else void vscode.window.showErrorMessage(e.message);
    return { error: e };
  }
}
