import {
  type Classifier,
  checkModelJson,
  type Dataset,
  type FitOptions,
  InvalidParameterError,
  type Matrix,
  ModelFormatError,
  type ModelJson,
} from '@candlelab/core';
import { z } from 'zod';
import { argmax } from './evalMetric.js';
import { Gbdt, type GbdtFitResult } from './Gbdt.js';
import type { GbdtParamsInput } from './params.js';

const GbdtEnsembleJsonSchema = z.object({
  kind: z.literal('gbdt-ensemble'),
  version: z.number().int(),
  weights: z.array(z.number().min(0)),
  members: z.array(z.unknown()).min(1),
});

/**
 * A weighted average of several {@link Gbdt} models trained on the same data: probabilities
 * are averaged for classifiers, values for regression (the seeds' XGBoost + LightGBM ensemble).
 * Every member must have the same objective.
 */
export class GbdtEnsemble implements Classifier<GbdtFitResult[]> {
  static readonly kind = 'gbdt-ensemble';
  static readonly version = 1;

  readonly members: readonly Gbdt[];
  /** Normalised member weights (sum 1). */
  readonly weights: Float64Array;

  /** @param weights one non-negative weight per member; default equal weights. */
  constructor(members: readonly Gbdt[], weights?: readonly number[]) {
    if (members.length === 0)
      throw new InvalidParameterError('members', members.length, 'an ensemble needs at least one model');
    const objective = members[0]!.params.objective;
    if (members.some((m) => m.params.objective !== objective))
      throw new InvalidParameterError('members', objective, 'all members must share one objective');
    const w = weights ?? members.map(() => 1);
    const total = w.reduce((a, b) => a + b, 0);
    if (w.length !== members.length || w.some((v) => !(Number.isFinite(v) && v >= 0)) || !(total > 0)) {
      throw new InvalidParameterError(
        'weights',
        weights,
        `expected ${members.length} non-negative weights with a positive sum`,
      );
    }
    this.members = members;
    this.weights = Float64Array.from(w, (v) => v / total);
  }

  /**
   * A depth-wise "XGBoost-like" model (depth 6, `lambdaL2` 1, `minDataInLeaf` 1, `minSumHessianInLeaf` 1)
   * and a leaf-wise "LightGBM-like" model (31 leaves), both with `shared` settings on top.
   */
  static xgboostLightgbmPair(shared: GbdtParamsInput = {}): GbdtEnsemble {
    return new GbdtEnsemble([
      new Gbdt({
        growPolicy: 'depthwise',
        maxDepth: 6,
        lambdaL2: 1,
        minDataInLeaf: 1,
        minSumHessianInLeaf: 1,
        ...shared,
      }),
      new Gbdt({ growPolicy: 'leafwise', numLeaves: 31, ...shared }),
    ]);
  }

  get numClasses(): number {
    return this.members[0]!.numClasses;
  }

  /** Fits every member in turn with the same dataset and options. */
  fit(dataset: Dataset, options: FitOptions = {}): GbdtFitResult[] {
    return this.members.map((member) => member.fit(dataset, options));
  }

  /** Weighted mean of the members' probabilities, `rows × numClasses`. */
  predictProba(X: Matrix): Float64Array {
    return this.average((m) => m.predictProba(X));
  }

  /** Weighted mean value (regression) or the class with the highest mean probability. */
  predict(X: Matrix): Float64Array {
    if (this.members[0]!.params.objective === 'regression') return this.average((m) => m.predict(X));
    const proba = this.predictProba(X);
    const k = this.numClasses;
    const out = new Float64Array(X.rows);
    for (let r = 0; r < X.rows; r++) out[r] = argmax(proba, r * k, k);
    return out;
  }

  toJSON(): ModelJson {
    return {
      kind: GbdtEnsemble.kind,
      version: GbdtEnsemble.version,
      weights: Array.from(this.weights),
      members: this.members.map((m) => m.toJSON()),
    };
  }

  static fromJSON(json: unknown): GbdtEnsemble {
    checkModelJson(json, GbdtEnsemble.kind, GbdtEnsemble.version);
    const parsed = GbdtEnsembleJsonSchema.safeParse(json);
    if (!parsed.success || parsed.data.weights.length !== parsed.data.members.length) {
      throw new ModelFormatError('gbdt-ensemble model: expected members and one weight per member');
    }
    return new GbdtEnsemble(parsed.data.members.map(Gbdt.fromJSON), parsed.data.weights);
  }

  private average(predict: (member: Gbdt) => Float64Array): Float64Array {
    let out: Float64Array | undefined;
    this.members.forEach((member, i) => {
      const values = predict(member);
      const w = this.weights[i]!;
      if (!out) out = values.map((v) => v * w);
      else for (let j = 0; j < values.length; j++) out[j]! += w * values[j]!;
    });
    return out!;
  }
}
