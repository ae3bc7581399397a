import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '@candlelab/core';
import { MLP_CLASSIFIER_KIND, MlpClassifier } from './MlpClassifier.js';
import { MLP_REGRESSOR_KIND, MlpRegressor } from './MlpRegressor.js';

/** File names inside a saved model directory. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

interface WeightEntry {
  name: string;
  shape: number[];
  data?: string;
  byteOffset?: number;
  byteLength?: number;
}

/**
 * Writes a fitted model to `directory` (created if missing) as `model.json` — kind, version,
 * options, topology, scaler and metadata — and `weights.bin`, the float32 little-endian weights
 * that `model.json`'s `weights` entries point into (as in tfjs's own layout).
 */
export async function saveModel(model: MlpClassifier | MlpRegressor, directory: string): Promise<void> {
  const json = model.toJSON();
  const chunks: Buffer[] = [];
  let offset = 0;
  const weights = (json.weights as WeightEntry[]).map((entry) => {
    const bytes = Buffer.from(entry.data ?? '', 'base64');
    chunks.push(bytes);
    const out = { name: entry.name, shape: entry.shape, byteOffset: offset, byteLength: bytes.length };
    offset += bytes.length;
    return out;
  });
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, WEIGHTS_FILE), Buffer.concat(chunks));
  await writeFile(
    join(directory, MODEL_FILE),
    `${JSON.stringify({ ...json, weights, weightsFile: WEIGHTS_FILE }, null, 2)}\n`,
  );
}

/** Reads a model written by {@link saveModel}; the kind in `model.json` picks the class. */
export async function loadModel(directory: string): Promise<MlpClassifier | MlpRegressor> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(directory, MODEL_FILE), 'utf8'));
  } catch (error) {
    throw new ModelFormatError(
      `cannot read ${join(directory, MODEL_FILE)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { weights?: unknown }).weights)) {
    throw new ModelFormatError(`${join(directory, MODEL_FILE)} has no weights list`);
  }
  const record = parsed as Record<string, unknown> & { weights: WeightEntry[] };
  const bin = await readFile(join(directory, WEIGHTS_FILE));
  const weights = record.weights.map((entry) => {
    const { byteOffset, byteLength } = entry;
    if (typeof byteOffset !== 'number' || typeof byteLength !== 'number' || byteOffset + byteLength > bin.length) {
      throw new ModelFormatError(`weight ${entry.name} points outside ${WEIGHTS_FILE} (${bin.length} bytes)`);
    }
    return {
      name: entry.name,
      shape: entry.shape,
      data: bin.subarray(byteOffset, byteOffset + byteLength).toString('base64'),
    };
  });
  const { weightsFile: _weightsFile, ...rest } = record;
  const json = { ...rest, weights };
  if (record.kind === MLP_CLASSIFIER_KIND) return MlpClassifier.fromJSON(json);
  if (record.kind === MLP_REGRESSOR_KIND) return MlpRegressor.fromJSON(json);
  throw new ModelFormatError(`${join(directory, MODEL_FILE)} is a '${String(record.kind)}' model, not an nn MLP`);
}
