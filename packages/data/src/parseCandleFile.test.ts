import { gzipSync } from 'node:zlib';
import { CandlelabError, checkBars, DataSourceError, ValidationError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCandleFile } from './parseCandleFile.js';

const bars = btcHourly({ last: 40 });
const rows = Array.from(bars.time, (t, i) => [
  t,
  bars.open[i]!,
  bars.high[i]!,
  bars.low[i]!,
  bars.close[i]!,
  bars.volume[i]!,
]);
const csvText = `time,open,high,low,close,volume\n${rows.map((r) => r.join(',')).join('\n')}\n`;
const jsonText = JSON.stringify(rows);
const objectsText = JSON.stringify(
  rows.map(([time, open, high, low, close, volume]) => ({
    Date: time,
    Open: open,
    High: high,
    Low: low,
    Close: close,
    Volume: volume,
  })),
);
const options = { symbol: 'BTC/USDT', timeframe: '1h' as const };
const LATEST = Date.UTC(2100, 0, 1);

describe('parseCandleFile', () => {
  it('reads the same bars from CSV, JSON arrays, JSON objects and their gzip', () => {
    for (const [path, text] of [
      ['a.csv', csvText],
      ['a.json', jsonText],
      ['b.json', objectsText],
    ] as const) {
      for (const [name, bytes] of [
        [path, Buffer.from(text)],
        [`${path}.gz`, gzipSync(text)],
      ] as const) {
        const got = parseCandleFile(bytes, { ...options, path: name });
        expect(Array.from(got.time), name).toEqual(Array.from(bars.time));
        expect(Array.from(got.close), name).toEqual(Array.from(bars.close));
      }
    }
  });

  it('a damaged gzip stream is a DataSourceError naming the file', () => {
    const bytes = gzipSync(csvText);
    expect(() => parseCandleFile(bytes.subarray(0, 30), { ...options, path: 'cut.csv.gz' })).toThrow(DataSourceError);
    expect(() => parseCandleFile(bytes.subarray(0, 30), { ...options, path: 'cut.csv.gz' })).toThrow(/cut\.csv\.gz/);
  });
});

/** Text pieces that have broken candle parsers: other number forms, units, structure, encodings. */
const TOKENS = [
  '0x64',
  '0b1',
  '0o7',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '1e-400',
  '-0',
  '20201001',
  `${bars.time[0]! * 1000}`,
  `${bars.time[0]! / 1000}`,
  '9'.repeat(30),
  '\uFEFF',
  '\u0000',
  ',',
  ';',
  '\t',
  '\n',
  '\r\n',
  '"',
  '""',
  '{',
  '}',
  '[',
  ']',
  ':',
  'null',
  'true',
  '"x"',
  'Open',
  'DATE',
  'OPEN',
  '__proto__',
  '"constructor"',
  '1969-12-31',
  '2100-01-01',
  '2024-02-30T00:00:00Z',
  ' ',
  '\u00e9',
  '\ud800',
];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'flip' && at < out.length) out[at] = m.value;
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(m.token), out.subarray(at)]);
    else if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
    else if (m.kind === 'truncate') out = out.subarray(0, at);
  }
  return out;
}

/** Where the mutations apply: the text (then optionally gzipped), or the gzip bytes themselves. */
const BASES = ['csv', 'json', 'objects'] as const;
const LAYERS = ['plain', 'gzipOfMutated', 'mutatedGzip'] as const;

describe('parseCandleFile fuzz', () => {
  it('mutated CSV / JSON / gzip files give valid bars or a typed CandlelabError, never a raw error', () => {
    const counts = { inputs: 0, typedErrors: 0, accepted: 0, validation: 0, dataSource: 0 };
    const input = fc.record({
      base: fc.constantFrom(...BASES),
      layer: fc.constantFrom(...LAYERS),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(input, ({ base, layer, mutations }) => {
        const text = base === 'csv' ? csvText : base === 'json' ? jsonText : objectsText;
        const ext = base === 'csv' ? 'csv' : 'json';
        let bytes: Buffer;
        if (layer === 'plain') bytes = mutate(Buffer.from(text), mutations);
        else if (layer === 'gzipOfMutated') bytes = gzipSync(mutate(Buffer.from(text), mutations));
        else bytes = mutate(gzipSync(text), mutations);
        const path = layer === 'plain' ? `fuzz.${ext}` : `fuzz.${ext}.gz`;
        counts.inputs++;
        try {
          const got = parseCandleFile(bytes, { ...options, path });
          const report = checkBars(got, { requireAligned: true });
          expect(report.valid).toBe(true);
          const n = got.time.length;
          if (n > 0) expect(got.time[0]! >= 0 && got.time[n - 1]! < LATEST).toBe(true);
          counts.accepted++;
        } catch (error) {
          if (!(error instanceof CandlelabError)) throw error;
          expect(error.message).toContain(path);
          counts.typedErrors++;
          if (error instanceof ValidationError) counts.validation++;
          else if (error instanceof DataSourceError) counts.dataSource++;
        }
      }),
      { seed: 20261204, numRuns: 10_000 },
    );
    console.log('parseCandleFile fuzz:', counts);
    expect(counts.inputs).toBe(10_000);
    expect(counts.accepted + counts.typedErrors).toBe(counts.inputs);
    // the corpus exercises both outcomes and both error kinds
    expect(Math.min(counts.accepted, counts.validation, counts.dataSource)).toBeGreaterThan(200);
  });
});
