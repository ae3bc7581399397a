"""Generates xgboostReference.json: a small fixed dataset (1,200 rows x 8 features, 5% NaN in
feature 3) with binary, 3-class and regression targets, and the test metrics of XGBoost's `hist`
method trained on the first 800 rows (depth-wise, depth 4, eta 0.1, 100 rounds, lambda 1,
min_child_weight 1, max_bin 255). Run: /usr/bin/python3 makeXgboostReference.py
"""
import json

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, roc_auc_score

rng = np.random.default_rng(20240601)
n, d, n_train = 1200, 8, 800
X = np.round(rng.standard_normal((n, d)), 4)
X[:, 5] = np.round(rng.uniform(0, 10, n)).astype(float)  # a discrete feature
signal = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.7 * np.nan_to_num(X[:, 3]) - 0.3 * X[:, 5] + 1.5
X[rng.uniform(size=n) < 0.05, 3] = np.nan
noise = rng.standard_normal(n)
y_binary = (signal + 0.5 * noise > 0).astype(float)
y_multi = np.digitize(signal + 0.5 * noise, [-0.5, 1.0]).astype(float)
y_reg = np.round(signal + 0.3 * noise, 4)

common = dict(tree_method='hist', max_depth=4, eta=0.1, reg_lambda=1.0, min_child_weight=1.0, max_bin=255, nthread=1, seed=0)
Xtr, Xte = X[:n_train], X[n_train:]
out = {
    'source': f'xgboost {xgb.__version__} (tree_method=hist), scikit-learn {sklearn.__version__} metrics; script makeXgboostReference.py',
    'params': {'maxDepth': 4, 'learningRate': 0.1, 'nEstimators': 100, 'lambdaL2': 1, 'minSumHessianInLeaf': 1, 'maxBins': 255},
    'nTrain': n_train,
    'X': [[None if np.isnan(v) else float(v) for v in row] for row in X],
    'yBinary': y_binary.tolist(),
    'yMulti': y_multi.tolist(),
    'yRegression': y_reg.tolist(),
}
b = xgb.train({**common, 'objective': 'binary:logistic'}, xgb.DMatrix(Xtr, y_binary[:n_train]), 100)
p = b.predict(xgb.DMatrix(Xte))
out['binary'] = {'auc': roc_auc_score(y_binary[n_train:], p), 'accuracy': accuracy_score(y_binary[n_train:], p > 0.5), 'logloss': log_loss(y_binary[n_train:], p)}
b = xgb.train({**common, 'objective': 'multi:softprob', 'num_class': 3}, xgb.DMatrix(Xtr, y_multi[:n_train]), 100)
p = b.predict(xgb.DMatrix(Xte))
out['multiclass'] = {'accuracy': accuracy_score(y_multi[n_train:], p.argmax(1)), 'mlogloss': log_loss(y_multi[n_train:], p)}
b = xgb.train({**common, 'objective': 'reg:squarederror'}, xgb.DMatrix(Xtr, y_reg[:n_train]), 100)
p = b.predict(xgb.DMatrix(Xte))
out['regression'] = {'rmse': float(np.sqrt(mean_squared_error(y_reg[n_train:], p)))}
with open('xgboostReference.json', 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print({k: out[k] for k in ('binary', 'multiclass', 'regression')})
