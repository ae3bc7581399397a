import { ConfigError, zodIssues } from '@candlelab/core';
import { z } from 'zod';

/** Comparison operators a gate may use. */
export const GATE_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type GateOperator = (typeof GATE_OPERATORS)[number];

/** A threshold over one named metric, e.g. `{ metric: 'sharpe', op: '>', threshold: 1.5 }`. */
export interface QualityGate {
  metric: string;
  op: GateOperator;
  threshold: number;
}

const GATE_PATTERN = /^\s*([A-Za-z_][\w.]*)\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

const GateObjectSchema = z
  .object({
    metric: z.string().min(1).describe('Name of the metric, e.g. sharpe, trades, maxDrawdown.'),
    op: z.enum(GATE_OPERATORS).describe('Comparison of the metric with the threshold.'),
    threshold: z.number().finite().describe("The value the metric is compared with, in the metric's own unit."),
  })
  .describe('A gate as an object: { metric, op, threshold }.');

/**
 * One gate, as a string (`"sharpe > 1.5"`, `"trades >= 30"`) or an object
 * (`{ metric, op, threshold }`); parses to a {@link QualityGate}.
 */
export const QualityGateSchema = z.union([
  z
    .string()
    .describe('A gate as text: "<metric> <op> <number>", e.g. "sharpe > 1.5" or "trades >= 30".')
    .transform((text, ctx): QualityGate => {
      const match = GATE_PATTERN.exec(text);
      if (!match) {
        ctx.addIssue({
          code: 'custom',
          message: `cannot parse gate '${text}': expected '<metric> <op> <number>' with op one of ${GATE_OPERATORS.join(' ')}`,
        });
        return z.NEVER;
      }
      return { metric: match[1]!, op: match[2] as GateOperator, threshold: Number(match[3]) };
    }),
  GateObjectSchema,
]);

/** A list of gates in either form. */
export const QualityGatesSchema = z.array(QualityGateSchema);

/** Parses gates from config (strings or objects); throws {@link ConfigError} naming the bad entry. */
export function parseQualityGates(input: unknown, source = 'quality gates'): QualityGate[] {
  const result = QualityGatesSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(source, zodIssues(result.error, '(root)'));
}

/** The outcome of one gate. */
export interface GateResult {
  gate: QualityGate;
  /** The gate as text, e.g. `sharpe > 1.5`. */
  expression: string;
  passed: boolean;
  /** The metric's value; undefined when the metric was missing. */
  actual: number | undefined;
  reason: string;
}

export interface GateReport {
  /** True when every gate passed (an empty list passes). */
  passed: boolean;
  results: GateResult[];
}

function compare(actual: number, op: GateOperator, threshold: number): boolean {
  switch (op) {
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/** A gate as text. */
export function formatGate(gate: QualityGate): string {
  return `${gate.metric} ${gate.op} ${gate.threshold}`;
}

/**
 * Evaluates quality gates (e.g. the deploy gate `sharpe > 1.5`, `winRate > 0.55`) over any
 * record of metrics. A gate on a metric that is missing or not a finite number fails with that
 * reason: nothing passes silently.
 */
export function evaluateGates(
  gates: readonly (QualityGate | string)[],
  metrics: Readonly<Record<string, number | undefined>>,
): GateReport {
  const parsed = gates.map((gate) => (typeof gate === 'string' ? parseQualityGates([gate])[0]! : gate));
  const results = parsed.map((gate): GateResult => {
    const expression = formatGate(gate);
    const actual = Object.hasOwn(metrics, gate.metric) ? metrics[gate.metric] : undefined;
    if (actual === undefined) {
      const available = Object.keys(metrics).sort().join(', ') || 'none';
      return {
        gate,
        expression,
        passed: false,
        actual,
        reason: `metric '${gate.metric}' is missing (available: ${available})`,
      };
    }
    if (!Number.isFinite(actual)) {
      return {
        gate,
        expression,
        passed: false,
        actual,
        reason: `metric '${gate.metric}' is ${actual}, not a finite number`,
      };
    }
    const passed = compare(actual, gate.op, gate.threshold);
    return {
      gate,
      expression,
      passed,
      actual,
      reason: `${gate.metric} = ${actual} ${passed ? 'satisfies' : 'fails'} ${expression}`,
    };
  });
  return { passed: results.every((r) => r.passed), results };
}
