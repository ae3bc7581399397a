import { canonicalJson, ModelFormatError } from '@candlelab/core';
import { z } from 'zod';
import { sha256Hex } from './fingerprint.js';
import type { Manifest } from './manifest.js';

/** The field of `manifest.json` that holds its seal. */
export const SEAL_FIELD = 'seal';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The seal the file store writes into every `manifest.json`: the sha256 of the canonical JSON
 * (sorted keys, no whitespace) of the manifest without its seal, and the sha256 of each top-level
 * field, so that a mismatch can name the fields that were edited. It makes a hand edit evident,
 * not impossible: it is no signature, so whoever recomputes it on purpose can forge it.
 */
export const ManifestSealSchema = z.object({
  sha256: z.string().regex(SHA256_HEX, 'expected 64 lowercase hex digits'),
  fields: z.record(z.string(), z.string().regex(SHA256_HEX, 'expected 64 lowercase hex digits')),
});
export type ManifestSeal = z.infer<typeof ManifestSealSchema>;

/** The seal of a manifest's JSON content (an object without the seal). */
function sealOf(content: Record<string, unknown>): ManifestSeal {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(content).sort()) fields[key] = sha256Hex(canonicalJson(content[key]));
  return { sha256: sha256Hex(canonicalJson(content)), fields };
}

/**
 * The text of `manifest.json` for `manifest`, sealed. The seal is computed over the manifest as
 * JSON will read it back (members that are `undefined` dropped), so reading verifies it exactly.
 */
export function sealedManifestText(manifest: Manifest): string {
  const content = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  return `${JSON.stringify({ ...content, [SEAL_FIELD]: sealOf(content) }, null, 2)}\n`;
}

/** What a manifest's seal says: it matches, there is none (written before seals), or it does not match. */
export type SealInspection =
  | { state: 'sealed' }
  | { state: 'unsealed' }
  | {
      state: 'broken';
      /** Top-level fields edited since sealing (`'stage'`, `'notes' (added)`…); empty when only the seal was edited. */
      edited: string[];
      /** What is wrong, for a message. */
      detail: string;
    };

/** Compares a `manifest.json` (its parsed JSON) with its seal. */
export function inspectManifestSeal(json: unknown): SealInspection {
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !(SEAL_FIELD in json))
    return { state: 'unsealed' };
  const { [SEAL_FIELD]: stored, ...content } = json as Record<string, unknown>;
  const seal = ManifestSealSchema.safeParse(stored);
  if (!seal.success) {
    const issues = seal.error.issues.map((i) => `${[SEAL_FIELD, ...i.path].join('.')}: ${i.message}`).join('; ');
    return { state: 'broken', edited: [], detail: `field '${SEAL_FIELD}' is damaged (${issues})` };
  }
  const actual = sealOf(content);
  if (actual.sha256 === seal.data.sha256) return { state: 'sealed' };
  const recorded = seal.data.fields;
  const edited = [...new Set([...Object.keys(recorded), ...Object.keys(actual.fields)])].sort().flatMap((key) => {
    if (!(key in recorded)) return [`'${key}' (added)`];
    if (!(key in actual.fields)) return [`'${key}' (removed)`];
    return recorded[key] !== actual.fields[key] ? [`'${key}'`] : [];
  });
  const what =
    edited.length > 0
      ? `field${edited.length > 1 ? 's' : ''} ${edited.join(', ')} changed since the registry sealed it`
      : `field '${SEAL_FIELD}.sha256' does not match the content`;
  return {
    state: 'broken',
    edited,
    detail: `${what} (sha256 of the manifest ${actual.sha256}, sealed ${seal.data.sha256})`,
  };
}

/**
 * Checks the seal of a `manifest.json` read from `path` (its parsed JSON): returns whether it is
 * sealed or has no seal (written before seals); throws {@link ModelFormatError} naming the file
 * and the edited fields (or the seal field) when it does not match. `resealHint` says how to
 * accept an intended edit.
 */
export function checkManifestSeal(json: unknown, path: string, resealHint: string): 'sealed' | 'unsealed' {
  const inspection = inspectManifestSeal(json);
  if (inspection.state !== 'broken') return inspection.state;
  throw new ModelFormatError(`${path}: ${inspection.detail}; a hand edit is not trusted: ${resealHint}`);
}
