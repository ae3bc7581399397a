import { type OhlcvField, type Timeframe, timeframeToMs } from '@candlelab/core';
import { type IndicatorId, indicatorEntry } from '@candlelab/indicators';
import { type BaseFeatureSpec, type FeatureSetInput, type FeatureSpec, parseFeatureSet } from './featureSetSchema.js';

/** What a feature set needs before any data is loaded (see {@link featureSetNeeds}). */
export interface FeatureSetNeeds {
  /** Every indicator id the set computes (patterns and `supportResistance` included), first use first. */
  indicatorIds: IndicatorId[];
  /** Bar columns read by the features and their indicators, in `open high low close volume` order. */
  barColumns: OhlcvField[];
  /** Higher timeframes joined, in declaration order (empty when none). */
  higherTimeframes: Timeframe[];
}

/** Common bar timeframes, shortest first: the candidates {@link baseTimeframeIssue} suggests. */
const COMMON_TIMEFRAMES: readonly Timeframe[] = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'];
const BAR_COLUMNS: readonly OhlcvField[] = ['open', 'high', 'low', 'close', 'volume'];

function indicatorIdOf(spec: BaseFeatureSpec): IndicatorId | undefined {
  switch (spec.kind) {
    case 'indicator':
    case 'priceRelative':
    case 'bandPosition':
      return spec.id;
    case 'pattern':
      return spec.pattern;
    case 'supportResistance':
      return 'supportResistance';
    default:
      return undefined;
  }
}

function paramsOf(spec: BaseFeatureSpec): Record<string, unknown> {
  return 'params' in spec ? spec.params : {};
}

/** Bar columns one spec reads directly (besides its indicator's inputs and earlier feature columns). */
function directColumns(spec: BaseFeatureSpec): OhlcvField[] {
  switch (spec.kind) {
    case 'priceRelative':
    case 'bandPosition':
    case 'returns':
      return ['close'];
    case 'volumeRatio':
      return ['volume'];
    case 'supportResistance':
      return ['close', spec.side === 'support' ? 'low' : 'high'];
    case 'lag':
    case 'rolling':
    case 'autocorr':
      return (BAR_COLUMNS as readonly string[]).includes(spec.of) ? [spec.of as OhlcvField] : [];
    default:
      return [];
  }
}

/**
 * Lists what a feature set needs, for validators that want to say "this preset needs …" before
 * loading data: the indicator ids it computes, the bar columns it reads (e.g. `volume` for MFI or
 * volume ratios) and the higher timeframes it joins. Pair it with {@link baseTimeframeIssue} to
 * check a bar timeframe. `featureSet` may be untrusted (it is parsed; a `ConfigError` names bad paths).
 */
export function featureSetNeeds(featureSet: FeatureSetInput): FeatureSetNeeds {
  const set = parseFeatureSet(featureSet);
  const ids = new Set<IndicatorId>();
  const columns = new Set<OhlcvField>();
  const higherTimeframes: Timeframe[] = [];
  const visit = (spec: FeatureSpec): void => {
    if (spec.kind === 'higherTimeframe') {
      if (!higherTimeframes.includes(spec.timeframe)) higherTimeframes.push(spec.timeframe);
      spec.features.forEach(visit);
      return;
    }
    for (const column of directColumns(spec)) columns.add(column);
    const id = indicatorIdOf(spec);
    if (id === undefined) return;
    ids.add(id);
    const entry = indicatorEntry(id);
    const inputs =
      typeof entry.inputs === 'function' ? entry.inputs(entry.parse(paramsOf(spec)) as never) : entry.inputs;
    for (const input of inputs) if (input !== 'time') columns.add(input);
  };
  set.features.forEach(visit);
  return {
    indicatorIds: [...ids],
    barColumns: BAR_COLUMNS.filter((column) => columns.has(column)),
    higherTimeframes,
  };
}

/**
 * Why bars of `timeframe` cannot feed a feature set with these needs, or `undefined` when they
 * can: every higher timeframe must be a whole multiple of the bars' timeframe, larger than it.
 * The message names the offending timeframes and the common timeframes that would fit, e.g.
 * "higher timeframes 4h, 1d need bars of a timeframe that divides each of them and is shorter
 * (one of 1m, 3m, 5m, 15m, 30m, 1h, 2h); 4h bars do not".
 */
export function baseTimeframeIssue(needs: FeatureSetNeeds, timeframe: Timeframe): string | undefined {
  const base = timeframeToMs(timeframe);
  const fits = (candidate: number) =>
    needs.higherTimeframes.every((higher) => {
      const ms = timeframeToMs(higher);
      return ms > candidate && ms % candidate === 0;
    });
  if (fits(base)) return undefined;
  const suggestions = COMMON_TIMEFRAMES.filter((candidate) => fits(timeframeToMs(candidate)));
  const list = needs.higherTimeframes.join(', ');
  return `higher timeframe${needs.higherTimeframes.length > 1 ? 's' : ''} ${list} need bars of a timeframe that divides each of them and is shorter${suggestions.length > 0 ? ` (one of ${suggestions.join(', ')})` : ''}; ${timeframe} bars do not`;
}
