import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bars, candleAt, lowerBound, type Signal, sliceBars } from '@candlelab/core';
import { CcxtSource, DuckDbStore } from '@candlelab/data';
import { predictLatest } from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AGGREGATOR, trainTestModel } from '../test/trainedModel.js';
import { decideWithWeights, learnedWeightsAt } from './learnedWeights.js';
import type { LogRecord, PredictionLog } from './PredictionLog.js';
import { SeriesLoop } from './SeriesLoop.js';
import { openDuckDbPredictionLog } from './SqlPredictionLog.js';
import { loadServedModel, type ServedClassifier } from './servedModel.js';

// Real Binance BTC/USDT 1h candles (fixtures/ohlcv), served by a fake exchange on loopback whose
// clock the tests move bar by bar; the model is trained on 2022-06-01 … 2022-09-01 of the same series.
const HOUR = 3_600_000;
const fixture = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
const START = Date.UTC(2022, 8, 10) + 30 * 60_000; // mid-bar
const WARMUP = 300;

let trained: Awaited<ReturnType<typeof trainTestModel>>;
let model: ServedClassifier;
let fake: FakeExchange;
const dirs: string[] = [];

beforeAll(async () => {
  trained = await trainTestModel();
  const registry = await openModelStore(trained.registry);
  const served = await loadServedModel(registry, trained.modelId);
  if (served.kind !== 'classifier') throw new Error(`expected a classifier, got ${served.kind}`);
  model = served;
  fake = await startFakeExchange({ series: [fixture], now: START });
});
afterAll(async () => {
  await fake?.close();
  for (const dir of [...dirs, trained?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  loop: SeriesLoop;
  log: PredictionLog;
  store: DuckDbStore;
  clock: { now: number };
}

async function openRun(dir: string, clock: { now: number }, wrapLog = (log: PredictionLog) => log): Promise<Run> {
  const store = await DuckDbStore.open({ path: join(dir, 'candles.duckdb') });
  const log = await openDuckDbPredictionLog({ path: join(dir, 'serve.duckdb') });
  const now = () => clock.now;
  const source = new CcxtSource({ exchange: await fakeExchangeClient(fake.url), now, maxRetries: 0 });
  const loop = await SeriesLoop.open({
    exchange: 'binance',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    store,
    source,
    log: wrapLog(log),
    models: [model],
    aggregator: TEST_AGGREGATOR,
    warmupBars: WARMUP,
    now,
  });
  return { loop, log, store, clock };
}

async function closeRun(run: Run): Promise<void> {
  await run.log.close();
  await run.store.close();
}

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-loop-'));
  dirs.push(dir);
  return dir;
}

/** A TradingView-style alert 30 minutes into the bar, alternating direction (a source that is often wrong). */
function alertAt(time: number, k: number): { key: string; signal: Signal } {
  return {
    key: `alert:test:${time}`,
    signal: {
      time,
      symbol: 'BTC/USDT',
      action: k % 2 === 0 ? 'buy' : 'sell',
      confidence: 0.8,
      source: 'tradingview:test',
    },
  };
}

/** Advances the exchange and the server clock hour by hour from `from` to `to`, ticking (and sending an alert every 3rd hour), then `afterTick`. */
async function runHours(run: Run, from: number, to: number, afterTick?: () => Promise<void>): Promise<void> {
  for (let h = from; h < to; h++) {
    run.clock.now = START + h * HOUR;
    fake.now = run.clock.now;
    if (h % 3 === 1) {
      const { key, signal } = alertAt(run.clock.now, h);
      await run.loop.submitAlert(key, signal, undefined);
    }
    await run.loop.tick();
    await afterTick?.();
  }
}

function closeAt(bars: Bars, time: number): number {
  return bars.close[lowerBound(bars.time, time)]!;
}

describe('SeriesLoop on a fake exchange with a trained model', () => {
  let reference: LogRecord[];

  it('serves every closed bar: the streamed prediction equals predictLatest on the bars up to t, outcomes from real closes', async () => {
    const run = await openRun(newDir(), { now: START });
    await runHours(run, 0, 48);
    reference = await run.log.query();
    const predictions = reference.filter((r) => r.kind === 'prediction');
    expect(predictions).toHaveLength(48); // the bar closed before START, then one per hour
    const firstServed = predictions[0]!.barTime;
    expect(firstServed).toBe(START - 30 * 60_000 - HOUR);
    const feedStart = lowerBound(fixture.time, firstServed - WARMUP * HOUR);
    for (const row of predictions) {
      const upTo = sliceBars(fixture, feedStart, lowerBound(fixture.time, row.barTime) + 1);
      const batch = predictLatest(model.classifier, upTo, model.featureSet, model.classes, model.rule, model.id);
      expect(row.probabilities).toEqual(Array.from(batch.probabilities));
      expect(row.action).toBe(batch.decision.action);
      expect(row.size).toBe(batch.decision.position);
      expect(row.source).toBe(trained.modelId);
    }
    // Outcomes: every row whose horizon has passed is settled with close(t + h) / close(t) − 1, known at the settling close.
    const lastClose = run.clock.now - (run.clock.now % HOUR);
    for (const row of reference) {
      if (row.outcomeDue > lastClose) {
        expect(row.outcomeReturn).toBeNull();
        continue;
      }
      const exit = closeAt(fixture, row.outcomeDue - HOUR);
      expect(row.outcomeReturn, row.key).toBe(exit / closeAt(fixture, row.barTime - (row.barTime % HOUR)) - 1);
      expect(row.outcomeKnownAt).toBe(row.outcomeDue);
    }
    expect(reference.filter((r) => r.kind === 'alert')).toHaveLength(16);
    expect(reference.filter((r) => r.kind === 'aggregate').length).toBe(48);
    // Candles written through the loader equal the exchange's.
    const stored = await run.store.read({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      start: firstServed - WARMUP * HOUR,
      end: lastClose,
    });
    const expected = sliceBars(fixture, feedStart, lowerBound(fixture.time, lastClose));
    expect(Array.from(stored.time)).toEqual(Array.from(expected.time));
    expect(Array.from(stored.close)).toEqual(Array.from(expected.close));
    await closeRun(run);
  });

  it('peeking at the forming bar (streams update, then replace) changes no logged bit; the provisional prediction on the final candle is the logged one', async () => {
    const run = await openRun(newDir(), { now: START });
    let peeks = 0;
    await runHours(run, 0, 48, async () => {
      // Three versions of the bar now forming: a third, two thirds and all of its move, the last one final.
      const i = lowerBound(fixture.time, run.loop.nextBarTime);
      const final = candleAt(fixture, i);
      for (const part of [1 / 3, 2 / 3, 1]) {
        const close = final.open + (final.close - final.open) * part;
        const candle =
          part === 1
            ? final
            : {
                ...final,
                high: Math.max(final.open, close),
                low: Math.min(final.open, close),
                close,
                volume: final.volume * part,
              };
        const view = await run.loop.peekForming(candle);
        expect(view?.candle).toBe(candle);
        const provisional = view!.models[0]!.prediction!;
        if (part === 1) {
          // What the close will log: predictLatest on the bars through the forming one.
          const feedStart = lowerBound(fixture.time, START - 30 * 60_000 - HOUR - WARMUP * HOUR);
          const upTo = sliceBars(fixture, feedStart, i + 1);
          const batch = predictLatest(model.classifier, upTo, model.featureSet, model.classes, model.rule, model.id);
          expect(provisional.probabilities).toEqual(Array.from(batch.probabilities));
        }
        peeks++;
      }
    });
    expect(peeks).toBe(144);
    // A bar the loop is not caught up to has no view.
    expect(
      await run.loop.peekForming(candleAt(fixture, lowerBound(fixture.time, run.loop.nextBarTime) + 1)),
    ).toBeUndefined();
    const rows = await run.log.query();
    expect(rows).toEqual(reference);
    await closeRun(run);
  });

  it('killed mid-bar and restarted after downtime: no candle, prediction or outcome lost or duplicated, same bits', async () => {
    const dir = newDir();
    const clock = { now: START };
    let failNext = false;
    const crashing = (log: PredictionLog): PredictionLog => ({
      location: log.location,
      query: (q) => log.query(q),
      barTimeRange: (...args) => log.barTimeRange(...args),
      close: () => log.close(),
      commit: async (batch) => {
        if (failNext) throw new Error('killed before the commit');
        return log.commit(batch);
      },
    });
    const first = await openRun(dir, clock, crashing);
    await runHours(first, 0, 20);
    // Killed in the middle of bar 20's processing: candles were written, nothing of the bar committed.
    clock.now = START + 20 * HOUR;
    fake.now = clock.now;
    failNext = true;
    await expect(first.loop.tick()).rejects.toThrow(/killed/);
    await closeRun(first);
    // Down for 9 hours (no ticks, no alerts), then restarted: the missed bars are back-filled.
    clock.now = START + 29 * HOUR;
    fake.now = clock.now;
    const second = await openRun(dir, clock);
    const catchUp = await second.loop.tick();
    expect(catchUp.bars).toBeGreaterThanOrEqual(10);
    await runHours(second, 30, 48);
    const restarted = await second.log.query();
    // Alerts sent while the server was down never arrived; everything else is identical to the uninterrupted run.
    const missed = new Set([22, 25, 28].map((h) => `alert:test:${START + h * HOUR}`));
    const withoutMissedAlerts = reference.filter((r) => !missed.has(r.key));
    expect(restarted.filter((r) => r.kind !== 'aggregate' && r.kind !== 'alert')).toEqual(
      withoutMissedAlerts.filter((r) => r.kind === 'prediction'),
    );
    expect(new Set(restarted.map((r) => r.key)).size).toBe(restarted.length);
    expect(restarted.map((r) => r.key).sort()).toEqual(withoutMissedAlerts.map((r) => r.key).sort());
    await closeRun(second);
  });

  it('the aggregator weights at t depend only on outcomes known at t (each logged decision re-derived from the log)', () => {
    const aggregates = reference.filter((r) => r.kind === 'aggregate');
    let learned = 0;
    for (const row of aggregates) {
      const weights = learnedWeightsAt(reference, row.decidedAt, TEST_AGGREGATOR);
      // Outcomes known later are irrelevant: flipping them changes nothing at t.
      const flipped = reference.map((r) =>
        r.outcomeKnownAt !== null && r.outcomeKnownAt > row.decidedAt ? { ...r, outcomeReturn: -r.outcomeReturn! } : r,
      );
      expect(learnedWeightsAt(flipped, row.decidedAt, TEST_AGGREGATOR).toRecord()).toEqual(weights.toRecord());
      const decision = decideWithWeights(row.inputs!, row.symbol, weights, TEST_AGGREGATOR);
      expect(decision.action).toBe(row.action);
      expect(decision.confidence).toBe(row.confidence);
      expect(decision.shouldExecute ? decision.positionSize : 0).toBe(row.size);
      if (weights.rounds > 0) learned++;
    }
    expect(learned).toBeGreaterThan(30);
    // The alternating alert source is right about half the time: its weight moved away from the model's.
    const final = learnedWeightsAt(reference, Number.POSITIVE_INFINITY, TEST_AGGREGATOR).toRecord();
    expect(Object.keys(final).sort()).toEqual([trained.modelId, 'tradingview:test'].sort());
    expect(final[trained.modelId]).not.toBe(final['tradingview:test']);
  });
});
