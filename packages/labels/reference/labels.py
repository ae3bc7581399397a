"""Reference labels for @candlelab/labels, written independently of the TypeScript code.

On the last 400 bars of the BTC/USDT 1h fixture it computes, with plain numpy loops:
  - EWM volatility with pandas' ewm(span, adjust=True).std() definition, from explicit weights
    (w_k = (1 - alpha)^k, bias correction (sum w)^2 / ((sum w)^2 - sum w^2)), AFML getDailyVol;
  - Wilder's ATR;
  - triple-barrier labels (AFML ch. 3, applyPtSlOnT1 / getBins) on closes and on highs/lows
    (gapped open decides, else stop-loss first), with and without a side (meta-labels);
  - ZigZag labels (first move of the threshold from the close, within the lookahead);
  - forward returns;
  - AFML ch. 4 average uniqueness from the indicator matrix 1[t in (i, end_i]].

Run: /usr/bin/python3 packages/labels/reference/labels.py > packages/labels/reference/labels.generated.json
"""
import gzip
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = json.loads(gzip.open(os.path.join(HERE, "../../../fixtures/ohlcv/BTC_USDT-1h.json.gz")).read())[-400:]
T, O, H, L, C = (np.array([r[k] for r in ROWS], dtype=float) for k in range(5))
N = len(C)


def ewm_std(close, span, min_periods):
    alpha = 2.0 / (span + 1.0)
    r = close[1:] / close[:-1] - 1.0
    out = np.full(len(close), np.nan)
    for t in range(1, len(close)):
        x = r[:t]  # returns 1..t
        if len(x) < min_periods:
            continue
        w = (1 - alpha) ** np.arange(len(x) - 1, -1, -1)
        mean = np.sum(w * x) / np.sum(w)
        biased = np.sum(w * (x - mean) ** 2) / np.sum(w)
        denom = np.sum(w) ** 2 - np.sum(w**2)
        out[t] = math.sqrt(biased * np.sum(w) ** 2 / denom) if denom > 0 else np.nan
    return out


def wilder_atr(period):
    tr = np.empty(N)
    tr[0] = H[0] - L[0]
    for t in range(1, N):
        tr[t] = max(H[t] - L[t], abs(H[t] - C[t - 1]), abs(L[t] - C[t - 1]))
    atr = np.full(N, np.nan)
    atr[period - 1] = tr[:period].mean()
    for t in range(period, N):
        atr[t] = (atr[t - 1] * (period - 1) + tr[t]) / period
    return atr


def triple_barrier(vol, pt, sl, horizon, high_low, side=None):
    label, end, ret, barrier = (np.full(N, np.nan) for _ in range(4))
    for t in range(N):
        s = 1.0 if side is None else side[t]
        if s == 0 or t + horizon >= N or not (vol[t] > 0):
            continue
        entry = C[t]
        take = entry * (1 + s * pt * vol[t])
        stop = entry * (1 - s * sl * vol[t])
        outcome = None
        for j in range(t + 1, t + horizon + 1):
            hi, lo = (H[j], L[j]) if high_low else (C[j], C[j])
            take_hit = hi >= take if s > 0 else lo <= take
            stop_hit = lo <= stop if s > 0 else hi >= stop
            if not (take_hit or stop_hit):
                continue
            if not high_low:
                outcome = (1 if take_hit else 2, j, C[j])
            elif take_hit and stop_hit:
                gapped_take = O[j] >= take if s > 0 else O[j] <= take
                gapped_stop = O[j] <= stop if s > 0 else O[j] >= stop
                if gapped_take:
                    outcome = (1, j, O[j])
                elif gapped_stop:
                    outcome = (2, j, O[j])
                else:
                    outcome = (2, j, stop)
            elif take_hit:
                gapped = O[j] >= take if s > 0 else O[j] <= take
                outcome = (1, j, O[j] if gapped else take)
            else:
                gapped = O[j] <= stop if s > 0 else O[j] >= stop
                outcome = (2, j, O[j] if gapped else stop)
            break
        if outcome is None:
            outcome = (3, t + horizon, C[t + horizon])
        b, j, exit_price = outcome
        r = s * (exit_price / entry - 1)
        barrier[t], end[t], ret[t] = b, j, r
        label[t] = (1.0 if r > 0 else 0.0) if side is not None else float(np.sign(r))
    return label, end, ret, barrier


def zigzag(size_of, lookahead, high_low):
    label, end = np.full(N, np.nan), np.full(N, np.nan)
    for t in range(N - lookahead):
        size = size_of(t)
        if not (size > 0):
            continue
        up, down = C[t] + size, C[t] - size
        for j in range(t + 1, t + lookahead + 1):
            hi, lo = (H[j], L[j]) if high_low else (C[j], C[j])
            if hi >= up and lo <= down:
                if O[j] >= up:
                    label[t], end[t] = 1, j
                elif O[j] <= down:
                    label[t], end[t] = -1, j
                break  # ambiguous: unlabeled
            if hi >= up:
                label[t], end[t] = 1, j
                break
            if lo <= down:
                label[t], end[t] = -1, j
                break
    return label, end


def uniqueness(end):
    ind = np.zeros((N, N))  # ind[t, i] = 1 when bar t lies in (i, end_i]
    for i in range(N):
        if not np.isnan(end[i]):
            ind[i + 1 : int(end[i]) + 1, i] = 1
    c = ind.sum(axis=1)
    u = np.full(N, np.nan)
    for i in range(N):
        if not np.isnan(end[i]):
            span = ind[:, i] > 0
            u[i] = np.mean(1.0 / c[span])
    return u


def column(x):
    return [None if (isinstance(v, float) and math.isnan(v)) else float(v) for v in x]


def main():
    vol = ewm_std(C, 20, 5)
    atr = wilder_atr(14)
    momentum = np.zeros(N)
    momentum[3:] = np.sign(C[3:] - C[:-3])
    out = {"source": "numpy re-implementation of AFML ch. 3-4 labels and KTRDR-style ZigZag", "bars": 400, "volatility": column(vol), "atr": column(atr)}
    cases = {
        "tripleBarrierClose": triple_barrier(vol, 1.0, 2.0, 10, False),
        "tripleBarrierHighLow": triple_barrier(vol, 1.0, 2.0, 10, True),
        "metaHighLow": triple_barrier(vol, 2.0, 1.0, 8, True, momentum),
    }
    for name, (label, end, ret, barrier) in cases.items():
        out[name] = {"label": column(label), "end": column(end), "ret": column(ret), "barrier": column(barrier), "weight": column(uniqueness(end))}
    for name, (label, end) in {
        "zigzagClose": zigzag(lambda t: C[t] * 0.01, 12, False),
        "zigzagHighLow": zigzag(lambda t: C[t] * 0.01, 12, True),
        "zigzagAtr": zigzag(lambda t: 2.0 * atr[t], 12, True),
    }.items():
        out[name] = {"label": column(label), "end": column(end), "weight": column(uniqueness(end))}
    fwd = np.full(N, np.nan)
    fwd[:-4] = C[4:] / C[:-4] - 1
    out["side"] = column(momentum)
    out["forward4"] = column(fwd)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
