/**
 * Benchmark: candlelab Gbdt (1 and 2 threads, and quantized gradients) vs XGBoost `hist` (1 and 2 threads) vs scikit-learn
 * HistGradientBoostingClassifier (early stopping off), same data and settings (255 leaves,
 * 255 bins, learning rate 0.1, 100 trees), on a 1,000,000 × 28 HIGGS-like synthetic set (+200,000
 * test rows) and on a real feature matrix from the BTC/USDT 1h fixture. Every run is a separate
 * process (peak RSS per run, data loading included).
 *
 * Usage: pnpm --filter @candlelab/gbdt bench [--rows 1000000] [--trees 100] [--skip-sklearn]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDataset } from './datasets.js';

interface RunResult {
  name: string;
  threads: number;
  seconds: number;
  /** Process CPU time (all threads): less sensitive than wall time to other processes on the machine. */
  cpuSeconds: number;
  secondsPerTree: number;
  auc: number;
  peakMB: number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const rows = Number(option('rows', '1000000'));
const trees = Number(option('trees', '100'));
const skipSklearn = args.includes('--skip-sklearn');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function runCandlelab(file: string, variant: 'exact' | 'quantized', threads: number): RunResult {
  const script = here('./trainCandlelab.ts');
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@candlelab/source', script, file, String(trees), variant, String(threads)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

function runPython(file: string, method: 'xgboost' | 'sklearn', threads: number): RunResult {
  // Passive OpenMP waiting: spinning threads collapse on a machine shared with other processes.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' };
  const out = execFileSync('/usr/bin/python3', [here('./reference.py'), file, method, String(threads), String(trees)], {
    encoding: 'utf8',
    env,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

function report(title: string, results: RunResult[]): void {
  const first = results[0]!;
  console.log(`\n${title}`);
  console.log(
    `${'trainer'.padEnd(40)} ${'threads'.padStart(7)} ${'s/tree'.padStart(7)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(7)} ${'test AUC'.padStart(9)} ${'peak MB'.padStart(8)} ${'ratio wall'.padStart(10)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(40)} ${String(r.threads).padStart(7)} ${r.secondsPerTree.toFixed(3).padStart(7)} ${r.seconds.toFixed(1).padStart(7)} ${r.cpuSeconds.toFixed(1).padStart(7)} ${r.auc.toFixed(4).padStart(9)} ${r.peakMB.toFixed(0).padStart(8)} ${(first.seconds / r.seconds).toFixed(2).padStart(10)}`,
    );
  }
  // Each candlelab run against XGBoost at the same thread count.
  for (const c of results.filter((x) => x.name.startsWith('candlelab'))) {
    const xgb = results.find((x) => x.name.startsWith('xgboost') && x.threads === c.threads);
    if (!xgb) continue;
    const cpu = c.threads === 1 ? `, CPU-time ratio = ${(c.cpuSeconds / xgb.cpuSeconds).toFixed(2)}` : '';
    console.log(
      `${c.name} / XGBoost, ${c.threads} thread${c.threads > 1 ? 's' : ''} each: wall-time ratio = ${(c.seconds / xgb.seconds).toFixed(2)}${cpu}; AUC difference = ${(c.auc - xgb.auc).toFixed(4)}`,
    );
  }
}

for (const [title, file] of [
  [`HIGGS-like synthetic, ${rows.toLocaleString('en')} train × 28, ${trees} trees`, ensureDataset('higgs', rows)],
  [`BTC/USDT 1h features (fixture), 18 features, ${trees} trees`, ensureDataset('btc', 0)],
] as const) {
  const results = [
    runCandlelab(file, 'exact', 1),
    runCandlelab(file, 'exact', 2),
    runCandlelab(file, 'quantized', 1),
    runPython(file, 'xgboost', 1),
    runPython(file, 'xgboost', 2),
  ];
  if (!skipSklearn) results.push(runPython(file, 'sklearn', 2));
  report(title, results);
}
console.log(
  "\nFit times include binning. \"ratio wall\" = first candlelab row's wall time / this trainer's. On a shared machine wall times carry the other processes' load; CPU time of a 1-thread run is the steadier comparison.",
);
