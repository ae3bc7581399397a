import { createConnection } from 'node:net';

/**
 * Whether something accepts TCP connections at `host:port` within `timeoutMs` (default 500): how
 * tests that need a real PostgreSQL or Redis decide to run or to skip with a message.
 */
export function portReachable(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
