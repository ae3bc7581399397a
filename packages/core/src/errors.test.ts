import { describe, expect, it } from 'vitest';
import {
  CandlelabError,
  DataSourceError,
  InvalidParameterError,
  ModelFormatError,
  NotEnoughDataError,
  toResult,
  toResultAsync,
  ValidationError,
} from './errors.js';
import { checkModelJson } from './modelJson.js';

describe('errors', () => {
  it('carry a closed code, a name and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new DataSourceError('binance fetchOHLCV failed', { retryable: true, cause });
    expect(error).toBeInstanceOf(CandlelabError);
    expect(error.code).toBe('DATA_SOURCE');
    expect(error.name).toBe('DataSourceError');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(new NotEnoughDataError('rsi(14)', 15, 3).message).toBe('rsi(14): needs at least 15, got 3');
    expect(new InvalidParameterError('period', 0, 'must be >= 1').message).toBe(
      "invalid parameter 'period' = 0: must be >= 1",
    );
  });

  it('ValidationError summarises issues with rows and fields', () => {
    const error = new ValidationError('candles.csv', [
      { row: 4, field: 'close', reason: 'not a number' },
      { row: 2, reason: 'too few columns' },
    ]);
    expect(error.message).toBe('candles.csv: row 4, close: not a number; row 2: too few columns');
    expect(error.rows).toEqual([2, 4]);
  });

  it('toResult turns candlelab errors into results and rethrows bugs', async () => {
    expect(toResult(() => 1)).toEqual({ ok: true, value: 1 });
    const failed = toResult(() => {
      throw new ModelFormatError('bad');
    });
    expect(failed.ok).toBe(false);
    expect(() =>
      toResult(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
    expect(await toResultAsync(async () => 2)).toEqual({ ok: true, value: 2 });
  });

  it('checkModelJson refuses other kinds, newer versions and junk', () => {
    expect(checkModelJson({ kind: 'gbdt', version: 1, trees: [] }, 'gbdt', 2).kind).toBe('gbdt');
    expect(() => checkModelJson({ kind: 'mlp', version: 1 }, 'gbdt', 1)).toThrow(/kind 'gbdt', got 'mlp'/);
    expect(() => checkModelJson({ kind: 'gbdt', version: 3 }, 'gbdt', 2)).toThrow(/newer/);
    expect(() => checkModelJson({ kind: 'gbdt' }, 'gbdt', 2)).toThrow(ModelFormatError);
    expect(() => checkModelJson('x', 'gbdt', 1)).toThrow(/got string/);
  });
});

describe('zodIssues', () => {
  it('names each issue by its dotted path; a root issue has no field unless a label is given', async () => {
    const { z } = await import('zod');
    const { zodIssues } = await import('./zodIssues.js');
    const nested = z.object({ model: z.object({ lr: z.number() }) }).safeParse({ model: { lr: 'x' } });
    expect(zodIssues(nested.error!)).toEqual([{ field: 'model.lr', reason: expect.stringMatching(/number/) }]);
    const root = z.number().safeParse('x');
    expect(zodIssues(root.error!)).toEqual([{ reason: expect.any(String) }]);
    expect(zodIssues(root.error!, '(root)')[0]!.field).toBe('(root)');
  });
});
