// The PPO agent vs the hybrid (GBDT entries, PPO sizes) vs the GBDT strategy vs buy-and-hold vs a
// random policy, on the same universe, the same features and labels, the same walk-forward folds.
// Run: pnpm --filter @candlelab/pipeline compare [totalTimesteps=20000] [seeds=3]
// Every number is out of sample: each fold's models train on that fold's past only. Buy-and-hold
// and the random policy are the PPO run's baselines over the same test windows; every row is
// backtested the same way (decided at the close, filled at the next open, 10 bp fees + 5 bp
// slippage, equal-weight portfolio over the symbols).
import { fileURLToPath } from 'node:url';
import { type LoadedStrategy, parseStrategy, type TrainResult, trainStrategy } from '../src/index.js';

const totalTimesteps = Number(process.argv[2] ?? 20_000);
const seeds = Number(process.argv[3] ?? 3);
const baseDir = fileURLToPath(new URL('../../../strategies/', import.meta.url));

const common = `seed: 42
data:
  symbols: [BTC/USDT, ETH/USDT, SOL/USDT]
  timeframe: 1h
  start: 2022-01-01
  end: 2022-10-11
  source: { kind: file, path: '../fixtures/ohlcv/binance-1h/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }
features:
  name: compare
  features:
    - { kind: returns, period: 1 }
    - { kind: returns, period: 4 }
    - { kind: returns, period: 24 }
    - { kind: rolling, of: ret_1, stat: std, window: 24 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
    - { kind: priceRelative, id: sma, params: { period: 48 } }
    - { kind: volumeRatio, period: 24 }
labels: { kind: forwardReturn, horizon: 4, target: binary, upper: 0.002 }
validation: { method: walkForward, trainSize: 2000, validationSize: 400, testSize: 720, gap: 4, workers: 1 }
backtest: { entryThreshold: 0.55, allowShort: false, feesBps: 10, slippageBps: 5 }
importance: { enabled: false }
`;
const gbdt =
  'model: { kind: gbdt, params: { nEstimators: 100, numLeaves: 15, learningRate: 0.05, minDataInLeaf: 50, earlyStoppingRounds: 20 } }\n';
const ppoParams =
  '{ learningRate: 0.0003, numEnvs: 4, numSteps: 256, numMinibatches: 4, updateEpochs: 4, entCoef: 0.01, hiddenSizes: [64, 64] }';
const strategies: Record<string, string> = {
  gbdt: `name: compare-gbdt\n${common}${gbdt}`,
  hybrid: `name: compare-hybrid\n${common}${gbdt}sizing: { kind: ppo, totalTimesteps: ${totalTimesteps}, params: ${ppoParams} }\n`,
  ppo: `name: compare-ppo\n${common}model: { kind: ppo, totalTimesteps: ${totalTimesteps}, seeds: ${seeds}, env: { window: 8, episodeLength: 512 }, params: ${ppoParams} }\n`,
};

const results: Record<string, TrainResult> = {};
for (const [name, text] of Object.entries(strategies)) {
  const loaded: LoadedStrategy = { config: parseStrategy(text, name), text, baseDir };
  const started = performance.now();
  results[name] = await trainStrategy(loaded, { register: false });
  console.error(`${name}: trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// The same test windows for everyone: the folds' first and last test bars must agree.
const windows = (r: TrainResult) => r.folds.map((f) => `${f.testStart}-${f.testEnd}`).join(',');
for (const name of Object.keys(results))
  if (windows(results[name]!) !== windows(results.gbdt!)) throw new Error(`${name} was tested on other windows`);

const ppo = results.ppo!.ppo!;
const rows = [
  { strategy: 'PPO agent (median seed per fold)', ...ppo.oos.agent },
  { strategy: 'hybrid: GBDT entries × PPO sizes', ...results.hybrid!.backtest },
  { strategy: 'GBDT (entry rule, full size)', ...results.gbdt!.backtest },
  { strategy: 'buy and hold', ...ppo.oos.buyAndHold },
  { strategy: `random policy (mean of runs)`, ...ppo.oos.random },
];
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const { oosStart, oosEnd, folds, symbols } = results.gbdt!;
console.log(
  `\nOut of sample ${new Date(oosStart).toISOString().slice(0, 10)} → ${new Date(oosEnd).toISOString().slice(0, 10)}, ${folds.length} folds, ${symbols.join(' ')} 1h, equal-weight portfolio; PPO ${totalTimesteps} steps per agent, ${seeds} seeds\n`,
);
console.log('| strategy | Sharpe | win rate | total P&L | max drawdown | trades |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.strategy} | ${fmt(r.sharpe, 2)} | ${fmt(r.winRate)} | ${fmt(r.totalReturn * 100, 2)}% | ${fmt(r.maxDrawdown * 100, 1)}% | ${fmt(r.trades, 0)} |`,
  );
const seedSpread = ppo.oos.seedSpread.sharpe;
console.log(
  `\nPPO Sharpe over seeds (each seed's agents stitched): ${fmt(seedSpread.min, 2)} … ${fmt(seedSpread.max, 2)}`,
);
console.log(`hybrid: mean size in the market ${fmt(results.hybrid!.sizing!.meanSizeInMarket)}`);
