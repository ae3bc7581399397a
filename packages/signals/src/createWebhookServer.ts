import { createServer, type Server } from 'node:http';
import { InvalidParameterError } from '@candlelab/core';
import { createWebhookHandler, type WebhookHandlerOptions } from './createWebhookHandler.js';

export interface WebhookServerOptions extends WebhookHandlerOptions {
  /**
   * A connection must deliver complete request headers within this many ms of opening (or of the
   * previous request on a kept-alive connection), else it gets 408 and is closed — so idle or
   * slow-header sockets cannot pile up. Checked every `headersTimeoutMs / 4` ms (100–1,000).
   * Default 3,000.
   */
  headersTimeoutMs?: number;
}

/**
 * A `node:http` server (not yet listening) serving {@link createWebhookHandler} with deadlines on
 * every phase of a request: headers within `headersTimeoutMs` (Node's `headersTimeout`), the body
 * within `timeoutMs` of the headers (the handler's own timer), and the whole request within
 * `headersTimeoutMs + 2 × timeoutMs` (Node's `requestTimeout`, a backstop that also bounds the
 * discarding of an oversized body).
 */
export function createWebhookServer(options: WebhookServerOptions): Server {
  const headersTimeoutMs = options.headersTimeoutMs ?? 3000;
  if (!Number.isInteger(headersTimeoutMs) || headersTimeoutMs < 1)
    throw new InvalidParameterError('headersTimeoutMs', headersTimeoutMs, 'expected an integer >= 1');
  const handler = createWebhookHandler(options);
  const timeoutMs = options.timeoutMs ?? 3000;
  return createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.ceil(headersTimeoutMs + 2 * timeoutMs),
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
    },
    handler,
  );
}
