// Child process for the kill test: registers models with a large extra file until it is killed,
// printing a line after each registration.
import { ModelRegistry } from '@candlelab/registry';

const [root] = process.argv.slice(2);
const registry = new ModelRegistry({ root: root! });
const weights = new Uint8Array(32 * 1024 * 1024).fill(7);
for (let i = 0; ; i++) {
  registry.register({
    strategy: 'killed',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    model: { kind: 'test', version: 1, i },
    metrics: { sharpe: i },
    config: { i },
    fingerprint: { hash: `k${i}`, parts: {} as never },
    extraFiles: { 'weights.bin': weights },
  });
  process.stdout.write(`registered ${i}\n`);
}
