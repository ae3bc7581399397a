import { readFileSync } from 'node:fs';
import { atr } from '@candlelab/indicators';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { ewmVolatility } from './ewmVolatility.js';
import { forwardReturnLabels } from './forwardReturnLabels.js';
import type { LabelColumns } from './labelColumns.js';
import { metaLabels } from './metaLabels.js';
import { tripleBarrierLabels } from './tripleBarrierLabels.js';
import { zigzagLabels } from './zigzagLabels.js';

type Column = (number | null)[];
interface Expected {
  label: Column;
  end: Column;
  weight: Column;
  ret?: Column;
  barrier?: Column;
}

// Reference: reference/labels.py, an independent numpy implementation of AFML ch. 3-4 (triple
// barrier, getDailyVol's pandas ewm std from explicit weights, uniqueness from the indicator
// matrix) and of the ZigZag rule, on the last 400 bars of the BTC/USDT 1h fixture; its output is
// committed as reference/labels.generated.json.
const reference = JSON.parse(
  readFileSync(new URL('../reference/labels.generated.json', import.meta.url), 'utf8'),
) as Record<string, Column> & Record<string, Expected>;
const col = (values: Column) => Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
const bars = btcHourly({ last: 400 });

function compare(actual: LabelColumns & { ret?: Float64Array; barrier?: Int8Array }, expected: Expected): void {
  expectArraysClose(actual.label, col(expected.label), {}, 'label');
  expectArraysClose(
    Float64Array.from(actual.endIndex, (e) => (e < 0 ? Number.NaN : e)),
    col(expected.end),
    {},
    'end',
  );
  expectArraysClose(actual.weight, col(expected.weight), { rel: 1e-12 }, 'weight');
  if (expected.ret) expectArraysClose(actual.ret!, col(expected.ret), { rel: 1e-12, abs: 1e-15 }, 'ret');
  if (expected.barrier) {
    expectArraysClose(
      Float64Array.from(actual.barrier!, (b) => (b === 0 ? Number.NaN : b)),
      col(expected.barrier),
      {},
      'barrier',
    );
  }
}

describe('labels vs. the numpy reference on BTC/USDT 1h', () => {
  const volatility = ewmVolatility(bars.close, 20, 5);

  it('EWM volatility equals the pandas ewm(span).std() definition', () => {
    expectArraysClose(volatility, col(reference.volatility as Column), { rel: 1e-9 }, 'volatility');
  });

  it("the ATR of 'atr' ZigZags (indicators' atr, TradingView seed) equals the reference's Wilder ATR", () => {
    // Same definition, smoothing arithmetic in another order: equal to a few ulps.
    const wilder = atr.batch(bars, { period: 14, seed: 'tradingview' });
    expectArraysClose(wilder, col(reference.atr as Column), { rel: 1e-12 }, 'atr');
  });

  it('triple barrier on closes', () => {
    const result = tripleBarrierLabels(bars, { volatility, profitTake: 1, stopLoss: 2, maxHolding: 10 });
    compare(result, reference.tripleBarrierClose as Expected);
    expect(result.unlabeled.count).toBeGreaterThan(10);
  });

  it('triple barrier on highs and lows (gapped open decides, else stop-loss first)', () => {
    const result = tripleBarrierLabels(bars, {
      volatility,
      profitTake: 1,
      stopLoss: 2,
      maxHolding: 10,
      price: 'highLow',
    });
    compare(result, reference.tripleBarrierHighLow as Expected);
  });

  it('meta-labels from a momentum side', () => {
    const side = col(reference.side as Column);
    const result = metaLabels(bars, side, { volatility, profitTake: 2, stopLoss: 1, maxHolding: 8, price: 'highLow' });
    compare(result, reference.metaHighLow as Expected);
  });

  it('ZigZag, percent threshold on closes and on highs/lows, and ATR threshold', () => {
    compare(zigzagLabels(bars, { threshold: 0.01, lookahead: 12 }), reference.zigzagClose as Expected);
    compare(
      zigzagLabels(bars, { threshold: 0.01, lookahead: 12, price: 'highLow' }),
      reference.zigzagHighLow as Expected,
    );
    compare(
      zigzagLabels(bars, { thresholdType: 'atr', atrMultiple: 2, lookahead: 12, price: 'highLow' }),
      reference.zigzagAtr as Expected,
    );
  });

  it('forward returns', () => {
    expectArraysClose(forwardReturnLabels(bars, { horizon: 4 }).label, col(reference.forward4 as Column), {
      rel: 1e-12,
    });
  });
});
