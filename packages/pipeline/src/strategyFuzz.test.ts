import { readFileSync } from 'node:fs';
import { CandlelabError, ConfigError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrategy } from './strategyConfig.js';

const mainStrategy = readFileSync(new URL('../../../strategies/btc-trend-gbdt.yaml', import.meta.url), 'utf8');
const ppoStrategy = readFileSync(new URL('../../../strategies/ppo-trader.yaml', import.meta.url), 'utf8');

/** Tokens a careless user or an attacker puts into YAML: wrong types, odd numbers, YAML syntax. */
const TOKENS = [
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '&a ',
  '*a',
  '!!binary ',
  '!!js/function ',
  '"',
  "'",
  '\n',
  '  ',
  '#',
  '0x64',
  '1e999',
  '-1',
  '0',
  '.nan',
  '.inf',
  'null',
  '~',
  'yes',
  '2020-02-30',
  '20201001',
  '9999-01-01',
  '__proto__: {}',
  'constructor: x',
  '\u0000',
  '\u00ef\u00bb\u00bf',
  'sharpe > ',
  'kind: ppo',
  'kind: nn',
];

type Mutation =
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'dropLine'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), at: fc.nat() }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    if (m.kind === 'insert') {
      const at = m.at % (out.length + 1);
      out = out.slice(0, at) + m.token + out.slice(at);
    } else if (m.kind === 'delete') {
      const at = m.at % (out.length + 1);
      out = out.slice(0, at) + out.slice(at + m.length);
    } else {
      const lines = out.split('\n');
      if (m.kind === 'dropLine') lines.splice(m.at % lines.length, 1);
      else {
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      }
      out = lines.join('\n');
    }
  }
  return out;
}

describe('strategy YAML fuzz', () => {
  it('mutated strategy files parse to a valid config or a ConfigError, never a raw error', () => {
    const counts = { inputs: 0, configErrors: 0, accepted: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(mainStrategy, ppoStrategy),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (text, mutations) => {
          counts.inputs++;
          try {
            const config = parseStrategy(mutate(text, mutations), 'fuzz.yaml');
            expect(config.data.start).toBeLessThan(config.data.end);
            counts.accepted++;
          } catch (error) {
            if (!(error instanceof CandlelabError)) throw error;
            expect(error).toBeInstanceOf(ConfigError);
            expect(error.message).toContain('fuzz.yaml');
            counts.configErrors++;
          }
        },
      ),
      { seed: 20261204, numRuns: 1_500 },
    );
    console.log('strategy YAML fuzz:', counts);
    expect(counts.accepted + counts.configErrors).toBe(1_500);
    expect(Math.min(counts.accepted, counts.configErrors)).toBeGreaterThan(50);
  });
});
