import { existsSync, rmSync } from 'node:fs';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CandlelabServer, createServer, DASHBOARD_PATH } from '../src/createServer.js';
import { parseServeConfig } from '../src/serveConfig.js';
import { trainTestModel } from './trainedModel.js';

// The dashboard in a real browser: Chromium (CANDLELAB_CHROMIUM, default /usr/bin/chromium) drives
// the page served by a live server on loopback, which reads candles, signals and health from the API.
const chromiumPath = process.env.CANDLELAB_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(
    `Dashboard browser test skipped: no Chromium at ${chromiumPath}. Install chromium or set CANDLELAB_CHROMIUM.`,
  );

const HOUR = 3_600_000;
const START = Date.UTC(2022, 8, 20) + 20 * 60_000;
const TOKEN = 'dashboard-token-0123456';

describe.skipIf(!hasChromium)('dashboard page', () => {
  let trained: Awaited<ReturnType<typeof trainTestModel>>;
  let fake: FakeExchange;
  let server: CandlelabServer;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    trained = await trainTestModel({ entryThreshold: 0.5 });
    fake = await startFakeExchange({ series: [loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz')], now: START + 30 * HOUR });
    const clock = { now: START };
    server = await createServer(
      parseServeConfig(
        `server: { port: 0, apiToken: ${TOKEN}, logLevel: silent }\nregistry: models\nseries: [{ symbol: BTC/USDT, timeframe: 1h }]\nwarmupBars: 300\n`,
        { baseDir: trained.dir },
      ),
      { exchange: await fakeExchangeClient(fake.url), now: () => clock.now },
    );
    for (let h = 0; h <= 24; h++) {
      clock.now = START + h * HOUR;
      await server.runtime.tickAll();
    }
    url = await server.listen();
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
    if (trained) rmSync(trained.dir, { recursive: true, force: true });
  });

  it('draws the candles and every buy/sell signal, with the model status', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}${DASHBOARD_PATH}#token=${TOKEN}`);
    // Browser-side code as strings: this package's TypeScript has no DOM types.
    await page.waitForFunction("document.getElementById('status').dataset.candles !== undefined", null, {
      timeout: 20_000,
    });
    expect(errors).toEqual([]);
    const status = (await page.evaluate(
      "({ ...document.getElementById('status').dataset, text: document.getElementById('status').textContent })",
    )) as { candles: string; markers: string; text: string };
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
    expect(status.text).toMatch(/^status ok · /);
    expect(await page.locator('#models td').first().textContent()).toBe(trained.modelId);
    // The chart drew: its canvases hold pixels.
    const painted = await page.evaluate(`[...document.querySelectorAll('#chart canvas')].some((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      return data.some((v, i) => i % 4 !== 3 && v !== 255);
    })`);
    expect(painted).toBe(true);
    await page.close();
  });

  it('without the token the API refuses the page its data', async () => {
    const page = await browser.newPage();
    page.on('dialog', (dialog) => void dialog.accept('wrong-token'));
    await page.goto(`${url}${DASHBOARD_PATH}`);
    await page.waitForFunction("document.getElementById('status').dataset.error === 'true'", null, { timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toMatch(/HTTP 401/);
    await page.close();
  });
});
