"""Independent reference for vectorized.test.ts: a plain-Python cash/units simulation of
MA(10)/MA(30) long/short crossover on the last 600 BTC/USDT 1h bars, next-open and same-close
fills, 10 bps fees, 5 bps slippage. Run: /usr/bin/python3 vectorizedReference.py > vectorizedReference.generated.json"""
import gzip, json, os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rows = json.load(gzip.open(os.path.join(here, '../../../../fixtures/ohlcv/BTC_USDT-1h.json.gz')))[-600:]
o = np.array([r[1] for r in rows], float); c = np.array([r[4] for r in rows], float)
fast = np.convolve(c, np.ones(10) / 10, 'full')[: len(c)]; slow = np.convolve(c, np.ones(30) / 30, 'full')[: len(c)]
pos = np.where(fast > slow, 1.0, -1.0); pos[:29] = 0.0

def simulate(next_open, fee, slip):
    cash, units, cur = 1000.0, 0.0, 0.0
    eq = []
    for i in range(len(c)):
        if next_open:
            want, px = (pos[i - 1] if i > 0 else 0.0), o[i]
        else:
            want, px = pos[i], c[i]
        if want != cur:
            e = cash + units * px
            ex = px * (1 + slip) if want * e > units * px else px * (1 - slip)
            desired = want * e / ex  # units sized at the execution price
            dq = desired - units
            cash -= dq * ex + abs(dq) * ex * fee
            units = desired; cur = want
        eq.append(cash + units * c[i])
    return eq

print(json.dumps({'positions': pos.tolist(), 'nextOpen': simulate(True, 10e-4, 5e-4), 'sameClose': simulate(False, 10e-4, 5e-4)}))
