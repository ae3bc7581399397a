import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookSink {
  url: string;
  /** Parsed JSON bodies received, in order. */
  received: unknown[];
  /** Answers with this status from now on (default 200). */
  status: number;
  close(): Promise<void>;
}

/** A local HTTP endpoint that records every JSON body POSTed to it (a stand-in for Slack/Telegram). */
export async function startWebhookSink(): Promise<WebhookSink> {
  const state: WebhookSink = { url: '', received: [], status: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
