// Paths and builders for the workspace tests (docs/api.md, Workspaces), through the public API only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BulkReveal, SecretMeta, Workspace } from '../../../core/api-types.ts';
import type { Http } from './http.ts';
import { unique } from './fixtures.ts';

export const workspacesPath = (org: string) => `/v1/orgs/${org}/workspaces`;
export const workspacePath = (org: string, ws: string) => `${workspacesPath(org)}/${ws}`;
/** `…/workspaces/{ws}/environments/{env}`: the workspace's place. */
export const wsEnvPath = (org: string, ws: string, env: string) => `${workspacePath(org, ws)}/environments/${env}`;
export const wsSecretsPath = (org: string, ws: string, env: string) => `${wsEnvPath(org, ws, env)}/secrets`;
export const wsSecretPath = (org: string, ws: string, env: string, key: string) => `${wsSecretsPath(org, ws, env)}/${key}`;

/** Long, unique, and recognisable anywhere it should not be. */
export const canary = (label: string) => `ws-canary-${label}-${randomBytes(16).toString('hex')}`;

export async function createWorkspace(api: Http, token: string, org: string, extra: { slug?: string; owner?: string; name?: string } = {}): Promise<Workspace> {
  const slug = extra.slug ?? unique('ws');
  const r = await api.post<Workspace>(workspacesPath(org), token, { slug, ...(extra.owner && { owner: extra.owner }), ...(extra.name && { name: extra.name }) });
  assert.equal(r.status, 201, `create workspace: ${r.status} ${r.text}`);
  return r.body;
}

export async function createWsSecret(api: Http, token: string, org: string, ws: string, env: string, key: string, value: string): Promise<SecretMeta> {
  const r = await api.post<SecretMeta>(wsSecretsPath(org, ws, env), token, { key, value });
  assert.equal(r.status, 201, `create workspace secret ${key}: ${r.status} ${r.text}`);
  return r.body;
}

export async function createOrgSecret(api: Http, token: string, org: string, env: string, key: string, value: string, workspaces?: string[]): Promise<SecretMeta> {
  const r = await api.post<SecretMeta>(`/v1/orgs/${org}/environments/${env}/secrets`, token, { key, value, ...(workspaces && { workspaces }) });
  assert.equal(r.status, 201, `create org secret ${key}: ${r.status} ${r.text}`);
  return r.body;
}

/** The workspace's effective set as one bulk reveal: key → { value, scope }. */
export async function wsBulk(api: Http, token: string, org: string, ws: string, env: string): Promise<Map<string, { value: string; scope: string | undefined }>> {
  const r = await api.post<BulkReveal>(`${wsEnvPath(org, ws, env)}/reveal`, token);
  assert.equal(r.status, 200, `bulk reveal of ${ws}: ${r.status} ${r.text}`);
  assert.equal(r.body.workspace, ws);
  return new Map(r.body.secrets.map((s) => [s.key, { value: s.value, scope: s.scope }]));
}
