// Child process for killedLoad.test.ts: loads BTC/USDT 1h from the fake exchange at argv[3] into the
// DuckDB file argv[2], slowly, until the parent SIGKILLs it.

import { fakeExchangeClient } from '@candlelab/test-utils/fakeExchange';
import { CcxtSource } from '../src/CcxtSource.js';
import { DuckDbStore } from '../src/DuckDbStore.js';
import { loadBars } from '../src/loadBars.js';

const [path, url, start, end, now] = process.argv.slice(2).map((arg, i) => (i < 2 ? arg : Number(arg))) as [
  string,
  string,
  number,
  number,
  number,
];
const store = await DuckDbStore.open({ path });
const source = new CcxtSource({ exchange: await fakeExchangeClient(url), pageLimit: 40, now: () => now });
await loadBars(
  { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', start, end },
  { store, source, now: () => now, onProgress: (p) => process.stdout.write(`${p.fetched}\n`) },
);
await store.close();
process.stdout.write('done\n');
