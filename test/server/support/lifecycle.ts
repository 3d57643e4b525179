// Stops a test server and removes its data directory, so a test run leaves no databases (and no
// master keys) behind in the temp dir.
import { rmSync } from 'node:fs';
import type { RunningServer } from '../../helpers/server.ts';

export async function stopAndRemove(...servers: (RunningServer | undefined)[]): Promise<void> {
  // stop every server before removing anything: a restart test's servers share one data directory
  for (const server of servers) await server?.stop();
  for (const server of servers) if (server) rmSync(server.dataDir, { recursive: true, force: true });
}
