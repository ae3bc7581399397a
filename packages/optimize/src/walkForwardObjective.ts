import { type Dataset, type Estimator, InvalidParameterError } from '@candlelab/core';
import { type Metric, runWalkForward, type Split } from '@candlelab/validation';
import type { Objective, ObjectiveResult } from './optimize.js';
import type { Params } from './searchSpace.js';

export interface WalkForwardObjectiveOptions {
  dataset: Dataset;
  /** Walk-forward (or any) splits from `@candlelab/validation`. */
  splits: readonly Split[];
  /** Builds an unfitted model from a trial's parameters. */
  createEstimator: (params: Params, fold: number) => Estimator;
  /** Scored on the stitched out-of-sample rows; the objective's value is `metrics[objective]`. */
  metrics: Readonly<Record<string, Metric>>;
  objective: string;
  /**
   * Extra out-of-sample metrics computed from the stitched predictions (e.g. a backtest of them:
   * Sharpe, trades), merged into the trial's metrics so constraints can use them.
   */
  evaluate?: (
    predictions: Float64Array,
    testedRows: Uint32Array,
    proba: Float64Array | undefined,
  ) => Record<string, number>;
}

/**
 * An objective whose value is an out-of-sample walk-forward metric: each trial trains a fresh
 * model per fold with the trial's parameters and is scored only on the folds' test rows.
 */
export function walkForwardObjective(options: WalkForwardObjectiveOptions): Objective {
  return async (params, context): Promise<ObjectiveResult> => {
    const result = await runWalkForward(options.dataset, options.splits, {
      createEstimator: (fold) => options.createEstimator(params, fold),
      metrics: options.metrics,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    const extra = options.evaluate?.(result.predictions, result.testedRows, result.proba) ?? {};
    const metrics = { ...result.metrics, ...extra };
    const value = metrics[options.objective];
    if (value === undefined) {
      throw new InvalidParameterError(
        'objective',
        options.objective,
        `not among the metrics ${Object.keys(metrics).join(', ')}`,
      );
    }
    return { value, metrics };
  };
}
