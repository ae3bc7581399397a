import { copyBars } from '@candlelab/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { generateSyntheticBars } from './generateSyntheticBars.js';
import { sortBarsByTime } from './sortBarsByTime.js';

it('restores time order of shuffled runs, on or off the grid, keeping rows together (property)', () => {
  const bars = generateSyntheticBars({ count: 300, seed: 9, timeframe: '5m' });
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 6 }), fc.boolean(), (cuts, offGrid) => {
      const edges = [0, ...new Set(cuts), 300].sort((a, b) => a - b);
      const runs = edges
        .slice(1)
        .map((end, i) => [edges[i]!, end] as const)
        .reverse();
      const shuffled = copyBars(bars);
      let k = 0;
      for (const [a, b] of runs) {
        for (let i = a; i < b; i++, k++) {
          for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
            shuffled[column][k] = bars[column][i]!;
          if (offGrid) shuffled.time[k] = shuffled.time[k]! + 1;
        }
      }
      const sorted = sortBarsByTime(shuffled);
      expect(Array.from(sorted.close)).toEqual(Array.from(bars.close));
      expect(Array.from(sorted.time)).toEqual(Array.from(bars.time).map((t) => (offGrid ? t + 1 : t)));
    }),
    { numRuns: 50 },
  );
});
