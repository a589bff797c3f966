"""Benchmark: d-independent vote sampling (``rstheory.classifiers``) against full noise vectors.

Run with ``python benchmarks/bench_classifiers.py``.  Prints, in one run on
this machine, the figures that the README reports:

* counting ``N = 1e5`` noisy votes :math:`f(x + \\sigma N_i)` of
  :class:`~rstheory.classifiers.Linear` and :class:`~rstheory.classifiers.Ball`
  with ``sample_counts``, which draws the one (Linear: :math:`Z`) or two
  (Ball: :math:`Z_1` and a :math:`\\chi^2_{d-1}`) statistics a vote depends
  on, at ``d = 10`` and at ``d = 150528`` (an ImageNet input, 3 x 224 x 224);
  targets: the same cost at both sizes (ratio ~1) and >= 100x faster than
  drawing the full noise vectors at ``d = 150528``;
* the naive way, :func:`~rstheory.classifiers.monte_carlo_counts`: draw the
  ``N x d`` Gaussian noise in batches (about 2**22 numbers each) and call
  ``decide`` on them.  At ``d = 150528`` that is 1.5e10 normals for all
  ``N`` votes (minutes), so it is timed on ``--naive-votes`` votes (default
  1000) and scaled linearly to ``N`` (its cost is linear in the number of
  votes: batches of equal size); at ``d = 10`` it is timed on all ``N``;
* one exact ``probability(x, sigma)`` at each size, for comparison.

Timings are medians of several repeats, after a warm-up call that loads or
compiles the Numba kernels.  ``--json`` prints the rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import timeit
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from rstheory.classifiers import Ball, Linear, monte_carlo_counts

SIGMA = 0.25
IMAGENET = 3 * 224 * 224


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of one call in seconds (``repeat`` calls)."""
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeat))


def make_cases(d: int, seed: int = 20240601) -> list[tuple[str, Any, np.ndarray]]:
    """A half-space and a ball with smoothed probabilities near 0.3 at ``x``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, d)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    linear = Linear(w, -float(w @ x) - 0.5 * SIGMA)  # t = -0.5: pi_inside = 0.31
    centre = x + 0.02 * rng.standard_normal(d)
    # R^2/sigma^2 at 0.5 sd below the mean d + nc of the noncentral chi-square
    nc = float(np.sum((x - centre) ** 2)) / SIGMA**2
    r2 = d + nc - 0.5 * np.sqrt(2.0 * (d + 2.0 * nc))
    ball = Ball(centre, SIGMA * float(np.sqrt(r2)))
    return [("Linear", linear, x), ("Ball", ball, x)]


def run(n: int, naive_votes: int, repeat: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for d in (10, IMAGENET):
        for name, f, x in make_cases(d):
            f.sample_counts(x, SIGMA, 10, rng=0)  # warm-up: load the kernels
            f.probability(x, SIGMA)
            rng = np.random.default_rng(1)
            m = n if d <= 1000 else naive_votes

            def fast(f: Any = f, x: np.ndarray = x, rng: np.random.Generator = rng) -> Any:
                return f.sample_counts(x, SIGMA, n, rng=rng)

            def exact(f: Any = f, x: np.ndarray = x) -> Any:
                return f.probability(x, SIGMA)

            def naive(
                f: Any = f, x: np.ndarray = x, m: int = m, rng: np.random.Generator = rng
            ) -> Any:
                return monte_carlo_counts(f, x, SIGMA, m, rng=rng)

            t_fast = median_time(fast, repeat)
            t_exact = median_time(exact, repeat)
            t_naive = median_time(naive, repeat if d <= 1000 else max(1, repeat // 4)) * (n / m)
            counts = f.sample_counts(x, SIGMA, n, rng=2)
            p = f.probability(x, SIGMA)
            rows.append(
                {
                    "classifier": name,
                    "d": d,
                    "votes": n,
                    "sample_counts_ms": t_fast * 1e3,
                    "naive_ms": t_naive * 1e3,
                    "naive_votes_timed": m,
                    "ratio": t_naive / t_fast,
                    "probability_ms": t_exact * 1e3,
                    "pi_inside": float(p[f.inside_label]),
                    "fraction_inside": float(counts[f.inside_label]) / n,
                }
            )
    small = {r["classifier"]: r for r in rows if r["d"] == 10}
    for r in rows:
        r["cost_vs_d10"] = r["sample_counts_ms"] / small[r["classifier"]]["sample_counts_ms"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="votes counted")
    parser.add_argument(
        "--naive-votes", type=int, default=1000, help="votes of the timed naive run at d=150528"
    )
    parser.add_argument("--repeat", type=int, default=9, help="repeats of each timing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.n, args.naive_votes, args.repeat)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    cores = f"{os.cpu_count()} cores ({numba.get_num_threads()} Numba threads)"
    print(f"{platform.machine()}, {cores}, NumPy {np.__version__}")
    print(
        f"counting N = {args.n} votes at sigma = {SIGMA} (targets: same cost at d = 10 and "
        f"d = {IMAGENET}; >= 100x faster than full noise at d = {IMAGENET}):"
    )
    print(
        f"  {'classifier':<10} {'d':>7} {'sample_counts':>14} {'vs d=10':>8} "
        f"{'full noise':>12} {'ratio':>9} {'exact pi':>9} {'pi_inside':>9} {'votes in':>9}"
    )
    for r in rows:
        scaled = "" if r["naive_votes_timed"] == r["votes"] else "*"
        print(
            f"  {r['classifier']:<10} {r['d']:>7} {r['sample_counts_ms']:>11.2f} ms "
            f"{r['cost_vs_d10']:>7.2f}x {r['naive_ms']:>10.0f}{scaled:1} ms "
            f"{r['ratio']:>8.0f}x {r['probability_ms']:>6.3f} ms {r['pi_inside']:>9.4f} "
            f"{r['fraction_inside']:>9.4f}"
        )
    print(
        f"  * timed on {args.naive_votes} votes (batches of about 2**22 normals) and scaled "
        f"linearly to {args.n}"
    )
    for r in rows:
        if r["d"] == IMAGENET:
            ok = r["ratio"] >= 100.0
            print(
                f"  {r['classifier']} at d = {IMAGENET}: {r['ratio']:.0f}x faster than full "
                f"noise ({'meets' if ok else 'MISSES'} >= 100x), {r['cost_vs_d10']:.2f}x the "
                "cost at d = 10"
            )


if __name__ == "__main__":
    main()
