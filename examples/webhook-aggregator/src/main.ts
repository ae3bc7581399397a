import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type AggregatedSignal,
  createWebhookHandler,
  SignalAggregator,
  signBody,
  type WebhookRejection,
} from '@candlelab/signals';

/** One alert as a TradingView strategy would send it (the body of the webhook). */
export interface ExampleAlert {
  strategy: string;
  action: 'buy' | 'sell' | 'hold';
  confidence: number;
  size?: number;
}

export interface WebhookExampleOptions {
  /** HMAC-SHA256 secret shared with the alert sender. Default `'example-secret-change-me'`. */
  secret?: string;
  /** Ticker the alerts are about. Default `'BINANCE:BTCUSDT'`. */
  ticker?: string;
  /** Authentic alerts sent (each once). Default: three strategies voting buy, one voting sell. */
  alerts?: readonly ExampleAlert[];
  /** Realized return used to teach the aggregator's source weights afterwards. Default +0.012. */
  realizedReturn?: number;
}

/** What the server answered to one request the example sent. */
export interface Delivery {
  what: string;
  status: number;
  body: string;
}

export interface WebhookExampleResult {
  url: string;
  deliveries: Delivery[];
  /** Refusals reported by the handler's `onReject`, in order. */
  rejections: WebhookRejection[];
  /** Signals the handler passed on to the aggregator. */
  accepted: number;
  decision: AggregatedSignal;
  /** Source weights before and after learning from the realized return. */
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
}

const DEFAULT_ALERTS: readonly ExampleAlert[] = [
  { strategy: 'ema-cross', action: 'buy', confidence: 0.9, size: 0.5 },
  { strategy: 'rsi-reversal', action: 'buy', confidence: 0.7 },
  { strategy: 'breakout', action: 'buy', confidence: 0.8, size: 0.3 },
  { strategy: 'mean-revert', action: 'sell', confidence: 0.6 },
];

/** POSTs `body` to the local server and resolves with the status and answer text. */
function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.end(body);
  });
}

/**
 * A TradingView webhook server (HMAC-signed alerts) on 127.0.0.1 feeding a `SignalAggregator`.
 * The example sends its own alerts to itself — the authentic ones, a replay, a forged signature and
 * an alert with an unknown action — prints the aggregated decision, lets the aggregator learn its
 * source weights from a realized return, and shuts the server down.
 */
export async function run(options: WebhookExampleOptions = {}): Promise<WebhookExampleResult> {
  const secret = options.secret ?? 'example-secret-change-me';
  const ticker = options.ticker ?? 'BINANCE:BTCUSDT';
  const alerts = options.alerts ?? DEFAULT_ALERTS;
  const aggregator = new SignalAggregator({ minConfidence: 0.5, minConsensus: 0.5 });
  const rejections: WebhookRejection[] = [];
  let accepted = 0;
  const server = createServer(
    createWebhookHandler({
      auth: { kind: 'hmac', secret },
      onSignal: (signal) => {
        accepted++;
        aggregator.submit(signal);
      },
      onReject: (_status, reason) => rejections.push(reason),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const deliveries: Delivery[] = [];
  const send = async (what: string, body: string, signature = signBody(secret, body)): Promise<void> => {
    const answer = await post(url, body, { 'x-signature': `sha256=${signature}` });
    deliveries.push({ what, ...answer });
  };

  const now = Date.now();
  try {
    const bodies = alerts.map((alert, i) =>
      JSON.stringify({
        ticker,
        price: 43_250.5,
        timeframe: '60',
        time: now,
        id: `${alert.strategy}-${now}-${i}`,
        ...alert,
      }),
    );
    for (const [i, body] of bodies.entries()) await send(`alert ${alerts[i]!.strategy} ${alerts[i]!.action}`, body);
    if (bodies.length > 0) await send('replay of the first alert', bodies[0]!);
    const forged = JSON.stringify({ ticker, action: 'sell', price: 1, strategy: 'attacker', id: `forged-${now}` });
    await send('forged signature', forged, signBody('wrong-secret', forged));
    const invalid = JSON.stringify({ ticker, action: 'short', price: 43_000, strategy: 'typo', id: `invalid-${now}` });
    await send('unknown action', invalid);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const decision = aggregator.decide(ticker, now);
  const weightsBefore = aggregator.weights.toRecord();
  aggregator.recordOutcome(ticker, now, options.realizedReturn ?? 0.012);
  const weightsAfter = aggregator.weights.toRecord();
  return { url, deliveries, rejections, accepted, decision, weightsBefore, weightsAfter };
}

/** A readable summary of the deliveries, the decision and the learned weights. */
export function formatResult(result: WebhookExampleResult): string {
  const { decision } = result;
  const weights = Object.keys(result.weightsAfter)
    .map((source) => `${source} ${result.weightsBefore[source]!.toFixed(3)}→${result.weightsAfter[source]!.toFixed(3)}`)
    .join(', ');
  return [
    `webhook server on ${result.url} (closed)`,
    ...result.deliveries.map((d) => `  ${d.what.padEnd(28)} → ${d.status} ${d.body}`),
    `accepted ${result.accepted} signals; refused: ${result.rejections.join(', ') || 'none'}`,
    `decision: ${decision.action} confidence ${decision.confidence.toFixed(3)} consensus ${decision.consensus.toFixed(3)} ` +
      `size ${decision.positionSize.toFixed(3)} execute=${decision.shouldExecute}`,
    `weights after a +return: ${weights}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(formatResult(await run()));
}
