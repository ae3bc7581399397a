"""Reference trainers for the gbdt benchmark: XGBoost `hist` and scikit-learn's
HistGradientBoostingClassifier on a benchmark file (see datasets.ts for the format), with the
same settings as candlelab (255 leaves, 255 bins, learning rate 0.1, lambda 1, min_child_weight 1).
Prints one JSON line. Usage: /usr/bin/python3 reference.py <file> <xgboost|sklearn> <threads> <trees>
"""
import json
import resource
import sys
import time

import numpy as np

path, method, threads, trees = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
header = np.fromfile(path, dtype=np.int32, count=3)
n_train, n_test, d = (int(v) for v in header)
n = n_train + n_test
X = np.fromfile(path, dtype=np.float32, count=n * d, offset=12).reshape(n, d)
y = np.fromfile(path, dtype=np.uint8, count=n, offset=12 + 4 * n * d).astype(np.float32)
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

from sklearn.metrics import roc_auc_score  # noqa: E402

if method == 'xgboost':
    import xgboost as xgb

    started, cpu_started = time.perf_counter(), time.process_time()
    dtrain = xgb.DMatrix(X_train, y_train, nthread=threads)
    params = {
        'tree_method': 'hist', 'grow_policy': 'lossguide', 'max_leaves': 255, 'max_depth': 0, 'max_bin': 255,
        'eta': 0.1, 'lambda': 1.0, 'min_child_weight': 1.0, 'objective': 'binary:logistic', 'nthread': threads,
    }
    booster = xgb.train(params, dtrain, trees)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    p = booster.predict(xgb.DMatrix(X_test, nthread=threads))
    name = f'xgboost {xgb.__version__} hist'
else:
    from threadpoolctl import threadpool_limits
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier

    with threadpool_limits(limits=threads):
        model = HistGradientBoostingClassifier(
            max_iter=trees, learning_rate=0.1, max_leaf_nodes=255, max_depth=None, max_bins=255,
            l2_regularization=1.0, min_samples_leaf=1, early_stopping=False,
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        model.fit(X_train, y_train)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        p = model.predict_proba(X_test)[:, 1]
    name = f'sklearn {sklearn.__version__} HistGradientBoosting'

print(json.dumps({
    'name': name, 'threads': threads, 'seconds': seconds, 'cpuSeconds': cpu_seconds, 'secondsPerTree': seconds / trees,
    'auc': float(roc_auc_score(y_test, p)), 'peakMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
