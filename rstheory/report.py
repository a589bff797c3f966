"""The verification report: the project's main job.

:func:`write_report` checks every public kernel against its 50-digit mpmath
twin in :mod:`rstheory.reference` on a fixed, deterministic grid that reaches
the extreme tails, counts unsound results (a lower bound or a radius above
the exact value, an upper bound below it), times the bounds against the
tools users would otherwise use (SciPy, statsmodels), draws the figures of
:mod:`rstheory.plots`, and writes ``report.md`` (with PNG figures and a
machine-readable ``report.json``) into a directory.

Two more sections check the sample-size planning of :mod:`rstheory.planning`
(maximal radius, threshold count, certification probability, required ``n``,
the law of the radius, abstention, PREDICT's least ``n``) and the level-Pa
thresholds of :mod:`rstheory.levels` against their twins, with the same
bookkeeping (unsound, NaN, errors, maximal relative error).  A SORM section
checks :mod:`rstheory.sorm`, and a simulation section
(:mod:`rstheory._report_simulate`) runs the experiments of Maho et al. 2022
with :mod:`rstheory.simulate` against exact answers and draws their figures;
with torch and scikit-learn installed, a digits section
(:mod:`rstheory._report_digits`) attacks smoothed digits models.

Where the mpmath root solve is expensive (the centre of a binomial
distribution with ``n`` of about ``1e7`` or more, up to ``n = 2**53``) the
bound is checked for soundness only, with one exact tail evaluation
(:func:`rstheory.reference.lower_bound_is_sound` and
:func:`~rstheory.reference.upper_bound_is_sound`).

Run it with ``rstheory report --out DIR`` (or ``--quick`` for the small grid
that the test-suite uses).
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from rstheory import _report_digits, _report_simulate, _report_sorm

__all__ = [
    "write_report",
    "read_summary",
    "KernelCheck",
    "KERNELS",
    "PLANNING_KERNELS",
    "LEVELS_KERNELS",
    "SORM_KERNELS",
]

#: The kernels in the error table, in order (one row each).
KERNELS: tuple[str, ...] = (
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "clopper_pearson",
    "gaussian_radius",
    "gaussian_radius_two",
    "laplace_radius",
    "uniform_radius",
    "linf_radius_from_l2",
    "l2_radius_for_linf",
    "certify",
)

#: The rows of the planning section (:mod:`rstheory.planning`), in order.
PLANNING_KERNELS: tuple[str, ...] = (
    "max_radius",
    "threshold_count",
    "certification_probability",
    "required_n",
    "radius_distribution",
    "expected_radius",
    "abstain_probability",
    "predict_min_n",
)

#: The rows of the levels section (:mod:`rstheory.levels`), in order.
LEVELS_KERNELS: tuple[str, ...] = (
    "majority_vote_probability",
    "level_threshold",
    "level_distance_bound",
)

#: The rows of the SORM section (:mod:`rstheory.sorm`), in order.
SORM_KERNELS: tuple[str, ...] = _report_sorm.SORM_KERNELS

#: The summary table's formula families: (family, module, kernels), in order.
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Clopper-Pearson bounds", "bounds", KERNELS[:3]),
    ("Radii and norm conversions", "radius", KERNELS[3:9]),
    ("PREDICT and CERTIFY", "certify", KERNELS[9:]),
    ("Sample-size planning", "planning", PLANNING_KERNELS),
    ("Level-Pa thresholds", "levels", LEVELS_KERNELS),
    ("SORM and exact quadrics", "sorm", SORM_KERNELS),
)

_SEED = 20190208  # arXiv:1902.02918; every random input of the report derives from it
_DPS = 50
#: Bounds with n above the grid's twin limit and both k and n - k above this are
#: checked for soundness only (the 50-digit root solve is slow near the centre of huge n).
_TWIN_TAIL = 2
_SMALLEST_NORMAL = 2.2250738585072014e-308


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class KernelCheck:
    """Result of checking one kernel against its mpmath twin."""

    name: str
    direction: str  # "lower": must not exceed exact; "upper": must not be below it
    points: int = 0
    compared: int = 0
    sound_only: int = 0
    max_rel_err: float = 0.0
    worst: str = ""
    unsound: int = 0
    nan: int = 0
    mismatches: int = 0
    subnormal: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def failed(self) -> bool:
        """True when the kernel gave an unsound or NaN result, or it or its twin raised."""
        return bool(self.unsound or self.nan or self.errors)

    def fail(self, exc: BaseException, where: str = "") -> None:
        """Record an exception (of the kernel or of its twin) as a failure."""
        self.errors += 1
        text = _one_line(f"{type(exc).__name__}: {exc}")
        if self.error is None:
            self.error = text + (f" (at {where})" if where else "")
        if where:
            self._example(f"{where}: {text}")

    def _example(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)

    def compare(
        self,
        computed: float,
        exact: Any,
        where: str,
        direction: str | None = None,
        scale: Any = None,
    ) -> None:
        """Record one twin comparison (``exact`` is an mpmath number).

        ``direction`` overrides the row's (``"lower"``, ``"upper"``, or
        anything else for a plain value with no safe side); ``scale``, when
        given, replaces ``|exact|`` as the denominator of the relative error
        (a bound documented relative to a magnitude, not to its own value).
        """
        import mpmath

        self.points += 1
        self.compared += 1
        direction = direction or self.direction
        c = float(computed)
        if math.isnan(c):
            self.nan += 1
            self._example(f"NaN at {where}")
            return
        e = mpmath.mpf(exact)
        if mpmath.isinf(e) or math.isinf(c):
            rel = 0.0 if mpmath.mpf(c) == e else math.inf
        elif 0 < abs(e) < _SMALLEST_NORMAL:
            # below the normal range a result may be flushed to 0 (documented, safe);
            # such points count for soundness only, not for the error column
            self.subnormal += 1
            rel = 0.0
        else:
            diff = abs(mpmath.mpf(c) - e)
            if scale is not None and mpmath.mpf(scale) > 0:
                rel = float(diff / mpmath.mpf(scale))
            else:
                rel = float(diff / abs(e)) if e != 0 else float(diff)
        if rel > self.max_rel_err or (not self.worst and rel == self.max_rel_err):
            self.max_rel_err = rel
            self.worst = where
        unsafe = (direction == "lower" and mpmath.mpf(c) > e) or (
            direction == "upper" and mpmath.mpf(c) < e
        )
        if unsafe:
            self.unsound += 1
            self._example(f"{where}: got {c!r}, exact {mpmath.nstr(e, 20)}")

    def sound(self, ok: bool, computed: float, where: str) -> None:
        """Record one soundness-only check (no twin value)."""
        self.points += 1
        self.sound_only += 1
        if math.isnan(float(computed)):
            self.nan += 1
            self._example(f"NaN at {where}")
        elif not ok:
            self.unsound += 1
            self._example(f"{where}: got {float(computed)!r}, on the unsafe side")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (non-finite error as a string)."""
        d = dict(self.__dict__)
        if not math.isfinite(self.max_rel_err):
            d["max_rel_err"] = "inf"
        d["failed"] = self.failed()
        return d


def _one_line(text: str, limit: int = 160) -> str:
    """Collapse whitespace (Markdown table cells) and truncate."""
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _run_check(check: KernelCheck, body: Callable[[KernelCheck], None]) -> KernelCheck:
    t0 = time.perf_counter()
    try:
        body(check)
    except Exception as exc:  # a crash is reported as a failure, not raised
        check.fail(exc)
    check.seconds = time.perf_counter() - t0
    return check


def _check_one(name: str, quick: bool) -> KernelCheck:
    """Check one kernel against its twin (module level: runs in a worker process too)."""
    return _run_check(KernelCheck(name, _DIRECTIONS.get(name, "lower")), _CHECKS[name](quick))


#: Check rows by their cost in the default run (seconds on one core), most expensive
#: first, so that a pool of workers finishes together; the others cost about a second.
_COST = {
    "paraboloid_probability": 43,
    "smoothed_frontier_offset": 27,
    "clopper_pearson_lower": 21,
    "clopper_pearson_upper": 10,
    "clopper_pearson": 9,
    "required_n": 6,
    "sphere_probability": 5,
    "certification_probability": 4,
}


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None, float]:
    """``(fn(*args), None, seconds)``, or ``(None, error text, seconds)`` if it raised."""
    t0 = time.perf_counter()
    try:
        value, error = fn(*args), None
    except Exception as exc:
        value, error = None, f"{type(exc).__name__}: {exc}"
    return value, error, time.perf_counter() - t0


def _run_checks(
    names: Sequence[str],
    quick: bool,
    workers: int,
    say: Callable[[str], None],
    studies: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] | None = None,
) -> tuple[dict[str, KernelCheck], dict[str, tuple[Any, str | None, float]]]:
    """Every check of ``names`` and every study, in ``workers`` processes (1: in this one).

    Returns the checks by name and, by key of ``studies`` (``key: (function, args)``,
    module-level functions), ``(value, error, seconds)`` as from :func:`_timed`.  In a
    pool the studies start first (each is long and single-threaded), then the checks,
    most expensive first, so that the workers finish together.
    """
    studies = studies or {}
    done: dict[str, KernelCheck] = {}
    results: dict[str, tuple[Any, str | None, float]] = {}

    def finished(check: KernelCheck) -> None:
        done[check.name] = check
        state = "FAIL" if check.failed() else "ok"
        say(f"  {len(done)}/{len(names)} {check.name}: {state} ({check.seconds:.1f} s)")

    def studied(key: str, result: tuple[Any, str | None, float]) -> None:
        results[key] = result
        state = "done" if result[1] is None else f"FAILED: {result[1]}"
        say(f"{key}: {state} ({result[2]:.1f} s)")

    if workers <= 1:
        for name in names:
            finished(_check_one(name, quick))
        for key, (fn, args) in studies.items():
            say(f"{key}...")
            studied(key, _timed(fn, *args))
        return done, results
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor, as_completed

    order = sorted(names, key=lambda n: -_COST.get(n, 1))
    # spawn, not fork: a forked child of a process whose Numba threads already run can hang
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs: dict[Future[Any], tuple[str, str]] = {}
        for key, (fn, args) in studies.items():
            say(f"{key}...")
            jobs[pool.submit(_timed, fn, *args)] = ("study", key)
        for name in order:
            jobs[pool.submit(_check_one, name, quick)] = ("check", name)
        for future in as_completed(jobs):
            kind, key = jobs[future]
            try:
                value = future.result()
            except Exception as exc:  # the worker itself died: a failure, not a crash
                if kind == "study":
                    studied(key, (None, f"{type(exc).__name__}: {exc}", 0.0))
                    continue
                value = KernelCheck(key, _DIRECTIONS.get(key, "lower"))
                value.fail(exc)
            if kind == "study":
                studied(key, value)
            else:
                finished(value)
    return done, results


def _twin(check: KernelCheck, fn: Callable[..., Any], *args: Any, where: str, **kw: Any) -> Any:
    """Call a twin (or soundness oracle); an exception is recorded, and None returned."""
    try:
        return fn(*args, **kw)
    except Exception as exc:
        check.points += 1
        check.fail(exc, where)
        return None


def _ref() -> Any:
    from rstheory import reference

    return reference


# --------------------------------------------------------------------------- grids


def _count_grid(quick: bool) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """(twin points, soundness-only points) ``(k, n, alpha)`` for the binomial bounds.

    A fixed grid over ``n``, ``k`` (both tails, the centre, ``0.99 n``) and ``alpha``
    down to ``1e-300``, plus a seeded random sample; ``n`` above the twin limit
    (``1e6`` quick, ``1e9`` full) is checked for soundness only near the centre
    (the tails ``min(k, n - k) <= 2`` stay twin-compared).
    """
    if quick:
        ns = [1, 2, 10, 1000, 10**6, 10**9]
        alphas = [0.5, 0.05, 1e-3, 1e-20, 1e-300]
        huge = [2**53]
        huge_alphas = [1e-3, 1e-300]
        twin_max_n, n_random = 10**6, 20
    else:
        ns = [1, 2, 3, 5, 10, 30, 100, 1000, 10**4, 10**5, 10**6, 10**7, 10**8, 10**9]
        alphas = [0.5, 0.1, 0.05, 1e-3, 1e-6, 1e-10, 1e-20, 1e-50, 1e-100, 1e-300]
        huge = [10**10, 10**12, 2**40, 10**15, 2**53]
        huge_alphas = [0.5, 0.05, 1e-3, 1e-300]
        twin_max_n, n_random = 10**9, 300
    twin: list[tuple[int, int, float]] = []
    only: list[tuple[int, int, float]] = []

    def ks(n: int) -> list[int]:
        cand = {0, 1, 2, 5, n // 2, (99 * n) // 100, n - 1, n}
        if not quick:
            cand |= {3, 10, n // 10, n // 2 + 1, (9 * n) // 10, n - 2, n - 10}
        return sorted(k for k in cand if 0 <= k <= n)

    def add(k: int, n: int, a: float, max_n: int) -> None:
        cheap = n <= max_n or min(k, n - k) <= _TWIN_TAIL
        (twin if cheap else only).append((k, n, a))

    for n in ns:
        for k in ks(n):
            for a in alphas:
                add(k, n, a, twin_max_n)
    for n in huge:
        for k in ks(n):
            for a in huge_alphas:
                only.append((k, n, a))
    rng = np.random.default_rng(_SEED)
    for _ in range(n_random):
        n = int(10.0 ** rng.uniform(0.0, 9.0))
        k = int(rng.integers(0, n + 1))
        a = float(10.0 ** rng.uniform(-300.0, np.log10(0.5)))
        add(k, n, a, twin_max_n)
    return twin, only


def _p_grid(quick: bool) -> list[float]:
    """Probabilities near 0, 1/2 and 1 (all exact doubles)."""
    p = [0.0, 1e-300, 1e-20, 1e-5, 0.1, 0.49, 0.5, 0.5 + 2.0**-52, 0.51, 0.75, 0.9, 0.99]
    p += [1.0 - 1e-6, 1.0 - 1e-10, 1.0 - 2.0**-53, 1.0]
    if not quick:
        p += [5e-324, 2.2250738585072014e-308, 1e-100, 0.3, 0.5 - 2.0**-54, 0.6, 0.999]
        p += [1.0 - 1e-3, 1.0 - 1e-8, 1.0 - 1e-14, 1.0 - 2.0**-52]
    return sorted(set(p))


def _scale_grid(quick: bool) -> list[float]:
    return [0.25, 1.0] if quick else [1e-3, 0.12, 0.25, 0.5, 1.0, 3.7]


# --------------------------------------------------------------------------- kernel checks


def _check_bound(side: str, quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import bounds

        ref = _ref()
        fn = bounds.clopper_pearson_lower if side == "lower" else bounds.clopper_pearson_upper
        twin_fn = ref.clopper_pearson_lower if side == "lower" else ref.clopper_pearson_upper
        is_sound = ref.lower_bound_is_sound if side == "lower" else ref.upper_bound_is_sound
        twin, only = _count_grid(quick)
        for pts, exact in ((twin, True), (only, False)):
            if not pts:
                continue
            k, n, a = (np.array(c, dtype=np.float64) for c in zip(*pts, strict=True))
            got = fn(k, n, a)
            for (ki, ni, ai), x in zip(pts, got, strict=True):
                where = f"k={ki}, n={ni}, alpha={ai:g}"
                if exact:
                    e = _twin(check, twin_fn, ki, ni, ai, dps=_DPS, where=where)
                    if e is not None:
                        check.compare(x, e, where)
                else:
                    ok = _twin(check, is_sound, float(x), ki, ni, ai, where=where)
                    if ok is not None:
                        check.sound(bool(ok), x, where)

    return body


def _check_two_sided(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import bounds

        ref = _ref()
        twin, only = _count_grid(quick)
        # every other twin point keeps the table's cost down; both tails stay in
        twin = twin[::2]
        for pts, exact in ((twin, True), (only, False)):
            k, n, a = (np.array(c, dtype=np.float64) for c in zip(*pts, strict=True))
            low, high = bounds.clopper_pearson(k, n, a)
            for (ki, ni, ai), lo, hi in zip(pts, low, high, strict=True):
                where = f"k={ki}, n={ni}, alpha={ai:g}"
                if exact:
                    e = _twin(check, ref.clopper_pearson, ki, ni, ai, dps=_DPS, where=where)
                    if e is not None:
                        check.compare(lo, e[0], where + " (low)", "lower")
                        check.compare(hi, e[1], where + " (high)", "upper")
                else:
                    for x, oracle, side in (
                        (lo, ref.lower_bound_is_sound, " (low)"),
                        (hi, ref.upper_bound_is_sound, " (high)"),
                    ):
                        ok = _twin(check, oracle, float(x), ki, ni, ai / 2, where=where + side)
                        if ok is not None:
                            check.sound(bool(ok), x, where + side)

    return body


def _compare_vector(
    check: KernelCheck,
    fn: Callable[..., Any],
    twin_fn: Callable[..., Any],
    columns: Sequence[Sequence[float]],
    names: Sequence[str],
    **twin_kwargs: Any,
) -> None:
    """Call ``fn`` once on the broadcast columns, then the twin point by point."""
    arrays = [np.array(c, dtype=np.float64) for c in columns]
    got = np.asarray(fn(*arrays), dtype=np.float64)
    for i, x in enumerate(got):
        args = [c[i] for c in columns]
        where = ", ".join(f"{nm}={v!r}" for nm, v in zip(names, args, strict=True))
        e = _twin(check, twin_fn, *args, dps=_DPS, where=where, **twin_kwargs)
        if e is not None:
            check.compare(x, e, where)


def _product(*axes: Iterable[float]) -> list[list[float]]:
    """Columns of the Cartesian product of the axes."""
    import itertools

    rows = list(itertools.product(*axes))
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in axes]


def _check_gaussian(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        cols = _product(_p_grid(quick), _scale_grid(quick))
        _compare_vector(check, radius.gaussian_radius, _ref().gaussian_radius, cols, ["p", "sigma"])

    return body


def _two_class_pairs(quick: bool) -> tuple[list[float], list[float]]:
    pa_axis = [0.5, 0.6, 0.9, 0.999, 1.0 - 1e-12, 1.0]
    pb_axis = [0.0, 1e-300, 1e-12, 1e-3, 0.1, 0.4, 0.5]
    if not quick:
        pa_axis += [0.3, 0.75, 0.99, 1.0 - 2.0**-53]
        pb_axis += [1e-100, 0.01, 0.25]
    pa, pb = [], []
    for a in sorted(pa_axis):
        for b in sorted(pb_axis):
            if a + b <= 1.0:
                pa.append(a)
                pb.append(b)
    return pa, pb


def _check_gaussian_two(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        pa, pb = _two_class_pairs(quick)
        scales = _scale_grid(quick)
        cols = [
            [a for a in pa for _ in scales],
            [b for b in pb for _ in scales],
            scales * len(pa),
        ]
        _compare_vector(
            check,
            radius.gaussian_radius_two,
            _ref().gaussian_radius_two,
            cols,
            ["p_a", "p_b", "sigma"],
        )

    return body


def _check_laplace(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        ref = _ref()
        scales = _scale_grid(quick)
        cols = _product([p for p in _p_grid(quick) if p >= 0.5], scales)
        _compare_vector(check, radius.laplace_radius, ref.laplace_radius, cols, ["p_a", "scale"])
        pa, pb = _two_class_pairs(quick)
        cols = [
            [a for a in pa for _ in scales],
            scales * len(pa),
            [b for b in pb for _ in scales],
        ]
        _compare_vector(
            check, radius.laplace_radius, ref.laplace_radius, cols, ["p_a", "scale", "p_b"]
        )

    return body


def _check_uniform(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        cols = _product([p for p in _p_grid(quick) if p >= 0.5], _scale_grid(quick))
        _compare_vector(check, radius.uniform_radius, _ref().uniform_radius, cols, ["p_a", "scale"])

    return body


_DIMS = [1, 2, 3, 10, 784, 3072, 150528, 2**40]


def _check_linf(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        rs = [0.0, 1e-300, 0.1, 0.25, 1.0, 3.7, 1e300] + ([] if quick else [1e-10, 0.5, 123.4])
        cols = _product(rs, _DIMS)
        _compare_vector(
            check, radius.linf_radius_from_l2, _ref().linf_radius_from_l2, cols, ["radius", "dim"]
        )

    return body


def _check_l2_for_linf(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import radius

        eps = [0.0, 1e-300, 1.0 / 255, 2.0 / 255, 8.0 / 255, 0.1, 1.0]
        eps += [] if quick else [1e-10, 0.5, 1e100]
        cols = _product(eps, _DIMS)
        _compare_vector(
            check, radius.l2_radius_for_linf, _ref().l2_radius_for_linf, cols, ["eps", "dim"]
        )

    return body


def _certify_cases(quick: bool) -> list[tuple[list[int], list[int], float, float]]:
    """Deterministic ``(selection, estimation, sigma, alpha)`` cases (class 1 selected)."""
    ns = [1, 10, 100, 10**4, 10**6] if quick else [1, 2, 10, 100, 1000, 10**4, 10**5, 10**6]
    big = [10**9] if quick else [10**7, 10**9]
    sigmas = [0.25] if quick else [0.12, 0.5, 1.0]
    alphas = [1e-3, 1e-300] if quick else [0.05, 1e-3, 1e-10, 1e-300]
    cases = []
    selection = [3, 90, 7]
    for n in ns + big:
        top = {0, n // 2, n // 2 + 1, (99 * n) // 100, n - 1, n}
        if quick and n in big:  # the quick grid keeps to the cheap tails at n = 1e9
            top = {0, 1, n - 2, n - 1, n}
        for n_a in sorted(t for t in top if 0 <= t <= n):
            rest = n - n_a
            estimation = [rest // 2, n_a, rest - rest // 2]
            for s in sigmas:
                for a in alphas:
                    cases.append((selection, estimation, s, a))
    return cases


def _check_certify(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory.certify import ABSTAIN, certify

        ref = _ref()
        for sel, est, s, a in _certify_cases(quick):
            where = f"selection={sel}, estimation={est}, sigma={s}, alpha={a:g}"
            label, r = certify(sel, est, s, a)
            twin = _twin(check, ref.certify, sel, est, s, a, dps=_DPS, where=where)
            if twin is None:
                continue
            e_label, e_r = twin
            label, e_label = int(label), int(e_label)
            if label != e_label:
                check.mismatches += 1
                if label != ABSTAIN:  # certified where the exact answer does not
                    check.unsound += 1
                    check._example(f"{where}: label {label}, exact label {e_label}")
                check.points += 1
                continue
            check.compare(r, e_r, where)

    return body


# --------------------------------------------------------------------------- planning checks


def _int_compare(check: KernelCheck, got: int, exact: int, where: str) -> None:
    """An integer answer (a sample size, a count) against the twin's; "upper" = not below."""
    import mpmath

    if int(got) != int(exact):
        check.mismatches += 1
        check._example(f"{where}: got {int(got)}, twin {int(exact)}")
    check.compare(float(got), mpmath.mpf(int(exact)), where)


def _check_max_radius(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        if quick:
            ns = [1, 2, 9, 10, 11, 100, 10**5, 10**9, 2**53]
            alphas, sigmas = [0.5, 1e-3, 1e-300], [1.0]
        else:
            ns = [1, 2, 3, 9, 10, 11, 30, 100, 1000, 10**5, 10**7, 10**9, 10**12, 10**15, 2**53]
            alphas, sigmas = [0.5, 0.05, 1e-3, 1e-10, 1e-100, 1e-300], [0.25, 1.0, 3.7]
        cols = _product(ns, sigmas, alphas)
        # alpha = 2**-n: the exact radius is 0 (alpha**(1/n) = 1/2)
        cols = [cols[0] + [10, 53], cols[1] + [1.0, 1.0], cols[2] + [2.0**-10, 2.0**-53]]
        _compare_vector(
            check, planning.max_radius, _ref().max_radius, cols, ["n", "sigma", "alpha"]
        )

    return body


def _check_threshold_count(quick: bool) -> Callable[[KernelCheck], None]:
    """The public kernel ``threshold_count_kernel`` from three starting guesses."""

    def body(check: KernelCheck) -> None:
        from rstheory.planning import threshold_count_kernel

        ref = _ref()
        if quick:
            ns = [1, 10, 100, 10**4, 10**6, 10**9]
            prs, alphas = [0.5, 0.9, 0.99], [1e-3, 1e-10]
        else:
            ns = [1, 10, 100, 1000, 10**4, 10**6, 10**7, 10**9]
            prs = [0.5, 0.6, 0.9, 0.99, 1.0 - 1e-6]
            alphas = [0.05, 1e-3, 1e-300]
        for n in ns:
            for pr in prs:
                for a in alphas:
                    where = f"n={n}, p_r={pr!r}, alpha={a:g}"
                    exact = _twin(check, ref.threshold_count, n, pr, a, dps=_DPS, where=where)
                    if exact is None:
                        continue
                    for guess in (n * pr, 1.0, float(n)):
                        got = threshold_count_kernel(float(n), pr, a, guess)
                        _int_compare(check, int(got), int(exact), f"{where}, guess={guess:g}")

    return body


def _check_certification_probability(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        if quick:
            ps, ns, radii = [0.6, 0.9, 0.99], [10, 1000, 10**5], [0.0, 0.25, 0.5]
            sigmas, alphas = [0.25], [1e-3]
        else:
            ps, ns = [0.6, 0.9, 0.99, 0.999], [10, 1000, 10**5, 10**7]
            radii, sigmas, alphas = [0.0, 0.1, 0.5, 1.0], [0.25], [1e-3, 1e-10]
        cols = _product(ps, ns, sigmas, alphas, radii)
        _compare_vector(
            check,
            planning.certification_probability,
            _ref().certification_probability,
            cols,
            ["p", "n", "sigma", "alpha", "radius"],
        )

    return body


#: ``(radius, sigma, alpha, p, power)`` cases of required_n with p < 1 whose
#: answers are small enough for the twin's walk over every n.
_REQUIRED_N_CASES: tuple[tuple[float, float, float, float, float], ...] = (
    (0.5, 1.0, 1e-3, 0.9, 0.9),
    (0.25, 0.25, 1e-3, 0.99, 0.5),
    (1.0, 1.0, 0.05, 0.99, 0.9),
    (0.0, 1.0, 1e-3, 0.6, 0.5),
    (1.0, 1.0, 1e-3, 0.95, 0.5),
    (0.1, 0.12, 1e-3, 0.9, 0.5),
    (0.3, 0.5, 1e-10, 0.99, 0.999),
)


def _check_required_n(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        ref = _ref()
        # p = 1: the closed form, fixed up against max_radius (answers up to 2**53)
        ratios = [0.0, 0.1, 0.5, 1.0, 2.0, 4.0] if quick else [0, 0.01, 0.1, 0.5, 1, 2, 3, 4, 5]
        sigmas = [1.0] if quick else [0.25, 1.0]
        alphas = [0.5, 1e-3, 1e-300] if quick else [0.5, 0.05, 1e-3, 1e-10, 1e-100, 1e-300]
        for ratio in ratios:
            for s in sigmas:
                for a in alphas:
                    r = float(ratio) * s
                    where = f"radius={r!r}, sigma={s!r}, alpha={a:g}, p=1"
                    try:
                        got = planning.required_n(r, s, a)
                    except ValueError as exc:  # documented: more than 2**53 samples
                        check.points += 1
                        if "2**53" not in str(exc):
                            check.fail(exc, where)
                        continue
                    exact = _twin(check, ref.required_n, r, s, a, dps=_DPS, where=where)
                    if exact is not None:
                        _int_compare(check, got, exact, where)
        # p < 1: the first n reaching the power, and the stable n (the twin walks every n)
        cases = _REQUIRED_N_CASES[:3] if quick else _REQUIRED_N_CASES
        for r, s, a, p, w in cases:
            for stable in (False, True):
                where = f"radius={r!r}, sigma={s!r}, alpha={a:g}, p={p!r}, power={w!r}"
                where += ", stable" if stable else ""
                got = planning.required_n(r, s, a, p, w, stable=stable)
                # the twin checks "for every larger n" up to n_max only
                n_max = got + got // 2 + 100
                exact = _twin(
                    check,
                    ref.required_n,
                    r,
                    s,
                    a,
                    p,
                    w,
                    stable=stable,
                    n_max=n_max,
                    dps=_DPS,
                    where=where,
                )
                if exact is not None:
                    _int_compare(check, got, exact, where)

    return body


def _distribution_cases(quick: bool) -> list[tuple[float, int, float, float]]:
    """``(p, n, sigma, alpha)`` for the full-sum twins (one 50-digit bound per count)."""
    cases = [
        (0.9, 100, 0.25, 1e-3),
        (0.6, 100, 0.25, 1e-3),
        (0.99, 30, 1.0, 1e-3),
        (1.0, 50, 0.25, 1e-3),
        (0.0, 20, 0.25, 1e-3),
    ]
    if not quick:
        cases += [
            (0.999, 300, 0.5, 1e-3),
            (0.7, 300, 0.12, 1e-10),
            (0.5, 200, 1.0, 0.05),
            (0.9, 12, 0.25, 0.5),
            (0.99, 600, 0.25, 1e-3),
        ]
    return cases


def _check_radius_distribution(quick: bool) -> Callable[[KernelCheck], None]:
    """Radii (must not exceed the twin's), probabilities, abstention, neglected mass;
    the twin's mass outside the window must be at most ``tol`` (sound-only points)."""

    def body(check: KernelCheck) -> None:
        import mpmath

        from rstheory import planning
        from rstheory.certify import count_radius_kernel

        ref = _ref()
        for p, n, s, a in _distribution_cases(quick):
            where = f"p={p!r}, n={n}, sigma={s!r}, alpha={a:g}"
            d = planning.radius_distribution(p, n, s, a)
            twin = _twin(check, ref.radius_distribution, p, n, s, a, dps=_DPS, where=where)
            if twin is None:
                continue
            t_counts, t_radii, t_probs, t_abstain = twin
            by_count = dict(zip(t_counts, zip(t_radii, t_probs, strict=True), strict=True))
            inside = set()
            for k, r, q in zip(d.count.tolist(), d.radius, d.probability, strict=True):
                at = f"{where}, k={k}"
                inside.add(k)
                if k not in by_count:  # the kernel certifies a count the twin abstains on
                    check.points += 1
                    check.unsound += 1
                    check._example(f"{at}: radius {float(r)!r} where the twin abstains")
                    continue
                e_r, e_q = by_count[k]
                check.compare(r, e_r, at + " (radius)", "lower")
                check.compare(q, e_q, at + " (probability)", "none")
            # counts the twin certifies but the package's CERTIFY abstains on (the
            # exact bound within rounding of 1/2) move their mass into the abstention
            moved = set()
            for k in t_counts:
                if count_radius_kernel(float(k), float(n), s, a) >= 0.0:
                    break
                moved.add(k)
            with mpmath.workdps(_DPS):
                e_abstain = t_abstain + mpmath.fsum(by_count[k][1] for k in moved)
                e_outside = mpmath.fsum(
                    by_count[k][1] for k in t_counts if k not in inside and k not in moved
                )
            check.compare(d.abstain, e_abstain, where + " (abstain)", "none")
            # the reported neglected mass is the (nearest-rounded) mass outside the
            # window; the contract is that this mass is at most tol
            check.compare(d.neglected, e_outside, where + " (neglected)", "none")
            within = e_outside <= mpmath.mpf(planning.DEFAULT_TOL) * (1 + mpmath.mpf(1e-12))
            check.sound(bool(within), d.neglected, where + " (mass outside the window <= tol)")

    return body


def _check_expected_radius(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        cases = _distribution_cases(quick)
        if not quick:
            cases = [c for c in cases if c[1] <= 300]  # the twin sums over every count again
        cols = [list(c) for c in zip(*cases, strict=True)]
        _compare_vector(
            check,
            planning.expected_radius,
            _ref().expected_radius,
            cols,
            ["p", "n", "sigma", "alpha"],
        )

    return body


def _check_abstain_probability(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        if quick:
            ps, n0s, ns, alphas = [0.5, 0.6, 0.9, 0.99], [0, 100], [10, 1000], [1e-3]
        else:
            ps, n0s = [0.0, 0.3, 0.5, 0.6, 0.9, 0.99, 1.0], [0, 1, 2, 100]
            ns, alphas = [1, 10, 100, 1000], [0.05, 1e-3]  # the twin: superlinear in n
        cols = _product(ps, n0s, ns, alphas)
        _compare_vector(
            check,
            planning.abstain_probability,
            _ref().abstain_probability,
            cols,
            ["p", "n0", "n", "alpha"],
        )

    return body


def _check_predict_min_n(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import planning

        ref = _ref()
        alphas = [0.5, 0.25, 0.05, 1e-3, 2.0**-20, 1e-300]
        if not quick:
            # (alpha below the smallest normal double is refused: PREDICT always abstains)
            alphas += [0.9, 0.01, 2.0**-10, 1e-10, 1e-100, 2.0**-1000, 2.2250738585072014e-308]
        got = planning.predict_min_n(np.array(alphas))
        for a, g in zip(alphas, got.tolist(), strict=True):
            where = f"alpha={a!r}"
            exact = _twin(check, ref.predict_min_n, a, dps=_DPS, where=where)
            if exact is not None:
                _int_compare(check, g, exact, where)

    return body


# --------------------------------------------------------------------------- levels checks

_TIE_RULES = ("lose", "win", "random")


def _check_majority_vote(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import levels

        ref = _ref()
        if quick:
            qs = [0.0, 0.1, 0.49, 0.5, 0.7, 0.99999, 1.0]
            ns = [1, 2, 3, 10, 11, 101, 10**4]
        else:
            qs = [0.0, 1e-5, 0.1, 0.3, 0.49, 0.5, 0.51, 0.7, 0.9, 0.99999, 1.0]
            ns = [1, 2, 3, 4, 10, 11, 100, 101, 400, 401, 10**4, 10**6]
        for ties in _TIE_RULES:
            cols = _product(qs, ns)
            got = levels.majority_vote_probability(np.array(cols[0]), np.array(cols[1]), ties)
            for q, n, x in zip(cols[0], cols[1], got.tolist(), strict=True):
                where = f"q={q!r}, n={n}, ties={ties}"
                e = _twin(check, ref.majority_vote_probability, q, n, ties, dps=_DPS, where=where)
                if e is not None:
                    check.compare(x, e, where)

    return body


def _check_level_threshold(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import levels

        ref = _ref()
        if quick:
            pas = [0.01, 0.5, 0.8, 0.99, 1.0 - 1e-10]
            ns = [1, 2, 3, 10, 11, 1001, 10**6]
        else:
            pas = [1e-10, 0.01, 0.3, 0.5, 0.8, 0.95, 0.99, 1.0 - 1e-10]
            ns = [1, 2, 3, 4, 10, 11, 100, 1001, 10**5, 10**9]
        for ties in _TIE_RULES:
            cols = _product(pas, ns)
            got = levels.level_threshold(np.array(cols[0]), np.array(cols[1]), ties)
            for pa, n, x in zip(cols[0], cols[1], got.tolist(), strict=True):
                where = f"pa={pa!r}, n={n}, ties={ties}"
                e = _twin(check, ref.level_threshold, pa, n, ties, dps=_DPS, where=where)
                if e is not None:
                    check.compare(x, e, where)

    return body


def _check_level_distance_bound(quick: bool) -> Callable[[KernelCheck], None]:
    """Error relative to M = |R| + sigma (1 + |Phi^-1(q*)|), the documented scale."""

    def body(check: KernelCheck) -> None:
        import mpmath

        from rstheory import levels

        ref = _ref()
        rules: tuple[str, ...]
        if quick:
            radii, pas, ns = [0.0, 0.5, math.inf], [0.5, 0.9, 0.99], [1, 2, 101, 10**4]
            sigmas, rules = [0.25], ("lose", "win")
        else:
            radii = [-1.0, 0.0, 0.5, 100.0, math.inf]
            pas, ns = [0.01, 0.5, 0.99, 1.0 - 1e-10], [1, 2, 101, 10**4, 10**6]
            sigmas, rules = [0.12, 1.0], _TIE_RULES
        for ties in rules:
            cols = _product(radii, pas, ns, sigmas)
            r_, pa_, n_, s_ = (np.array(c, dtype=np.float64) for c in cols)
            got = levels.level_distance_bound(r_, pa_, n_, s_, ties)
            for r, pa, n, s, x in zip(*cols, got.tolist(), strict=True):
                where = f"radius={r!r}, pa={pa!r}, n={n}, sigma={s!r}, ties={ties}"
                e = _twin(check, ref.level_distance_bound, r, pa, n, s, ties, dps=_DPS, where=where)
                if e is None:
                    continue
                scale = None
                if not mpmath.isinf(e):
                    with mpmath.workdps(_DPS):
                        z = (e - mpmath.mpf(r)) / mpmath.mpf(s)
                        scale = abs(mpmath.mpf(r)) + mpmath.mpf(s) * (1 + abs(z))
                check.compare(x, e, where, scale=scale)

    return body


_CHECKS: dict[str, Callable[[bool], Callable[[KernelCheck], None]]] = {
    "clopper_pearson_lower": lambda q: _check_bound("lower", q),
    "clopper_pearson_upper": lambda q: _check_bound("upper", q),
    "clopper_pearson": _check_two_sided,
    "gaussian_radius": _check_gaussian,
    "gaussian_radius_two": _check_gaussian_two,
    "laplace_radius": _check_laplace,
    "uniform_radius": _check_uniform,
    "linf_radius_from_l2": _check_linf,
    "l2_radius_for_linf": _check_l2_for_linf,
    "certify": _check_certify,
    "max_radius": _check_max_radius,
    "threshold_count": _check_threshold_count,
    "certification_probability": _check_certification_probability,
    "required_n": _check_required_n,
    "radius_distribution": _check_radius_distribution,
    "expected_radius": _check_expected_radius,
    "abstain_probability": _check_abstain_probability,
    "predict_min_n": _check_predict_min_n,
    "majority_vote_probability": _check_majority_vote,
    "level_threshold": _check_level_threshold,
    "level_distance_bound": _check_level_distance_bound,
    **_report_sorm.SORM_CHECKS,
}

#: Which way each kernel must err: a lower bound or a radius must not exceed
#: the exact value; an upper bound, and the L2 radius needed to cover an Linf
#: ball, must not fall below it.
_DIRECTIONS: dict[str, str] = {
    "clopper_pearson_upper": "upper",
    "clopper_pearson": "both",
    "l2_radius_for_linf": "upper",
    # planning: a sample size or a threshold count must not fall below the exact one
    # (a plan with too few samples); probabilities are plain values ("none")
    "threshold_count": "upper",
    "certification_probability": "none",
    "required_n": "upper",
    "radius_distribution": "mixed",
    "expected_radius": "none",
    "abstain_probability": "none",
    "predict_min_n": "upper",
    # levels: pi0* rounded up keeps the distance bound (a lower bound) sound
    "majority_vote_probability": "none",
    "level_threshold": "upper",
    # sorm: approximations and exact probabilities are plain values (accuracy only)
    **dict.fromkeys(_report_sorm.SORM_KERNELS, "none"),
}


# --------------------------------------------------------------------------- timing


def _best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _timings(quick: bool) -> list[dict[str, Any]]:
    import scipy.special
    import scipy.stats

    from rstheory import bounds

    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(_SEED)
    alpha = 1e-3
    bounds.clopper_pearson_lower(np.array([1.0, 5.0]), np.array([10.0, 10.0]), alpha)  # compile
    sizes = [10**4, 10**5] if quick else [10**5, 10**6]
    for size in sizes:
        n = rng.integers(10, 10**6, size=size).astype(np.float64)
        k = np.floor(rng.random(size) * n) + 1.0  # 1 <= k <= n: SciPy gives NaN at k = 0
        repeat = 3 if size <= 10**5 else 2
        ours = _best_of(partial(bounds.clopper_pearson_lower, k, n, alpha), repeat)
        theirs = _best_of(partial(scipy.special.betaincinv, k, n - k + 1.0, alpha), repeat)
        a = bounds.clopper_pearson_lower(k, n, alpha)
        b = scipy.special.betaincinv(k, n - k + 1.0, alpha)
        rows.append(
            {
                "what": f"CP lower bound, 1e{round(math.log10(size))} inputs (vector)",
                "rstheory_s": ours,
                "other": "scipy.special.betaincinv",
                "other_s": theirs,
                "ratio": theirs / ours,
                "note": f"max rel. difference {float(np.max(np.abs(a - b) / b)):.1e}",
            }
        )

    calls = 300 if quick else 3000
    ks = [int(v) for v in rng.integers(1, 1000, size=calls)]
    ns_ = [k + int(v) for k, v in zip(ks, rng.integers(0, 10**5, size=calls), strict=True)]
    pairs = list(zip(ks, ns_, strict=True))

    def ours_scalar() -> None:
        for k_, n_ in pairs:
            bounds.clopper_pearson_lower(k_, n_, alpha)

    def scipy_scalar() -> None:
        for k_, n_ in pairs:
            scipy.stats.beta.ppf(alpha, k_, n_ - k_ + 1)

    t_ours = _best_of(ours_scalar, 3) / calls
    t_scipy = _best_of(scipy_scalar, 3) / calls
    rows.append(
        {
            "what": "CP lower bound, one scalar call",
            "rstheory_s": t_ours,
            "other": "scipy.stats.beta.ppf",
            "other_s": t_scipy,
            "ratio": t_scipy / t_ours,
            "note": f"mean over {calls} calls",
        }
    )
    try:
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:
        rows.append(
            {
                "what": "CP lower bound, one scalar call",
                "rstheory_s": t_ours,
                "other": "statsmodels proportion_confint(method='beta')",
                "other_s": None,
                "ratio": None,
                "note": "skipped: statsmodels is not importable",
            }
        )
    else:

        def sm_scalar() -> None:
            for k_, n_ in pairs:
                proportion_confint(k_, n_, 2 * alpha, method="beta")

        t_sm = _best_of(sm_scalar, 3) / calls
        rows.append(
            {
                "what": "CP lower bound, one scalar call",
                "rstheory_s": t_ours,
                "other": "statsmodels proportion_confint(k, n, 2*alpha, method='beta')",
                "other_s": t_sm,
                "ratio": t_sm / t_ours,
                "note": f"mean over {calls} calls",
            }
        )
    return rows


# --------------------------------------------------------------------------- environment


def _environment() -> dict[str, Any]:
    import mpmath
    import numba
    import scipy

    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "mpmath": mpmath.__version__,
        "cpu_count": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "NUMBA_DISABLE_JIT": bool(getattr(numba.config, "DISABLE_JIT", False)),
    }
    if hasattr(os, "sched_getaffinity"):
        env["usable_cpus"] = len(os.sched_getaffinity(0))
    for name in ("matplotlib", "statsmodels"):
        try:
            env[name] = __import__(name).__version__
        except ImportError:
            env[name] = "not installed"
    try:
        from rstheory import __version__

        env["rstheory"] = __version__
    except ImportError:  # pragma: no cover
        env["rstheory"] = "unknown"
    return env


# --------------------------------------------------------------------------- figures


def _figures(
    out: Path, simulation: dict[str, Any] | None = None, digits: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """Write the figures into ``out``; with a simulation or digits study, theirs too."""
    from rstheory import plots

    made = []
    for filename, caption, make in (
        ("radius_vs_p.png", "Certified L2 radius vs top-class probability", plots.plot_radius_vs_p),
        (
            "lower_bound_vs_n.png",
            "Lower bounds on p_A and the resulting radius vs n (k/n = 0.99, alpha = 0.001)",
            plots.plot_lower_bound_vs_n,
        ),
        (
            "max_radius.png",
            "Largest radius CERTIFY can return vs n (sigma = 1, several alpha)",
            plots.plot_max_radius,
        ),
        (
            "required_n.png",
            "Samples needed to certify a radius (alpha = 0.001, power = 0.5), "
            "p in {1, 0.999, 0.99, 0.9}",
            plots.plot_required_n,
        ),
        (
            "radius_distribution.png",
            "Law of the radius CERTIFY returns at a few (p, n) (sigma = 0.25, alpha = 0.001)",
            plots.plot_radius_distribution,
        ),
        (
            "level_threshold.png",
            "Level-Pa adversarial threshold pi0* vs n, Pa in {0.5, 0.8, 0.95, 0.99} (ties lose)",
            plots.plot_level_threshold,
        ),
        (
            "sorm_error.png",
            "FORM/SORM relative error vs beta*kappa against the exact paraboloid and sphere "
            "(beta = 3, d in {2, 10, 100})",
            plots.plot_sorm_error,
        ),
        (
            "frontier_offset.png",
            "Offset of the smoothed frontier pi_0 = 1/2 vs curvature (d = 10, sigma = 1)",
            plots.plot_frontier_offset,
        ),
    ):
        fig = make()
        fig.savefig(out / filename, dpi=110)
        made.append((filename, caption))
    if simulation is not None:
        made += _report_simulate.write_figures(simulation, out)
    if digits is not None:
        made += _report_digits.write_figures(digits, out)
    return made


# --------------------------------------------------------------------------- markdown


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _check_table(checks: Sequence[KernelCheck]) -> list[str]:
    """The error table: one row per kernel."""
    lines = [
        "| kernel | must err | points | vs twin | sound-only | max rel. err | worst at "
        "| unsound | NaN | errors | time |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for c in checks:
        lines.append(
            f"| `{c.name}` | {c.direction} | {c.points} | {c.compared} | {c.sound_only} | "
            f"{c.max_rel_err:.2e} | {_one_line(c.worst)} | {c.unsound} | {c.nan} | "
            f"{c.errors} | {c.seconds:.1f} s |"
        )
    return lines


def _check_notes(checks: Sequence[KernelCheck], mismatch: str) -> list[str]:
    """FAIL lines (with examples) and mismatch notes below a table."""
    lines: list[str] = []
    for c in checks:
        if c.failed():
            lines.append(
                f"FAIL `{c.name}`: {c.unsound} unsound, {c.nan} NaN, {c.errors} errors"
                + (f"; first error: {c.error}" if c.error else "")
            )
            lines += [f"    {_one_line(e, 300)}" for e in c.examples]
        if c.mismatches:
            lines.append(
                f"Note `{c.name}`: {c.mismatches} {mismatch} ({c.unsound} of them unsound)."
            )
            if not c.failed():
                lines += [f"    {_one_line(e, 300)}" for e in c.examples]
        elif c.direction in ("none", "mixed") and c.max_rel_err > 1e-6:
            lines.append(
                f"Note `{c.name}`: relative error {c.max_rel_err:.2g} at {_one_line(c.worst)} "
                "(a plain evaluation, not a bound: an accuracy problem, not an unsound result)."
            )
    return [""] + lines if lines else lines


def _families(every: Sequence[KernelCheck]) -> list[dict[str, Any]]:
    """One summary row per formula family of :data:`FAMILIES`."""
    by_name = {c.name: c for c in every}
    rows = []
    for family, module, names in FAMILIES:
        rows_of = [by_name[n] for n in names if n in by_name]
        # answers that differ from the twin on the safe side are counted, not mixed into
        # the error column (a required n one above the twin's is not an "error")
        graded = [c for c in rows_of if not c.mismatches]
        worst = max(graded, key=lambda c: c.max_rel_err, default=None)
        rows.append(
            {
                "family": family,
                "module": f"rstheory.{module}",
                "kernels": len(rows_of),
                "points": sum(c.points for c in rows_of),
                "max_rel_err": None if worst is None else worst.max_rel_err,
                "worst_kernel": None if worst is None else worst.name,
                "unsound": sum(c.unsound for c in rows_of),
                "safe_mismatches": sum(c.mismatches - c.unsound for c in rows_of),
                "nan": sum(c.nan for c in rows_of),
                "errors": sum(c.errors for c in rows_of),
            }
        )
    return rows


def _summary_markdown(
    every: Sequence[KernelCheck],
    simulation: dict[str, Any] | None,
    claims: Sequence[Any] | None,
    claims_error: str | None,
) -> list[str]:
    """The summary at the top: formula families, Monte Carlo checks, claims' verdicts."""
    from rstheory.claims import summary_rows

    lines = [
        "## Summary",
        "",
        "| formula family | module | kernels | points | max error vs mpmath | unsound "
        "| safe-side differences | NaN | errors |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in _families(every):
        err = "-" if r["max_rel_err"] is None else f"{r['max_rel_err']:.2e} ({r['worst_kernel']})"
        lines.append(
            f"| {r['family']} | `{r['module']}` | {r['kernels']} | {r['points']} | {err} | "
            f"{r['unsound']} | {r['safe_mismatches']} | {r['nan']} | {r['errors']} |"
        )
    lines += [
        "",
        "*Max error*: the largest error of the family's rows as defined in its section "
        "(relative, or relative to a stated scale, or of a logarithm), over the rows whose "
        "answers all match the twin; *unsound*: a result on the wrong side of the exact value "
        "(must be 0); *safe-side differences*: answers that differ from the twin's on the safe "
        "side (an integer answer such as a required n above the twin's at an exact tie, where "
        "the package rounds toward safety; an abstention where the twin certifies).",
    ]
    if simulation is not None:
        scan, spread, normal = simulation["scan"], simulation["spread"], simulation["normal"]
        misses = sum(r["misses"] for r in scan["rows"])
        intervals = sum(r["intervals"] for r in scan["rows"])
        ks = max(r["ks"] / r["ks_critical"] for r in spread["rows"])
        lines += [
            "",
            f"Monte Carlo against exact answers (section 5): {misses} of {intervals} "
            f"Clopper-Pearson intervals (level {scan['alpha']:g}) miss the exact "
            "probability; the binary search's end points against their exact law: largest KS "
            f"distance {100 * ks:.0f}% of the 1% critical value; the normal estimate against "
            f"its theory: largest gap {normal['max_z']:.1f} standard errors.",
        ]
    lines += [
        "",
        "**Claims of Maho et al. 2022** (judged on this report's data; the ledger on "
        "the full digits run is `docs/claims.md`, `rstheory claims`):",
        "",
    ]
    if claims_error:
        lines.append(f"The claims failed: {claims_error}")
    elif claims is not None:
        lines += summary_rows(claims)
        missing = [r for r in claims if r.verdict == "not measured"]
        if missing:
            lines += [""] + [
                f"Claim {r.claim.number} not measured here: {r.reason}." for r in missing
            ]
    return lines + [""]


def _markdown(
    checks: list[KernelCheck],
    timings: list[dict[str, Any]] | None,
    timing_error: str | None,
    figures: list[tuple[str, str]],
    figure_error: str | None,
    env: dict[str, Any],
    quick: bool,
    wall: float,
    sections: dict[str, float],
    planning: Sequence[KernelCheck] = (),
    levels: Sequence[KernelCheck] = (),
    sorm: Sequence[KernelCheck] = (),
    study: dict[str, Any] | None = None,
    study_error: str | None = None,
    simulation: dict[str, Any] | None = None,
    simulation_error: str | None = None,
    digits: dict[str, Any] | None = None,
    digits_error: str | None = None,
    claims: Sequence[Any] | None = None,
    claims_error: str | None = None,
) -> str:
    every = [*checks, *planning, *levels, *sorm]
    unsound = sum(c.unsound for c in every)
    nan = sum(c.nan for c in every)
    errors = sum(c.errors for c in every)
    passed = not (unsound or nan or errors)
    lines = ["# rstheory verification report", ""]
    lines.append(
        f"Grid: {'quick' if quick else 'full'}; precision of the mpmath twins: {_DPS} digits; "
        f"wall time {wall:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in sections.items())
        + ")."
    )
    lines.append("")
    if passed:
        lines.append(
            f"**PASS**: 0 unsound results, 0 NaN, 0 errors over "
            f"{sum(c.points for c in every)} points."
        )
    else:
        lines.append(f"**FAIL: {unsound} UNSOUND RESULTS, {nan} NaN RESULTS, {errors} ERROR(S)**")
    lines += ["", *_summary_markdown(every, simulation, claims, claims_error)]
    lines += ["## 1. Accuracy and soundness against the mpmath twins", ""]
    lines.append(
        "Relative error |computed - exact| / |exact| (absolute error where the exact value "
        "is 0; 0 where both are the same infinity; points whose exact value is below the "
        "smallest normal double, 2.2e-308, where a bound may be flushed to the safe value 0, "
        "count for soundness only).  *Unsound*: a lower bound or a radius "
        "above the exact value, an upper bound below it, or a certified label where the "
        "exact CERTIFY abstains or differs; must be 0.  *Sound-only*: points with "
        f"n > {'1e6' if quick else '1e9'} near the distribution's centre, up to n = 2**53, "
        "checked by "
        "one exact tail evaluation (`reference.lower_bound_is_sound` / "
        "`upper_bound_is_sound`) instead of a 50-digit root solve."
    )
    lines += ["", *_check_table(checks)]
    lines += [
        "",
        "The radius of `certify` inherits the Clopper-Pearson bound's outward step "
        "amplified by the conditioning of Phi^-1 near p = 1 (dR/dp = sigma / phi(R/sigma)), "
        "hence its larger relative error at n = 1e9.",
        "",
    ]
    lines += _check_notes(checks, "label mismatches with the twin")
    lines += ["", "## 2. Planning: sample sizes and the law of the radius", ""]
    lines.append(
        "`rstheory.planning` against the twins of `rstheory.reference` (same columns).  "
        "*must err*: `upper` for the integer answers (a threshold count, a required n, "
        "PREDICT's least n: an answer below the exact one would under-plan; one above it "
        "is safe and counted in the notes below), `lower` for `max_radius`, `none` for "
        "probabilities and expectations (plain evaluations, accuracy only); "
        "`radius_distribution` (*mixed*) compares every radius of the window (`lower`), "
        "its probability, the abstention probability and the reported neglected mass "
        "(`none`), and checks as a sound-only point that the twin's exact mass outside "
        "the window is at most `tol` (1e-16).  `threshold_count` is the public kernel "
        "`threshold_count_kernel`, started from three guesses (n p_r, 1, n).  "
        "`required_n` for p < 1 is compared on small answers (the twin walks every n); "
        'for `stable=True` the twin checks "every larger n" up to 1.5 n + 100.'
    )
    lines += ["", *_check_table(planning)]
    lines += _check_notes(planning, "integer answers differ from the twin")
    if any(c.mismatches and not c.unsound for c in planning):
        lines += [
            "",
            "An integer answer above the twin's is where the exact criterion is an exact tie "
            "(a Clopper-Pearson bound of exactly 1/2, a p-value of exactly alpha): the "
            "package's CERTIFY and PREDICT, rounding toward safety, need one sample more, "
            "and the planning functions follow them.",
        ]
    lines += ["", "## 3. Levels: level-Pa adversarial thresholds", ""]
    lines.append(
        "`rstheory.levels` against the twins, under the three tie rules.  "
        "`level_threshold` must not fall below the exact threshold pi0* (it keeps the "
        "distance bound sound); `level_distance_bound` must not exceed the exact bound, and "
        "its error is relative to M = |R| + sigma (1 + |Phi^-1(q*)|), the scale of its "
        "documented accuracy; `majority_vote_probability` is a plain evaluation whose "
        "relative error grows with its condition number in q (far tails of large n)."
    )
    lines += ["", *_check_table(levels)]
    lines += _check_notes(levels, "results differ from the twin")
    lines += ["", "## 4. SORM: approximations and exact paraboloids and spheres", ""]
    lines.append(
        "`rstheory.sorm` against the twins (SORM formulas at 30 digits; the paraboloid by "
        "Gil-Pelaez inversion, or the chi-square mixture for equal curvatures; the sphere by "
        "the noncentral chi-square series).  Probabilities are compared as logs: the error "
        "column is |log P - log P_exact|, the relative error of P, meaningful below the "
        "smallest double; the offset's is relative."
    )
    lines += ["", *_check_table(sorm)]
    lines += _check_notes(sorm, "results differ from the twin")
    lines += [
        "",
        "SORM against the exact probabilities (`rstheory.sorm.approximation_errors`):",
        "",
    ]
    if study_error:
        lines.append(f"The study failed: {study_error}")
    elif study is not None:
        lines += _report_sorm.study_markdown(study)
    lines += ["", "## 5. Simulation: the practical smoothed classifier g_sigma,n", ""]
    if simulation_error:
        lines.append(f"The simulation failed: {simulation_error}")
    elif simulation is not None:
        lines += _report_simulate.study_markdown(simulation)
    lines += ["", "## 6. Digits: decision-based attacks on smoothed models", ""]
    if digits_error:
        lines.append(f"The digits experiment did not run: {digits_error}")
    elif digits is not None:
        lines += _report_digits.study_markdown(digits)
    lines += ["", "## 7. Timing", ""]
    if timing_error:
        lines.append(f"Timing failed: {timing_error}")
    elif timings is not None:
        lines.append(
            "Best of a few runs after compilation; ratio = other / rstheory (above 1: rstheory "
            "is faster).  rstheory's bounds are verified outward-rounded; SciPy's are not.  "
            "Seeded inputs: n uniform on [10, 1e6), k uniform on [1, n] (SciPy's betaincinv "
            f"is NaN at k = 0), alpha = 0.001; {env.get('numba_threads')} Numba threads."
        )
        lines += [
            "",
            "| task | rstheory | other tool | other | ratio | note |",
            "|---|---:|---|---:|---:|---|",
        ]
        for r in timings:
            ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
            lines.append(
                f"| {r['what']} | {_fmt_s(r['rstheory_s'])} | {r['other']} | "
                f"{_fmt_s(r['other_s'])} | {ratio} | {r['note']} |"
            )
    lines += ["", "## 8. Figures", ""]
    if figure_error:
        lines.append(f"Figures failed: {figure_error}")
    for filename, caption in figures:
        lines += [f"![{caption}]({filename})", "", f"*{caption}*", ""]
    lines += ["", "## 9. Environment", "", "| item | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in env.items()]
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- entry points


def _progress(progress: bool | Callable[[str], None] | None) -> Callable[[str], None]:
    """A ``say(text)``: ``print`` to stderr with the elapsed time, a given callable, or nothing."""
    if callable(progress):
        return progress
    if not progress:
        return lambda text: None
    start = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {text}", file=sys.stderr, flush=True)

    return say


def _workers(workers: int | None) -> int:
    if workers is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not Linux
            return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return workers


def _attempt(
    sections: dict[str, float], key: str, say: Callable[[str], None], run: Callable[[], Any]
) -> tuple[Any, str | None]:
    """Run one study step, timed; its exception becomes an error text, not a crash."""
    say(f"{key}...")
    value, error, sections[key] = _timed(run)
    say(f"{key}: {'done' if error is None else 'FAILED: ' + error} ({sections[key]:.1f} s)")
    return value, error


def write_report(
    out_dir: str | os.PathLike[str],
    quick: bool = False,
    *,
    workers: int | None = None,
    progress: bool | Callable[[str], None] | None = None,
) -> Path:
    """Run the verification and write ``report.md``, ``report.json`` and figures.

    Parameters
    ----------
    out_dir : str or path-like
        Directory to write into (created if missing).
    quick : bool, optional
        Use the small grid and smaller timing inputs (under 30 s on 2 cores
        instead of under 3 minutes).
    workers : int, optional
        Processes for the checks against the mpmath twins (default: one per
        available core; 1 runs them in this process).  The timing section
        always runs alone.
    progress : bool or callable, optional
        ``True`` prints one line per step on stderr (with the elapsed time);
        a callable receives the lines instead.

    Returns
    -------
    pathlib.Path
        Path of ``report.md``.  The summary (``passed``, ``unsound``, ``nan``,
        ``errors``, per-kernel rows of the accuracy, planning and levels
        sections, the formula families and the claims' verdicts) is in
        ``report.json`` next to it; see :func:`read_summary`.

    Raises
    ------
    ValueError
        If ``workers`` is not a positive integer.

    Notes
    -----
    A kernel that raises is reported as an error row (and the report fails)
    instead of aborting the report; so is a failure of the SORM study, the
    simulation, the digits experiment (skipped, with its reason, without torch
    and scikit-learn), the claims, the timing or the figure sections, which do
    not change the verdict.  The claims are judged by
    :func:`rstheory.claims.judge` on the report's own data (its small digits
    grid, its simulation study); ``docs/claims.md`` is the ledger on the full
    digits run.
    """
    from rstheory import claims as claims_module

    n_workers = _workers(workers)
    say = _progress(progress)
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections: dict[str, float] = {}
    groups = {
        "accuracy": KERNELS,
        "planning": PLANNING_KERNELS,
        "levels": LEVELS_KERNELS,
        "sorm": SORM_KERNELS,
    }
    names = [n for group in groups.values() for n in group]
    studies: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "simulation": (_report_simulate.simulate_study, (quick,)),
    }
    digits_error = _report_digits.available()
    if digits_error is None:  # run_digits prints its own progress lines on stderr
        studies["digits"] = (_report_digits.digits_study, (quick, progress is True))
    else:
        say(f"digits: skipped ({digits_error})")
    say(
        f"checks against the mpmath twins ({len(names)} kernels) and the "
        f"{' and '.join(studies)} stud{'ies' if len(studies) > 1 else 'y'}, "
        f"{n_workers} worker(s)"
    )
    t1 = time.perf_counter()
    done, results = _run_checks(
        names, quick, min(n_workers, len(names) + len(studies)), say, studies
    )
    sections["checks and studies"] = time.perf_counter() - t1
    table = {key: [done[n] for n in group] for key, group in groups.items()}
    checks = table["accuracy"]
    every = [c for rows in table.values() for c in rows]
    simulation, simulation_error, _ = results["simulation"]
    digits: dict[str, Any] | None = None
    if "digits" in results:
        digits, digits_error, _ = results["digits"]
    study_seconds = {key: r[2] for key, r in results.items()}
    study, study_error = _attempt(
        sections, "sorm study", say, lambda: _report_sorm.sorm_study(quick)
    )

    def judge_all() -> list[Any]:
        offsets = claims_module.sorm_offsets()
        return [
            claims_module.judge(c.number, digits=digits, simulation=simulation, sorm=offsets)
            for c in claims_module.CLAIMS
        ]

    claim_results, claims_error = _attempt(sections, "claims", say, judge_all)
    timings, timing_error = _attempt(sections, "timing", say, lambda: _timings(quick))
    figures, figure_error = _attempt(
        sections, "figures", say, lambda: _figures(out, simulation, digits)
    )
    figures = figures or []
    env = _environment()
    env["workers"] = n_workers
    wall = time.perf_counter() - t0
    text = _markdown(
        checks,
        timings,
        timing_error,
        figures,
        figure_error,
        env,
        quick,
        wall,
        sections,
        planning=table["planning"],
        levels=table["levels"],
        sorm=table["sorm"],
        study=study,
        study_error=study_error,
        simulation=simulation,
        simulation_error=simulation_error,
        digits=digits,
        digits_error=digits_error,
        claims=claim_results,
        claims_error=claims_error,
    )
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    unsound = sum(c.unsound for c in every)
    nan = sum(c.nan for c in every)
    errors = sum(c.errors for c in every)
    summary = {
        "passed": not (unsound or nan or errors),
        "quick": quick,
        "unsound": unsound,
        "nan": nan,
        "errors": errors,
        "points": sum(c.points for c in every),
        "wall_seconds": wall,
        "section_seconds": sections,
        "study_seconds": study_seconds,
        "families": _families(every),
        "claims": None if claim_results is None else [r.as_dict() for r in claim_results],
        "claims_error": claims_error,
        "kernels": [c.as_dict() for c in checks],
        "planning": [c.as_dict() for c in table["planning"]],
        "levels": [c.as_dict() for c in table["levels"]],
        "sorm": [c.as_dict() for c in table["sorm"]],
        "sorm_study": study,
        "sorm_study_error": study_error,
        "simulation": None if simulation is None else _report_simulate.summary(simulation),
        "simulation_error": simulation_error,
        "digits": digits,
        "digits_error": digits_error,
        "timings": timings,
        "timing_error": timing_error,
        "figures": [f for f, _ in figures],
        "figure_error": figure_error,
        "environment": env,
    }
    (out / "report.json").write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
    say(f"written: {path} ({wall:.1f} s)")
    if not summary["passed"]:
        print(
            f"FAIL: rstheory report: {unsound} unsound results, {nan} NaN results, "
            f"{errors} errors (see {path})",
            file=sys.stderr,
        )
    return path


def read_summary(report_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The summary written by :func:`write_report` (``report.json`` next to ``report.md``).

    Returns
    -------
    dict
        Keys ``passed``, ``unsound``, ``nan``, ``errors``, ``points`` (totals
        over all three check sections), ``wall_seconds``, ``kernels`` (one dict
        per row of the error table), ``planning`` and ``levels`` (the rows of
        the planning and levels sections), ``sorm`` and ``sorm_study``,
        ``simulation`` (the numbers of the simulation section, see
        :func:`rstheory._report_simulate.summary`) and ``simulation_error``,
        ``timings``, ``figures``, ``environment``.
    """
    path = Path(report_path)
    if path.is_dir():
        path = path / "report.md"
    data: dict[str, Any] = json.loads(path.with_name("report.json").read_text(encoding="utf-8"))
    return data
