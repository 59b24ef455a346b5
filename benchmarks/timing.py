"""The one timing loop of the benchmarks. Harnesses that run in a peer's environment paste its source
(``inspect.getsource(timing)``): it needs only the standard library and NumPy."""

import time

import numpy as np


def median_time(call, repeats: int, warmup: int = 1) -> float:
    """Median wall time in seconds of ``call()`` over ``repeats`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return float(np.median(samples))
