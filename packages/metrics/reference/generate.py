#!/usr/bin/env python3
"""Reference values for @candlelab/metrics, computed independently of the TypeScript code.

Trading metrics are written from their textbook definitions with numpy (empyrical/quantstats
conventions, see the package README); classification and regression metrics come from
scikit-learn; Pearson/Spearman, skewness/kurtosis and the normal CDF/quantile from scipy.stats.

Inputs are either derived from the real fixture fixtures/ohlcv/BTC_USDT-1h.json.gz (and -4h) by
the formulas in `derive_*` below (replicated in src/reference.test.ts, which loads the same
fixture) or seeded synthetic data stored in the JSON itself.

Run from anywhere with Debian's python3-numpy/-scipy/-sklearn:
    /usr/bin/python3 packages/metrics/reference/generate.py
It writes packages/metrics/reference/expected.json.
"""
import gzip
import json
import math
import pathlib

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn import metrics as skm

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
EULER_GAMMA = 0.5772156649015329


def load_close(name):
    with gzip.open(ROOT / "fixtures" / "ohlcv" / name, "rt") as f:
        rows = json.load(f)
    return np.array([row[4] for row in rows], dtype=np.float64)


# ---------------------------------------------------------------- derivations (mirrored in the test)
def derive_returns(close):
    """Per-bar simple returns close[i+1]/close[i] - 1."""
    return close[1:] / close[:-1] - 1


def derive_momentum(close, lookback):
    """Long/flat momentum: hold bar i -> i+1 when close[i] > close[i - lookback] (decided at close i)."""
    r = derive_returns(close)
    n = len(r)
    pos = np.zeros(n)
    idx = np.arange(lookback, n)
    pos[idx] = (close[idx] > close[idx - lookback]).astype(np.float64)
    return pos, pos * r


def derive_class(x):
    """Three classes of a return: 0 down (< -0.002), 1 flat, 2 up (> 0.002)."""
    return np.where(x < -0.002, 0, np.where(x > 0.002, 2, 1))


# ---------------------------------------------------------------- trading metrics from definitions
def max_drawdown(equity):
    n = len(equity)
    peak = np.maximum.accumulate(equity)
    dd = 1 - equity / peak
    under = equity < peak
    longest = 0
    i = 0
    while i < n:
        if under[i]:
            start_peak = i - 1
            j = i
            while j < n and under[j]:
                j += 1
            end = j if j < n else n - 1
            longest = max(longest, end - start_peak)
            i = j
        else:
            i += 1
    t = int(np.argmax(dd))
    if dd[t] == 0:
        return dict(maxDrawdown=0.0, peakIndex=0, troughIndex=0, recoveryIndex=None, durationBars=0,
                    longestDurationBars=longest)
    p = int(np.nonzero(equity[: t + 1] == peak[t])[0][-1])
    after = np.nonzero(equity[t:] >= peak[t])[0]
    rec = int(t + after[0]) if len(after) else None
    return dict(maxDrawdown=float(dd[t]), peakIndex=p, troughIndex=t, recoveryIndex=rec,
                durationBars=(rec if rec is not None else n - 1) - p, longestDurationBars=longest)


def psr(r, sr_star):
    n = len(r)
    sr = r.mean() / r.std(ddof=1)
    g3 = stats.skew(r)  # population moments (bias=True)
    g4 = stats.kurtosis(r, fisher=False)
    z = (sr - sr_star) * math.sqrt(n - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)
    return float(stats.norm.cdf(z))


def expected_max_sharpe(trials, variance):
    return math.sqrt(variance) * ((1 - EULER_GAMMA) * stats.norm.ppf(1 - 1 / trials)
                                  + EULER_GAMMA * stats.norm.ppf(1 - 1 / (trials * math.e)))


def trading(r, ppy, risk_free=0.0, target=0.0, positions=None):
    n = len(r)
    equity = np.concatenate([[1.0], np.cumprod(1 + r)])
    growth = np.prod(1 + r)
    ann = growth ** (ppy / n) - 1
    rf = (1 + risk_free) ** (1 / ppy) - 1
    excess = r - rf
    d = r - target
    downside = math.sqrt(np.mean(np.minimum(d, 0) ** 2))
    mdd = max_drawdown(equity)
    decided = r[r != 0]
    return {
        "totalReturn": float(growth - 1),
        "annualizedReturn": float(ann),
        "cagr": float((equity[-1] / equity[0]) ** (ppy / (len(equity) - 1)) - 1),
        "volatility": float(np.std(r, ddof=1) * math.sqrt(ppy)),
        "sharpe": float(excess.mean() / excess.std(ddof=1) * math.sqrt(ppy)),
        "sortino": float(d.mean() / downside * math.sqrt(ppy)),
        "maxDrawdown": mdd,
        "calmar": float(ann / mdd["maxDrawdown"]),
        "winRate": float(np.mean(decided > 0)),
        "profitFactor": float(r[r > 0].sum() / -r[r < 0].sum()),
        "expectancy": float(r.mean()),
        "exposure": float(np.mean((positions if positions is not None else r) != 0)),
        "probabilisticSharpe": psr(r, 0.0),
    }


def trading_case(r, options, positions=None):
    ppy = options["periodsPerYear"]
    out = trading(r, ppy, options.get("riskFreeRate", 0.0), options.get("target", 0.0), positions)
    out["psrBenchmark0.01"] = psr(r, 0.01)
    return out


# ---------------------------------------------------------------- classification / regression
def classification(y_true, y_pred, k):
    labels = list(range(k))
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    pm, rm, fm, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro",
                                                        zero_division=0)
    pw, rw, fw, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, average="weighted",
                                                        zero_division=0)
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "confusion": skm.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "perClass": [dict(precision=float(p[c]), recall=float(r[c]), f1=float(f[c]), support=int(s[c]))
                     for c in labels],
        "macro": dict(precision=float(pm), recall=float(rm), f1=float(fm)),
        "weighted": dict(precision=float(pw), recall=float(rw), f1=float(fw)),
    }


def log_loss(y_true, proba, k):
    n = len(y_true)
    direct = -np.mean(np.log(np.clip(proba[np.arange(n), y_true], 1e-15, 1 - 1e-15)))
    lib = skm.log_loss(y_true, proba, labels=list(range(k)), eps=1e-15)
    assert abs(direct - lib) <= 1e-12 * abs(lib), (direct, lib)
    return float(lib)


def regression(y_true, y_pred):
    return {
        "mse": float(skm.mean_squared_error(y_true, y_pred)),
        "rmse": float(math.sqrt(skm.mean_squared_error(y_true, y_pred))),
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "r2": float(skm.r2_score(y_true, y_pred)),
    }


def correlations(x, y):
    return {"pearson": float(stats.pearsonr(x, y)[0]), "spearman": float(stats.spearmanr(x, y)[0])}


def softmax3(z):
    e = np.stack([np.exp(-z), np.ones_like(z), np.exp(z)], axis=1)
    return e / e.sum(axis=1, keepdims=True)


def main():
    out = {
        "generator": "packages/metrics/reference/generate.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
    }

    # ---- real data: BTC/USDT 1h (crypto calendar: 365 * 24 bars per year)
    close = load_close("BTC_USDT-1h.json.gz")
    r = derive_returns(close)
    ppy_1h = 365 * 24
    positions, strategy = derive_momentum(close, 24)
    trials = [derive_momentum(close, lb)[1] for lb in range(1, 51)]
    trial_sharpes = np.array([t.mean() / t.std(ddof=1) for t in trials])
    sharpe_variance = float(trial_sharpes.var(ddof=1))
    sr0 = expected_max_sharpe(len(trials), sharpe_variance)
    out["btc1h"] = {
        "fixture": "ohlcv/BTC_USDT-1h.json.gz",
        "buyAndHold": {"options": {"timeframe": "1h", "periodsPerYear": ppy_1h, "riskFreeRate": 0.02},
                       "expected": trading_case(r, {"periodsPerYear": ppy_1h, "riskFreeRate": 0.02})},
        "momentum24": {"options": {"timeframe": "1h", "periodsPerYear": ppy_1h, "target": 0.0001},
                       "expected": trading_case(strategy, {"periodsPerYear": ppy_1h, "target": 0.0001}, positions)},
        "deflated": {"numTrials": len(trials), "sharpeVariance": sharpe_variance, "expectedMaxSharpe": sr0,
                     "dsr": psr(strategy, sr0)},
    }

    # ---- real data: BTC/USDT 4h on the equity calendar (252 days * 6.5 h / 4 h = 409.5 bars per year)
    close4 = load_close("BTC_USDT-4h.json.gz")
    r4 = derive_returns(close4)
    ppy_4h_equity = 252 * 6.5 / 4
    out["btc4hEquity"] = {
        "fixture": "ohlcv/BTC_USDT-4h.json.gz",
        "options": {"timeframe": "4h", "calendar": "equity", "periodsPerYear": ppy_4h_equity},
        "expected": trading_case(r4, {"periodsPerYear": ppy_4h_equity}),
    }

    # ---- real data: classification / ranking / regression of the next hourly return from the current one
    cur, nxt = r[:-1], r[1:]
    y_true, y_pred = derive_class(nxt), derive_class(cur)
    proba = softmax3(cur * 200)
    y01 = (nxt > 0).astype(int)
    coarse = np.floor(cur * 1000)  # many tied scores
    out["btcPrediction"] = {
        "fixture": "ohlcv/BTC_USDT-1h.json.gz",
        "classification": classification(y_true, y_pred, 3),
        "logLoss": log_loss(y_true, proba, 3),
        "rocAuc": float(skm.roc_auc_score(y01, cur)),
        "rocAucCoarse": float(skm.roc_auc_score(y01, coarse)),
        "regression": regression(nxt, -0.05 * cur),
        "correlation": correlations(cur, nxt),
        "correlationCoarse": correlations(coarse, nxt),
    }

    # ---- synthetic, seeded (inputs stored here)
    rng = np.random.default_rng(20240601)
    t_returns = np.maximum(0.0004 + 0.012 * rng.standard_t(4, 500), -0.9)
    out["syntheticReturns"] = {
        "returns": t_returns.tolist(),
        "options": {"periodsPerYear": 252, "riskFreeRate": 0.03, "target": 0.0002},
        "expected": trading_case(t_returns, {"periodsPerYear": 252, "riskFreeRate": 0.03, "target": 0.0002}),
    }

    k = 5  # class 4 never occurs; class 3 is never predicted
    yt = rng.integers(0, 4, 300)
    yp = np.where(rng.random(300) < 0.6, yt, rng.integers(0, 3, 300))
    yp = np.where(yp == 3, 0, yp)
    alpha = np.ones(k)
    alpha[4] = 0.2
    pr = rng.dirichlet(alpha, 300)
    pr[np.arange(50), yt[:50]] = 0.0  # some confident misses, clipped to eps
    pr[:50] /= pr[:50].sum(axis=1, keepdims=True)
    y01s = rng.integers(0, 2, 400)
    scores = np.floor(rng.random(400) * 5 + y01s * 0.8)  # integer scores 0..5 with heavy ties
    x = rng.normal(size=200)
    y = 2 * x + rng.normal(scale=0.5, size=200)
    out["syntheticClassification"] = {
        "numClasses": k,
        "yTrue": yt.tolist(),
        "yPred": yp.tolist(),
        "proba": pr.ravel().tolist(),
        "expected": classification(yt, yp, k),
        "logLoss": log_loss(yt, pr, k),
        "binary": {"yTrue": y01s.tolist(), "scores": scores.tolist(), "rocAuc": float(skm.roc_auc_score(y01s, scores))},
    }
    out["syntheticRegression"] = {
        "x": x.tolist(),
        "y": y.tolist(),
        "expected": {**regression(y, 2 * x), **correlations(x, y)},
    }

    entry = np.cumsum(rng.integers(3_600_000, 50 * 3_600_000, 60)).astype(float) + 1.6e12
    hold = rng.integers(3_600_000, 20 * 3_600_000, 60).astype(float)
    pnl = np.round(rng.normal(5, 40, 60), 2)
    pnl[[7, 8, 9, 10, 30]] = [-1.5, -2.5, -30.25, -4.0, 0.0]
    ret = pnl / 1000
    trades = [dict(pnl=float(p), returnPct=float(q), entryTime=float(e), exitTime=float(e + h))
              for p, q, e, h in zip(pnl, ret, entry, hold)]
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    streak = best = 0
    for p in pnl:
        streak = streak + 1 if p < 0 else 0
        best = max(best, streak)
    out["syntheticTrades"] = {
        "trades": trades,
        "expected": {
            "trades": len(trades),
            "winRate": float(len(wins) / (len(wins) + len(losses))),
            "profitFactor": float(wins.sum() / -losses.sum()),
            "expectancy": float(pnl.mean()),
            "avgWin": float(wins.mean()),
            "avgLoss": float(losses.mean()),
            "payoffRatio": float(wins.mean() / -losses.mean()),
            "avgReturnPct": float(ret.mean()),
            "avgHoldMs": float(hold.mean()),
            "largestWin": float(wins.max()),
            "largestLoss": float(losses.min()),
            "maxConsecutiveLosses": int(best),
        },
    }

    # ---- normal distribution (scipy.stats.norm) and the expected maximum Sharpe
    zs = [-30, -10, -5, -3.5, -3, -2.999, -2.5, -2, -1, -0.5, -1e-3, 0, 0.3, 1, 2, 3, 5, 8]
    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.99,
          0.999999, 1 - 1e-12]
    out["normal"] = {
        "cdf": [[z, float(stats.norm.cdf(z))] for z in zs],
        "quantile": [[p, float(stats.norm.ppf(p))] for p in ps],
        "expectedMaxSharpe": [[n, v, expected_max_sharpe(n, v)] for n, v in [(2, 1.0), (10, 0.5), (100, 0.01),
                                                                              (1000, 2e-4)]],
    }

    path = HERE / "expected.json"
    path.write_text(json.dumps(out, allow_nan=False, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
