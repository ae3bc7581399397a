import {
  CancelledError,
  type Classifier,
  checkModelJson,
  type Dataset,
  type FitOptions,
  InvalidParameterError,
  type Matrix,
  ModelFormatError,
  type ModelJson,
  NotEnoughDataError,
  NotFittedError,
  Rng,
  ValidationError,
  type ValidationIssue,
  validateDataset,
  validateMatrix,
} from '@candlelab/core';
import { z } from 'zod';
import { binMatrix, fitBinMapper } from './binning.js';
import { argmax, evaluateMetric, higherIsBetter } from './evalMetric.js';
import { baseScores, computeGradients, sigmoid, softmaxInPlace } from './objective.js';
import { defaultMetric, type EvalMetric, type GbdtParams, type GbdtParamsInput, parseGbdtParams } from './params.js';
import { quantizeGradients } from './quantizeGradients.js';
import { addTreeOutputs, binnedTreeOutput, type Tree, treeFromJson, treeToJson } from './Tree.js';
import { sampleFeatures, TreeGrower } from './TreeGrower.js';

/** Per-round training record returned by {@link Gbdt.fit}. */
export interface GbdtHistory {
  /** Metric evaluated on the validation set. */
  metric: EvalMetric;
  /** Objective loss on the training rows after each round (MSE, log-loss or multiclass log-loss; weighted). */
  trainLoss: number[];
  /** Validation metric after each round (empty without a validation set). */
  validation: number[];
}

export interface GbdtFitResult {
  history: GbdtHistory;
  /** Rounds trained (early stopping may end before `nEstimators`). */
  rounds: number;
  /** 0-based round with the best validation metric (the last round without validation). */
  bestIteration: number;
  /** Validation metric at `bestIteration`, when a validation set was given. */
  bestScore?: number;
}

export interface PredictOptions {
  /** Number of boosting rounds to use; default: up to and including the best iteration. */
  iterations?: number;
}

/** Importance of a feature: number of splits on it, or the total gain of those splits. */
export type ImportanceType = 'split' | 'gain';

const TreeJsonSchema = z.object({
  feature: z.array(z.number().int()),
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  defaultLeft: z.array(z.number().int().min(0).max(1)),
  value: z.array(z.number()),
  gain: z.array(z.number()),
});

const GbdtJsonSchema = z.object({
  kind: z.literal('gbdt'),
  version: z.number().int(),
  params: z.record(z.string(), z.unknown()),
  featureNames: z.array(z.string()),
  numOutputs: z.number().int().min(1),
  baseScore: z.array(z.number()),
  bestIteration: z.number().int().min(0),
  trees: z.array(TreeJsonSchema),
});

/** Serialized {@link Gbdt} (kind `gbdt`, version 1). */
export type GbdtJson = z.infer<typeof GbdtJsonSchema>;

/**
 * Histogram gradient-boosted decision trees (as LightGBM and XGBoost's `hist` method):
 * features are quantile-binned to at most 255 bins (NaN in its own bin, sent left or right as
 * learned per split), each round fits one tree per output to the loss gradients, growing it
 * leaf-wise or depth-wise from gradient histograms with the subtraction trick. Squared-error
 * regression, binary log-loss and multiclass softmax; sample weights; early stopping on a
 * validation set. Deterministic for a seed.
 *
 * @example
 * const model = new Gbdt({ objective: 'binary', numLeaves: 31, nEstimators: 200, earlyStoppingRounds: 20 });
 * const { bestIteration } = model.fit(train, { validation });
 * const p = model.predictProba({ data: test.X, rows: test.y.length, cols: test.featureNames.length });
 */
export class Gbdt implements Classifier<GbdtFitResult> {
  static readonly kind = 'gbdt';
  static readonly version = 1;

  readonly params: GbdtParams;
  private trees: Tree[] = [];
  private baseScore: Float64Array = new Float64Array(0);
  private outputs = 0;
  private names: readonly string[] = [];
  private best = -1;

  constructor(params: GbdtParamsInput = {}) {
    this.params = parseGbdtParams(params);
  }

  /** Classes predicted by {@link predictProba}: 2 for binary, `numClass` for multiclass, 1 for regression. */
  get numClasses(): number {
    if (this.params.objective === 'binary') return 2;
    return this.params.objective === 'multiclass' ? this.outputs : 1;
  }

  /** Trees per round (the number of classes for multiclass, else 1); 0 before fitting. */
  get numOutputs(): number {
    return this.outputs;
  }

  /** Boosting rounds stored. */
  get rounds(): number {
    return this.outputs === 0 ? 0 : this.trees.length / this.outputs;
  }

  /** 0-based best round (the last one without early stopping); -1 before fitting. */
  get bestIteration(): number {
    return this.best;
  }

  get featureNames(): readonly string[] {
    return this.names;
  }

  /** Fits the model, replacing any previous fit. `options.validation` enables early stopping and the validation history. */
  fit(dataset: Dataset, options: FitOptions = {}): GbdtFitResult {
    const p = this.params;
    validateDataset(dataset, 'Gbdt.fit', { allowMissingFeatures: true });
    const n = dataset.y.length;
    const d = dataset.featureNames.length;
    if (n < p.minDataInLeaf)
      throw new NotEnoughDataError(`Gbdt.fit: rows (minDataInLeaf = ${p.minDataInLeaf})`, p.minDataInLeaf, n);
    const k = this.outputsFor(dataset.y, 'Gbdt.fit');
    const validation = options.validation;
    if (validation) {
      validateDataset(validation, 'Gbdt.fit validation', { allowMissingFeatures: true });
      if (validation.featureNames.length !== d) {
        throw new ValidationError('Gbdt.fit validation', [
          {
            field: 'featureNames',
            reason: `validation has ${validation.featureNames.length} features, training has ${d}`,
          },
        ]);
      }
      this.checkLabels(validation.y, p.objective === 'binary' ? 2 : k, 'Gbdt.fit validation');
      if (p.metric === 'auc') checkAucLabels(validation.y);
    }
    const rng = new Rng(p.seed);
    const binRng = rng.child('bins');
    const bagRng = rng.child('bagging');
    const featureRng = rng.child('features');
    const mapper = fitBinMapper(dataset.X, n, d, p.maxBins, p.binSampleSize, binRng);
    const bins = binMatrix(dataset.X, n, d, mapper);

    const maxDepth = p.maxDepth ?? (p.growPolicy === 'depthwise' ? 6 : Number.POSITIVE_INFINITY);
    const numLeaves = p.numLeaves ?? (p.growPolicy === 'depthwise' ? 2 ** Math.min(maxDepth, 16) : 31);
    const grower = new TreeGrower(bins, n, k, mapper, {
      ...p,
      numLeaves,
      maxDepth,
    });
    // The grower may hold worker threads: release them however fitting ends.
    try {
      const weights = dataset.weights;
      const base =
        p.baseScore === undefined
          ? baseScores(p.objective, dataset.y, weights, k)
          : new Float64Array(k).fill(p.baseScore);
      const raw = new Float64Array(n * k);
      for (let r = 0; r < n; r++) raw.set(base, r * k);
      const nv = validation ? validation.y.length : 0;
      const rawValidation = new Float64Array(nv * k);
      for (let r = 0; r < nv; r++) rawValidation.set(base, r * k);

      const quantizedPairs = p.quantizedGradients ? new Float32Array(2 * n) : undefined;
      const quantRng = rng.child('quantization');
      // Float32 pairs in the grower's WebAssembly memory, which gathers them into position order.
      const gradHess = grower.gradients;
      const bagRows = new Uint32Array(n);
      const inBag = new Uint8Array(n);
      const allFeatures = Int32Array.from({ length: d }, (_, f) => f);
      const treeFeatures = new Int32Array(d);
      const numTreeFeatures = Math.max(1, Math.round(d * p.colsampleByTree));
      const metric = p.metric ?? defaultMetric(p.objective);
      const higher = higherIsBetter(metric);
      const history: GbdtHistory = { metric, trainLoss: [], validation: [] };
      const trees: Tree[] = [];
      let bestIteration = -1;
      let bestScore = Number.NaN;
      let rounds = 0;

      // Gradients for the next round come from the same pass that measures this round's training loss.
      computeGradients(p.objective, raw, dataset.y, weights, n, k, gradHess);
      for (let round = 0; round < p.nEstimators; round++) {
        if (options.signal?.aborted) throw new CancelledError('Gbdt.fit', { cause: options.signal.reason });
        let bagCount = n;
        if (p.subsample < 1) {
          bagCount = 0;
          for (let r = 0; r < n; r++) {
            const take = bagRng.float() < p.subsample;
            inBag[r] = take ? 1 : 0;
            if (take) bagRows[bagCount++] = r;
          }
          grower.setRows(bagRows, bagCount);
        } else if (round === 0) {
          for (let r = 0; r < n; r++) bagRows[r] = r;
          grower.setRows(bagRows, n);
        }
        const features =
          numTreeFeatures < d ? sampleFeatures(allFeatures, d, numTreeFeatures, featureRng, treeFeatures) : allFeatures;
        for (let c = 0; c < k; c++) {
          const gh = gradHess.subarray(2 * c * n, 2 * (c + 1) * n);
          const quantization = quantizedPairs
            ? quantizeGradients(gh, bagRows, bagCount, quantRng.nextUint32(), quantizedPairs)
            : undefined;
          const tree = grower.grow(c, features, numTreeFeatures, featureRng, quantization);
          trees.push(tree);
          for (let s = 0; s < grower.numLeaves; s++) {
            const v = tree.value[grower.leafNode[s]!]!;
            const start = grower.leafStart[s]!;
            const end = start + grower.leafCount[s]!;
            for (let i = start; i < end; i++) raw[grower.rows[i]! * k + c]! += v;
          }
          if (bagCount < n) {
            for (let r = 0; r < n; r++)
              if (inBag[r] === 0) raw[r * k + c]! += binnedTreeOutput(tree, bins, mapper.stride, mapper.numBins, r);
          }
          if (validation) addTreeOutputs(tree, validation.X, nv, d, rawValidation, k, c);
        }
        rounds = round + 1;
        history.trainLoss.push(computeGradients(p.objective, raw, dataset.y, weights, n, k, gradHess));
        if (validation) {
          const score = evaluateMetric(metric, rawValidation, validation.y, nv, k);
          history.validation.push(score);
          if (bestIteration < 0 || (higher ? score > bestScore : score < bestScore)) {
            bestIteration = round;
            bestScore = score;
          } else if (p.earlyStoppingRounds !== undefined && round - bestIteration >= p.earlyStoppingRounds) {
            options.onProgress?.({
              phase: 'train',
              done: rounds,
              total: p.nEstimators,
              detail: { stopped: 'early', bestIteration },
            });
            break;
          }
        }
        options.onProgress?.({
          phase: 'train',
          done: rounds,
          total: p.nEstimators,
          detail: { trainLoss: history.trainLoss[round]! },
        });
      }
      this.trees = trees;
      this.baseScore = base;
      this.outputs = k;
      this.names = [...dataset.featureNames];
      this.best = validation ? bestIteration : rounds - 1;
      const result: GbdtFitResult = { history, rounds, bestIteration: this.best };
      if (validation) result.bestScore = bestScore;
      return result;
    } finally {
      grower.close();
    }
  }

  /** Raw scores (margins), row-major `rows × numOutputs`. */
  predictRaw(X: Matrix, options: PredictOptions = {}): Float64Array {
    const rounds = this.roundsToUse(options, 'predictRaw');
    validateMatrix(X, this.names.length, 'Gbdt.predictRaw', true);
    const k = this.outputs;
    const out = new Float64Array(X.rows * k);
    for (let r = 0; r < X.rows; r++) out.set(this.baseScore, r * k);
    for (let t = 0; t < rounds * k; t++) addTreeOutputs(this.trees[t]!, X.data, X.rows, X.cols, out, k, t % k);
    return out;
  }

  /**
   * Class probabilities, row-major `rows × numClasses` (binary: `[1 - p, p]`). Throws for
   * regression models.
   */
  predictProba(X: Matrix, options: PredictOptions = {}): Float64Array {
    if (this.params.objective === 'regression')
      throw new InvalidParameterError('objective', 'regression', 'predictProba needs a classification objective');
    const raw = this.predictRaw(X, options);
    if (this.params.objective === 'multiclass') {
      for (let r = 0; r < X.rows; r++) softmaxInPlace(raw, r * this.outputs, this.outputs);
      return raw;
    }
    const out = new Float64Array(X.rows * 2);
    for (let r = 0; r < X.rows; r++) {
      const p = sigmoid(raw[r]!);
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return out;
  }

  /** Regression values, or the most likely class index. */
  predict(X: Matrix, options: PredictOptions = {}): Float64Array {
    const raw = this.predictRaw(X, options);
    const objective = this.params.objective;
    if (objective === 'regression') return raw;
    const out = new Float64Array(X.rows);
    for (let r = 0; r < X.rows; r++)
      out[r] = objective === 'binary' ? (raw[r]! > 0 ? 1 : 0) : argmax(raw, r * this.outputs, this.outputs);
    return out;
  }

  /** Importance per feature (in `featureNames` order) over the rounds used for prediction. */
  featureImportance(type: ImportanceType = 'gain', options: PredictOptions = {}): Float64Array {
    const rounds = this.roundsToUse(options, 'featureImportance');
    const out = new Float64Array(this.names.length);
    for (let t = 0; t < rounds * this.outputs; t++) {
      const tree = this.trees[t]!;
      for (let i = 0; i < tree.feature.length; i++) {
        const f = tree.feature[i]!;
        if (f >= 0) out[f]! += type === 'gain' ? tree.gain[i]! : 1;
      }
    }
    return out;
  }

  /** The model as JSON-safe data (kind `gbdt`, version 1). */
  toJSON(): GbdtJson & ModelJson {
    if (this.outputs === 0) throw new NotFittedError('Gbdt');
    return {
      kind: Gbdt.kind,
      version: Gbdt.version,
      params: { ...this.params },
      featureNames: [...this.names],
      numOutputs: this.outputs,
      baseScore: Array.from(this.baseScore),
      bestIteration: this.best,
      trees: this.trees.map(treeToJson),
    };
  }

  /** Loads a model written by {@link toJSON}; other kinds, newer versions and malformed files throw `ModelFormatError`. */
  static fromJSON(json: unknown): Gbdt {
    checkModelJson(json, Gbdt.kind, Gbdt.version);
    const parsed = GbdtJsonSchema.safeParse(json);
    if (!parsed.success)
      throw new ModelFormatError(
        `gbdt model: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
      );
    const data = parsed.data;
    let model: Gbdt;
    try {
      model = new Gbdt(data.params as GbdtParamsInput);
    } catch (error) {
      throw new ModelFormatError('gbdt model: invalid params', { cause: error });
    }
    const k = data.numOutputs;
    if (
      data.baseScore.length !== k ||
      data.trees.length % k !== 0 ||
      data.bestIteration >= Math.max(1, data.trees.length / k)
    ) {
      throw new ModelFormatError('gbdt model: baseScore, trees and bestIteration disagree with numOutputs');
    }
    data.trees.forEach((tree, t) => {
      checkTree(tree, data.featureNames.length, t);
    });
    model.trees = data.trees.map(treeFromJson);
    model.baseScore = Float64Array.from(data.baseScore);
    model.outputs = k;
    model.names = data.featureNames;
    model.best = data.bestIteration;
    return model;
  }

  private roundsToUse(options: PredictOptions, method: string): number {
    if (this.outputs === 0) throw new NotFittedError('Gbdt');
    const available = this.rounds;
    const rounds = options.iterations ?? this.best + 1;
    if (!Number.isInteger(rounds) || rounds < 0 || rounds > available) {
      throw new InvalidParameterError(
        'iterations',
        options.iterations,
        `${method}: expected an integer in [0, ${available}]`,
      );
    }
    return rounds;
  }

  /** Outputs per round for these labels; checks labels fit the objective. */
  private outputsFor(y: Float64Array, context: string): number {
    const objective = this.params.objective;
    if (objective === 'regression') return 1;
    if (objective === 'binary') {
      this.checkLabels(y, 2, context);
      return 1;
    }
    let max = 0;
    for (let r = 0; r < y.length; r++) max = Math.max(max, y[r]!);
    const k = this.params.numClass ?? Math.max(2, max + 1);
    this.checkLabels(y, k, context);
    return k;
  }

  private checkLabels(y: Float64Array, classes: number, context: string): void {
    if (this.params.objective === 'regression') return;
    const issues: ValidationIssue[] = [];
    for (let r = 0; r < y.length && issues.length < 20; r++) {
      const v = y[r]!;
      if (!(Number.isInteger(v) && v >= 0 && v < classes))
        issues.push({ row: r, field: 'y', reason: `label ${v} is not a class index in [0, ${classes})` });
    }
    if (issues.length > 0) throw new ValidationError(context, issues);
  }
}

/** Refuses trees whose indices would read outside the arrays or loop. */
function checkTree(tree: GbdtJson['trees'][number], d: number, index: number): void {
  const m = tree.feature.length;
  const same = [tree.threshold, tree.left, tree.right, tree.defaultLeft, tree.value, tree.gain].every(
    (a) => a.length === m,
  );
  let ok = same && m > 0;
  for (let i = 0; ok && i < m; i++) {
    const f = tree.feature[i]!;
    if (f < 0) continue;
    const l = tree.left[i]!;
    const r = tree.right[i]!;
    ok = f < d && l > i && r > i && l < m && r < m;
  }
  if (!ok) throw new ModelFormatError(`gbdt model: tree ${index} is malformed`);
}

/** ROC-AUC is defined only for 0/1 labels with both classes present: refuse the validation set before training. */
function checkAucLabels(y: Float64Array): void {
  let positives = 0;
  for (let r = 0; r < y.length; r++) {
    const v = y[r]!;
    if (v !== 0 && v !== 1)
      throw new ValidationError('Gbdt.fit validation', [
        { row: r, field: 'y', reason: `metric 'auc' needs 0/1 labels (got ${v})` },
      ]);
    positives += v;
  }
  if (positives === 0 || positives === y.length)
    throw new ValidationError('Gbdt.fit validation', [
      { field: 'y', reason: "metric 'auc' needs both classes (0 and 1) in the validation labels" },
    ]);
}
