// Reference: TA-Lib C 0.4 through the npm `talib` binding (node-gyp build of the C sources), run on
// the repo's real-data fixtures. Every indicator TA-Lib implements must agree to 1e-9 relative
// (plus a tiny absolute floor for values that cross zero) from the later of the two warm-ups on.
import { createRequire } from 'node:module';
import type { Bars } from '@candlelab/core';
import { btcHourly, expectArraysClose, loadFixtureBars } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { type IndicatorId, indicatorEntry, indicatorWarmup } from './registry.js';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}
const talib = createRequire(import.meta.url)('talib') as { execute(options: Record<string, unknown>): TalibResult };

interface Case {
  id: IndicatorId;
  params?: Record<string, unknown>;
  /** Our output name (for multi-output indicators). */
  output?: string;
  name: string;
  options?: Record<string, unknown>;
  /** TA-Lib output name (default outReal). */
  talibOutput?: string;
  /** Absolute tolerance floor for oscillators around zero (default 1e-9 of the series scale). */
  abs?: number;
  /** Our record starts later than this TA-Lib output (all outputs share the longest warm-up). */
  laterWarmup?: true;
  /** TA-Lib starts later than the pattern needs (CDLENGULFING's lookback is 2 for a 2-candle rule). */
  earlierWarmup?: true;
}

const cases: Case[] = [
  { id: 'sma', params: { period: 20 }, name: 'SMA', options: { optInTimePeriod: 20 } },
  { id: 'sma', params: { period: 2 }, name: 'SMA', options: { optInTimePeriod: 2 } },
  { id: 'ema', params: { period: 20 }, name: 'EMA', options: { optInTimePeriod: 20 } },
  { id: 'ema', params: { period: 200 }, name: 'EMA', options: { optInTimePeriod: 200 } },
  { id: 'wma', params: { period: 20 }, name: 'WMA', options: { optInTimePeriod: 20 } },
  { id: 'dema', params: { period: 20 }, name: 'DEMA', options: { optInTimePeriod: 20 } },
  { id: 'tema', params: { period: 20 }, name: 'TEMA', options: { optInTimePeriod: 20 } },
  { id: 'kama', params: { period: 10 }, name: 'KAMA', options: { optInTimePeriod: 10 } },
  { id: 'kama', params: { period: 30 }, name: 'KAMA', options: { optInTimePeriod: 30 } },
  ...(['macd', 'signal', 'histogram'] as const).map((output, k) => ({
    id: 'macd' as const,
    output,
    name: 'MACD',
    options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
    talibOutput: ['outMACD', 'outMACDSignal', 'outMACDHist'][k],
    abs: 1e-9,
  })),
  {
    id: 'macd',
    params: { fast: 5, slow: 35, signal: 5 },
    output: 'macd',
    name: 'MACD',
    options: { optInFastPeriod: 5, optInSlowPeriod: 35, optInSignalPeriod: 5 },
    talibOutput: 'outMACD',
    abs: 1e-9,
  },
  // TA-Lib's APO/PPO seed each EMA independently: APO(EMA) is MACD's line with seeding 'independent'.
  {
    id: 'macd',
    params: { seeding: 'independent' },
    output: 'macd',
    name: 'APO',
    options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInMAType: 1 },
    abs: 1e-9,
    laterWarmup: true,
  },
  { id: 'adx', output: 'adx', name: 'ADX', options: { optInTimePeriod: 14 } },
  { id: 'adx', output: 'plusDi', name: 'PLUS_DI', options: { optInTimePeriod: 14 }, laterWarmup: true },
  { id: 'adx', output: 'minusDi', name: 'MINUS_DI', options: { optInTimePeriod: 14 }, laterWarmup: true },
  { id: 'plusDi', name: 'PLUS_DI', options: { optInTimePeriod: 14 } },
  { id: 'minusDi', params: { period: 7 }, name: 'MINUS_DI', options: { optInTimePeriod: 7 } },
  { id: 'aroon', output: 'up', name: 'AROON', options: { optInTimePeriod: 14 }, talibOutput: 'outAroonUp' },
  { id: 'aroon', output: 'down', name: 'AROON', options: { optInTimePeriod: 14 }, talibOutput: 'outAroonDown' },
  { id: 'aroon', output: 'oscillator', name: 'AROONOSC', options: { optInTimePeriod: 14 } },
  { id: 'psar', name: 'SAR', options: { optInAcceleration: 0.02, optInMaximum: 0.2 } },
  { id: 'trix', params: { period: 15 }, name: 'TRIX', options: { optInTimePeriod: 15 }, abs: 1e-12 },
  { id: 'rsi', name: 'RSI', options: { optInTimePeriod: 14 } },
  { id: 'rsi', params: { period: 2 }, name: 'RSI', options: { optInTimePeriod: 2 } },
  { id: 'cmo', name: 'CMO', options: { optInTimePeriod: 14 }, abs: 1e-9 },
  ...(['k', 'd'] as const).map((output, k) => ({
    id: 'stoch' as const,
    output,
    name: 'STOCH',
    options: {
      optInFastK_Period: 14,
      optInSlowK_Period: 3,
      optInSlowK_MAType: 0,
      optInSlowD_Period: 3,
      optInSlowD_MAType: 0,
    },
    talibOutput: ['outSlowK', 'outSlowD'][k],
  })),
  ...(['k', 'd'] as const).map((output, k) => ({
    id: 'stochRsi' as const,
    output,
    name: 'STOCHRSI',
    options: { optInTimePeriod: 14, optInFastK_Period: 14, optInFastD_Period: 3, optInFastD_MAType: 0 },
    talibOutput: ['outFastK', 'outFastD'][k],
    abs: 1e-9,
  })),
  { id: 'willr', name: 'WILLR', options: { optInTimePeriod: 14 }, abs: 1e-9 },
  { id: 'cci', name: 'CCI', options: { optInTimePeriod: 20 }, abs: 1e-9 },
  { id: 'roc', name: 'ROC', options: { optInTimePeriod: 10 }, abs: 1e-12 },
  { id: 'mom', name: 'MOM', options: { optInTimePeriod: 10 }, abs: 1e-9 },
  { id: 'mfi', name: 'MFI', options: { optInTimePeriod: 14 } },
  { id: 'ultosc', name: 'ULTOSC', options: { optInTimePeriod1: 7, optInTimePeriod2: 14, optInTimePeriod3: 28 } },
  {
    id: 'ppo',
    output: 'ppo',
    name: 'PPO',
    options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInMAType: 1 },
    abs: 1e-12,
    laterWarmup: true,
  },
  { id: 'bop', name: 'BOP', abs: 1e-12 },
  { id: 'trange', name: 'TRANGE' },
  { id: 'atr', name: 'ATR', options: { optInTimePeriod: 14 } },
  { id: 'natr', name: 'NATR', options: { optInTimePeriod: 14 } },
  ...(['upper', 'middle', 'lower'] as const).map((output, k) => ({
    id: 'bbands' as const,
    output,
    name: 'BBANDS',
    options: { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
    talibOutput: ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'][k],
  })),
  { id: 'stddev', name: 'STDDEV', options: { optInTimePeriod: 20, optInNbDev: 1 }, abs: 1e-6 },
  { id: 'variance', name: 'VAR', options: { optInTimePeriod: 20, optInNbDev: 1 }, abs: 1e-4 },
  { id: 'obv', name: 'OBV' },
  { id: 'ad', name: 'AD' },
  { id: 'adosc', name: 'ADOSC', options: { optInFastPeriod: 3, optInSlowPeriod: 10 }, abs: 1e-6 },
  { id: 'correl', name: 'CORREL', options: { optInTimePeriod: 30 }, abs: 1e-9 },
  { id: 'beta', name: 'BETA', options: { optInTimePeriod: 5 }, abs: 1e-9 },
  { id: 'linreg', name: 'LINEARREG', options: { optInTimePeriod: 14 } },
  { id: 'linregSlope', name: 'LINEARREG_SLOPE', options: { optInTimePeriod: 14 }, abs: 1e-8 },
  { id: 'linregIntercept', name: 'LINEARREG_INTERCEPT', options: { optInTimePeriod: 14 } },
  { id: 'linregAngle', name: 'LINEARREG_ANGLE', options: { optInTimePeriod: 14 }, abs: 1e-8 },
  { id: 'tsf', name: 'TSF', options: { optInTimePeriod: 14 } },
  { id: 'midpoint', name: 'MIDPOINT', options: { optInTimePeriod: 14 } },
  { id: 'midprice', name: 'MIDPRICE', options: { optInTimePeriod: 14 } },
  { id: 'doji', name: 'CDLDOJI', talibOutput: 'outInteger' },
  ...(
    [
      ['marubozu', 'CDLMARUBOZU'],
      ['spinningTop', 'CDLSPINNINGTOP'],
      ['hammer', 'CDLHAMMER'],
      ['hangingMan', 'CDLHANGINGMAN'],
      ['invertedHammer', 'CDLINVERTEDHAMMER'],
      ['shootingStar', 'CDLSHOOTINGSTAR'],
      ['harami', 'CDLHARAMI'],
      ['piercing', 'CDLPIERCING'],
      ['darkCloudCover', 'CDLDARKCLOUDCOVER'],
      ['morningStar', 'CDLMORNINGSTAR'],
      ['eveningStar', 'CDLEVENINGSTAR'],
      ['threeWhiteSoldiers', 'CDL3WHITESOLDIERS'],
      ['threeBlackCrows', 'CDL3BLACKCROWS'],
    ] as const
  ).map(([id, name]) => ({
    id,
    name,
    talibOutput: 'outInteger',
    // The binding aborts the process when an optional input is missing, so pass the defaults.
    options: {
      CDLDARKCLOUDCOVER: { optInPenetration: 0.5 },
      CDLMORNINGSTAR: { optInPenetration: 0.3 },
      CDLEVENINGSTAR: { optInPenetration: 0.3 },
    }[name as string],
  })),
  { id: 'engulfing', name: 'CDLENGULFING', talibOutput: 'outInteger', earlierWarmup: true },
];

function runTalib(c: Case, bars: Bars): TalibResult {
  const toArray = (a: Float64Array) => Array.from(a);
  const inputs: Record<string, unknown> = {
    open: toArray(bars.open),
    high: toArray(bars.high),
    low: toArray(bars.low),
    close: toArray(bars.close),
    volume: toArray(bars.volume),
    inReal: toArray(bars.close),
  };
  if (c.name === 'CORREL') Object.assign(inputs, { inReal0: toArray(bars.close), inReal1: toArray(bars.volume) });
  if (c.name === 'BETA') Object.assign(inputs, { inReal0: toArray(bars.close), inReal1: toArray(bars.open) });
  return talib.execute({ name: c.name, startIdx: 0, endIdx: bars.close.length - 1, ...inputs, ...c.options });
}

const fixtures: [string, () => Bars][] = [
  ['BTC/USDT 1h (last 3000)', () => btcHourly({ last: 3000 })],
  ['ETH/USDT 1h (first 2000)', () => loadFixtureBars('ohlcv/binance-1h/ETH_USDT-1h.json.gz', { first: 2000 })],
];

describe.each(fixtures)('agreement with TA-Lib on %s', (_label, load) => {
  const bars = load();
  it.each(
    cases.map(
      (c) => [`${c.id}${c.output ? `.${c.output}` : ''} ${JSON.stringify(c.params ?? {})} vs ${c.name}`, c] as const,
    ),
  )('%s', (_name, c) => {
    const reference = runTalib(c, bars);
    const values = reference.result[c.talibOutput ?? 'outReal']!;
    const entry = indicatorEntry(c.id);
    const result = entry.batch(bars, c.params);
    const ours = result instanceof Float64Array ? result : result[c.output!]!;
    const warmup = indicatorWarmup(c.id, c.params as never);
    if (c.laterWarmup) expect(warmup).toBeGreaterThan(reference.begIndex);
    else if (c.earlierWarmup) expect(warmup).toBeLessThan(reference.begIndex);
    else expect(warmup).toBe(reference.begIndex);
    const start = Math.max(warmup, reference.begIndex);
    const expected = values.slice(start - reference.begIndex);
    const scale = Math.max(...expected.map(Math.abs));
    expectArraysClose(ours.subarray(start), expected, { rel: 1e-9, abs: (c.abs ?? 0) * scale }, c.name);
  });
});
