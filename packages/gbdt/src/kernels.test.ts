import { readFileSync } from 'node:fs';
import { Rng } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKernels } from '../scripts/compileKernels.js';
import { BINS_PER_FEATURE } from './binning.js';
import { GrowerMemory } from './growerMemory.js';
import { KERNELS_WASM_BASE64, SHARED_KERNELS_WASM_BASE64 } from './kernelsWasm.js';

/** A memory whose first row set holds `n` rows of random bins (< `maxBin`) and gradient pairs; with copies of them. */
function filled(n: number, stride: number, maxBin: number, seed: number) {
  const memory = new GrowerMemory(n, stride, stride * BINS_PER_FEATURE);
  const first = memory.sets[0];
  const rng = new Rng(seed);
  for (let i = 0; i < n * stride; i++) first.bins[i] = rng.int(maxBin);
  for (let i = 0; i < 2 * n; i++) first.gh[i] = rng.normal();
  for (let i = 0; i < n; i++) first.rows[i] = 1000 + i;
  return { memory, bins: first.bins.slice(), gh: first.gh.slice(), rows: first.rows.slice() };
}

/** Whether two typed arrays hold the same bytes (fast for large arrays, unlike a deep equality). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

describe('WebAssembly kernels', () => {
  it('embeds exactly the module that kernels.wat assembles to (run build:kernels after editing it)', async () => {
    const source = readFileSync(new URL('./kernels.wat', import.meta.url), 'utf8');
    const { single, shared } = await compileKernels(source);
    expect(Buffer.from(single).toString('base64')).toBe(KERNELS_WASM_BASE64);
    expect(Buffer.from(shared).toString('base64')).toBe(SHARED_KERNELS_WASM_BASE64);
  });

  it('builds the same histogram as a plain loop over positions, bit for bit', () => {
    const n = 3000;
    const stride = 12;
    const { memory, bins, gh } = filled(n, stride, 256, 3);
    const start = 117;
    const end = 2711;
    const expected = new Float64Array(2 * stride * BINS_PER_FEATURE);
    for (let i = start; i < end; i++)
      for (let f = 0; f < stride; f++) {
        const s = 2 * (f * BINS_PER_FEATURE + bins[i * stride + f]!);
        expected[s]! += gh[2 * i]!;
        expected[s + 1]! += gh[2 * i + 1]!;
      }
    memory.hist.fill(Number.NaN); // the kernel must zero it
    memory.buildHistogram(0, start, end);
    expect(Array.from(memory.hist)).toEqual(Array.from(expected));
  });

  it('partitions into the other row set (left rows in order, then right rows reversed), moving bins, gradients and row ids together, with missing values either side', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 7 }), // the split feature (every stride has at least 8)
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom(8, 16, 28, 36), // word copies below 16 bytes, 16-byte blocks (with an overlapping tail) above
        (n, f, t, missingLeft, seed, stride) => {
          const nanBin = 10;
          const { memory, bins, gh, rows } = filled(n, stride, nanBin + 1, seed);
          const start = Math.floor(n / 5);
          const end = n - Math.floor(n / 7);
          const left = memory.partition(0, start, end, f, t, missingLeft ? nanBin : -1);
          const goesLeft = (i: number) => {
            const b = bins[i * stride + f]!;
            return b <= t || (missingLeft && b === nanBin);
          };
          // Where each position of [start, end) in the second set came from in the first.
          const range = Array.from({ length: end - start }, (_, k) => start + k);
          const lefts = range.filter(goesLeft);
          expect(left).toBe(lefts.length);
          const order = [...lefts, ...range.filter((i) => !goesLeft(i)).reverse()];
          const second = memory.sets[1];
          order.forEach((from, k) => {
            const to = start + k;
            expect(second.rows[to]).toBe(rows[from]);
            expect(second.gh[2 * to]).toBe(gh[2 * from]);
            expect(second.gh[2 * to + 1]).toBe(gh[2 * from + 1]);
            expect(Array.from(second.bins.subarray(to * stride, to * stride + stride))).toEqual(
              Array.from(bins.subarray(from * stride, from * stride + stride)),
            );
          });
          // The source set is read, never written; moving back restores the rows and bins of the range.
          expect(memory.sets[0].rows).toEqual(rows);
          memory.moveToFirstSet(start, end);
          expect(Array.from(memory.sets[0].rows.subarray(start, end))).toEqual(order.map((from) => rows[from]));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses a working set beyond the 4 GiB memory with a typed error naming the rows', () => {
    expect(() => new GrowerMemory(200_000_000, 16, 16 * BINS_PER_FEATURE)).toThrow(/invalid parameter 'rows'.*4 GiB/);
  });
});

describe('WebAssembly kernels on worker threads', () => {
  it('partition a large leaf into exactly the layout one thread makes, and build its histogram up to summation order', () => {
    const n = 50_000; // above the size a leaf is split among threads
    const stride = 28;
    const one = filled(n, stride, 12, 9);
    const threaded = new GrowerMemory(n, stride, stride * BINS_PER_FEATURE, 1, 3);
    try {
      threaded.sets[0].bins.set(one.bins);
      threaded.sets[0].gh.set(one.gh);
      threaded.sets[0].rows.set(one.rows);
      const [start, end, f, t, nanBin] = [1_234, 48_765, 5, 6, 11];
      expect(threaded.partition(0, start, end, f, t, nanBin)).toBe(one.memory.partition(0, start, end, f, t, nanBin));
      for (const part of ['rows', 'bins', 'gh'] as const)
        expect(sameBytes(threaded.sets[1][part], one.memory.sets[1][part]), part).toBe(true);

      one.memory.buildHistogram(1, start, end);
      threaded.buildHistogram(1, start, end);
      let worst = 0;
      for (let i = 0; i < one.memory.hist.length; i++)
        worst = Math.max(worst, Math.abs(threaded.hist[i]! - one.memory.hist[i]!));
      // Float32 gradients summed in float64 are often exact, so the split sums usually agree bit for bit.
      expect(worst).toBeLessThan(1e-9);
      const again = threaded.hist.slice();
      threaded.buildHistogram(1, start, end);
      expect(sameBytes(threaded.hist, again)).toBe(true); // same threads, same sums, bit for bit

      // The per-tree gather of gradient pairs into position order, shared among threads too.
      const rng = new Rng(4);
      for (let i = 0; i < threaded.gradients.length; i++) threaded.gradients[i] = rng.normal();
      threaded.sets[0].rows.set(Uint32Array.from(rng.permutation(n)));
      threaded.gatherGradients(0, n - 7);
      const rows = threaded.sets[0].rows;
      const gh = threaded.sets[0].gh;
      for (let i = 0; i < n - 7; i++) {
        if (gh[2 * i] !== threaded.gradients[2 * rows[i]!] || gh[2 * i + 1] !== threaded.gradients[2 * rows[i]! + 1])
          expect.fail(`position ${i} holds the wrong gradient pair`);
      }
    } finally {
      threaded.close();
    }
  });
});
