import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chartLibrary: string | undefined;
/** The standalone lightweight-charts build, inlined so the page needs nothing but this server. */
function chartScript(): string {
  // The package's exports map hides dist/, so locate it through its package.json.
  const packageDir = dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json'));
  chartLibrary ??= readFileSync(join(packageDir, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  return chartLibrary;
}

/**
 * The page's own script: reads the token from the URL fragment (never sent to a server) or asks for
 * it, then draws every panel from the API. Every value shown sits in an element with a stable id or
 * `data-` attribute; `data-value` holds the API's raw value as JSON, so a test can compare the page
 * with the API without parsing formatted text.
 */
const PAGE_SCRIPT = `
const L = LightweightCharts;
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const byId = (id) => document.getElementById(id);
const status = byId('status');
const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('candlelabToken') || prompt('API token');
sessionStorage.setItem('candlelabToken', token);
const authorization = 'Bearer ' + token;
const api = async (path) => {
  const response = await fetch(path, { headers: { authorization } });
  // A server that is down still answers /health with its full report (HTTP 503): show it.
  if (!response.ok && !(response.status === 503 && path === '/health')) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
};
const post = async (path, body) => {
  const response = await fetch(path, {
    method: 'POST',
    headers: body === undefined ? { authorization } : { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
};

const fmt = (x) => (typeof x !== 'number' || !Number.isFinite(x) ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(3));
const pct = (x) => (typeof x !== 'number' || !Number.isFinite(x) ? '–' : (100 * x).toFixed(1) + '%');
const when = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '–');
/** A table cell showing text, with the API's value in data-value. */
const cell = (value, text, name) =>
  '<td' + (name ? ' data-field="' + esc(name) + '"' : '') + ' data-value="' + esc(JSON.stringify(value ?? null)) + '">' + esc(text) + '</td>';
const header = (names) => '<tr>' + names.map((n) => '<th>' + esc(n) + '</th>').join('') + '</tr>';

const chart = L.createChart(byId('chart'), {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#1e222d' },
  timeScale: { timeVisible: true },
});
const candles = chart.addSeries(L.CandlestickSeries, {});
const markers = L.createSeriesMarkers(candles, []);
const equityChart = L.createChart(byId('equity-chart'), {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#1e222d' },
  timeScale: { timeVisible: true },
});
const equityLine = equityChart.addSeries(L.LineSeries, { color: '#2962ff', lineWidth: 2 });
const select = byId('series');
const paperSource = byId('paper-source');
/** The query string of the series chosen at the top. */
const seriesQuery = () => {
  const [symbol, timeframe] = select.value.split(' ');
  return 'symbol=' + encodeURIComponent(symbol) + '&timeframe=' + encodeURIComponent(timeframe);
};

/** Candles of the selected series with every logged buy/sell of its models. */
async function drawChart() {
  const q = seriesQuery();
  const [bars, log] = await Promise.all([api('/candles?' + q + '&limit=500'), api('/predictions?' + q + '&kind=prediction&limit=1000')]);
  candles.setData(bars.time.map((t, i) => ({ time: t / 1000, open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i] })));
  const first = bars.time[0] ?? Infinity;
  const decisions = log.filter((r) => r.action !== 'hold' && r.barTime >= first);
  markers.setMarkers(decisions.map((r) => ({
    time: r.barTime / 1000,
    position: r.action === 'buy' ? 'belowBar' : 'aboveBar',
    color: r.action === 'buy' ? '#26a69a' : '#ef5350',
    shape: r.action === 'buy' ? 'arrowUp' : 'arrowDown',
    text: r.source.split('/').pop(),
  })));
  chart.timeScale().fitContent();
  return { candles: bars.time.length, markers: decisions.length };
}

// Lifecycle stages, served ones first (the order the table shows them in).
const STAGE_ORDER = ['mature', 'paper', 'validation', 'discovery', 'decay', 'retired'];
const METRICS = ['sharpe', 'totalReturn', 'maxDrawdown', 'winRate', 'profitFactor', 'trades', 'oosAccuracy', 'oosAuc'];

/** Registry models grouped by stage, with out-of-sample metrics and the stage changes they allow. */
async function drawModels() {
  const models = await api('/models');
  const stages = [...new Set(models.map((m) => m.stage))].sort((a, b) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b));
  byId('models').innerHTML = '<thead>' + header(['model', 'version', 'series', 'serving', ...METRICS, '']) + '</thead>' +
    stages.map((stage) => '<tbody data-stage="' + esc(stage) + '"><tr class="group"><th colspan="' + (METRICS.length + 5) + '">' + esc(stage) + '</th></tr>' +
      models.filter((m) => m.stage === stage).map((m) => {
        const serving = m.served ? (m.suspended ? 'suspended' : 'serving') : 'not served';
        const buttons = (m.transitions ?? []).filter((to) => to !== 'retired').map((to) => to === 'decay'
          ? '<button data-action="deactivate" data-model-id="' + esc(m.id) + '">deactivate</button>'
          : '<button data-action="activate" data-to="' + esc(to) + '" data-model-id="' + esc(m.id) + '">activate → ' + esc(to) + '</button>');
        return '<tr data-model-id="' + esc(m.id) + '" data-stage="' + esc(m.stage) + '" data-serving="' + serving + '">' +
          '<td>' + esc(m.id) + '</td>' + cell(m.version, fmt(m.version), 'version') + '<td>' + esc(m.symbol + ' ' + m.timeframe) + '</td>' +
          '<td data-field="serving">' + serving + '</td>' +
          METRICS.map((k) => cell(m.metrics[k], /Return|Drawdown|winRate/.test(k) ? pct(m.metrics[k]) : fmt(m.metrics[k]), k)).join('') +
          '<td>' + buttons.join(' ') + '</td></tr>';
      }).join('') + '</tbody>').join('');
}

/** Activate (promote one gated step) or deactivate (demote to decay), then show the API's answer and refresh. */
byId('models').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const id = button.dataset.modelId;
  const message = byId('models-message');
  for (const b of byId('models').querySelectorAll('button')) b.disabled = true;
  const path = '/models/' + encodeURIComponent(id) + '/' + (button.dataset.action === 'activate' ? 'promote' : 'demote');
  const body = button.dataset.action === 'activate'
    ? { to: button.dataset.to, reason: 'activated from the dashboard' }
    : { reason: 'deactivated from the dashboard' };
  try {
    const answer = await post(path, body);
    message.dataset.http = String(answer.status);
    message.dataset.modelId = id;
    message.dataset.outcome = answer.status === 200 ? 'moved' : answer.status === 409 ? 'refused' : 'error';
    message.textContent = answer.status === 200
      ? id + ': ' + answer.body.from + ' → ' + answer.body.to
      : id + ': ' + (answer.body.reason ?? answer.body.message ?? 'HTTP ' + answer.status);
  } catch (e) {
    message.dataset.outcome = 'error';
    message.textContent = e.message;
  }
  await refresh().catch(showError);
});

let jobsTimer;
/** Training jobs with progress, the schedule and its next run; polls while a job runs. */
async function drawJobs() {
  const { schedule, jobs } = await api('/jobs');
  const line = byId('jobs-schedule');
  const retrain = byId('retrain');
  retrain.hidden = schedule === null;
  line.dataset.nextRun = JSON.stringify(schedule?.nextRunAt ?? null);
  line.textContent = schedule === null
    ? 'No retrain schedule in the serve config.'
    : 'Schedule ' + schedule.cron + ' (UTC) · next run ' + when(schedule.nextRunAt) + (schedule.running ? ' · running now' : '');
  retrain.disabled = schedule?.running === true;
  byId('jobs').innerHTML = '<thead>' + header(['job', 'trigger', 'status', 'progress', 'started', 'finished', 'models']) + '</thead><tbody>' +
    jobs.map((job) => {
      const p = job.progress;
      return '<tr data-job-id="' + esc(job.id) + '" data-status="' + esc(job.status) + '">' +
        '<td>' + esc(job.id) + '</td><td>' + esc(job.trigger) + '</td>' + cell(job.status, job.status, 'status') +
        '<td data-field="progress" data-value="' + esc(JSON.stringify(p)) + '">' +
        (p ? '<progress max="' + (p.total || 1) + '" value="' + p.done + '"></progress> ' + esc(p.phase + ' ' + p.done + '/' + p.total) : '–') + '</td>' +
        cell(job.startedAt, when(job.startedAt), 'startedAt') + cell(job.finishedAt, when(job.finishedAt), 'finishedAt') +
        '<td>' + esc(job.models.map((m) => (m.modelId ?? m.symbol) + ' → ' + m.stage + (m.reason ? ' (' + m.reason + ')' : '')).join(', ') + (job.error ? ' ' + job.error : '')) + '</td></tr>';
    }).join('') + '</tbody>';
  clearTimeout(jobsTimer);
  if (schedule?.running) jobsTimer = setTimeout(() => drawJobs().catch(showError), 2000);
}

byId('retrain').addEventListener('click', async () => {
  const message = byId('jobs-message');
  try {
    const answer = await post('/jobs/retrain');
    message.dataset.http = String(answer.status);
    message.textContent = answer.status === 202 ? 'Started ' + answer.body.id : answer.body.message;
  } catch (e) {
    message.textContent = e.message;
  }
  await drawJobs().catch(showError);
});

/** The newest prediction of every model of the series, the aggregated signal, and allocations. */
async function drawSignals() {
  const q = seriesQuery();
  const [predict, signal] = await Promise.all([api('/predict?' + q), api('/signal?' + q)]);
  byId('predictions').innerHTML = '<thead>' + header(['model', 'kind', 'bar', 'action', 'position', 'confidence', 'probabilities', 'serving']) + '</thead><tbody>' +
    predict.predictions.map((p) => '<tr data-model-id="' + esc(p.modelId) + '">' +
      '<td>' + esc(p.modelId) + '</td>' + cell(p.kind, p.kind ?? '–', 'kind') + cell(p.time, when(p.time), 'time') +
      cell(p.action, p.action ?? '–', 'action') + cell(p.position, fmt(p.position), 'position') +
      cell(p.confidence, fmt(p.confidence), 'confidence') +
      cell(p.probabilities, p.probabilities ? Object.entries(p.probabilities).map(([k, v]) => k + ' ' + fmt(v)).join(' · ') : '–', 'probabilities') +
      cell(p.suspended, p.suspended ? 'suspended' : 'serving', 'suspended') + '</tr>').join('') + '</tbody>';

  const s = signal.signal;
  const aggregate = byId('aggregate');
  aggregate.dataset.value = JSON.stringify(s ? { time: s.time, action: s.action, confidence: s.confidence, consensus: s.consensus, positionSize: s.positionSize, shouldExecute: s.shouldExecute } : null);
  aggregate.textContent = s
    ? when(s.time) + ': ' + s.action + ' · confidence ' + fmt(s.confidence) + ' · consensus ' + pct(s.consensus) + ' · size ' + fmt(s.positionSize) +
      (s.shouldExecute ? ' · executed' : ' · not executed') + ' · ' + s.count + ' source(s)'
    : 'No aggregated signal yet.';
  byId('weights').innerHTML = '<thead>' + header(['source', 'learned weight']) + '</thead><tbody>' +
    Object.entries(signal.weights).map(([source, w]) => '<tr data-source="' + esc(source) + '"><td>' + esc(source) + '</td>' + cell(w, fmt(w), 'weight') + '</tr>').join('') + '</tbody>';
  byId('learned-through').textContent = signal.learnedThrough === null ? 'no outcome learned yet' : 'learned from outcomes through ' + when(signal.learnedThrough);

  const allocators = predict.predictions.filter((p) => p.weights);
  byId('allocations-section').hidden = allocators.length === 0;
  byId('allocations').innerHTML = allocators.map((p) => '<table data-model-id="' + esc(p.modelId) + '"><caption>' + esc(p.modelId + ' · ' + when(p.time)) + '</caption>' +
    header(['target', 'weight', '']) +
    Object.entries(p.weights).map(([name, w]) => '<tr data-weight="' + esc(name) + '"><td>' + esc(name.replace(/^w_/, '')) + '</td>' + cell(w, pct(w), 'weight') +
      '<td><div class="bar" style="width: ' + (Number.isFinite(w) ? Math.max(0, Math.min(1, w)) * 200 : 0) + 'px"></div></td></tr>').join('') + '</table>').join('');

  const sources = [...predict.predictions.map((p) => p.modelId), 'aggregate'];
  const chosen = sources.includes(paperSource.value) ? paperSource.value : sources[0];
  paperSource.innerHTML = sources.map((source) => '<option>' + esc(source) + '</option>').join('');
  paperSource.value = chosen;
  await drawPaper();
}

/** Paper equity and round trips of the chosen source, filled by the backtest's rules. */
async function drawPaper() {
  const q = seriesQuery();
  const paper = await api('/paper?' + q + '&source=' + encodeURIComponent(paperSource.value));
  const summary = byId('paper-summary');
  summary.dataset.source = paper.source;
  summary.dataset.value = JSON.stringify({ finalEquity: paper.finalEquity, trades: paper.trades.length, orders: paper.orders, bars: paper.bars });
  summary.textContent = 'equity ' + fmt(paper.finalEquity) + ' · ' + paper.trades.length + ' round trips · ' + paper.orders + ' orders over ' + paper.bars + ' bars · fees ' + paper.feesBps + ' bps, slippage ' + paper.slippageBps + ' bps';
  // Equity compounded over the closed round trips, one point per exit.
  let equity = 1;
  const points = paper.trades.length ? [{ time: paper.trades[0].entryTime / 1000, value: 1 }] : [];
  for (const t of paper.trades) {
    equity *= 1 + t.returnPct;
    points.push({ time: t.exitTime / 1000, value: equity });
  }
  equityLine.setData(points);
  equityChart.timeScale().fitContent();
  byId('paper-trades').innerHTML = '<thead>' + header(['side', 'entry', 'exit', 'entry price', 'exit price', 'return', 'bars']) + '</thead><tbody>' +
    paper.trades.slice(-20).reverse().map((t) => '<tr data-entry-time="' + t.entryTime + '"><td>' + esc(t.side) + '</td><td>' + when(t.entryTime) + '</td><td>' + when(t.exitTime) + '</td>' +
      '<td>' + fmt(t.entryPrice) + '</td><td>' + fmt(t.exitPrice) + '</td>' + cell(t.returnPct, pct(t.returnPct), 'returnPct') + '<td>' + t.holdBars + '</td></tr>').join('') + '</tbody>';
}

/** Health: status, every series' freshness and error rate, every model's drift and live-vs-backtest record, alerts. */
async function drawHealth() {
  const health = await api('/health');
  const healthStatus = byId('health-status');
  healthStatus.dataset.status = health.status;
  healthStatus.textContent = health.status + ' at ' + when(health.time);
  healthStatus.className = 'badge ' + health.status;
  byId('health-series').innerHTML = '<thead>' + header(['series', 'newest bar', 'stale bars', 'gaps', 'error rate', 'last error', 'active models']) + '</thead><tbody>' +
    health.series.map((s) => '<tr data-series="' + esc(s.symbol + ' ' + s.timeframe) + '"><td>' + esc(s.symbol + ' ' + s.timeframe) + '</td>' +
      cell(s.lastBarTime, when(s.lastBarTime), 'lastBarTime') + cell(s.staleBars, fmt(s.staleBars), 'staleBars') + cell(s.gaps, fmt(s.gaps), 'gaps') +
      cell(s.errorRate, pct(s.errorRate), 'errorRate') + cell(s.lastError, s.lastError ?? '–', 'lastError') + cell(s.activeModels, s.activeModels.join(', ') || '–', 'activeModels') + '</tr>').join('') + '</tbody>';
  byId('health-models').innerHTML = '<thead>' + header(['model', 'series', 'version', 'serving', 'drift', 'live trades', 'win rate live / backtest', 'mean return live / backtest', 'rolling Sharpe live / backtest', 'worse than backtest']) + '</thead><tbody>' +
    health.models.map((m) => {
      const d = m.drift;
      const p = m.performance;
      return '<tr data-model-id="' + esc(m.id) + '" data-series="' + esc(m.symbol + ' ' + m.timeframe) + '"><td>' + esc(m.id) + '</td><td>' + esc(m.symbol + ' ' + m.timeframe) + '</td>' +
        cell(m.version, fmt(m.version), 'version') + cell(m.suspended, m.suspended ? 'suspended' : 'serving', 'suspended') +
        cell(d ? d.driftedFraction : null, d ? pct(d.driftedFraction) + ' of columns' + (d.drifting ? ' · DRIFTING' : '') + ' (' + d.rows + ' rows; ' + d.worst.slice(0, 3).map((c) => c.name).join(', ') + ')' : 'no drift data', 'drift') +
        cell(p ? p.liveTrades : null, p ? p.liveTrades + ' (backtest ' + p.backtestTrades + ')' : '–', 'liveTrades') +
        cell(p ? p.liveWinRate : null, p ? pct(p.liveWinRate) + ' / ' + pct(p.backtestWinRate) : '–', 'liveWinRate') +
        cell(p ? p.liveMeanReturn : null, p ? pct(p.liveMeanReturn) + ' / ' + pct(p.backtestMeanReturn) : '–', 'liveMeanReturn') +
        cell(p ? p.rollingSharpe.live : null, p ? fmt(p.rollingSharpe.live) + ' / ' + fmt(p.rollingSharpe.backtest) : '–', 'rollingSharpe') +
        cell(p ? p.significant : null, p ? (p.significant ? 'yes (significant)' : 'no') : '–', 'significant') + '</tr>';
    }).join('') + '</tbody>';
  const a = health.alerts;
  const counters = byId('alert-counters');
  counters.dataset.value = JSON.stringify({ sent: a.sent, deduplicated: a.deduplicated, rateLimited: a.rateLimited, failed: a.failed });
  counters.textContent = a.sent + ' sent · ' + a.deduplicated + ' de-duplicated · ' + a.rateLimited + ' rate-limited · ' + a.failed + ' failed';
  byId('alerts').innerHTML = '<thead>' + header(['time', 'severity', 'kind', 'subject', 'message']) + '</thead><tbody>' +
    (a.recent.length ? [...a.recent].reverse().map((alert) => '<tr class="' + esc(alert.severity) + '" data-kind="' + esc(alert.kind) + '">' + cell(alert.time, when(alert.time), 'time') +
      '<td>' + esc(alert.severity) + '</td><td>' + esc(alert.kind) + '</td><td>' + esc(alert.subject) + '</td><td data-field="message">' + esc(alert.message) + '</td></tr>').join('')
      : '<tr><td colspan="5">No alerts.</td></tr>') + '</tbody>';
  return health;
}

let refreshes = 0;
/** Redraws every panel; document.body.dataset.refreshes counts completed redraws. */
async function refresh() {
  const [drawn, health] = await Promise.all([drawChart(), drawHealth(), drawModels(), drawJobs(), drawSignals()]);
  status.textContent = 'status ' + health.status + ' · ' + drawn.candles + ' candles · ' + drawn.markers + ' signals';
  status.dataset.candles = String(drawn.candles);
  status.dataset.markers = String(drawn.markers);
  document.body.dataset.refreshes = String(++refreshes);
}
const showError = (e) => { status.textContent = e.message; status.dataset.error = 'true'; };
api('/series').then((series) => {
  select.innerHTML = series.map((s) => '<option>' + esc(s.symbol + ' ' + s.timeframe) + '</option>').join('');
  select.onchange = () => refresh().catch(showError);
  paperSource.onchange = () => drawPaper().catch(showError);
  setInterval(() => refresh().catch(showError), 60000);
  return refresh();
}).catch(showError);
`;

/**
 * The dashboard: one HTML page, all read from the API with the bearer token given in the URL
 * fragment (`/dashboard#token=…`, which browsers never send) or asked for once per tab: candles
 * and the served models' buy/sell signals of a series (TradingView lightweight-charts, inlined);
 * registry models by stage with out-of-sample metrics and activate/deactivate buttons; training
 * jobs with progress and a retrain button; each model's newest prediction, the aggregated signal
 * with its learned weights, and paper equity and trades of a source; a portfolio allocator's
 * target weights; health, drift, live-vs-backtest performance and alerts.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>candlelab serve</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 16px auto; max-width: 1280px; padding: 0 16px; color: #1e222d; }
  section { margin-top: 28px; }
  h2 { font-size: 18px; border-bottom: 2px solid #e0e3eb; padding-bottom: 4px; }
  h3 { font-size: 15px; margin-bottom: 4px; }
  #chart { height: 420px; border: 1px solid #e0e3eb; }
  #equity-chart { height: 200px; border: 1px solid #e0e3eb; }
  table { border-collapse: collapse; margin-top: 8px; }
  th, td { padding: 4px 10px; border-bottom: 1px solid #e0e3eb; text-align: left; vertical-align: top; }
  th { font-weight: 600; color: #50535e; }
  tr.group th { background: #f0f3fa; color: #1e222d; text-transform: capitalize; }
  tr.critical td { color: #b71c1c; }
  .note { color: #50535e; }
  .bar { height: 10px; background: #2962ff; }
  .badge { padding: 2px 8px; border-radius: 4px; background: #e0e3eb; }
  .badge.ok { background: #c8e6c9; }
  .badge.degraded { background: #fff3c4; }
  .badge.down { background: #ffcdd2; }
  button { margin: 1px 0; }
</style>
</head>
<body>
<h1>candlelab serve</h1>
<p><select id="series" aria-label="series"></select> <span id="status">loading…</span></p>
<section id="chart-section">
<h2>Candles and signals</h2>
<div id="chart"></div>
</section>
<section id="models-section">
<h2>Models by stage</h2>
<p class="note">Activate promotes a model one stage through its gates; deactivate demotes it to decay and stops its signals at once.</p>
<p id="models-message" role="status"></p>
<table id="models"></table>
</section>
<section id="jobs-section">
<h2>Training jobs</h2>
<p><span id="jobs-schedule"></span> <button id="retrain" hidden>Retrain now</button> <span id="jobs-message" role="status"></span></p>
<table id="jobs"></table>
</section>
<section id="signals-section">
<h2>Live signals and positions</h2>
<table id="predictions"></table>
<h3>Aggregated signal</h3>
<p id="aggregate"></p>
<table id="weights"></table>
<p id="learned-through" class="note"></p>
<h3>Paper trading</h3>
<p><select id="paper-source" aria-label="paper source"></select> <span id="paper-summary"></span></p>
<div id="equity-chart"></div>
<table id="paper-trades"></table>
</section>
<section id="allocations-section" hidden>
<h2>Allocations</h2>
<div id="allocations"></div>
</section>
<section id="health-section">
<h2>Health and alerts</h2>
<p>Status <span id="health-status" class="badge"></span></p>
<table id="health-series"></table>
<table id="health-models"></table>
<h3>Alerts</h3>
<p id="alert-counters" class="note"></p>
<table id="alerts"></table>
</section>
<script>${chartScript()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
