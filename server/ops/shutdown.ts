// Graceful shutdown on SIGTERM (what a process supervisor, Kubernetes or `docker stop` sends) and
// SIGINT: stop accepting connections, let in-flight requests finish, then (fastify's onClose hooks, in
// start.ts) commit queued audit events, close storage and release the data directory's lock, and exit 0.
// In-flight requests get `timeoutMs` (SECRETS_SHUTDOWN_TIMEOUT_MS); then, or at a second signal, their
// connections are cut. Even then the audit queue is committed before storage closes: no value is ever
// sent before its event commits, so a cut request has revealed nothing.
import type { FastifyInstance } from 'fastify';

export function installGracefulShutdown(app: FastifyInstance, timeoutMs: number, exit: (code: number) => void = (code) => process.exit(code)): void {
  let closing = false;
  const cutConnections = (why: string) => {
    app.log.warn(`${why}: closing the connections of requests still in flight`);
    app.server.closeAllConnections();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      cutConnections(`${signal} again`);
      return;
    }
    closing = true;
    app.log.info(`${signal}: shutting down; no new connections, in-flight requests have ${timeoutMs} ms to finish`);
    const timer = setTimeout(() => cutConnections(`in-flight requests did not finish within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        app.log.info('shut down: audit events committed, storage closed, data directory released');
        exit(0);
      },
      (err: Error) => {
        app.log.error({ errName: err.name }, `shutdown failed: ${err.message}`);
        exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, onSignal);
}
