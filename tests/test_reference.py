"""Tests of the mpmath oracle :mod:`rstheory.reference`.

The oracle is checked against independent computations: ``mpmath.betainc``
(hypergeometric series) for small shapes, the package's own quadrature
``betainc_quad`` (a different algorithm) for huge shapes, closed forms,
exact rational arithmetic, SciPy and statsmodels.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from rstheory import reference as R

SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=40)


def rel(a, b, dps=80):
    """Relative difference |a - b| / |b| at ``dps`` digits (0 when both are 0)."""
    with mpmath.workdps(dps):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        if a == b:
            return mpmath.mpf(0)
        return abs(a - b) / abs(b)


def largest_double_le(v):
    """The largest double <= the mpf ``v``."""
    x = float(v)
    if mpmath.mpf(x) > v:
        x = math.nextafter(x, -math.inf)
    return x


def smallest_double_ge(v):
    x = float(v)
    if mpmath.mpf(x) < v:
        x = math.nextafter(x, math.inf)
    return x


def ref_betainc(a, b, x, upper=False, dps=90):
    with mpmath.workdps(dps):
        a, b, x = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)
        if upper:
            return mpmath.betainc(a, b, x, 1, regularized=True)
        return mpmath.betainc(a, b, 0, x, regularized=True)


# ------------------------------------------------------------------ betainc


shape = st.floats(min_value=0.05, max_value=200.0, allow_nan=False)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@SETTINGS
@given(a=shape, b=shape, x=unit)
def test_cf_matches_mpmath_small_shapes(a, b, x):
    v = R.betainc(a, b, x)
    vc = R.betaincc(a, b, x)
    if x in (0.0, 1.0):
        assert v == x and vc == 1 - x
        return
    assert rel(v, ref_betainc(a, b, x)) < 1e-45
    assert rel(vc, ref_betainc(a, b, x, upper=True)) < 1e-45


@SETTINGS
@given(a=shape, b=shape, x=unit)
def test_symmetry_and_logs(a, b, x):
    v, vc = R.betainc(a, b, x), R.betaincc(a, b, x)
    with mpmath.workdps(50):
        assert abs(v + vc - 1) < mpmath.mpf(10) ** -48
        y = mpmath.fsub(1, x, exact=True)  # 1 - x exactly, as an mpf input
        assert rel(R.betainc(b, a, y), vc) < 1e-45 or vc == 0
    if 0 < x < 1:
        with mpmath.workdps(50):
            assert rel(mpmath.exp(R.log_betainc(a, b, x)), v) < 1e-45
            assert rel(mpmath.exp(R.log_betaincc(a, b, x)), vc) < 1e-45


def test_edges():
    assert R.betainc(3, 4, 0.0) == 0 and R.betainc(3, 4, 1.0) == 1
    assert R.betaincc(3, 4, 0.0) == 1 and R.betaincc(3, 4, 1.0) == 0
    assert R.log_betainc(3, 4, 0.0) == mpmath.ninf and R.log_betainc(3, 4, 1.0) == 0
    assert R.log_betaincc(3, 4, 1.0) == mpmath.ninf and R.log_betaincc(3, 4, 0.0) == 0
    assert R.betainc_quad(3, 4, 0.0) == 0 and R.betainc_quad(3, 4, 1.0) == 1
    assert R.betainc_quad(3, 4, 1.0, complement=True) == 0
    # uniform and closed forms, results far below the double range
    assert rel(R.betainc(1, 1, 0.3), mpmath.mpf(0.3)) < 1e-49
    with mpmath.workdps(60):
        exact = mpmath.mpf(1e-300) ** 7
    assert rel(R.betainc(7, 1, 1e-300), exact) < 1e-45
    assert rel(R.betainc_quad(7, 1, 1e-300), exact) < 1e-40


def _cases_large():
    out = []
    for n in (1e6, 1e9, 1e12):
        a = math.floor(n / 2)
        b = n - a + 1
        mu = a / (a + b)
        sd = math.sqrt(mu * (1 - mu) / (a + b))
        for z in (0.0, 2.5, -2.5, 37.0, -37.0, 400.0):
            x = mu - z * sd
            if 0 < x < 1:
                out.append((a, b, x))
    # strongly asymmetric shapes, and a = 1 (closed form 1 - (1 - x)^b)
    out += [(10.0, 1e12, 5e-12), (10.0, 1e12, 3e-10), (1e9, 7.0, 0.999999995), (1.0, 1e9, 1e-9)]
    return out


@pytest.mark.parametrize(("a", "b", "x"), _cases_large())
def test_cf_matches_quadrature_large_shapes(a, b, x):
    assert rel(R.betainc(a, b, x), R.betainc_quad(a, b, x)) < 1e-40
    assert rel(R.betaincc(a, b, x), R.betainc_quad(a, b, x, complement=True)) < 1e-40


@settings(deadline=None, derandomize=True, database=None, max_examples=15)
@given(
    la=st.floats(0.0, 6.0),
    lb=st.floats(0.0, 6.0),
    zx=st.floats(-40.0, 40.0),
)
def test_cf_matches_quadrature_random(la, lb, zx):
    a, b = 10.0**la, 10.0**lb
    mu = a / (a + b)
    x = mu + zx * math.sqrt(mu * (1 - mu) / (a + b + 1))
    if not 0 < x < 1:
        x = mu
    assert rel(R.betainc(a, b, x), R.betainc_quad(a, b, x)) < 1e-40
    assert rel(R.betaincc(a, b, x), R.betainc_quad(a, b, x, complement=True)) < 1e-40


def test_mpf_and_integer_inputs():
    with mpmath.workdps(80):
        x = mpmath.mpf(1) / 3  # an mpf input is used as is, at its own precision
    v = R.betainc(2, 3, x, dps=60)
    with mpmath.workdps(80):
        exact = 1 - (1 - x) ** 4 - 4 * x * (1 - x) ** 3  # P[Bin(4, x) >= 2]
    assert rel(v, exact) < 1e-58
    assert R.clopper_pearson_lower(3.0, 10.0, 0.05) == R.clopper_pearson_lower(3, 10, 0.05)


def test_far_tail_below_double_range():
    # 1000 standard deviations out: I ~ 1e-217000, still to 40 digits
    n = 1e12
    a, b = n / 2, n / 2 + 1
    x = 0.5 - 1000 * math.sqrt(0.25 / n)
    v, q = R.betainc(a, b, x), R.betainc_quad(a, b, x)
    assert v < mpmath.mpf(10) ** -200000
    assert rel(v, q) < 1e-40
    with mpmath.workdps(60):
        assert rel(R.log_betainc(a, b, x), mpmath.log(q)) < 1e-40


def test_a_equals_one_closed_form_huge_b():
    b, x = 2.0**53, 1e-14
    with mpmath.workdps(80):
        exact = -mpmath.expm1(b * mpmath.log1p(-mpmath.mpf(x)))
    assert rel(R.betainc(1, b, x), exact) < 1e-45
    assert rel(R.betainc_quad(1, b, x), exact) < 1e-40


def test_quadrature_at_2_pow_53_matches_cf_in_tail():
    n = 2.0**53
    a, b = n / 2, n / 2 + 1
    x = 0.5 - 10 * math.sqrt(0.25 / n)
    assert rel(R.betainc(a, b, x), R.betainc_quad(a, b, x)) < 1e-40


def test_gmpy2_and_mpmath_loops_agree(monkeypatch):
    cases = [(2.5, 3.5, 0.3), (1e6, 1e6 + 1, 0.4995), (50.0, 3.0, 0.999)]
    fast = [R.betainc(*c) for c in cases]
    monkeypatch.setattr(R, "_USE_GMPY2", False)
    slow = [R.betainc(*c) for c in cases]
    for f, s in zip(fast, slow, strict=True):
        assert rel(f, s) < 1e-47


def test_global_precision_untouched():
    before = mpmath.mp.dps
    R.betainc(3, 4, 0.2, dps=70)
    R.clopper_pearson_lower(3, 10, 0.01, dps=80)
    R.gaussian_radius(0.9, 1.0, dps=30)
    assert mpmath.mp.dps == before


def test_cf_nonconvergence_raises(monkeypatch):
    monkeypatch.setattr(R, "CF_MAX_TERMS", 5)
    with pytest.raises(RuntimeError):
        R.betainc(5e5, 5e5, 0.5)


# ---------------------------------------------------------- Clopper-Pearson


alphas = st.one_of(
    st.floats(min_value=1e-300, max_value=0.5),
    st.sampled_from([1e-300, 1e-10, 0.001, 0.05, 0.5, 0.9, 0.999]),
    st.floats(min_value=0.5, max_value=0.999),
)


@st.composite
def k_n(draw, nmax=10_000):
    n = draw(st.integers(min_value=1, max_value=nmax))
    k = draw(st.integers(min_value=0, max_value=n))
    return k, n


@SETTINGS
@given(kn=k_n(), alpha=alphas)
def test_cp_lower_is_the_root(kn, alpha):
    k, n = kn
    lo = R.clopper_pearson_lower(k, n, alpha, dps=60)
    if k == 0:
        assert lo == 0
        return
    if k == n:
        with mpmath.workdps(70):
            assert rel(lo, mpmath.mpf(alpha) ** (mpmath.mpf(1) / n)) < 1e-55
        return
    tail = R.betainc(k, n - k + 1, lo, dps=70)
    assert rel(tail, alpha) < 1e-45


@SETTINGS
@given(kn=k_n(), alpha=alphas)
def test_cp_upper_is_the_root(kn, alpha):
    k, n = kn
    hi = R.clopper_pearson_upper(k, n, alpha, dps=60)
    if k == n:
        assert hi == 1
        return
    if k == 0:
        with mpmath.workdps(70):
            assert rel(hi, 1 - mpmath.mpf(alpha) ** (mpmath.mpf(1) / n)) < 1e-55
        return
    with mpmath.workdps(70):
        q = 1 - hi
    if q < 1e-12:  # p = 1 - q is returned to 60 digits: q keeps too few to test
        return
    tail = R.betaincc(k + 1, n - k, hi, dps=70)
    assert rel(tail, alpha) < 1e-45


@SETTINGS
@given(kn=k_n(), alpha=st.floats(min_value=1e-300, max_value=0.5))
def test_cp_brackets_the_estimate(kn, alpha):
    k, n = kn
    lo = R.clopper_pearson_lower(k, n, alpha)
    hi = R.clopper_pearson_upper(k, n, alpha)
    with mpmath.workdps(60):
        phat = mpmath.mpf(k) / n
    assert 0 <= lo <= phat <= hi <= 1
    low2, high2 = R.clopper_pearson(k, n, alpha)
    assert low2 == R.clopper_pearson_lower(k, n, mpmath.mpf(alpha) / 2)
    assert high2 == R.clopper_pearson_upper(k, n, mpmath.mpf(alpha) / 2)
    assert low2 <= lo and hi <= high2


def test_cp_mirror_identity():
    for k, n, alpha in [(3, 17, 0.01), (999, 1000, 1e-300), (12345, 10**6, 0.3)]:
        hi = R.clopper_pearson_upper(k, n, alpha)
        lo_mirror = R.clopper_pearson_lower(n - k, n, alpha)
        with mpmath.workdps(50):
            assert rel(hi, 1 - lo_mirror, 50) < 1e-45


@settings(deadline=None, derandomize=True, database=None, max_examples=30)
@given(
    kn=k_n(nmax=100_000).filter(lambda kn: 0 < kn[0] < kn[1]),
    alpha=st.floats(min_value=1e-8, max_value=0.4),
)
def test_cp_matches_statsmodels(kn, alpha):
    from statsmodels.stats.proportion import proportion_confint

    k, n = kn
    lo_sm, hi_sm = proportion_confint(k, n, 2 * alpha, method="beta")
    assert rel(R.clopper_pearson_lower(k, n, alpha), lo_sm) < 1e-10
    assert rel(R.clopper_pearson_upper(k, n, alpha), hi_sm) < 1e-10


@pytest.mark.parametrize(
    ("k", "n", "alpha"),
    [
        (500_000_000, 10**9, 1e-3),
        (5 * 10**11, 10**12, 1e-3),
        (10**12 - 3, 10**12, 1e-3),
        (2**52, 2**53 - 1, 1e-300),
        (1, 2**53 - 1, 1e-3),
        (2**53 - 2, 2**53 - 1, 0.999),
    ],
)
def test_cp_huge_n_is_the_root(k, n, alpha):
    lo = R.clopper_pearson_lower(k, n, alpha, dps=60)
    # d log I / d log p is about z sqrt(n) here: 60 digits of p give >= 40 of I
    assert rel(R.betainc(k, n - k + 1, lo, dps=70), alpha) < 1e-35


# -------------------------------------------------------------- soundness


SOUND_CASES = [
    (1, 1, 0.05),
    (5, 10, 0.05),
    (3, 1000, 1e-300),
    (999, 1000, 0.999),
    (1000, 1000, 0.01),
    (0, 1000, 0.01),
    (1500, 3000, 1e-3),
    (2999, 3000, 0.7),
    (5 * 10**11, 10**12, 1e-3),
    (2**52, 2**53 - 1, 1e-300),
    (1, 2**53 - 1, 1e-3),
    (2**53 - 2, 2**53 - 1, 1e-3),
    (2**53 - 1, 2**53 - 1, 1e-300),
    (0, 2**53 - 1, 1e-300),
]


@pytest.mark.parametrize(("k", "n", "alpha"), SOUND_CASES)
def test_lower_bound_is_sound_on_neighbours(k, n, alpha):
    lo = R.clopper_pearson_lower(k, n, alpha)
    x = largest_double_le(lo)
    assert R.lower_bound_is_sound(x, k, n, alpha)
    assert not R.lower_bound_is_sound(math.nextafter(x, math.inf), k, n, alpha)


@pytest.mark.parametrize(("k", "n", "alpha"), SOUND_CASES)
def test_upper_bound_is_sound_on_neighbours(k, n, alpha):
    hi = R.clopper_pearson_upper(k, n, alpha, dps=80)
    x = smallest_double_ge(hi)
    assert R.upper_bound_is_sound(x, k, n, alpha)
    if x > 0:
        assert not R.upper_bound_is_sound(math.nextafter(x, -math.inf), k, n, alpha)


def test_soundness_centre_of_huge_n_uses_quadrature():
    # alpha = 0.4: the root sits 0.25 sd from the centre, where quadrature takes over
    k, n, alpha = 2**52, 2**53 - 1, 0.4
    lo = R.clopper_pearson_lower(k, n, alpha)
    x = largest_double_le(lo)
    assert R.lower_bound_is_sound(x, k, n, alpha)
    assert not R.lower_bound_is_sound(math.nextafter(x, 1.0), k, n, alpha)


def test_soundness_exact_ties_and_ranges():
    # k = n = 2: bound is sqrt(alpha); 0.5 ** 2 == 0.25 exactly: sound (x <= bound)
    assert R.lower_bound_is_sound(0.5, 2, 2, 0.25)
    assert not R.lower_bound_is_sound(math.nextafter(0.5, 1), 2, 2, 0.25)
    # n = 1: the lower bound for k = 1 is alpha itself
    assert R.lower_bound_is_sound(0.05, 1, 1, 0.05)
    assert R.upper_bound_is_sound(0.75, 0, 1, 0.25)
    assert not R.upper_bound_is_sound(math.nextafter(0.75, 0), 0, 1, 0.25)
    assert R.lower_bound_is_sound(-1.0, 3, 10, 0.1)
    assert R.lower_bound_is_sound(0.0, 0, 10, 0.1)
    assert not R.lower_bound_is_sound(1e-300, 0, 10, 0.1)
    assert not R.lower_bound_is_sound(1.0, 10, 10, 0.1)
    assert R.upper_bound_is_sound(1.0, 10, 10, 0.1)
    assert not R.upper_bound_is_sound(0.0, 0, 10, 0.1)


@settings(deadline=None, derandomize=True, database=None, max_examples=25)
@given(kn=k_n(nmax=300), alpha=alphas, u=st.floats(min_value=0.0, max_value=1.0))
def test_exact_and_floating_soundness_agree(kn, alpha, u):
    k, n = kn
    exact = (R.lower_bound_is_sound(u, k, n, alpha), R.upper_bound_is_sound(u, k, n, alpha))
    old = R._EXACT_N
    R._EXACT_N = 0
    try:
        approx = (R.lower_bound_is_sound(u, k, n, alpha), R.upper_bound_is_sound(u, k, n, alpha))
    except RuntimeError:
        # only an exact tie (tail probability == alpha, e.g. n = 1, u = alpha) is undecidable
        # in floating point; the exact path decides it (x equal to the bound is sound)
        fu, fa = Fraction(u), Fraction(alpha)
        ties = [
            sum(math.comb(n, j) * fu**j * (1 - fu) ** (n - j) for j in range(k, n + 1)) == fa,
            sum(math.comb(n, j) * fu**j * (1 - fu) ** (n - j) for j in range(k + 1)) == fa,
        ]
        assert any(ties)
        return
    finally:
        R._EXACT_N = old
    assert exact == approx


# -------------------------------------------------------------- comparators


def test_hoeffding_and_wilson():
    k, n, alpha = 37, 100, 0.01
    with mpmath.workdps(60):
        eps = mpmath.sqrt(mpmath.log(1 / mpmath.mpf(alpha)) / (2 * n))
        assert rel(R.hoeffding_lower(k, n, alpha), mpmath.mpf(k) / n - eps) < 1e-48
        assert rel(R.hoeffding_upper(k, n, alpha), mpmath.mpf(k) / n + eps) < 1e-48
    assert R.hoeffding_lower(1, 100, 0.01) == 0
    assert R.hoeffding_upper(99, 100, 0.01) == 1
    z = scipy.stats.norm.isf(alpha)
    ph = k / n
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert rel(R.wilson_lower(k, n, alpha), centre - half) < 1e-13
    assert rel(R.wilson_upper(k, n, alpha), centre + half) < 1e-13
    assert R.wilson_lower(0, 10, 0.05) == 0 and R.wilson_upper(10, 10, 0.05) == 1
    # statsmodels' two-sided Wilson at 2 alpha is the one-sided bound at alpha
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, 2 * alpha, method="wilson")
    assert rel(R.wilson_lower(k, n, alpha), lo) < 1e-12
    assert rel(R.wilson_upper(k, n, alpha), hi) < 1e-12
    # Wilson at tiny alpha stays inside [0, 1]
    assert 0 <= R.wilson_lower(3, 10, 1e-300) <= R.wilson_upper(3, 10, 1e-300) <= 1


# -------------------------------------------------------------------- radii


@SETTINGS
@given(
    z=st.floats(min_value=-37.0, max_value=7.0).filter(lambda z: z == 0 or abs(z) > 1e-20),
    sigma=st.floats(0.01, 10.0),
)
def test_gaussian_radius_inverts_ncdf(z, sigma):
    # p = Phi(z) at 120 digits carries 100 digits of z when |z| > 1e-20
    with mpmath.workdps(120):
        p = mpmath.ncdf(mpmath.mpf(z))
        r = R.gaussian_radius(p, sigma, dps=50)
        expected = mpmath.mpf(z) * mpmath.mpf(sigma)
        if z == 0:
            assert r == 0
        else:
            assert abs(r - expected) <= abs(expected) * mpmath.mpf(10) ** -45


@pytest.mark.parametrize("p", [1e-300, 5e-324, 1e-20, 0.3, 0.5 + 2**-53, 1 - 2**-53, 0.9999])
def test_ndtri_tails(p):
    x = R.ndtri(p, dps=60)
    with mpmath.workdps(80):
        pm = mpmath.mpf(p)
        if pm < 0.5:
            assert rel(mpmath.ncdf(x), pm) < 1e-50
        else:
            assert rel(mpmath.ncdf(-x), 1 - pm) < 1e-50


def test_radius_edges_and_identities():
    assert R.gaussian_radius(0.0, 1.0) == mpmath.ninf
    assert R.gaussian_radius(1.0, 1.0) == mpmath.inf
    assert R.gaussian_radius(0.5, 1.0) == 0
    assert R.gaussian_radius(1 - 2**-53, 0.25) > 0
    pa = 0.9
    with mpmath.workdps(60):
        two = R.gaussian_radius_two(pa, 1 - mpmath.mpf(pa), 0.5, dps=55)
    assert rel(two, R.gaussian_radius(pa, 0.5, dps=55), 50) < 1e-50
    assert R.gaussian_radius_two(1.0, 0.0, 1.0) == mpmath.inf
    with pytest.raises(ValueError):
        R.gaussian_radius_two(1.0, 1.0, 1.0)
    with mpmath.workdps(60):
        assert rel(R.laplace_radius(0.8, 2.0), mpmath.log(mpmath.mpf(0.8) / (1 - mpmath.mpf(0.8))))
        assert rel(R.laplace_radius(0.8, 2.0, 0.1), mpmath.log(mpmath.mpf(0.8) / 0.1)) < 1e-48
        assert rel(R.uniform_radius(0.75, 3.0), 1.5) < 1e-49
        assert rel(R.linf_radius_from_l2(3.0, 9), 1.0) < 1e-49
        assert rel(R.l2_radius_for_linf(0.5, 16), 2.0) < 1e-49
        r = R.gaussian_radius(0.99, 1.0)
        assert rel(R.l2_radius_for_linf(R.linf_radius_from_l2(r, 3072), 3072), r) < 1e-48
    assert R.laplace_radius(1.0, 1.0) == mpmath.inf
    assert R.laplace_radius(0.0, 1.0) == mpmath.ninf
    assert R.uniform_radius(0.25, 1.0) < 0


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (R.clopper_pearson_lower, (11, 10, 0.05)),
        (R.clopper_pearson_lower, (3, 0, 0.05)),
        (R.clopper_pearson_lower, (-1, 10, 0.05)),
        (R.clopper_pearson_lower, (2.5, 10, 0.05)),
        (R.clopper_pearson_upper, (3, 10, 0.0)),
        (R.clopper_pearson, (3, 10, 1.0)),
        (R.clopper_pearson, (3, 10, math.nan)),
        (R.betainc, (0.0, 1.0, 0.5)),
        (R.betainc, (1.0, 1.0, 1.5)),
        (R.betainc_quad, (0.5, 1.0, 0.5)),
        (R.gaussian_radius, (1.2, 1.0)),
        (R.gaussian_radius, (0.9, 0.0)),
        (R.gaussian_radius, (0.9, math.inf)),
        (R.laplace_radius, (0.0, 1.0, 0.0)),
        (R.linf_radius_from_l2, (1.0, 0)),
        (R.lower_bound_is_sound, (math.nan, 3, 10, 0.1)),
        (R.predict, ([], 0.01)),
        (R.predict, ([3, -1], 0.01)),
        (R.certify, ([1, 2], [1, 2, 3], 1.0, 0.01)),
        (R.certify, ([1, 2], [0, 0], 1.0, 0.01)),
    ],
)
def test_bad_input_raises(call, args):
    with pytest.raises(ValueError):
        call(*args)


# --------------------------------------------------------- PREDICT / CERTIFY


@settings(deadline=None, derandomize=True, database=None, max_examples=60)
@given(k1=st.integers(0, 3000), k2=st.integers(0, 3000))
def test_binomial_test_pvalue_matches_scipy(k1, k2):
    pv = R.binomial_test_pvalue(k1, k2)
    if k1 + k2 == 0:
        assert pv == 1
        return
    ref = scipy.stats.binomtest(k1, k1 + k2, 0.5).pvalue
    if ref > 1e-280:
        assert rel(pv, ref) < 1e-9


def test_binomial_test_pvalue_exact_vs_beta_path():
    k1, k2 = 1200, 1000  # N = 2200 > 2000: beta-function path
    n, m = k1 + k2, min(k1, k2)
    with mpmath.workdps(70):
        exact = 2 * mpmath.mpf(sum(math.comb(n, j) for j in range(m + 1))) / mpmath.mpf(2) ** n
    assert rel(R.binomial_test_pvalue(k1, k2), exact) < 1e-45


def test_predict():
    assert R.predict([0, 90, 10], 0.001) == 1
    assert R.predict([50, 50], 0.1) == R.ABSTAIN
    assert R.predict([3, 5, 4], 0.05) == R.ABSTAIN
    assert R.predict([0, 0, 20], 1e-5) == 2  # p-value 2**-19
    assert R.predict([20], 1e-5) == 0
    # the decision follows the p-value exactly at the threshold
    pv = smallest_double_ge(R.binomial_test_pvalue(60, 40))
    assert R.predict([60, 40], pv) == 0
    assert R.predict([60, 40], math.nextafter(pv, 0)) == R.ABSTAIN


def test_certify():
    label, radius = R.certify([1, 99, 0], [2, 95, 3], 0.5, 0.001)
    assert label == 1
    p_low = R.clopper_pearson_lower(95, 100, 0.001)
    assert rel(radius, R.gaussian_radius(p_low, 0.5)) < 1e-48
    # statsmodels, as in Cohen et al.'s code
    from statsmodels.stats.proportion import proportion_confint

    p_sm = proportion_confint(95, 100, alpha=2 * 0.001, method="beta")[0]
    assert rel(radius, 0.5 * scipy.stats.norm.ppf(p_sm)) < 1e-9
    # abstain when the lower bound is below 1/2; ties take the lowest index
    assert R.certify([5, 5], [50, 50], 1.0, 0.001) == (R.ABSTAIN, 0)
    label, radius = R.certify([7, 7, 1], [100, 0, 0], 1.0, 0.01)
    assert label == 0 and radius > 0
    label, radius = R.certify([0, 7], [100, 0], 1.0, 0.01)
    assert label == R.ABSTAIN and radius == 0
