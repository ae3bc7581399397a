import { fileURLToPath } from 'node:url';
import { parseDataArgs } from '@candlelab/example-data';
import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

const ETH_HOURLY = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h/ETH_USDT-1h.json.gz', import.meta.url));

describe('database-first loader example', () => {
  it('fetches on the first run, reads the store on the second, fetches only the extension on the third', async () => {
    const result = await run({ start: Date.UTC(2022, 2, 1), days: 10, extendDays: 2 });
    const [first, second, third] = result.runs;
    // 10 days of hourly bars, none missing in the fixture over this range.
    expect(first.bars).toBe(240);
    expect(first.report).toMatchObject({ fromStore: 0, fetched: 240, gaps: [] });
    expect(first.report.requested).toEqual([{ start: first.start, end: first.end }]);
    expect(first.firstTime).toBe(Date.UTC(2022, 2, 1));
    expect(first.lastTime).toBe(Date.UTC(2022, 2, 10, 23));

    expect(second.report).toMatchObject({ fromStore: 240, fetched: 0, requested: [], gaps: [] });
    expect(second.closeSum).toBe(first.closeSum);
    expect(second.lastTime).toBe(first.lastTime);

    expect(third.bars).toBe(288);
    expect(third.report).toMatchObject({ fromStore: 240, fetched: 48 });
    expect(third.report.requested).toEqual([{ start: first.end, end: third.end }]);
    expect(formatResult(result)).toContain('fetched 0');
  });

  it('loads the file given by --data, ending at its last bar by default', async () => {
    const data = parseDataArgs(['--data', ETH_HOURLY, '--symbol', 'ETH/USDT', '--timeframe', '1h']);
    const result = await run({ data, days: 10, extendDays: 2 });
    const [first, second, third] = result.runs;
    expect(first.report).toMatchObject({ fromStore: 0, fetched: 240, gaps: [] });
    expect(second.report).toMatchObject({ fromStore: 240, fetched: 0 });
    expect(third.report).toMatchObject({ fromStore: 240, fetched: 48, gaps: [] });
    expect(third.lastTime).toBe(Date.UTC(2022, 9, 11, 10)); // the ETH fixture's last bar
    expect(third.closeSum).not.toBe(0);
  });
});
