// The JSON Schemas of the HTTP API's answers. Each shape is defined once, registered on the app
// with `app.addSchema` (so the OpenAPI document lists it under `components.schemas` by its `$id`)
// and referenced from the routes with `ref(…)`. Fastify serializes answers with these schemas
// (fast-json-stringify): a property missing here is dropped from the answer, so every object
// lists every field its handler returns, and only maps keyed by data (metrics, class names,
// indicator columns, alert details) stay open.
import { STAGES } from '@candlelab/registry';
import { WEBHOOK_REJECTION_STATUS } from '@candlelab/signals';

/** A reference to a shared schema by its `$id` (Fastify refuses to start on an unknown one). */
export const ref = (id: string) => ({ $ref: `${id}#` }) as const;

const orNull = (schema: object) => ({ anyOf: [schema, { type: 'null' }] }) as const;

const epochMs = (description: string) => ({ type: 'number', description: `${description} (epoch ms)` }) as const;
const nullableEpochMs = (description: string) =>
  ({ type: ['number', 'null'], description: `${description} (epoch ms)` }) as const;
const fraction = (description: string) => ({ type: 'number', description: `${description} (fraction)` }) as const;
const nullableNumbers = (description: string) =>
  ({ type: 'array', items: { type: ['number', 'null'] }, description }) as const;
/** An open map from names to numbers (null where not finite). */
const numbersByName = (description: string) =>
  ({ type: 'object', additionalProperties: { type: ['number', 'null'] }, description }) as const;

const action = { type: 'string', enum: ['buy', 'sell', 'hold'] } as const;
const stage = { type: 'string', enum: [...STAGES] } as const;
const healthStatus = { type: 'string', enum: ['ok', 'degraded', 'down'] } as const;
const symbol = { type: 'string', description: 'Market, e.g. BTC/USDT' } as const;
const timeframe = { type: 'string', description: 'Timeframe, e.g. 1h' } as const;
const modelId = { type: 'string', description: 'Registry model id' } as const;

const ErrorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'A refused request',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Error code (e.g. INVALID_PARAMETER, not_found, busy)' },
    message: { type: 'string' },
  },
} as const;

const Candle = {
  $id: 'Candle',
  type: 'object',
  description: 'One OHLCV bar',
  required: ['time', 'open', 'high', 'low', 'close', 'volume'],
  properties: {
    time: epochMs('Bar open time'),
    open: { type: 'number' },
    high: { type: 'number' },
    low: { type: 'number' },
    close: { type: 'number' },
    volume: { type: 'number', description: 'Base-currency volume' },
  },
} as const;

const AggregateInput = {
  $id: 'AggregateInput',
  type: 'object',
  description: 'One signal an aggregated decision counted',
  required: ['source', 'action', 'confidence', 'time'],
  properties: {
    source: { type: 'string', description: 'Model id or alert source (tradingview:<strategy>)' },
    action,
    confidence: fraction('How sure the source was, in [0, 1]'),
    time: epochMs('When the signal was made'),
  },
} as const;

const LogRecord = {
  $id: 'LogRecord',
  type: 'object',
  description: 'One row of the predictions log: a model prediction, a webhook alert or an aggregated signal',
  required: [
    'key',
    'kind',
    'symbol',
    'timeframe',
    'barTime',
    'decidedAt',
    'source',
    'modelVersion',
    'inputsFingerprint',
    'probabilities',
    'inputs',
    'action',
    'confidence',
    'size',
    'outcomeDue',
    'outcomeReturn',
    'outcomeKnownAt',
  ],
  properties: {
    key: {
      type: 'string',
      description:
        'Idempotency key: prediction:<model>:<symbol>:<timeframe>:<bar time>, aggregate:<symbol>:<timeframe>:<bar time> or alert:<timeframe>:<replay key>',
    },
    kind: { type: 'string', enum: ['prediction', 'alert', 'aggregate'] },
    symbol,
    timeframe,
    barTime: epochMs('Open time of the bar the row is about (an alert: the bar it arrived in)'),
    decidedAt: epochMs("When it became known: the bar's close, or the alert's receipt"),
    source: { type: 'string', description: 'Model id, alert source (tradingview:<strategy>) or aggregate' },
    modelVersion: {
      type: ['integer', 'null'],
      description: 'Registry version of the model; null for alerts and aggregates',
    },
    inputsFingerprint: {
      type: ['string', 'null'],
      description: "sha256 of the model's input row or of the aggregate's inputs; null for alerts",
    },
    probabilities: {
      type: ['array', 'null'],
      items: { type: ['number', 'null'] },
      description:
        "A prediction's class, action or weight probabilities in the model's order (a hybrid's continue with its size probabilities); null for alerts and aggregates",
    },
    inputs: {
      type: ['array', 'null'],
      items: ref('AggregateInput'),
      description: 'The signals an aggregate counted; null otherwise',
    },
    action,
    confidence: fraction('Confidence in the action, in [0, 1]'),
    size: {
      type: ['number', 'null'],
      description:
        "A prediction's target position (−1 … 1); an aggregate's size to execute (fraction of equity, 0 unless it passes the thresholds); an alert's size or null",
    },
    outcomeDue: epochMs('Close time of the bar whose close settles the outcome'),
    outcomeReturn: {
      type: ['number', 'null'],
      description: 'Realized return over the horizon, close(due) / close(bar) − 1 (fraction); null until known',
    },
    outcomeKnownAt: nullableEpochMs('When the outcome was recorded; null until known'),
  },
} as const;

/** The fields of an aggregated signal (weighted voting over the fresh signals of a series). */
const aggregatedSignalProperties = {
  action,
  confidence: fraction('Weighted mean confidence in the action, dissenting sources counting as zero'),
  consensus: fraction('Share of the total weight voting for the action'),
  positionSize: fraction('Recommended size, fraction of equity (0 for hold)'),
  votes: {
    type: 'object',
    description: 'Confidence-weighted votes per action (Σ weight × confidence)',
    required: ['buy', 'sell', 'hold'],
    properties: { buy: { type: 'number' }, sell: { type: 'number' }, hold: { type: 'number' } },
  },
  count: { type: 'integer', description: 'Signals counted' },
  shouldExecute: { type: 'boolean', description: 'Not a hold, and the confidence and consensus thresholds pass' },
  inputs: { type: 'array', items: ref('AggregateInput'), description: 'The signals counted' },
} as const;
const aggregatedSignalRequired = [
  'action',
  'confidence',
  'consensus',
  'positionSize',
  'votes',
  'count',
  'shouldExecute',
  'inputs',
] as const;

const LoggedAggregate = {
  $id: 'LoggedAggregate',
  type: 'object',
  description: 'The aggregated signal logged at the close of the newest bar',
  required: ['time', 'decidedAt', ...aggregatedSignalRequired],
  properties: {
    time: epochMs('Open time of the bar it was decided on'),
    decidedAt: epochMs("The bar's close"),
    ...aggregatedSignalProperties,
  },
} as const;

const AlertAggregate = {
  $id: 'AlertAggregate',
  type: 'object',
  description: 'The aggregated signal of one series of the alert ticker now, the alert counted (not logged)',
  required: ['timeframe', ...aggregatedSignalRequired],
  properties: { timeframe, ...aggregatedSignalProperties },
} as const;

const Signal = {
  $id: 'Signal',
  type: 'object',
  description: 'A webhook alert read as a signal',
  required: ['time', 'symbol', 'action', 'confidence', 'source'],
  properties: {
    time: epochMs("The alert's time"),
    symbol: { type: 'string', description: 'The ticker as sent (e.g. BTCUSDT)' },
    action,
    confidence: fraction('How sure the alert is, in [0, 1]'),
    source: { type: 'string', description: 'tradingview:<strategy>' },
    size: fraction('Suggested position size, fraction of equity (when the alert carries one)'),
  },
} as const;

const SeriesHealth = {
  $id: 'SeriesHealth',
  type: 'object',
  description: 'Health of one served series',
  required: ['symbol', 'timeframe', 'lastBarTime', 'staleBars', 'gaps', 'errorRate', 'lastError', 'activeModels'],
  properties: {
    symbol,
    timeframe,
    lastBarTime: epochMs('Open time of the newest bar served'),
    staleBars: { type: 'integer', description: 'Closed bars not yet processed (0 when fresh)' },
    gaps: { type: 'integer', description: "Missing ranges in the last tick's load" },
    errorRate: fraction('Share of failed ticks among the last 100'),
    lastError: { type: ['string', 'null'], description: 'The last tick error; null when none' },
    activeModels: {
      type: 'array',
      items: { type: 'string' },
      description: 'Ids of the models serving it (not suspended)',
    },
  },
} as const;

const ColumnDrift = {
  $id: 'ColumnDrift',
  type: 'object',
  description: "One feature column's drift from the training distribution",
  required: ['name', 'psi', 'ksStatistic', 'ksPValue', 'psiLimit', 'ksLimit', 'drifted'],
  properties: {
    name: { type: 'string', description: 'Feature column' },
    psi: { type: ['number', 'null'], description: 'Population stability index (null without finite live values)' },
    ksStatistic: { type: ['number', 'null'], description: 'Two-sample Kolmogorov–Smirnov statistic' },
    ksPValue: { type: ['number', 'null'], description: 'Kolmogorov–Smirnov p-value' },
    psiLimit: {
      type: 'number',
      description: 'The PSI this column must reach to drift (calibrated on training windows)',
    },
    ksLimit: { type: 'number', description: 'The KS statistic it must reach to drift' },
    drifted: { type: 'boolean', description: 'PSI and KS both reached their limits and the p-value its level' },
  },
} as const;

const OneSidedTest = {
  $id: 'OneSidedTest',
  type: 'object',
  description: 'A one-sided test of "live is worse than the backtest"',
  required: ['statistic', 'pValue', 'significant'],
  properties: {
    statistic: { type: ['number', 'null'], description: 'Test statistic (null when undefined, e.g. zero variance)' },
    pValue: { type: 'number', description: 'p-value of "live is worse"' },
    significant: { type: 'boolean', description: 'pValue ≤ alpha' },
    df: { type: ['number', 'null'], description: "Welch's degrees of freedom (the mean-return test only)" },
  },
} as const;

const liveAndBacktest = (description: string) =>
  ({
    type: 'object',
    description,
    required: ['live', 'backtest'],
    properties: { live: { type: ['number', 'null'] }, backtest: { type: ['number', 'null'] } },
  }) as const;

const PerformanceReport = {
  $id: 'PerformanceReport',
  type: 'object',
  description: "A model's live paper trades against its out-of-sample backtest",
  required: [
    'liveTrades',
    'backtestTrades',
    'liveWinRate',
    'backtestWinRate',
    'liveWinRateInterval',
    'winRate',
    'meanReturn',
    'liveMeanReturn',
    'backtestMeanReturn',
    'rollingSharpe',
    'rollingMaxDrawdown',
    'significant',
  ],
  properties: {
    liveTrades: { type: 'integer', description: 'Live round trips' },
    backtestTrades: { type: 'integer', description: 'Out-of-sample backtest round trips' },
    liveWinRate: { type: ['number', 'null'], description: 'Share of winning live trades (fraction)' },
    backtestWinRate: { type: ['number', 'null'], description: 'Share of winning backtest trades (fraction)' },
    liveWinRateInterval: orNull({
      type: 'object',
      description: 'One-sided Wilson bounds of the live win rate at alpha (fractions)',
      required: ['lower', 'upper'],
      properties: { lower: { type: 'number' }, upper: { type: 'number' } },
    }),
    winRate: orNull({ ...ref('OneSidedTest'), description: 'Exact binomial test of the live win rate' }),
    meanReturn: orNull({ ...ref('OneSidedTest'), description: "Welch's t-test of the mean trade return" }),
    liveMeanReturn: { type: ['number', 'null'], description: 'Mean live trade return (fraction)' },
    backtestMeanReturn: { type: ['number', 'null'], description: 'Mean backtest trade return (fraction)' },
    rollingSharpe: liveAndBacktest('Per-trade Sharpe (mean / sd, not annualized) of the recent trades'),
    rollingMaxDrawdown: liveAndBacktest('Largest drawdown of compounded recent trade returns (fraction)'),
    significant: { type: 'boolean', description: 'Either test says live trades worse than the backtest' },
  },
} as const;

const ModelHealth = {
  $id: 'ModelHealth',
  type: 'object',
  description: 'Health of one served model on one series',
  required: ['id', 'symbol', 'timeframe', 'version', 'suspended', 'drift', 'performance'],
  properties: {
    id: modelId,
    symbol,
    timeframe,
    version: { type: 'integer', description: 'Registry version (changes when a retrain swaps the model in)' },
    suspended: { type: 'boolean', description: 'Its signals are stopped (demoted or drifting)' },
    drift: orNull({
      type: 'object',
      description: 'Feature drift of the live window; null before enough live bars or without a drift monitor',
      required: ['rows', 'driftedFraction', 'drifting', 'worst'],
      properties: {
        rows: { type: 'integer', description: 'Live rows compared' },
        driftedFraction: fraction('Share of columns that drifted'),
        drifting: { type: 'boolean', description: 'driftedFraction reached the limit' },
        worst: { type: 'array', items: ref('ColumnDrift'), description: 'The most drifted columns' },
      },
    }),
    performance: orNull({
      ...ref('PerformanceReport'),
      description: 'Live against backtest; null before the first check or without round trips',
    }),
  },
} as const;

const HealthAlert = {
  $id: 'HealthAlert',
  type: 'object',
  description: 'A health alert raised (sent, de-duplicated or rate-limited)',
  required: ['kind', 'severity', 'subject', 'message', 'time', 'details'],
  properties: {
    kind: {
      type: 'string',
      enum: ['drift', 'stale-data', 'data-gap', 'error-rate', 'remediation', 'performance', 'retrain'],
    },
    severity: { type: 'string', enum: ['warning', 'critical'] },
    subject: { type: 'string', description: 'A model id or "SYMBOL timeframe"' },
    message: { type: 'string' },
    time: epochMs('When it was raised'),
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'Kind-specific details (drifted columns with PSI and KS, gap ranges …)',
    },
  },
} as const;

const HealthReport = {
  $id: 'HealthReport',
  type: 'object',
  description: 'Health of data, ticks, models and alerts',
  required: ['status', 'time', 'series', 'models', 'alerts'],
  properties: {
    status: {
      ...healthStatus,
      description:
        'ok; degraded (a model drifts, is suspended or trades significantly worse than its backtest); down (stale data or error rate over the limit)',
    },
    time: epochMs('When the report was made'),
    series: { type: 'array', items: ref('SeriesHealth') },
    models: { type: 'array', items: ref('ModelHealth') },
    alerts: {
      type: 'object',
      description: 'What the alert notifier did since start',
      required: ['sent', 'deduplicated', 'rateLimited', 'failed', 'recent'],
      properties: {
        sent: { type: 'integer', description: 'Alerts delivered (per sink)' },
        deduplicated: {
          type: 'integer',
          description: 'Alerts not sent: same kind and subject within the dedup window',
        },
        rateLimited: { type: 'integer', description: "Sends skipped by a sink's per-minute limit" },
        failed: { type: 'integer', description: 'Sends that failed' },
        recent: { type: 'array', items: ref('HealthAlert'), description: 'The last 100 alerts, oldest first' },
      },
    },
  },
} as const;

const ServedSeries = {
  $id: 'ServedSeries',
  type: 'object',
  description: 'A served series and its models',
  required: ['symbol', 'timeframe', 'servedThrough', 'models'],
  properties: {
    symbol,
    timeframe,
    servedThrough: epochMs('Open time of the newest bar served'),
    models: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'suspended'],
        properties: { id: modelId, suspended: { type: 'boolean', description: 'Its signals are stopped' } },
      },
    },
  },
} as const;

const ChartData = {
  $id: 'ChartData',
  type: 'object',
  description: 'Stored candles as columns, plus the indicators asked for',
  required: ['symbol', 'timeframe', 'time', 'open', 'high', 'low', 'close', 'volume', 'indicators'],
  properties: {
    symbol,
    timeframe,
    time: { type: 'array', items: { type: 'number' }, description: 'Bar open times (epoch ms)' },
    open: { type: 'array', items: { type: 'number' } },
    high: { type: 'array', items: { type: 'number' } },
    low: { type: 'array', items: { type: 'number' } },
    close: { type: 'array', items: { type: 'number' } },
    volume: { type: 'array', items: { type: 'number' } },
    indicators: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: ['number', 'null'] } },
      description:
        'One column per indicator output, aligned with time, named as asked (rsi:period=14) plus .<output> for multi-output indicators (bbands.upper); null where undefined',
    },
  },
} as const;

const LatestFeatures = {
  $id: 'LatestFeatures',
  type: 'object',
  description: 'The newest feature row of every served model',
  required: ['symbol', 'timeframe', 'models'],
  properties: {
    symbol,
    timeframe,
    models: {
      type: 'array',
      items: {
        type: 'object',
        required: ['modelId', 'time', 'names', 'values'],
        properties: {
          modelId,
          time: nullableEpochMs('Open time of the bar of the row; null before the first bar'),
          names: { type: 'array', items: { type: 'string' }, description: 'Feature names' },
          values: nullableNumbers('Feature values in the order of names (null while warming up or not finite)'),
        },
      },
    },
  },
} as const;

const LatestPredictions = {
  $id: 'LatestPredictions',
  type: 'object',
  description: 'The newest prediction of every served model',
  required: ['symbol', 'timeframe', 'predictions'],
  properties: {
    symbol,
    timeframe,
    predictions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['modelId', 'suspended', 'time', 'action', 'position', 'confidence', 'kind', 'probabilities'],
        properties: {
          modelId,
          suspended: { type: 'boolean', description: 'Its signals are stopped' },
          time: nullableEpochMs('Open time of the bar predicted on; null before the first prediction'),
          action: { type: ['string', 'null'], enum: [...action.enum, null] },
          position: {
            type: ['number', 'null'],
            description:
              "Target position: −1 … 1 (a hybrid's: direction × size; an allocator's: its weight of this symbol)",
          },
          confidence: { type: ['number', 'null'], description: 'Confidence in the action, in [0, 1]' },
          kind: { type: 'string', enum: ['classifier', 'hybrid', 'ppo', 'portfolio'] },
          probabilities: {
            ...numbersByName(
              "Probability by class name (a hybrid's also by size_<size>), by action (PPO trader) or by weight name (allocator); null before the first prediction",
            ),
            type: ['object', 'null'],
          },
          weights: numbersByName(
            "An allocator's target weights by w_<symbol> and w_cash (fractions of equity); only for portfolio models",
          ),
        },
      },
    },
  },
} as const;

const FormingBar = {
  $id: 'FormingBar',
  type: 'object',
  description:
    "The bar forming now: every model's features and the prediction it would log if the bar closed as it stands (nothing logged)",
  required: ['symbol', 'timeframe', 'candle', 'models'],
  properties: {
    symbol,
    timeframe,
    candle: orNull({
      ...ref('Candle'),
      description: 'The forming candle as the exchange reports it; null when it reports none',
    }),
    models: {
      type: 'array',
      items: {
        type: 'object',
        required: ['modelId', 'features', 'prediction'],
        properties: {
          modelId,
          features: {
            type: ['array', 'null'],
            items: { type: ['number', 'null'] },
            description: 'Its feature row on the forming candle; null while warming up',
          },
          prediction: orNull({
            ...ref('LogRecord'),
            description: 'The row it would log (not logged); null with a reason',
          }),
          reason: { type: 'string', description: 'Why there is no prediction' },
        },
      },
    },
    reason: { type: 'string', description: 'Why there are no models: no forming candle, or the loop is catching up' },
  },
} as const;

const SeriesSignal = {
  $id: 'SeriesSignal',
  type: 'object',
  description: 'The newest aggregated signal of a series and the source weights learned from outcomes',
  required: ['symbol', 'timeframe', 'signal', 'weights', 'learnedThrough'],
  properties: {
    symbol,
    timeframe,
    signal: orNull({ ...ref('LoggedAggregate'), description: 'Null before the first aggregate' }),
    weights: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description: 'Weight of each source (model id or alert source), learned from outcomes',
    },
    learnedThrough: nullableEpochMs('Time through which the weights have learned; null before any outcome'),
  },
} as const;

const PositionTrade = {
  $id: 'PositionTrade',
  type: 'object',
  description: 'One paper round trip, filled at next-bar opens',
  required: [
    'side',
    'entryIndex',
    'exitIndex',
    'entryTime',
    'exitTime',
    'entryPrice',
    'exitPrice',
    'returnPct',
    'pnl',
    'holdBars',
  ],
  properties: {
    side: { type: 'string', enum: ['long', 'short'] },
    entryIndex: { type: 'integer', description: 'Bar index of the entry fill among the bars simulated' },
    exitIndex: { type: 'integer', description: 'Bar index of the exit fill' },
    entryTime: epochMs('Entry fill time'),
    exitTime: epochMs('Exit fill time'),
    entryPrice: { type: 'number' },
    exitPrice: { type: 'number' },
    returnPct: fraction('Return after fees and slippage on both fills'),
    pnl: { type: 'number', description: 'Profit per unit of starting notional' },
    holdBars: { type: 'integer', description: 'Bars held' },
  },
} as const;

const PaperResult = {
  $id: 'PaperResult',
  type: 'object',
  description: "Paper fills of a source's logged signals by the backtest's fill rules",
  required: ['source', 'feesBps', 'slippageBps', 'bars', 'trades', 'finalEquity', 'orders'],
  properties: {
    source: { type: 'string', description: 'The model id or aggregate' },
    feesBps: { type: 'number', description: 'Commission per fill (bps): the model strategy’s, else 10' },
    slippageBps: { type: 'number', description: 'Slippage per fill (bps): the model strategy’s, else 5' },
    entryThreshold: fraction("The model's position rule: entry probability (models only)"),
    allowShort: { type: 'boolean', description: "The model's position rule: short positions allowed (models only)" },
    minPredictedReturn: fraction("The model's position rule for regression outputs (models only)"),
    calendar: {
      type: 'string',
      enum: ['auto', 'crypto', 'equity'],
      description: "The model's annualisation calendar (models only)",
    },
    bars: { type: 'integer', description: 'Bars simulated' },
    trades: { type: 'array', items: ref('PositionTrade'), description: 'Round trips after fees and slippage' },
    finalEquity: { type: 'number', description: 'Equity at the last bar, starting from 1' },
    orders: { type: 'integer', description: 'Fills (target changes that traded)' },
  },
} as const;

const ModelSummary = {
  $id: 'ModelSummary',
  type: 'object',
  description: 'A registry model',
  required: [
    'id',
    'strategy',
    'symbol',
    'timeframe',
    'version',
    'stage',
    'createdAt',
    'metrics',
    'served',
    'suspended',
    'transitions',
  ],
  properties: {
    id: modelId,
    strategy: { type: 'string', description: 'Strategy name' },
    symbol: { type: 'string', description: 'Market trained on (the first of a universe)' },
    timeframe,
    version: { type: 'integer', description: 'Version within its strategy and symbol' },
    stage,
    createdAt: { type: 'string', description: 'When it was registered (ISO 8601)' },
    metrics: numbersByName('Out-of-sample metrics by name (sharpe, maxDrawdown …; null where not finite)'),
    served: { type: 'boolean', description: 'This server serves it' },
    suspended: { type: 'boolean', description: 'Served but its signals are stopped' },
    transitions: { type: 'array', items: stage, description: 'The stages it may move to next' },
  },
} as const;

const GateOutcome = {
  $id: 'GateOutcome',
  type: 'object',
  description: 'One gate evaluated on a stage change',
  required: ['expression', 'passed', 'actual', 'reason'],
  properties: {
    expression: { type: 'string', description: 'e.g. sharpe > 1.5' },
    passed: { type: 'boolean' },
    actual: { type: ['number', 'null'], description: "The metric's value; null when missing" },
    reason: { type: 'string' },
    source: {
      type: 'string',
      enum: ['model', 'registry'],
      description: 'Stored with the model or configured on the registry',
    },
  },
} as const;

const PromotionResult = {
  $id: 'PromotionResult',
  type: 'object',
  description: 'A stage change through the gates (200 when made, 409 when refused)',
  required: ['promoted', 'from', 'to', 'gates', 'passed', 'failed', 'forced', 'reason'],
  properties: {
    promoted: { type: 'boolean', description: 'The stage changed' },
    from: stage,
    to: stage,
    gates: { type: 'array', items: ref('GateOutcome'), description: 'Every gate evaluated' },
    passed: { type: 'array', items: { type: 'string' }, description: 'Expressions of the gates that passed' },
    failed: { type: 'array', items: { type: 'string' }, description: 'Expressions of the gates that failed' },
    forced: { type: 'boolean', description: 'Failing gates were overridden with force' },
    reason: { type: 'string', description: 'Why (as recorded), or why refused' },
  },
} as const;

const RetrainedModel = {
  $id: 'RetrainedModel',
  type: 'object',
  description: 'One model of a retrain job: trained, gated, promoted, swapped in',
  required: ['symbol', 'modelId', 'gatesPassed', 'stage', 'swapped', 'added'],
  properties: {
    symbol,
    modelId: { type: ['string', 'null'], description: 'The new registry model; null when training failed' },
    gatesPassed: { type: 'boolean' },
    stage: { type: 'string', description: 'Registry stage reached' },
    swapped: {
      type: 'array',
      description: 'Series where it replaced the served model of its strategy',
      items: {
        type: 'object',
        required: ['symbol', 'timeframe', 'replaced'],
        properties: { symbol, timeframe, replaced: { type: 'string', description: 'Id of the model replaced' } },
      },
    },
    added: {
      type: 'array',
      description: 'Series where it was served beside the others',
      items: { type: 'object', required: ['symbol', 'timeframe'], properties: { symbol, timeframe } },
    },
    reason: { type: 'string', description: 'Why it stopped short of serving (a failed gate, a training error)' },
  },
} as const;

const TrainingJob = {
  $id: 'TrainingJob',
  type: 'object',
  description: 'A training job (the scheduled retrain)',
  required: [
    'id',
    'kind',
    'trigger',
    'status',
    'scheduledFor',
    'startedAt',
    'finishedAt',
    'progress',
    'healthBefore',
    'healthAfter',
    'models',
    'error',
  ],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['retrain'] },
    trigger: { type: 'string', enum: ['schedule', 'api'] },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'skipped'] },
    scheduledFor: nullableEpochMs('The cron time it ran for; null when started through the API'),
    startedAt: epochMs('Start'),
    finishedAt: nullableEpochMs('End; null while running'),
    progress: orNull({
      type: 'object',
      description: 'Latest progress; null before the first report',
      required: ['phase', 'done', 'total'],
      properties: {
        phase: { type: 'string', description: 'load, train universe, promote …' },
        done: { type: 'number' },
        total: { type: 'number' },
      },
    }),
    healthBefore: { ...healthStatus, type: ['string', 'null'], enum: [...healthStatus.enum, null] },
    healthAfter: { ...healthStatus, type: ['string', 'null'], enum: [...healthStatus.enum, null] },
    models: { type: 'array', items: ref('RetrainedModel') },
    error: { type: ['string', 'null'], description: 'Why it failed or was skipped' },
  },
} as const;

const JobList = {
  $id: 'JobList',
  type: 'object',
  description: 'Training jobs, newest first, and the retrain schedule',
  required: ['schedule', 'jobs'],
  properties: {
    schedule: orNull({
      type: 'object',
      description: 'Null without retrain in the config',
      required: ['cron', 'nextRunAt', 'running'],
      properties: {
        cron: { type: 'string', description: 'Cron expression (UTC)' },
        nextRunAt: epochMs('Next cron time'),
        running: { type: 'boolean', description: 'A retrain is running' },
      },
    }),
    jobs: { type: 'array', items: ref('TrainingJob'), description: 'The last 50 jobs' },
  },
} as const;

const WebhookAccepted = {
  $id: 'WebhookAccepted',
  type: 'object',
  description: 'An accepted alert and the aggregated signal of every series of its ticker now',
  required: ['ok', 'signal', 'aggregates'],
  properties: {
    ok: { type: 'boolean', enum: [true] },
    signal: ref('Signal'),
    aggregates: {
      type: 'array',
      items: ref('AlertAggregate'),
      description: 'One per served series of the ticker with a fresh signal',
    },
  },
} as const;

const WebhookRefused = {
  $id: 'WebhookRefused',
  type: 'object',
  description: 'A refused alert',
  required: ['ok', 'error', 'detail'],
  properties: {
    ok: { type: 'boolean', enum: [false] },
    error: { type: 'string', enum: Object.keys(WEBHOOK_REJECTION_STATUS), description: 'Why it was refused' },
    detail: { type: 'string', description: 'Which field and why, or the replay key of a duplicate' },
  },
} as const;

/** Every shared schema, in an order where each one's references come first. */
export const API_SCHEMAS = [
  ErrorSchema,
  Candle,
  AggregateInput,
  LogRecord,
  LoggedAggregate,
  AlertAggregate,
  Signal,
  SeriesHealth,
  ColumnDrift,
  OneSidedTest,
  PerformanceReport,
  ModelHealth,
  HealthAlert,
  HealthReport,
  ServedSeries,
  ChartData,
  LatestFeatures,
  LatestPredictions,
  FormingBar,
  SeriesSignal,
  PositionTrade,
  PaperResult,
  ModelSummary,
  GateOutcome,
  PromotionResult,
  RetrainedModel,
  TrainingJob,
  JobList,
  WebhookAccepted,
  WebhookRefused,
] as const;
