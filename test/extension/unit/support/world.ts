// A live secrets server with one organization holding a member of every role and a few secrets in
// each default environment, made through the real API with core's SecretsClient — the same client the
// extension uses. Canary values let tests prove a value never shows up where it must not.
import type { Role } from '../../../../core/api-types.ts';
import { SecretsClient } from '../../../../core/client.ts';
import { startServer, type RunningServer, type StartOptions } from '../../../helpers/server.ts';

export const CANARY = {
  STRIPE_SECRET_KEY: 'canary-stripe-7f3a9c1e5b',
  DATABASE_URL: 'postgres://canary:canary-db-4d2e8b@db/app',
  PROD_ONLY_TOKEN: 'canary-prod-only-91c0ffee',
} as const;

export interface Member {
  name: string;
  token: string;
  client: SecretsClient;
}

export interface World {
  server: RunningServer;
  org: string;
  members: Record<Role, Member>;
  outsider: Member;
  /** A client for `role` with its own user agent (so audit lines tell tests apart). */
  clientFor(role: Role): SecretsClient;
  close(): Promise<void>;
}

let n = 0;

export function client(url: string, token: string): SecretsClient {
  return new SecretsClient({ baseUrl: url, token, userAgent: 'secrets-vscode-test/0.1.0', retries: 0 });
}

export async function startWorld(options: StartOptions = {}): Promise<World> {
  const server = await startServer(options);
  const admin = client(server.url, server.adminToken);
  const suffix = `${process.pid.toString(36)}-${++n}`;
  const make = async (label: string): Promise<Member> => {
    const name = `${label}-${suffix}`;
    const { token } = await admin.createUser({ name, email: `${name}@example.test` });
    return { name, token, client: client(server.url, token) };
  };
  const owner = await make('owner');
  const org = `acme-${suffix}`;
  await owner.client.createOrg({ slug: org, name: 'Acme Corp' });
  const members = { owner } as Record<Role, Member>;
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    const m = await make(role);
    const me = await m.client.me();
    await owner.client.putMember(org, me.user!.id, role);
    members[role] = m;
  }
  const outsider = await make('outsider');

  const seed: [string, string, string, string][] = [
    ['development', 'STRIPE_SECRET_KEY', CANARY.STRIPE_SECRET_KEY, 'Stripe test key'],
    ['development', 'DATABASE_URL', CANARY.DATABASE_URL, 'Primary database'],
    ['development', 'REDIS_URL', 'redis://dev', ''],
    ['staging', 'STRIPE_SECRET_KEY', 'canary-stripe-staging', ''],
    ['staging', 'DATABASE_URL', 'postgres://staging', ''],
    ['production', 'STRIPE_SECRET_KEY', 'canary-stripe-prod', 'Live Stripe key'],
    ['production', 'PROD_ONLY_TOKEN', CANARY.PROD_ONLY_TOKEN, ''],
  ];
  for (const [env, key, value, description] of seed) {
    await owner.client.createSecret(org, env, { key, value, ...(description ? { description } : {}) });
  }
  const all = [admin, ...Object.values(members).map((m) => m.client), outsider.client];
  return {
    server,
    org,
    members,
    outsider,
    clientFor: (role) => client(server.url, members[role].token),
    async close() {
      await Promise.all(all.map((c) => c.close().catch(() => undefined)));
      await server.stop();
    },
  };
}
