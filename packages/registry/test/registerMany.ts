// Child process for the concurrency test: registers `count` models into the registry at `root`.
import { ModelRegistry } from '@candlelab/registry';

const [root, worker, count, startAt] = process.argv.slice(2);
// All workers start writing at the same instant, so their version allocations really race.
while (Date.now() < Number(startAt)) {}
const registry = new ModelRegistry({ root: root! });
for (let i = 0; i < Number(count); i++) {
  registry.register({
    strategy: 'race',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    model: { kind: 'test', version: 1, worker: Number(worker), i },
    metrics: { sharpe: Number(worker) + i / 100 },
    config: { worker: Number(worker), i },
    fingerprint: { hash: `w${worker}-${i}`, parts: {} as never },
  });
}
