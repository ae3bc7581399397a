import { request, type Server } from 'node:http';
import { type AddressInfo, createConnection, type Socket } from 'node:net';
import type { Signal } from '@candlelab/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookServer } from './createWebhookServer.js';

const SECRET = 'correct horse battery staple';
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(s: Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

/** Opens a raw socket that sends `head` (possibly nothing) and never completes its headers. */
function stuckSocket(port: number, head: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    const closed = new Promise<string>((done) => socket.on('close', () => done(Buffer.concat(received).toString())));
    socket.once('connect', () => {
      if (head) socket.write(head);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

describe('createWebhookServer deadlines', () => {
  it('closes sockets whose headers never complete, and keeps serving', async () => {
    const received: Signal[] = [];
    server = createWebhookServer({
      auth: { kind: 'secret', secret: SECRET },
      headersTimeoutMs: 400,
      onSignal: (signal) => void received.push(signal),
    });
    const port = await listen(server);
    const heads = ['', 'POST /webhook HTTP/1.1\r\nHost: x\r\n', 'POST /webhook HTTP/1.1\r\nContent-Le'];
    const stuck = await Promise.all(Array.from({ length: 60 }, (_, i) => stuckSocket(port, heads[i % heads.length]!)));
    // Bounded wait: without a header deadline these sockets stay open for Node's default 60 s.
    const outcome = await Promise.race([
      Promise.all(stuck.map((s) => s.closed)).then((answers) => ({ answers })),
      new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 10_000).unref()),
    ]);
    for (const s of stuck) s.socket.destroy();
    expect(outcome).not.toBe('open');
    const { answers } = outcome as { answers: string[] };
    expect(answers.every((a) => a === '' || a.startsWith('HTTP/1.1 408'))).toBe(true);
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);

    const body = JSON.stringify({ ticker: 'BTCUSDT', action: 'buy', price: 1, secret: SECRET });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('answers 408 to a body that trickles past timeoutMs', async () => {
    server = createWebhookServer({ auth: { kind: 'secret', secret: SECRET }, timeoutMs: 300, onSignal: () => {} });
    const port = await listen(server);
    const { socket, closed } = await stuckSocket(
      port,
      'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"ticker":',
    );
    const answer = await closed;
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"error":"request_timeout"');
  });

  it('closes the connection when an oversized body goes on past maxDiscardBytes', async () => {
    server = createWebhookServer({
      auth: { kind: 'secret', secret: SECRET },
      maxBodyBytes: 100,
      maxDiscardBytes: 1_000,
      timeoutMs: 60_000, // so that only the discard bound can close the connection within the test
      onSignal: () => {},
    });
    const port = await listen(server);
    const { socket, closed } = await stuckSocket(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
    socket.write(Buffer.alloc(5_000, 0x20)); // and the rest never comes: only the discard bound closes it
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('refuses bad deadlines with a typed error naming the option', () => {
    expect(() =>
      createWebhookServer({ auth: { kind: 'secret', secret: SECRET }, headersTimeoutMs: 0, onSignal: () => {} }),
    ).toThrow(/'headersTimeoutMs'/);
    expect(() =>
      createWebhookServer({ auth: { kind: 'secret', secret: SECRET }, maxFutureSkewMs: -1, onSignal: () => {} }),
    ).toThrow(/'maxFutureSkewMs'/);
  });
});
