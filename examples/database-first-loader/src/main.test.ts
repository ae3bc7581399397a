import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

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
});
