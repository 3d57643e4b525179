// Builders for the people and organizations the behaviour tests need, made through the public API
// only (the instance admin creates users; users create orgs and add members), so the set-up itself
// exercises the contract.
import assert from 'node:assert/strict';
import type { Environment, Member, Org, Role, SecretMeta, ServiceToken, User } from '../../../core/api-types.ts';
import type { Http } from './http.ts';

let counter = 0;
/** A short name unique within this test process, safe as a slug suffix. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${counter}`;
}

export interface Person {
  user: User;
  token: string;
}

export async function createUser(api: Http, adminToken: string, name = unique('user')): Promise<Person> {
  const r = await api.post<{ user: User; token: string }>('/v1/users', adminToken, { name, email: `${name}@example.test` });
  assert.equal(r.status, 201, `create user: ${r.status} ${r.text}`);
  return { user: r.body.user, token: r.body.token };
}

export async function createOrg(api: Http, ownerToken: string, slug = unique('org')): Promise<string> {
  const r = await api.post<Org>('/v1/orgs', ownerToken, { slug, name: `Org ${slug}` });
  assert.equal(r.status, 201, `create org: ${r.status} ${r.text}`);
  return slug;
}

export async function setRole(api: Http, token: string, org: string, userId: string, role: Role): Promise<Member> {
  const r = await api.put<Member>(`/v1/orgs/${org}/members/${userId}`, token, { role });
  assert.ok(r.status === 200 || r.status === 201, `set role: ${r.status} ${r.text}`);
  return r.body;
}

export interface Team {
  org: string;
  owner: Person;
  admin: Person;
  editor: Person;
  viewer: Person;
  /** A user of the instance who is not a member of `org`. */
  outsider: Person;
}

/** A fresh organization with one member of each role and one non-member. */
export async function createTeam(api: Http, adminToken: string, slug = unique('team')): Promise<Team> {
  const owner = await createUser(api, adminToken, unique('owner'));
  const org = await createOrg(api, owner.token, slug);
  const team: Team = {
    org,
    owner,
    admin: await createUser(api, adminToken, unique('admin')),
    editor: await createUser(api, adminToken, unique('editor')),
    viewer: await createUser(api, adminToken, unique('viewer')),
    outsider: await createUser(api, adminToken, unique('outsider')),
  };
  await setRole(api, owner.token, org, team.admin.user.id, 'admin');
  await setRole(api, owner.token, org, team.editor.user.id, 'editor');
  await setRole(api, owner.token, org, team.viewer.user.id, 'viewer');
  return team;
}

export const secretsPath = (org: string, env: string) => `/v1/orgs/${org}/environments/${env}/secrets`;
export const secretPath = (org: string, env: string, key: string) => `${secretsPath(org, env)}/${encodeURIComponent(key)}`;
export const bulkRevealPath = (org: string, env: string) => `/v1/orgs/${org}/environments/${env}/reveal`;

export async function createSecret(
  api: Http,
  token: string,
  org: string,
  env: string,
  key: string,
  value: string,
  description?: string,
): Promise<SecretMeta> {
  const r = await api.post<SecretMeta>(secretsPath(org, env), token, description === undefined ? { key, value } : { key, value, description });
  assert.equal(r.status, 201, `create secret ${key}: ${r.status} ${r.text}`);
  return r.body;
}

export async function reveal(api: Http, token: string, org: string, env: string, key: string): Promise<string> {
  const r = await api.post<{ key: string; value: string; version: number }>(`${secretPath(org, env, key)}/reveal`, token);
  assert.equal(r.status, 200, `reveal ${key}: ${r.status} ${r.text}`);
  return r.body.value;
}

export async function createEnvironment(api: Http, token: string, org: string, slug = unique('env')): Promise<string> {
  const r = await api.post<Environment>(`/v1/orgs/${org}/environments`, token, { slug });
  assert.equal(r.status, 201, `create environment: ${r.status} ${r.text}`);
  return slug;
}

export async function createServiceToken(
  api: Http,
  token: string,
  org: string,
  environment: string,
  extra: { name?: string; expiresAt?: string } = {},
): Promise<ServiceToken & { token: string }> {
  const r = await api.post<ServiceToken & { token: string }>(`/v1/orgs/${org}/tokens`, token, {
    name: extra.name ?? unique('ci'),
    environment,
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
  });
  assert.equal(r.status, 201, `create service token: ${r.status} ${r.text}`);
  return r.body;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
