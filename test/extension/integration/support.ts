// What the suites share: the extension's test API, commands called as a user's click would call them
// (through VS Code's command service), polling for what happens on a timer, and direct calls to the
// live server to check what really changed there.
import * as vscode from 'vscode';
import type { SecretsExtensionApi } from '../../../extension/extension.ts';
import type { SecretNode, TreeNode } from '../../../extension/model/nodes.ts';
import { extension, fixture } from './context.ts';

export type { SecretsExtensionApi, SecretNode, TreeNode };

export const MASK = '••••••••';

export async function api(): Promise<SecretsExtensionApi> {
  return (await extension().activate()) as SecretsExtensionApi;
}

export function server(): NonNullable<ReturnType<typeof fixture>['server']> {
  const s = fixture().server;
  if (!s) throw new Error('this suite needs the live server from the harness (fixture.server)');
  return s;
}

/** Runs a command through VS Code; commands return `{ error }` instead of throwing (the contract). */
export function run<T = unknown>(id: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(id, ...args);
}

export interface CommandError {
  error: { code: string; message: string };
}

export function isCommandError(v: unknown): v is CommandError {
  return typeof v === 'object' && v !== null && 'error' in v;
}

export async function eventually<T>(probe: () => T | Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tree as the view would load it: organizations, then one environment's children. */
export async function envChildren(a: SecretsExtensionApi, org: string, env: string): Promise<TreeNode[]> {
  const orgs = await a.model.children();
  const orgNode = orgs.find((n) => n.kind === 'org' && n.org === org);
  if (!orgNode) throw new Error(`organization ${org} is not in the tree`);
  const envs = await a.model.children(orgNode);
  const envNode = envs.find((n) => n.kind === 'env' && n.env === env);
  if (!envNode) throw new Error(`environment ${env} is not under ${org}`);
  return a.model.children(envNode);
}

export function secretsOf(nodes: TreeNode[]): SecretNode[] {
  return nodes.filter((n): n is SecretNode => n.kind === 'secret');
}

/** A call to the live server as another client would make it (not through the extension). */
export async function direct(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server().url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export async function revealOnServer(key: string, env = 'development'): Promise<string | undefined> {
  const s = server();
  const r = await direct(s.ownerToken, 'POST', `/v1/orgs/${s.org}/environments/${env}/secrets/${key}/reveal`);
  return r.status === 200 ? (r.body as { value: string }).value : undefined;
}
