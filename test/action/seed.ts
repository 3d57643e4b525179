// A live server with one organization and environment filled with secrets, and a service token for it: what
// a user sets up before adding the action to a workflow.
import { SecretsClient } from '../../core/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

export interface Seeded {
  server: RunningServer;
  url: string;
  org: string;
  environment: string;
  /** A service token for org/environment, as a workflow would hold in secrets.SECRETS_TOKEN. */
  token: string;
  /** The instance admin's personal token. */
  adminToken: string;
  admin: SecretsClient;
  stop(): Promise<void>;
}

export async function seed(secrets: Record<string, string>, opts: { org?: string; environment?: string; serverEnv?: Record<string, string> } = {}): Promise<Seeded> {
  const server = await startServer(opts.serverEnv ? { env: opts.serverEnv } : {});
  const org = opts.org ?? 'acme';
  const environment = opts.environment ?? 'production';
  const admin = new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: 'action-tests/0' });
  try {
    await admin.createOrg({ slug: org, name: org });
    for (const [key, value] of Object.entries(secrets)) await admin.createSecret(org, environment, { key, value });
    const { token } = await admin.createServiceToken(org, { name: 'ci', environment });
    return {
      server,
      url: server.url,
      org,
      environment,
      token,
      adminToken: server.adminToken,
      admin,
      async stop() {
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
