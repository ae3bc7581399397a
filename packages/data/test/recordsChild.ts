// Child process for killedRecords.test.ts: writes argv[3] batches of argv[4] trade-memory rows into
// the DuckDB file argv[2], one writeRecords call each, from batch 0 (a restarted run rewrites what
// is there), printing `<batch> <inserted> <updated>` after each commit, until done or SIGKILLed.
import { DuckDbStore } from '../src/DuckDbStore.js';

const [path, BATCHES, ROWS_PER_BATCH] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const store = await DuckDbStore.open({ path });
for (let batch = 0; batch < BATCHES; batch++) {
  const rows = Array.from({ length: ROWS_PER_BATCH }, (_, i) => ({
    id: batch * ROWS_PER_BATCH + i,
    batch,
    pnl: Math.sin(batch * ROWS_PER_BATCH + i),
    side: i % 2 === 0 ? 'long' : 'short',
  }));
  const { inserted, updated } = await store.writeRecords('trade_memory', rows, { key: ['id'] });
  process.stdout.write(`${batch} ${inserted} ${updated}\n`);
}
await store.close();
process.stdout.write('done\n');
