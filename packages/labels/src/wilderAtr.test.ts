import { readFixture } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { wilderAtr } from './wilderAtr.js';

describe('wilderAtr', () => {
  it("matches StockCharts' worked ATR(14) example (fixtures/indicators/cs-atr.csv, bukosabino/ta test data)", () => {
    const rows = readFixture('indicators/cs-atr.csv')
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').slice(1).map(Number));
    const high = Float64Array.from(rows, (r) => r[0]!);
    const low = Float64Array.from(rows, (r) => r[1]!);
    const close = Float64Array.from(rows, (r) => r[2]!);
    const atr = wilderAtr({ high, low, close }, 14);
    for (let i = 0; i < 13; i++) expect(atr[i]).toBeNaN();
    for (let i = 13; i < rows.length; i++) expect(atr[i]).toBeCloseTo(rows[i]![4]!, 9);
  });

  it('rejects a non-integer period', () => {
    const x = new Float64Array(3);
    expect(() => wilderAtr({ high: x, low: x, close: x }, 2.5)).toThrow(/period/);
  });
});
