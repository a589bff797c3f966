"""Tests of rstheory.radius: soundness against the mpmath twin, identities, properties."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.radius import (
    OUTWARD_STEP,
    PARALLEL_MIN_SIZE,
    gaussian_radius,
    gaussian_radius_array,
    gaussian_radius_array_parallel,
    gaussian_radius_kernel,
    gaussian_radius_log_kernel,
    gaussian_radius_two,
    gaussian_radius_two_array,
    gaussian_radius_two_array_parallel,
    gaussian_radius_two_kernel,
    l2_radius_for_linf,
    l2_radius_for_linf_array,
    l2_radius_for_linf_kernel,
    laplace_radius,
    laplace_radius_array,
    laplace_radius_kernel,
    laplace_radius_two_array,
    laplace_radius_two_kernel,
    linf_radius_from_l2,
    linf_radius_from_l2_array,
    linf_radius_from_l2_kernel,
    uniform_radius,
    uniform_radius_array,
    uniform_radius_kernel,
)

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)

#: relative accuracy promised against the exact value
TIGHT = 1e-12
_DBL_MIN = 2.2250738585072014e-308
_HALF_ULP_BELOW = 0.5 - 2.0**-54  # 0.5 - 1 ulp
_HALF_ULP_ABOVE = 0.5 + 2.0**-53  # 0.5 + 1 ulp

#: fixed grid of probabilities, extreme tails included
P_GRID = [
    0.0,
    5e-324,
    1e-320,
    _DBL_MIN,
    1e-300,
    1e-200,
    1e-100,
    1e-30,
    1e-10,
    1e-3,
    0.01,
    0.1,
    math.exp(-2.0),  # a branch point of Cephes' ndtri
    0.2,
    0.25,
    0.3,
    0.4,
    0.49,
    0.5 - 1e-9,
    _HALF_ULP_BELOW - 2.0**-54,
    _HALF_ULP_BELOW,
    0.5,
    _HALF_ULP_ABOVE,
    _HALF_ULP_ABOVE + 2.0**-53,
    0.5 + 1e-9,
    0.51,
    0.6,
    0.75,
    1.0 - math.exp(-2.0),
    0.9,
    0.99,
    0.999,
    1.0 - 1e-6,
    1.0 - 1e-10,
    1.0 - 1e-15,
    1.0 - 2.0**-52,
    1.0 - 2.0**-53,
    1.0,
]
SCALE_GRID = [1e-300, 1e-5, 0.12, 0.25, 0.5, 1.0, 3.0, 1e5, 1e300]


def _nudge(p: float, k: int) -> float:
    """``p`` moved by ``k`` ulps (clipped to [0, 1])."""
    x = p
    step = math.inf if k > 0 else -math.inf
    for _ in range(abs(k)):
        x = math.nextafter(x, step)
    return min(max(x, 0.0), 1.0)


probabilities = st.one_of(
    st.floats(0.0, 1.0),
    st.floats(-300.0, 0.0).map(lambda e: 10.0**e),
    st.floats(-16.0, 0.0).map(lambda e: 1.0 - 10.0**e),
    st.floats(-1e-6, 1e-6).map(lambda d: 0.5 + d),
    st.tuples(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.integers(-40, 40)).map(
        lambda t: _nudge(*t)
    ),
    st.sampled_from(P_GRID),
)
scales = st.one_of(
    st.floats(-5.0, 5.0).map(lambda e: 10.0**e),
    st.sampled_from(SCALE_GRID),
)


def _rel(x: float, exact) -> float:
    if exact == 0:
        return 0.0 if x == 0 else math.inf
    return abs(float((x - exact) / exact))


def _check_sound_tight(x: float, exact, mag=None, *, upper: bool = False) -> float:
    """Assert soundness (and tightness where the value is a normal double); return rel error.

    ``mag`` is the magnitude the accuracy is relative to (default ``|exact|``).
    """
    assert not math.isnan(x)
    if upper:
        assert x >= exact, (x, exact)
    else:
        assert x <= exact, (x, exact)
    scale = abs(exact) if mag is None else mag
    if math.isinf(x) or math.isinf(exact):
        assert x == exact or (not upper and x == -math.inf) or (upper and x == math.inf)
        return 0.0
    if scale == 0:
        assert x == 0.0
        return 0.0
    if _DBL_MIN * 4 < scale < 1e307:
        err = abs(float((x - exact) / scale))
        assert err <= TIGHT, (x, exact, err)
        return err
    return 0.0


# ---------------------------------------------------------------- soundness vs mpmath


@SETTINGS
@given(probabilities, scales)
def test_gaussian_sound_and_tight(p, sigma):
    x = gaussian_radius(p, sigma)
    _check_sound_tight(x, ref.gaussian_radius(p, sigma))


def test_gaussian_grid_zero_unsound():
    unsound = []
    worst = 0.0
    for p in P_GRID:
        for sigma in SCALE_GRID:
            x = gaussian_radius(p, sigma)
            exact = ref.gaussian_radius(p, sigma)
            if not x <= exact:
                unsound.append((p, sigma, x, exact))
            worst = max(worst, _check_sound_tight(x, exact))
    assert unsound == []
    assert worst <= 2 * OUTWARD_STEP


def test_gaussian_many_points_zero_unsound():
    """A dense seeded sample over the whole range, the tails log-uniform."""
    rng = np.random.default_rng(20190207)
    ps = np.concatenate(
        [
            rng.random(150),
            10.0 ** rng.uniform(-300, -1, 100),
            1.0 - 10.0 ** rng.uniform(-16, -1, 100),
            0.5 + rng.uniform(-1e-12, 1e-12, 50),
        ]
    )
    xs = gaussian_radius(ps, 1.0)
    unsound = [
        (float(p), float(x))
        for p, x in zip(ps, xs, strict=True)
        if not x <= ref.gaussian_radius(float(p), 1.0)
    ]
    assert unsound == []


@SETTINGS
@given(probabilities, probabilities, scales)
def test_gaussian_two_sound_and_tight(pa, pb, sigma):
    if pa == pb and pa in (0.0, 1.0):
        return  # undefined (inf - inf): a ValueError, tested below
    x = gaussian_radius_two(pa, pb, sigma)
    exact = ref.gaussian_radius_two(pa, pb, sigma)
    za, zb = scipy.special.ndtri(pa), scipy.special.ndtri(pb)
    if math.isinf(za) or math.isinf(zb):
        mag = None
    else:
        mag = sigma / 2 * (abs(za) + abs(zb))
    _check_sound_tight(x, exact, mag)


def test_gaussian_two_grid_zero_unsound():
    unsound = []
    for pa in P_GRID:
        for pb in P_GRID[::3]:
            if pa == pb and pa in (0.0, 1.0):
                continue
            x = gaussian_radius_two(pa, pb, 0.5)
            if not x <= ref.gaussian_radius_two(pa, pb, 0.5):
                unsound.append((pa, pb, x))
    assert unsound == []


@SETTINGS
@given(probabilities, scales)
def test_laplace_sound_and_tight(p, scale):
    _check_sound_tight(laplace_radius(p, scale), ref.laplace_radius(p, scale))


@SETTINGS
@given(probabilities, probabilities, scales)
def test_laplace_two_sound_and_tight(pa, pb, scale):
    if pa == pb == 0.0:
        return  # undefined (log 0/0): a ValueError, tested below
    x = laplace_radius(pa, scale, p_b_upper=pb)
    _check_sound_tight(x, ref.laplace_radius(pa, scale, p_b_upper=pb))


def test_laplace_grid_zero_unsound():
    unsound = []
    for p in P_GRID:
        for scale in SCALE_GRID:
            for pb in (None, 1e-300, 0.3, p, 1.0 - p, 0.7):
                if p == pb == 0.0:
                    continue
                x = laplace_radius(p, scale, p_b_upper=pb)
                exact = ref.laplace_radius(p, scale, p_b_upper=pb)
                if not x <= exact:
                    unsound.append((p, scale, pb, x))
                _check_sound_tight(x, exact)
    assert unsound == []


@SETTINGS
@given(probabilities, scales)
def test_uniform_sound_and_tight(p, scale):
    _check_sound_tight(uniform_radius(p, scale), ref.uniform_radius(p, scale))


def test_uniform_grid_zero_unsound():
    unsound = [
        (p, s)
        for p in P_GRID
        for s in SCALE_GRID
        if not uniform_radius(p, s) <= ref.uniform_radius(p, s)
    ]
    assert unsound == []


radii_values = st.one_of(
    st.floats(-1e6, 1e6),
    st.floats(-300.0, 300.0).map(lambda e: 10.0**e),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, 5e-324, -5e-324, 1.7e308]),
)
dims = st.one_of(st.integers(1, 10**7), st.sampled_from([1, 2, 3, 4, 784, 3072, 150528, 2**53]))


@SETTINGS
@given(radii_values, dims)
def test_linf_from_l2_sound_and_tight(r, d):
    _check_sound_tight(linf_radius_from_l2(r, d), ref.linf_radius_from_l2(r, d))


@SETTINGS
@given(radii_values.map(abs), dims)
def test_l2_for_linf_sound_and_tight(eps, d):
    _check_sound_tight(l2_radius_for_linf(eps, d), ref.l2_radius_for_linf(eps, d), upper=True)


# ---------------------------------------------------------------- exact values


def test_exact_special_values():
    assert gaussian_radius(0.5, 0.3) == 0.0
    assert gaussian_radius(1.0, 0.3) == math.inf
    assert gaussian_radius(0.0, 0.3) == -math.inf
    assert gaussian_radius(_HALF_ULP_ABOVE, 1.0) > 0.0
    assert gaussian_radius(_HALF_ULP_BELOW, 1.0) < 0.0
    assert gaussian_radius_two(0.3, 0.3, 1.0) == 0.0
    assert gaussian_radius_two(1.0, 0.2, 1.0) == math.inf
    assert gaussian_radius_two(0.7, 0.0, 1.0) == math.inf
    assert gaussian_radius_two(0.0, 0.2, 1.0) == -math.inf
    assert laplace_radius(0.5, 2.0) == 0.0
    assert laplace_radius(1.0, 2.0) == math.inf
    assert laplace_radius(0.0, 2.0) == -math.inf
    assert laplace_radius(0.4, 2.0, p_b_upper=0.0) == math.inf
    assert laplace_radius(0.0, 2.0, p_b_upper=0.4) == -math.inf
    assert uniform_radius(0.5, 2.0) == 0.0
    assert linf_radius_from_l2(0.0, 7) == 0.0
    assert linf_radius_from_l2(math.inf, 7) == math.inf
    assert linf_radius_from_l2(-math.inf, 7) == -math.inf
    assert l2_radius_for_linf(0.0, 7) == 0.0
    assert l2_radius_for_linf(math.inf, 7) == math.inf


def test_overflow_and_underflow_stay_sound():
    # sigma * ndtri(p) above the largest double: a finite, stepped-down radius
    big = gaussian_radius(1 - 1e-16, 1e308)
    assert math.isfinite(big) and big <= ref.gaussian_radius(1 - 1e-16, 1e308)
    assert gaussian_radius(1e-300, 1e308) == -math.inf
    # subnormal products are stepped down by at least one subnormal
    tiny = gaussian_radius(0.5 + 1e-6, 1e-318)
    assert tiny <= ref.gaussian_radius(0.5 + 1e-6, 1e-318)
    assert 0.0 < l2_radius_for_linf(5e-324, 4)


# ---------------------------------------------------------------- closed forms


@SETTINGS
@given(st.floats(-37.0, 3.0).filter(lambda z: abs(z) > 1e-2), scales)
def test_gaussian_inverts_ndtr(z, sigma):
    x = gaussian_radius(scipy.special.ndtr(z), sigma)
    assert x == pytest.approx(sigma * z, rel=1e-11)


@SETTINGS
@given(st.floats(-30.0, 30.0).filter(lambda t: abs(t) > 1e-3), scales)
def test_laplace_inverts_logistic(t, scale):
    p = scipy.special.expit(t)
    # logit(expit(t)) is t up to the rounding of p: |dt| <= eps / (1 - p) relative to p
    tol = 1e-15 / min(p, 1 - p) + 1e-14
    assert laplace_radius(p, scale) == pytest.approx(scale * t / 2, rel=tol)


@pytest.mark.parametrize("t", [-1.0, -0.5, -0.125, 2.0**-40, 0.25, 0.5, 0.75, 1.0])
def test_uniform_closed_form(t):
    x = uniform_radius(0.5 + t / 2, 3.0)
    exact = 3.0 * t
    assert x <= exact
    assert x == pytest.approx(exact, rel=2 * OUTWARD_STEP)


def test_two_sided_reduce_to_one_sided():
    ps = np.linspace(0.5, 1.0, 101)
    g1 = gaussian_radius(ps, 0.7)
    g2 = gaussian_radius_two(ps, 1.0 - ps, 0.7)  # 1 - p exact for p >= 1/2
    np.testing.assert_allclose(g2, g1, rtol=3 * OUTWARD_STEP, atol=0)
    l1 = laplace_radius(ps, 0.7)
    l2 = laplace_radius(ps, 0.7, p_b_upper=1.0 - ps)
    np.testing.assert_allclose(l2, l1, rtol=3 * OUTWARD_STEP, atol=0)


def test_norm_conversions_closed_form():
    assert linf_radius_from_l2(3.0, 4) <= 1.5
    assert linf_radius_from_l2(3.0, 4) == pytest.approx(1.5, rel=2 * OUTWARD_STEP)
    assert l2_radius_for_linf(1.5, 4) >= 3.0
    assert l2_radius_for_linf(1.5, 4) == pytest.approx(3.0, rel=2 * OUTWARD_STEP)
    assert linf_radius_from_l2(-2.0, 1) <= -2.0


# ---------------------------------------------------------------- properties


def _ordered(lo: float, hi: float, mag: float) -> bool:
    """``lo <= hi`` up to the accuracy bound ``2 * OUTWARD_STEP * mag``."""
    return lo <= hi or lo - hi <= 2 * OUTWARD_STEP * mag


@SETTINGS
@given(probabilities, probabilities, scales)
def test_monotone_in_p(p1, p2, sigma):
    lo, hi = min(p1, p2), max(p1, p2)
    assert laplace_radius(lo, sigma) <= laplace_radius(hi, sigma)
    assert uniform_radius(lo, sigma) <= uniform_radius(hi, sigma)
    # ndtri-based radii: monotone up to SciPy's ndtri rounding (see test below)
    g_lo, g_hi = gaussian_radius(lo, sigma), gaussian_radius(hi, sigma)
    assert _ordered(g_lo, g_hi, abs(g_lo))
    mag = sigma * (abs(scipy.special.ndtri(lo)) + abs(scipy.special.ndtri(hi)) + 2.0)
    if 0.0 < lo:
        assert _ordered(
            gaussian_radius_two(lo, 0.3, sigma), gaussian_radius_two(hi, 0.3, sigma), mag
        )
    if hi < 1.0:
        assert _ordered(
            gaussian_radius_two(0.7, hi, sigma), gaussian_radius_two(0.7, lo, sigma), mag
        )


def test_monotone_dense_grid():
    ps = np.sort(np.concatenate([np.linspace(0, 1, 20001), 0.5 + np.arange(-200, 201) * 2.0**-53]))
    for f in (gaussian_radius, laplace_radius, uniform_radius):
        r = f(ps, 1.3)
        assert np.all(r[1:] >= r[:-1]), f.__name__


@pytest.mark.parametrize("centre", [math.exp(-2.0), 1.0 - math.exp(-2.0), 0.25, 0.75])
def test_monotone_at_branch_points(centre):
    """Consecutive doubles around the branch points of ndtri and of the logit.

    Cephes' ndtri switches approximations at p = e^-2 and 1 - e^-2, where it is
    not monotone by a few eps; the radius inherits that (documented), stays
    sound, and is out of order by less than the accuracy bound.
    """
    ps = centre + np.arange(-3000, 3001) * np.spacing(centre)
    g = gaussian_radius(ps, 1.0)
    assert np.all(g[1:] - g[:-1] >= -2 * OUTWARD_STEP * np.abs(g[:-1]))
    for p, x in zip(ps[::500], g[::500], strict=True):
        assert x <= ref.gaussian_radius(float(p), 1.0)
    lap = laplace_radius(ps, 1.0)
    assert np.all(lap[1:] >= lap[:-1])


@SETTINGS
@given(probabilities, scales)
def test_sign_and_scaling(p, sigma):
    r = gaussian_radius(p, sigma)
    assert (r > 0) == (p > 0.5) and (r < 0) == (p < 0.5)
    assert not math.isnan(laplace_radius(p, sigma))
    # doubling the scale doubles the radius up to the outward steps
    r1, r2 = gaussian_radius(p, 1.0), gaussian_radius(p, 2.0)
    if math.isfinite(r1):
        assert r2 == pytest.approx(2 * r1, rel=4 * OUTWARD_STEP, abs=1e-300)


def test_returns_float_for_scalars_and_arrays_otherwise():
    assert type(gaussian_radius(0.9, 1.0)) is float
    assert type(gaussian_radius(np.float64(0.9), np.float32(1.0))) is float
    assert type(laplace_radius(0.9, 1.0, p_b_upper=0.05)) is float
    assert type(linf_radius_from_l2(1.0, 4)) is float
    out = gaussian_radius([[0.6], [0.9]], [0.25, 0.5, 1.0])
    assert isinstance(out, np.ndarray) and out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out[1], [gaussian_radius(0.9, s) for s in (0.25, 0.5, 1.0)])
    assert gaussian_radius(np.array(0.9), 1.0) == gaussian_radius(0.9, 1.0)
    assert uniform_radius([0.9], 1.0).shape == (1,)
    assert l2_radius_for_linf(np.zeros((2, 2)), 3).shape == (2, 2)


# ---------------------------------------------------------------- kernels


@njit
def _user_code(p, sigma):
    total = 0.0
    for i in range(p.shape[0]):
        total += gaussian_radius_kernel(p[i], sigma)
        total += gaussian_radius_two_kernel(p[i], 0.1, sigma)
        total += laplace_radius_kernel(p[i], sigma)
        total += laplace_radius_two_kernel(p[i], 0.1, sigma)
        total += uniform_radius_kernel(p[i], sigma)
        total += linf_radius_from_l2_kernel(p[i], 3.0)
        total += l2_radius_for_linf_kernel(p[i], 3.0)
    return total


def test_kernels_inside_user_njit():
    p = np.array([0.2, 0.6, 0.99])
    expect = sum(
        gaussian_radius(q, 0.5)
        + gaussian_radius_two(q, 0.1, 0.5)
        + laplace_radius(q, 0.5)
        + laplace_radius(q, 0.5, p_b_upper=0.1)
        + uniform_radius(q, 0.5)
        + linf_radius_from_l2(q, 3)
        + l2_radius_for_linf(q, 3)
        for q in p
    )
    assert _user_code(p, 0.5) == pytest.approx(expect, rel=1e-15)


def test_array_kernels_match_wrappers():
    p = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    q = np.array([0.05, 0.1, 0.2, 0.0, 0.9])
    s = np.full(5, 0.5)
    d = np.full(5, 10.0)
    np.testing.assert_array_equal(gaussian_radius_array(p, s), gaussian_radius(p, 0.5))
    np.testing.assert_array_equal(
        gaussian_radius_two_array(p, q, s), gaussian_radius_two(p, q, 0.5)
    )
    np.testing.assert_array_equal(laplace_radius_array(p, s), laplace_radius(p, 0.5))
    np.testing.assert_array_equal(
        laplace_radius_two_array(p, q, s), laplace_radius(p, 0.5, p_b_upper=q)
    )
    np.testing.assert_array_equal(uniform_radius_array(p, s), uniform_radius(p, 0.5))
    np.testing.assert_array_equal(linf_radius_from_l2_array(p, d), linf_radius_from_l2(p, 10))
    np.testing.assert_array_equal(l2_radius_for_linf_array(p, d), l2_radius_for_linf(p, 10))


def test_parallel_kernels_match_serial():
    rng = np.random.default_rng(9)
    n = PARALLEL_MIN_SIZE + 3
    p = rng.random(n)
    p[:3] = [0.0, 0.5, 1.0]
    q = rng.random(n)
    s = 10.0 ** rng.uniform(-2, 2, n)
    serial = gaussian_radius_array(p, s)
    np.testing.assert_array_equal(gaussian_radius_array_parallel(p, s), serial)
    np.testing.assert_array_equal(gaussian_radius(p, s), serial)  # the wrapper goes parallel
    serial_two = gaussian_radius_two_array(p, q, s)
    np.testing.assert_array_equal(gaussian_radius_two_array_parallel(p, q, s), serial_two)
    np.testing.assert_array_equal(gaussian_radius_two(p, q, s), serial_two)


DISABLE_JIT_CASES = [0.0, 1e-300, 0.1, 0.3, 0.5, _HALF_ULP_ABOVE, 0.7, 0.99, 1 - 2.0**-53, 1.0]


def _all_values(ps: list[float]) -> list[float]:
    out: list[float] = []
    for p in ps:
        out += [
            gaussian_radius(p, 0.5),
            gaussian_radius_two(p, 0.2, 0.5),
            laplace_radius(p, 0.5),
            laplace_radius(p, 0.5, p_b_upper=0.2),
            uniform_radius(p, 0.5),
            linf_radius_from_l2(p, 3),
            l2_radius_for_linf(p, 3),
        ]
    return out


def test_disable_jit_gives_same_results(values_without_jit):
    got = values_without_jit(
        "_all_values(CASES)",
        f"from tests.test_radius import _all_values\nCASES = {DISABLE_JIT_CASES!r}\n",
    )
    want = _all_values(DISABLE_JIT_CASES)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert not math.isnan(g)
        if math.isinf(w) or w == 0.0:
            assert g == w
        else:
            assert g == pytest.approx(w, rel=1e-15)


# ---------------------------------------------------------------- bad input


NAN = float("nan")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gaussian_radius(-0.1, 1.0), "p_lower"),
        (lambda: gaussian_radius(1.1, 1.0), "p_lower"),
        (lambda: gaussian_radius(NAN, 1.0), "p_lower"),
        (lambda: gaussian_radius("x", 1.0), "p_lower"),
        (lambda: gaussian_radius(0.9, 0.0), "sigma"),
        (lambda: gaussian_radius(0.9, -1.0), "sigma"),
        (lambda: gaussian_radius(0.9, math.inf), "sigma"),
        (lambda: gaussian_radius(0.9, NAN), "sigma"),
        (lambda: gaussian_radius([0.9, 0.8], [1.0, 2.0, 3.0]), "p_lower"),
        (lambda: gaussian_radius_two(1.5, 0.1, 1.0), "p_a_lower"),
        (lambda: gaussian_radius_two(0.9, -0.1, 1.0), "p_b_upper"),
        (lambda: gaussian_radius_two(0.9, NAN, 1.0), "p_b_upper"),
        (lambda: gaussian_radius_two(0.9, 0.1, 0.0), "sigma"),
        (lambda: gaussian_radius_two(1.0, 1.0, 1.0), "p_a_lower"),
        (lambda: gaussian_radius_two([0.5, 0.0], 0.0, 1.0), "p_b_upper"),
        (lambda: laplace_radius(2.0, 1.0), "p_a_lower"),
        (lambda: laplace_radius(0.9, 0.0), "scale"),
        (lambda: laplace_radius(0.9, math.inf), "scale"),
        (lambda: laplace_radius(0.9, 1.0, p_b_upper=1.2), "p_b_upper"),
        (lambda: laplace_radius(0.9, 1.0, p_b_upper=NAN), "p_b_upper"),
        (lambda: laplace_radius(0.0, 1.0, p_b_upper=0.0), "p_b_upper"),
        (lambda: uniform_radius(NAN, 1.0), "p_a_lower"),
        (lambda: uniform_radius(0.9, -2.0), "scale"),
        (lambda: linf_radius_from_l2(NAN, 3), "radius"),
        (lambda: linf_radius_from_l2(1.0, 0), "dim"),
        (lambda: linf_radius_from_l2(1.0, 2.5), "dim"),
        (lambda: linf_radius_from_l2(1.0, -3), "dim"),
        (lambda: linf_radius_from_l2(1.0, NAN), "dim"),
        (lambda: l2_radius_for_linf(-0.1, 3), "eps"),
        (lambda: l2_radius_for_linf(NAN, 3), "eps"),
        (lambda: l2_radius_for_linf(0.1, 0), "dim"),
        (lambda: l2_radius_for_linf(0.1, 1.5), "dim"),
        (lambda: l2_radius_for_linf(0.1, 2.0**54), "dim"),
        (lambda: l2_radius_for_linf(0.1, math.inf), "dim"),
        (lambda: linf_radius_from_l2([1.0, 2.0], [[1], [2], [3.5]]), "dim"),
        (lambda: uniform_radius([0.1, 0.2], [1.0, 2.0, 3.0]), "p_a_lower"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(deadline=None, derandomize=True, max_examples=200)
@given(st.floats(-700.0, -1e-300), st.floats(0.01, 10.0))
@example(-0.693359375, 1.0)  # found by hypothesis 6.170: unsound before the absolute step
@example(-0.703125, 1.0)
@example(-3.6529212117636016e-53, 1.0)  # hypothesis 6.170: 1 - p needs 53 more digits
@example(-1e-300, 0.25)
def test_log_kernel_sound_and_accurate(log_p, sigma):
    """gaussian_radius_log_kernel(log p) against the twin at p = exp(log p), exactly."""
    r = gaussian_radius_log_kernel(log_p, sigma)
    # p = exp(log p) is 1 - |log p| to first order: hold 60 digits of 1 - p, not of p
    dps = 60 + max(0, math.ceil(-math.log10(-log_p)))
    with mpmath.workdps(dps):
        p = mpmath.exp(mpmath.mpf(log_p))
        assert p < 1
        exact = ref.gaussian_radius(p, sigma, dps=dps)
    assert r <= exact
    if exact != 0 and mpmath.isfinite(exact):
        # relative 1e-13, or absolute 4 eps sigma near p = 1/2 (the rounding of exp(log p))
        assert abs(float(r - exact)) <= max(1e-13 * abs(float(exact)), 4 * 2.0**-52 * sigma)
