import {
  type Bars,
  barsLength,
  copyBars,
  emptyBars,
  InvalidParameterError,
  type Timeframe,
  ValidationError,
} from '@candlelab/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { btcHourly } from './fixtures.js';

/** The slice of `@candlelab/data`'s `CandleStore` the contract exercises (structural, so test-utils needs no dependency on data). */
export interface ContractStore {
  write(
    bars: Bars,
    options: { exchange: string; coverage?: { start: number; end: number } },
  ): Promise<{ inserted: number }>;
  read(query: { exchange: string; symbol: string; timeframe: Timeframe; start: number; end: number }): Promise<Bars>;
  readCoverage(key: {
    exchange: string;
    symbol: string;
    timeframe: Timeframe;
  }): Promise<{ start: number; end: number }[]>;
  writeCoverage(
    key: { exchange: string; symbol: string; timeframe: Timeframe },
    ranges: readonly { start: number; end: number }[],
  ): Promise<void>;
  close(): Promise<void>;
}

export interface StoreContractOptions {
  /** Suite title, e.g. `'DuckDbStore'`. */
  name: string;
  /** Opens a fresh, empty store; `id` is unique per test (use it for a table or file name). */
  open: (id: string) => Promise<ContractStore>;
  /** Runs once after the suite (drop schemas, delete files). */
  teardown?: () => Promise<void>;
  /** When set, the suite is skipped and this message says why and how to enable it. */
  skipReason?: string;
}

const HOUR = 3_600_000;

function expectBarsEqual(actual: Bars, expected: Bars): void {
  expect(actual.symbol).toBe(expected.symbol);
  expect(actual.timeframe).toBe(expected.timeframe);
  for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    expect(Array.from(actual[column]), column).toEqual(Array.from(expected[column]));
  }
}

/**
 * The candle-store contract: every `CandleStore` implementation registers with one call and must
 * pass the same behaviour — exact round trips of real bars, half-open range reads, series isolation,
 * idempotent (`ON CONFLICT DO NOTHING`) writes, atomic rejection of invalid bars (nothing written),
 * coverage recording and merging, concurrent overlapping writes losing nothing.
 */
export function storeContract(options: StoreContractOptions): void {
  const suite = options.skipReason === undefined ? describe : describe.skip;
  suite(`${options.name} (store contract)`, () => {
    let store: ContractStore;
    let counter = 0;
    const bars = copyBars(btcHourly({ last: 600 }));
    const key = { exchange: 'binance', symbol: bars.symbol, timeframe: bars.timeframe };
    const all = { ...key, start: 0, end: 4_000_000_000_000 };

    beforeEach(async () => {
      counter++;
      store = await options.open(`t${Date.now().toString(36)}_${counter}`);
    });
    afterEach(async () => {
      await store.close();
    });
    if (options.teardown) afterAll(options.teardown);

    it('round-trips real bars exactly', async () => {
      const result = await store.write(bars, { exchange: 'binance' });
      expect(result.inserted).toBe(barsLength(bars));
      expectBarsEqual(await store.read(all), bars);
    });

    it('reads the half-open range [start, end)', async () => {
      await store.write(bars, { exchange: 'binance' });
      const start = bars.time[100]!;
      const end = bars.time[200]!;
      const got = await store.read({ ...key, start, end });
      expectBarsEqual(got, copyBars(bars, 100, 200));
      expect(barsLength(await store.read({ ...key, start: start + 1, end: start + HOUR }))).toBe(0);
    });

    it('writes idempotently: repeated and overlapping writes insert only new bars', async () => {
      await store.write(copyBars(bars, 0, 400), { exchange: 'binance' });
      expect((await store.write(copyBars(bars, 0, 400), { exchange: 'binance' })).inserted).toBe(0);
      expect((await store.write(copyBars(bars, 300, 600), { exchange: 'binance' })).inserted).toBe(200);
      expectBarsEqual(await store.read(all), bars);
    });

    it('returns bars sorted even when later ranges were written first', async () => {
      await store.write(copyBars(bars, 300, 600), { exchange: 'binance' });
      await store.write(copyBars(bars, 0, 300), { exchange: 'binance' });
      expectBarsEqual(await store.read(all), bars);
    });

    it('keeps series apart by exchange, symbol and timeframe', async () => {
      const other = copyBars(bars, 0, 50);
      other.symbol = 'ETH/USDT';
      await store.write(bars, { exchange: 'binance' });
      await store.write(other, { exchange: 'binance' });
      await store.write(copyBars(bars, 0, 10), { exchange: 'kraken' });
      expect(barsLength(await store.read(all))).toBe(600);
      expect(barsLength(await store.read({ ...all, symbol: 'ETH/USDT' }))).toBe(50);
      expect(barsLength(await store.read({ ...all, exchange: 'kraken' }))).toBe(10);
      expect(barsLength(await store.read({ ...all, timeframe: '4h' }))).toBe(0);
    });

    it('rejects invalid bars with a ValidationError naming the row, writing nothing', async () => {
      const bad = copyBars(bars, 0, 100);
      bad.high[57] = bad.low[57]! - 1;
      const error = await store
        .write(bad, { exchange: 'binance', coverage: { start: bad.time[0]!, end: bad.time[99]! + HOUR } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.some((issue) => issue.row === 57)).toBe(true);
      expect(barsLength(await store.read(all))).toBe(0);
      expect(await store.readCoverage(key)).toEqual([]);
    });

    it('rejects unsorted, duplicate and misaligned times', async () => {
      const swapped = copyBars(bars, 0, 10);
      swapped.time[3] = bars.time[5]!;
      await expect(store.write(swapped, { exchange: 'binance' })).rejects.toBeInstanceOf(ValidationError);
      const misaligned = copyBars(bars, 0, 10);
      misaligned.time[9] = misaligned.time[9]! + 1;
      await expect(store.write(misaligned, { exchange: 'binance' })).rejects.toBeInstanceOf(ValidationError);
      expect(barsLength(await store.read(all))).toBe(0);
    });

    it('rejects bad queries with an InvalidParameterError naming the option', async () => {
      await expect(store.read({ ...key, start: 10, end: 10 })).rejects.toMatchObject({ parameter: 'start' });
      await expect(store.read({ ...all, timeframe: '7x' as Timeframe })).rejects.toMatchObject({
        parameter: 'timeframe',
      });
      await expect(store.read({ ...all, exchange: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    });

    it('records coverage with the bars and merges touching ranges', async () => {
      const t0 = bars.time[0]!;
      await store.write(copyBars(bars, 0, 100), { exchange: 'binance', coverage: { start: t0, end: t0 + 100 * HOUR } });
      await store.write(emptyBars(bars.symbol, bars.timeframe), {
        exchange: 'binance',
        coverage: { start: t0 + 100 * HOUR, end: t0 + 150 * HOUR },
      });
      await store.writeCoverage(key, [{ start: t0 + 200 * HOUR, end: t0 + 210 * HOUR }]);
      expect(await store.readCoverage(key)).toEqual([
        { start: t0, end: t0 + 150 * HOUR },
        { start: t0 + 200 * HOUR, end: t0 + 210 * HOUR },
      ]);
      expect(await store.readCoverage({ ...key, exchange: 'kraken' })).toEqual([]);
    });

    it('loses nothing under concurrent overlapping writes', async () => {
      const parts = [
        copyBars(bars, 0, 250),
        copyBars(bars, 200, 450),
        copyBars(bars, 400, 600),
        copyBars(bars, 100, 500),
      ];
      const results = await Promise.all(parts.map((part) => store.write(part, { exchange: 'binance' })));
      expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(600);
      expectBarsEqual(await store.read(all), bars);
    });
  });
}
