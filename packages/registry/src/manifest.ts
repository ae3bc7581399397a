import { TimeframeSchema } from '@candlelab/core';
import { z } from 'zod';
import { StageSchema } from './stages.js';

const GateOutcomeSchema = z.object({
  expression: z.string(),
  passed: z.boolean(),
  actual: z.number().nullable(),
  reason: z.string(),
});
export type GateOutcome = z.infer<typeof GateOutcomeSchema>;

export const StageChangeSchema = z.object({
  from: StageSchema.nullable(),
  to: StageSchema,
  at: z.string(),
  reason: z.string(),
  gates: z.array(GateOutcomeSchema).optional(),
});
export type StageChange = z.infer<typeof StageChangeSchema>;

/** `manifest.json` of one model version: identity, fingerprint, stage and its history. */
export const ManifestSchema = z.object({
  formatVersion: z.literal(1),
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
  stage: StageSchema,
  stageHistory: z.array(StageChangeSchema),
  /** Every file of the version, relative to its folder. */
  files: z.array(z.string()),
});
export type Manifest = z.infer<typeof ManifestSchema>;
