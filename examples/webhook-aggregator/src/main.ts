import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Bars, NotEnoughDataError } from '@candlelab/core';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';
import { donchian, ema, rsi, zscore } from '@candlelab/indicators';
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
  /** Candles whose last bar the four alert strategies read (`alertsFromBars`). Default: the bundled BTC/USDT 1h fixture. */
  data?: DataFile;
  /** Ticker the alerts are about. Default: the data's symbol without `/` (`BTCUSDT`). */
  ticker?: string;
  /** Authentic alerts sent (each once) instead of those the strategies derive from `data`. */
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
  ticker: string;
  /** The authentic alerts sent. */
  alerts: readonly ExampleAlert[];
  /** The price every alert quoted: the last close of the data. */
  price: number;
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

/**
 * What four simple TradingView strategies would alert on the last bar of `bars` (each reads only
 * bars up to it), standing in for a real TradingView account:
 * - `ema-cross`: buy while EMA 12 is above EMA 48, else sell; confidence 0.5 + 25 × the gap (≤ 1);
 * - `rsi-reversal`: buy below RSI(14) 30, sell above 70, else hold; confidence |RSI − 50| / 50;
 * - `breakout`: buy on a close above the prior 24 bars' high, sell below their low, else hold (0.8 / 0.5);
 * - `mean-revert`: sell above a 20-bar z-score of +1, buy below −1, else hold; confidence min(1, |z| / 2).
 */
export function alertsFromBars(bars: Bars): ExampleAlert[] {
  const n = bars.time.length;
  const last = n - 1;
  if (n < 49) throw new NotEnoughDataError(`alertsFromBars (${bars.symbol} ${bars.timeframe})`, 49, n);
  const close = bars.close[last]!;
  const fast = ema.batch(bars.close, { period: 12 })[last]!;
  const slow = ema.batch(bars.close, { period: 48 })[last]!;
  const rsi14 = rsi.batch(bars.close, { period: 14 })[last]!;
  const channel = donchian.batch(bars, { period: 24 });
  const z = zscore.batch(bars.close, { period: 20 })[last]!;
  const priorHigh = channel.upper[last - 1]!;
  const priorLow = channel.lower[last - 1]!;
  return [
    {
      strategy: 'ema-cross',
      action: fast > slow ? 'buy' : 'sell',
      confidence: Math.min(1, 0.5 + 25 * Math.abs(fast / slow - 1)),
    },
    {
      strategy: 'rsi-reversal',
      action: rsi14 < 30 ? 'buy' : rsi14 > 70 ? 'sell' : 'hold',
      confidence: Math.abs(rsi14 - 50) / 50,
    },
    close > priorHigh
      ? { strategy: 'breakout', action: 'buy', confidence: 0.8 }
      : close < priorLow
        ? { strategy: 'breakout', action: 'sell', confidence: 0.8 }
        : { strategy: 'breakout', action: 'hold', confidence: 0.5 },
    {
      strategy: 'mean-revert',
      action: z > 1 ? 'sell' : z < -1 ? 'buy' : 'hold',
      confidence: Math.min(1, Math.abs(z) / 2),
    },
  ];
}

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
 * Four strategies read the last bar of the candles (`alertsFromBars`); the example sends their alerts to itself — the authentic ones, a replay, a forged signature and
 * an alert with an unknown action — prints the aggregated decision, lets the aggregator learn its
 * source weights from a realized return, and shuts the server down.
 */
export async function run(options: WebhookExampleOptions = {}): Promise<WebhookExampleResult> {
  const secret = options.secret ?? 'example-secret-change-me';
  const bars = await loadDataFile(options.data ?? BUNDLED_BTC_HOURLY);
  const ticker = options.ticker ?? bars.symbol.replace('/', '');
  const price = bars.close[bars.time.length - 1]!;
  const alerts = options.alerts ?? alertsFromBars(bars);
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
        price,
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
    const invalid = JSON.stringify({ ticker, action: 'short', price, strategy: 'typo', id: `invalid-${now}` });
    await send('unknown action', invalid);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const decision = aggregator.decide(ticker, now);
  const weightsBefore = aggregator.weights.toRecord();
  aggregator.recordOutcome(ticker, now, options.realizedReturn ?? 0.012);
  const weightsAfter = aggregator.weights.toRecord();
  return { url, ticker, alerts, price, deliveries, rejections, accepted, decision, weightsBefore, weightsAfter };
}

/** A readable summary of the deliveries, the decision and the learned weights. */
export function formatResult(result: WebhookExampleResult): string {
  const { decision } = result;
  const weights = Object.keys(result.weightsAfter)
    .map((source) => `${source} ${result.weightsBefore[source]!.toFixed(3)}→${result.weightsAfter[source]!.toFixed(3)}`)
    .join(', ');
  return [
    `webhook server on ${result.url} (closed); alerts on ${result.ticker} at ${result.price}:`,
    ...result.alerts.map(
      (a) => `  ${a.strategy.padEnd(14)} ${a.action.padEnd(4)} confidence ${a.confidence.toFixed(3)}`,
    ),
    ...result.deliveries.map((d) => `  ${d.what.padEnd(28)} → ${d.status} ${d.body}`),
    `accepted ${result.accepted} signals; refused: ${result.rejections.join(', ') || 'none'}`,
    `decision: ${decision.action} confidence ${decision.confidence.toFixed(3)} consensus ${decision.consensus.toFixed(3)} ` +
      `size ${decision.positionSize.toFixed(3)} execute=${decision.shouldExecute}`,
    `weights after a +return: ${weights}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runExampleCli(async (data) => formatResult(await run({ data })));
}
