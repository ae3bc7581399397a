import { copyBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { findDuplicates, findGaps, seriesReport } from './findGaps.js';

describe('findGaps / seriesReport', () => {
  const bars = copyBars(loadFixtureBars('ohlcv/binance-btc-multi/BTC_USDT-1h.json.gz'));
  const H = 3_600_000;

  it('finds no gap in a complete series and the exact runs in a holed one', () => {
    expect(findGaps(bars)).toEqual([]);
    const keep = Array.from(bars.time.keys()).filter((i) => i < 10 || (i >= 13 && i !== 20));
    const holed = { ...bars };
    for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      holed[column] = Float64Array.from(keep.map((i) => bars[column][i]!));
    }
    expect(findGaps(holed)).toEqual([
      { start: bars.time[10]!, end: bars.time[13]!, missing: 3 },
      { start: bars.time[20]!, end: bars.time[21]!, missing: 1 },
    ]);
    const range = { start: bars.time[0]! - 2 * H, end: bars.time.at(-1)! + 3 * H };
    const report = seriesReport(holed, range);
    expect(report.gaps[0]).toEqual({ start: range.start, end: bars.time[0]!, missing: 2 });
    expect(report.gaps.at(-1)).toEqual({ start: bars.time.at(-1)! + H, end: range.end, missing: 2 });
    expect(report.expected - report.present).toBe(2 + 3 + 1 + 2);
    expect(report.misaligned).toEqual([]);
  });

  it('reports duplicated and out-of-order timestamps by row', () => {
    expect(findDuplicates([1, 2, 2, 3, 1, 0, 5])).toEqual({ duplicates: [2, 4], unsorted: [5] });
  });
});
