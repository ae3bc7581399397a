/**
 * Benchmark datasets, stored once as binary files under `benchmarks/.data/` (gitignored):
 * header `Int32[3] = [nTrain, nTest, d]`, then `Float32[(nTrain + nTest) · d]` row-major features,
 * then `Uint8[nTrain + nTest]` labels. Python reads the same files with `numpy.fromfile`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';

export const DATA_DIR = fileURLToPath(new URL('../../../benchmarks/.data/', import.meta.url));

export interface BenchData {
  nTrain: number;
  nTest: number;
  d: number;
  X: Float32Array;
  y: Uint8Array;
}

export function writeBenchData(path: string, data: BenchData): void {
  mkdirSync(dirname(path), { recursive: true });
  const header = Buffer.from(Int32Array.of(data.nTrain, data.nTest, data.d).buffer);
  writeFileSync(
    path,
    Buffer.concat([header, Buffer.from(data.X.buffer, data.X.byteOffset, data.X.byteLength), Buffer.from(data.y)]),
  );
}

export function readBenchData(path: string): BenchData {
  const bytes = readFileSync(path);
  const header = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 12));
  const [nTrain, nTest, d] = [header[0]!, header[1]!, header[2]!];
  const n = nTrain + nTest;
  const X = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 12, bytes.byteOffset + 12 + n * d * 4));
  const y = new Uint8Array(
    bytes.buffer.slice(bytes.byteOffset + 12 + n * d * 4, bytes.byteOffset + 12 + n * d * 4 + n),
  );
  return { nTrain, nTest, d, X, y };
}

/**
 * A HIGGS-like synthetic problem with 28 features: 7 "particles" of (pt ~ Exp(1), eta ~ N(0, 1.2),
 * phi ~ U(-π, π)) = 21 low-level features, and 7 high-level pairwise invariant-mass-like features.
 * The label depends nonlinearly on both, with interactions and noise (test AUC ≈ 0.8).
 */
export function higgsLike(nTrain: number, nTest: number, seed = 20241122): BenchData {
  const d = 28;
  const n = nTrain + nTest;
  const rng = new Rng(seed);
  const X = new Float32Array(n * d);
  const y = new Uint8Array(n);
  const pt = new Float64Array(7);
  const eta = new Float64Array(7);
  const phi = new Float64Array(7);
  const mass = new Float64Array(7);
  for (let r = 0; r < n; r++) {
    for (let p = 0; p < 7; p++) {
      pt[p] = -Math.log(1 - rng.float());
      eta[p] = rng.normal(0, 1.2);
      phi[p] = rng.uniform(-Math.PI, Math.PI);
      X[r * d + 3 * p] = pt[p]!;
      X[r * d + 3 * p + 1] = eta[p]!;
      X[r * d + 3 * p + 2] = phi[p]!;
    }
    for (let j = 0; j < 7; j++) {
      const a = j;
      const b = (j + 1) % 7;
      mass[j] = Math.sqrt(
        2 * pt[a]! * pt[b]! * Math.max(0, Math.cosh(eta[a]! - eta[b]!) - Math.cos(phi[a]! - phi[b]!)),
      );
      X[r * d + 21 + j] = mass[j]!;
    }
    const s =
      1.2 * Math.tanh(mass[0]! - 1.5) +
      0.8 * Math.sin(phi[0]! - phi[1]!) * Math.min(pt[2]!, 3) +
      0.7 * (eta[1]! * eta[2]! > 0 ? 1 : -1) * Math.min(pt[3]!, 2) +
      0.6 * Math.log(mass[3]! + 0.1) -
      0.5 * Math.abs(eta[4]!) +
      0.4 * (pt[5]! > 1 ? mass[5]! : -mass[6]!) +
      rng.normal();
    y[r] = s > 0 ? 1 : 0;
  }
  return { nTrain, nTest, d, X, y };
}

/**
 * A real feature matrix from the BTC/USDT 1h fixture (45,024 bars): past log returns over
 * 1–72 bars, realised volatility over 12/24/72 bars, range and close location, volume z-score,
 * distance to 24/96-bar means, RSI-like up/down ratio, hour of day and day of week; label =
 * next bar closes up. Chronological split: first 80% train, last 20% test.
 */
export function btcFeatures(): BenchData {
  const bars = btcHourly();
  const { close, high, low, volume, time } = bars;
  const n = close.length;
  const warmup = 100;
  const rows = n - warmup - 1;
  const d = 18;
  const X = new Float32Array(rows * d);
  const y = new Uint8Array(rows);
  const ret = (t: number, k: number) => Math.log(close[t]! / close[t - k]!);
  const mean = (t: number, k: number, f: (i: number) => number) => {
    let s = 0;
    for (let i = t - k + 1; i <= t; i++) s += f(i);
    return s / k;
  };
  const std = (t: number, k: number, f: (i: number) => number) => {
    const m = mean(t, k, f);
    return Math.sqrt(mean(t, k, (i) => (f(i) - m) ** 2));
  };
  for (let j = 0; j < rows; j++) {
    const t = warmup + j;
    const r1 = (i: number) => ret(i, 1);
    const lv = (i: number) => Math.log(volume[i]! + 1);
    const up = mean(t, 14, (i) => Math.max(0, r1(i)));
    const down = mean(t, 14, (i) => Math.max(0, -r1(i)));
    const date = new Date(time[t]!);
    const features = [
      ret(t, 1),
      ret(t, 2),
      ret(t, 4),
      ret(t, 8),
      ret(t, 24),
      ret(t, 72),
      std(t, 12, r1),
      std(t, 24, r1),
      std(t, 72, r1),
      Math.log(high[t]! / low[t]!),
      high[t]! > low[t]! ? (close[t]! - low[t]!) / (high[t]! - low[t]!) : 0.5,
      (lv(t) - mean(t, 24, lv)) / (std(t, 24, lv) || 1),
      Math.log(close[t]! / mean(t, 24, (i) => close[i]!)),
      Math.log(close[t]! / mean(t, 96, (i) => close[i]!)),
      up / (up + down || 1),
      date.getUTCHours(),
      date.getUTCDay(),
      std(t, 12, r1) / (std(t, 72, r1) || 1),
    ];
    X.set(features, j * d);
    y[j] = close[t + 1]! > close[t]! ? 1 : 0;
  }
  const nTrain = Math.floor(rows * 0.8);
  return { nTrain, nTest: rows - nTrain, d, X, y };
}

/** The file of a dataset, generated on first use. */
export function ensureDataset(name: 'higgs' | 'btc', trainRows: number): string {
  const path = name === 'higgs' ? `${DATA_DIR}gbdt-higgs-like-${trainRows}.bin` : `${DATA_DIR}gbdt-btc-hourly.bin`;
  if (!existsSync(path)) {
    const started = performance.now();
    writeBenchData(path, name === 'higgs' ? higgsLike(trainRows, Math.round(trainRows / 5)) : btcFeatures());
    console.log(`generated ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return path;
}
