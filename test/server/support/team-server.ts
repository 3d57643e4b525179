// The set-up most server behaviour tests share: a server of their own (server/main.ts as a process)
// and a team in it (owner, admin, editor, viewer, outsider), made through the public API.
import { startServer, type RunningServer, type StartOptions } from '../../helpers/server.ts';
import { createTeam, type Team } from './fixtures.ts';
import { http, type Http } from './http.ts';

export interface TeamServer {
  server: RunningServer;
  api: Http;
  team: Team;
}

export async function startTeamServer(options: StartOptions = {}): Promise<TeamServer> {
  const server = await startServer(options);
  const api = http(server.url);
  return { server, api, team: await createTeam(api, server.adminToken) };
}
