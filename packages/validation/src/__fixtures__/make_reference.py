"""Reference folds for timeSeriesSplit.test.ts and purgedKFold.test.ts.

Run: /usr/bin/python3 packages/validation/src/__fixtures__/make_reference.py
- timeSeriesSplit: scikit-learn's TimeSeriesSplit.
- purgedKFold: López de Prado, AFML snippet 7.3 (PurgedKFold), transcribed with numpy
  (pandas-free): test folds = np.array_split; train = {i : t1[i] <= t0} ∪ indices[maxT1Idx + mbrg:].
  Label ends are chosen 1 ms before a bar time so AFML's `<=` and this package's stricter
  closed-interval purge agree.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.model_selection import TimeSeriesSplit

out = {"sklearn": sklearn.__version__, "timeSeriesSplit": [], "purgedKFold": []}

for n, n_splits, gap, test_size, max_train in [(50, 4, 0, None, None), (50, 4, 2, None, None), (103, 5, 3, 7, None), (60, 3, 1, None, 20)]:
    tss = TimeSeriesSplit(n_splits=n_splits, gap=gap, test_size=test_size, max_train_size=max_train)
    folds = [{"train": tr.tolist(), "test": te.tolist()} for tr, te in tss.split(np.zeros(n))]
    out["timeSeriesSplit"].append({"n": n, "nSplits": n_splits, "gap": gap, "testSize": test_size, "maxTrainSize": max_train, "folds": folds})


def afml_purged_kfold(time, t1, n_splits, pct_embargo):
    n = len(time)
    indices = np.arange(n)
    mbrg = int(n * pct_embargo)
    test_starts = [(i[0], i[-1] + 1) for i in np.array_split(np.arange(n), n_splits)]
    folds = []
    for i, j in test_starts:
        t0 = time[i]
        test_indices = indices[i:j]
        max_t1_idx = np.searchsorted(time, t1[test_indices].max())
        train_indices = indices[t1 <= t0]
        if max_t1_idx < n:
            train_indices = np.concatenate((train_indices, indices[max_t1_idx + mbrg:]))
        # The snippet's searchsorted can point inside the last test fold; test rows never train.
        train = sorted(set(train_indices.tolist()) - set(test_indices.tolist()))
        folds.append({"train": train, "test": test_indices.tolist()})
    return folds


rng = np.random.default_rng(7)
hour = 3_600_000
for n, n_splits, pct_embargo in [(80, 5, 0.0), (80, 5, 0.05), (121, 4, 0.03)]:
    time = 1_600_000_000_000 + hour * np.arange(n)
    horizon = rng.integers(1, 9, size=n)
    end_idx = np.minimum(np.arange(n) + horizon, n - 1)
    t1 = np.maximum(time[end_idx] - 1, time)  # 1 ms before the bar that resolves the label
    folds = afml_purged_kfold(time, t1, n_splits, pct_embargo)
    out["purgedKFold"].append({
        "time": time.tolist(), "labelEnd": t1.tolist(), "nSplits": n_splits,
        "embargo": int(n * pct_embargo), "folds": folds,
    })

with open(os.path.join(os.path.dirname(__file__), "reference.json"), "w") as f:
    json.dump(out, f)
