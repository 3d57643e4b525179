// Graceful shutdown of the real server process: after SIGTERM a request already in flight (its body
// still arriving) completes with 200, a new connection is refused, every reveal the server answered
// with 200 has its audit event in the database afterwards, and the process exits 0. A request that
// outlives SECRETS_SHUTDOWN_TIMEOUT_MS is cut and the process still exits 0.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { queryDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openDb } from './helpers-api.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createOrg, createSecret, sleep } from './support/fixtures.ts';

interface SlowRequest {
  /** Sends the rest of the body. */
  finish(): void;
  /** Everything the server sent once it closed the connection, and whether anything came before `finish`. */
  reply: Promise<string>;
  answeredEarly(): boolean;
}

/** A POST whose headers and first body byte are sent now and the rest only on `finish()`. */
function slowPost(url: string, path: string, token: string, body: string): SlowRequest {
  const { hostname, port } = new URL(url);
  let received = '';
  const socket = connect({ host: hostname, port: Number(port) });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 1)}`,
  );
  const reply = new Promise<string>((resolve) => {
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
  return { finish: () => socket.write(body.slice(1)), reply, answeredEarly: () => received.length > 0 };
}

/** A keep-alive connection that has been answered once and is idle; `closed` resolves when the server closes it. */
async function idleKeepAlive(url: string): Promise<{ closed: Promise<void>; isClosed(): boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let received = '';
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.on('close', () => ((isClosed = true), resolve())));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.setEncoding('utf8').on('data', (d: string) => {
      received += d;
      if (/\r\n\r\n\{"status":"ok"\}/.test(received)) resolve();
    });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  });
  return { closed, isClosed: () => isClosed };
}

/** Resolves with the connection error code of a fresh connection attempt ('connected' if it was accepted). */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function exitOf(server: RunningServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function waitForOutput(server: RunningServer, pattern: RegExp, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!pattern.test(server.output())) {
    if (Date.now() > until) throw new Error(`no ${pattern} in the server's output:\n${server.output()}`);
    await sleep(20);
  }
}

describe('server: graceful shutdown', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  afterEach(() => stopAndRemove(server));

  it('after SIGTERM finishes the in-flight request with 200, refuses new connections and closes idle ones, commits every answered reveal\'s audit event and exits 0', async () => {
    server = await startServer();
    const api = http(server.url);
    const org = await createOrg(api, server.adminToken);
    const env = await createEnvironment(api, server.adminToken, org);
    const values = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const key = `SHUTDOWN_${i}`;
      values.set(key, `canary-shutdown-${i}-${randomBytes(16).toString('hex')}`);
      await createSecret(api, server.adminToken, org, env, key, values.get(key)!);
    }
    const path = bulkRevealPath(org, env);

    // Reveals keep arriving on keep-alive connections until the server stops answering them.
    const agent = new Agent({ connections: 8 });
    let answered200 = 0;
    let stopLoad = false;
    const worker = async () => {
      while (!stopLoad) {
        try {
          const r = await request(server!.url + path, {
            method: 'POST',
            headers: { authorization: `Bearer ${server!.adminToken}`, 'content-type': 'application/json' },
            body: '{}',
            dispatcher: agent,
          });
          const text = await r.body.text();
          if (r.statusCode === 200) {
            assert.ok(text.includes(values.get('SHUTDOWN_0')!));
            answered200++;
          }
        } catch {
          await sleep(5);
        }
      }
    };
    const load = Array.from({ length: 8 }, worker);
    try {
      const slow = slowPost(server.url, path, server.adminToken, JSON.stringify({ keys: [...values.keys()] }));
      const idle = await idleKeepAlive(server.url);
      await sleep(300);
      assert.equal(idle.isClosed(), false);
      assert.ok(answered200 > 0, 'the load is running');
      server.child.kill('SIGTERM');
      await waitForOutput(server, /SIGTERM: shutting down/);

      let refused = '';
      for (let i = 0; i < 100 && refused !== 'ECONNREFUSED'; i++) {
        refused = await tryConnect(server.url);
        if (refused !== 'ECONNREFUSED') await sleep(20);
      }
      assert.equal(refused, 'ECONNREFUSED', 'a new connection is refused once shutdown began');
      await idle.closed; // an idle keep-alive connection (a balancer's health check) is closed, not left open
      assert.equal(slow.answeredEarly(), false, 'the in-flight request is still waiting for its body');
      assert.equal(server.child.exitCode, null, 'the server waits for it');

      slow.finish();
      const reply = await slow.reply;
      assert.match(reply, /^HTTP\/1\.1 200 /, reply.slice(0, 300));
      for (const value of values.values()) assert.ok(reply.includes(value), 'the in-flight reveal carries every value');

      const exit = await exitOf(server);
      assert.deepEqual(exit, { code: 0, signal: null }, server.output());
    } finally {
      stopLoad = true;
      await Promise.all(load);
      await agent.close();
    }
    assert.match(server.output(), /shut down: audit events committed, storage closed, data directory released/);

    const countSql = `SELECT count(*) AS n FROM audit_events WHERE action = 'secret.bulk_reveal' AND outcome = 'allowed'`;
    let committed: number;
    if (server.databaseUrl) committed = Number((await queryDatabase<{ n: string }>(server.databaseUrl, countSql))[0]!.n);
    else {
      const db = openDb(server.dataDir);
      try {
        committed = (db.prepare(countSql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    }
    assert.equal(committed, answered200 + 1, 'one committed audit event for every reveal answered with 200 (the load and the in-flight one)');
  });

  it('after SIGINT cuts a request still in flight after SECRETS_SHUTDOWN_TIMEOUT_MS, reveals nothing to it and exits 0', async () => {
    server = await startServer({ env: { SECRETS_SHUTDOWN_TIMEOUT_MS: '400' } });
    const api = http(server.url);
    const org = await createOrg(api, server.adminToken);
    const env = await createEnvironment(api, server.adminToken, org);
    const value = `canary-cut-${randomBytes(16).toString('hex')}`;
    await createSecret(api, server.adminToken, org, env, 'CUT', value);
    const slow = slowPost(server.url, bulkRevealPath(org, env), server.adminToken, '{"keys":["CUT"]}');
    await sleep(100);
    const started = Date.now();
    server.child.kill('SIGINT');
    const exit = await exitOf(server);
    const tookMs = Date.now() - started;
    assert.deepEqual(exit, { code: 0, signal: null }, server.output());
    assert.ok(tookMs >= 350 && tookMs < 10_000, `exited after ${tookMs} ms (the request timeout is 30 s)`);
    assert.match(server.output(), /in-flight requests did not finish within 400 ms/);
    const reply = await slow.reply;
    assert.ok(!reply.includes(value), 'the cut request received no value');
  });
});
