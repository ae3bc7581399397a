import { SignalSchema } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from './IdempotencyStore.js';
import { alertToSignal, TradingViewAlertSchema } from './tradingViewAlert.js';

describe('TradingViewAlertSchema and alertToSignal', () => {
  it('parses quoted numbers, keeps free fields, rejects unknown actions', () => {
    const alert = TradingViewAlertSchema.parse({
      ticker: 'BTCUSDT',
      action: 'Sell',
      price: '1e3',
      indicators: { rsi: '70.5' },
      extra: [1],
    });
    expect(alert).toMatchObject({ action: 'sell', price: 1000, indicators: { rsi: 70.5 }, extra: [1] });
    expect(TradingViewAlertSchema.safeParse({ ticker: 'X', action: 'close', price: 1 }).success).toBe(false);
    expect(TradingViewAlertSchema.safeParse({ ticker: 'X', action: 'buy', price: -1 }).success).toBe(false);
    expect(TradingViewAlertSchema.safeParse({ ticker: 'X', action: 'buy', price: 1, time: 'yesterday' }).success).toBe(
      false,
    );
  });

  it('property: every accepted alert converts to a valid core Signal', () => {
    const arb = fc.record({
      ticker: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
      action: fc.constantFrom('buy', 'SELL', 'Hold'),
      price: fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      strategy: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      time: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, (raw) => {
        const parsed = TradingViewAlertSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(SignalSchema.safeParse(alertToSignal(parsed.data, { now: 5 })).success).toBe(true);
      }),
    );
  });

  it('memory idempotency store forgets keys after the TTL and caps its size', () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 100, maxKeys: 2, now: () => now });
    expect(store.claim('a')).toBe(true);
    expect(store.claim('a')).toBe(false);
    now = 100;
    expect(store.claim('a')).toBe(true);
    store.claim('b');
    store.claim('c');
    expect(store.size).toBe(2);
    store.release('c');
    expect(store.claim('c')).toBe(true);
  });
});
