// Inline tables and charts for the notebooks (Deno's Jupyter kernel): a Markdown table and an SVG
// line chart, both built here from plain numbers so the notebooks need no plotting library.

type Cell = string | number | boolean | null | undefined;

function formatCell(value: Cell, digits: number): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  return String(value ?? '');
}

/** A Markdown table of `rows` (columns: every key, in order of appearance), numbers to `digits` decimals (default 4). */
export function table(rows: readonly Record<string, Cell>[], digits = 4) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => formatCell(row[c], digits)).join(' | ')} |`),
  ];
  return Deno.jupyter.md`${lines.join('\n')}`;
}

export interface ChartOptions {
  title: string;
  /** x values shared by every series (e.g. bar times in ms, shown as dates when `dates`). */
  x: ArrayLike<number>;
  /** Named y series, same length as `x`; NaN values leave a gap. */
  series: Record<string, ArrayLike<number>>;
  /** Format the x axis as UTC dates. Default true. */
  dates?: boolean;
  /** Size in pixels. Default 720 × 280. */
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** The chart as an SVG document string. */
export function lineChartSvg(options: ChartOptions): string {
  const { title, x, series, dates = true, width = 720, height = 280 } = options;
  const pad = { left: 64, right: 16, top: 44, bottom: 36 }; // top: the title, then a row of series names
  const values = Object.values(series).flatMap((s) => Array.from(s).filter(Number.isFinite));
  const [yMin, yMax] = [Math.min(...values), Math.max(...values)];
  const [xMin, xMax] = [x[0]!, x[x.length - 1]!];
  const px = (v: number) => pad.left + ((v - xMin) / (xMax - xMin || 1)) * (width - pad.left - pad.right);
  const py = (v: number) => height - pad.bottom - ((v - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const label = (v: number) => (dates ? new Date(v).toISOString().slice(0, 10) : v.toPrecision(4));
  const paths = Object.entries(series).map(([name, s], k) => {
    let d = '';
    let pen = 'M';
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(s[i]!)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${px(x[i]!).toFixed(1)},${py(s[i]!).toFixed(1)}`;
      pen = 'L';
    }
    const color = COLORS[k % COLORS.length];
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.2"/><text x="${pad.left + 8 + k * 140}" y="${pad.top - 8}" fill="${color}" font-size="12">${name}</text>`;
  });
  const ticks = [0, 0.5, 1].map((f) => yMin + f * (yMax - yMin));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${title}</text>`,
    `<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#ccc"/>`,
    ...ticks.map(
      (t) => `<text x="${pad.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${t.toPrecision(4)}</text>`,
    ),
    `<text x="${pad.left}" y="${height - 12}" font-size="11">${label(xMin)}</text>`,
    `<text x="${width - pad.right}" y="${height - 12}" text-anchor="end" font-size="11">${label(xMax)}</text>`,
    ...paths,
    '</svg>',
  ].join('');
}

/** Shows the chart inline. */
export function lineChart(options: ChartOptions) {
  return Deno.jupyter.display({ 'image/svg+xml': lineChartSvg(options) }, { raw: true });
}
