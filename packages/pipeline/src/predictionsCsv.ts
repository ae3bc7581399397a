import type { SymbolSignals } from './backtestStage.js';

/** File name of the out-of-sample predictions stored beside a model. */
export const PREDICTIONS_FILE = 'oos_predictions.csv';

/**
 * The out-of-sample signals as CSV, one row per scored bar in time order per symbol:
 * `time` (ISO), `time_ms`, `symbol`, `fold`, `close`, one `p_<class>` column per class and the
 * `position` the one rule gave (−1, 0, 1). Probabilities are written with full precision, so the
 * file can be audited or shadow-traded exactly.
 */
export function predictionsCsv(signals: readonly SymbolSignals[], classes: readonly string[]): string {
  const k = classes.length;
  const lines = [['time', 'time_ms', 'symbol', 'fold', 'close', ...classes.map((c) => `p_${c}`), 'position'].join(',')];
  for (const s of signals) {
    for (let i = 0; i < s.time.length; i++) {
      const p = Array.from(s.proba.subarray(i * k, i * k + k), String);
      lines.push(
        [new Date(s.time[i]!).toISOString(), s.time[i], s.symbol, s.fold[i], s.close[i], ...p, s.positions[i]].join(
          ',',
        ),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
