import { ModelFormatError, TimeframeSchema } from '@candlelab/core';
import { z } from 'zod';
import { StageSchema } from './stages.js';

/** Where a gate came from: stored with the model at registration, or configured on the registry. */
export const GateSourceSchema = z.enum(['model', 'registry']);
export type GateSource = z.infer<typeof GateSourceSchema>;

const GateOutcomeSchema = z.object({
  expression: z.string(),
  passed: z.boolean(),
  actual: z.number().nullable(),
  reason: z.string(),
  /** Absent in stage changes written before gates were stored with models. */
  source: GateSourceSchema.optional(),
});
export type GateOutcome = z.infer<typeof GateOutcomeSchema>;

export const StageChangeSchema = z.object({
  from: StageSchema.nullable(),
  to: StageSchema,
  at: z.string(),
  reason: z.string(),
  gates: z.array(GateOutcomeSchema).optional(),
  /** True when failing gates were overridden with `force`; `by` and `reason` say who and why. */
  forced: z.boolean().optional(),
  /** Who asked for the change (user name or service), when known. */
  by: z.string().optional(),
  /** Metrics passed to `promote` on top of the stored ones (e.g. paper-trading results). */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type StageChange = z.infer<typeof StageChangeSchema>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Size and sha256 of one stored artifact, checked every time it is read. */
export const ArtifactSchema = z.object({
  sha256: z.string().regex(SHA256_HEX, 'expected 64 lowercase hex digits'),
  bytes: z.number().int().nonnegative(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

/** Gates stored with a model, per target stage, as text (`sharpe > 1.5`). */
export const StoredGatesSchema = z.partialRecord(StageSchema, z.array(z.string()));
export type StoredGates = z.infer<typeof StoredGatesSchema>;

/** The format written by this version of the registry. */
export const MANIFEST_FORMAT_VERSION = 2;

/**
 * `manifest.json` of one model version: identity, fingerprint, the gates it was trained with,
 * the sha256 of every artifact, its stage and the stage history.
 */
export const ManifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  id: z.string(),
  strategy: z.string(),
  symbol: z.string(),
  timeframe: TimeframeSchema,
  version: z.number().int().positive(),
  createdAt: z.string(),
  modelKind: z.string(),
  fingerprint: z.object({ hash: z.string(), parts: z.record(z.string(), z.string()) }),
  seed: z.union([z.number(), z.string()]),
  packageVersions: z.record(z.string(), z.string()),
  /** Gates that promotion to each stage must pass (besides the registry's own). */
  gates: StoredGatesSchema,
  stage: StageSchema,
  stageHistory: z.array(StageChangeSchema),
  /** Every artifact of the version (every file but the manifest), by name. */
  files: z.record(z.string(), ArtifactSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The manifest written before artifact hashes and stored gates existed (format 1). */
export const LegacyManifestSchema = ManifestSchema.omit({ formatVersion: true, gates: true, files: true }).extend({
  formatVersion: z.literal(1),
  files: z.array(z.string()),
});
export type LegacyManifest = z.infer<typeof LegacyManifestSchema>;

/**
 * Checks a manifest read from `source` (a path or a table row). A format-1 manifest (no artifact
 * hashes) is refused with a message saying how to upgrade it, since its files cannot be verified.
 */
export function parseManifest(json: unknown, source: string): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  if (LegacyManifestSchema.safeParse(json).success) {
    throw new ModelFormatError(
      `${source}: manifest format 1 has no artifact hashes, so its files cannot be verified; check the files, then run registry.upgradeLegacy(id) once to record their hashes`,
    );
  }
  throw new ModelFormatError(
    `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  );
}
