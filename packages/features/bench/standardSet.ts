/**
 * Benchmark: features at scale, side by side with pandas.
 *
 * Data (synthetic, core `Rng`, seed 'features-bench'): geometric Brownian motion with log-returns
 * N(0, 0.01) per bar plus a weak mean reversion of the log price to ln 100 (θ = 1e-4 per bar, an
 * exponential Ornstein–Uhlenbeck process) so the price stays in a realistic range over 10^6 bars
 * and more; open = previous close, high/low = max/min(open, close) widened by a half-normal wick,
 * log-normal volume. The bars are written once to a temporary file that every stage reads.
 *
 * Stages, each in its own process so that each peak RSS (`maxRSS`, the OS high-water mark) is its
 * own, running this file bundled by esbuild on plain `node` (compiled JavaScript, as a user runs the
 * published packages: tsx's loader thread alone would add ~40 MB to every peak): the pandas/numpy reference `pandas_reference.py` (run with /usr/bin/python3: the 77 columns
 * of the standard set that pandas expresses with vectorised operations, into a row-major float64
 * matrix), candlelab's `buildDataset` on the same 77 columns (the comparable subset: ratio to
 * pandas), on the whole standard set (124 columns) in float64 and float32, and the previous path
 * (`computeFeatures` then `assembleDataset`: every column at full length, then the matrix).
 *
 * Run: pnpm --filter @candlelab/features bench
 * Options (environment): BENCH_BARS (default 1,000,000); BENCH_STAGES, a comma-separated subset of
 * `pandas,subset,standard,standard-f32,legacy` (default all; at 10M bars use
 * `BENCH_STAGES=standard-f32` or `standard`: pandas needs ~2 GB and the previous path ~2.1 GB per
 * million bars).
 * BENCH_HUGEPAGES=1 runs the candlelab stages with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, so that
 * glibc asks for transparent huge pages on large allocations (Linux, glibc ≥ 2.35), as numpy does
 * for its arrays by default: filling a fresh 0.6 GB matrix then takes a few thousand page faults
 * instead of ~150,000 (default off: what a plain `node` process gets).
 * Prints, per stage, the time and its ratio to pandas, the peak RSS and the RSS before the stage
 * started (runtime + bars + labels), each beside its target (≤ 0.7× pandas' time for the
 * comparable subset, ≤ 1,200 MB peak for the standard set at 1M bars), and the load average before
 * and after (2 cores: a load above ~1 means other processes shared the CPU and times are inflated;
 * the CPU-time ratio, user + system of each process, is less sensitive to that).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bars, emptyBars, Rng } from '@candlelab/core';
import { forwardReturnLabels } from '@candlelab/labels';
import { buildSync } from 'esbuild';
import {
  assembleDataset,
  buildDataset,
  computeFeatures,
  type FeatureSet,
  featureColumns,
  standardFeatureSet,
} from '../src/index.js';

const MB = 1024 * 1024;
/** Targets of issue 19 at 1M bars. */
const TARGET_RATIO = 0.7;
const TARGET_PEAK_MB = 1200;
const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const STAGES = ['subset', 'standard', 'standard-f32', 'legacy'] as const;
type Stage = (typeof STAGES)[number];

function gbmBars(n: number, seed: string): Bars {
  const rng = new Rng(seed);
  const bars = emptyBars('GBM/USD', '1h', n);
  const start = Date.UTC(2015, 0, 1);
  const level = Math.log(100);
  let logPrice = level;
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    logPrice += -1e-4 * (logPrice - level) + rng.normal(0, 0.01);
    price = Math.exp(logPrice);
    const wick = () => Math.exp(Math.abs(rng.normal(0, 0.004)));
    bars.time[i] = start + i * 3_600_000;
    bars.open[i] = open;
    bars.close[i] = price;
    bars.high[i] = Math.max(open, price) * wick();
    bars.low[i] = Math.min(open, price) / wick();
    bars.volume[i] = Math.exp(rng.normal(3, 0.8));
  }
  return bars;
}

function readBars(path: string, n: number): Bars {
  const raw = readFileSync(path);
  const all = new Float64Array(raw.buffer, raw.byteOffset, 6 * n);
  const bars = emptyBars('GBM/USD', '1h', 0);
  FIELDS.forEach((field, k) => {
    bars[field] = all.subarray(k * n, (k + 1) * n);
  });
  return bars;
}

/** The standard set without the 47 columns pandas has no vectorised form for (see pandas_reference.py). */
function comparableSubset(): FeatureSet {
  const excluded = new Set([
    'stochRsi',
    'cci',
    'mfi',
    'ultosc',
    'tsi',
    'bop',
    'adx',
    'aroon',
    'trix',
    'vortex',
    'supertrend',
    'volumeOsc',
    'correl',
    'kama',
    'hma',
    'vwapRolling',
    'psar',
    'ichimoku',
    'linreg',
  ]);
  const features = standardFeatureSet().features.filter((spec) => {
    if (spec.kind === 'pattern' || spec.kind === 'supportResistance') return false;
    if (spec.kind === 'rolling' && (spec.stat === 'argmax' || spec.stat === 'argmin')) return false;
    return !('id' in spec && excluded.has(spec.id));
  });
  return { name: 'pandas-comparable', features };
}

/** One stage in this process: prints `{ seconds, peakRssMb, startRssMb, rows, columns }`. */
function runStage(stage: Stage, path: string, n: number): void {
  const bars = readBars(path, n);
  const labels = forwardReturnLabels(bars, { horizon: 4 });
  const set = stage === 'subset' ? comparableSubset() : standardFeatureSet();
  const startRssMb = process.memoryUsage().rss / MB;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let X: Float64Array | Float32Array;
  if (stage === 'legacy') X = assembleDataset(bars, computeFeatures(bars, set), labels).dataset.X;
  else if (stage === 'standard-f32') X = buildDataset(bars, set, labels, { dtype: 'float32' }).dataset.X;
  else X = buildDataset(bars, set, labels).dataset.X;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const columns = featureColumns(set, '1h').length;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ seconds, cpuSeconds, peakRssMb, startRssMb, rows: X.length / columns, columns }));
}

interface Result {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  startRssMb: number;
  rows: number;
  columns: number;
}

function main(): void {
  const at = process.argv.indexOf('--stage');
  if (at !== -1) {
    runStage(process.argv[at + 1] as Stage, process.argv[at + 2]!, Number(process.argv[at + 3]));
    return;
  }
  const n = Number(process.env.BENCH_BARS ?? 1_000_000);
  const wanted = new Set((process.env.BENCH_STAGES ?? 'pandas,subset,standard,standard-f32,legacy').split(','));
  const hugePages = process.env.BENCH_HUGEPAGES === '1';
  const loadBefore = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-features-bench-'));
  const path = join(dir, 'bars.f64');
  try {
    const bars = gbmBars(n, 'features-bench');
    const all = new Float64Array(6 * n);
    FIELDS.forEach((field, k) => {
      all.set(bars[field], k * n);
    });
    writeFileSync(path, all);
    const here = dirname(fileURLToPath(import.meta.url));
    const python = wanted.has('pandas')
      ? (JSON.parse(
          execFileSync('/usr/bin/python3', [join(here, 'pandas_reference.py'), path, String(n)], {
            encoding: 'utf8',
            maxBuffer: 1 << 24,
          }),
        ) as {
          seconds: number;
          cpu_seconds: number;
          peak_rss_mb: number;
          rows: number;
          columns: number;
          names: string[];
        })
      : undefined;
    if (python) {
      const subsetNames = featureColumns(comparableSubset(), '1h').map((c) => c.name);
      const same =
        subsetNames.length === python.names.length && subsetNames.every((name) => python.names.includes(name));
      if (!same) throw new Error(`the comparable subset differs from pandas' columns: ${subsetNames.join(' ')}`);
    }
    // The stages run this file compiled to one plain JavaScript module (workspace sources included).
    const bundle = join(dir, 'standardSet.mjs');
    buildSync({
      entryPoints: [fileURLToPath(import.meta.url)],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@candlelab/source'],
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'error',
    });
    const results = new Map<Stage, Result>();
    for (const stage of STAGES) {
      if (!wanted.has(stage)) continue;
      const out = execFileSync(process.execPath, [bundle, '--stage', stage, path, String(n)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        env: hugePages ? { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } : process.env,
      });
      results.set(stage, JSON.parse(out.trim().split('\n').at(-1)!) as Result);
    }
    const loadAfter = loadavg()[0]!;
    const pandasSeconds = python?.seconds ?? Number.NaN;
    console.log(
      `features at scale: ${n.toLocaleString('en')} synthetic 1h bars; node ${process.version} (bundled, no loader${hugePages ? ', glibc.malloc.hugetlb=1' : ''}); pandas via /usr/bin/python3`,
    );
    console.log(
      `load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${availableParallelism()} cores`,
    );
    console.log(
      'stage | columns | rows | time (s) | × pandas time | CPU (s) | × pandas CPU | peak RSS (MB) | RSS at start (MB)',
    );
    console.log('--- | --: | --: | --: | --: | --: | --: | --: | --:');
    const pandasCpu = python?.cpu_seconds ?? Number.NaN;
    if (python)
      console.log(
        `pandas/numpy reference (comparable subset) | ${python.columns} | ${python.rows} | ${pandasSeconds.toFixed(2)} | 1.00 | ${pandasCpu.toFixed(2)} | 1.00 | ${python.peak_rss_mb.toFixed(0)} | –`,
      );
    const labelsOf: Record<Stage, string> = {
      subset: 'buildDataset, comparable subset, float64',
      standard: 'buildDataset, standard set, float64',
      'standard-f32': 'buildDataset, standard set, float32',
      legacy: 'computeFeatures + assembleDataset (previous path)',
    };
    for (const [stage, r] of results) {
      console.log(
        `${labelsOf[stage]} | ${r.columns} | ${r.rows} | ${r.seconds.toFixed(2)} | ${python ? (r.seconds / pandasSeconds).toFixed(2) : '–'} | ${r.cpuSeconds.toFixed(2)} | ${python ? (r.cpuSeconds / pandasCpu).toFixed(2) : '–'} | ${r.peakRssMb.toFixed(0)} | ${r.startRssMb.toFixed(0)}`,
      );
    }
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const subset = results.get('subset');
    if (subset && python) {
      const ratio = subset.seconds / pandasSeconds;
      console.log(
        `time, comparable subset: ${ratio.toFixed(2)}× pandas (target ≤ ${TARGET_RATIO}×: ${verdict(ratio <= TARGET_RATIO)}); CPU time ${(subset.cpuSeconds / pandasCpu).toFixed(2)}× pandas (less sensitive to other load)`,
      );
    }
    const atScale = (stage: Stage) => {
      const r = results.get(stage);
      if (!r) return undefined;
      const target = (TARGET_PEAK_MB * n) / 1_000_000;
      return `${r.peakRssMb.toFixed(0)} MB (target ≤ ${target.toFixed(0)} MB scaled to ${n.toLocaleString('en')} bars: ${verdict(r.peakRssMb <= target)})`;
    };
    for (const [stage, dtype] of [
      ['standard', 'float64'],
      ['standard-f32', 'float32'],
    ] as const) {
      const line = atScale(stage);
      if (line) console.log(`peak RSS, standard set ${dtype}: ${line}`);
    }
    console.log(`(the bars alone: ${((6 * n * 8) / MB).toFixed(0)} MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
