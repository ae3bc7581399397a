// One command for issue 9's benchmark: vectorized bar-steps/s (10M bars), a 1000 × 1000 position
// grid (~1M orders; vectorbt reports 70–100 ms for a million orders), event-driven bars/s (1M bars,
// MA crossover) and webhook req/s + p99 on loopback. Prints times and ratios against the targets.
// Run: pnpm --filter @candlelab/backtest bench   (numbers are noisy on a shared machine)

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bars, emptyBars, Rng } from '@candlelab/core';
import { createWebhookHandler, MemoryIdempotencyStore } from '@candlelab/signals';
import {
  maCrossoverStrategy,
  runEventBacktest,
  vectorizedBacktest,
  vectorizedEquity,
  vectorizedGrid,
} from '../src/index.js';

function randomWalk(n: number, seed: number): Bars {
  const rng = new Rng(seed);
  const bars = emptyBars('SYN', '1m', n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= Math.exp(rng.normal(0, 0.002));
    bars.time[i] = i * 60_000;
    bars.open[i] = open;
    bars.close[i] = price;
    bars.high[i] = Math.max(open, price) * 1.001;
    bars.low[i] = Math.min(open, price) * 0.999;
    bars.volume[i] = 1;
  }
  return bars;
}

/** Best of `runs`: wall-clock ms and CPU ms of this process (CPU time is what "per core" means on a loaded machine). */
function best(runs: number, fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  let wallAtMin = 0;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (cpuMs < min) {
      min = cpuMs;
      wallAtMin = wall;
    }
  }
  walls.push(wallAtMin);
  return min;
}
const walls: number[] = [];

const rows: [string, string, string, string][] = [];
const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d });

// 1. vectorized, one series of 10M bars; target changes on ~5 % of bars
{
  const n = 10_000_000;
  const bars = randomWalk(n, 1);
  const rng = new Rng(2);
  const positions = new Float64Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (rng.float() < 0.05) p = rng.int(3) - 1;
    positions[i] = p;
  }
  const out = new Float64Array(n);
  const lean = best(5, () => vectorizedEquity(bars, positions, { feesBps: 5, slippageBps: 2 }, out));
  const leanRate = n / (lean / 1000);
  rows.push([
    'vectorizedEquity, 1 × 10M bars (incl. input check)',
    `${fmt(lean)} ms CPU (${fmt(walls.at(-1)!)} wall)`,
    `${fmt(leanRate / 1e6)}M bar-steps/s`,
    `${fmt(leanRate / 100e6, 2)}× of ≥100M/s target`,
  ]);
  const full = best(3, () => vectorizedBacktest(bars, positions, { feesBps: 5, slippageBps: 2 }));
  const fullRate = n / (full / 1000);
  rows.push([
    'vectorizedBacktest (all per-bar columns), 10M',
    `${fmt(full)} ms CPU (${fmt(walls.at(-1)!)} wall)`,
    `${fmt(fullRate / 1e6)}M bar-steps/s`,
    `${fmt(fullRate / 100e6, 2)}× of target (allocates 6 × 80 MB)`,
  ]);
}

// 2. grid of 1000 position series × 1000 bars, a new target every bar (≈1M orders)
{
  const n = 1000;
  const count = 1000;
  const bars = randomWalk(n, 3);
  const rng = new Rng(4);
  const positions = new Float64Array(n * count);
  for (let i = 0; i < positions.length; i++) positions[i] = rng.float() * 2 - 1;
  let orders = 0;
  const ms = best(5, () => {
    orders = vectorizedGrid(bars, positions, { feesBps: 5, slippageBps: 2 }).totalOrders;
  });
  rows.push([
    `grid ${count} × ${n} (${fmt(orders / 1e6, 2)}M orders)`,
    `${fmt(ms)} ms CPU (${fmt(walls.at(-1)!)} wall)`,
    `${fmt(orders / (ms / 1000) / 1e6)}M orders/s`,
    `${fmt(100 / ms, 1)}× of ≤100 ms target; ${fmt(70 / ms, 1)}–${fmt(100 / ms, 1)}× faster than vectorbt (70–100 ms)`,
  ]);
}

// 3. event-driven, 1M bars, MA(10/30) crossover, fraction-of-equity sizing
{
  const n = 1_000_000;
  const bars = randomWalk(n, 5);
  let trades = 0;
  const ms = best(5, () => {
    trades = runEventBacktest(bars, maCrossoverStrategy({ fast: 10, slow: 30 }), { feesBps: 5, slippageBps: 2 }).trades
      .length;
  });
  const rate = n / (ms / 1000);
  rows.push([
    `event-driven MA crossover, 1M bars (${fmt(trades, 0)} trades)`,
    `${fmt(ms)} ms CPU (${fmt(walls.at(-1)!)} wall)`,
    `${fmt(rate / 1e6, 2)}M bars/s`,
    `${fmt(rate / 5e6, 2)}× of ≥5M/s target`,
  ]);
}

// 4. webhook on loopback: the server runs here, the client in a child process (so the two do not
// share one event loop and the server's CPU time can be measured alone); a bounded loop of authentic, unique alerts, 16 in flight, keep-alive.
{
  const secret = 'benchmark-shared-secret';
  let accepted = 0;
  const handler = createWebhookHandler({
    auth: { kind: 'secret', secret },
    store: new MemoryIdempotencyStore(),
    onSignal: () => void accepted++,
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const total = 20_000;
  const inFlight = 16;
  const client = `
    const { request, Agent } = require('node:http');
    
    const { port, total, inFlight, secret, warmup } = JSON.parse(process.env.WEBHOOK_BENCH);
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    const send = (i) => new Promise((resolve, reject) => {
      const body = JSON.stringify({ ticker: 'BTCUSDT', action: i % 2 ? 'buy' : 'sell', price: 42000 + i, id: 'bench-' + i, secret });
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error('status ' + res.statusCode)));
      });
      req.on('error', reject);
      req.end(body);
    });
    (async () => {
      for (let i = 0; i < warmup; i += inFlight) await Promise.all(Array.from({ length: inFlight }, (_, k) => send(total + i + k)));
      const latencies = new Float64Array(total);
      let next = 0;
      const worker = async () => { while (next < total) { const i = next++; latencies[i] = await send(i); } };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: inFlight }, worker));
      const ms = performance.now() - t0;
      agent.destroy();
      process.stdout.write(JSON.stringify({ ms, latencies: Array.from(latencies) }));
    })().catch((e) => process.stdout.write(JSON.stringify({ error: String(e) })));
  `;
  const warmup = 512;
  const cpu0 = process.cpuUsage();
  const result = await new Promise<{ ms: number; latencies: number[]; error?: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', client], {
      env: { ...process.env, WEBHOOK_BENCH: JSON.stringify({ port, total, inFlight, secret, warmup }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out) as { ms: number; latencies: number[]; error?: string }));
  });
  // CPU of this process only (the client is another process): what the server spends per request
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (result.error) throw new Error(result.error);
  const perRequestUs = (cpu.user + cpu.system) / (total + warmup);
  const latencies = Float64Array.from(result.latencies).sort();
  const p99 = latencies[Math.floor(total * 0.99)]!;
  const rps = total / (result.ms / 1000);
  rows.push([
    `webhook loopback, ${fmt(total, 0)} alerts, ${inFlight} in flight`,
    `${fmt(result.ms)} ms wall`,
    `${fmt(rps, 0)} req/s, p99 ${fmt(p99, 2)} ms`,
    `${fmt(rps / 5000, 2)}× of ≥5,000 req/s; p99 ${fmt(20 / p99, 1)}× under 20 ms (${accepted - warmup} accepted)`,
  ]);
  rows.push([
    '  webhook server CPU per request',
    `${fmt(perRequestUs)} µs`,
    `≈${fmt(1e6 / perRequestUs, 0)} req/s per core`,
    `${fmt(1e6 / perRequestUs / 5000, 2)}× of ≥5,000 req/s`,
  ]);
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`node ${process.version}, ${new Date().toISOString()} (shared 2-core machine: noisy)`);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  |  '));
