import { DataSourceError, InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { type CcxtExchange, CcxtSource } from './CcxtSource.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const request = { symbol: 'BTC/USDT', timeframe: '1h' as const, start: T0, end: T0 + 10 * H };

async function drain(source: CcxtSource): Promise<unknown> {
  try {
    for await (const _page of source.fetch(request)) {
      // consume
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('CcxtSource', () => {
  it('describes a real ccxt exchange: its timeframes (core-compatible ones), rate limit, live', async () => {
    const { default: ccxt } = await import('ccxt');
    const source = new CcxtSource({ exchange: new ccxt.binance(), pageLimit: 500 });
    const { capabilities } = source;
    expect(capabilities).toMatchObject({ kind: 'exchange', maxLimit: 500, rateLimitMs: 50, live: true });
    expect(capabilities.timeframes).toContain('1h');
    expect(capabilities.timeframes).not.toContain('1M');
    expect(source.id).toBe('binance');
  });

  it('refuses an unknown exchange id and a malformed one, naming the option', async () => {
    expect(() => new CcxtSource({ exchange: 'Not An Id' })).toThrow(InvalidParameterError);
    expect(await drain(new CcxtSource({ exchange: 'nosuchexchange' }))).toMatchObject({ parameter: 'exchange' });
    expect(() => new CcxtSource({ exchange: 'binance', pageLimit: 0 })).toThrow(/pageLimit/);
  });

  it('fails instead of marking a range empty when the exchange ignores `since`', async () => {
    const stale: CcxtExchange = {
      id: 'stale',
      rateLimit: 0,
      loadMarkets: async () => ({}),
      fetchOHLCV: async () => [[T0 - 2 * H, 1, 2, 0.5, 1.5, 3]],
    };
    const error = await drain(new CcxtSource({ exchange: stale, now: () => T0 + 100 * H }));
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as DataSourceError).retryable).toBe(false);
  });

  it('refuses malformed candles from the exchange with a ValidationError naming the row', async () => {
    const broken: CcxtExchange = {
      id: 'broken',
      rateLimit: 0,
      loadMarkets: async () => ({}),
      fetchOHLCV: async () => [
        [T0, 1, 2, 0.5, 1.5, 3],
        [T0 + H, 1, 0.4, 0.5, 1.5, 3],
      ],
    };
    const error = await drain(new CcxtSource({ exchange: broken, now: () => T0 + 100 * H }));
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect((error as { issues: { row?: number }[] }).issues[0]?.row).toBe(1);
  });
});
