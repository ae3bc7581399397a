import { outputBuffer, ValidationError, type ValidationIssue } from '@candlelab/core';
import { checkCoverage, type FuzzyWarning } from './checkCoverage.js';
import { type FuzzyConfig, type MembershipSpec, parseFuzzyConfig } from './fuzzyConfig.js';
import { membership, membershipAt } from './membership.js';

export interface FuzzyEngineOptions {
  /** Probe points per declared range for the coverage check (default 1001, see `checkCoverage`). */
  coverageSamples?: number;
  /** Name used in `ConfigError` messages (default `'fuzzy config'`). */
  source?: string;
}

interface CompiledSet {
  /** Output column name, `input.set`. */
  output: string;
  /** Index of the input in {@link FuzzyEngine.inputs}. */
  input: number;
  spec: MembershipSpec;
}

/**
 * Turns input columns (indicator series such as `rsi_14`) into membership columns named
 * `input.set` (`rsi_14.oversold`), in batch over whole columns or row by row for live use.
 * Stateless: evaluating a row needs only that row, so streaming equals batch by construction.
 */
export class FuzzyEngine {
  /** The parsed config (defaults applied). */
  readonly config: FuzzyConfig;
  /** Input column names, in config order. */
  readonly inputs: readonly string[];
  /** Output column names (`input.set`), in config order. */
  readonly outputs: readonly string[];
  /** Coverage gaps found in declared ranges; evaluation works regardless. */
  readonly warnings: readonly FuzzyWarning[];
  readonly #sets: readonly CompiledSet[];

  private constructor(config: FuzzyConfig, options: FuzzyEngineOptions) {
    this.config = config;
    this.inputs = Object.keys(config);
    const sets: CompiledSet[] = [];
    const warnings: FuzzyWarning[] = [];
    this.inputs.forEach((name, input) => {
      const declared = config[name]!;
      for (const [setName, spec] of Object.entries(declared.sets))
        sets.push({ output: `${name}.${setName}`, input, spec });
      const coverageOptions = options.coverageSamples === undefined ? {} : { samples: options.coverageSamples };
      warnings.push(...checkCoverage(name, declared, coverageOptions));
    });
    this.#sets = sets;
    this.outputs = sets.map((set) => set.output);
    this.warnings = warnings;
  }

  /** Builds an engine from an untrusted config; throws a `ConfigError` naming the bad path. */
  static fromConfig(config: unknown, options: FuzzyEngineOptions = {}): FuzzyEngine {
    return new FuzzyEngine(parseFuzzyConfig(config, options.source), options);
  }

  /**
   * Memberships of every set over whole columns. `columns` must hold every input (equal
   * lengths; extra columns are ignored). Output arrays are reused from `out` when given.
   * Throws a `ValidationError` naming each missing input or mismatched length.
   */
  evaluate(
    columns: Readonly<Record<string, Float64Array>>,
    out: Record<string, Float64Array> = {},
  ): Record<string, Float64Array> {
    const inputColumns = this.#inputColumns(columns);
    const n = inputColumns[0]?.length ?? 0;
    for (const set of this.#sets) {
      out[set.output] = membership(set.spec, inputColumns[set.input]!, outputBuffer(n, out[set.output]));
    }
    return out;
  }

  /** Memberships of one row given by input name (for live use); throws a `ValidationError` for a missing input. */
  evaluateRow(row: Readonly<Record<string, number>>): Record<string, number> {
    const values = new Float64Array(this.inputs.length);
    const issues: ValidationIssue[] = [];
    this.inputs.forEach((name, i) => {
      const value = row[name];
      if (typeof value !== 'number') issues.push({ field: name, reason: 'input value is missing' });
      else values[i] = value;
    });
    if (issues.length > 0) throw new ValidationError('fuzzy engine row', issues);
    const memberships = this.evaluateRowInto(values, new Float64Array(this.outputs.length));
    const result: Record<string, number> = {};
    this.outputs.forEach((name, i) => {
      result[name] = memberships[i]!;
    });
    return result;
  }

  /**
   * Allocation-free streaming form: `inputs[i]` is the value of `this.inputs[i]`; writes
   * membership `j` of `this.outputs[j]` into `out[j]` and returns `out`.
   */
  evaluateRowInto(inputs: ArrayLike<number>, out: Float64Array): Float64Array {
    if (inputs.length !== this.inputs.length) {
      throw new ValidationError('fuzzy engine row', [
        { reason: `expected ${this.inputs.length} input values (${this.inputs.join(', ')}), got ${inputs.length}` },
      ]);
    }
    const result = outputBuffer(this.#sets.length, out);
    for (let j = 0; j < this.#sets.length; j++) {
      const set = this.#sets[j]!;
      result[j] = membershipAt(set.spec, inputs[set.input]!);
    }
    return result;
  }

  #inputColumns(columns: Readonly<Record<string, Float64Array>>): Float64Array[] {
    const issues: ValidationIssue[] = [];
    const found: Float64Array[] = [];
    let length = -1;
    for (const name of this.inputs) {
      const column = columns[name];
      if (!(column instanceof Float64Array)) {
        issues.push({
          field: name,
          reason: `input column is missing (have: ${Object.keys(columns).join(', ') || 'none'})`,
        });
        continue;
      }
      if (length === -1) length = column.length;
      else if (column.length !== length) {
        issues.push({ field: name, reason: `column has ${column.length} values, ${this.inputs[0]} has ${length}` });
      }
      found.push(column);
    }
    if (issues.length > 0) throw new ValidationError('fuzzy engine input', issues);
    return found;
  }
}
