import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ReportTradeMarker {
  entryTime: number;
  exitTime: number;
  side: 'long' | 'short';
  entryPrice: number;
  exitPrice: number;
  /** Return of the trade as a fraction (0.01 = +1%). */
  returnPct: number;
}

export interface ReportImportance {
  feature: string;
  mean: number;
  std: number;
}

export interface ReportGate {
  expression: string;
  passed: boolean;
  reason: string;
}

export interface ReportInput {
  title: string;
  subtitle?: string;
  /** Candles to draw (usually the out-of-sample period), times in UTC ms. */
  candles: {
    time: ArrayLike<number>;
    open: ArrayLike<number>;
    high: ArrayLike<number>;
    low: ArrayLike<number>;
    close: ArrayLike<number>;
  };
  trades: readonly ReportTradeMarker[];
  /** Strategy equity (starting at 1) and, optionally, buy-and-hold, at the candle times. */
  equity: ArrayLike<number>;
  benchmarkEquity?: ArrayLike<number>;
  /** Named tables of metrics, e.g. `{ 'Out-of-sample model': {...}, 'Backtest': {...} }`. */
  tables: Readonly<Record<string, Readonly<Record<string, number | string>>>>;
  importance?: readonly ReportImportance[];
  gates?: readonly ReportGate[];
}

let chartLibrary: string | undefined;
/** The standalone lightweight-charts build, inlined so the report works offline as one file. */
function chartScript(): string {
  // The package's exports map hides dist/, so locate it through its package.json.
  const packageDir = dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json'));
  chartLibrary ??= readFileSync(join(packageDir, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  return chartLibrary;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function formatValue(value: number | string): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
}

function table(title: string, rows: Readonly<Record<string, number | string>>): string {
  const body = Object.entries(rows)
    .map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${formatValue(value)}</td></tr>`)
    .join('');
  return `<section class="card"><h2>${escapeHtml(title)}</h2><table>${body}</table></section>`;
}

/**
 * A self-contained HTML report of one model: price chart with trade markers, equity and drawdown
 * charts (TradingView lightweight-charts, inlined), metric tables, feature importance and gates.
 * Once the charts have drawn, the page sets `data-charts-drawn` on `<html>` to the number of
 * chart canvases holding pixels (checked by the tests in headless Chromium).
 */
export function renderReport(input: ReportInput): string {
  const n = input.candles.time.length;
  const toSeconds = (ms: number) => Math.floor(ms / 1000);
  const candles = Array.from({ length: n }, (_, i) => ({
    time: toSeconds(input.candles.time[i]!),
    open: input.candles.open[i]!,
    high: input.candles.high[i]!,
    low: input.candles.low[i]!,
    close: input.candles.close[i]!,
  }));
  const line = (values: ArrayLike<number>) =>
    Array.from({ length: Math.min(n, values.length) }, (_, i) => ({
      time: toSeconds(input.candles.time[i]!),
      value: values[i]!,
    }));
  let peak = Number.NEGATIVE_INFINITY;
  const drawdown = Array.from(input.equity, (value) => {
    peak = Math.max(peak, value);
    return peak > 0 ? value / peak - 1 : 0;
  });
  const markers = input.trades
    .flatMap((trade) => [
      {
        time: toSeconds(trade.entryTime),
        position: trade.side === 'long' ? 'belowBar' : 'aboveBar',
        color: trade.side === 'long' ? '#2962ff' : '#e91e63',
        shape: trade.side === 'long' ? 'arrowUp' : 'arrowDown',
        text: trade.side === 'long' ? 'L' : 'S',
      },
      {
        time: toSeconds(trade.exitTime),
        position: trade.side === 'long' ? 'aboveBar' : 'belowBar',
        color: trade.returnPct >= 0 ? '#26a69a' : '#ef5350',
        shape: 'circle',
        text: `${(trade.returnPct * 100).toFixed(1)}%`,
      },
    ])
    .sort((a, b) => a.time - b.time);
  const data = {
    candles,
    markers,
    equity: line(input.equity),
    benchmark: input.benchmarkEquity ? line(input.benchmarkEquity) : null,
    drawdown: line(drawdown),
  };
  const importance = (input.importance ?? [])
    .slice()
    .sort((a, b) => b.mean - a.mean)
    .slice(0, 25);
  const maxImportance = Math.max(1e-12, ...importance.map((r) => Math.abs(r.mean)));
  const importanceRows = importance
    .map(
      (r) =>
        `<tr><th>${escapeHtml(r.feature)}</th><td class="barcell"><span class="bar" style="width:${Math.max(0, (100 * r.mean) / maxImportance).toFixed(1)}%"></span></td><td>${formatValue(r.mean)} ± ${formatValue(r.std)}</td></tr>`,
    )
    .join('');
  const gates = (input.gates ?? [])
    .map(
      (g) =>
        `<tr class="${g.passed ? 'pass' : 'fail'}"><th>${escapeHtml(g.expression)}</th><td>${g.passed ? 'pass' : 'FAIL'}</td><td>${escapeHtml(g.reason)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1e222d;background:#f5f6f8}
h1{margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}.sub{color:#6a6d78;margin-bottom:16px}
.chart{height:360px;background:#fff;border-radius:6px;margin-bottom:12px}.small{height:180px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.card{background:#fff;border-radius:6px;padding:12px}table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:500;padding:2px 8px 2px 0}td{text-align:right;padding:2px 0}
.barcell{width:40%;text-align:left}.bar{display:inline-block;height:10px;background:#2962ff}.pass td{color:#26a69a}.fail td{color:#ef5350}
</style></head><body>
<h1>${escapeHtml(input.title)}</h1><div class="sub">${escapeHtml(input.subtitle ?? '')}</div>
<h2>Price and trades (out of sample)</h2><div id="price" class="chart"></div>
<h2>Equity</h2><div id="equity" class="chart small"></div>
<h2>Drawdown</h2><div id="drawdown" class="chart small"></div>
<div class="grid">${Object.entries(input.tables)
    .map(([title, rows]) => table(title, rows))
    .join('')}
${gates ? `<section class="card"><h2>Gates</h2><table>${gates}</table></section>` : ''}
${importanceRows ? `<section class="card"><h2>Feature importance</h2><table>${importanceRows}</table></section>` : ''}</div>
<script>${chartScript()}</script>
<script>
const data = ${JSON.stringify(data)};
const L = LightweightCharts;
const options = { autoSize: true, layout: { background: { color: '#ffffff' }, textColor: '#1e222d' }, timeScale: { timeVisible: true } };
const price = L.createChart(document.getElementById('price'), options);
const candleSeries = price.addSeries(L.CandlestickSeries, {});
candleSeries.setData(data.candles);
L.createSeriesMarkers(candleSeries, data.markers);
const equity = L.createChart(document.getElementById('equity'), options);
equity.addSeries(L.LineSeries, { color: '#2962ff', lineWidth: 2, title: 'strategy' }).setData(data.equity);
if (data.benchmark) equity.addSeries(L.LineSeries, { color: '#9598a1', lineWidth: 1, title: 'buy & hold' }).setData(data.benchmark);
const drawdown = L.createChart(document.getElementById('drawdown'), options);
drawdown.addSeries(L.AreaSeries, { lineColor: '#ef5350', topColor: 'rgba(239,83,80,0.1)', bottomColor: 'rgba(239,83,80,0.4)', invertFilledArea: false }).setData(data.drawdown);
for (const chart of [price, equity, drawdown]) chart.timeScale().fitContent();
// Count the chart canvases that really hold pixels, for automated checks.
requestAnimationFrame(() => requestAnimationFrame(() => {
  let drawn = 0;
  for (const id of ['price', 'equity', 'drawdown']) {
    const canvases = document.getElementById(id).querySelectorAll('canvas');
    const painted = [...canvases].some((canvas) => {
      if (!canvas.width || !canvas.height) return false;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4 * 97) if (pixels[i] !== 0) return true;
      return false;
    });
    if (painted) drawn++;
  }
  document.documentElement.dataset.chartsDrawn = String(drawn);
}));
</script></body></html>
`;
}
