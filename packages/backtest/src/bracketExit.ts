/** Which protective level a bar triggered. */
export const BRACKET_NONE = 0;
/** The stop level was hit (or the open gapped through it): fill at min/max(open, stop). */
export const BRACKET_STOP = 1;
/** The target level was hit (or the open gapped through it): fill at max/min(open, target). */
export const BRACKET_TARGET = 2;

/**
 * The documented rule for one bar against a stop and a target (either may be NaN = absent) of a
 * position in direction `dir` (1 long, −1 short), checked in this order:
 * 1. the open gaps through the stop → stop, filled at the open;
 * 2. the open gaps through the target → target, filled at the open;
 * 3. the bar's range touches the stop (whether or not it also touches the target) → stop at the
 *    stop level. This is the conservative reading of an OHLC bar that touches both: without
 *    intrabar data we assume the adverse extreme came first;
 * 4. the range touches the target → target at the target level.
 * Returns `BRACKET_NONE`, `BRACKET_STOP` or `BRACKET_TARGET`; {@link bracketFillPrice} gives the price.
 */
export function bracketExit(
  dir: number,
  open: number,
  high: number,
  low: number,
  stop: number,
  target: number,
): number {
  if (dir > 0) {
    if (open <= stop) return BRACKET_STOP;
    if (open >= target) return BRACKET_TARGET;
    if (low <= stop) return BRACKET_STOP;
    if (high >= target) return BRACKET_TARGET;
  } else {
    if (open >= stop) return BRACKET_STOP;
    if (open <= target) return BRACKET_TARGET;
    if (high >= stop) return BRACKET_STOP;
    if (low <= target) return BRACKET_TARGET;
  }
  return BRACKET_NONE;
}

/** Fill price for a {@link bracketExit} result: the level, or the open when the open gapped past it. */
export function bracketFillPrice(dir: number, hit: number, open: number, stop: number, target: number): number {
  if (hit === BRACKET_STOP) return dir > 0 ? Math.min(open, stop) : Math.max(open, stop);
  return dir > 0 ? Math.max(open, target) : Math.min(open, target);
}
