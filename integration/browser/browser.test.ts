// The browser-safe packages (core, metrics, indicators, fuzzy, labels, features, gbdt, validation,
// backtest and signals' aggregation) bundled by esbuild for the browser — any Node built-in in the
// module graph fails the build — then run in headless Chromium and compared with Node, bit for bit.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Bars, sliceBars } from '@candlelab/core';
import { parseCandleFile } from '@candlelab/data';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decodeColumn, encodeBars, encodeColumn } from './transfer.js';
import { workload } from './workload.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: no ${CHROMIUM} (apt-get install -y chromium to enable it)`);

/** `@candlelab/<name>` → the package's TypeScript sources, as a bundler with the source condition would pick. */
const packageSources: Plugin = {
  name: 'candlelab-sources',
  setup(b) {
    b.onResolve({ filter: /^@candlelab\/[a-z-]+$/ }, (args) => ({
      path: join(repoRoot, 'packages', args.path.slice('@candlelab/'.length), 'src', 'index.ts'),
    }));
  },
};

/** Fails the build on any Node built-in, naming the module that imports it. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!args.path.startsWith('node:') && !builtins.has(args.path)) return undefined;
      return {
        errors: [{ text: `Node built-in '${args.path}' imported by ${args.importer} cannot run in a browser` }],
      };
    });
  },
};

async function bundle(entry: string) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    plugins: [noNodeBuiltins, packageSources],
  });
  return result.outputFiles[0]!.text;
}

/** The last `count` bars of the bundled BTC/USDT hourly fixture (read in Node: files are no browser matter). */
function loadBtc(count: number): Bars {
  const path = join(repoRoot, 'fixtures/ohlcv/BTC_USDT-1h.json.gz');
  const bars = parseCandleFile(readFileSync(path), { path, symbol: 'BTC/USDT', timeframe: '1h' });
  return sliceBars(bars, bars.time.length - count, bars.time.length);
}

/** Outputs whose computation uses no transcendental Math function: the same bits on every engine. */
const ARITHMETIC_ONLY = [
  'rsi',
  'macdHistogram',
  'bbPercentB',
  'atr',
  'fuzzy.rsi.low',
  'zigzag',
  'tripleBarrier',
  'gbdtImportance',
  'purgedFoldTrainRows',
  'equity',
  'aggregate',
];

/** One line per output whose bits differ: how many values, and the largest relative difference. */
function differences(expected: Record<string, string>, actual: Record<string, string>): string[] {
  return Object.keys(expected)
    .filter((name) => expected[name] !== actual[name])
    .map((name) => {
      const a = decodeColumn(expected[name]!);
      const b = decodeColumn(actual[name] ?? '');
      let count = 0;
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        if (Object.is(a[i], b[i])) continue;
        count++;
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(a[i]!), 1e-300));
      }
      return `${name}: ${count} of ${a.length} values differ (largest relative difference ${worst.toExponential(1)})`;
    });
}

/** The browser-safe entry points, each bundled on its own (signals: its aggregation module only). */
const BROWSER_ENTRIES: Record<string, string> = {
  ...Object.fromEntries(
    ['core', 'metrics', 'indicators', 'fuzzy', 'labels', 'features', 'gbdt', 'validation', 'backtest'].map((name) => [
      `@candlelab/${name}`,
      join(repoRoot, 'packages', name, 'src', 'index.ts'),
    ]),
  ),
  'signals aggregation': join(repoRoot, 'packages/signals/src/aggregateSignals.ts'),
};

describe('browser bundle', () => {
  it('bundles every browser-safe package on its own, without Node built-ins', async () => {
    const lines = ['package                  minified      gzip   (whole package, esbuild --minify, platform browser)'];
    for (const [name, entry] of Object.entries(BROWSER_ENTRIES)) {
      const code = await bundle(entry);
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);
      lines.push(`${name.padEnd(22)} ${kib(code.length)} ${kib(gzipSync(code).length)}`);
      expect(code.length).toBeGreaterThan(0);
    }
    console.log(lines.join('\n'));
  });

  it('refuses a module graph with a Node built-in (the data package reads files)', async () => {
    const error = await bundle(join(repoRoot, 'packages/data/src/parseCandleFile.ts')).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /Node built-in 'node:zlib' imported by .*packages\/data\/src\/parseCandleFile\.ts/,
    );
  });

  it.skipIf(!hasChromium)('computes the same bits in headless Chromium as in Node', async () => {
    const code = await bundle(fileURLToPath(new URL('./entry.ts', import.meta.url)));
    const gzip = gzipSync(code).length;
    console.log(
      `browser bundle: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzip / 1024).toFixed(1)} KiB gzip`,
    );

    const bars = loadBtc(3000);
    const inNode = Object.fromEntries(Object.entries(await workload(bars)).map(([k, v]) => [k, encodeColumn(v)]));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ content: code });
      const inBrowser = await page.evaluate((input) => window.runWorkload(input), encodeBars(bars));
      expect(errors).toEqual([]);
      expect(Object.keys(inBrowser).sort()).toEqual(Object.keys(inNode).sort());
      // Outputs computed with + − × ÷ and √ only must be bit-identical. Math.log / exp / sin are not
      // correctly rounded and differ by an ulp between Node 20's V8 and Chromium's, so the outputs
      // that use them (log returns, their moments, Gaussian/sigmoid memberships, time encodings,
      // the GBDT's sigmoid) are held to a relative 1e-12 and listed.
      const differing = differences(inNode, inBrowser);
      console.log(
        `${Object.keys(inNode).length - differing.length} of ${Object.keys(inNode).length} outputs bit-identical; differing:\n  ${differing.join('\n  ')}`,
      );
      const exact = [...ARITHMETIC_ONLY].filter((name) => inNode[name] !== inBrowser[name]);
      expect(exact).toEqual([]);
      const beyondTolerance = differing.filter((line) => Number(/difference (\S+)\)/.exec(line)![1]) > 1e-12);
      expect(beyondTolerance).toEqual([]);
      expect(Object.keys(inNode).length).toBeGreaterThan(100); // indicators, fuzzy, 124 features, labels, model, backtest
    } finally {
      await browser.close();
    }
  });
});
