import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsLength, InvalidParameterError, type Timeframe, ValidationError } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource } from './FileSource.js';
import { generateSyntheticBars } from './generateSyntheticBars.js';
import { loadBars } from './loadBars.js';
import { MemoryStore } from './MemoryStore.js';
import { SyntheticSource } from './SyntheticSource.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const now = () => Date.UTC(2030, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'candlelab-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadBars with the synthetic source', () => {
  const request = { exchange: 'synthetic', symbol: 'SYN/USD', timeframe: '1h' as const, start: T0, end: T0 + 500 * H };

  it('fetches in pages, writes back, then serves from the store; bars equal the generator', async () => {
    const store = new MemoryStore();
    const source = new SyntheticSource({ seed: 5, origin: T0, pageSize: 64 });
    const first = await loadBars(request, { store, source, now });
    const expected = generateSyntheticBars({
      timeframe: '1h',
      start: T0,
      count: 500,
      seed: '5|SYN/USD|1h',
      symbol: 'SYN/USD',
    });
    expect(Array.from(first.bars.close)).toEqual(Array.from(expected.close));
    expect(first.report).toEqual({
      fromStore: 0,
      fetched: 500,
      requested: [{ start: T0, end: request.end }],
      gaps: [],
    });
    const second = await loadBars({ ...request, start: T0 + 100 * H, end: T0 + 700 * H }, { store, source, now });
    expect(second.report.fromStore).toBe(400);
    expect(second.report.requested).toEqual([{ start: request.end, end: T0 + 700 * H }]);
    expect(Array.from(second.bars.close.subarray(0, 400))).toEqual(Array.from(expected.close.subarray(100)));
  });

  it('aligns a start inside a bar up to the next bar open', async () => {
    const result = await loadBars(
      { ...request, start: T0 + 1, end: T0 + 3 * H },
      { store: new MemoryStore(), source: new SyntheticSource({ origin: T0 }), now },
    );
    expect(Array.from(result.bars.time)).toEqual([T0 + H, T0 + 2 * H]);
  });

  it('returns no bars and fetches nothing when [start, end) holds no bar open', async () => {
    const result = await loadBars(
      { ...request, start: T0 + 1, end: T0 + H - 1 },
      { store: new MemoryStore(), source: new SyntheticSource({ origin: T0 }), now },
    );
    expect(barsLength(result.bars)).toBe(0);
    expect(result.report).toEqual({ fromStore: 0, fetched: 0, requested: [], gaps: [] });
  });

  it('without a source reports the missing ranges as not fetched', async () => {
    const result = await loadBars(request, { store: new MemoryStore(), now });
    expect(barsLength(result.bars)).toBe(0);
    expect(result.report.gaps).toEqual([{ start: T0, end: request.end, reason: 'not-fetched' }]);
  });

  it('rejects bad requests with an InvalidParameterError naming the option', async () => {
    const store = new MemoryStore();
    await expect(loadBars({ ...request, start: request.end }, { store })).rejects.toMatchObject({ parameter: 'start' });
    await expect(loadBars({ ...request, end: Number.NaN }, { store })).rejects.toMatchObject({ parameter: 'end' });
    await expect(loadBars({ ...request, timeframe: '3x' as Timeframe }, { store })).rejects.toMatchObject({
      parameter: 'timeframe',
    });
    await expect(loadBars({ ...request, symbol: '' }, { store })).rejects.toBeInstanceOf(InvalidParameterError);
  });
});

describe('loadBars with a file source', () => {
  const rows = Array.from({ length: 48 }, (_, i) => `${T0 + i * H},${100 + i},${102 + i},${99 + i},${101 + i},${i}`);

  it('loads a CSV file into the store', async () => {
    const path = join(dir, 'good.csv');
    writeFileSync(path, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const store = new MemoryStore();
    const source = new FileSource({ path, symbol: 'ABC/USD', timeframe: '1h' });
    const result = await loadBars(
      { exchange: 'file', symbol: 'ABC/USD', timeframe: '1h', start: T0, end: T0 + 48 * H },
      { store, source, now },
    );
    expect(barsLength(result.bars)).toBe(48);
    expect(result.bars.close[47]).toBe(148);
  });

  it.each([
    ['a malformed row', (r: string[]) => r.with(20, `${T0 + 20 * H},120,x,119,121,1`), 22, 'high'],
    ['high < low', (r: string[]) => r.with(30, `${T0 + 30 * H},130,128,129,129.5,1`), 32, 'high'],
    ['an unsorted timestamp', (r: string[]) => r.with(10, `${T0 + 5 * H},110,112,109,111,1`), 12, 'time'],
  ])('a file with %s is refused naming the line; nothing is written', async (_name, corrupt, line, field) => {
    const path = join(dir, `bad-${line}.csv`);
    writeFileSync(path, `timestamp,open,high,low,close,volume\n${corrupt(rows).join('\n')}\n`);
    const store = new MemoryStore();
    const source = new FileSource({ path, symbol: 'ABC/USD', timeframe: '1h' });
    const request = { exchange: 'file', symbol: 'ABC/USD', timeframe: '1h' as const, start: T0, end: T0 + 48 * H };
    const error = await loadBars(request, { store, source, now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.some((i) => i.row === line - 1 && i.field === field)).toBe(true);
    expect((error as Error).message).toContain(`line ${line}`);
    expect(barsLength(await store.read(request))).toBe(0);
    expect(await store.readCoverage(request)).toEqual([]);
  });
});
