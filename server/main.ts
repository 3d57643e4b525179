// Entry point: `node server/main.ts` serves the API; `node server/main.ts rotate-master-key` re-wraps
// every organization's data key under a new master key; `backup <file>` and `restore <file> [--force]`
// copy the SQLite store out (while the server runs) and back in (while it does not).
import { loadConfig } from './config.ts';
import { installGracefulShutdown } from './ops/shutdown.ts';
import { startServer } from './start.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const command = process.argv[2];
  if (command === 'rotate-master-key') {
    const { rotateMasterKey } = await import('./rotate.ts');
    await rotateMasterKey(config, process.env);
    return;
  }
  if ((command === 'backup' || command === 'restore') && config.databaseUrl) {
    // The URL may hold a password: the message names the setting, never its value.
    throw new Error(`${command} copies the SQLite store; with SECRETS_DATABASE_URL set, use pg_dump and pg_restore (docs/operations.md, Backups)`);
  }
  if (command === 'backup') {
    const { backupStore } = await import('./backup.ts');
    backupStore(config, process.argv[3]);
    return;
  }
  if (command === 'restore') {
    const { restoreStore } = await import('./restore.ts');
    restoreStore(config, process.argv.slice(3));
    return;
  }
  if (command !== undefined) throw new Error(`unknown command "${command}" (expected nothing, rotate-master-key, backup <file> or restore <file> [--force])`);
  const app = await startServer(config);
  installGracefulShutdown(app, config.ops.shutdownTimeoutMs);
}

main().catch((err: Error) => {
  process.stderr.write(`secrets server: ${err.message}\n`);
  process.exit(1);
});
