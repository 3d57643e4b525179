// A small, known world on a live secrets server, made through the public API (docs/api.md) exactly
// as an administrator would: an owner who creates the organization, a viewer member, and a few
// secrets in each environment. Values are test canaries, recognisable if one ever leaks into a log:
// long, unique and containing "canary", so none can be found by chance in text that holds a date or a
// time (a value `30` was "found" in a tooltip on every 30th and at every half hour).
export interface SeededWorld {
  url: string;
  org: string;
  ownerName: string;
  ownerToken: string;
  viewerName: string;
  viewerToken: string;
  /** An Editor who owns no workspace. */
  editorName: string;
  editorToken: string;
  /** An Editor the workspace suite makes the owner of a workspace. */
  wsOwnerId: string;
  wsOwnerName: string;
  wsOwnerToken: string;
  /** environment → key → value */
  seeded: Record<string, Record<string, string>>;
}

export const SEED: Record<string, Record<string, string>> = {
  development: {
    DATABASE_URL: 'postgres://dev:canary-dev-db-7f3a@localhost/app',
    STRIPE_KEY: 'sk_test_canary_dev_91c2',
    REDIS_URL: 'redis://canary-dev-redis:6379',
    API_TIMEOUT: 'canary-dev-timeout-2b8e',
  },
  staging: {
    DATABASE_URL: 'postgres://stg:canary-stg-db-51b0@db.staging/app',
    STRIPE_KEY: 'sk_test_canary_stg_3d77',
  },
  production: {
    DATABASE_URL: 'postgres://prod:canary-prod-db-c0de@db.prod/app',
    STRIPE_KEY: 'sk_live_canary_prod_a1b2',
    SENTRY_DSN: 'https://canary-sentry@o0.ingest.example/1',
  },
};

async function call<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  // The path and status are enough to debug a seeding failure; bodies could hold a token.
  if (!res.ok) throw new Error(`seeding: ${method} ${path} answered ${res.status}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function seedWorld(url: string, adminToken: string, org = 'acme'): Promise<SeededWorld> {
  const owner = await call<{ user: { id: string; name: string }; token: string }>(url, adminToken, 'POST', '/v1/users', {
    name: 'Olivia Owner',
    email: 'olivia@acme.test',
  });
  const viewer = await call<{ user: { id: string; name: string }; token: string }>(url, adminToken, 'POST', '/v1/users', {
    name: 'Victor Viewer',
    email: 'victor@acme.test',
  });
  const editor = await call<{ user: { id: string; name: string }; token: string }>(url, adminToken, 'POST', '/v1/users', {
    name: 'Eddie Editor',
    email: 'eddie@acme.test',
  });
  const wsOwner = await call<{ user: { id: string; name: string }; token: string }>(url, adminToken, 'POST', '/v1/users', {
    name: 'Wendy Workspace',
    email: 'wendy@acme.test',
  });
  await call(url, owner.token, 'POST', '/v1/orgs', { slug: org, name: 'Acme Corp' });
  await call(url, owner.token, 'PUT', `/v1/orgs/${org}/members/${viewer.user.id}`, { role: 'viewer' });
  await call(url, owner.token, 'PUT', `/v1/orgs/${org}/members/${editor.user.id}`, { role: 'editor' });
  await call(url, owner.token, 'PUT', `/v1/orgs/${org}/members/${wsOwner.user.id}`, { role: 'editor' });
  for (const [env, secrets] of Object.entries(SEED)) {
    for (const [key, value] of Object.entries(secrets)) {
      await call(url, owner.token, 'POST', `/v1/orgs/${org}/environments/${env}/secrets`, { key, value, description: `${key} for ${env}` });
    }
  }
  return {
    url,
    org,
    ownerName: owner.user.name,
    ownerToken: owner.token,
    viewerName: viewer.user.name,
    viewerToken: viewer.token,
    editorName: editor.user.name,
    editorToken: editor.token,
    wsOwnerId: wsOwner.user.id,
    wsOwnerName: wsOwner.user.name,
    wsOwnerToken: wsOwner.token,
    seeded: structuredClone(SEED),
  };
}
