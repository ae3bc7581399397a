"""Reference values for @candlelab/features tests, from independent implementations:
scipy.stats (skew, kurtosis), numpy (mean, std, min, max, argmin/argmax, corrcoef),
scikit-learn (StandardScaler, MinMaxScaler, RobustScaler, VarianceThreshold, mutual_info_score).
Run: /usr/bin/python3 packages/features/reference/make_reference.py
"""
import json
import math
import os

import numpy as np
from scipy import stats
from sklearn.feature_selection import VarianceThreshold
from sklearn.metrics import mutual_info_score
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

rng = np.random.default_rng(20261122)
n = 240
x = np.cumsum(rng.standard_t(4, n)) * 0.5 + 100.0
x[[57, 130]] = np.nan  # NaN inside windows must poison them


def nan_list(a):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in a]


def rolling(fn, w):
    out = []
    for t in range(n):
        if t < w - 1:
            out.append(float('nan'))
            continue
        win = x[t - w + 1 : t + 1]
        out.append(float('nan') if np.isnan(win).any() else fn(win))
    return out


def position(idx, w):
    return 1 - (w - 1 - idx) / (w - 1)


def last_argmax(win):
    return len(win) - 1 - int(np.argmax(win[::-1]))


def last_argmin(win):
    return len(win) - 1 - int(np.argmin(win[::-1]))


rolling_ref = {}
for w in (5, 20):
    rolling_ref[str(w)] = {
        'mean': nan_list(rolling(np.mean, w)),
        'std': nan_list(rolling(np.std, w)),
        'skew': nan_list(rolling(lambda a: stats.skew(a, bias=True), w)),
        'kurtosis': nan_list(rolling(lambda a: stats.kurtosis(a, fisher=True, bias=True), w)),
        'min': nan_list(rolling(np.min, w)),
        'max': nan_list(rolling(np.max, w)),
        'argmax': nan_list(rolling(lambda a: position(last_argmax(a), len(a)), w)),
        'argmin': nan_list(rolling(lambda a: position(last_argmin(a), len(a)), w)),
    }

acf_ref = {}
for lag, w in ((1, 10), (3, 25)):
    out = []
    for t in range(n):
        if t < w + lag - 1:
            out.append(float('nan'))
            continue
        a = x[t - w + 1 : t + 1]
        b = x[t - w + 1 - lag : t + 1 - lag]
        out.append(float('nan') if (np.isnan(a).any() or np.isnan(b).any()) else float(np.corrcoef(a, b)[0, 1]))
    acf_ref[f'{lag}_{w}'] = nan_list(out)

# Scalers: fit on the first 60 rows only, transform all 100.
M = np.column_stack([rng.normal(5, 2, 100), rng.lognormal(0, 1, 100), rng.uniform(-3, 7, 100), np.full(100, 4.0)])
scalers = {}
for name, cls in (('StandardScaler', StandardScaler), ('MinMaxScaler', MinMaxScaler), ('RobustScaler', RobustScaler)):
    s = cls().fit(M[:60])
    scalers[name] = s.transform(M).ravel().tolist()

vt = VarianceThreshold(0.5).fit(M[:60])

# Mutual information on discrete variables (both treated as discrete by the TS estimator).
dx = rng.integers(0, 6, 500)
dy = (dx + rng.integers(0, 3, 500)) % 4
dz = rng.integers(0, 5, 500)

ref = {
    'x': nan_list(x),
    'rolling': rolling_ref,
    'acf': acf_ref,
    'matrix': M.ravel().tolist(),
    'scalers': scalers,
    'varianceKept': [int(i) for i in vt.get_support(indices=True)],
    'variances': vt.variances_.tolist(),
    'mi': {
        'x': dx.tolist(),
        'y': dy.tolist(),
        'z': dz.tolist(),
        'xy': float(mutual_info_score(dx, dy)),
        'zy': float(mutual_info_score(dz, dy)),
    },
}
with open(os.path.join(os.path.dirname(__file__), 'reference.json'), 'w') as f:
    json.dump(ref, f)
