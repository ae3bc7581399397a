/**
 * Benchmark: streaming updates — candlelab's `stream()` forms against the npm package
 * `trading-signals` (8.x, the reference named in the issue), side by side in one process, on
 * SMA(20), EMA(20), RSI(14), MACD(12, 26, 9), Bollinger Bands(20, 2) and ATR(14). Both sides get
 * the same candles: candlelab the `Candle` (its streaming contract), trading-signals a number
 * read from the same candle object inside the timed loop (`candle.close`, or the candle itself for
 * ATR, whose `update` takes `{ high, low, close }`), so both sides pay the same memory traffic of a
 * live candle feed. Also times `replace` (revising the
 * forming bar) on both sides. Prints ns per update and the ratio trading-signals time / candlelab
 * time (> 1: candlelab is faster). Process CPU time, best of the repeats (the least disturbed run),
 * sides interleaved so load changes hit both.
 *
 * Usage: pnpm --filter @candlelab/indicators bench:stream [--bars 1000000] [--repeat 5]
 */
import { type Candle, Rng } from '@candlelab/core';
import * as ts from 'trading-signals';
import { atr, bbands, ema, macd, rsi, sma } from '../src/index.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const N = flag('bars', 1_000_000);
const REPEAT = flag('repeat', 5);

const rng = new Rng(7);
const candles: Candle[] = [];
let price = 30_000;
for (let i = 0; i < N; i++) {
  price *= 1 + (rng.float() - 0.5) * 0.01;
  const high = price * (1 + rng.float() * 0.005);
  const low = price * (1 - rng.float() * 0.005);
  candles.push({ time: i * 3_600_000, open: price, high, low, close: price, volume: 1 });
}

interface Side {
  update: () => void;
  replace: () => void;
}

/** candlelab: update every bar; replace: each bar shown once as forming, then replaced by its close. */
function ours(make: () => { update(bar: Candle): unknown; replace(bar: Candle): unknown }): Side {
  return {
    update: () => {
      const s = make();
      for (let i = 0; i < N; i++) s.update(candles[i]!);
    },
    replace: () => {
      const s = make();
      for (let i = 0; i < N; i++) {
        s.update(candles[i]!);
        s.replace(candles[i]!);
      }
    },
  };
}

/** trading-signals on closes: `update(candle.close, replace)`. */
function theirs(make: () => { update(x: number, replace: boolean): unknown }): Side {
  return {
    update: () => {
      const s = make();
      for (let i = 0; i < N; i++) s.update(candles[i]!.close, false);
    },
    replace: () => {
      const s = make();
      for (let i = 0; i < N; i++) {
        const close = candles[i]!.close;
        s.update(close, false);
        s.update(close, true);
      }
    },
  };
}

/** trading-signals on high/low/close: `update(candle, replace)` (the candle has those fields). */
function theirsHlc(make: () => { update(x: Candle, replace: boolean): unknown }): Side {
  return {
    update: () => {
      const s = make();
      for (let i = 0; i < N; i++) s.update(candles[i]!, false);
    },
    replace: () => {
      const s = make();
      for (let i = 0; i < N; i++) {
        s.update(candles[i]!, false);
        s.update(candles[i]!, true);
      }
    },
  };
}

const cases: [string, Side, Side][] = [
  ['SMA(20)', ours(() => sma.stream({ period: 20 })), theirs(() => new ts.SMA(20))],
  ['EMA(20)', ours(() => ema.stream({ period: 20 })), theirs(() => new ts.EMA(20))],
  ['RSI(14)', ours(() => rsi.stream({ period: 14 })), theirs(() => new ts.RSI(14))],
  [
    'MACD(12,26,9)',
    ours(() => macd.stream({ fast: 12, slow: 26, signal: 9 })),
    theirs(() => new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9))),
  ],
  ['BBANDS(20,2)', ours(() => bbands.stream({ period: 20, stdDev: 2 })), theirs(() => new ts.BollingerBands(20, 2))],
  ['ATR(14)', ours(() => atr.stream({ period: 14 })), theirsHlc(() => new ts.ATR(14))],
];

/** CPU time of this process (user + system): time spent waiting for a core on a busy machine is not counted. */
function seconds(run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const { user, system } = process.cpuUsage(t0);
  return (user + system) / 1e6;
}

console.log(
  `streaming updates, ${N.toLocaleString('en')} bars, best of ${REPEAT}; node ${process.version}; trading-signals 8.x`,
);
console.log(
  'indicator | candlelab update | trading-signals update | ratio | candlelab update+replace | trading-signals update+replace | ratio',
);
console.log('--- | --: | --: | --: | --: | --: | --:');
const ns = (s: number) => `${((s * 1e9) / N).toFixed(1)} ns`;
for (const [name, a, b] of cases) {
  let au = Number.POSITIVE_INFINITY;
  let bu = Number.POSITIVE_INFINITY;
  let ar = Number.POSITIVE_INFINITY;
  let br = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEAT; r++) {
    au = Math.min(au, seconds(a.update));
    bu = Math.min(bu, seconds(b.update));
    ar = Math.min(ar, seconds(a.replace));
    br = Math.min(br, seconds(b.replace));
  }
  console.log(
    `${name} | ${ns(au)} | ${ns(bu)} | ${(bu / au).toFixed(2)}x | ${ns(ar)} | ${ns(br)} | ${(br / ar).toFixed(2)}x`,
  );
}
console.log('(ns per bar; ratio = trading-signals time / candlelab time, ≥ 1 means candlelab is at least as fast)');
