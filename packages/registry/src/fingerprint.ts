import { createHash } from 'node:crypto';
import { type Bars, canonicalJson } from '@candlelab/core';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hash of a bar series: its identity and the exact bytes of every column. */
export function hashBars(bars: Bars): string {
  const hash = createHash('sha256').update(`${bars.symbol}|${bars.timeframe}|${bars.time.length}`);
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/** What a trained model depends on. Anything that changes the model must change one of these. */
export interface FingerprintInputs {
  /** Hash of the input bars (see {@link hashBars}); one per symbol for multi-symbol training. */
  data: string | readonly string[];
  featureSet: unknown;
  labels: unknown;
  split: unknown;
  hyperparameters: unknown;
  /** Versions of the packages that computed the model (name → version). */
  packageVersions: Readonly<Record<string, string>>;
  seed: number | string;
}

export interface Fingerprint {
  /** sha256 over all parts. */
  hash: string;
  /** sha256 of each part, to see which part changed between two models. */
  parts: Record<keyof FingerprintInputs, string>;
}

/** A reproducible fingerprint: the same inputs give the same hash on every machine. */
export function computeFingerprint(inputs: FingerprintInputs): Fingerprint {
  const parts = {} as Record<keyof FingerprintInputs, string>;
  for (const key of Object.keys(inputs).sort() as (keyof FingerprintInputs)[]) {
    parts[key] = sha256Hex(canonicalJson(inputs[key]));
  }
  return { hash: sha256Hex(canonicalJson(parts)), parts };
}
