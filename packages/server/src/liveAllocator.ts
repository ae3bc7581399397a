import { PortfolioAllocator } from '@candlelab/pipeline';
import type { ServedAllocator } from './servedModel.js';

/** Open and close of one symbol's bar. */
export interface OpenClose {
  open: number;
  close: number;
}

/**
 * A portfolio allocator stepped live, bar by bar, as pipeline's `portfolioDecisions` steps it over
 * the symbols' common bars: it keeps the last `window + 1` common bars (what an observation and a
 * rebalance read) and the pipeline's `PortfolioAllocator`, which holds the drifted weights.
 */
export class LiveAllocator {
  readonly #allocator: PortfolioAllocator;
  readonly #window: number;
  readonly #open: number[][];
  readonly #close: number[][];
  /** Whether the last common bar was decided on (the next one rebalances to it). */
  #decided = false;

  constructor(model: ServedAllocator) {
    this.#allocator = new PortfolioAllocator(model.agent, model.envSpec);
    this.#window = model.envSpec.window;
    const m = model.envSpec.symbols.length;
    this.#open = Array.from({ length: m }, () => []);
    this.#close = Array.from({ length: m }, () => []);
  }

  /**
   * One bar, given each symbol's open and close in the allocator's symbol order (undefined where a
   * symbol has no bar: not a common bar, skipped as `commonTimeBars` drops it). Otherwise the held
   * weights move through the bar to the last decision's targets and, once `window + 1` common bars
   * are kept, it decides: returns the target weights (symbols, then cash), else undefined.
   */
  step(prices: readonly (OpenClose | undefined)[]): Float64Array | undefined {
    if (prices.some((p) => p === undefined)) return undefined;
    prices.forEach((p, k) => {
      this.#open[k]!.push(p!.open);
      this.#close[k]!.push(p!.close);
    });
    if (this.#close[0]!.length > this.#window + 1) for (const column of [...this.#open, ...this.#close]) column.shift(); // window + 1 values each
    const assets = this.#open.map((open, k) => ({
      open: Float64Array.from(open),
      close: Float64Array.from(this.#close[k]!),
    }));
    const last = this.#close[0]!.length - 1;
    if (this.#decided) this.#allocator.rebalance(assets, last - 1);
    this.#decided = last >= this.#window;
    return this.#decided ? Float64Array.from(this.#allocator.decide(assets, last)) : undefined;
  }

  /** The closes observed by the last decision, symbol by symbol (a decision's inputs, for its fingerprint). */
  observedCloses(): Float64Array {
    return Float64Array.from(this.#close.flat());
  }
}
