import type { Dataset, ModelJson } from '@candlelab/core';
import { defineTasks } from '@candlelab/jobs';
import { type FoldOutput, fitFold, type Split } from '@candlelab/validation';
import { createModel, prepareModelRuntime } from './modelStage.js';
import type { StrategyConfig } from './strategyConfig.js';

/** One walk-forward fold, sent to a pool thread. `dataset.X` lives in shared memory (not copied). */
export interface FoldPayload {
  dataset: Dataset;
  split: Split;
  model: StrategyConfig['model'];
  numClasses: number;
  seed: number;
}

/** A fold's output and its fitted model as JSON (a model object cannot cross threads). */
export interface FoldTaskResult extends FoldOutput<unknown> {
  model: ModelJson;
}

/** The task the trainer's fold pool runs: the same `createModel` + `fitFold` as a run on the main thread. */
export const tasks = defineTasks({
  fitFold: async (payload: FoldPayload): Promise<FoldTaskResult> => {
    await prepareModelRuntime(payload.model);
    const model = createModel(payload.model, payload.numClasses, payload.seed);
    const output = await fitFold(payload.dataset, payload.split, model);
    return { ...output, model: model.toJSON() };
  },
});
