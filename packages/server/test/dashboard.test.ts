import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStrategy, trainStrategy } from '@candlelab/pipeline';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CandlelabServer, createServer, DASHBOARD_PATH } from '../src/createServer.js';
import type { TrainingJob } from '../src/RetrainScheduler.js';
import { parseServeConfig } from '../src/serveConfig.js';
import { shiftRegime } from './shiftRegime.js';
import { trainTestModel, trainTestPpo } from './trainedModel.js';

// The dashboard in a real browser: Chromium (CANDLELAB_CHROMIUM, default /usr/bin/chromium) drives
// the page served by a live server on loopback, which reads everything it shows from the API. Each
// panel is compared with the API's answer; the buttons change the registry and the runtime for real.
const chromiumPath = process.env.CANDLELAB_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(
    `Dashboard browser test skipped: no Chromium at ${chromiumPath}. Install chromium or set CANDLELAB_CHROMIUM.`,
  );

const HOUR = 3_600_000;
const START = Date.UTC(2022, 8, 20) + 20 * 60_000;
const TOKEN = 'dashboard-token-0123456';
const auth = { authorization: `Bearer ${TOKEN}` };
const query = 'symbol=BTC%2FUSDT&timeframe=1h';

/** A table row as the page shows it: its data- attributes and its cells' API values by field. */
interface Row {
  [attribute: string]: unknown;
  fields: Record<string, unknown>;
}

// Browser-side code as strings: this package's TypeScript has no DOM types.
const rowsOf = async (page: Page, selector: string): Promise<Row[]> =>
  (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((row) => ({
    ...row.dataset,
    fields: Object.fromEntries([...row.querySelectorAll('[data-field]')].map((c) =>
      [c.dataset.field, c.dataset.value === undefined ? c.textContent : JSON.parse(c.dataset.value)])),
  }))`)) as Row[];

const datasetOf = async (page: Page, id: string): Promise<Record<string, string>> =>
  (await page.evaluate(`({ ...document.getElementById(${JSON.stringify(id)}).dataset })`)) as Record<string, string>;

const refreshes = async (page: Page): Promise<number> => Number(await page.evaluate('document.body.dataset.refreshes'));

/** Runs `action` and waits until the page has redrawn every panel after it. */
async function andRedrawn(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await refreshes(page);
  await action();
  await page.waitForFunction(`Number(document.body.dataset.refreshes) > ${before}`, null, { timeout: 20_000 });
}

/** Chromium on the dashboard of the server at `url`, once the page has drawn every panel; page errors go to `errors`. */
async function openDashboard(url: string, errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}${DASHBOARD_PATH}#token=${TOKEN}`);
  await page.waitForFunction('Number(document.body.dataset.refreshes) >= 1', null, { timeout: 20_000 });
  return { browser, page };
}

describe.skipIf(!hasChromium)('dashboard page', () => {
  let trained: Awaited<ReturnType<typeof trainTestModel>>;
  let gatedId: string;
  let fake: FakeExchange;
  let server: CandlelabServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];
  const clock = { now: START };
  const get = async (path: string) => {
    const response = await server.app.inject({ method: 'GET', url: path, headers: auth });
    return response.json();
  };
  const tick = async () => {
    clock.now += HOUR;
    await server.runtime.tickAll();
  };

  beforeAll(async () => {
    trained = await trainTestModel({ entryThreshold: 0.5 });
    // A second strategy whose gate no model passes: registered in discovery, its activation refused.
    const gatedPath = join(trained.dir, 'gated.yaml');
    writeFileSync(
      gatedPath,
      `${readFileSync(join(trained.dir, 'serve-test.yaml'), 'utf8').replace('name: serve-test', 'name: gated')}gates: [sharpe > 100]\n`,
    );
    gatedId = (await trainStrategy(loadStrategy(gatedPath))).model!.id;
    // The market turns wild as serving starts: the drift monitor (20-bar window) raises a real alert.
    const bars = shiftRegime(loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz'), START - 4 * HOUR);
    fake = await startFakeExchange({ series: [bars], now: START + 30 * HOUR });
    server = await createServer(
      parseServeConfig(
        `server: { port: 0, apiToken: ${TOKEN}, logLevel: silent }
registry: models
exchange: { maxRetries: 0 }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
drift: { windowBars: 20, maxDriftedFraction: 0.05, remediate: false }
performance: { minTrades: 2 }
retrain: { cron: '0 3 * * *', strategy: serve-test.yaml }
`,
        { baseDir: trained.dir },
      ),
      { exchange: await fakeExchangeClient(fake.url), now: () => clock.now },
    );
    await server.runtime.tickAll();
    for (let h = 1; h <= 24; h++) await tick();
    url = await server.listen();
    ({ browser, page } = await openDashboard(url, errors));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
    if (trained) rmSync(trained.dir, { recursive: true, force: true });
  });

  it('draws the candles and every buy/sell signal', async () => {
    expect(errors).toEqual([]);
    const status = await datasetOf(page, 'status');
    // The page asks for the last 500 hours before the newest bar served.
    const end = server.runtime.loops[0]!.servedThrough + HOUR;
    const bars = await server.runtime.store.read({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      start: end - 500 * HOUR,
      end,
    });
    expect(Number(status.candles)).toBe(bars.time.length);
    const signals = (await server.runtime.log.query({ kind: 'prediction' })).filter((r) => r.action !== 'hold');
    expect(signals.length).toBeGreaterThan(0);
    expect(Number(status.markers)).toBe(signals.length);
    expect(await page.locator('#status').textContent()).toMatch(
      new RegExp(`^status ${(await get('/health')).status} · `),
    );
    // The charts drew: their canvases hold pixels.
    for (const id of ['chart', 'equity-chart']) {
      const painted = await page.evaluate(`[...document.querySelectorAll('#${id} canvas')].some((canvas) => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        return data.some((v, i) => i % 4 !== 3 && v !== 255);
      })`);
      expect(painted, id).toBe(true);
    }
  });

  it('lists the registry models by stage with their out-of-sample metrics and serving state', async () => {
    const models = (await get('/models')) as Array<{
      id: string;
      stage: string;
      version: number;
      served: boolean;
      metrics: Record<string, number>;
    }>;
    expect(models.map((m) => [m.id, m.stage]).sort()).toEqual(
      [
        [gatedId, 'discovery'],
        [trained.modelId, 'mature'],
      ].sort(),
    );
    const rows = await rowsOf(page, '#models tbody tr[data-model-id]');
    expect(rows).toHaveLength(models.length);
    for (const model of models) {
      const row = rows.find((r) => r.modelId === model.id)!;
      expect(row.stage).toBe(model.stage);
      // Grouped: the row sits in its stage's table body.
      expect(
        await page.locator(`#models tbody[data-stage="${model.stage}"] tr[data-model-id="${model.id}"]`).count(),
      ).toBe(1);
      expect(row.serving).toBe(model.served ? 'serving' : 'not served');
      expect(row.fields.version).toBe(model.version);
      for (const name of ['sharpe', 'totalReturn', 'maxDrawdown', 'winRate', 'trades', 'oosAccuracy', 'oosAuc'])
        expect(row.fields[name], name).toBe(model.metrics[name]);
    }
    // Mature may only be deactivated; discovery only activated to validation.
    const buttons = async (id: string) =>
      page.locator(`#models tr[data-model-id="${id}"] button`).evaluateAll((all) =>
        // biome-ignore lint/suspicious/noExplicitAny: DOM elements, no DOM types in this package
        all.map((b: any) => `${b.dataset.action} ${b.dataset.to ?? ''}`.trim()),
      );
    expect(await buttons(trained.modelId)).toEqual(['deactivate']);
    expect(await buttons(gatedId)).toEqual(['activate validation']);
  });

  it('shows the retrain schedule and its jobs', async () => {
    const jobs = (await get('/jobs')) as { schedule: { cron: string; nextRunAt: number }; jobs: TrainingJob[] };
    expect(jobs.schedule).not.toBeNull();
    expect(JSON.parse((await datasetOf(page, 'jobs-schedule')).nextRun!)).toBe(jobs.schedule.nextRunAt);
    expect(await page.locator('#jobs-schedule').textContent()).toContain(jobs.schedule.cron);
    expect(await page.locator('#retrain').isVisible()).toBe(true);
    expect(await rowsOf(page, '#jobs tbody tr')).toHaveLength(jobs.jobs.length);
  });

  it('shows each model’s newest prediction, the aggregated signal with learned weights, and paper equity', async () => {
    const predict = (await get(`/predict?${query}`)) as {
      predictions: Array<Record<string, unknown> & { modelId: string }>;
    };
    const rows = await rowsOf(page, '#predictions tbody tr');
    expect(rows.map((r) => r.modelId)).toEqual(predict.predictions.map((p) => p.modelId));
    for (const p of predict.predictions) {
      const { fields } = rows.find((r) => r.modelId === p.modelId)!;
      expect(p.action).not.toBeNull();
      for (const name of ['kind', 'time', 'action', 'position', 'confidence', 'probabilities', 'suspended'])
        expect(fields[name], name).toEqual(p[name]);
    }

    const signal = (await get(`/signal?${query}`)) as {
      signal: Record<string, unknown>;
      weights: Record<string, number>;
    };
    expect(signal.signal).not.toBeNull();
    const { time, action, confidence, consensus, positionSize, shouldExecute } = signal.signal;
    expect(JSON.parse((await datasetOf(page, 'aggregate')).value!)).toEqual({
      time,
      action,
      confidence,
      consensus,
      positionSize,
      shouldExecute,
    });
    const weights = await rowsOf(page, '#weights tbody tr');
    expect(Object.keys(signal.weights).length).toBeGreaterThan(0);
    expect(Object.fromEntries(weights.map((w) => [w.source, w.fields.weight]))).toEqual(signal.weights);

    // Paper fills: the first model by default, then the aggregate chosen in the select.
    for (const source of [trained.modelId, 'aggregate']) {
      if (source === 'aggregate')
        await page
          .selectOption('#paper-source', 'aggregate')
          .then(() => page.waitForFunction("document.getElementById('paper-summary').dataset.source === 'aggregate'"));
      const paper = (await get(`/paper?${query}&source=${encodeURIComponent(source)}`)) as {
        finalEquity: number;
        trades: Array<{ entryTime: number; returnPct: number }>;
        orders: number;
        bars: number;
      };
      const summary = await datasetOf(page, 'paper-summary');
      expect(summary.source).toBe(source);
      expect(JSON.parse(summary.value!)).toEqual({
        finalEquity: paper.finalEquity,
        trades: paper.trades.length,
        orders: paper.orders,
        bars: paper.bars,
      });
      const trades = await rowsOf(page, '#paper-trades tbody tr');
      expect(trades.map((t) => [Number(t.entryTime), t.fields.returnPct])).toEqual(
        paper.trades
          .slice(-20)
          .reverse()
          .map((t) => [t.entryTime, t.returnPct]),
      );
    }
    // The equity line has points to draw.
    const modelPaper = (await get(`/paper?${query}&source=${encodeURIComponent(trained.modelId)}`)) as { trades: [] };
    expect(modelPaper.trades.length).toBeGreaterThan(0);

    // No portfolio allocator is served: no weights in /predict, and no Allocations panel.
    expect(predict.predictions.some((p) => 'weights' in p)).toBe(false);
    expect(await page.locator('#allocations-section').isHidden()).toBe(true);
  });

  it('shows health: status, series freshness and errors, drift and live-vs-backtest per model, and the alerts', async () => {
    const health = (await get('/health')) as {
      status: string;
      series: Array<Record<string, unknown> & { symbol: string; timeframe: string }>;
      models: Array<{
        id: string;
        drift: { driftedFraction: number } | null;
        performance: { liveTrades: number; liveWinRate: number | null; significant: boolean } | null;
      }>;
      alerts: {
        sent: number;
        deduplicated: number;
        rateLimited: number;
        failed: number;
        recent: Array<{ kind: string; message: string; time: number }>;
      };
    };
    expect((await datasetOf(page, 'health-status')).status).toBe(health.status);
    const series = await rowsOf(page, '#health-series tbody tr');
    expect(series.map((s) => s.series)).toEqual(health.series.map((s) => `${s.symbol} ${s.timeframe}`));
    for (const name of ['lastBarTime', 'staleBars', 'gaps', 'errorRate', 'lastError', 'activeModels'])
      expect(series[0]!.fields[name], name).toEqual(health.series[0]![name]);

    const models = await rowsOf(page, '#health-models tbody tr');
    expect(models.map((m) => m.modelId)).toEqual(health.models.map((m) => m.id));
    const [model] = health.models;
    // The wild market after training: the 20-bar window drifts (and, not remediated, the model keeps serving).
    expect(model!.drift).not.toBeNull();
    expect(models[0]!.fields.drift).toBe(model!.drift!.driftedFraction);
    expect(model!.performance).not.toBeNull();
    expect(models[0]!.fields.liveTrades).toBe(model!.performance!.liveTrades);
    expect(models[0]!.fields.liveWinRate).toBe(model!.performance!.liveWinRate);
    expect(models[0]!.fields.significant).toBe(model!.performance!.significant);

    const { recent, ...counters } = health.alerts;
    expect(JSON.parse((await datasetOf(page, 'alert-counters')).value!)).toEqual(counters);
    expect(recent.length).toBeGreaterThan(0);
    const alerts = await rowsOf(page, '#alerts tbody tr[data-kind]');
    expect(alerts.map((a) => [a.kind, a.fields.time, a.fields.message])).toEqual(
      [...recent].reverse().map((a) => [a.kind, a.time, a.message]),
    );
  });

  it('deactivates a model (its signals stop) and activates it again through the gates', async () => {
    const id = trained.modelId;
    const loop = server.runtime.loops[0]!;
    await andRedrawn(page, () =>
      page.locator(`#models tr[data-model-id="${id}"] button[data-action="deactivate"]`).click(),
    );
    expect(await datasetOf(page, 'models-message')).toMatchObject({ outcome: 'moved', http: '200', modelId: id });
    expect(await page.locator('#models-message').textContent()).toBe(`${id}: mature → decay`);
    const models = (await get('/models')) as Array<{ id: string; stage: string; suspended: boolean }>;
    expect(models.find((m) => m.id === id)).toMatchObject({ stage: 'decay', suspended: true });
    expect(loop.isSuspended(id)).toBe(true);
    expect((await rowsOf(page, '#models tbody[data-stage="decay"] tr[data-model-id]'))[0]).toMatchObject({
      modelId: id,
      serving: 'suspended',
    });

    // Its signals stopped: the next bar logs no prediction of it, and no aggregate counts it.
    const logged = async () => (await server.runtime.log.query({ kind: 'prediction', source: id })).length;
    const before = await logged();
    const from = loop.servedThrough + HOUR;
    await tick();
    expect(loop.servedThrough).toBe(from);
    expect(await logged()).toBe(before);
    const aggregates = (await server.runtime.log.query({ kind: 'aggregate', from })).filter((r) => r.barTime >= from);
    expect(aggregates.flatMap((r) => r.inputs ?? []).map((i) => i.source)).not.toContain(id);
    await andRedrawn(page, () => page.selectOption('#series', 'BTC/USDT 1h'));
    expect((await rowsOf(page, '#predictions tbody tr'))[0]!.fields.suspended).toBe(true);
    expect((await rowsOf(page, '#health-models tbody tr'))[0]!.fields.suspended).toBe(true);

    // Activate: decay → paper, gated (the test strategy's model has no gates for paper).
    await andRedrawn(page, () =>
      page.locator(`#models tr[data-model-id="${id}"] button[data-action="activate"][data-to="paper"]`).click(),
    );
    expect(await datasetOf(page, 'models-message')).toMatchObject({ outcome: 'moved', http: '200' });
    expect(((await get('/models')) as Array<{ id: string; stage: string }>).find((m) => m.id === id)!.stage).toBe(
      'paper',
    );
    expect((await rowsOf(page, '#models tbody[data-stage="paper"] tr[data-model-id]'))[0]!.modelId).toBe(id);

    // A model whose gate fails is refused with the API's message (409), and stays where it was.
    await andRedrawn(page, () =>
      page.locator(`#models tr[data-model-id="${gatedId}"] button[data-action="activate"]`).click(),
    );
    const refused = await server.app.inject({
      method: 'POST',
      url: `/models/${encodeURIComponent(gatedId)}/promote`,
      headers: auth,
      payload: { to: 'validation' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reason).toMatch(/^gates for validation failed: /);
    expect(await datasetOf(page, 'models-message')).toMatchObject({
      outcome: 'refused',
      http: '409',
      modelId: gatedId,
    });
    expect(await page.locator('#models-message').textContent()).toBe(`${gatedId}: ${refused.json().reason}`);
    expect(((await get('/models')) as Array<{ id: string; stage: string }>).find((m) => m.id === gatedId)!.stage).toBe(
      'discovery',
    );
  });

  it('starts a retrain from the page and shows the job’s progress to the end', { timeout: 120_000 }, async () => {
    await page.locator('#retrain').click();
    await page.waitForFunction("document.querySelectorAll('#jobs tbody tr[data-job-id]').length === 1", null, {
      timeout: 20_000,
    });
    expect((await datasetOf(page, 'jobs-message')).http).toBe('202');
    const [{ id }] = ((await get('/jobs')) as { jobs: TrainingJob[] }).jobs as [TrainingJob];
    // The page polls while the job runs, until it shows the job finished.
    await server.runtime.retrain!.idle();
    await page.waitForFunction("document.querySelector('#jobs tbody tr').dataset.status !== 'running'", null, {
      timeout: 20_000,
    });
    const job = (await get(`/jobs/${encodeURIComponent(id)}`)) as TrainingJob;
    expect(job.status).toBe('succeeded');
    const [row] = await rowsOf(page, '#jobs tbody tr');
    expect(row).toMatchObject({ jobId: id, status: job.status });
    expect(row!.fields).toMatchObject({ progress: job.progress, startedAt: job.startedAt, finishedAt: job.finishedAt });
    expect(await page.locator('#jobs tbody tr td').last().textContent()).toContain(job.models[0]!.modelId!);
    expect(errors).toEqual([]);
  });

  it('without the token the API refuses the page its data', async () => {
    const refused = await browser.newPage();
    refused.on('dialog', (dialog) => void dialog.accept('wrong-token'));
    await refused.goto(`${url}${DASHBOARD_PATH}`);
    await refused.waitForFunction("document.getElementById('status').dataset.error === 'true'", null, {
      timeout: 20_000,
    });
    expect(await refused.locator('#status').textContent()).toMatch(/HTTP 401/);
    await refused.close();
  });
});

describe.skipIf(!hasChromium)('dashboard page with a portfolio allocator', () => {
  let trained: Awaited<ReturnType<typeof trainTestPpo>>;
  let fake: FakeExchange;
  let server: CandlelabServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    trained = await trainTestPpo('portfolio');
    const series = ['BTC', 'ETH'].map((base) => loadFixtureBars(`ohlcv/binance-1h/${base}_USDT-1h.json.gz`));
    fake = await startFakeExchange({ series, now: START });
    const clock = { now: START };
    server = await createServer(
      parseServeConfig(
        `server: { port: 0, apiToken: ${TOKEN}, logLevel: silent }
registry: models
series: [{ symbol: BTC/USDT, timeframe: 1h }, { symbol: ETH/USDT, timeframe: 1h }]
warmupBars: 50
`,
        { baseDir: trained.dir },
      ),
      { exchange: await fakeExchangeClient(fake.url), now: () => clock.now },
    );
    for (let h = 0; h <= 6; h++) {
      clock.now = START + h * HOUR;
      fake.now = clock.now;
      await server.runtime.tickAll();
    }
    const url = await server.listen();
    ({ browser, page } = await openDashboard(url, errors));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
    if (trained) rmSync(trained.dir, { recursive: true, force: true });
  });

  it("shows the allocator's target weights as /predict gives them, on each of its series", async () => {
    for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
      if ((await page.locator('#series').inputValue()) !== `${symbol} 1h`)
        await andRedrawn(page, () => page.locator('#series').selectOption(`${symbol} 1h`));
      const response = await server.app.inject({
        method: 'GET',
        url: `/predict?symbol=${encodeURIComponent(symbol)}&timeframe=1h`,
        headers: auth,
      });
      const [allocation] = response.json().predictions as Array<{ modelId: string; weights: Record<string, number> }>;
      expect(allocation!.modelId).toBe(trained.modelId);
      expect(await page.locator('#allocations-section').isHidden()).toBe(false);
      const rows = await rowsOf(page, `#allocations table[data-model-id="${trained.modelId}"] tr[data-weight]`);
      expect(Object.fromEntries(rows.map((row) => [row.weight, row.fields.weight]))).toEqual(allocation!.weights);
      expect(Object.keys(allocation!.weights)).toEqual(['w_BTC/USDT', 'w_ETH/USDT', 'w_cash']);
    }
    expect(errors).toEqual([]);
  });
});
