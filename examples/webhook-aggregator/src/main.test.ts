import { fileURLToPath } from 'node:url';
import { NotEnoughDataError, sliceBars } from '@candlelab/core';
import { loadDataFile, parseDataArgs } from '@candlelab/example-data';
import { describe, expect, it } from 'vitest';
import { alertsFromBars, type ExampleAlert, formatResult, run } from './main.js';

const ETH_HOURLY = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h/ETH_USDT-1h.json.gz', import.meta.url));

/** Three strategies voting buy, one voting sell. */
const ALERTS: ExampleAlert[] = [
  { strategy: 'ema-cross', action: 'buy', confidence: 0.9, size: 0.5 },
  { strategy: 'rsi-reversal', action: 'buy', confidence: 0.7 },
  { strategy: 'breakout', action: 'buy', confidence: 0.8, size: 0.3 },
  { strategy: 'mean-revert', action: 'sell', confidence: 0.6 },
];

describe('webhook → aggregator example', () => {
  it('accepts only the authentic first-seen alerts and aggregates them into a weighted decision', async () => {
    const result = await run({ alerts: ALERTS });
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    expect(result.deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200, 409, 401, 422]);
    expect(result.rejections).toEqual(['duplicate', 'unauthorized', 'invalid_alert']);
    expect(result.accepted).toBe(4);
    // Equal weights 1/4: buy votes 0.25 × (0.9 + 0.7 + 0.8) = 0.6; 3 of 4 sources agree;
    // size = mean size of the agreeing alerts carrying one ((0.5 + 0.3) / 2) × 0.6 × 0.75.
    const { decision } = result;
    expect(decision.action).toBe('buy');
    expect(decision.count).toBe(4);
    expect(decision.confidence).toBeCloseTo(0.6, 12);
    expect(decision.consensus).toBeCloseTo(0.75, 12);
    expect(decision.positionSize).toBeCloseTo(0.18, 12);
    expect(decision.shouldExecute).toBe(true);
    // A positive realized return rewards the buyers and penalizes the seller.
    expect(result.weightsAfter['tradingview:ema-cross']).toBeGreaterThan(
      result.weightsBefore['tradingview:ema-cross']!,
    );
    expect(result.weightsAfter['tradingview:mean-revert']).toBeLessThan(
      result.weightsBefore['tradingview:mean-revert']!,
    );
    expect(formatResult(result)).toContain('decision: buy');
  });

  it('holds when the sources disagree evenly', async () => {
    const result = await run({
      alerts: [
        { strategy: 'a', action: 'buy', confidence: 0.8 },
        { strategy: 'b', action: 'sell', confidence: 0.8 },
      ],
    });
    expect(result.accepted).toBe(2);
    expect(result.decision.action).toBe('hold');
    expect(result.decision.shouldExecute).toBe(false);
  });

  it('derives the alerts from the last bar of the file given by --data', async () => {
    const data = parseDataArgs(['--data', ETH_HOURLY, '--symbol', 'ETH/USDT', '--timeframe', '1h']);
    const result = await run({ data });
    const bars = await loadDataFile(data);
    expect(result.ticker).toBe('ETHUSDT');
    expect(result.price).toBe(bars.close[bars.time.length - 1]);
    expect(result.alerts.map((a) => a.strategy)).toEqual(['ema-cross', 'rsi-reversal', 'breakout', 'mean-revert']);
    // Every authentic alert is accepted, then the replay, forgery and invalid alert are refused.
    expect(result.deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200, 409, 401, 422]);
    expect(result.decision.count).toBe(4);
    expect(() => alertsFromBars(sliceBars(bars, 0, 48))).toThrow(NotEnoughDataError);
    expect(formatResult(result)).toContain('alerts on ETHUSDT');
  });
});
