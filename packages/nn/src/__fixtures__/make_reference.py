"""Reference for trainNetwork.test.ts: full-batch Adam on a tiny tanh MLP, numpy, hand-derived gradients.

Run: /usr/bin/python3 packages/nn/src/__fixtures__/make_reference.py
Network: 3 inputs -> 4 tanh units -> 3 softmax outputs (cross-entropy) and 3 -> 4 -> 1 (MSE),
per-row weights, L2 = 0.01 on kernels, Adam(lr=0.05, b1=0.9, b2=0.999, eps=1e-7), 3 steps,
float64 (the test allows float32 tolerance).
"""
import json
import os

import numpy as np

rng = np.random.default_rng(11)
n, d, h = 8, 3, 4
X = rng.normal(size=(n, d))
labels = rng.integers(0, 3, size=n)
values = rng.normal(size=(n, 1))
w_rows = rng.uniform(0.5, 2.0, size=n)
init = {
    "W1": rng.uniform(-0.5, 0.5, size=(d, h)), "b1": rng.uniform(-0.1, 0.1, size=h),
    "W2c": rng.uniform(-0.5, 0.5, size=(h, 3)), "b2c": rng.uniform(-0.1, 0.1, size=3),
    "W2r": rng.uniform(-0.5, 0.5, size=(h, 1)), "b2r": rng.uniform(-0.1, 0.1, size=1),
}
l2, lr, b1, b2, eps, steps = 0.01, 0.05, 0.9, 0.999, 1e-7, 3


def run(loss_kind):
    W1, bb1 = init["W1"].copy(), init["b1"].copy()
    W2, bb2 = (init["W2c"].copy(), init["b2c"].copy()) if loss_kind == "ce" else (init["W2r"].copy(), init["b2r"].copy())
    params = [W1, bb1, W2, bb2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(1, steps + 1):
        z1 = X @ W1 + bb1
        a1 = np.tanh(z1)
        out = a1 @ W2 + bb2
        if loss_kind == "ce":
            Y = np.eye(3)[labels]
            shifted = out - out.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            row = -(Y * logp).sum(axis=1)
            dout = (np.exp(logp) - Y) * (w_rows / n)[:, None]
        else:
            row = ((out - values) ** 2).mean(axis=1)
            dout = 2 * (out - values) * (w_rows / n)[:, None]
        loss = (row * w_rows).mean() + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
        losses.append(loss)
        gW2 = a1.T @ dout + 2 * l2 * W2
        gb2 = dout.sum(axis=0)
        da1 = dout @ W2.T
        dz1 = da1 * (1 - a1 ** 2)
        gW1 = X.T @ dz1 + 2 * l2 * W1
        gb1 = dz1.sum(axis=0)
        for k, g in enumerate([gW1, gb1, gW2, gb2]):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            mhat = m[k] / (1 - b1 ** t)
            vhat = v[k] / (1 - b2 ** t)
            params[k] -= lr * mhat / (np.sqrt(vhat) + eps)
    return {"losses": losses, "W1": W1.ravel().tolist(), "b1": bb1.tolist(), "W2": W2.ravel().tolist(), "b2": bb2.tolist()}


out = {
    "X": X.ravel().tolist(), "labels": labels.tolist(), "values": values.ravel().tolist(), "weights": w_rows.tolist(),
    "init": {k: v.ravel().tolist() for k, v in init.items()},
    "config": {"l2": l2, "learningRate": lr, "beta1": b1, "beta2": b2, "epsilon": eps, "epochs": steps},
    "crossEntropy": run("ce"), "mse": run("mse"),
}
with open(os.path.join(os.path.dirname(__file__), "reference.json"), "w") as f:
    json.dump(out, f)
