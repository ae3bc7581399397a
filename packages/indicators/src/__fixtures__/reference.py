"""Independent reference values for indicators TA-Lib lacks, computed window by window with numpy
(no running sums, no shared code with the TypeScript kernels) on the last 600 bars of the BTC/USDT 1h
fixture. Run: /usr/bin/python3 packages/indicators/src/__fixtures__/reference.py
"""
import gzip
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..', '..')
rows = json.load(gzip.open(os.path.join(ROOT, 'fixtures', 'ohlcv', 'BTC_USDT-1h.json.gz')))[-600:]
t, o, h, l, c, v = (np.array([r[k] for r in rows], dtype=float) for k in range(6))
n = len(c)
nan = float('nan')


def rolling(x, p, f):
    out = np.full(n, nan)
    for i in range(p - 1, n):
        out[i] = f(x[i - p + 1:i + 1])
    return out


def wma(x, p):
    w = np.arange(1, p + 1, dtype=float)
    out = np.full(len(x), nan)
    for i in range(len(x)):
        win = x[i - p + 1:i + 1] if i >= p - 1 else None
        if win is not None and not np.isnan(win).any():
            out[i] = float(np.dot(win, w) / w.sum())
    return out


def sma_seeded_ema(x, p):
    out = np.full(len(x), nan)
    valid = np.where(~np.isnan(x))[0]
    s = valid[0]
    if len(valid) < p:
        return out
    out[s + p - 1] = x[s:s + p].mean()
    for i in range(s + p, len(x)):
        out[i] = out[i - 1] + (x[i] - out[i - 1]) * 2 / (p + 1)
    return out


ref = {}
# Hull moving average, period 16.
half, full, sq = wma(c, 8), wma(c, 16), 4
ref['hma'] = wma(2 * half - full, sq)
# VWMA 20.
ref['vwma'] = rolling(np.arange(n, dtype=float), 20, lambda idx: float(np.dot(c[idx.astype(int)], v[idx.astype(int)]) / v[idx.astype(int)].sum()))
# z-score 20 (population sigma).
ref['zscore'] = rolling(np.arange(n, dtype=float), 20, lambda idx: float((c[int(idx[-1])] - c[idx.astype(int)].mean()) / c[idx.astype(int)].std()))
# Historical volatility 20, annualised with 365 (sample sigma of log returns).
r = np.concatenate([[nan], np.log(c[1:] / c[:-1])])
ref['histVol'] = np.array([nan if i < 20 else float(np.std(r[i - 19:i + 1], ddof=1) * math.sqrt(365)) for i in range(n)])
# Autocorrelation of log returns, lag 1, over 20 pairs.
ref['autocorr'] = np.array([nan if i < 21 else float(np.corrcoef(r[i - 19:i + 1], r[i - 20:i])[0, 1]) for i in range(n)])
# Chaikin money flow 20.
mfv = np.where(h > l, ((c - l) - (h - c)) / np.where(h > l, h - l, 1), 0) * v
ref['cmf'] = np.array([nan if i < 19 else float(mfv[i - 19:i + 1].sum() / v[i - 19:i + 1].sum()) for i in range(n)])
# Awesome oscillator 5/34 on hl2.
mid = (h + l) / 2
ref['ao'] = np.array([nan if i < 33 else float(mid[i - 4:i + 1].mean() - mid[i - 33:i + 1].mean()) for i in range(n)])
# Ichimoku 9/26/52 (causal: spans as computed on the bar).
def donch(p, i):
    return (h[i - p + 1:i + 1].max() + l[i - p + 1:i + 1].min()) / 2
ref['ichimoku.conversion'] = np.array([nan if i < 51 else donch(9, i) for i in range(n)])
ref['ichimoku.base'] = np.array([nan if i < 51 else donch(26, i) for i in range(n)])
ref['ichimoku.spanA'] = np.array([nan if i < 51 else (donch(9, i) + donch(26, i)) / 2 for i in range(n)])
ref['ichimoku.spanB'] = np.array([nan if i < 51 else donch(52, i) for i in range(n)])
# Force index 13: SMA-seeded EMA of (close change * volume).
fi = np.concatenate([[nan], (c[1:] - c[:-1]) * v[1:]])
ref['forceIndex'] = sma_seeded_ema(fi, 13)
# True strength index 25/13 (SMA-seeded EMAs of the close change and its absolute value).
mom = np.concatenate([[nan], c[1:] - c[:-1]])
ref['tsi'] = 100 * sma_seeded_ema(sma_seeded_ema(mom, 25), 13) / sma_seeded_ema(sma_seeded_ema(np.abs(mom), 25), 13)
# Keltner 20 / ATR 10 (TA-Lib seeding) / 2.
tr = np.concatenate([[nan], np.maximum(h[1:], c[:-1]) - np.minimum(l[1:], c[:-1])])
atr = np.full(n, nan)
atr[10] = tr[1:11].mean()
for i in range(11, n):
    atr[i] = (atr[i - 1] * 9 + tr[i]) / 10
mid_k = sma_seeded_ema(c, 20)
ref['keltner.upper'] = mid_k + 2 * atr
ref['keltner.lower'] = mid_k - 2 * atr
# SuperTrend 10 / 3, a direct port of TradingView's ta.supertrend (Pine v5 reference manual).
tr_tv = np.concatenate([[h[0] - l[0]], np.maximum(h[1:], c[:-1]) - np.minimum(l[1:], c[:-1])])
atr_tv = np.full(n, nan)
atr_tv[9] = tr_tv[:10].mean()
for i in range(10, n):
    atr_tv[i] = (1 / 10) * tr_tv[i] + (1 - 1 / 10) * atr_tv[i - 1]
st = np.full(n, nan)
dirn = np.full(n, nan)
upper_prev = lower_prev = 0.0
st_prev = nan
for i in range(9, n):
    src = (h[i] + l[i]) / 2
    up, lo = src + 3 * atr_tv[i], src - 3 * atr_tv[i]
    pl = lower_prev if i > 9 else 0.0
    pu = upper_prev if i > 9 else 0.0
    lo = lo if (lo > pl or c[i - 1] < pl) else pl
    up = up if (up < pu or c[i - 1] > pu) else pu
    if i == 9:
        d = 1
    elif st_prev == pu:
        d = -1 if c[i] > up else 1
    else:
        d = 1 if c[i] < lo else -1
    st[i] = lo if d == -1 else up
    dirn[i] = -d  # TradingView's -1 (up) is our +1
    st_prev, upper_prev, lower_prev = st[i], up, lo
ref['supertrend.value'] = st
ref['supertrend.direction'] = dirn
# Session VWAP (UTC days).
day = np.floor(t / 86400000)
tp = (h + l + c) / 3
vw = np.full(n, nan)
for i in range(n):
    same = (day == day[i]) & (np.arange(n) <= i)
    vw[i] = float((tp[same] * v[same]).sum() / v[same].sum())
ref['vwap'] = vw

out = {k: [None if (isinstance(x, float) and math.isnan(x)) or (not isinstance(x, float) and np.isnan(x)) else float(x) for x in arr] for k, arr in ref.items()}
json.dump(out, open(os.path.join(HERE, 'reference.json'), 'w'))
print('wrote', len(out), 'series of', n)
