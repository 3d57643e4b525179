// The PostgreSQL the tests use: test/setup/postgres.sh (run by `npm test` through tools.sh) starts it on
// 127.0.0.1 with the role below; SECRETS_TEST_DATABASE_URL points elsewhere. Every server a test starts
// gets a database of its own, named for this test process and the server's data directory (a restart
// on the same directory finds its data again). Databases of test processes that have ended are
// dropped when the next process creates its first one.
import { createHash } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.SECRETS_TEST_DATABASE_URL || 'postgres://secrets_test:secrets_test@127.0.0.1:5432/postgres';
const PREFIX = 'secrets_t_';

/** True in the suites' PostgreSQL run (`SECRETS_TEST_BACKEND=postgres`, set by `npm run test:unit:postgres`). */
export function testingPostgres(): boolean {
  return process.env.SECRETS_TEST_BACKEND === 'postgres';
}

function urlFor(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept: Promise<void> | null = null;

async function sweep(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (pid === process.pid || (Number.isInteger(pid) && alive(pid))) continue;
    await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** The URL of this process's database for `tag` (e.g. a data directory), created when missing. */
export async function databaseFor(tag: string): Promise<string> {
  const name = `${PREFIX}${process.pid}_${createHash('sha256').update(tag).digest('hex').slice(0, 16)}`;
  await withAdmin(async (c) => {
    swept ??= sweep(c);
    await swept;
    try {
      await c.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  });
  return urlFor(name);
}

/** A fresh, empty database. */
export async function freshDatabase(): Promise<string> {
  return databaseFor(`fresh-${Math.random()}-${Date.now()}`);
}

/** Runs one query against the database at `url` (tests looking under the API). */
export async function queryDatabase<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Every column of every row of every table of the database at `url`, bytes as stored (tests that nothing is stored in plaintext). */
export async function databaseBytes(url: string): Promise<Buffer> {
  const tables = await queryDatabase<{ tablename: string }>(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  const chunks: Buffer[] = [];
  for (const { tablename } of tables) {
    for (const row of await queryDatabase(url, `SELECT * FROM "${tablename}"`)) {
      for (const v of Object.values(row)) chunks.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
    }
  }
  return Buffer.concat(chunks);
}

/** A connection of its own to the database at `url`, for tests that hold locks; the caller ends it. */
export async function connectDatabase(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
