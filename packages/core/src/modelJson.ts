import { ModelFormatError } from './errors.js';
import type { ModelJson } from './estimator.js';

/**
 * Checks that `json` is a model file of `kind` with a version this code can read
 * (`<= currentVersion`), and returns it typed. Every `fromJSON` starts here.
 */
export function checkModelJson(json: unknown, kind: string, currentVersion: number): ModelJson {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError(`expected a ${kind} model object, got ${json === null ? 'null' : typeof json}`);
  }
  const record = json as Record<string, unknown>;
  if (record.kind !== kind) {
    throw new ModelFormatError(`expected a model of kind '${kind}', got '${String(record.kind)}'`);
  }
  const version = record.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ModelFormatError(`${kind} model has no valid version (got ${String(version)})`);
  }
  if (version > currentVersion) {
    throw new ModelFormatError(
      `${kind} model version ${version} is newer than this library reads (<= ${currentVersion}); upgrade candlelab`,
    );
  }
  return record as ModelJson;
}
