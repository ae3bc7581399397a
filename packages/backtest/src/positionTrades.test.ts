import { emptyBars } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { positionTrades } from './positionTrades.js';

function bars(opens: number[]) {
  const b = emptyBars('X/Y', '1h', opens.length);
  opens.forEach((o, i) => {
    b.time[i] = i * 3_600_000;
    b.open[i] = o;
    b.close[i] = o + 1;
    b.high[i] = o + 2;
    b.low[i] = o - 1;
  });
  return b;
}

describe('positionTrades', () => {
  it('fills decisions at the next open and closes a trailing position at the last close', () => {
    const b = bars([100, 110, 121, 100, 90, 80]);
    //              decide long at 0 → enter open 1 (110); flat at 2 → exit open 3 (100); short at 3 → enter open 4 (90), closed at last close 81
    const trades = positionTrades(b, [1, 1, 0, -1, -1, -1], 0);
    expect(trades.map((t) => [t.side, t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice])).toEqual([
      ['long', 1, 3, 110, 100],
      ['short', 4, 5, 90, 81],
    ]);
    expect(trades[0]!.returnPct).toBeCloseTo(100 / 110 - 1, 12);
    expect(trades[1]!.returnPct).toBeCloseTo(90 / 81 - 1, 12);
    expect(trades[0]!.holdBars).toBe(2);
  });

  it('charges costs on both fills and flips long to short as two trades', () => {
    const b = bars([100, 100, 100, 100]);
    const trades = positionTrades(b, [1, -1, 0, 0], 10);
    expect(trades.map((t) => t.side)).toEqual(['long', 'short']);
    expect(trades[0]!.returnPct).toBeCloseTo(-0.002, 12);
  });

  it('ignores a decision on the last bar (no next open to fill at)', () => {
    expect(positionTrades(bars([1, 2, 3]), [0, 0, 1], 0)).toEqual([]);
  });
});
