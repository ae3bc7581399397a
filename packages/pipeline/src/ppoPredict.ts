import {
  type Bars,
  InvalidParameterError,
  ModelFormatError,
  NotEnoughDataError,
  sliceBars,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import {
  type ActionScheme,
  positionAfterAction,
  tradingActionNames,
  tradingEntryPrice,
  tradingObservation,
} from '@candlelab/env';
import { type ScalerJson, StandardScaler } from '@candlelab/features';
import { PPO, type PpoModelJson } from '@candlelab/ppo';
import { z } from 'zod';

const ENV_SPEC_KIND = 'candlelab.ppo-trading-env';
const ENV_SPEC_VERSION = 1;

/**
 * What a stored PPO agent needs besides its weights to act on new bars: how observations are
 * built (feature names and order, the training rows' standardisation, window, clip) and how
 * actions become positions (scheme, shorts). Fee and slippage are the costs it trained under.
 */
export const PpoEnvSpecSchema = z
  .object({
    kind: z.literal(ENV_SPEC_KIND),
    version: z.literal(ENV_SPEC_VERSION),
    window: z.number().int().positive(),
    actionScheme: z.enum(['targetPosition', 'holdBuySell'] satisfies ActionScheme[]),
    allowShort: z.boolean(),
    /** Fee and slippage as fractions of the fill (10 bp = 0.001), as `TradingEnv` takes them. */
    fee: z.number().min(0),
    slippage: z.number().min(0),
    clipObservation: z.number().positive(),
    featureNames: z.array(z.string()).min(1),
    /**
     * `@candlelab/features`' `StandardScaler` fitted on the training rows only: `center` is each
     * feature's mean, `scale` its population standard deviation (1 for a constant feature).
     */
    standardization: z.custom<ScalerJson>((value) => typeof value === 'object' && value !== null),
  })
  .strict();

export type PpoEnvSpec = z.infer<typeof PpoEnvSpecSchema>;

/** Builds the env spec of an agent (the `kind`/`version` header filled in). */
export function ppoEnvSpec(fields: Omit<PpoEnvSpec, 'kind' | 'version'>): PpoEnvSpec {
  return { kind: ENV_SPEC_KIND, version: ENV_SPEC_VERSION, ...fields };
}

/** Parses a stored env spec; anything malformed is a `ModelFormatError` naming the field. */
export function parsePpoEnvSpec(json: unknown): { spec: PpoEnvSpec; scaler: StandardScaler } {
  const parsed = PpoEnvSpecSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFormatError(`ppo env spec: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const spec = parsed.data;
  const scaler = StandardScaler.fromJSON(spec.standardization);
  if (scaler.center.length !== spec.featureNames.length)
    throw new ModelFormatError(
      `ppo env spec: standardization has ${scaler.center.length} features, featureNames ${spec.featureNames.length}`,
    );
  return { spec, scaler };
}

/**
 * Rows `[from, to)` of feature columns as the agent observes them: row-major, standardised with
 * the training rows' scaler, clipped to ±`clip`; a missing value (NaN, ±Infinity) is NaN, which
 * `TradingEnv` and {@link predictPpo} refuse where it would be observed. The training envs and
 * {@link predictPpo} both build observations with it, so they agree bit for bit.
 */
export function standardizedFeatureRows(
  scaler: StandardScaler,
  columns: readonly Float64Array[],
  from: number,
  to: number,
  clip: number,
): Float64Array {
  const d = columns.length;
  const rows = to - from;
  const raw = new Float64Array(rows * d);
  columns.forEach((column, j) => {
    for (let i = 0; i < rows; i++) {
      const value = column[from + i]!;
      raw[i * d + j] = Number.isFinite(value) ? value : Number.NaN;
    }
  });
  const { data } = scaler.transform({ data: raw, rows, cols: d }, raw);
  for (let k = 0; k < data.length; k++) data[k] = Math.max(-clip, Math.min(clip, data[k]!));
  return data;
}

/** The agent's environment spec (window, features, standardisation, costs), stored beside the model. */
export const PPO_ENV_FILE = 'ppo_env.json';

/** The position an agent holds: −1, 0 or 1, and (when not flat) the fill price it entered at. */
export interface PpoPositionState {
  position: number;
  /**
   * Entry fill price, slippage included — what `TradingEnv` records: the open after the
   * decision × (1 + position × slippage). Required unless flat.
   */
  entryPrice?: number;
}

export interface PpoPrediction {
  /** Time of the bar decided on (its close is the last data used). */
  time: number;
  /** The deterministic policy's action (the most probable one). */
  action: number;
  /** Target position after the action, filled at the next bar's open. */
  position: number;
  /** The policy's probability of each action (see env's `tradingActionNames`). */
  probabilities: Float64Array;
}

/**
 * The live path of a PPO strategy: the agent's deterministic action for the last bar of `bars`,
 * from the last `window` rows of `featureColumns` (the strategy's features over those bars, e.g.
 * `computeFeatures(bars, featureSet)`), standardised as in training, and the position state.
 * Replayed bar by bar with its own positions fed back, it gives exactly the positions of the
 * walk-forward evaluation (tested).
 */
export function predictPpo(
  agent: PPO | PpoModelJson,
  envSpec: unknown,
  bars: Bars,
  featureColumns: { names: readonly string[]; columns: readonly Float64Array[] },
  current: PpoPositionState,
): PpoPrediction {
  return new PpoTrader(agent, envSpec, featureColumns.names).decide(bars, featureColumns.columns, current);
}

/**
 * A stored PPO trading agent ready to act: its env spec parsed and checked against the policy and
 * the feature names once, then {@link PpoTrader.decide} per bar. `predictPpo`, `replayPpo` and the
 * live server all act through it, so they agree bit for bit.
 */
export class PpoTrader {
  readonly spec: PpoEnvSpec;
  readonly scaler: StandardScaler;
  readonly policy: PPO;

  constructor(agent: PPO | PpoModelJson, envSpec: unknown, featureNames: readonly string[]) {
    const { spec, scaler } = parsePpoEnvSpec(envSpec);
    const policy = agent instanceof PPO ? agent : PPO.fromJSON(agent);
    const d = spec.featureNames.length;
    const observationSize = spec.window * d + 2;
    const actions = tradingActionNames(spec.actionScheme, spec.allowShort).length;
    if (
      policy.observationSpace.size !== observationSize ||
      policy.actionSpace.kind !== 'discrete' ||
      policy.actionSpace.n !== actions
    )
      throw new ModelFormatError(
        `ppo agent: expects ${policy.observationSpace.size} observations and ${policy.actionSpace.kind === 'discrete' ? policy.actionSpace.n : 'continuous'} actions; its env spec gives ${observationSize} and ${actions}`,
      );
    if (featureNames.length !== d || featureNames.some((name, j) => name !== spec.featureNames[j]))
      throw new InvalidParameterError(
        'featureColumns.names',
        featureNames,
        `expected the agent's ${d} features in order: ${spec.featureNames.join(', ')}`,
      );
    this.spec = spec;
    this.scaler = scaler;
    this.policy = policy;
  }

  /** Names of the agent's actions, in the order of its probabilities. */
  get actionNames(): string[] {
    return tradingActionNames(this.spec.actionScheme, this.spec.allowShort);
  }

  /**
   * The action for the last bar of `bars` from the last `window` rows of `columns` (in the
   * agent's feature order) and the position held; a missing feature in the window is a
   * `ValidationError` naming the row and feature.
   */
  decide(bars: Bars, columns: readonly Float64Array[], current: PpoPositionState): PpoPrediction {
    const { spec, scaler } = this;
    const d = spec.featureNames.length;
    const n = bars.time.length;
    if (columns.some((column) => column.length !== n))
      throw new InvalidParameterError('featureColumns.columns', columns.length, `expected ${n} values per column`);
    if (n < spec.window) throw new NotEnoughDataError(`${bars.symbol} bars for the observation window`, spec.window, n);
    checkPosition(spec.allowShort, current);

    const rows = standardizedFeatureRows(scaler, columns, n - spec.window, n, spec.clipObservation);
    const issues: ValidationIssue[] = [];
    for (let k = 0; k < rows.length && issues.length < 20; k++)
      if (!Number.isFinite(rows[k]!))
        issues.push({
          row: n - spec.window + Math.floor(k / d),
          field: spec.featureNames[k % d],
          reason: 'feature is not finite (still warming up?)',
        });
    if (issues.length > 0) throw new ValidationError(`${bars.symbol} observation`, issues);
    const last = n - 1;
    const observation = tradingObservation(rows, current.position, bars.close[last]!, current.entryPrice ?? 0);
    const prediction = this.policy.predict(observation);
    const action = prediction.action as number;
    return {
      time: bars.time[last]!,
      action,
      position: positionAfterAction(spec.actionScheme, spec.allowShort, current.position, action),
      probabilities: prediction.probabilities!,
    };
  }

  /**
   * The position state after a decision, once the next bar opens at `nextOpen`: a changed position
   * fills there (with slippage, as `TradingEnv` records it); an unchanged one keeps its entry.
   */
  filled(current: PpoPositionState, decision: PpoPrediction, nextOpen: number): PpoPositionState {
    if (decision.position === current.position) return current;
    return {
      position: decision.position,
      entryPrice: tradingEntryPrice(nextOpen, decision.position, this.spec.slippage),
    };
  }
}

function checkPosition(allowShort: boolean, current: PpoPositionState): void {
  const allowed = allowShort ? [-1, 0, 1] : [0, 1];
  if (!allowed.includes(current.position))
    throw new InvalidParameterError('current.position', current.position, `expected one of ${allowed.join(', ')}`);
  if (current.position !== 0 && !(current.entryPrice! > 0 && Number.isFinite(current.entryPrice)))
    throw new InvalidParameterError(
      'current.entryPrice',
      current.entryPrice,
      'expected the entry fill price (> 0) of the open position',
    );
}

/**
 * The agent's decision on the last bar when its position is not known from a live log: the
 * deterministic policy replayed from flat over the last `replayBars` bars (default the training
 * episode length), its own positions and entry fills fed back, as `TradingEnv` evaluates it.
 */
export function replayPpo(
  agent: PPO | PpoModelJson,
  envSpec: unknown,
  bars: Bars,
  featureColumns: { names: readonly string[]; columns: readonly Float64Array[] },
  replayBars?: number,
): PpoPrediction {
  const trader = new PpoTrader(agent, envSpec, featureColumns.names);
  const n = bars.time.length;
  const warm = featureColumns.columns.reduce((first, column) => {
    let t = 0;
    while (t < n && !Number.isFinite(column[t]!)) t++;
    return Math.max(first, t);
  }, 0);
  const start = Math.max(warm + trader.spec.window - 1, n - (replayBars ?? 512));
  if (start >= n) throw new NotEnoughDataError(`${bars.symbol} bars to replay the agent`, start + 1, n);
  let current: PpoPositionState = { position: 0 };
  let last: PpoPrediction | undefined;
  for (let t = start; t < n; t++) {
    if (last !== undefined) current = trader.filled(current, last, bars.open[t]!);
    const columns = featureColumns.columns.map((c) => c.subarray(0, t + 1));
    last = trader.decide(sliceBars(bars, 0, t + 1), columns, current);
  }
  return last!;
}
