/*
 * TA-Lib C timing harness for the candlelab indicators benchmark. Built by bench/indicators.ts
 * against the TA-Lib static library that the npm `talib` package compiles, so TA-Lib is timed on
 * its computation alone (no JS <-> C array conversion).
 * Usage: talib-harness <bars> <repeat> [SMA|EMA|RSI|MACD|BBANDS|ATR]
 * Prints one line per indicator run: "<NAME> <best seconds>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ta_libc.h"

/* Wall-clock time, as the JS side measures it (best of the repeats filters out other load). */
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned long long state = 0x9E3779B97F4A7C15ULL;
static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (double)(state >> 11) * (1.0 / 9007199254740992.0);
}

#define TIME(NAME, CALL)                                   \
  do {                                                     \
    if (only && strcmp(only, NAME) != 0) break;            \
    double best = 1e30;                                    \
    CALL; /* untimed warm-up run: caches, page faults */   \
    for (int r = 0; r < repeat; r++) {                     \
      double t0 = now();                                   \
      TA_RetCode rc = CALL;                                \
      double dt = now() - t0;                              \
      if (rc != TA_SUCCESS) {                              \
        fprintf(stderr, "%s failed: %d\n", NAME, (int)rc); \
        return 1;                                          \
      }                                                    \
      if (dt < best) best = dt;                            \
    }                                                      \
    printf("%s %.9f\n", NAME, best);                       \
    fflush(stdout);                                        \
  } while (0)

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000000;
  int repeat = argc > 2 ? atoi(argv[2]) : 3;
  const char *only = argc > 3 ? argv[3] : NULL;
  double *high = malloc(sizeof(double) * n), *low = malloc(sizeof(double) * n), *close = malloc(sizeof(double) * n);
  double *o1 = malloc(sizeof(double) * n), *o2 = malloc(sizeof(double) * n), *o3 = malloc(sizeof(double) * n);
  if (!high || !low || !close || !o1 || !o2 || !o3) return 2;
  memset(o1, 0, sizeof(double) * n); /* touch the output pages, as the JS side's buffers are */
  memset(o2, 0, sizeof(double) * n);
  memset(o3, 0, sizeof(double) * n);
  double price = 30000.0;
  for (int i = 0; i < n; i++) {
    price *= 1.0 + (uniform() - 0.5) * 0.01;
    close[i] = price;
    high[i] = price * (1.0 + uniform() * 0.005);
    low[i] = price * (1.0 - uniform() * 0.005);
  }
  TA_Initialize();
  int beg, nb;
  TIME("SMA", TA_SMA(0, n - 1, close, 20, &beg, &nb, o1));
  TIME("EMA", TA_EMA(0, n - 1, close, 20, &beg, &nb, o1));
  TIME("RSI", TA_RSI(0, n - 1, close, 14, &beg, &nb, o1));
  TIME("MACD", TA_MACD(0, n - 1, close, 12, 26, 9, &beg, &nb, o1, o2, o3));
  TIME("BBANDS", TA_BBANDS(0, n - 1, close, 20, 2.0, 2.0, TA_MAType_SMA, &beg, &nb, o1, o2, o3));
  TIME("ATR", TA_ATR(0, n - 1, high, low, close, 14, &beg, &nb, o1));
  TA_Shutdown();
  return 0;
}
