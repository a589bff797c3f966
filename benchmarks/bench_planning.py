"""Benchmark: sample-size planning (``rstheory.planning``) against the SciPy code users write.

Run with ``python benchmarks/bench_planning.py`` (after ``pip install '.[bench]'``).
Prints, in one run on this machine, the two speed targets that the README reports:

* ``required_n`` for answers up to ``n = 1e7``: fifteen ``(radius, sigma, p,
  power)`` cases whose answers span 1e3 to 1e7 (alpha = 1e-3), with the first
  definition (``stable=False``) and the stable one (``stable=True``); the
  median time of one call over repeats, in milliseconds (target: < 10 ms per
  call for every case).
* ``expected_radius`` and ``radius_distribution`` at ``n = 1e5`` against the
  natural full SciPy sum over every count ``k = 1..n`` (``k = 0`` gives 0)::

      lower = scipy.special.betaincinv(k, n - k + 1, alpha)
      radius = sigma * scipy.stats.norm.ppf(lower), 0 where lower < 1/2
      E[R] = sum(radius * scipy.stats.binom.pmf(k, n, p))

  the median times, the ratio (target: rstheory >= 50x faster) and the
  absolute difference of the two expectations (target: <= 1e-12).

Timings are medians of several repeats, after a warm-up call that loads or
compiles the Numba kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import scipy
import scipy.special as sc
import scipy.stats as st

from rstheory.planning import expected_radius, radius_distribution, required_n

ALPHA = 1e-3

#: ``(radius, sigma, p, power)``: answers from about 1e3 to 1e7 samples (alpha = 1e-3).
REQUIRED_N_CASES: tuple[tuple[float, float, float, float], ...] = (
    (1.1173, 1.0, 0.9, 0.5),
    (1.229, 1.0, 0.9, 0.5),
    (1.2649, 1.0, 0.9, 0.5),
    (1.2763, 1.0, 0.9, 0.5),
    (1.2799, 1.0, 0.9, 0.5),
    (0.943, 0.5, 0.99, 0.9),
    (1.08645, 0.5, 0.99, 0.9),
    (1.1379, 0.5, 0.99, 0.9),
    (1.15505, 0.5, 0.99, 0.9),
    (1.1606, 0.5, 0.99, 0.9),
    (0.544325, 0.25, 0.999, 0.99),
    (0.6735, 0.25, 0.999, 0.99),
    (0.73605, 0.25, 0.999, 0.99),
    (0.76025, 0.25, 0.999, 0.99),
    (0.768575, 0.25, 0.999, 0.99),
)

#: ``(p, sigma)`` of the expected-radius comparison at ``n = 1e5``.
EXPECTED_CASES: tuple[tuple[float, float], ...] = (
    (0.6, 0.25),
    (0.9, 0.25),
    (0.99, 0.25),
    (0.999, 0.5),
)


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of one call in seconds (``repeat`` calls)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def scipy_expected_radius(p: float, n: int, sigma: float, alpha: float) -> float:
    """The full SciPy sum over every count (what a user would write)."""
    k = np.arange(1, n + 1, dtype=np.float64)
    lower = sc.betaincinv(k, n - k + 1.0, alpha)
    radius = np.where(lower < 0.5, 0.0, sigma * st.norm.ppf(lower))
    return float(np.sum(radius * st.binom.pmf(k, n, p)))


def run_required_n(repeat: int = 21) -> list[dict[str, Any]]:
    required_n(1.0, 1.0, ALPHA, 0.9)  # warm-up: load the cached kernels
    required_n(1.0, 1.0, ALPHA, 0.9, stable=True)
    rows = []
    for radius, sigma, p, power in REQUIRED_N_CASES:
        for stable in (False, True):
            n = required_n(radius, sigma, ALPHA, p, power, stable=stable)
            t = median_time(
                lambda r=radius, s=sigma, q=p, w=power, b=stable: required_n(
                    r, s, ALPHA, q, w, stable=b
                ),
                repeat,
            )
            rows.append(
                {
                    "radius": radius,
                    "sigma": sigma,
                    "p": p,
                    "power": power,
                    "stable": stable,
                    "n": n,
                    "ms": t * 1e3,
                }
            )
    return rows


def run_expected(n: int = 100_000, repeat: int = 7) -> list[dict[str, Any]]:
    expected_radius(0.9, 1000, 0.25, ALPHA)  # warm-up
    radius_distribution(0.9, 1000, 0.25, ALPHA)
    rows = []
    for p, sigma in EXPECTED_CASES:
        ours = expected_radius(p, n, sigma, ALPHA)
        theirs = scipy_expected_radius(p, n, sigma, ALPHA)
        t_ours = median_time(lambda q=p, s=sigma: expected_radius(q, n, s, ALPHA), repeat)
        t_dist = median_time(lambda q=p, s=sigma: radius_distribution(q, n, s, ALPHA), repeat)
        t_scipy = median_time(
            lambda q=p, s=sigma: scipy_expected_radius(q, n, s, ALPHA), max(3, repeat // 2)
        )
        rows.append(
            {
                "p": p,
                "n": n,
                "sigma": sigma,
                "expected_radius": ours,
                "scipy_expected_radius": theirs,
                "abs_difference": abs(ours - theirs),
                "window": int(radius_distribution(p, n, sigma, ALPHA).count.size),
                "rstheory_expected_ms": t_ours * 1e3,
                "rstheory_distribution_ms": t_dist * 1e3,
                "scipy_ms": t_scipy * 1e3,
                "ratio_expected": t_scipy / t_ours,
                "ratio_distribution": t_scipy / t_dist,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="repeats of each required_n call")
    parser.add_argument("--n", type=int, default=100_000, help="n of the expected-radius part")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    req = run_required_n(args.repeat)
    exp = run_expected(args.n)
    if args.json:
        print(json.dumps({"required_n": req, "expected_radius": exp}, indent=2))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"numba threads {numba.get_num_threads()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}"
    )
    print(f"required_n (alpha = {ALPHA:g}), median of {args.repeat} calls (target < 10 ms):")
    print(f"  {'radius':>9} {'sigma':>5} {'p':>6} {'power':>5} {'stable':>6} {'n':>10} {'ms':>7}")
    for r in req:
        print(
            f"  {r['radius']:>9g} {r['sigma']:>5g} {r['p']:>6g} {r['power']:>5g} "
            f"{str(r['stable']):>6} {r['n']:>10} {r['ms']:>7.3f}"
        )
    worst = max(req, key=lambda r: r["ms"])
    print(
        f"  slowest: {worst['ms']:.3f} ms at n = {worst['n']} "
        f"({'stable' if worst['stable'] else 'first'} definition) -> "
        f"{'meets' if worst['ms'] < 10 else 'MISSES'} the < 10 ms target"
    )
    print(
        f"expected radius at n = {args.n} (alpha = {ALPHA:g}) vs the full SciPy sum "
        "(targets: >= 50x, |difference| <= 1e-12):"
    )
    for r in exp:
        print(
            f"  p = {r['p']:g}, sigma = {r['sigma']:g} (window {r['window']} counts): "
            f"expected_radius {r['rstheory_expected_ms']:.3f} ms, radius_distribution "
            f"{r['rstheory_distribution_ms']:.3f} ms, SciPy {r['scipy_ms']:.1f} ms -> "
            f"{r['ratio_expected']:.0f}x / {r['ratio_distribution']:.0f}x; "
            f"E[R] = {r['expected_radius']!r}, |difference| {r['abs_difference']:.1e}"
        )


if __name__ == "__main__":
    main()
