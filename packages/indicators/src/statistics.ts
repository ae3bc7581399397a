import * as z from 'zod/mini';
import { defineIndicator, period } from './defineIndicator.js';
import { ExtremeStep, LagStep } from './steps.js';
import { isZero } from './trend.js';

/** A price/volume column chosen by a parameter. */
export const ColumnSchema = z.enum(['open', 'high', 'low', 'close', 'volume']);
export type Column = z.infer<typeof ColumnSchema>;

/** Pearson correlation of pairs over the last `period` pairs, by TA-Lib's running sums (0 when undefined). */
export class CorrelationStep {
  readonly period: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  pos = 0;
  count = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;

  constructor(n: number) {
    this.period = n;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
  }

  next(x: number, y: number): number {
    const n = this.period;
    if (this.count >= n) {
      const ox = this.xs[this.pos]!;
      const oy = this.ys[this.pos]!;
      this.sx -= ox;
      this.sxx -= ox * ox;
      this.sxy -= ox * oy;
      this.sy -= oy;
      this.syy -= oy * oy;
    }
    this.sx += x;
    this.sxx += x * x;
    this.sxy += x * y;
    this.sy += y;
    this.syy += y * y;
    this.xs[this.pos] = x;
    this.ys[this.pos] = y;
    this.pos = this.pos + 1 === n ? 0 : this.pos + 1;
    if (this.count < n) this.count++;
    if (this.count < n) return Number.NaN;
    const d = (this.sxx - (this.sx * this.sx) / n) * (this.syy - (this.sy * this.sy) / n);
    return d > 0 && !isZero(d) ? (this.sxy - (this.sx * this.sy) / n) / Math.sqrt(d) : 0;
  }
}

/**
 * Rolling Pearson correlation (CORREL) of two columns over `period` (defaults close vs volume; for
 * two arbitrary series pass `{ close: a, open: b }` with `y: 'open'`). Warm-up `period − 1`.
 */
export const correl = defineIndicator({
  id: 'correl',
  name: 'Rolling Correlation (Pearson r)',
  group: 'statistics',
  inputs: (p) => [p.x, p.y],
  outputs: ['value'],
  params: z.object({
    period: period(30, 2),
    x: z._default(ColumnSchema, 'close'),
    y: z._default(ColumnSchema, 'volume'),
  }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ x: p.x, y: p.y, r: new CorrelationStep(p.period) }),
  run(s, c, [out], from, to) {
    const xs = c[s.x];
    const ys = c[s.y];
    for (let i = from; i < to; i++) out![i] = s.r.next(xs[i]!, ys[i]!);
  },
});

/**
 * Rolling beta (TA-Lib BETA): regression slope of `x`'s one-bar returns on `y`'s over `period`
 * returns (defaults close on open; pass a benchmark as another column). Warm-up `period`.
 */
export const beta = defineIndicator({
  id: 'beta',
  name: 'Rolling Beta (β)',
  group: 'statistics',
  inputs: (p) => [p.x, p.y],
  outputs: ['value'],
  params: z.object({ period: period(5), x: z._default(ColumnSchema, 'close'), y: z._default(ColumnSchema, 'open') }),
  warmup: (p) => p.period,
  init: (p) => ({
    x: p.x,
    y: p.y,
    period: p.period,
    count: 0,
    px: 0,
    py: 0,
    rx: new Float64Array(p.period),
    ry: new Float64Array(p.period),
    pos: 0,
    sx: 0,
    sy: 0,
    sxx: 0,
    sxy: 0,
  }),
  run(s, c, [out], from, to) {
    const xs = c[s.x];
    const ys = c[s.y];
    const n = s.period;
    for (let i = from; i < to; i++) {
      const xv = xs[i]!;
      const yv = ys[i]!;
      if (s.count++ === 0) {
        s.px = xv;
        s.py = yv;
        out![i] = Number.NaN;
        continue;
      }
      const x = isZero(s.px) ? 0 : (xv - s.px) / s.px;
      const y = isZero(s.py) ? 0 : (yv - s.py) / s.py;
      s.px = xv;
      s.py = yv;
      s.sxx += x * x;
      s.sxy += x * y;
      s.sx += x;
      s.sy += y;
      s.rx[s.pos] = x;
      s.ry[s.pos] = y;
      if (s.count > n) {
        const d = n * s.sxx - s.sx * s.sx;
        out![i] = isZero(d) ? 0 : (n * s.sxy - s.sx * s.sy) / d;
      } else {
        out![i] = Number.NaN;
      }
      s.pos = s.pos + 1 === n ? 0 : s.pos + 1;
      if (s.count > n) {
        const ox = s.rx[s.pos]!;
        const oy = s.ry[s.pos]!;
        s.sxx -= ox * ox;
        s.sxy -= ox * oy;
        s.sx -= ox;
        s.sy -= oy;
      }
    }
  },
});

/**
 * Rolling autocorrelation of one-bar log returns at `lag` over `period` pairs (Pearson r of
 * `r_t` and `r_{t−lag}`). Warm-up `period + lag`.
 */
export const autocorr = defineIndicator({
  id: 'autocorr',
  name: 'Rolling Autocorrelation of returns',
  group: 'statistics',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20, 2), lag: period(1) }),
  warmup: (p) => p.period + p.lag,
  init: (p) => ({ count: 0, prev: 0, lags: new LagStep(p.lag), r: new CorrelationStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      if (s.count++ === 0) {
        s.prev = x;
        out![i] = Number.NaN;
        continue;
      }
      const r = Math.log(x / s.prev);
      s.prev = x;
      const old = s.lags.next(r);
      out![i] = Number.isNaN(old) ? Number.NaN : s.r.next(r, old);
    }
  },
});

/** Which least-squares line quantity the linear-regression family outputs. */
type LinregOutput = 'value' | 'slope' | 'intercept' | 'angle' | 'forecast';

function linearRegression<Id extends string>(id: Id, name: string, kind: LinregOutput) {
  return defineIndicator({
    id,
    name,
    group: 'statistics',
    inputs: ['close'],
    outputs: ['value'],
    params: z.object({ period: period(14, 2) }),
    warmup: (p) => p.period - 1,
    init: (p) => ({ ring: new Float64Array(p.period), pos: 0, count: 0 }),
    run(s, c, [out], from, to) {
      const ring = s.ring;
      const p = ring.length;
      const sumX = p * (p - 1) * 0.5;
      const sumXSqr = (p * (p - 1) * (2 * p - 1)) / 6;
      const divisor = sumX * sumX - p * sumXSqr;
      for (let i = from; i < to; i++) {
        ring[s.pos] = c.close[i]!;
        s.pos = s.pos + 1 === p ? 0 : s.pos + 1;
        if (s.count < p) s.count++;
        if (s.count < p) {
          out![i] = Number.NaN;
          continue;
        }
        // TA-Lib's sums with x = bars ago, oldest first (slot `pos` is the oldest).
        let sumXY = 0;
        let sumY = 0;
        for (let k = p; k-- !== 0; ) {
          let at = s.pos + (p - 1 - k);
          if (at >= p) at -= p;
          const y = ring[at]!;
          sumY += y;
          sumXY += k * y;
        }
        const m = (p * sumXY - sumX * sumY) / divisor;
        const b = (sumY - m * sumX) / p;
        out![i] =
          kind === 'slope'
            ? m
            : kind === 'intercept'
              ? b
              : kind === 'angle'
                ? Math.atan(m) * (180 / Math.PI)
                : kind === 'forecast'
                  ? b + m * p
                  : b + m * (p - 1);
      }
    },
  });
}

/** Linear Regression (LINEARREG): the least-squares line's value on the last bar of `period`. Warm-up `period − 1`. */
export const linreg = linearRegression('linreg', 'Linear Regression (LINEARREG)', 'value');
/** Linear Regression Slope (LINEARREG_SLOPE) per bar over `period`. Warm-up `period − 1`. */
export const linregSlope = linearRegression('linregSlope', 'Linear Regression Slope', 'slope');
/** Linear Regression Intercept (LINEARREG_INTERCEPT): the line's value on the first bar of `period`. Warm-up `period − 1`. */
export const linregIntercept = linearRegression('linregIntercept', 'Linear Regression Intercept', 'intercept');
/** Linear Regression Angle (LINEARREG_ANGLE): `atan(slope)` in degrees. Warm-up `period − 1`. */
export const linregAngle = linearRegression('linregAngle', 'Linear Regression Angle', 'angle');
/** Time Series Forecast (TSF): the regression line extended one bar ahead. Warm-up `period − 1`. */
export const tsf = linearRegression('tsf', 'Time Series Forecast (TSF)', 'forecast');

/** Midpoint (MIDPOINT): `(highest + lowest)/2` of close over `period`. Warm-up `period − 1`. */
export const midpoint = defineIndicator({
  id: 'midpoint',
  name: 'Midpoint over period (MIDPOINT)',
  group: 'statistics',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ hi: new ExtremeStep(p.period, 'max'), lo: new ExtremeStep(p.period, 'min') }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      out![i] = (s.hi.next(x) + s.lo.next(x)) / 2;
    }
  },
});

/** Midpoint Price (MIDPRICE): `(highest high + lowest low)/2` over `period`. Warm-up `period − 1`. */
export const midprice = defineIndicator({
  id: 'midprice',
  name: 'Midpoint Price over period (MIDPRICE)',
  group: 'statistics',
  inputs: ['high', 'low'],
  outputs: ['value'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ hi: new ExtremeStep(p.period, 'max'), lo: new ExtremeStep(p.period, 'min') }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) out![i] = (s.hi.next(c.high[i]!) + s.lo.next(c.low[i]!)) / 2;
  },
});
