"""Independent reference for shadowTrades.test.ts: plain-Python shadow trades on the last 1,500
BTC/USDT 1h bars. Entry rule: close[t] > close[t-5] (decided at t's close, filled at t+1's open),
long, stop-loss 2 %, take-profit 3 %, max hold 24 bars, post-exit drift over 6 bars, 10 bps fees.
Exit rule per bar: open through stop -> open; open through target -> open; low <= stop -> stop
(even if high >= target); high >= target -> target; else time exit at the close of the last bar.
Run: /usr/bin/python3 shadowReference.py > shadowReference.generated.json"""
import gzip, json, math, os

here = os.path.dirname(os.path.abspath(__file__))
rows = json.load(gzip.open(os.path.join(here, '../../../../fixtures/ohlcv/BTC_USDT-1h.json.gz')))[-1500:]
O, H, L, C = ([r[k] for r in rows] for k in (1, 2, 3, 4))
n = len(C)
trades = []
for t in range(5, n - 1):
    if not C[t] > C[t - 5]:
        continue
    e = t + 1
    entry = O[e]
    stop, target = entry * 0.98, entry * 1.03
    hi = lo = entry
    exit_i = exit_p = None
    reason = None
    last = min(n - 1, e + 23)
    for j in range(e, last + 1):
        if O[j] <= stop: exit_i, exit_p, reason = j, O[j], 'stopLoss'
        elif O[j] >= target: exit_i, exit_p, reason = j, O[j], 'takeProfit'
        elif L[j] <= stop: exit_i, exit_p, reason = j, stop, 'stopLoss'
        elif H[j] >= target: exit_i, exit_p, reason = j, target, 'takeProfit'
        if exit_i is not None:
            break
        hi, lo = max(hi, H[j]), min(lo, L[j])
    if exit_i is None:
        exit_i, exit_p = last, C[last]
        reason = 'timeExit' if last == e + 23 else 'endOfData'
    hi, lo = max(hi, exit_p), min(lo, exit_p)
    ret = (exit_p - entry) / entry - 0.001 * (1 + exit_p / entry)
    drift = (C[exit_i + 6] - exit_p) / exit_p if exit_i + 6 < n else None
    trades.append({'decisionIndex': t, 'exitIndex': exit_i, 'exitPrice': exit_p, 'exitReason': reason, 'returnPct': ret,
                   'mfe': (hi - entry) / entry, 'mae': (entry - lo) / entry, 'postExitDrift': drift})
print(json.dumps(trades))
