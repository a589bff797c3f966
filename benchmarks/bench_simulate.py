"""Benchmark: the practical smoothed classifier at d = 150528 (``rstheory.simulate``).

Run with ``python benchmarks/bench_simulate.py``.  Prints, in one run on this
machine, the figures that the README and ``docs/simulate.md`` report:

* **votes**: one draw of :math:`g_{\\sigma,n}` at a batch of ``--points``
  points (``SmoothedClassifier.vote_counts``) for
  :class:`~rstheory.classifiers.Linear` and :class:`~rstheory.classifiers.Ball`
  at ``d = 150528`` (3 x 224 x 224), with ``n = 100`` and ``n = 10000``
  votes per point, against the naive NumPy way: draw the full noise vectors
  ``x + sigma * randn(n, d)`` (in blocks of about 2**22 numbers) and call
  ``decide`` on them.  The naive way costs 1.5e7 normals per point at
  ``n = 100``, so it is timed on ``--naive-votes`` votes at a few points and
  scaled linearly to the whole batch (its cost is linear in the number of
  votes: blocks of equal size);
* **experiments**: the Figure-1 direction scan (81 distances x 200 draws at
  ``n = 200``, :func:`~rstheory.simulate.direction_scan`), the Figure-3
  binary-search spread (16 steps x 1000 runs, ``n = 200``,
  :func:`~rstheory.simulate.binary_search_spread`) and the exact law of the
  search's end point (:func:`~rstheory.simulate.search_distribution`), each
  at ``d = 150528``.  With the naive sampler the scan alone would draw
  81 x 200 x 200 x 150528 = 4.9e11 normals (hours).

Timings are the best of ``--repeat`` calls, after a warm-up call that loads
or compiles the Numba kernels.  ``--json`` prints the rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import timeit
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from rstheory.classifiers import Ball, Linear
from rstheory.simulate import (
    SmoothedClassifier,
    binary_search_spread,
    direction_scan,
    search_distribution,
)

SIGMA = 0.25
IMAGENET = 3 * 224 * 224
#: normals drawn at once by the naive sampler (as ``monte_carlo_counts``)
BLOCK = 1 << 22


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of one call in seconds (``repeat`` calls)."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def make_cases(d: int, points: int, seed: int = 20240601) -> list[tuple[str, Any, np.ndarray]]:
    """A half-space and a ball, and ``points`` inputs near each one's smoothed frontier.

    The half-space has a random unit normal; its points sit at signed distances
    uniform in ``[-sigma, sigma]`` from it.  The ball has radius 100 about 0;
    its points are at distances uniform within ``sigma`` of the frontier of
    :math:`g_\\sigma` (``sqrt(R^2 - sigma^2 d)``, about 24.3) in random
    directions.  So every vote is a real coin flip, not a foregone answer.
    """
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    base = rng.uniform(0.0, 1.0, d)
    linear = Linear(w, -float(w @ base))
    lin_points = base + rng.uniform(-SIGMA, SIGMA, points)[:, None] * w
    ball = Ball(np.zeros(d), 100.0)
    dirs = rng.standard_normal((points, d))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    r = np.sqrt(100.0**2 - SIGMA**2 * d) + rng.uniform(-SIGMA, SIGMA, points)
    ball_points = dirs * r[:, None]
    return [("Linear", linear, lin_points), ("Ball", ball, ball_points)]


def naive_counts(f: Any, x: np.ndarray, sigma: float, n: int, rng: np.random.Generator) -> Any:
    """Counts of ``n`` votes at one point from full noise vectors ``x + sigma * randn(n, d)``."""
    counts = np.zeros(f.n_classes, dtype=np.int64)
    rows = max(1, BLOCK // x.size)
    for start in range(0, n, rows):
        m = min(rows, n - start)
        z = rng.standard_normal((m, x.size))
        z *= sigma
        z += x
        counts += np.bincount(f.decide(z), minlength=f.n_classes)
    return counts


def run_votes(
    points: int, naive_votes: int, naive_points: int, repeat: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, f, xs in make_cases(IMAGENET, points):
        for n in (100, 10_000):
            g = SmoothedClassifier(f, SIGMA, n, rng=1)
            g.vote_counts(xs[:2])  # warm-up: load the kernels
            t_fast = best_time(lambda g=g, xs=xs: g.vote_counts(xs), repeat)
            m = min(n, naive_votes)
            k = min(points, naive_points)
            rng = np.random.default_rng(2)

            def naive(
                f: Any = f,
                xs: np.ndarray = xs,
                m: int = m,
                k: int = k,
                rng: np.random.Generator = rng,
            ) -> None:
                for i in range(k):
                    naive_counts(f, xs[i], SIGMA, m, rng)

            t_naive = best_time(naive, max(1, repeat // 3)) * (n / m) * (points / k)
            # a check: the fraction of inside votes over the batch vs the mean exact pi_inside
            fast_in = g.vote_counts(xs)[:, f.inside_label].sum() / (points * n)
            exact_in = float(f.probability(xs, SIGMA)[:, f.inside_label].mean())
            rows.append(
                {
                    "classifier": name,
                    "d": IMAGENET,
                    "points": points,
                    "n": n,
                    "vote_counts_ms": t_fast * 1e3,
                    "votes_per_s": points * n / t_fast,
                    "naive_ms": t_naive * 1e3,
                    "naive_timed": f"{k} points x {m} votes",
                    "ratio": t_naive / t_fast,
                    "fraction_inside": float(fast_in),
                    "exact_mean_pi_inside": exact_in,
                }
            )
    return rows


def run_experiments(repeat: int) -> list[dict[str, Any]]:
    d = IMAGENET
    e0 = np.zeros(d)
    e0[0] = 1.0
    origin = np.zeros(d)
    cases = [
        ("Linear", Linear(e0, -1.0), 2.0),  # frontier at x_0 = 1
        ("Ball", Ball(origin, 100.0), 2.0 * np.sqrt(100.0**2 - SIGMA**2 * d)),
    ]
    rows: list[dict[str, Any]] = []
    for name, f, far in cases:
        g = SmoothedClassifier(f, SIGMA, 200, rng=3)
        distances = np.linspace(0.0, far, 81)
        tasks: list[tuple[str, Callable[[], Any]]] = [
            (
                "direction_scan: 81 distances x 200 draws, n = 200",
                lambda g=g, distances=distances: direction_scan(g, origin, e0, distances, 200),
            ),
            (
                "binary_search_spread: 16 steps x 1000 runs, n = 200",
                lambda g=g, far=far: binary_search_spread(g, origin, far * e0, 16, 1000),
            ),
            (
                "search_distribution (exact law): 16 steps, n = 200",
                lambda g=g, far=far: search_distribution(g, origin, far * e0, 16),
            ),
        ]
        for task, fn in tasks:
            fn()  # warm-up
            t = best_time(fn, repeat)
            rows.append({"classifier": name, "d": d, "task": task, "seconds": t})
        spread = binary_search_spread(g, origin, far * e0, 16, 1000)
        law = search_distribution(g, origin, far * e0, 16)
        rows[-2]["sd_sampled"] = float(np.std(spread.distances))
        p = law.probabilities / law.probabilities.sum()
        rows[-2]["sd_exact"] = float(np.sqrt(p @ (law.distances - law.mean()) ** 2))
        rows[-2]["frontier"] = spread.frontier
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=64, help="points per vote_counts batch")
    parser.add_argument(
        "--naive-votes", type=int, default=200, help="votes per point of the timed naive run"
    )
    parser.add_argument("--naive-points", type=int, default=2, help="points of the timed naive run")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of each timing (best)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    votes = run_votes(args.points, args.naive_votes, args.naive_points, args.repeat)
    experiments = run_experiments(max(1, args.repeat // 2))
    if args.json:
        print(json.dumps({"votes": votes, "experiments": experiments}, indent=2))
        return
    cores = f"{os.cpu_count()} cores ({numba.get_num_threads()} Numba threads)"
    print(f"{platform.machine()}, {cores}, NumPy {np.__version__}")
    print(
        f"one draw of g_sigma,n at {args.points} points, d = {IMAGENET}, sigma = {SIGMA} "
        "(vote_counts vs full noise vectors + decide):"
    )
    print(
        f"  {'classifier':<10} {'n':>6} {'vote_counts':>12} {'votes/s':>10} "
        f"{'full noise':>12} {'ratio':>10} {'inside':>7} {'exact':>7}"
    )
    for r in votes:
        print(
            f"  {r['classifier']:<10} {r['n']:>6} {r['vote_counts_ms']:>9.2f} ms "
            f"{r['votes_per_s']:>10.3g} {r['naive_ms'] / 1e3:>10.1f}* s {r['ratio']:>9.0f}x "
            f"{r['fraction_inside']:>7.4f} {r['exact_mean_pi_inside']:>7.4f}"
        )
    print(
        f"  * timed on {args.naive_points} points x min(n, {args.naive_votes}) votes "
        "(blocks of about 2**22 normals) and scaled linearly to the batch; inside: the "
        "fraction of inside votes in the batch, exact: the mean exact pi_inside"
    )
    print(f"the paper's experiments at d = {IMAGENET} (sigma = {SIGMA}):")
    for r in experiments:
        extra = ""
        if "sd_exact" in r:
            extra = (
                f"  (end point sd {r['sd_sampled']:.4g} sampled, {r['sd_exact']:.4g} exact; "
                f"frontier {r['frontier']:.6g})"
            )
        print(f"  {r['classifier']:<7} {r['task']:<52} {r['seconds']:>7.3f} s{extra}")


if __name__ == "__main__":
    main()
