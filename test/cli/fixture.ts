// One live server per test file, with an organization and users of each kind the CLI tests need, set up
// through the real API with the core client.
import { SecretsClient } from '../../core/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

export interface Fixture {
  server: RunningServer;
  url: string;
  /** The instance admin, owner of every organization created here. */
  admin: SecretsClient;
  adminToken: string;
  org: string;
  /** A member with the viewer role: can list, cannot reveal. */
  viewerToken: string;
  close(): Promise<void>;
}

export function clientFor(url: string, token: string): SecretsClient {
  return new SecretsClient({ baseUrl: url, token, userAgent: 'secrets-cli-tests/0', retries: 0 });
}

export async function startFixture(org = 'acme'): Promise<Fixture> {
  const server = await startServer();
  const admin = clientFor(server.url, server.adminToken);
  try {
    await admin.createOrg({ slug: org, name: 'Acme' });
    const viewer = await admin.createUser({ name: 'Vera Viewer', email: `vera-${org}@example.com` });
    await admin.putMember(org, viewer.user.id, 'viewer');
    return {
      server,
      url: server.url,
      admin,
      adminToken: server.adminToken,
      org,
      viewerToken: viewer.token,
      async close() {
        await admin.close();
        await server.stop();
      },
    };
  } catch (err) {
    await admin.close();
    await server.stop();
    throw err;
  }
}
