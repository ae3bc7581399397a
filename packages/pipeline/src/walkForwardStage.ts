import { availableParallelism } from 'node:os';
import type { Classifier, Dataset, ProgressCallback } from '@candlelab/core';
import { WorkerPool } from '@candlelab/jobs';
import { accuracy, classificationReport, logLoss, rocAuc } from '@candlelab/metrics';
import { type Metric, runWalkForward, type Split, type WalkForwardResult } from '@candlelab/validation';
import type { tasks as foldTasks } from './foldTasks.js';
import { createModel, loadModel } from './modelStage.js';
import type { StrategyConfig } from './strategyConfig.js';
import type { StrategyDataset } from './strategyDataset.js';
import { workerModule } from './workerModule.js';

/** The out-of-sample classification metrics every strategy reports (and gates may use as `oos…`). */
export function classificationMetrics(numClasses: number, upClass: number): Record<string, Metric> {
  return {
    accuracy: { fn: (y, pred) => accuracy(y, pred), greaterIsBetter: true },
    f1Macro: { fn: (y, pred) => classificationReport(y, pred, numClasses).macro.f1, greaterIsBetter: true },
    logLoss: { fn: (y, proba) => logLoss(y, proba, numClasses), greaterIsBetter: false, input: 'proba' },
    auc: {
      // One-vs-rest AUC of the "up" class: how well the model ranks up-moves first.
      fn: (y, proba) =>
        rocAuc(
          y.map((v) => (v === upClass ? 1 : 0)),
          proba.filter((_, k) => k % numClasses === upClass),
        ),
      greaterIsBetter: true,
      input: 'proba',
    },
  };
}

export interface StrategyFolds {
  walkForward: WalkForwardResult<unknown>;
  /** The fitted model of each fold, in fold order. */
  models: Classifier[];
  /** Threads that trained the folds (1 = on this thread). */
  workers: number;
}

/** A copy of the dataset whose feature matrix lives in shared memory, so pool threads read it without copies. */
function sharedDataset(dataset: Dataset): Dataset {
  const X = new Float64Array(new SharedArrayBuffer(dataset.X.byteLength));
  X.set(dataset.X);
  return { ...dataset, X };
}

/**
 * Trains and scores every fold: fold `f`'s model is `createModel(config.model, …, seed + f)`,
 * fitted on its (purged) train rows only. With `validation.workers` > 1 the folds train on a
 * worker-thread pool; every fold is deterministic, so the result is the same bytes either way.
 */
export async function runStrategyFolds(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: readonly Split[],
  onProgress?: ProgressCallback,
): Promise<StrategyFolds> {
  const { numClasses, upClass } = data.labels;
  const metrics = classificationMetrics(numClasses, upClass);
  const requested = config.validation.method === 'walkForward' ? config.validation.workers : 1;
  const workers = Math.min(requested ?? availableParallelism(), splits.length);
  const progress = onProgress ? { onProgress } : {};
  if (workers <= 1) {
    const models: Classifier[] = [];
    const walkForward = await runWalkForward(data.dataset, splits, {
      createEstimator: (fold) => {
        models[fold] = createModel(config.model, numClasses, config.seed + fold);
        return models[fold];
      },
      metrics,
      ...progress,
    });
    return { walkForward, models, workers: 1 };
  }
  const pool = new WorkerPool<typeof foldTasks>({ ...workerModule('foldTasks'), size: workers });
  try {
    const dataset = sharedDataset(data.dataset);
    const modelJson: unknown[] = [];
    const walkForward = await runWalkForward(data.dataset, splits, {
      runFold: async (fold, split) => {
        const { model, ...output } = await pool.run('fitFold', {
          dataset,
          split,
          model: config.model,
          numClasses,
          seed: config.seed + fold,
        });
        modelJson[fold] = model;
        return output;
      },
      metrics,
      ...progress,
    });
    const models = await Promise.all(modelJson.map((json) => loadModel(json)));
    return { walkForward, models, workers };
  } finally {
    await pool.close();
  }
}
