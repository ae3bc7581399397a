import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { renderReport } from './renderReport.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) =>
  existsSync(path),
);
if (!CHROMIUM) console.warn('report rendering test skipped: no Chromium found (apt-get install chromium to enable it)');

function sampleReport(): string {
  const bars = btcHourly({ last: 500 });
  const equity = Array.from(bars.close, (c) => c / bars.close[0]!);
  const flat = equity.map(() => 1);
  return renderReport({
    title: 'BTC/USDT 1h <trend> v1',
    subtitle: 'out-of-sample 2022-09',
    sections: [
      { id: 'portfolio', title: 'Portfolio', time: bars.time, equity: flat, benchmarkEquity: equity, tables: {} },
      {
        id: 'btc',
        title: 'BTC/USDT',
        candles: bars,
        trades: [
          {
            entryTime: bars.time[10]!,
            exitTime: bars.time[40]!,
            side: 'long',
            entryPrice: bars.open[11]!,
            exitPrice: bars.open[41]!,
            returnPct: 0.012,
          },
          {
            entryTime: bars.time[100]!,
            exitTime: bars.time[130]!,
            side: 'short',
            entryPrice: bars.open[101]!,
            exitPrice: bars.open[131]!,
            returnPct: -0.004,
          },
        ],
        time: bars.time,
        equity,
        benchmarkEquity: equity,
        tables: { Backtest: { sharpe: 1.234567, trades: 2, note: 'a & b' } },
      },
    ],
    folds: [
      { fold: 1, auc: 0.51 },
      { fold: 2, auc: 0.53 },
    ],
    importance: [
      { feature: 'rsi_14', mean: 0.02, std: 0.003 },
      { feature: 'ret_1', mean: 0.01, std: 0.001 },
    ],
    gates: [{ expression: 'sharpe > 1', passed: true, reason: 'sharpe = 1.23 satisfies sharpe > 1' }],
  });
}

describe('renderReport', () => {
  it('is one self-contained HTML file with escaped text, tables, importance and gates', () => {
    const html = sampleReport();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('BTC/USDT 1h &lt;trend&gt; v1');
    expect(html).toContain('<th>sharpe</th><td>1.235</td>');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('<th>rsi_14</th>');
    expect(html).toContain('sharpe = 1.23 satisfies sharpe &gt; 1');
    expect(html).not.toMatch(/<script src=/);
    expect(html).toContain('Walk-forward folds (out of sample)');
    // Every chart is labelled with its section and the period it spans.
    expect(html).toMatch(/BTC\/USDT: price and 2 trades \(2022-\d\d-\d\d → 2022-\d\d-\d\d\)/);
    expect(html).toMatch(/Portfolio: equity, growth of 1/);
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.charts).toEqual(['portfolio-equity', 'portfolio-drawdown', 'btc-price', 'btc-equity', 'btc-drawdown']);
    expect(data.sections[1].markers).toHaveLength(4);
    expect(data.sections[1].equity).toHaveLength(500);
  });

  it.skipIf(!CHROMIUM)('draws every section’s price, equity and drawdown charts in headless Chromium', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, sampleReport());
      const run = spawnSync(
        CHROMIUM!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--window-size=1200,1400',
          '--virtual-time-budget=10000',
          '--dump-dom',
          `file://${file}`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout).toMatch(/<html lang="en" data-charts-drawn="5">/);
      expect(run.stdout.match(/<canvas/g)?.length ?? 0).toBeGreaterThanOrEqual(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
