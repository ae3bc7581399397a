import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterAll, expect, it } from 'vitest';
import { DuckDbStore } from '../src/DuckDbStore.js';

const BATCHES = 40;
const ROWS_PER_BATCH = 500;

const dir = mkdtempSync(join(tmpdir(), 'candlelab-kill-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const child = fileURLToPath(new URL('./recordsChild.ts', import.meta.url));

/** Runs the writer child on `path`; with `killAfter`, SIGKILLs it once that many batches are committed. Returns its output lines. */
async function runChild(path: string, killAfter?: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  const run = startSourceProcess(child, [path, String(BATCHES), String(ROWS_PER_BATCH)]);
  if (killAfter !== undefined) {
    await run.waitForLines(killAfter);
    run.proc.kill('SIGKILL');
  }
  const { signal } = await run.exit;
  if (signal === null && !run.stdout().includes('done')) throw new Error(`writer failed: ${run.stderr()}`);
  return { lines: run.lines(), signal };
}

it('record writes SIGKILLed mid-run keep whole batches only; the restarted run completes with no duplicate', async () => {
  const path = join(dir, 'records.duckdb');
  const killed = await runChild(path, 3);
  expect(killed.signal).toBe('SIGKILL');
  const committed = killed.lines.length;

  const store = await DuckDbStore.open({ path });
  const perBatch = await store.query('SELECT batch, count(*) AS n FROM trade_memory GROUP BY batch ORDER BY batch');
  await store.close();
  // Every batch reported committed is there, whole; at most one more (killed between commit and print); none partial.
  expect(perBatch.length === committed || perBatch.length === committed + 1).toBe(true);
  expect(perBatch).toEqual(perBatch.map((_, b) => ({ batch: b, n: ROWS_PER_BATCH })));
  expect(committed).toBeLessThan(BATCHES); // it really was cut short

  const restarted = await runChild(path);
  const counts = restarted.lines.filter((line) => line !== 'done').map((line) => line.split(' ').map(Number));
  expect(counts).toHaveLength(BATCHES);
  counts.forEach(([batch, inserted, updated]) => {
    expect(inserted).toBe(batch! < perBatch.length ? 0 : ROWS_PER_BATCH); // rewritten batches change nothing
    expect(updated).toBe(0);
  });
  const reopened = await DuckDbStore.open({ path });
  expect(await reopened.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM trade_memory')).toEqual([
    { n: BATCHES * ROWS_PER_BATCH, ids: BATCHES * ROWS_PER_BATCH },
  ]);
  await reopened.close();
}, 120_000);
