import { existsSync } from 'node:fs';
import { ConfigError, type Timeframe, timeframeToMs, type ValidationIssue } from '@candlelab/core';
import { baseTimeframeIssue, featureSetNeeds, featureSetWarmup } from '@candlelab/features';
import { sourcePath } from './loadStrategyBars.js';
import type { LoadedStrategy } from './strategyConfig.js';
import { strategyFeatureSet } from './strategyDataset.js';

/** Timeframes a resample could move to, shortest first (suggested when the data is too fine). */
const RESAMPLE_TARGETS: readonly Timeframe[] = ['5m', '15m', '30m', '1h', '4h', '1d'];

/**
 * What can be known to be wrong before any data is read or model trained (beyond what the schema
 * checks): missing source files, a feature set that needs a timeframe the bars cannot give, and a
 * date range too short for the features' warm-up plus one walk-forward fold. Returns the issues.
 */
export function strategyIssues(loaded: LoadedStrategy): ValidationIssue[] {
  const { config, baseDir } = loaded;
  const issues: ValidationIssue[] = [];
  const { data } = config;
  if (data.source.kind === 'file') {
    for (const symbol of data.symbols) {
      const path = sourcePath(data.source.path, symbol, data.timeframe, baseDir);
      if (!existsSync(path))
        issues.push({ field: 'data.source.path', reason: `no file for ${symbol} ${data.timeframe}: ${path}` });
    }
  }
  const timeframe = data.resample ?? data.timeframe;
  const featureSet = strategyFeatureSet(config);
  const timeframeIssue = baseTimeframeIssue(featureSetNeeds(featureSet), timeframe);
  let warmup = 0;
  if (timeframeIssue === undefined) warmup = featureSetWarmup(featureSet, timeframe).warmup;
  else {
    const finer = RESAMPLE_TARGETS.filter(
      (t) => timeframeToMs(t) > timeframeToMs(timeframe) && timeframeToMs(t) % timeframeToMs(data.timeframe) === 0,
    );
    const preset = 'preset' in config.features;
    issues.push({
      field: preset ? 'features.higherTimeframes' : 'features',
      reason:
        `${timeframeIssue} — the features cannot be computed on ${timeframe} bars. ` +
        (preset
          ? `The standard preset joins 4h and 1d bars by default: set features.higherTimeframes to timeframes longer than ${timeframe} (or []).`
          : `Change the feature set's timeframes to multiples of ${timeframe}.`) +
        (finer.length > 0 ? ` To train on longer bars instead, resample: data.resample: ${finer[0]}.` : ''),
    });
  }
  const validation = config.validation;
  if (validation.method === 'walkForward') {
    const bars = Math.floor((data.end - data.start) / timeframeToMs(timeframe));
    // One fold needs its training window and at least one test bar after the features' warm-up.
    const needed = warmup + validation.trainSize + validation.gap + 1;
    if (bars < needed)
      issues.push({
        field: 'data.start',
        reason: `${new Date(data.start).toISOString().slice(0, 10)} → ${new Date(data.end).toISOString().slice(0, 10)} holds at most ${bars} ${timeframe} bars; the features' warm-up (${warmup}) + trainSize (${validation.trainSize}) + gap (${validation.gap}) + one test bar need ${needed}`,
      });
  }
  return issues;
}

/** Throws a `ConfigError` listing every {@link strategyIssues} issue; `trainStrategy` and `candlelab validate` call it first. */
export function checkStrategy(loaded: LoadedStrategy, source = loaded.config.name): void {
  const issues = strategyIssues(loaded);
  if (issues.length > 0) throw new ConfigError(source, issues);
}
