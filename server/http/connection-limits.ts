// Connection-level limits of the HTTP server: how long a client may take to send headers and a whole
// request (a body that never arrives is cut off), how long idle connections live, and how many
// connections one client address and all clients together may hold, so that slow or idle clients
// cannot exhaust the process's file descriptors.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerLimits } from '../limits.ts';
import { clientKey } from './client-address.ts';

/** Fastify's server options for the timeouts (fastify hands `http` to http.createServer). */
export function timeoutOptions(limits: ServerLimits) {
  return {
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the header and request deadlines on this interval (30 s by default), so a deadline
      // is enforced at most this much late: keep it well under the shortest deadline.
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  };
}

/**
 * Closes a new connection at once when its client address already holds `maxConnectionsPerClient`
 * connections; Node's `maxConnections` refuses any beyond the total.
 */
export function installConnectionLimits(server: Server, limits: ServerLimits): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress);
    const count = open.get(key) ?? 0;
    if (count >= limits.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
