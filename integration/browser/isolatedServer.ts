// A local HTTP server for the browser test whose every response carries COOP/COEP, so the page and
// its workers are cross-origin isolated (SharedArrayBuffer, blocking Atomics.wait inside Workers) —
// what gbdt's `threads > 1` needs in a browser.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  body: string | Uint8Array;
  type: string;
}

export interface IsolatedServer {
  url: string;
  /** The paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function serveIsolated(files: Record<string, Served>): Promise<IsolatedServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    const file = files[path];
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
