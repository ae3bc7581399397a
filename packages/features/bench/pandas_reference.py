"""pandas/numpy reference for the features benchmark (bench/standardSet.ts runs it side by side).

Computes the "comparable subset" of the standard feature set — the 77 columns pandas expresses
with its own vectorised operations (rolling windows, ewm, shifts, resample) — over the same bars
the TypeScript side uses, then builds the row-major float64 training matrix of the rows after the
longest warm-up (what a pandas user hands to a model). Formulas follow the candlelab definitions
(README of @candlelab/features); seeding of the recursive smoothers (RSI, ATR, EMA) uses pandas'
`ewm(adjust=False)`, which costs the same as the exact seeding. Columns that need a Python-level
loop in pandas (PSAR, KAMA, Ichimoku, candlestick patterns, support/resistance, Aroon, CCI's mean
deviation, SuperTrend, …) are left out on both sides.

Usage: /usr/bin/python3 pandas_reference.py BARS_FILE N
  BARS_FILE: raw little-endian float64, six columns of N values (time, open, high, low, close,
  volume). Prints one JSON line: {"seconds", "cpu_seconds", "columns", "rows", "peak_rss_mb", "names"}.
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd


def ema(x, span):
    return x.ewm(span=span, adjust=False).mean()


def wilder(x, period):
    return x.ewm(alpha=1.0 / period, adjust=False).mean()


def rsi(close, period):
    d = close.diff()
    gain = wilder(d.clip(lower=0), period)
    loss = wilder((-d).clip(lower=0), period)
    return 100 * gain / (gain + loss)


def true_range(high, low, close):
    prev = close.shift(1)
    return pd.concat([high, prev], axis=1).max(axis=1) - pd.concat([low, prev], axis=1).min(axis=1)


def natr(high, low, close, period):
    return 100 * wilder(true_range(high, low, close), period) / close


def bands(close, period, k=2.0):
    mid = close.rolling(period).mean()
    sd = close.rolling(period).std(ddof=0)
    return mid + k * sd, mid, mid - k * sd


def position(close, upper, lower):
    width = upper - lower
    return ((close - lower) / width).where(width > 0)


def trapezoid(x, a, b, c, d):
    up = np.where(b > a, (x - a) / max(b - a, 1e-300), 1.0)
    down = np.where(d > c, (d - x) / max(d - c, 1e-300), 1.0)
    return np.clip(np.minimum(up, down), 0, 1)


def base_features(o, h, l, c, v, f, prefix=''):
    """The per-timeframe block: the higher-timeframe features are a subset of these."""
    f[prefix + 'ret_1'] = np.log(c / c.shift(1))
    f[prefix + 'rsi_14'] = rsi(c, 14)
    f[prefix + 'natr_14'] = natr(h, l, c, 14)
    f[prefix + 'close_vs_ema_20'] = c / ema(c, 20) - 1
    up, _, lo = bands(c, 20)
    f[prefix + 'bbands_20_position'] = position(c, up, lo)


def features(t, o, h, l, c, v):
    f = {}
    for k in (1, 2, 3, 5, 10, 20, 50):
        f[f'ret_{k}'] = np.log(c / c.shift(k))
    for p in (7, 14, 28):
        f[f'rsi_{p}'] = rsi(c, p)
    hh, ll = h.rolling(14).max(), l.rolling(14).min()
    k_fast = 100 * (c - ll) / (hh - ll)
    f['stoch_k'] = k_fast.rolling(3).mean()
    f['stoch_d'] = f['stoch_k'].rolling(3).mean()
    f['willr_14'] = -100 * (hh - c) / (hh - ll)
    d = c.diff()
    g, ls = wilder(d.clip(lower=0), 14), wilder((-d).clip(lower=0), 14)
    f['cmo_14'] = 100 * (g - ls) / (g + ls)
    ppo = 100 * (ema(c, 12) - ema(c, 26)) / ema(c, 26)
    f['ppo_ppo'] = ppo
    f['ppo_signal'] = ema(ppo, 9)
    f['ppo_histogram'] = ppo - f['ppo_signal']
    f['natr_7'] = natr(h, l, c, 7)
    f['natr_14'] = natr(h, l, c, 14)
    ret1 = np.log(c / c.shift(1))
    f['histVol_20'] = ret1.rolling(20).std() * np.sqrt(365)
    up, mid, lo = bands(c, 20)
    f['bbands_20_percentB'] = (c - lo) / (up - lo)
    f['bbands_20_bandwidth'] = 100 * (up - lo) / mid
    for p in (20, 50):
        f[f'zscore_{p}'] = (c - c.rolling(p).mean()) / c.rolling(p).std(ddof=0)
    mfv = ((c - l) - (h - c)) / (h - l) * v
    f['cmf_20'] = mfv.rolling(20).sum() / v.rolling(20).sum()
    for p in (5, 20, 50):
        f[f'volume_ratio_{p}'] = v / v.rolling(p).mean()
    for p in (10, 20, 50, 100, 200):
        f[f'close_vs_sma_{p}'] = c / c.rolling(p).mean() - 1
    for p in (10, 20, 50, 200):
        f[f'close_vs_ema_{p}'] = c / ema(c, p) - 1
    f['bbands_20_position'] = position(c, up, lo)
    atr20 = wilder(true_range(h, l, c), 20)
    e20 = ema(c, 20)
    f['keltner_20_position'] = position(c, e20 + 2 * atr20, e20 - 2 * atr20)
    for p in (20, 55):
        f[f'donchian_{p}_position'] = position(c, h.rolling(p).max(), l.rolling(p).min())
    for w in (10, 20, 50):
        f[f'ret_1_std{w}'] = ret1.rolling(w).std(ddof=0)
    f['ret_1_mean20'] = ret1.rolling(20).mean()
    f['ret_1_skew20'] = ret1.rolling(20).skew()
    f['ret_1_skew50'] = ret1.rolling(50).skew()
    f['ret_1_kurtosis50'] = ret1.rolling(50).kurt()
    f['ret_1_kurtosis100'] = ret1.rolling(100).kurt()
    f['ret_1_acf1_20'] = ret1.rolling(20).corr(ret1.shift(1))
    f['ret_1_acf1_50'] = ret1.rolling(50).corr(ret1.shift(1))
    f['ret_1_acf2_50'] = ret1.rolling(50).corr(ret1.shift(2))
    hour = (t % 86_400_000) / 86_400_000
    weekday = (((t // 86_400_000) + 3) % 7) / 7
    f['hourSin'] = np.sin(2 * np.pi * hour)
    f['hourCos'] = np.cos(2 * np.pi * hour)
    f['weekdaySin'] = np.sin(2 * np.pi * weekday)
    f['weekdayCos'] = np.cos(2 * np.pi * weekday)
    for lag in range(1, 6):
        f[f'ret_1_lag{lag}'] = ret1.shift(lag)
    f['rsi_14_lag1'] = f['rsi_14'].shift(1)
    f['rsi_14_lag2'] = f['rsi_14'].shift(2)
    f['volume_ratio_20_lag1'] = f['volume_ratio_20'].shift(1)
    r = f['rsi_14'].to_numpy()
    f['rsi_14.oversold'] = trapezoid(r, 0, 0, 25, 40)
    f['rsi_14.neutral'] = np.clip(np.minimum((r - 30) / 20, (70 - r) / 20), 0, 1)
    f['rsi_14.overbought'] = trapezoid(r, 60, 75, 100, 100)
    # Higher timeframes: completed buckets only, joined to every base bar from the bar that closes them.
    index = pd.to_datetime(t, unit='ms')
    base = pd.DataFrame({'open': o.values, 'high': h.values, 'low': l.values, 'close': c.values, 'volume': v.values}, index=index)
    for rule, name in (('4h', '4h'), ('1D', '1d')):
        agg = base.resample(rule).agg({'open': 'first', 'high': 'max', 'low': 'min', 'close': 'last', 'volume': 'sum'})
        hf = {}
        base_features(agg['open'], agg['high'], agg['low'], agg['close'], agg['volume'], hf)
        frame = pd.DataFrame(hf, index=agg.index)
        # A bucket is known from its last base bar on: label by bucket end, shift back one base bar.
        frame.index = frame.index + pd.Timedelta(rule) - pd.Timedelta('1h')
        joined = frame.reindex(index, method='ffill')
        for col in frame.columns:
            f[f'{name}_{col}'] = joined[col].to_numpy()
    return f


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    raw = np.fromfile(path, dtype='<f8', count=6 * n).reshape(6, n)
    t0 = time.perf_counter()
    c0 = time.process_time()
    t = raw[0].astype(np.int64)
    o, h, l, c, v = (pd.Series(raw[k]) for k in range(1, 6))
    f = features(t, o, h, l, c, v)
    frame = pd.DataFrame({k: np.asarray(col, dtype=np.float64) for k, col in f.items()})
    warmup = 502  # the standard set's longest warm-up on 1h bars
    X = np.ascontiguousarray(frame.iloc[warmup:].to_numpy(dtype=np.float64))
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'seconds': seconds, 'cpu_seconds': cpu_seconds, 'columns': X.shape[1], 'rows': X.shape[0], 'peak_rss_mb': peak, 'names': list(frame.columns)}))


if __name__ == '__main__':
    main()
