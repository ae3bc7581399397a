// The browser-safe packages (core, metrics, indicators, fuzzy, labels, features, gbdt, validation,
// backtest, signals' aggregation, env, nn and ppo) bundled by esbuild for the browser — any Node
// built-in in the module graph fails the build — then run in headless Chromium and compared with
// Node, bit for bit; gbdt's worker threads inside a Web Worker of a cross-origin-isolated page.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Bars, sliceBars } from '@candlelab/core';
import { parseCandleFile } from '@candlelab/data';
import { build, type Plugin } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { gbdtThreadsWorkload } from './gbdtThreads.js';
import { serveIsolated } from './isolatedServer.js';
import { mlWorkload } from './mlWorkload.js';
import { decodeColumn, encodeBars, encodeColumn } from './transfer.js';
import { type WorkloadResult, workload } from './workload.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: no ${CHROMIUM} (apt-get install -y chromium to enable it)`);

/** `@candlelab/<name>` → the package's TypeScript sources, as a bundler with the source condition would pick. */
const packageSources: Plugin = {
  name: 'candlelab-sources',
  setup(b) {
    // `@candlelab/<name>` is the package's src/index.ts, a subpath `@candlelab/<name>/<sub>` its src/<sub>.ts.
    b.onResolve({ filter: /^@candlelab\/[a-z-]+(\/[A-Za-z-]+)?$/ }, (args) => {
      const [name, sub] = args.path.slice('@candlelab/'.length).split('/') as [string, string | undefined];
      return { path: join(repoRoot, 'packages', name, 'src', `${sub ?? 'index'}.ts`) };
    });
  },
};

/** Whether the package that holds `importer` maps `id` to nothing in browsers (`"browser": { "fs": false }`). */
function browserDisables(importer: string, id: string): boolean {
  for (let dir = dirname(importer); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const browser: unknown = JSON.parse(readFileSync(path, 'utf8')).browser;
    return typeof browser === 'object' && browser !== null && (browser as Record<string, unknown>)[id] === false;
  }
  return false;
}

/**
 * Fails the build on any Node built-in, naming the module that imports it — unless that module's
 * package declares it absent in browsers (tfjs-backend-wasm's Emscripten loader names `fs` and
 * `worker_threads` for Node and maps them to `false`, which bundlers honour).
 */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!args.path.startsWith('node:') && !builtins.has(args.path)) return undefined;
      if (browserDisables(args.importer, args.path)) return undefined;
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

/** Outputs of the neural workload that must be bit-identical (see the test for why). */
const ML_EXACT = ['nn.loss', 'nn.valLoss', 'ppo.params'];

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

let chromiumStarted: Promise<Browser> | undefined;

/** One headless Chromium for the whole file (each test gets its own context): starting it takes seconds. */
function sharedChromium(): Promise<Browser> {
  chromiumStarted ??= chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  return chromiumStarted;
}

afterAll(async () => {
  await (await chromiumStarted)?.close();
});

const encodeAll = (result: WorkloadResult) =>
  Object.fromEntries(Object.entries(result).map(([name, column]) => [name, encodeColumn(column)]));

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const PAGE = { body: '<!doctype html><html><body></body></html>', type: 'text/html' };

/** The binaries of `@tensorflow/tfjs-backend-wasm`, served to the page under `/tfjs/` (its `wasmPaths`). */
function tfjsWasmFiles() {
  const anyBinary = createRequire(join(repoRoot, 'packages/nn/package.json')).resolve(
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  );
  const names = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  return Object.fromEntries(
    names.map((name) => [
      `/tfjs/${name}`,
      { body: readFileSync(join(dirname(anyBinary), name)), type: 'application/wasm' },
    ]),
  );
}

/** The browser-safe entry points, each bundled on its own (signals: its `aggregate` subpath). */
const BROWSER_ENTRIES: Record<string, string> = {
  ...Object.fromEntries(
    [
      'core',
      'metrics',
      'indicators',
      'fuzzy',
      'labels',
      'features',
      'gbdt',
      'validation',
      'backtest',
      'env',
      'nn',
      'ppo',
    ].map((name) => [`@candlelab/${name}`, join(repoRoot, 'packages', name, 'src', 'index.ts')]),
  ),
  '@candlelab/signals/aggregate': join(repoRoot, 'packages/signals/src/aggregate.ts'),
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
    const context = await (await sharedChromium()).newContext();
    try {
      const page = await context.newPage();
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
      await context.close();
    }
  });

  it.skipIf(!hasChromium)(
    'trains an nn MLP (tfjs wasm backend) and PPO on CartPole in the page as in Node',
    async () => {
      const code = await bundle(fileURLToPath(new URL('./mlEntry.ts', import.meta.url)));
      console.log(`nn + ppo browser bundle: ${kib(code.length)} minified, ${kib(gzipSync(code).length)} gzip`);
      const inNode = encodeAll(await mlWorkload());
      const server = await serveIsolated({ '/': PAGE, ...tfjsWasmFiles() });
      const context = await (await sharedChromium()).newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${server.url}/`);
        await page.addScriptTag({ content: code });
        const inBrowser = await page.evaluate((wasmPaths) => window.runMlWorkload(wasmPaths), `${server.url}/tfjs/`);
        expect(errors).toEqual([]);
        const binaries = server.requests.filter((path) => path.startsWith('/tfjs/'));
        const differing = differences(inNode, inBrowser);
        console.log(
          `tfjs binaries fetched by the page: ${binaries.join(', ')}; ${Object.keys(inNode).length - differing.length} of ${Object.keys(inNode).length} outputs bit-identical; differing:\n  ${differing.join('\n  ')}`,
        );
        expect(Object.keys(inBrowser).sort()).toEqual(Object.keys(inNode).sort());
        expect(inBrowser['nn.backendIsWasm']).toBe(encodeColumn(Float64Array.of(1)));
        expect(binaries.length).toBe(1);
        // The MLP's losses come from tfjs's wasm kernels (the same float32 arithmetic whichever of its
        // binaries loads: Node takes the SIMD one, the isolated page the threaded SIMD one) and Adam in
        // JavaScript (+ − × ÷ √): bit-identical. PPO's parameters are float32 sums of gradients: the
        // ulp differences of Math.exp/log (softmax, log-ratios) vanish in the rounding, and no sampled
        // action flips in this run. What keeps Math.exp/log in float64 — the MLP's softmax in
        // predictProba, PPO's policy loss and approximate KL — differs in the last bits; the KL is a
        // difference of near-equal terms, so its relative difference grows to a few 1e-12.
        expect(ML_EXACT.filter((name) => inNode[name] !== inBrowser[name])).toEqual([]);
        const beyondTolerance = differing.filter((line) => Number(/difference (\S+)\)/.exec(line)![1]) > 1e-10);
        expect(beyondTolerance).toEqual([]);
      } finally {
        await context.close();
        await server.close();
      }
    },
  );

  it.skipIf(!hasChromium)(
    'gbdt threads: 2 trains inside a Web Worker of a cross-origin-isolated page, as in Node',
    async () => {
      const workerCode = await bundle(fileURLToPath(new URL('./gbdtWorker.ts', import.meta.url)));
      const inNode = await gbdtThreadsWorkload();
      const server = await serveIsolated({
        '/': PAGE,
        '/gbdt-worker.js': { body: workerCode, type: 'text/javascript' },
      });
      const context = await (await sharedChromium()).newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/`);
        const reply = await page.evaluate(
          () =>
            new Promise<{
              error?: string;
              unprepared?: string;
              crossOriginIsolated?: boolean;
              result?: Record<string, string>;
            }>((resolve) => {
              const worker = new Worker('/gbdt-worker.js');
              worker.onmessage = (event) => resolve(event.data);
              worker.onerror = (event) => resolve({ error: event.message });
              worker.postMessage(null);
              setTimeout(() => resolve({ error: 'no answer within 30 s' }), 30_000);
            }),
        );
        expect(reply.error).toBeUndefined();
        expect(reply.crossOriginIsolated).toBe(true);
        // Without prepareGbdtThreads the fit fails at once, saying what to do (it used to wait for workers that could not start).
        expect(reply.unprepared).toMatch(/await prepareGbdtThreads\(2\) before fit/);
        const inBrowser = reply.result!;
        const expected = encodeAll(inNode.result);
        const differing = differences(expected, inBrowser);
        console.log(
          `gbdt threads in a Web Worker: ${Object.keys(expected).length - differing.length} of ${Object.keys(expected).length} outputs bit-identical to Node; differing:\n  ${differing.join('\n  ')}`,
        );
        expect(Object.keys(inBrowser).sort()).toEqual(Object.keys(expected).sort());
        // The gradients (log-loss through a sigmoid, Math.exp) are stored as float32, which absorbs
        // Math.exp's last-bit differences here, and split gains are sums of them: the same bits with
        // threads in the page as in Node. The predicted probabilities' sigmoid may differ by an ulp.
        const exact = Object.keys(expected).filter((name) => name.endsWith('.importance'));
        expect(exact.filter((name) => expected[name] !== inBrowser[name])).toEqual([]);
        expect(differing.filter((line) => Number(/difference (\S+)\)/.exec(line)![1]) > 1e-12)).toEqual([]);
        // The two-thread model equals the one-thread model here (only the order of float sums may differ).
        expect(inBrowser['threads2.importance']).toBe(inBrowser['threads1.importance']);
      } finally {
        await context.close();
        await server.close();
      }
    },
  );
});
