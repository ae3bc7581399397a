/**
 * One regression tree in flat storage: node `i` is a leaf when `feature[i] < 0` (its output is
 * `value[i]`), otherwise rows with `x[feature] <= threshold` go to `left[i]`, larger values to
 * `right[i]`, and NaN to `left` when `defaultLeft[i]` is 1. Node 0 is the root.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  /** The threshold as a bin index of the training bins (training-time prediction on binned rows). */
  thresholdBin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  /** Leaf outputs (learning rate applied); 0 for internal nodes. */
  value: Float64Array;
  /** Split gain of internal nodes (for importance); 0 for leaves. */
  gain: Float64Array;
}

/** Serialized form of a {@link Tree}: plain number arrays. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  defaultLeft: number[];
  value: number[];
  gain: number[];
}

/** An empty tree with room for `nodes` nodes. */
export function allocateTree(nodes: number): Tree {
  return {
    feature: new Int32Array(nodes).fill(-1),
    threshold: new Float64Array(nodes),
    thresholdBin: new Uint8Array(nodes),
    left: new Int32Array(nodes).fill(-1),
    right: new Int32Array(nodes).fill(-1),
    defaultLeft: new Uint8Array(nodes),
    value: new Float64Array(nodes),
    gain: new Float64Array(nodes),
  };
}

/** The first `nodes` nodes of a tree, copied into exactly-sized arrays. */
export function trimTree(tree: Tree, nodes: number): Tree {
  return {
    feature: tree.feature.slice(0, nodes),
    threshold: tree.threshold.slice(0, nodes),
    thresholdBin: tree.thresholdBin.slice(0, nodes),
    left: tree.left.slice(0, nodes),
    right: tree.right.slice(0, nodes),
    defaultLeft: tree.defaultLeft.slice(0, nodes),
    value: tree.value.slice(0, nodes),
    gain: tree.gain.slice(0, nodes),
  };
}

/**
 * Adds the tree's output for every row of row-major `X` (`rows × cols`) to
 * `out[row * stride + offset]`.
 */
export function addTreeOutputs(
  tree: Tree,
  X: Float64Array,
  rows: number,
  cols: number,
  out: Float64Array,
  stride: number,
  offset: number,
): void {
  const { feature, threshold, left, right, defaultLeft, value } = tree;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      const x = X[base + f]!;
      node =
        x <= threshold[node]!
          ? left[node]!
          : x > threshold[node]!
            ? right[node]!
            : defaultLeft[node]
              ? left[node]!
              : right[node]!;
      f = feature[node]!;
    }
    out[r * stride + offset]! += value[node]!;
  }
}

/** The tree's output for row `row` of the training bins (row-major, `stride` bytes per row). */
export function binnedTreeOutput(
  tree: Tree,
  bins: Uint8Array,
  stride: number,
  nanBins: Uint16Array,
  row: number,
): number {
  const { feature, thresholdBin, left, right, defaultLeft, value } = tree;
  const base = row * stride;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const b = bins[base + f]!;
    node =
      b <= thresholdBin[node]!
        ? left[node]!
        : b === nanBins[f]
          ? defaultLeft[node]
            ? left[node]!
            : right[node]!
          : right[node]!;
    f = feature[node]!;
  }
  return value[node]!;
}

export function treeToJson(tree: Tree): TreeJson {
  return {
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    defaultLeft: Array.from(tree.defaultLeft),
    value: Array.from(tree.value),
    gain: Array.from(tree.gain),
  };
}

/** Rebuilds a tree from JSON (already shape-checked); the training-only bin thresholds are zero. */
export function treeFromJson(json: TreeJson): Tree {
  return {
    feature: Int32Array.from(json.feature),
    threshold: Float64Array.from(json.threshold),
    thresholdBin: new Uint8Array(json.feature.length),
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    defaultLeft: Uint8Array.from(json.defaultLeft),
    value: Float64Array.from(json.value),
    gain: Float64Array.from(json.gain),
  };
}
