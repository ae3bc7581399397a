"""Reference values for driftStatistics.test.ts: two-sample KS from scipy.stats (ks_2samp statistic,
kstwobign survival for the asymptotic p-value) and the PSI written out with numpy.
Run: /usr/bin/python3 packages/server/scripts/driftReference.py > packages/server/src/__fixtures__/drift-reference.json"""
import json

import numpy as np
from scipy import stats

rng = np.random.default_rng(11)
cases = []
for name, ref, live in [
    ("same-normal", rng.normal(0, 1, 800), rng.normal(0, 1, 200)),
    ("shifted-normal", rng.normal(0, 1, 800), rng.normal(0.6, 1, 200)),
    ("wider", rng.normal(0, 1, 500), rng.normal(0, 3, 150)),
    ("discrete-ties", rng.integers(0, 4, 600).astype(float), rng.integers(1, 6, 120).astype(float)),
]:
    ref_sorted = np.sort(ref)
    live_sorted = np.sort(live)
    n, m = len(ref_sorted), len(live_sorted)
    d = stats.ks_2samp(ref, live).statistic
    p = stats.kstwobign.sf(np.sqrt(n * m / (n + m)) * d)
    bins = 10
    edges = []
    for k in range(1, bins):
        e = ref_sorted[min(n - 1, (k * n) // bins)]
        if not edges or e > edges[-1]:
            edges.append(e)
    ref_counts = np.diff(np.concatenate([[0], np.searchsorted(ref_sorted, edges, side="right"), [n]]))
    live_counts = np.diff(np.concatenate([[0], np.searchsorted(live_sorted, edges, side="right"), [m]]))
    e_share = np.maximum(ref_counts / n, 1e-4)
    a_share = np.maximum(live_counts / m, 1e-4)
    psi = float(np.sum((a_share - e_share) * np.log(a_share / e_share)))
    cases.append({"name": name, "reference": ref.tolist(), "live": live.tolist(), "ks": float(d), "pValue": float(p), "psi": psi})
print(json.dumps({"source": "scipy.stats.ks_2samp / kstwobign.sf and numpy (scripts/driftReference.py)", "cases": cases}))
