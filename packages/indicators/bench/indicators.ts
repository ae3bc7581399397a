/**
 * Benchmark: SMA, EMA, RSI, MACD, Bollinger Bands and ATR — candlelab batch vs TA-Lib C (a C
 * harness linked against the TA-Lib library the npm `talib` package builds, timed inside C),
 * technicalindicators and trading-signals (on fewer bars, normalised to bars/s) and candlelab
 * streaming. Prints bars per second (wall clock, best of the repeats on both sides: the best run is
 * the one least disturbed by other load; process CPU time would wrongly charge V8's background GC
 * and compiler threads to the JavaScript side) and the ratios candlelab/TA-Lib,
 * candlelab/technicalindicators and candlelab/trading-signals.
 *
 * Usage: pnpm --filter @candlelab/indicators bench [--bars 10000000] [--ref-bars 1000000] [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Candle, Rng } from '@candlelab/core';
import { atr, bbands, ema, macd, rsi, sma } from '../src/index.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const N = flag('bars', 10_000_000);
const REF_N = Math.min(N, flag('ref-bars', 1_000_000));
const REPEAT = flag('repeat', 5);
const NAMES = ['SMA', 'EMA', 'RSI', 'MACD', 'BBANDS', 'ATR'] as const;
type Name = (typeof NAMES)[number];

function randomWalk(n: number): { high: Float64Array; low: Float64Array; close: Float64Array } {
  const rng = new Rng(7);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let price = 30_000;
  for (let i = 0; i < n; i++) {
    price *= 1 + (rng.float() - 0.5) * 0.01;
    close[i] = price;
    high[i] = price * (1 + rng.float() * 0.005);
    low[i] = price * (1 - rng.float() * 0.005);
  }
  return { high, low, close };
}

/** Wall-clock seconds taken by `run`. */
function seconds(run: () => unknown): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1e3;
}

/** Best of `REPEAT` runs, in wall-clock seconds. */
function best(run: () => unknown): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEAT; r++) min = Math.min(min, seconds(run));
  return min;
}

/** Compiles the C harness against the TA-Lib library that the `talib` package built; returns a runner or why it failed. */
function buildTalibHarness(dir: string): ((name: Name) => number) | string {
  const talibDir = dirname(createRequire(import.meta.url).resolve('talib/package.json'));
  const lib = join(talibDir, 'src', 'lib');
  const exe = join(dir, 'talib-harness');
  try {
    const source = join(dirname(fileURLToPath(import.meta.url)), 'talib-harness.c');
    execFileSync('gcc', [
      '-O2',
      `-I${join(lib, 'include')}`,
      source,
      join(lib, 'lib', 'libta_libc_csr.a'),
      '-lm',
      '-o',
      exe,
    ]);
  } catch (error) {
    return `TA-Lib C harness unavailable: ${(error as Error).message.split('\n')[0]}`;
  }
  // One timed run per call.
  return (name) =>
    Number(
      execFileSync(exe, [String(N), '1', name], { encoding: 'utf8' })
        .trim()
        .split(' ')[1],
    );
}

const data = randomWalk(N);
const cols = { high: data.high, low: data.low, close: data.close };
const o1 = new Float64Array(N);
const o2 = new Float64Array(N);
const o3 = new Float64Array(N);
const o4 = new Float64Array(N);
const o5 = new Float64Array(N);

const batch: Record<Name, () => unknown> = {
  SMA: () => sma.batch(data.close, { period: 20 }, o1),
  EMA: () => ema.batch(data.close, { period: 20 }, o1),
  RSI: () => rsi.batch(data.close, { period: 14 }, o1),
  MACD: () => macd.batch(data.close, { fast: 12, slow: 26, signal: 9 }, { macd: o1, signal: o2, histogram: o3 }),
  BBANDS: () =>
    bbands.batch(
      data.close,
      { period: 20, stdDev: 2 },
      { upper: o1, middle: o2, lower: o3, percentB: o4, bandwidth: o5 },
    ),
  ATR: () => atr.batch(cols, { period: 14 }, o1),
};

/**
 * Reference libraries take plain arrays / objects; they are built only after the batch timings so
 * that the garbage collector's work on these million-object heaps does not land in them.
 */
async function referenceRuns() {
  // Imported only now: loading technicalindicators was measured to slow candlelab's SMA kernel in
  // the same process 2.5× (it appears to disturb V8's fast paths for typed-array loops), so the
  // batch timings above run before any reference library is loaded.
  const ti = await import('technicalindicators');
  const ts = await import('trading-signals');
  const refClose = Array.from(data.close.subarray(0, REF_N));
  const refHigh = Array.from(data.high.subarray(0, REF_N));
  const refLow = Array.from(data.low.subarray(0, REF_N));
  const candles: Candle[] = refClose.map((close, i) => ({
    time: i * 3_600_000,
    open: close,
    high: refHigh[i]!,
    low: refLow[i]!,
    close,
    volume: 1,
  }));

  const tiRuns: Record<Name, () => unknown> = {
    SMA: () => ti.SMA.calculate({ period: 20, values: refClose }),
    EMA: () => ti.EMA.calculate({ period: 20, values: refClose }),
    RSI: () => ti.RSI.calculate({ period: 14, values: refClose }),
    MACD: () =>
      ti.MACD.calculate({
        values: refClose,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    BBANDS: () => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: refClose }),
    ATR: () => ti.ATR.calculate({ period: 14, high: refHigh, low: refLow, close: refClose }),
  };

  function tsLoop(make: () => { update(x: number, replace: boolean): unknown }): () => unknown {
    return () => {
      const indicator = make();
      for (let i = 0; i < REF_N; i++) indicator.update(refClose[i]!, false);
    };
  }

  const tsRuns: Record<Name, () => unknown> = {
    SMA: tsLoop(() => new ts.SMA(20)),
    EMA: tsLoop(() => new ts.EMA(20)),
    RSI: tsLoop(() => new ts.RSI(14)),
    MACD: tsLoop(() => new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9))),
    BBANDS: tsLoop(() => new ts.BollingerBands(20, 2)),
    ATR: () => {
      const indicator = new ts.ATR(14);
      for (let i = 0; i < REF_N; i++)
        indicator.update({ high: refHigh[i]!, low: refLow[i]!, close: refClose[i]! }, false);
    },
  };

  function streamLoop(make: () => { update(bar: Candle): unknown }): () => unknown {
    return () => {
      const indicator = make();
      for (let i = 0; i < REF_N; i++) indicator.update(candles[i]!);
    };
  }

  const streamRuns: Record<Name, () => unknown> = {
    SMA: streamLoop(() => sma.stream({ period: 20 })),
    EMA: streamLoop(() => ema.stream({ period: 20 })),
    RSI: streamLoop(() => rsi.stream({ period: 14 })),
    MACD: streamLoop(() => macd.stream({ fast: 12, slow: 26, signal: 9 })),
    BBANDS: streamLoop(() => bbands.stream({ period: 20, stdDev: 2 })),
    ATR: streamLoop(() => atr.stream({ period: 14 })),
  };
  return { tiRuns, tsRuns, streamRuns };
}

const fmt = (barsPerSecond: number) => `${(barsPerSecond / 1e6).toFixed(1)}M`;
const ratio = (x: number) => `${x.toFixed(2)}x`;

console.log(
  `candlelab indicators benchmark: ${N.toLocaleString('en')} bars (batch, TA-Lib C), ${REF_N.toLocaleString('en')} bars (streaming, technicalindicators, trading-signals); best of ${REPEAT}; node ${process.version}`,
);
const dir = mkdtempSync(join(tmpdir(), 'candlelab-talib-'));
const talib = buildTalibHarness(dir);
if (typeof talib === 'string') console.log(talib);
console.log(
  'indicator | candlelab batch | TA-Lib C | batch/TA-Lib | candlelab stream | technicalindicators | trading-signals | batch/technicalindicators | batch/trading-signals',
);
console.log('--- | --- | --- | --- | --- | --- | --- | --- | ---');
const batchRate = {} as Record<Name, number>;
const talibRate = {} as Record<Name, number>;
for (const name of NAMES) {
  // Warm-up: let V8 finish optimising the kernel (its compiler thread is slow on a loaded machine).
  for (let w = 0; w < 5; w++) batch[name]();
  // JS runs back to back, then the C runs: a child process started between JS runs (page cache,
  // CPU frequency, 240 MB of fresh memory) was measured to halve the JS figure that follows it.
  let ours = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEAT; r++) ours = Math.min(ours, seconds(batch[name]));
  let ta = Number.POSITIVE_INFINITY;
  if (typeof talib !== 'string') for (let r = 0; r < REPEAT; r++) ta = Math.min(ta, talib(name));
  batchRate[name] = N / ours;
  talibRate[name] = typeof talib === 'string' ? Number.NaN : N / ta;
}
const { tiRuns, tsRuns, streamRuns } = await referenceRuns();
for (const name of NAMES) {
  const oursRate = batchRate[name];
  const taRate = talibRate[name];
  const stream = REF_N / best(streamRuns[name]);
  const tiRate = REF_N / best(tiRuns[name]);
  const tsRate = REF_N / best(tsRuns[name]);
  console.log(
    `${name} | ${fmt(oursRate)} | ${fmt(taRate)} | ${ratio(oursRate / taRate)} | ${fmt(stream)} | ${fmt(tiRate)} | ${fmt(tsRate)} | ${ratio(oursRate / tiRate)} | ${ratio(oursRate / tsRate)}`,
  );
}
rmSync(dir, { recursive: true, force: true });
console.log('(bars per second, wall clock; M = million; best of the runs. Numbers from a shared machine are noisy.)');
