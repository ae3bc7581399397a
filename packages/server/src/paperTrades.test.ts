import { barsBetween, Rng } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from './PredictionLog.js';
import { PaperTradeRecord, paperTrades } from './paperTrades.js';

const HOUR = 3_600_000;
const bars = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
const costs = { feesBps: 10, slippageBps: 5 };

/** A model's prediction rows over `hours` bars from `start`: random positions, some bars without a row. */
function predictionRows(start: number, hours: number, seed: number): LogRecord[] {
  const rng = new Rng(seed);
  const rows: LogRecord[] = [];
  let position = 0;
  for (let h = 0; h < hours; h++) {
    if (rng.float() < 0.1) continue; // a bar without a prediction keeps the last target
    if (rng.float() < 0.25) position = rng.choice([-1, 0, 0.5, 1]);
    const barTime = start + h * HOUR;
    rows.push({
      key: `prediction:m:BTC/USDT:1h:${barTime}`,
      kind: 'prediction',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      barTime,
      decidedAt: barTime + HOUR,
      source: 'm',
      modelVersion: 1,
      inputsFingerprint: null,
      probabilities: null,
      inputs: null,
      action: position > 0 ? 'buy' : position < 0 ? 'sell' : 'hold',
      confidence: 0.6,
      size: position,
      outcomeDue: barTime + 5 * HOUR,
      outcomeReturn: null,
      outcomeKnownAt: null,
    });
  }
  return rows;
}

describe('PaperTradeRecord', () => {
  it('updated after every bar, its trades equal paperTrades over the whole log, reading only rows since the last change', async () => {
    const start = Date.UTC(2022, 8, 1);
    for (const seed of [1, 2, 3]) {
      const all = predictionRows(start, 300, seed);
      const record = new PaperTradeRecord(costs);
      let rowsRead = 0;
      for (let hours = 1; hours <= 300; hours++) {
        const end = start + hours * HOUR; // bars served so far: [start, end)
        const known = all.filter((r) => r.barTime < end);
        const live = await record.update({
          rows: async (from) => {
            const rows = known.filter((r) => from === undefined || r.decidedAt >= from);
            rowsRead += rows.length;
            return rows;
          },
          bars: async (from) => barsBetween(bars, from, end),
        });
        const full =
          known.length === 0 ? [] : paperTrades(barsBetween(bars, known[0]!.barTime, end), known, costs).trades;
        expect(live, `seed ${seed}, ${hours} h`).toEqual(full.map((t) => t.returnPct));
      }
      // The whole log read every hour would be ~40,000 rows; since the last change it is a fraction.
      expect(rowsRead).toBeLessThan(all.length * 20);
    }
  });
});
