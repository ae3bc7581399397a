import { ConfigError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGates, formatGate, parseQualityGates } from './qualityGates.js';

describe('quality gates', () => {
  it('parses strings and objects', () => {
    expect(
      parseQualityGates([
        'sharpe > 1.5',
        'winRate>0.55',
        { metric: 'maxDrawdown', op: '<', threshold: 0.2 },
        'trades >= 30',
        'x != -1e-3',
      ]),
    ).toEqual([
      { metric: 'sharpe', op: '>', threshold: 1.5 },
      { metric: 'winRate', op: '>', threshold: 0.55 },
      { metric: 'maxDrawdown', op: '<', threshold: 0.2 },
      { metric: 'trades', op: '>=', threshold: 30 },
      { metric: 'x', op: '!=', threshold: -0.001 },
    ]);
  });

  it('evaluates the deploy gate with a reason per gate', () => {
    const report = evaluateGates(['sharpe > 1.5', 'winRate > 0.55', 'maxDrawdown < 0.2', 'trades >= 30'], {
      sharpe: 1.8,
      winRate: 0.52,
      maxDrawdown: 0.1,
      trades: 30,
    });
    expect(report.passed).toBe(false);
    expect(report.results.map((r) => r.passed)).toEqual([true, false, true, true]);
    expect(report.results[1]!.reason).toBe('winRate = 0.52 fails winRate > 0.55');
  });

  it('fails — never silently passes — on a missing or non-finite metric', () => {
    const report = evaluateGates(['sharpe > 1.5', 'sortino > 1'], { sharpe: Number.NaN, calmar: 2 });
    expect(report.passed).toBe(false);
    expect(report.results[0]!.reason).toMatch(/NaN, not a finite number/);
    expect(report.results[1]!.reason).toBe("metric 'sortino' is missing (available: calmar, sharpe)");
    expect(evaluateGates(['toString > 0'], {}).passed).toBe(false);
  });

  it('rejects malformed gates with a ConfigError naming the entry', () => {
    try {
      parseQualityGates(['sharpe > 1', 'sharpe >> 1']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.some((i) => i.field === '1')).toBe(true);
    }
    expect(() => parseQualityGates([{ metric: 'x', op: '=~', threshold: 1 }])).toThrow(ConfigError);
  });

  it('property: formatGate round-trips through the parser and matches the comparison', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('>', '>=', '<', '<=', '==', '!=' as const),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (op, threshold, actual) => {
          const gate = { metric: 'm', op, threshold };
          expect(parseQualityGates([formatGate(gate)])[0]).toEqual({
            ...gate,
            threshold: threshold === 0 ? 0 : threshold,
          });
          const passed = evaluateGates([gate], { m: actual }).passed;
          const expected = {
            '>': actual > threshold,
            '>=': actual >= threshold,
            '<': actual < threshold,
            '<=': actual <= threshold,
            '==': actual === threshold,
            '!=': actual !== threshold,
          }[op];
          expect(passed).toBe(expected);
        },
      ),
    );
  });
});
