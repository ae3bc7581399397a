import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordStore } from '../src/RecordStore.js';

type OpenedStore = RecordStore & { close(): Promise<void> };

export interface RecordStoreContractOptions {
  /** Suite title, e.g. `'DuckDbStore'`. */
  name: string;
  /** Opens a store; two calls with the same `id` must reach the same database. */
  open: (id: string) => Promise<OpenedStore>;
  /** Whether two stores opened with the same `id` share their tables (false for MemoryStore). */
  shared: boolean;
  /** Runs once after the suite (drop schemas, delete files). */
  teardown?: () => Promise<void>;
  /** When set, the suite is skipped and this message says why and how to enable it. */
  skipReason?: string;
}

/** A shadow-trading trade memory row, typed as the pipeline would (an interface, not a record type). */
interface TradeRow {
  model: string;
  entry_time: number;
  side: string;
  pnl: number;
  won: boolean;
  exit_reason?: string | null;
}

const trades: TradeRow[] = [
  { model: 'm1', entry_time: 1_700_000_000_000, side: 'long', pnl: 0.012, won: true, exit_reason: 'take_profit' },
  { model: 'm1', entry_time: 1_700_003_600_000, side: 'short', pnl: -0.004, won: false, exit_reason: null },
  { model: 'm2', entry_time: 1_700_000_000_000, side: 'long', pnl: Number.NaN, won: false },
];
const tradeKey = { key: ['model', 'entry_time'] as const };

/** What a failed call threw. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * The record-table contract every {@link RecordStore} passes: create from the first write, typed
 * read-back sorted by key, idempotent upserts (writing twice changes nothing), partial updates,
 * NaN → NULL, added columns, strict identifiers, refused rows that write nothing.
 */
export function recordStoreContract(options: RecordStoreContractOptions): void {
  const suite = options.skipReason === undefined ? describe : describe.skip;
  let counter = 0;
  /** A fresh store and a table name unique to this test (parallel files and reruns never collide). */
  const fresh = async () => {
    counter++;
    const id = `r${process.pid}_${Date.now().toString(36)}_${counter}`;
    return { store: await options.open(id), table: `trade_memory_${id}`, id };
  };
  if (options.teardown) afterAll(options.teardown);

  suite(`${options.name} (record tables)`, () => {
    it('creates the table on the first write and reads rows back typed, NaN as null, sorted by key', async () => {
      const { store, table } = await fresh();
      try {
        expect(await store.readRecords(table)).toEqual([]); // no table yet
        expect(await store.writeRecords(table, [trades[2]!, trades[1]!, trades[0]!], tradeKey)).toEqual({
          inserted: 3,
          updated: 0,
        });
        expect(await store.readRecords(table)).toEqual([
          { ...trades[0], exit_reason: 'take_profit' },
          { ...trades[1], exit_reason: null },
          { ...trades[2], pnl: null, exit_reason: null },
        ]);
      } finally {
        await store.close();
      }
    });

    it('upserts idempotently: the same rows twice change nothing; a changed row is updated in place', async () => {
      const { store, table } = await fresh();
      try {
        await store.writeRecords(table, trades, tradeKey);
        const before = await store.readRecords(table);
        expect(await store.writeRecords(table, trades, tradeKey)).toEqual({ inserted: 0, updated: 0 });
        expect(await store.readRecords(table)).toEqual(before);
        const changed = { ...trades[1]!, pnl: -0.005 };
        const added = { ...trades[0]!, entry_time: 1_700_007_200_000 };
        expect(await store.writeRecords(table, [trades[0]!, changed, added], tradeKey)).toEqual({
          inserted: 1,
          updated: 1,
        });
        const after = await store.readRecords(table);
        expect(after).toHaveLength(4);
        expect(after.find((row) => row.entry_time === changed.entry_time)?.pnl).toBe(-0.005);
      } finally {
        await store.close();
      }
    });

    it('updates only the columns a write names; a null overwrites, an undefined property does not', async () => {
      const { store, table } = await fresh();
      try {
        await store.writeRecords(table, trades, tradeKey);
        const outcome = { model: 'm1', entry_time: trades[0]!.entry_time, exit_reason: null, pnl: undefined };
        expect(await store.writeRecords(table, [outcome], tradeKey)).toEqual({ inserted: 0, updated: 1 });
        const [row] = await store.readRecords(table, { model: 'm1', entry_time: trades[0]!.entry_time });
        expect(row).toEqual({ ...trades[0], exit_reason: null });
      } finally {
        await store.close();
      }
    });

    it('keeps infinities, empty strings, quotes and non-ASCII text exactly', async () => {
      const { store, table } = await fresh();
      try {
        const rows = [
          { id: `it's "quoted" \\ ; DROP TABLE x; --`, value: Number.POSITIVE_INFINITY, flag: true },
          { id: '', value: Number.NEGATIVE_INFINITY, flag: false },
          { id: 'é漢🙂', value: -0.1 + 0.3, flag: null },
        ];
        await store.writeRecords(table, rows, { key: ['id'] });
        const got = await store.readRecords(table);
        expect(got).toHaveLength(3);
        for (const row of rows) expect(got).toContainEqual(row);
      } finally {
        await store.close();
      }
    });

    it('adds columns that appear in later writes (NULL in earlier rows); refuses a column of unknown type', async () => {
      const { store, table } = await fresh();
      try {
        await store.writeRecords(table, trades, tradeKey);
        const later = { model: 'm3', entry_time: 1, side: 'long', pnl: 0.1, won: true, holding_bars: 12 };
        expect(await store.writeRecords(table, [later], tradeKey)).toEqual({ inserted: 1, updated: 0 });
        const rows = await store.readRecords(table);
        expect(rows.find((row) => row.model === 'm3')).toEqual({ ...later, exit_reason: null });
        expect(rows.filter((row) => row.model !== 'm3').every((row) => row.holding_bars === null)).toBe(true);

        const unknown = await failure(store.writeRecords(table, [{ ...later, note: null }], tradeKey));
        expect(unknown).toBeInstanceOf(ValidationError);
        expect((unknown as ValidationError).issues[0]?.field).toBe('note');
        expect((unknown as Error).message).toContain(table);
        // Declared, it is created (and the rest of the write lands).
        await store.writeRecords(table, [{ ...later, note: null, pnl: 0.2 }], {
          ...tradeKey,
          columns: { note: 'text' },
        });
        expect(await store.readRecords(table, { model: 'm3' })).toEqual([
          { ...later, exit_reason: null, pnl: 0.2, note: null },
        ]);
        expect(await store.writeRecords(table, [{ ...later, note: 'ok' }], tradeKey)).toEqual({
          inserted: 0,
          updated: 1,
        });
      } finally {
        await store.close();
      }
    });

    it('refuses a row with a missing key, naming the table, row and column, and writes nothing', async () => {
      const { store, table } = await fresh();
      try {
        for (const bad of [
          { model: 'm9', side: 'long' },
          { model: 'm9', entry_time: null },
          { model: 'm9', entry_time: Number.NaN },
        ]) {
          const error = await failure(store.writeRecords(table, [trades[0]!, bad], tradeKey));
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues).toEqual([expect.objectContaining({ row: 1, field: 'entry_time' })]);
          expect((error as Error).message).toContain(`'${table}'`);
        }
        expect(await store.readRecords(table)).toEqual([]); // the table was not even created
        await store.writeRecords(table, trades, tradeKey);
        const error = await failure(
          store.writeRecords(table, [{ ...trades[0]!, pnl: 9 }, { model: 'm1' } as Partial<TradeRow>], tradeKey),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((await store.readRecords(table, { model: 'm1' }))[0]?.pnl).toBe(trades[0]!.pnl); // nothing kept
      } finally {
        await store.close();
      }
    });

    it('refuses bad identifiers (injection, case, length) before touching the database', async () => {
      const { store, table } = await fresh();
      try {
        for (const name of ['x; DROP TABLE y', 'Trade_Memory', '1abc', 'a"b', '', 'a'.repeat(64), 'naïve']) {
          const error = await failure(store.writeRecords(name, trades, tradeKey));
          expect(error, name).toBeInstanceOf(InvalidParameterError);
          expect((error as InvalidParameterError).parameter).toBe('table');
          await expect(store.readRecords(name)).rejects.toBeInstanceOf(InvalidParameterError);
        }
        const column = await failure(store.writeRecords(table, [{ ...trades[0]!, 'pnl"; --': 1 }], tradeKey));
        expect(column).toBeInstanceOf(ValidationError);
        expect((column as ValidationError).issues[0]).toMatchObject({ row: 0, field: 'pnl"; --' });
        await expect(store.writeRecords(table, trades, { key: ['Model'] as never })).rejects.toMatchObject({
          parameter: 'key',
        });
        await expect(store.writeRecords(table, trades, { key: [] })).rejects.toMatchObject({ parameter: 'key' });
        expect(await store.readRecords(table)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('refuses values of the wrong type, duplicate keys in one write, and a key other than the table’s', async () => {
      const { store, table } = await fresh();
      try {
        const mixed = await failure(store.writeRecords(table, [trades[0]!, { ...trades[1]!, pnl: '0.1' }], tradeKey));
        expect((mixed as ValidationError).issues).toEqual([expect.objectContaining({ row: 1, field: 'pnl' })]);
        const objects = await failure(
          store.writeRecords(table, [{ ...trades[0]!, won: new Date(0) as never }], tradeKey),
        );
        expect((objects as ValidationError).issues).toEqual([expect.objectContaining({ row: 0, field: 'won' })]);
        const twice = await failure(store.writeRecords(table, [trades[0]!, trades[1]!, trades[0]!], tradeKey));
        expect((twice as ValidationError).issues).toEqual([expect.objectContaining({ row: 2 })]);
        await store.writeRecords(table, trades, tradeKey);
        const retyped = await failure(store.writeRecords(table, [{ ...trades[0]!, won: 1 }], tradeKey));
        expect(retyped).toBeInstanceOf(ValidationError);
        expect((retyped as ValidationError).issues[0]).toMatchObject({ field: 'won' });
        await expect(store.writeRecords(table, [trades[0]!], { key: ['model'] })).rejects.toMatchObject({
          parameter: 'key',
        });
        // The same key columns in another order are the same key.
        expect(await store.writeRecords(table, trades, { key: ['entry_time', 'model'] })).toEqual({
          inserted: 0,
          updated: 0,
        });
        expect(await store.readRecords(table)).toHaveLength(3);
      } finally {
        await store.close();
      }
    });

    it('filters reads by equality and refuses unknown columns or mistyped values', async () => {
      const { store, table } = await fresh();
      try {
        await store.writeRecords(table, trades, tradeKey);
        expect((await store.readRecords(table, { model: 'm1' })).map((row) => row.entry_time)).toEqual([
          trades[0]!.entry_time,
          trades[1]!.entry_time,
        ]);
        expect(await store.readRecords(table, { won: false, model: 'm2' })).toHaveLength(1);
        expect(await store.readRecords(table, { side: 'flat' })).toEqual([]);
        await expect(store.readRecords(table, { nope: 1 })).rejects.toMatchObject({ parameter: 'where.nope' });
        await expect(store.readRecords(table, { pnl: 'x' })).rejects.toMatchObject({ parameter: 'where.pnl' });
        await expect(store.readRecords(table, { pnl: Number.NaN })).rejects.toBeInstanceOf(InvalidParameterError);
      } finally {
        await store.close();
      }
    });

    it('writes many rows in batches and counts them exactly', async () => {
      const { store, table } = await fresh();
      try {
        const rows = Array.from({ length: 5000 }, (_, i) => ({
          id: i,
          bucket: `b${i % 7}`,
          score: Math.sin(i),
          hit: i % 3 === 0,
        }));
        expect(await store.writeRecords(table, rows, { key: ['id'] })).toEqual({ inserted: 5000, updated: 0 });
        const changed = rows.map((row) => (row.id % 10 === 0 ? { ...row, score: row.score + 1 } : row));
        expect(await store.writeRecords(table, changed, { key: ['id'] })).toEqual({ inserted: 0, updated: 500 });
        const got = await store.readRecords(table);
        expect(got).toEqual(changed);
      } finally {
        await store.close();
      }
    });

    if (options.shared) {
      it('two stores on one database writing the same rows at once: no duplicate, nothing lost', async () => {
        const { store, table, id } = await fresh();
        const other = await options.open(id);
        try {
          const rows = Array.from({ length: 300 }, (_, i) => ({ id: `k${i}`, value: i }));
          const results = await Promise.all([
            store.writeRecords(table, rows.slice(0, 200), { key: ['id'] }),
            other.writeRecords(table, rows.slice(100), { key: ['id'] }),
            store.writeRecords(table, rows.slice(50, 250), { key: ['id'] }),
          ]);
          expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(300);
          expect(results.reduce((sum, r) => sum + r.updated, 0)).toBe(0);
          const got = await other.readRecords(table);
          expect(got).toHaveLength(300);
          expect(new Set(got.map((row) => row.id)).size).toBe(300);
        } finally {
          await Promise.all([store.close(), other.close()]);
        }
      });
    }
  });
}
