import type { Timeframe } from '@candlelab/core';
import {
  type BaseFeatureSpec,
  type FeatureSet,
  type FeatureSpec,
  PATTERN_IDS,
  parseFeatureSet,
  TIME_ENCODINGS,
} from './featureSetSchema.js';

export interface StandardFeatureSetOptions {
  /**
   * Higher timeframes joined from completed bars (default `['4h', '1d']`, for bars of 1h or
   * shorter); each must be a whole multiple of the bars' timeframe. `[]` leaves them out.
   */
  higherTimeframes?: readonly Timeframe[];
}

const ind = (id: string, params: Record<string, unknown> = {}, output?: string): BaseFeatureSpec =>
  ({ kind: 'indicator', id, params, ...(output === undefined ? {} : { output }) }) as BaseFeatureSpec;
const rel = (id: string, params: Record<string, unknown> = {}, output?: string): BaseFeatureSpec =>
  ({ kind: 'priceRelative', id, params, ...(output === undefined ? {} : { output }) }) as BaseFeatureSpec;

/** Columns computed on each higher timeframe (5 per timeframe). */
function higherTimeframeFeatures(): BaseFeatureSpec[] {
  return [
    { kind: 'returns', period: 1, log: true },
    ind('rsi', { period: 14 }),
    ind('natr', { period: 14 }),
    rel('ema', { period: 20 }),
    { kind: 'bandPosition', id: 'bbands', params: { period: 20 } },
  ];
}

/**
 * The standard feature set: 112 scale-free base columns (returns, oscillators, price relative to
 * averages and bands, volatility, volume ratios, rolling moments and extreme positions,
 * autocorrelation, 15 candlestick patterns, support/resistance distance, time encodings, lags
 * and RSI fuzzy memberships) plus 5 columns per higher timeframe (122 with the defaults).
 * Price-level outputs (raw MAs, MACD in price units, OBV) are left out on purpose: every column
 * is comparable across symbols and eras. The full list is in the README.
 */
export function standardFeatureSet(options: StandardFeatureSetOptions = {}): FeatureSet {
  const higherTimeframes = options.higherTimeframes ?? ['4h', '1d'];
  const features: FeatureSpec[] = [
    // Returns over k bars (log).
    ...[1, 2, 3, 5, 10, 20, 50].map((period): BaseFeatureSpec => ({ kind: 'returns', period, log: true })),
    // Momentum oscillators.
    ind('rsi', { period: 7 }),
    ind('rsi', { period: 14 }),
    ind('rsi', { period: 28 }),
    ind('stoch', {}, 'k'),
    ind('stoch', {}, 'd'),
    ind('stochRsi', {}, 'k'),
    ind('stochRsi', {}, 'd'),
    ind('willr', { period: 14 }),
    ind('cci', { period: 20 }),
    ind('mfi', { period: 14 }),
    ind('ultosc'),
    ind('cmo', { period: 14 }),
    ind('tsi'),
    ind('bop'),
    // Trend strength and direction.
    ind('ppo', {}, 'ppo'),
    ind('ppo', {}, 'signal'),
    ind('ppo', {}, 'histogram'),
    ind('adx', { period: 14 }, 'adx'),
    ind('adx', { period: 14 }, 'plusDi'),
    ind('adx', { period: 14 }, 'minusDi'),
    ind('aroon', { period: 14 }, 'up'),
    ind('aroon', { period: 14 }, 'down'),
    ind('aroon', { period: 14 }, 'oscillator'),
    ind('trix', { period: 15 }),
    ind('vortex', { period: 14 }, 'plus'),
    ind('vortex', { period: 14 }, 'minus'),
    ind('supertrend', {}, 'direction'),
    // Volatility.
    ind('natr', { period: 7 }),
    ind('natr', { period: 14 }),
    ind('histVol', { period: 20 }),
    ind('bbands', { period: 20 }, 'percentB'),
    ind('bbands', { period: 20 }, 'bandwidth'),
    ind('zscore', { period: 20 }),
    ind('zscore', { period: 50 }),
    // Volume.
    ind('cmf', { period: 20 }),
    ind('volumeOsc', {}, 'value'),
    ind('correl', { period: 30 }),
    ...[5, 20, 50].map((period): BaseFeatureSpec => ({ kind: 'volumeRatio', period })),
    // Price relative to moving averages and other price-level lines.
    ...[10, 20, 50, 100, 200].map((period) => rel('sma', { period })),
    ...[10, 20, 50, 200].map((period) => rel('ema', { period })),
    rel('kama'),
    rel('hma'),
    rel('vwapRolling', { period: 14 }),
    rel('psar'),
    rel('ichimoku', {}, 'conversion'),
    rel('ichimoku', {}, 'base'),
    rel('linreg', { period: 14 }),
    // Position inside bands.
    { kind: 'bandPosition', id: 'bbands', params: { period: 20 } },
    { kind: 'bandPosition', id: 'keltner', params: { period: 20 } },
    { kind: 'bandPosition', id: 'donchian', params: { period: 20 } },
    { kind: 'bandPosition', id: 'donchian', params: { period: 55 } },
    // Rolling statistics of the 1-bar return and extreme positions of the close.
    ...[10, 20, 50].map((window): BaseFeatureSpec => ({ kind: 'rolling', of: 'ret_1', stat: 'std', window })),
    { kind: 'rolling', of: 'ret_1', stat: 'mean', window: 20 },
    { kind: 'rolling', of: 'ret_1', stat: 'skew', window: 20 },
    { kind: 'rolling', of: 'ret_1', stat: 'skew', window: 50 },
    { kind: 'rolling', of: 'ret_1', stat: 'kurtosis', window: 50 },
    { kind: 'rolling', of: 'ret_1', stat: 'kurtosis', window: 100 },
    ...[20, 50].flatMap((window): BaseFeatureSpec[] => [
      { kind: 'rolling', of: 'close', stat: 'argmax', window },
      { kind: 'rolling', of: 'close', stat: 'argmin', window },
    ]),
    // Autocorrelation of returns.
    { kind: 'autocorr', of: 'ret_1', lag: 1, window: 20 },
    { kind: 'autocorr', of: 'ret_1', lag: 1, window: 50 },
    { kind: 'autocorr', of: 'ret_1', lag: 2, window: 50 },
    // Candlestick patterns.
    ...PATTERN_IDS.map((pattern): BaseFeatureSpec => ({ kind: 'pattern', pattern })),
    // Distance to recent support and resistance.
    { kind: 'supportResistance', side: 'support', params: {} },
    { kind: 'supportResistance', side: 'resistance', params: {} },
    // Time of day and day of week.
    ...TIME_ENCODINGS.map((encoding): BaseFeatureSpec => ({ kind: 'time', encoding })),
    // Lags.
    ...[1, 2, 3, 4, 5].map((lag): BaseFeatureSpec => ({ kind: 'lag', of: 'ret_1', lag })),
    { kind: 'lag', of: 'rsi_14', lag: 1 },
    { kind: 'lag', of: 'rsi_14', lag: 2 },
    { kind: 'lag', of: 'volume_ratio_20', lag: 1 },
    // Fuzzy memberships of RSI (KTRDR's sets).
    {
      kind: 'fuzzy',
      input: 'rsi_14',
      range: [0, 100],
      minCoverage: 0,
      sets: {
        oversold: { type: 'trapezoidal', parameters: [0, 0, 25, 40] },
        neutral: { type: 'triangular', parameters: [30, 50, 70] },
        overbought: { type: 'trapezoidal', parameters: [60, 75, 100, 100] },
      },
    },
    ...higherTimeframes.map(
      (timeframe): FeatureSpec => ({ kind: 'higherTimeframe', timeframe, features: higherTimeframeFeatures() }),
    ),
  ];
  return parseFeatureSet({ name: 'standard', features }, 'standard feature set');
}
