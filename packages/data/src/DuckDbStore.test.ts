import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsLength, copyBars, StoreError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { storeContract } from '@candlelab/test-utils/storeContract';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from './DuckDbStore.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract({ name: 'DuckDbStore', open: (id) => DuckDbStore.open({ path: join(dir, `${id}.duckdb`) }) });

describe('DuckDbStore file', () => {
  const bars = copyBars(btcHourly({ last: 2000 }));
  const query = { exchange: 'binance', symbol: bars.symbol, timeframe: bars.timeframe, start: 0, end: 4e12 };

  it('persists bars and coverage across close and reopen', async () => {
    const path = join(dir, 'reopen.duckdb');
    const first = await DuckDbStore.open({ path });
    const coverage = { start: bars.time[0]!, end: bars.time[1999]! + 3_600_000 };
    await first.write(bars, { exchange: 'binance', coverage });
    await first.close();
    const second = await DuckDbStore.open({ path });
    const got = await second.read(query);
    expect(Array.from(got.close)).toEqual(Array.from(bars.close));
    expect(Array.from(got.time)).toEqual(Array.from(bars.time));
    expect(await second.readCoverage(query)).toEqual([coverage]);
    await second.close();
  });

  it('frees the file when the last store on it closes', async () => {
    const path = join(dir, 'release.duckdb');
    const [a, b] = await Promise.all([DuckDbStore.open({ path }), DuckDbStore.open({ path })]);
    await a.close();
    await b.write(copyBars(bars, 0, 10), { exchange: 'binance' });
    await b.close();
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const direct = await DuckDBInstance.create(path); // throws while another instance holds the file
    const connection = await direct.connect();
    const rows = await connection.runAndReadAll('SELECT count(*) FROM market_data');
    expect(rows.getRows()).toEqual([[10n]]);
    connection.closeSync();
    direct.closeSync();
  });

  it('two writers (two connections on one file) writing overlapping chunks lose nothing', async () => {
    const path = join(dir, 'writers.duckdb');
    const [a, b] = await Promise.all([DuckDbStore.open({ path }), DuckDbStore.open({ path })]);
    const writes: Promise<unknown>[] = [];
    for (let offset = 0; offset < 2000; offset += 200) {
      // Writer a takes chunks forwards, writer b backwards, each chunk overlapping the next by 50 bars.
      writes.push(a.write(copyBars(bars, offset, Math.min(2000, offset + 250)), { exchange: 'binance' }));
      const back = 1800 - offset;
      writes.push(b.write(copyBars(bars, Math.max(0, back - 50), back + 200), { exchange: 'binance' }));
    }
    await Promise.all(writes);
    const got = await a.read(query);
    expect(barsLength(got)).toBe(2000);
    expect(Array.from(got.time)).toEqual(Array.from(bars.time));
    expect(Array.from(got.volume)).toEqual(Array.from(bars.volume));
    await Promise.all([a.close(), b.close()]);
  });
});

describe('DuckDbStore bulk paths', () => {
  it('round-trips several data chunks exactly through both the direct and the staging path', async () => {
    const { generateSyntheticBars } = await import('./generateSyntheticBars.js');
    const bars = generateSyntheticBars({ count: 5000, timeframe: '1m', seed: 11 });
    const store = await DuckDbStore.open({ path: join(dir, 'bulk.duckdb') });
    const query = { exchange: 'x', symbol: bars.symbol, timeframe: bars.timeframe, start: 0, end: 4e12 };
    expect((await store.write(copyBars(bars, 0, 3000), { exchange: 'x' })).inserted).toBe(3000); // direct append
    expect((await store.write(bars, { exchange: 'x' })).inserted).toBe(2000); // overlaps: staging + DO NOTHING
    const got = await store.read(query);
    for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Array.from(got[column]), column).toEqual(Array.from(bars[column]));
    }
    await store.close();
  });
});

describe('DuckDbStore corruption', () => {
  it('a corrupt block found during a read is a StoreError naming the file (was a raw "IO Error")', async () => {
    const { generateSyntheticBars } = await import('./generateSyntheticBars.js');
    const bars = generateSyntheticBars({ count: 100_000, timeframe: '1m', seed: 3 });
    const path = join(dir, 'intact.duckdb');
    const store = await DuckDbStore.open({ path });
    await store.write(bars, { exchange: 'x' });
    await store.close();
    const intact = readFileSync(path);
    const query = { exchange: 'x', symbol: bars.symbol, timeframe: bars.timeframe, start: 0, end: 4e12 };
    let failures = 0;
    // Flip 64 bytes at several places in the data blocks: opening still succeeds (the catalog is
    // intact) and DuckDB's block checksum fails only when the read touches the damaged block.
    for (const fraction of [0.2, 0.3, 0.4, 0.5]) {
      const damaged = Buffer.from(intact);
      const at = Math.floor(statSync(path).size * fraction);
      for (let i = 0; i < 64; i++) damaged[at + i]! ^= 0xff;
      const damagedPath = join(dir, `damaged-${fraction}.duckdb`);
      writeFileSync(damagedPath, damaged);
      let reopened: DuckDbStore;
      try {
        reopened = await DuckDbStore.open({ path: damagedPath });
      } catch (error) {
        expect(error).toBeInstanceOf(StoreError);
        continue;
      }
      try {
        const got = await reopened.read(query);
        expect(Array.from(got.close)).toEqual(Array.from(bars.close)); // untouched block: still exact
      } catch (error) {
        failures++;
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toContain(damagedPath);
        expect((error as Error).message).toMatch(/Corrupt database file/);
      } finally {
        await reopened.close();
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
