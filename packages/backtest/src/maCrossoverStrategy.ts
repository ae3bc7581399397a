import { InvalidParameterError } from '@candlelab/core';
import type { OrderRequest, Strategy, StrategyContext } from './eventBacktest.js';

export interface MaCrossoverStrategyOptions {
  /** Fast SMA length. Default 10. */
  fast?: number;
  /** Slow SMA length. Default 30. */
  slow?: number;
  /** Fraction of equity per entry. Default 1. */
  fraction?: number;
  /** Also go short when fast < slow. Default false. */
  allowShort?: boolean;
  /** Bracket fractions passed to each entry order (stopLoss, takeProfit, trailingStop). Default none. */
  brackets?: Pick<OrderRequest, 'stopLoss' | 'takeProfit' | 'trailingStop'>;
}

/**
 * Simple-moving-average crossover for the event-driven engine, on the first series: long while
 * SMA(fast) > SMA(slow) (short when `allowShort`), flat otherwise. Acts only when the
 * regime changes (a bracket exit is not re-entered until the next cross). Keeps O(1) running sums,
 * reading only visible closes (`close(0)` and `close(length)` of the views).
 */
export function maCrossoverStrategy(options: MaCrossoverStrategyOptions = {}): Strategy {
  const fast = options.fast ?? 10;
  const slow = options.slow ?? 30;
  if (!Number.isInteger(fast) || fast < 1) throw new InvalidParameterError('fast', fast, 'expected an integer >= 1');
  if (!Number.isInteger(slow) || slow <= fast)
    throw new InvalidParameterError('slow', slow, 'expected an integer > fast');
  const fraction = options.fraction ?? 1;
  const allowShort = options.allowShort ?? false;
  const brackets = options.brackets ?? {};
  let fastSum = 0;
  let slowSum = 0;
  let state = 0;
  return {
    onBar(ctx: StrategyContext) {
      const view = ctx.series();
      const c = view.close();
      fastSum += c;
      slowSum += c;
      const seen = view.length;
      if (seen > fast) fastSum -= view.close(fast);
      if (seen > slow) slowSum -= view.close(slow);
      if (seen < slow) return;
      const want = fastSum / fast > slowSum / slow ? 1 : allowShort ? -1 : 0;
      if (want === state) return;
      state = want;
      if (ctx.position() !== 0) ctx.closePosition();
      if (want !== 0)
        ctx.submit({ side: want > 0 ? 'buy' : 'sell', size: { kind: 'fraction', fraction }, ...brackets });
    },
  };
}
