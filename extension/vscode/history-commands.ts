// The commands of history and keyless CI: Show History of a secret, reveal/hide an old version (timed
// re-mask, like the tree), Roll Back to a version (confirmed, If-Match of the version shown as
// current), What Changed in an environment between two moments, and Refresh of the Trust Policies view.
import * as vscode from 'vscode';
import type { EnvironmentChanges, SecretMeta } from '../../core/api-types.ts';
import { isSecretsError } from '../../core/errors.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { changesMarkdown, whatChanged, type WhatChangedArgs } from '../logic/changes.ts';
import type { Target } from '../logic/ports.ts';
import { rollbackSecret, type RollbackArgs } from '../logic/rollback-secret.ts';
import type { TrustOverview } from '../logic/trust.ts';
import type { HistoryModel, VersionNode } from '../model/history-model.ts';
import { canAdminister } from '../model/permissions.ts';
import type { TrustModel } from '../model/trust-model.ts';
import { isEnvNode, isObject } from './args.ts';
import { HISTORY_VIEW_ID } from './history-provider.ts';
import type { SecretCommands } from './secret-commands.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';
import { vscodeUi } from './ui-port.ts';

export interface HistorySummary {
  key: string;
  org: string;
  env: string;
  workspace?: string;
  versions: { version: number; createdBy: string; createdAt: string; description: string; current: boolean }[];
}

export class HistoryCommands {
  readonly #session: Session;
  readonly #secrets: SecretCommands;
  readonly history: HistoryModel;
  readonly trust: TrustModel;

  constructor(session: Session, secrets: SecretCommands, history: HistoryModel, trust: TrustModel) {
    this.#session = session;
    this.#secrets = secrets;
    this.history = history;
    this.trust = trust;
  }

  async showHistory(arg?: unknown): Promise<HistorySummary> {
    const t = await this.#secrets.resolveSecret(arg, 'view', 'Show History');
    const scope = t.node?.meta.scope;
    const target = { org: t.org, env: t.env, ...(t.workspace !== undefined ? { workspace: t.workspace } : {}), key: t.key, ...(scope !== undefined ? { scope } : {}) };
    await this.#session.progress(`Loading the history of ${t.key}`, () => this.history.show(target));
    await Promise.resolve(vscode.commands.executeCommand(`${HISTORY_VIEW_ID}.focus`)).catch(() => undefined);
    return this.#summary(target);
  }

  async refreshHistory(): Promise<HistorySummary> {
    this.#session.requireClient();
    const t = this.history.target;
    if (!t) throw new ExtensionError('EXT_NO_HISTORY');
    await this.#session.progress(`Loading the history of ${t.key}`, () => this.history.reload());
    return this.#summary(t);
  }

  #summary(t: Target & { key: string }): HistorySummary {
    return {
      key: t.key,
      org: t.org,
      env: t.env,
      ...(t.workspace !== undefined ? { workspace: t.workspace } : {}),
      versions: this.history.versions.map((v) => ({ version: v.version, createdBy: v.createdBy, createdAt: v.createdAt, description: v.description, current: v.current })),
    };
  }

  async revealVersion(arg?: unknown): Promise<{ key: string; version: number; revealed: true; seconds: number }> {
    this.#session.requireClient();
    const version = await this.#version(arg, 'Reveal Version');
    const t = this.history.target!;
    this.#session.requirePermission(t.org, 'reveal');
    const node = await this.history.reveal(version);
    this.#session.redactor.add(node.display);
    return { key: node.secretKey, version, revealed: true, seconds: readSettings().revealSeconds };
  }

  async hideVersion(arg?: unknown): Promise<{ version: number; revealed: false }> {
    const version = await this.#version(arg, 'Hide Version');
    this.history.hide(version);
    return { version, revealed: false };
  }

  async rollbackToVersion(arg?: unknown, rollbackArgs?: unknown): Promise<SecretMeta> {
    const client = this.#session.requireClient();
    const version = await this.#version(arg, 'Roll Back');
    const t = this.history.target!;
    this.#session.requireWrite(t, 'edit', { key: t.key, ...(t.scope !== undefined ? { scope: t.scope } : {}) });
    const shownCurrent = this.history.shownCurrent!;
    try {
      const meta = await rollbackSecret(client, vscodeUi, t, t.key, { to: version, shownCurrent }, isObject(rollbackArgs) ? (rollbackArgs as RollbackArgs) : undefined);
      this.#session.secretChanged(t, meta);
      void vscode.window.showInformationMessage(`Rolled back ${t.key} in ${t.env} to version ${version} (now version ${meta.version})`);
      return meta;
    } catch (err) {
      // Show what won, so the next attempt starts from it.
      if (isSecretsError(err, 'SECRETS_STALE_VERSION')) await this.history.reload().catch(() => undefined);
      throw err;
    } finally {
      await this.history.reload().catch(() => undefined);
    }
  }

  async whatChanged(arg?: unknown, changeArgs?: unknown): Promise<EnvironmentChanges> {
    const client = this.#session.requireClient();
    const target: Target = isEnvNode(arg)
      ? { org: arg.org, env: arg.env, ...(arg.workspace !== undefined ? { workspace: arg.workspace } : {}) }
      : typeof arg === 'string' && arg.trim() !== ''
        ? { ...this.#session.requireTarget(), env: arg.trim() }
        : this.#session.requireTarget();
    const args = isObject(changeArgs) && typeof changeArgs.from === 'string' ? (changeArgs as unknown as WhatChangedArgs) : undefined;
    const changes = await this.#session.progress(`Reading the changes of ${target.env}`, () => whatChanged(client, vscodeUi, target, new Date(), args));
    if (!args) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: changesMarkdown(changes, target) });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return changes;
  }

  async refreshTrustPolicies(): Promise<TrustOverview> {
    this.#session.requireClient();
    const org = this.#session.requireOrg();
    if (!canAdminister(this.#session.model.roleIn(org))) {
      throw new ExtensionError('EXT_NOT_ALLOWED', `Trust policies are managed by the Admins and Owners of ${org}; your role is ${this.#session.model.roleIn(org) ?? 'unknown'}`);
    }
    return this.#session.progress('Loading trust policies', () => this.trust.load(org));
  }

  /** The version a command acts on: a History item, `{ version }`, a number, or a pick of the versions shown. */
  async #version(arg: unknown, title: string): Promise<number> {
    if (!this.history.target) throw new ExtensionError('EXT_NO_HISTORY');
    const given = typeof arg === 'number' ? arg : isObject(arg) ? (arg as Partial<VersionNode>).version : undefined;
    let version: number | undefined = typeof given === 'number' ? given : undefined;
    if (version === undefined) {
      version = await vscodeUi.pick(
        this.history.versions.map((v) => ({ label: `version ${v.version}`, description: v.current ? 'current' : undefined, detail: `by ${v.createdBy} at ${v.createdAt}`, value: v.version })),
        { title: `${title} (${this.history.label})` },
      );
      if (version === undefined) throw new Cancelled();
    }
    const shown = version;
    if (!this.history.versions.some((v) => v.version === shown)) {
      throw new ExtensionError('EXT_VERSION_NOT_SHOWN', `Version ${version} of ${this.history.target.key} is not in the History view: refresh it`);
    }
    return version;
  }
}
