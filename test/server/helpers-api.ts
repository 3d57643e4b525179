// Small helpers for the server engineer's tests: JSON calls against a RunningServer, and direct access
// to the data directory's SQLite file for the tests that play the attacker with file access.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { Problem, RevealedSecret } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';

export interface JsonReply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export async function call<T = unknown>(server: { url: string }, method: string, path: string, token?: string, json?: unknown): Promise<JsonReply<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

/** Calls and insists on the status, showing the body when it differs. */
export async function expectCall<T = unknown>(
  server: { url: string },
  status: number,
  method: string,
  path: string,
  token?: string,
  json?: unknown,
): Promise<JsonReply<T>> {
  const r = await call<T>(server, method, path, token, json);
  assert.equal(r.status, status, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

export function secretsPath(org: string, env: string, key?: string): string {
  return `/v1/orgs/${org}/environments/${env}/secrets${key ? `/${key}` : ''}`;
}

export async function createSecret(server: RunningServer, org: string, env: string, key: string, value: string, token = server.adminToken): Promise<void> {
  await expectCall(server, 201, 'POST', secretsPath(org, env), token, { key, value });
}

export async function reveal(server: RunningServer, org: string, env: string, key: string, token = server.adminToken): Promise<JsonReply<RevealedSecret & Problem>> {
  return call(server, 'POST', `${secretsPath(org, env, key)}/reveal`, token);
}

export function openDb(dataDir: string): DatabaseSync {
  const db = new DatabaseSync(join(dataDir, 'secrets.db'));
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/** A fresh random canary that cannot occur by chance. */
export function canary(label: string): string {
  return `CANARY_${label}_${crypto.randomUUID().replaceAll('-', '')}`;
}
