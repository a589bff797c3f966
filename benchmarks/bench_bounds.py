"""Benchmark: rstheory's Clopper-Pearson kernels against SciPy and statsmodels.

Run with ``python benchmarks/bench_bounds.py`` (after ``pip install '.[bench]'``).
Prints, in one run on this machine, the ratios that the README reports:

* 1e6 random (k, n) one-sided lower bounds (``n`` log-uniform in [10, 1e6],
  ``k`` uniform in [0, n], alpha = 1e-3): ``rstheory.clopper_pearson_lower``
  on all cores versus SciPy's vectorized ``scipy.special.betaincinv`` (which
  is not sound, see the README; here only timed).
* One scalar bound from Python: ``rstheory.clopper_pearson_lower(990, 1000,
  1e-3)`` versus ``statsmodels.stats.proportion.proportion_confint(990, 1000,
  2e-3, method="beta")``.

Timings are the best of several repeats (``timeit``), after a warm-up call
that loads or compiles the Numba kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import timeit

import numba
import numpy as np
import scipy
import scipy.special as sc

from rstheory.bounds import clopper_pearson_lower


def random_counts(size: int, seed: int = 20261123) -> tuple[np.ndarray, np.ndarray]:
    """The benchmark's (k, n): n log-uniform in [10, 1e6], k uniform in [0, n]."""
    rng = np.random.default_rng(seed)
    n = np.floor(10.0 ** rng.uniform(1.0, 6.0, size))
    k = np.minimum(np.floor(rng.uniform(0.0, 1.0, size) * (n + 1.0)), n)
    return k, n


def best(fn, number: int, repeat: int) -> float:
    """Best time per call in seconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def run(size: int = 1_000_000, repeat: int = 3) -> dict[str, float]:
    k, n = random_counts(size)
    alpha = 1e-3
    clopper_pearson_lower(k[:10], n[:10], alpha)  # warm-up: load the cached kernels
    t_ours = best(lambda: clopper_pearson_lower(k, n, alpha), 1, repeat)
    a = np.where(k > 0, k, 1.0)  # SciPy gives NaN at k = 0; time it on valid shapes
    t_scipy = best(lambda: sc.betaincinv(a, n - k + 1.0, alpha), 1, repeat)

    clopper_pearson_lower(990, 1000, alpha)
    t_scalar = best(lambda: clopper_pearson_lower(990, 1000, alpha), 2000, 5)
    result = {
        "vector_size": float(size),
        "vector_rstheory_s": t_ours,
        "vector_scipy_betaincinv_s": t_scipy,
        "vector_ratio_vs_scipy": t_scipy / t_ours,
        "scalar_rstheory_us": t_scalar * 1e6,
    }
    try:
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:  # pragma: no cover - statsmodels is in the bench extra
        return result
    t_sm = best(lambda: proportion_confint(990, 1000, 2 * alpha, method="beta"), 200, 5)
    result["scalar_statsmodels_us"] = t_sm * 1e6
    result["scalar_ratio_vs_statsmodels"] = t_sm / t_scalar
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    res = run(args.size, args.repeat)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"numba threads {numba.get_num_threads()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}"
    )
    print(
        f"{int(res['vector_size']):,} lower bounds: rstheory {res['vector_rstheory_s']:.3f} s, "
        f"scipy betaincinv {res['vector_scipy_betaincinv_s']:.3f} s "
        f"-> {res['vector_ratio_vs_scipy']:.2f}x SciPy (target >= 1.8x)"
    )
    line = f"scalar bound from Python: rstheory {res['scalar_rstheory_us']:.2f} us (target <= 5 us)"
    if "scalar_statsmodels_us" in res:
        line += (
            f", statsmodels proportion_confint {res['scalar_statsmodels_us']:.1f} us "
            f"-> {res['scalar_ratio_vs_statsmodels']:.0f}x (target >= 25x)"
        )
    print(line)


if __name__ == "__main__":
    main()
