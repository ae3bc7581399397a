import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsLength, copyBars, InvalidParameterError, StoreError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { storeContract } from '@candlelab/test-utils/storeContract';
import { afterAll, describe, expect, it } from 'vitest';
import { recordStoreContract } from '../test/recordStoreContract.js';
import { DuckDbStore } from './DuckDbStore.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract({ name: 'DuckDbStore', open: (id) => DuckDbStore.open({ path: join(dir, `${id}.duckdb`) }) });
recordStoreContract({
  name: 'DuckDbStore',
  open: (id) => DuckDbStore.open({ path: join(dir, `${id}.duckdb`) }),
  shared: true,
});

describe('DuckDbStore record tables and plain SQL', () => {
  const rows = [
    { model: 'm1', entry_time: 1_700_000_000_000, pnl: 0.012, won: true },
    { model: 'm1', entry_time: 1_700_003_600_000, pnl: Number.NaN, won: false },
    { model: 'm2', entry_time: 1_700_000_000_000, pnl: -0.004, won: false },
  ];

  it('keeps record tables beside the candles, queryable with plain SQL through the store and after reopening', async () => {
    const path = join(dir, 'records.duckdb');
    const store = await DuckDbStore.open({ path });
    await store.write(copyBars(btcHourly({ last: 10 })), { exchange: 'binance' });
    await store.writeRecords('trade_memory', rows, { key: ['model', 'entry_time'] });
    expect(await store.query('SELECT count(*) AS n FROM trade_memory')).toEqual([{ n: 3 }]);
    expect(await store.query('SELECT count(*) AS n FROM trade_memory WHERE pnl IS NULL')).toEqual([{ n: 1 }]);
    expect(
      await store.query(
        'SELECT model, sum(pnl) AS total FROM trade_memory WHERE NOT won AND pnl > $1 GROUP BY model',
        [-1],
      ),
    ).toEqual([{ model: 'm2', total: -0.004 }]);
    expect(await store.query('SELECT count(*) AS n FROM market_data')).toEqual([{ n: 10 }]);
    const types = await store.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'trade_memory' ORDER BY ordinal_position",
    );
    expect(types.map((t) => t.data_type)).toEqual(['VARCHAR', 'DOUBLE', 'DOUBLE', 'BOOLEAN']);
    await expect(store.query('SELECT * FROM no_such_table')).rejects.toThrow(StoreError);
    await store.close();

    // Another program (here DuckDB itself) sees a plain table with its primary key.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const direct = await DuckDBInstance.create(path);
    const connection = await direct.connect();
    const direct_rows = await connection.runAndReadAll(
      'SELECT model, entry_time, pnl FROM trade_memory ORDER BY model, entry_time',
    );
    expect(direct_rows.getRows()).toEqual([
      ['m1', 1_700_000_000_000, 0.012],
      ['m1', 1_700_003_600_000, null],
      ['m2', 1_700_000_000_000, -0.004],
    ]);
    await expect(connection.run("INSERT INTO trade_memory VALUES ('m1', 1700000000000, 1, true)")).rejects.toThrow(
      /constraint|duplicate/i,
    );
    connection.closeSync();
    direct.closeSync();
  });

  it('a database failure during a record write is a StoreError naming the table and file; nothing is kept', async () => {
    const path = join(dir, 'checked.duckdb');
    const store = await DuckDbStore.open({ path });
    await store.query('CREATE TABLE checked (id VARCHAR PRIMARY KEY, x DOUBLE CHECK (x > 0))');
    expect(await store.writeRecords('checked', [{ id: 'a', x: 1 }], { key: ['id'] })).toEqual({
      inserted: 1,
      updated: 0,
    });
    const error = await store
      .writeRecords(
        'checked',
        [
          { id: 'b', x: 2 },
          { id: 'c', x: -1 },
        ],
        { key: ['id'] },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain("table 'checked'");
    expect((error as Error).message).toContain(path);
    expect(await store.readRecords('checked')).toEqual([{ id: 'a', x: 1 }]);
    await store.close();
  });

  it('refuses to write records into its own candle tables', async () => {
    const store = await DuckDbStore.open({ path: join(dir, 'candle-tables.duckdb') });
    for (const table of ['market_data', 'market_data_coverage', 'candle_staging']) {
      await expect(store.writeRecords(table, [{ exchange: 'x' }], { key: ['exchange'] })).rejects.toBeInstanceOf(
        InvalidParameterError,
      );
    }
    await store.close();
  });
});

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
