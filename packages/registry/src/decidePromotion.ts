import { userInfo } from 'node:os';
import { InvalidParameterError } from '@candlelab/core';
import { evaluateGates } from '@candlelab/validation';
import type { PromoteOptions, PromotionResult } from './ModelStore.js';
import type { GateOutcome, GateSource, Manifest, StageChange, StoredGates } from './manifest.js';
import { allowedTransitions, canTransition, type Stage } from './stages.js';

export interface PromotionDecision {
  result: PromotionResult;
  /** The stage change to record, when the promotion goes ahead. */
  change: StageChange | undefined;
}

/**
 * Decides a stage change, the same way for every store: the move must be an allowed transition;
 * then the model's stored gates for the target stage and the registry's gates for it (an
 * expression in both is evaluated once, as the model's) are evaluated over the stored metrics
 * merged with `options.metrics`. Failing gates refuse the move unless `force` is given with a
 * `reason`, in which case the change is recorded as forced. Forbidden transitions are never forced.
 */
export function decidePromotion(
  manifest: Manifest,
  storedMetrics: Readonly<Record<string, number>>,
  registryGates: StoredGates,
  to: Stage,
  options: PromoteOptions = {},
): PromotionDecision {
  const force = options.force ?? false;
  if (force && !options.reason?.trim()) {
    throw new InvalidParameterError('reason', options.reason, 'a reason is required to force a promotion');
  }
  const from = manifest.stage;
  if (!canTransition(from, to)) {
    const allowed = allowedTransitions(from).join(', ') || 'none';
    return {
      result: {
        promoted: false,
        from,
        to,
        gates: [],
        passed: [],
        failed: [],
        forced: false,
        reason: `cannot move from ${from} to ${to} (allowed: ${allowed})`,
      },
      change: undefined,
    };
  }
  const sources = new Map<string, GateSource>();
  for (const expression of manifest.gates[to] ?? []) sources.set(expression, 'model');
  for (const expression of registryGates[to] ?? []) if (!sources.has(expression)) sources.set(expression, 'registry');
  const expressions = [...sources.keys()];
  const metrics = { ...storedMetrics, ...options.metrics };
  const gates: GateOutcome[] = evaluateGates(expressions, metrics).results.map((r, i) => ({
    expression: r.expression,
    passed: r.passed,
    actual: r.actual ?? null,
    reason: r.reason,
    source: sources.get(expressions[i]!)!,
  }));
  const passed = gates.filter((g) => g.passed).map((g) => g.expression);
  const failed = gates.filter((g) => !g.passed);
  const summary = { from, to, gates, passed, failed: failed.map((g) => g.expression) };
  if (failed.length > 0 && !force) {
    return {
      result: {
        ...summary,
        promoted: false,
        forced: false,
        reason: `gates for ${to} failed: ${failed.map((g) => g.reason).join('; ')}`,
      },
      change: undefined,
    };
  }
  const forced = failed.length > 0;
  const reason =
    options.reason ?? (gates.length > 0 ? `passed ${gates.length} gate(s)` : `no gates configured for ${to}`);
  const change: StageChange = {
    from,
    to,
    at: (options.at ?? new Date()).toISOString(),
    reason,
    gates,
    by: options.by ?? currentUser(),
    ...(forced ? { forced: true } : {}),
    ...(options.metrics ? { metrics: { ...options.metrics } } : {}),
  };
  return {
    result: {
      ...summary,
      promoted: true,
      forced,
      reason: forced ? `forced past ${failed.length} failed gate(s) by ${change.by}: ${reason}` : reason,
    },
    change,
  };
}

/** The OS user name (who asks, when the caller does not say), or `unknown`. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
