import { ModelFormatError, type ModelJson } from '@candlelab/core';
import { sha256Hex } from './fingerprint.js';
import type { LoadedModel } from './ModelStore.js';
import type { Manifest } from './manifest.js';
import { CONFIG_FILE, IMPORTANCE_FILE, METRICS_FILE, MODEL_FILE } from './prepareRegistration.js';

/**
 * Reads one artifact of a version and checks it against the manifest. `read` returns the bytes,
 * or undefined when the artifact is missing. Throws {@link ModelFormatError} naming the file
 * (`location` is the folder or table of the version) and, on a mismatch, both hashes.
 */
export function readVerified(
  manifest: Manifest,
  name: string,
  location: string,
  read: (name: string) => Uint8Array | undefined,
): Uint8Array {
  const expected = manifest.files[name];
  const where = `${location}/${name}`;
  if (expected === undefined) throw new ModelFormatError(`${where}: not listed in the manifest of ${manifest.id}`);
  const bytes = read(name);
  if (bytes === undefined) throw new ModelFormatError(`${where}: missing (listed in the manifest of ${manifest.id})`);
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256) {
    throw new ModelFormatError(
      `${where}: sha256 mismatch for ${manifest.id}: expected ${expected.sha256}, actual ${actual} (${bytes.byteLength} bytes, expected ${expected.bytes}); the file was changed or damaged after registration`,
    );
  }
  return bytes;
}

/** Every artifact of a version, verified and decoded. */
export function decodeModel(
  manifest: Manifest,
  location: string,
  read: (name: string) => Uint8Array | undefined,
): LoadedModel {
  const text = (name: string) => new TextDecoder().decode(readVerified(manifest, name, location, read));
  const json = (name: string): unknown => parseJson(text(name), `${location}/${name}`);
  const extraFiles: Record<string, Uint8Array> = {};
  for (const name of Object.keys(manifest.files)) {
    if (![MODEL_FILE, METRICS_FILE, IMPORTANCE_FILE, CONFIG_FILE].includes(name))
      extraFiles[name] = readVerified(manifest, name, location, read);
  }
  return {
    manifest,
    model: json(MODEL_FILE) as ModelJson,
    metrics: decodeMetrics(manifest, location, read),
    featureImportance: json(IMPORTANCE_FILE),
    config: text(CONFIG_FILE),
    extraFiles,
  };
}

/** The verified `metrics.json` of a version. */
export function decodeMetrics(
  manifest: Manifest,
  location: string,
  read: (name: string) => Uint8Array | undefined,
): Record<string, number> {
  const where = `${location}/${METRICS_FILE}`;
  const value = parseJson(new TextDecoder().decode(readVerified(manifest, METRICS_FILE, location, read)), where);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ModelFormatError(`${where}: expected an object of metrics`);
  return value as Record<string, number>;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${where} is not valid JSON`, { cause: error });
  }
}
