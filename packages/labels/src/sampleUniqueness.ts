/**
 * Number of concurrent labels per bar (AFML ch. 4, c_t): how many labels `i` have bar `t` inside
 * their span `(i, endIndex[i]]`. Unlabeled bars (`endIndex = -1`) count for nothing.
 *
 * A label at bar `i` is a function of the bar returns `i+1 … endIndex[i]`, so its span starts
 * after `i`. This is the definition in the text of AFML §4.3 (return `r_{t-1,t}` overlaps the
 * label); the book's snippet 4.1 counts the closed interval `[i, end]`, which would make
 * back-to-back labels overlap by one bar.
 */
export function labelConcurrency(endIndex: Int32Array): Uint32Array {
  const n = endIndex.length;
  const delta = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const end = endIndex[i]!;
    if (end < 0) continue;
    delta[i + 1]!++;
    delta[Math.min(end, n - 1) + 1]!--;
  }
  const count = new Uint32Array(n);
  let running = 0;
  for (let t = 0; t < n; t++) {
    running += delta[t]!;
    count[t] = running;
  }
  return count;
}

/**
 * AFML ch. 4 sample uniqueness: for each label, the mean over its span `(i, endIndex[i]]` of
 * `1 / c_t` (see {@link labelConcurrency}). In (0, 1]; exactly 1 for a label no other label
 * overlaps; NaN for unlabeled bars. Use as sample weights so overlapping labels do not count
 * several times.
 */
export function sampleUniqueness(endIndex: Int32Array): Float64Array {
  const n = endIndex.length;
  const concurrency = labelConcurrency(endIndex);
  const weight = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const end = Math.min(endIndex[i]!, n - 1);
    if (end <= i) continue;
    let sum = 0;
    for (let t = i + 1; t <= end; t++) sum += 1 / concurrency[t]!;
    weight[i] = sum / (end - i);
  }
  return weight;
}
