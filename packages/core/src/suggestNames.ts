/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The known names closest to an unknown one, for "did you mean …?" messages: at most `max`
 * (default 3) names within an edit distance of a third of the longer name (at least 2), nearest
 * first, ties in the candidates' order. Case is ignored.
 */
export function suggestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<{ candidate: string; distance: number; order: number }> = [];
  let order = 0;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    const limit = Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance <= limit) scored.push({ candidate, distance, order });
    order++;
  }
  return scored
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .slice(0, max)
    .map((s) => s.candidate);
}

/** `did you mean 'a' or 'b'?` for the suggestions of {@link suggestNames}, or '' when there are none. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const names = suggestNames(name, candidates).map((n) => `'${n}'`);
  if (names.length === 0) return '';
  return `did you mean ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`}?`;
}
