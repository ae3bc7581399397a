"""Reference membership values for @candlelab/fuzzy, written independently of the TypeScript code.

The formulas follow scikit-fuzzy's skfuzzy.membership (trimf, trapmf, gaussmf, gbellmf, sigmf),
re-implemented here with numpy only (scikit-fuzzy is not installed on the build machine):
masks over the x vector exactly as scikit-fuzzy does, with NaN inputs carried through as NaN.

Run: /usr/bin/python3 packages/fuzzy/reference/membership.py > packages/fuzzy/reference/membership.generated.json
"""
import json

import numpy as np


def trimf(x, a, b, c):
    y = np.zeros(len(x))
    if a != b:
        idx = np.nonzero(np.logical_and(a < x, x < b))[0]
        y[idx] = (x[idx] - a) / float(b - a)
    if b != c:
        idx = np.nonzero(np.logical_and(b < x, x < c))[0]
        y[idx] = (c - x[idx]) / float(c - b)
    y[np.nonzero(x == b)] = 1
    y[np.isnan(x)] = np.nan
    return y


def trapmf(x, a, b, c, d):
    y = np.ones(len(x))
    idx = np.nonzero(x <= b)[0]
    y[idx] = trimf(x[idx], a, b, b)
    idx = np.nonzero(x >= c)[0]
    y[idx] = trimf(x[idx], c, c, d)
    y[np.nonzero(x < a)[0]] = 0
    y[np.nonzero(x > d)[0]] = 0
    y[np.isnan(x)] = np.nan
    return y


def gaussmf(x, mean, sigma):
    return np.exp(-((x - mean) ** 2.0) / (2 * sigma**2.0))


def gbellmf(x, a, b, c):
    return 1.0 / (1.0 + np.abs((x - c) / a) ** (2 * b))


def sigmf(x, center, slope):
    return 1.0 / (1.0 + np.exp(-slope * (x - center)))


FUNCTIONS = {
    "triangular": trimf,
    "trapezoidal": trapmf,
    "gaussian": gaussmf,
    "generalizedBell": gbellmf,
    "sigmoid": sigmf,
}

CASES = [
    ("triangular", [0, 30, 50]),
    ("triangular", [0, 0, 30]),
    ("triangular", [70, 100, 100]),
    ("triangular", [-0.5, 0.25, 1.75]),
    ("trapezoidal", [0, 0, 20, 35]),
    ("trapezoidal", [25, 40, 60, 75]),
    ("trapezoidal", [65, 80, 100, 100]),
    ("trapezoidal", [-1, 0, 0, 1]),
    ("gaussian", [50, 10]),
    ("gaussian", [0, 0.002]),
    ("generalizedBell", [20, 2, 50]),
    ("generalizedBell", [0.5, 0.75, -1]),
    ("sigmoid", [70, 0.3]),
    ("sigmoid", [30, -0.3]),
    ("sigmoid", [0, -2000]),
]


def main():
    rng = np.random.default_rng(5)
    grid = np.concatenate(
        [
            np.linspace(-10, 110, 241),
            np.array([0, 20, 25, 30, 35, 40, 50, 60, 65, 70, 75, 80, 100, -0.5, 0.25, 1.75, -1, 1, 0.002]),
            rng.normal(50, 30, 60),
            rng.normal(0, 0.01, 30),
        ]
    )
    x = np.concatenate([grid, [np.nan]])
    out = {"source": "skfuzzy.membership formulas re-implemented with numpy", "x": [None if np.isnan(v) else float(v) for v in x], "cases": []}
    for name, params in CASES:
        y = FUNCTIONS[name](x.astype(float), *params)
        out["cases"].append({"type": name, "parameters": params, "y": [None if np.isnan(v) else float(v) for v in y]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
