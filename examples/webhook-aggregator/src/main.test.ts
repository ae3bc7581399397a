import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

describe('webhook → aggregator example', () => {
  it('accepts only the authentic first-seen alerts and aggregates them into a weighted decision', async () => {
    const result = await run();
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
});
