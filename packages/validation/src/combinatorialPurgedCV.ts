import { InvalidParameterError, NotEnoughDataError } from '@candlelab/core';
import { checkInteger, type IndexRange, type Split } from './indexRange.js';
import { checkLabelTimes, type LabelTimes, purgeTrain } from './purge.js';
import { contiguousGroups } from './purgedKFold.js';

export interface CombinatorialPurgedCVOptions {
  /** N: number of contiguous groups the rows are cut into. Default 6. */
  nGroups?: number;
  /** k: groups tested per split. Default 2. */
  nTestGroups?: number;
  /** Rows embargoed after each test block. Default 0. */
  embargo?: number;
}

/** One CPCV split: its train/test ranges and which groups it tests. */
export interface CpcvSplit extends Split {
  testGroups: number[];
}

export interface CombinatorialPurgedCV {
  /** The row ranges of the N groups. */
  groups: IndexRange[];
  /** C(N, k) splits, test-group combinations in lexicographic order. */
  splits: CpcvSplit[];
  /**
   * φ = k/N · C(N, k) backtest paths; `paths[p][g]` is the split whose prediction of group `g`
   * belongs to path `p`. Each path covers every group once, from a model that did not train on it.
   */
  paths: Uint32Array[];
}

/** Binomial coefficient C(n, k) for small n. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const walk = (from: number) => {
    if (current.length === k) {
      out.push([...current]);
      return;
    }
    for (let g = from; g <= n - (k - current.length); g++) {
      current.push(g);
      walk(g + 1);
      current.pop();
    }
  };
  walk(0);
  return out;
}

/**
 * Combinatorial purged cross-validation (López de Prado, AFML ch. 12): the rows are cut into N
 * contiguous groups; each of the C(N, k) splits tests k groups and trains on the rest, purged and
 * embargoed around every test block. Each group is tested C(N−1, k−1) times, which assembles
 * φ = k/N · C(N, k) complete out-of-sample backtest paths (path p takes, for each group, the p-th
 * split that tests it).
 */
export function combinatorialPurgedCV(
  times: LabelTimes,
  options: CombinatorialPurgedCVOptions = {},
): CombinatorialPurgedCV {
  checkLabelTimes(times, 'combinatorialPurgedCV');
  const n = times.time.length;
  const nGroups = checkInteger('nGroups', options.nGroups ?? 6, 2);
  const k = checkInteger('nTestGroups', options.nTestGroups ?? 2, 1);
  if (k >= nGroups) throw new InvalidParameterError('nTestGroups', k, `must be smaller than nGroups (${nGroups})`);
  const embargo = checkInteger('embargo', options.embargo ?? 0, 0);
  if (n < nGroups) throw new NotEnoughDataError(`combinatorialPurgedCV with nGroups=${nGroups}`, nGroups, n);
  const groups = contiguousGroups(n, nGroups);
  const all = [{ start: 0, end: n }];
  const splits: CpcvSplit[] = combinations(nGroups, k).map((testGroups) => {
    const test = testGroups.map((g) => groups[g]!);
    return { train: purgeTrain(times, all, test, embargo), test, testGroups };
  });
  const nPaths = binomial(nGroups - 1, k - 1);
  const paths = Array.from({ length: nPaths }, () => new Uint32Array(nGroups));
  const seen = new Uint32Array(nGroups);
  splits.forEach((split, s) => {
    for (const g of split.testGroups) paths[seen[g]!++]![g] = s;
  });
  return { groups, splits, paths };
}

/**
 * The φ backtest paths of a CPCV run: path `p` is one out-of-sample prediction per row, taking
 * each group's rows from split `paths[p][g]`. `splitPredictions[s]` holds split `s`'s predictions
 * of its test rows in row order (e.g. `runWalkForward(...).folds[s].predictions`).
 */
export function cpcvPathPredictions(
  cv: CombinatorialPurgedCV,
  splitPredictions: readonly Float64Array[],
): Float64Array[] {
  if (splitPredictions.length !== cv.splits.length) {
    throw new InvalidParameterError(
      'splitPredictions',
      splitPredictions.length,
      `expected one array per split (${cv.splits.length})`,
    );
  }
  const n = cv.groups[cv.groups.length - 1]!.end;
  return cv.paths.map((path) => {
    const out = new Float64Array(n);
    path.forEach((s, g) => {
      const split = cv.splits[s]!;
      let offset = 0;
      for (const tested of split.testGroups) {
        if (tested === g) break;
        offset += cv.groups[tested]!.end - cv.groups[tested]!.start;
      }
      const group = cv.groups[g]!;
      out.set(splitPredictions[s]!.subarray(offset, offset + group.end - group.start), group.start);
    });
    return out;
  });
}
