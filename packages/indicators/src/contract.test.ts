import { btcHourly } from '@candlelab/test-utils';
import { indicatorContract } from '@candlelab/test-utils/indicatorContract';
import { indicatorEntry, indicatorIds } from './registry.js';

/** The defaults plus every integer parameter doubled and halved (at least 2), so warm-up is checked for several parameters. */
function paramSets(defaults: Record<string, unknown>): Record<string, unknown>[] {
  const scaled = (f: (v: number) => number) =>
    Object.fromEntries(
      Object.entries(defaults).map(([k, v]) => [k, typeof v === 'number' && Number.isInteger(v) ? f(v) : v]),
    );
  const sets = [defaults, scaled((v) => v * 2), scaled((v) => Math.max(2, Math.floor(v / 2)))];
  return sets.filter((set, i) => sets.findIndex((other) => JSON.stringify(other) === JSON.stringify(set)) === i);
}

const bars = btcHourly({ last: 3000 });

for (const id of indicatorIds) {
  const entry = indicatorEntry(id);
  indicatorContract(entry, { bars: () => bars, params: paramSets(entry.parse()) });
}
