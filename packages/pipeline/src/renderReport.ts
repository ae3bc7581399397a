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

/** Candles of one symbol (times in UTC ms). */
export interface ReportCandles {
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
}

/** One section of the report: a symbol (with its candles and trades) or the portfolio. */
export interface ReportSection {
  /** Short id for the page anchor (letters, digits, `-`). */
  id: string;
  title: string;
  /** Candles to draw under the trades; omitted for a portfolio. */
  candles?: ReportCandles;
  trades?: readonly ReportTradeMarker[];
  /** Times (UTC ms) of the equity points. */
  time: ArrayLike<number>;
  /** Strategy equity (starting at 1 before the first point), one value per `time`. */
  equity: ArrayLike<number>;
  /** Buy-and-hold equity over the same times. */
  benchmarkEquity?: ArrayLike<number>;
  /** Named tables of this section, e.g. `{ Backtest: {...}, 'Buy and hold': {...} }`. */
  tables: Readonly<Record<string, Readonly<Record<string, number | string>>>>;
}

export interface ReportInput {
  title: string;
  subtitle?: string;
  /** The portfolio first (when there is more than one symbol), then one section per symbol. */
  sections: readonly ReportSection[];
  /** Model-level tables (out-of-sample classification metrics, run facts). */
  tables?: Readonly<Record<string, Readonly<Record<string, number | string>>>>;
  /** One row per fold (or any list of like records), drawn as one table. */
  folds?: readonly Readonly<Record<string, number | string>>[];
  importance?: readonly ReportImportance[];
  gates?: readonly ReportGate[];
  /** Shadow trading: groups (win rate by side, exit reason, regime), the pattern library and the losses. */
  shadow?: {
    groups: readonly Readonly<Record<string, number | string>>[];
    patterns: readonly Readonly<Record<string, number | string>>[];
    losses: readonly Readonly<Record<string, number | string>>[];
  };
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
  return `<section class="card"><h3>${escapeHtml(title)}</h3><table>${body}</table></section>`;
}

function listTable(title: string, rows: readonly Readonly<Record<string, number | string>>[]): string {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const head = keys.map((key) => `<th>${escapeHtml(key)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${keys.map((key) => `<td>${row[key] === undefined ? '' : formatValue(row[key]!)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<section class="card wide"><h3>${escapeHtml(title)}</h3><table class="list"><tr>${head}</tr>${body}</table></section>`;
}

const toSeconds = (ms: number) => Math.floor(ms / 1000);

/** What the page script draws for one section (also embedded as JSON, so tests can compare it to the tables). */
function sectionData(section: ReportSection) {
  const line = (values: ArrayLike<number>) =>
    Array.from({ length: Math.min(section.time.length, values.length) }, (_, i) => ({
      time: toSeconds(section.time[i]!),
      value: values[i]!,
    }));
  let peak = 1;
  const drawdown = Array.from(section.equity, (value) => {
    peak = Math.max(peak, value);
    return value / peak - 1;
  });
  const candles = section.candles;
  return {
    id: section.id,
    title: section.title,
    tables: section.tables,
    candles: candles
      ? Array.from({ length: candles.time.length }, (_, i) => ({
          time: toSeconds(candles.time[i]!),
          open: candles.open[i]!,
          high: candles.high[i]!,
          low: candles.low[i]!,
          close: candles.close[i]!,
        }))
      : null,
    markers: (section.trades ?? [])
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
      .sort((a, b) => a.time - b.time),
    trades: section.trades?.length ?? 0,
    equity: line(section.equity),
    benchmark: section.benchmarkEquity ? line(section.benchmarkEquity) : null,
    drawdown: line(drawdown),
  };
}

/** Chart ids of a section, in drawing order. */
const chartIds = (section: ReportSection) => [
  ...(section.candles ? [`${section.id}-price`] : []),
  `${section.id}-equity`,
  `${section.id}-drawdown`,
];

function sectionHtml(section: ReportSection): string {
  const [from, to] = [section.time[0]!, section.time[section.time.length - 1]!].map((t) =>
    new Date(t).toISOString().slice(0, 10),
  );
  const span = `${from} → ${to}`;
  const price = section.candles
    ? `<h3>${escapeHtml(section.title)}: price and ${section.trades?.length ?? 0} trades (${span})</h3>
<div class="legend"><span style="color:#2962ff">▲ long entry</span> <span style="color:#e91e63">▼ short entry</span> <span style="color:#26a69a">● exit with gain</span> <span style="color:#ef5350">● exit with loss</span></div>
<div id="${section.id}-price" class="chart"></div>`
    : '';
  return `<section class="block" id="${section.id}"><h2>${escapeHtml(section.title)}</h2>
${price}
<h3>${escapeHtml(section.title)}: equity, growth of 1 (${span})</h3>
<div class="legend"><span style="color:#2962ff">━ strategy</span>${section.benchmarkEquity ? ' <span style="color:#9598a1">━ buy &amp; hold</span>' : ''}</div>
<div id="${section.id}-equity" class="chart small"></div>
<h3>${escapeHtml(section.title)}: strategy drawdown from its peak (${span})</h3>
<div id="${section.id}-drawdown" class="chart small"></div>
<div class="grid">${Object.entries(section.tables)
    .map(([title, rows]) => table(title, rows))
    .join('')}</div></section>`;
}

/**
 * A self-contained HTML report of one model: for the portfolio and each symbol, equity against
 * buy-and-hold, drawdown and (per symbol) the price with every trade, each chart labelled and
 * spanning the whole out-of-sample period (TradingView lightweight-charts, inlined); metric
 * tables computed from the same arrays as the charts; folds, gates and feature importance. The
 * drawn series and tables are embedded as JSON in `<script id="report-data">`. Once the charts
 * have drawn, the page sets `data-charts-drawn` on `<html>` to the number of chart canvases
 * holding pixels (checked by the tests in headless Chromium).
 */
export function renderReport(input: ReportInput): string {
  const sections = input.sections.map(sectionData);
  const ids = input.sections.flatMap(chartIds);
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
  const nav = input.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join(' · ');
  const json = JSON.stringify({ sections, charts: ids }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1e222d;background:#f5f6f8}
h1{margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}h3{font-size:14px;margin:8px 0 4px}.sub{color:#6a6d78;margin-bottom:8px}
nav{margin-bottom:16px}.block{margin-bottom:32px}.legend{font-size:12px;color:#6a6d78;margin-bottom:4px}
.chart{height:360px;background:#fff;border-radius:6px;margin-bottom:12px}.small{height:200px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.card{background:#fff;border-radius:6px;padding:12px}.wide{grid-column:1/-1;overflow-x:auto}table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:500;padding:2px 8px 2px 0}td{text-align:right;padding:2px 0 2px 8px}
.list th{text-align:right}.barcell{width:40%;text-align:left}.bar{display:inline-block;height:10px;background:#2962ff}.pass td{color:#26a69a}.fail td{color:#ef5350}
</style></head><body>
<h1>${escapeHtml(input.title)}</h1><div class="sub">${escapeHtml(input.subtitle ?? '')}</div>
<nav>${nav}</nav>
${input.sections.map(sectionHtml).join('\n')}
<div class="grid">${Object.entries(input.tables ?? {})
    .map(([title, rows]) => table(title, rows))
    .join('')}
${input.folds && input.folds.length > 0 ? listTable('Walk-forward folds (out of sample)', input.folds) : ''}
${gates ? `<section class="card wide"><h3>Gates</h3><table>${gates}</table></section>` : ''}
${input.shadow ? [listTable('Shadow trades: every out-of-sample entry simulated with the exits', input.shadow.groups), listTable('Pattern library: clusters of entry features', input.shadow.patterns), listTable('Losses by exit reason and regime', input.shadow.losses)].join('') : ''}
${importanceRows ? `<section class="card wide"><h3>Permutation importance (log-loss increase)</h3><table>${importanceRows}</table></section>` : ''}</div>
<script type="application/json" id="report-data">${json}</script>
<script>${chartScript()}</script>
<script>
const report = JSON.parse(document.getElementById('report-data').textContent);
const L = LightweightCharts;
const pad = (n) => String(n).padStart(2, '0');
const MONTHS = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'];
// Axis labels always carry the year where it changes (Year ticks) and the month otherwise.
const tickMarkFormatter = (time, type) => {
  const d = new Date(time * 1000);
  if (type === 0) return String(d.getUTCFullYear());
  if (type === 1) return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
  if (type === 2) return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()];
  return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
};
const options = {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#1e222d' },
  // Small bar spacing lets fitContent show the whole out-of-sample period, however long.
  timeScale: { timeVisible: true, minBarSpacing: 0.001, tickMarkFormatter },
  localization: { dateFormat: 'yyyy-MM-dd' },
};
const charts = [];
for (const s of report.sections) {
  if (s.candles) {
    const price = L.createChart(document.getElementById(s.id + '-price'), options);
    const candles = price.addSeries(L.CandlestickSeries, { title: s.title });
    candles.setData(s.candles);
    L.createSeriesMarkers(candles, s.markers);
    charts.push(price);
  }
  const equity = L.createChart(document.getElementById(s.id + '-equity'), options);
  equity.addSeries(L.LineSeries, { color: '#2962ff', lineWidth: 2, title: 'strategy' }).setData(s.equity);
  if (s.benchmark) equity.addSeries(L.LineSeries, { color: '#9598a1', lineWidth: 1, title: 'buy & hold' }).setData(s.benchmark);
  const drawdown = L.createChart(document.getElementById(s.id + '-drawdown'), options);
  drawdown.addSeries(L.AreaSeries, { title: 'drawdown', lineColor: '#ef5350', topColor: 'rgba(239,83,80,0.1)', bottomColor: 'rgba(239,83,80,0.4)', invertFilledArea: false }).setData(s.drawdown);
  charts.push(equity, drawdown);
}
for (const chart of charts) chart.timeScale().fitContent();
// Count the chart canvases that really hold pixels, for automated checks.
requestAnimationFrame(() => requestAnimationFrame(() => {
  let drawn = 0;
  for (const id of report.charts) {
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
