import { ModelFormatError, requireNodeBuiltin } from '@candlelab/core';
import { MLP_CLASSIFIER_KIND, MlpClassifier } from './MlpClassifier.js';
import { MLP_REGRESSOR_KIND, MlpRegressor } from './MlpRegressor.js';

/** File names inside a saved model directory. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Node's file system and paths, looked up when used so that the package still bundles for browsers. */
function nodeFiles(feature: string) {
  return {
    fs: requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', feature),
    path: requireNodeBuiltin<typeof import('node:path')>('node:path', feature),
  };
}

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
  const { fs, path } = nodeFiles('saveModel');
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
  await fs.mkdir(directory, { recursive: true });
  await fs.writeFile(path.join(directory, WEIGHTS_FILE), Buffer.concat(chunks));
  await fs.writeFile(
    path.join(directory, MODEL_FILE),
    `${JSON.stringify({ ...json, weights, weightsFile: WEIGHTS_FILE }, null, 2)}\n`,
  );
}

/**
 * Reads a model written by {@link saveModel}; the kind in `model.json` picks the class. Any file
 * that cannot give a working model — unreadable or truncated JSON, weights outside `weights.bin`,
 * non-finite weights, a zero scaler scale — is refused with a {@link ModelFormatError} naming the
 * file and the field.
 */
export async function loadModel(directory: string): Promise<MlpClassifier | MlpRegressor> {
  const { fs, path } = nodeFiles('loadModel');
  const modelPath = path.join(directory, MODEL_FILE);
  const weightsPath = path.join(directory, WEIGHTS_FILE);
  const readError = (path: string, error: unknown) =>
    new ModelFormatError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(modelPath, 'utf8'));
  } catch (error) {
    throw readError(modelPath, error);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { weights?: unknown }).weights)) {
    throw new ModelFormatError(`${modelPath} has no weights list`);
  }
  const record = parsed as Record<string, unknown> & { weights: unknown[] };
  let bin: Buffer;
  try {
    bin = await fs.readFile(weightsPath);
  } catch (error) {
    throw readError(weightsPath, error);
  }
  const weights = record.weights.map((value, k) => {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Partial<WeightEntry>;
    const { byteOffset, byteLength } = entry;
    if (
      !Number.isInteger(byteOffset) ||
      !Number.isInteger(byteLength) ||
      byteOffset! < 0 ||
      byteLength! < 0 ||
      byteOffset! + byteLength! > bin.length
    ) {
      throw new ModelFormatError(
        `${modelPath}: weights[${k}] (${String(entry.name)}) points outside ${WEIGHTS_FILE} (${bin.length} bytes)`,
      );
    }
    return {
      name: entry.name,
      shape: entry.shape,
      data: bin.subarray(byteOffset, byteOffset! + byteLength!).toString('base64'),
    };
  });
  const { weightsFile: _weightsFile, ...rest } = record;
  const json = { ...rest, weights };
  try {
    if (record.kind === MLP_CLASSIFIER_KIND) return MlpClassifier.fromJSON(json);
    if (record.kind === MLP_REGRESSOR_KIND) return MlpRegressor.fromJSON(json);
  } catch (error) {
    if (error instanceof ModelFormatError)
      throw new ModelFormatError(`${modelPath}: ${error.message}`, { cause: error });
    throw error;
  }
  throw new ModelFormatError(`${modelPath} is a '${String(record.kind)}' model, not an nn MLP`);
}
