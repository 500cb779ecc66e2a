"""Timing helpers shared by the benchmark scripts."""
from __future__ import annotations

import time

import numpy as np


def best_time(fn, min_total: float, repeats: int) -> float:
    """Best per-call time: `repeats` rounds, each calling fn enough times to last about min_total/repeats."""
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    calls = max(1, int(min_total / repeats / once))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def best_times(fns, min_total: float, repeats: int) -> list[float]:
    """Best per-call time of each of `fns`, measured interleaved: every round times a batch of each in
    turn, so a burst of load on this (shared, virtual) machine slows all sides of a comparison alike
    instead of whichever happened to be running. Each batch lasts about min_total/repeats."""
    calls = []
    for fn in fns:
        t0 = time.perf_counter()
        fn()
        once = max(time.perf_counter() - t0, 1e-7)
        calls.append(max(1, int(min_total / repeats / once)))
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(calls[i]):
                fn()
            best[i] = min(best[i], (time.perf_counter() - t0) / calls[i])
    return best


def compare(nc, ours, data, enc_nc, enc_bw, min_total: float, repeats: int) -> dict:
    """MB/s of numcodecs' and brickwork's encode and decode of `data` (each decoding its own output),
    timed interleaved, plus both compression ratios."""
    n = data.nbytes
    enc_nc_t, enc_bw_t = best_times([lambda: nc.encode(data), lambda: ours.encode(data)], min_total, repeats)
    dec_nc_t, dec_bw_t = best_times([lambda: nc.decode(enc_nc), lambda: ours.decode(enc_bw)], min_total, repeats)
    return {
        "enc_nc": n / enc_nc_t / 1e6,
        "enc_bw": n / enc_bw_t / 1e6,
        "dec_nc": n / dec_nc_t / 1e6,
        "dec_bw": n / dec_bw_t / 1e6,
        "ratio_nc": n / len(enc_nc),
        "ratio_bw": n / len(enc_bw),
    }


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return float(np.exp(np.mean(np.log(xs)))) if xs else float("nan")
