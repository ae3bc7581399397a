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

/** The page's own script: reads the token from the URL fragment (never sent to a server) or asks for it, then draws from the API. */
const PAGE_SCRIPT = `
const L = LightweightCharts;
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const status = document.getElementById('status');
const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('candlelabToken') || prompt('API token');
sessionStorage.setItem('candlelabToken', token);
const api = async (path) => {
  const response = await fetch(path, { headers: { authorization: 'Bearer ' + token } });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
};
const chart = L.createChart(document.getElementById('chart'), {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#1e222d' },
  timeScale: { timeVisible: true },
});
const candles = chart.addSeries(L.CandlestickSeries, {});
const markers = L.createSeriesMarkers(candles, []);
const select = document.getElementById('series');
async function draw() {
  const [symbol, timeframe] = select.value.split(' ');
  const q = 'symbol=' + encodeURIComponent(symbol) + '&timeframe=' + timeframe;
  const [bars, log, health] = await Promise.all([
    api('/candles?' + q + '&limit=500'),
    api('/predictions?' + q + '&kind=prediction&limit=1000'),
    api('/health'),
  ]);
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
  const models = health.models.filter((m) => m.symbol === symbol && m.timeframe === timeframe);
  document.getElementById('models').innerHTML = models.map((m) =>
    '<tr><td>' + esc(m.id) + '</td><td>' + (m.suspended ? 'suspended' : 'serving') + '</td><td>' +
    (m.drift ? (100 * m.drift.driftedFraction).toFixed(0) + '% drifted' : 'no drift data') + '</td></tr>').join('');
  status.textContent = 'status ' + health.status + ' · ' + bars.time.length + ' candles · ' + decisions.length + ' signals';
  status.dataset.candles = String(bars.time.length);
  status.dataset.markers = String(decisions.length);
}
api('/series').then((series) => {
  select.innerHTML = series.map((s) => '<option>' + esc(s.symbol + ' ' + s.timeframe) + '</option>').join('');
  select.onchange = () => draw().catch((e) => { status.textContent = e.message; });
  return draw();
}).catch((e) => { status.textContent = e.message; status.dataset.error = 'true'; });
`;

/**
 * The dashboard: one HTML page with candles and the served models' buy/sell signals of a series
 * (TradingView lightweight-charts, inlined), model status and drift, all read from the API with
 * the bearer token given in the URL fragment (`/dashboard#token=…`, which browsers never send) or
 * asked for once per tab.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>candlelab serve</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 16px; color: #1e222d; }
  #chart { height: 480px; border: 1px solid #e0e3eb; }
  table { border-collapse: collapse; margin-top: 12px; }
  td { padding: 4px 12px; border-bottom: 1px solid #e0e3eb; }
</style>
</head>
<body>
<h1>candlelab serve</h1>
<p><select id="series"></select> <span id="status">loading…</span></p>
<div id="chart"></div>
<table id="models"></table>
<script>${chartScript()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
