"""Tests of rstheory.bounds: soundness against the mpmath twin, properties, coverage."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.bounds import (
    clopper_pearson,
    clopper_pearson_lower,
    clopper_pearson_upper,
    cp_array,
    cp_array_parallel,
    cp_lower_kernel,
    cp_upper_kernel,
    hoeffding_lower,
    hoeffding_upper,
    wilson_lower,
    wilson_upper,
)

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)

#: relative accuracy promised for n <= 1e9
TIGHT = 1e-12


@st.composite
def k_n_alpha(draw, max_log10_n=6.0, min_log10_alpha=-300.0):
    """(k, n, alpha) with n log-uniform, k anywhere including the edges."""
    n = int(10 ** draw(st.floats(0.0, max_log10_n)))
    n = max(n, 1)
    where = draw(st.sampled_from(["edge", "uniform", "near_n", "near_0"]))
    if where == "edge":
        k = draw(st.sampled_from([0, 1, n - 1, n]))
    elif where == "near_n":
        k = n - draw(st.integers(0, min(n, 20)))
    elif where == "near_0":
        k = draw(st.integers(0, min(n, 20)))
    else:
        k = draw(st.integers(0, n))
    k = min(max(k, 0), n)
    alpha = 10 ** draw(st.floats(min_log10_alpha, math.log10(0.999)))
    return k, n, alpha


def _rel(x: float, exact) -> float:
    return 0.0 if exact == 0 else abs(float((x - exact) / exact))


# ---------------------------------------------------------------- soundness vs mpmath


@SETTINGS
@given(k_n_alpha())
def test_lower_sound_and_tight_vs_mpmath(kna):
    k, n, alpha = kna
    x = clopper_pearson_lower(k, n, alpha)
    exact = ref.clopper_pearson_lower(k, n, alpha)
    assert x <= exact, (k, n, alpha, x, exact)
    if exact > 2.3e-308:
        assert _rel(x, exact) <= TIGHT, (k, n, alpha, x, float(exact))


@SETTINGS
@given(k_n_alpha())
def test_upper_sound_and_tight_vs_mpmath(kna):
    k, n, alpha = kna
    x = clopper_pearson_upper(k, n, alpha)
    exact = ref.clopper_pearson_upper(k, n, alpha)
    assert x >= exact, (k, n, alpha, x, exact)
    assert _rel(x, exact) <= TIGHT, (k, n, alpha, x, float(exact))


@settings(deadline=None, derandomize=True, max_examples=120)
@given(k_n_alpha(max_log10_n=math.log10(2.0**53)))
def test_sound_up_to_2_pow_53(kna):
    """Zero soundness violations for n up to 2**53 and alpha down to 1e-300.

    Decided by one tail evaluation at the exact returned double (no root solve),
    so it stays cheap at any n.
    """
    k, n, alpha = kna
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    assert ref.lower_bound_is_sound(lo, k, n, alpha), (k, n, alpha, lo)
    assert ref.upper_bound_is_sound(hi, k, n, alpha), (k, n, alpha, hi)


EXTREME_GRID = [
    (70, 100, 1e-300),
    (123456789, 10**9, 1e-3),
    (1, 10**9, 1e-3),
    (10**9 - 1, 10**9, 1e-3),
    (276, 310, 1e-275),
    (1, 1, 0.5),
    (3, 10, 0.999),
    (5 * 10**8, 10**9, 1e-300),
    (10**9 // 2, 10**9, 0.4),
    (1, 2**53, 1e-300),
    (2**52, 2**53, 1e-3),
    (2**53 - 1, 2**53, 1e-300),
    (12345, 2**53 - 1, 0.01),
]


@pytest.mark.parametrize(("k", "n", "alpha"), EXTREME_GRID)
def test_extreme_grid_sound(k, n, alpha):
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    assert ref.lower_bound_is_sound(lo, k, n, alpha)
    assert ref.upper_bound_is_sound(hi, k, n, alpha)
    if n <= 10**9:
        # tight: one step of 1e-12 relative outward crosses the exact value
        if lo > 0:
            assert not ref.lower_bound_is_sound(lo * (1 + TIGHT), k, n, alpha)
        if hi < 1:
            assert not ref.upper_bound_is_sound(hi * (1 - TIGHT), k, n, alpha)


def test_scipy_unsafe_case_is_fixed():
    """SciPy's betaincinv rounds to the unsafe side here (issue #3); we must not."""
    import scipy.special as sc

    k, n, alpha = 123456789, 10**9, 1e-3
    exact = ref.clopper_pearson_lower(k, n, alpha)
    assert sc.betaincinv(k, n - k + 1, alpha) > exact  # the documented SciPy problem
    x = clopper_pearson_lower(k, n, alpha)
    assert x <= exact
    assert _rel(x, exact) <= TIGHT


def test_alpha_1e300_accuracy():
    exact = ref.clopper_pearson_lower(70, 100, 1e-300)
    x = clopper_pearson_lower(70, 100, 1e-300)
    assert x <= exact
    assert _rel(x, exact) <= TIGHT


# ---------------------------------------------------------------- closed forms


@SETTINGS
@given(st.integers(1, 2**53), st.floats(1e-300, 0.999))
def test_closed_forms(n, alpha):
    assert clopper_pearson_lower(0, n, alpha) == 0.0
    assert clopper_pearson_upper(n, n, alpha) == 1.0
    lo = clopper_pearson_lower(n, n, alpha)
    hi = clopper_pearson_upper(0, n, alpha)
    exact_lo = ref.clopper_pearson_lower(n, n, alpha)
    exact_hi = ref.clopper_pearson_upper(0, n, alpha)
    assert lo <= exact_lo
    assert hi >= exact_hi
    # documented closed-form accuracy: exp(log(alpha)/n) carries |t| ulps, t = log(alpha)/n
    t = abs(math.log(alpha)) / n
    assert _rel(lo, exact_lo) <= (4 + 4 * t) * 2.0**-52
    assert _rel(hi, exact_hi) <= 8 * 2.0**-52


def test_closed_form_no_cancellation():
    # 1 - alpha**(1/n) for n = 1e15 is ~6.9e-15: naive 1 - 0.001**(1/n) has no digits left
    n = 10**15
    hi = clopper_pearson_upper(0, n, 1e-3)
    exact = -math.expm1(math.log(1e-3) / n)
    assert hi == pytest.approx(exact, rel=1e-14)


# ---------------------------------------------------------------- properties


@SETTINGS
@given(k_n_alpha())
def test_bracket_phat(kna):
    k, n, alpha = kna
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    assert 0.0 <= lo <= 1.0 and 0.0 <= hi <= 1.0
    if alpha <= 0.5:
        # k is a median of Binomial(n, k/n), so P[X >= k] >= 1/2 >= alpha at p = k/n
        assert lo <= k / n <= hi
    ci = clopper_pearson(k, n, alpha)
    assert ci.low <= lo and ci.high >= hi  # two-sided at alpha is wider


def _le(x: float, y: float) -> bool:
    """x <= y up to the outward-rounding slop (2e-12 relative in x and in 1 - x)."""
    return x <= y + 2e-12 * min(abs(y), abs(1.0 - y)) + 1e-300


@SETTINGS
@given(k_n_alpha(min_log10_alpha=-100.0))
def test_monotone(kna):
    """Monotone in k, n and alpha, up to the documented rounding slop."""
    k, n, alpha = kna
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    if k < n:
        assert _le(lo, clopper_pearson_lower(k + 1, n, alpha))
        assert _le(hi, clopper_pearson_upper(k + 1, n, alpha))
    # more trials with the same successes: lower bound decreases
    assert _le(clopper_pearson_lower(k, n + 1, alpha), lo)
    # larger alpha (less confidence): tighter bounds
    a2 = min(0.999, alpha * 2)
    assert _le(lo, clopper_pearson_lower(k, n, a2))
    assert _le(clopper_pearson_upper(k, n, a2), hi)


@SETTINGS
@given(k_n_alpha(max_log10_n=9.0))
def test_symmetry(kna):
    """upper(k) = 1 - lower(n - k) in exact arithmetic; both rounded outward."""
    k, n, alpha = kna
    hi = clopper_pearson_upper(k, n, alpha)
    lo = clopper_pearson_lower(n - k, n, alpha)
    # both hi and 1 - lo are >= the exact value; they agree to the rounding of lo near 1
    assert abs(hi - (1.0 - lo)) <= 1e-12 * hi + 2e-15


def test_broadcasting_and_types():
    k = np.array([[0], [5], [10]])
    out = clopper_pearson_lower(k, 10, [0.01, 0.05])
    assert out.shape == (3, 2)
    assert isinstance(clopper_pearson_lower(5, 10, 0.05), float)
    assert isinstance(clopper_pearson_upper(np.int64(5), np.float64(10), 0.05), float)
    ci = clopper_pearson(np.arange(4), 3 + np.zeros(4), 0.1)
    assert ci.low.shape == ci.high.shape == (4,)
    assert ci._fields == ("low", "high")
    # array and scalar paths agree bit for bit
    ks = np.arange(0, 101)
    arr = clopper_pearson_lower(ks, 100, 0.001)
    assert all(arr[i] == clopper_pearson_lower(int(i), 100, 0.001) for i in ks)


def test_statsmodels_side_by_side():
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    rng = np.random.default_rng(20261123)
    n = rng.integers(1, 100_000, 400)
    k = rng.integers(0, n + 1)
    for alpha in (1e-3, 0.05):
        low_sm, high_sm = proportion.proportion_confint(k, n, 2 * alpha, method="beta")
        low_sm = np.where(k == 0, 0.0, low_sm)
        high_sm = np.where(k == n, 1.0, high_sm)
        lo = clopper_pearson_lower(k, n, alpha)
        hi = clopper_pearson_upper(k, n, alpha)
        np.testing.assert_allclose(lo, low_sm, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(hi, high_sm, rtol=1e-9)


def test_comparators():
    rng = np.random.default_rng(7)
    n = rng.integers(1, 10_000, 300)
    k = rng.integers(0, n + 1)
    alpha = 1e-3
    cp = clopper_pearson_lower(k, n, alpha)
    hl = hoeffding_lower(k, n, alpha)
    assert np.all(hl <= cp + 1e-15)  # Hoeffding is never tighter than Clopper-Pearson
    assert np.all(hoeffding_upper(k, n, alpha) >= clopper_pearson_upper(k, n, alpha) - 1e-15)
    wl = wilson_lower(k, n, alpha)
    wu = wilson_upper(k, n, alpha)
    assert np.all((wl <= k / n + 1e-15) & (wu >= k / n - 1e-15))
    for kk, nn in [(5, 100), (990, 1000), (0, 50), (50, 50)]:
        for f in (hoeffding_lower, hoeffding_upper, wilson_lower, wilson_upper):
            twin = getattr(ref, f.__name__)(kk, nn, alpha)
            assert f(kk, nn, alpha) == pytest.approx(float(twin), rel=1e-13, abs=1e-300)
    # Wilson is anti-conservative: above the exact Clopper-Pearson bound for most k
    ks = np.arange(1, 20)
    assert np.all(wilson_lower(ks, 20, 0.05) > clopper_pearson_lower(ks, 20, 0.05))


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize(("p", "n", "alpha"), [(0.9, 100, 0.05), (0.5, 40, 0.1), (0.99, 500, 0.01)])
def test_coverage_by_simulation(p, n, alpha):
    """P[lower <= p] >= 1 - alpha, and the two-sided interval covers at 1 - alpha."""
    rng = np.random.default_rng(12345)
    trials = 20_000
    k = rng.binomial(n, p, trials)
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    ci = clopper_pearson(k, n, alpha)
    # exact coverage from the binomial pmf, and the simulated frequency
    from scipy.stats import binom

    ks = np.arange(n + 1)
    lo_all = clopper_pearson_lower(ks, n, alpha)
    exact_cov = binom.pmf(ks, n, p)[lo_all <= p].sum()
    assert exact_cov >= 1 - alpha
    sd = math.sqrt(alpha * (1 - alpha) / trials)
    assert np.mean(lo <= p) >= 1 - alpha - 4 * sd
    assert np.mean(hi >= p) >= 1 - alpha - 4 * sd
    assert np.mean((ci.low <= p) & (p <= ci.high)) >= 1 - alpha - 4 * sd


# ---------------------------------------------------------------- kernels in user code


@njit
def _user_code(k, n, alpha):
    total = 0.0
    for i in range(k.shape[0]):
        total += cp_lower_kernel(k[i], n[i], alpha) - cp_upper_kernel(k[i], n[i], alpha)
    return total


def test_kernels_inside_user_njit():
    k = np.array([0.0, 3.0, 10.0])
    n = np.array([10.0, 10.0, 10.0])
    expect = sum(
        clopper_pearson_lower(int(a), int(b), 0.01) - clopper_pearson_upper(int(a), int(b), 0.01)
        for a, b in zip(k, n, strict=True)
    )
    assert _user_code(k, n, 0.01) == pytest.approx(expect, rel=1e-15)
    alpha = np.full(3, 0.01)
    for arr in (cp_array, cp_array_parallel):
        np.testing.assert_array_equal(arr(k, n, alpha, False), clopper_pearson_lower(k, n, 0.01))
        np.testing.assert_array_equal(arr(k, n, alpha, True), clopper_pearson_upper(k, n, 0.01))


def test_disable_jit_gives_same_results():
    code = (
        "import numba, json;"
        "assert numba.config.DISABLE_JIT;"
        "from rstheory.bounds import clopper_pearson_lower as L, clopper_pearson_upper as U;"
        "print(json.dumps([L(k, n, a) for k, n, a in CASES] + [U(k, n, a) for k, n, a in CASES]))"
    )
    cases = [(0, 10, 0.05), (3, 10, 0.05), (10, 10, 0.05), (70, 100, 1e-300), (1, 10**9, 1e-3)]
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run(
        [sys.executable, "-c", f"CASES = {cases!r}\n" + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    got = json.loads(out.stdout)
    want = [clopper_pearson_lower(*c) for c in cases] + [clopper_pearson_upper(*c) for c in cases]
    assert got == pytest.approx(want, rel=1e-15)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((11, 10, 0.05), "k"),
        ((-1, 10, 0.05), "k"),
        ((1.5, 10, 0.05), "k"),
        ((1, 0, 0.05), "n"),
        ((1, 10.5, 0.05), "n"),
        ((1, 2.0**54, 0.05), "n"),
        ((1, 10, 0.0), "alpha"),
        ((1, 10, 1.0), "alpha"),
        ((1, 10, -0.1), "alpha"),
        ((float("nan"), 10, 0.05), "k"),
        ((1, float("nan"), 0.05), "n"),
        ((1, 10, float("nan")), "alpha"),
        ((1, float("inf"), 0.05), "n"),
        ((1, 10, "x"), "alpha"),
        (([1, 2], [10, 10, 10], 0.05), "broadcast"),
    ],
)
@pytest.mark.parametrize(
    "func",
    [
        clopper_pearson_lower,
        clopper_pearson_upper,
        clopper_pearson,
        hoeffding_lower,
        hoeffding_upper,
        wilson_lower,
        wilson_upper,
    ],
)
def test_bad_input(func, args, name):
    with pytest.raises(ValueError, match=name):
        func(*args)


def test_no_nan_on_valid_grid():
    ks, ns, als = np.meshgrid(np.arange(0, 31), np.array([30.0]), np.logspace(-300, -0.01, 40))
    for f in (clopper_pearson_lower, clopper_pearson_upper):
        out = f(ks, ns, als)
        assert np.all(np.isfinite(out))


#: documented accuracy for 1e9 < n <= 2**53 (measured: 1e-11 at worst, mostly 1e-13)
TIGHT_BEYOND_1E9 = 1e-10


@pytest.mark.parametrize("n", [10**11, 10**13, 10**15, 2**53 - 1])
@pytest.mark.parametrize(
    ("frac", "alpha"), [(0.9341, 0.4), (0.0892, 0.05), (0.5, 1e-3), (0.5, 0.5), (0.3433884, 0.5)]
)
def test_beyond_1e9_sound_and_within_documented_bound(n, frac, alpha):
    """Near the centre of huge distributions: sound, and within TIGHT_BEYOND_1E9."""
    k = int(n * frac)
    lo = clopper_pearson_lower(k, n, alpha)
    hi = clopper_pearson_upper(k, n, alpha)
    assert ref.lower_bound_is_sound(lo, k, n, alpha)
    assert ref.upper_bound_is_sound(hi, k, n, alpha)
    assert not ref.lower_bound_is_sound(lo * (1 + TIGHT_BEYOND_1E9), k, n, alpha)
    assert not ref.upper_bound_is_sound(hi * (1 - TIGHT_BEYOND_1E9), k, n, alpha)
