"""Tests of rstheory.sorm: FORM/SORM approximations, the exact paraboloid, frontier offsets.

Agreement with the mpmath twins of :mod:`rstheory.reference` (the SORM
formulas; the paraboloid by Gil-Pelaez inversion on the real axis and, for
equal curvatures, by an independent chi-square mixture integral), closed forms
(zero curvature is :math:`\\Phi(-\\beta)`, the complement identity, the
first-order curvature derivative), asymptotics (Breitung is exact as
:math:`\\beta \\to \\infty`), breakdown reported as ``inf`` or a ``ValueError``,
seeded Monte Carlo, the frontier offset against its twins and its
first-order law, bad input, shapes, kernels from a user's ``@njit`` code and
under ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.sorm import (
    METHOD_BREITUNG,
    METHOD_FORM,
    METHOD_HOHENBICHLER,
    METHOD_TVEDT,
    METHODS,
    OFFSET_METHODS,
    approximation_errors,
    breitung,
    design_point,
    form,
    hohenbichler,
    mills_gap_kernel,
    paraboloid_log_tails_kernel,
    paraboloid_probability,
    principal_curvatures,
    smoothed_frontier_offset,
    sorm,
    sorm_log_kernel,
    sphere_probability,
    tvedt,
)

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
#: SORM formulas vs their 40-digit twins: relative error of the probability
SORM_REL = 1e-13
#: the exact paraboloid vs its twins (promised 1e-8 relative, 1e-10 absolute)
PARABOLOID_REL = 1e-10
APPROXIMATIONS = ["breitung", "hohenbichler", "tvedt"]


def _log_close(got: float, want: mpmath.mpf, rel: float) -> None:
    """``exp(got)`` within ``rel`` (relative) of ``want``; both ``inf`` when ``want`` is."""
    if want == mpmath.inf:
        assert got == math.inf
        return
    assert math.isfinite(got)
    assert abs(got - float(mpmath.log(want))) <= rel


curvature_lists = st.lists(
    st.floats(-2.0, 3.0, allow_nan=False).map(lambda v: round(v, 3)), min_size=1, max_size=8
)


# ---------------------------------------------------------------- SORM formulas vs twins


@SETTINGS
@given(
    beta=st.floats(-3.0, 40.0).map(lambda v: round(v, 3)),
    kappa=curvature_lists,
    method=st.sampled_from(["form", *APPROXIMATIONS]),
)
def test_sorm_matches_twin(beta, kappa, method):
    got = sorm(beta, kappa, method, log=True)
    want = ref.sorm(beta, kappa, method, dps=40)
    _log_close(got, want, SORM_REL * max(1.0, abs(got) if math.isfinite(got) else 1.0))
    plain = sorm(beta, kappa, method)
    assert not math.isnan(plain)
    if want == mpmath.inf:
        assert plain == math.inf
    elif want > 1e-300:
        assert plain == pytest.approx(float(want), rel=SORM_REL * max(1.0, abs(got)))


@pytest.mark.parametrize("beta", [-5.0, -1.0, 0.0, 0.5, 2.9999, 3.0, 3.0001, 6.0, 37.0, 1e3, 1e8])
def test_mills_gap_matches_mpmath(beta):
    with mpmath.workdps(40):
        b = mpmath.mpf(beta)
        want = mpmath.npdf(b) / mpmath.ncdf(-b) - b
    assert mills_gap_kernel(beta) == pytest.approx(float(want), rel=4e-16 * 8)


def test_named_functions_are_the_methods():
    beta = np.array([0.3, 2.0, 7.5])
    kappa = np.array([[0.2, -0.1, 0.05]])
    np.testing.assert_array_equal(breitung(beta, kappa), sorm(beta, kappa, "breitung"))
    np.testing.assert_array_equal(hohenbichler(beta, kappa), sorm(beta, kappa, "hohenbichler"))
    np.testing.assert_array_equal(tvedt(beta, kappa), sorm(beta, kappa, "tvedt"))
    np.testing.assert_array_equal(form(beta), sorm(beta, kappa, "form"))
    np.testing.assert_allclose(form(beta), scipy.special.ndtr(-beta), rtol=1e-15)


# ---------------------------------------------------------------- properties of the approximations


@SETTINGS
@given(
    beta=st.floats(-2.0, 30.0),
    kappa=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=6),
)
def test_zero_curvature_is_form(beta, kappa):
    zeros = np.zeros(len(kappa))
    for method in APPROXIMATIONS:
        assert sorm(beta, zeros, method, log=True) == form(beta, log=True)
    exact = paraboloid_probability(beta, zeros, log=True)
    assert exact == pytest.approx(form(beta, log=True), rel=1e-14, abs=1e-15)


@SETTINGS
@given(
    beta=st.floats(-2.0, 8.0),
    kappa=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=6).filter(
        lambda k: sum(k) != 0.0 and max(map(abs, k)) > 1e-3
    ),
)
def test_first_order_in_curvature(beta, kappa):
    """d log P / d eps at kappa = eps v: -beta/2 sum v (Breitung), -psi(beta)/2 sum v (the rest).

    The exact paraboloid has -psi(beta)/2 sum v (E[N_i^2] = 1 and N_i is
    independent of N_d): Hohenbichler-Rackwitz and Tvedt are exact to first
    order, Breitung is not (it has beta where psi(beta) > beta belongs).
    """
    v = np.asarray(kappa)
    eps = 1e-6
    psi = beta + mills_gap_kernel(beta)
    base = form(beta, log=True)
    slopes = {
        "breitung": -0.5 * beta * v.sum(),
        "hohenbichler": -0.5 * psi * v.sum(),
        "tvedt": -0.5 * psi * v.sum(),
    }
    scale = np.abs(v).sum() * (1.0 + abs(beta)) ** 2
    for method, slope in slopes.items():
        got = (sorm(beta, eps * v, method, log=True) - base) / eps
        assert got == pytest.approx(slope, abs=1e-4 * scale + 1e-6)
    got = (paraboloid_probability(beta, eps * v, log=True) - base) / eps
    assert got == pytest.approx(-0.5 * psi * v.sum(), abs=1e-4 * scale + 1e-6)


@pytest.mark.parametrize("bk", [-0.5, 0.5, 2.0])
def test_breitung_is_asymptotically_exact(bk):
    """beta -> inf at fixed beta*kappa: every SORM ratio to the exact value tends to 1."""
    d_minus_1 = 5
    errors = {m: [] for m in APPROXIMATIONS}
    for beta in (5.0, 50.0, 500.0):
        kappa = np.full(d_minus_1, bk / beta)
        exact = paraboloid_probability(beta, kappa, log=True)
        for m in APPROXIMATIONS:
            errors[m].append(abs(math.expm1(sorm(beta, kappa, m, log=True) - exact)))
    for m, err in errors.items():
        assert err[0] > err[1] > err[2], m
        assert err[2] < 2.0 / 500.0, m


def test_breakdown_is_inf_never_a_number():
    # 1 + beta kappa <= 0: the paraboloid closes around the point
    assert breitung(2.0, [-0.5]) == math.inf
    assert breitung(2.0, [0.3, -0.5000001]) == math.inf
    assert breitung(2.0, [-0.5], log=True) == math.inf
    assert tvedt(2.0, [-0.49]) == math.inf  # 1 + (beta + 1) kappa <= 0
    # 1 + kappa psi(beta) <= 0 although 1 + beta kappa > 0
    assert breitung(1.0, [-0.7]) < math.inf
    assert hohenbichler(1.0, [-0.7]) == math.inf
    # Tvedt's bracket <= 0 (a negative probability) where Breitung is finite
    assert tvedt(1.0, [5.0] * 5) == math.inf
    assert 0.0 < breitung(1.0, [5.0] * 5) < 1.0
    # and the twin agrees that these are breakdowns
    assert ref.sorm(1.0, [5.0] * 5, "tvedt", dps=30) == mpmath.inf
    assert ref.sorm(1.0, [-0.7], "hohenbichler", dps=30) == mpmath.inf


@SETTINGS
@given(
    beta=st.floats(-1e3, 1e3),
    kappa=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=5),
    method=st.sampled_from(sorted(METHODS)),
)
def test_never_nan(beta, kappa, method):
    value = sorm(beta, kappa, method, log=True)
    assert not math.isnan(value)
    assert value == math.inf or value <= 0.0 or method == "tvedt" or value < 1e-12


# ---------------------------------------------------------------- the exact paraboloid


@pytest.mark.parametrize("beta", [-6.0, -1.0, 0.0, 0.5, 3.0, 8.0, 20.0, 38.0])
def test_paraboloid_flat_is_normal_tail(beta):
    with mpmath.workdps(40):
        want = mpmath.log(mpmath.ncdf(-beta))
    for d_minus_1 in (1, 10, 300):
        got = paraboloid_probability(beta, np.zeros(d_minus_1), log=True)
        assert abs(got - float(want)) <= 1e-14 * max(1.0, abs(float(want)))


@settings(deadline=None, derandomize=True, max_examples=25)
@given(
    beta=st.floats(-3.0, 8.0).map(lambda v: round(v, 2)),
    kappa=st.lists(st.floats(-0.6, 2.0).map(lambda v: round(v, 2)), min_size=1, max_size=5),
    offsets=st.lists(st.floats(-2.0, 2.0).map(lambda v: round(v, 2)), min_size=5, max_size=5),
)
def test_paraboloid_matches_gil_pelaez_twin(beta, kappa, offsets):
    m = offsets[: len(kappa)]
    got = paraboloid_probability(beta, kappa, offsets=m, log=True)
    want = ref.paraboloid_probability(beta, kappa, offsets=m, dps=20)
    _log_close(got, want, PARABOLOID_REL)
    assert abs(math.exp(got) - float(want)) <= 1e-10


@pytest.mark.parametrize("d_minus_1", [1, 9, 99, 999])
@pytest.mark.parametrize("beta", [0.5, 3.0, 6.0])
@pytest.mark.parametrize("bk", [-0.45, 0.3, 2.0])
def test_paraboloid_equal_curvatures_any_dimension(d_minus_1, beta, bk):
    """Against the chi-square mixture E[Phi(-beta - kappa chi2_{d-1}/2)] (a 1-D integral)."""
    kappa = bk / beta
    got = paraboloid_probability(beta, np.full(d_minus_1, kappa), log=True)
    want = ref.paraboloid_probability(beta, [kappa] * d_minus_1, dps=20)
    _log_close(got, want, PARABOLOID_REL)


def test_paraboloid_twins_agree_with_each_other():
    """The Gil-Pelaez twin and the chi-square mixture twin, on equal curvatures."""
    for beta, kappa, m in [(0.5, 1.0, 3), (3.0, -0.1, 4), (2.0, 0.4, 2)]:
        with mpmath.workdps(40):
            ks = [mpmath.mpf(kappa)] * m
            gp = ref._paraboloid_mp(mpmath.mpf(beta), ks, [mpmath.mpf(0)] * m, 25)
            mix = ref._paraboloid_equal_mp(mpmath.mpf(beta), mpmath.mpf(kappa), m, 25)
            assert abs(gp / mix - 1) < mpmath.mpf(10) ** -22


@SETTINGS
@given(
    beta=st.floats(-30.0, 30.0),
    kappa=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=6),
    offsets=st.lists(st.floats(-3.0, 3.0), min_size=6, max_size=6),
)
def test_paraboloid_complement(beta, kappa, offsets):
    """-Q is the same kind of form with -kappa: P(beta, k, m) + P(-beta, -k, m) = 1."""
    k = np.asarray(kappa)
    m = np.asarray(offsets[: k.size])
    up, lo = paraboloid_log_tails_kernel(beta, k, m)
    mirrored = paraboloid_probability(-beta, -k, offsets=m, log=True)
    assert abs(lo - mirrored) <= 1e-12 * max(1.0, abs(lo))
    assert math.exp(up) + math.exp(lo) == pytest.approx(1.0, abs=4e-15)
    assert not math.isnan(up) and not math.isnan(lo)


@pytest.mark.parametrize(
    ("beta", "kappa", "offsets"),
    [
        (1.0, [0.5, 0.5, 0.5], [0.0, 0.0, 0.0]),
        (0.3, [-0.3, 0.8, 1.5], [0.5, -1.0, 0.0]),
        (-0.5, [2.0, -0.2, 0.1], [0.0, 1.0, 2.0]),
        (2.0, [-0.2, -0.2, -0.2], [0.0, 0.0, 0.0]),
    ],
)
def test_paraboloid_monte_carlo(beta, kappa, offsets):
    rng = np.random.default_rng(20261123)
    n = 400_000
    k, m = np.asarray(kappa), np.asarray(offsets)
    u = rng.standard_normal((n, k.size + 1))
    inside = u[:, -1] >= beta + 0.5 * ((m + u[:, :-1]) ** 2 * k).sum(axis=1)
    p = paraboloid_probability(beta, k, offsets=m)
    assert abs(inside.mean() - p) <= 5.0 * math.sqrt(p * (1 - p) / n)


def test_paraboloid_deep_tail_keeps_relative_accuracy():
    # far below the smallest double: the log is still right
    got = paraboloid_probability(60.0, [0.2] * 9, log=True)
    want = ref.paraboloid_probability(60.0, [0.2] * 9, dps=20)
    _log_close(got, want, 1e-12 * 2000)
    assert paraboloid_probability(60.0, [0.2] * 9) == 0.0


# ---------------------------------------------------------------- the exact sphere


@pytest.mark.parametrize(
    ("beta", "kappa", "d"),
    [
        (3.0, 0.1, 3),
        (0.5, 2.0, 10),
        (6.0, 2.0, 1000),  # ~1e-1595: only the log is representable
        (6.0, -0.08, 1000),  # the far region wraps around x: P close to 1
        (2.0, -0.3, 5),
        (-1.0, 0.2, 20),
        (4.0, 0.01, 2),
    ],
)
def test_sphere_matches_twin(beta, kappa, d):
    got = sphere_probability(beta, kappa, d, log=True)
    want = ref.sphere_probability(beta, kappa, d, dps=30)
    _log_close(got, want, 1e-11 * max(1.0, abs(got)))


@SETTINGS
@given(
    beta=st.floats(0.2, 6.0),
    bk=st.floats(-0.9, 3.0).filter(lambda v: abs(v) > 1e-3),
    d=st.integers(2, 60),
)
def test_sphere_is_inside_its_osculating_paraboloid(beta, bk, d):
    """kappa > 0: the ball lies inside the paraboloid; kappa < 0: the paraboloid in the far side."""
    kappa = bk / beta
    sphere = sphere_probability(beta, kappa, d, log=True)
    parab = paraboloid_probability(beta, np.full(d - 1, kappa), log=True)
    slack = 1e-12 * max(1.0, abs(parab))
    if kappa > 0:
        assert sphere <= parab + slack
    else:
        assert sphere >= parab - slack


def test_sphere_limits_and_monte_carlo():
    # a large sphere is a half-space to first order: d log P/d kappa = -(d - 1) psi(beta)/2
    psi = 2.0 + mills_gap_kernel(2.0)
    for kappa in (1e-4, -1e-4):
        got = sphere_probability(2.0, kappa, 4, log=True) - form(2.0, log=True)
        assert got == pytest.approx(-1.5 * psi * kappa, rel=2e-3)
    assert sphere_probability([2.0], 0.0, [5]) == np.array([form(2.0)])
    rng = np.random.default_rng(7)
    n, d, beta, kappa = 400_000, 6, 0.7, 0.4
    radius = 1.0 / kappa
    u = rng.standard_normal((n, d))
    u[:, 0] += radius + beta
    p = sphere_probability(beta, kappa, d)
    inside = (u * u).sum(axis=1) <= radius * radius
    assert abs(inside.mean() - p) <= 5.0 * math.sqrt(p * (1 - p) / n)


def test_approximation_errors():
    beta = np.array([0.5, 3.0, 6.0])[:, None]
    kappa = np.array([-0.05, 0.1, 0.5])
    for surface in ("paraboloid", "sphere"):
        err = approximation_errors(beta, kappa, 10, surface)
        assert err["log_exact"].shape == (3, 3)
        for name in METHODS:
            for i, j in np.ndindex(3, 3):
                log_p = sorm(beta[i, 0], np.full(9, kappa[j]), name, log=True)
                assert err[name][i, j] == log_p - err["log_exact"][i, j]
    exact = approximation_errors(3.0, 0.1, 10)["log_exact"]
    assert exact == paraboloid_probability(3.0, [0.1] * 9, log=True)
    sphere = approximation_errors(3.0, 0.1, 10, "sphere")["log_exact"]
    assert sphere == sphere_probability(3.0, 0.1, 10, log=True)
    # FORM is off by a factor e^1785 here: the log-ratio is still a number
    assert 1e3 < approximation_errors(6.0, 2.0, 1000)["form"] < math.inf
    assert approximation_errors(6.0, 2.0, 1000)["tvedt"] == math.inf


# ------------------------------------------------------- SORM vs exact (the report's claim)


@pytest.mark.parametrize("method", APPROXIMATIONS)
def test_sorm_error_shrinks_with_curvature(method):
    beta = 3.0
    errs = []
    for kappa in (0.4, 0.1, 0.01):
        k = np.full(4, kappa)
        errs.append(
            abs(
                math.expm1(
                    sorm(beta, k, method, log=True) - paraboloid_probability(beta, k, log=True)
                )
            )
        )
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.02


# ---------------------------------------------------------------- frontier offset


OFFSET_CASES = [
    ([0.1] * 9, 1.0),
    ([0.3, -0.2], 1.0),
    ([0.5], 0.5),
    ([-0.05] * 4, 2.0),
    ([1.5, 0.2, -0.4], 1.0),
]


@pytest.mark.parametrize(
    ("kappa", "sigma", "method"),
    [
        (k, s, m)
        for k, s in OFFSET_CASES
        for m in ("exact", "hohenbichler", "tvedt", "breitung")
        # Tvedt breaks down on the last case: test_offset_breakdown_is_an_error
        if not (m == "tvedt" and k[0] == 1.5)
    ],
)
def test_offset_matches_twin(kappa, sigma, method):
    got = smoothed_frontier_offset(kappa, sigma, method)
    want = ref.smoothed_frontier_offset(kappa, sigma, method, dps=20)
    assert got == pytest.approx(float(want), rel=1e-10, abs=1e-13)


@pytest.mark.parametrize(
    ("kappa", "d_minus_1"), [(0.1, 9), (0.5, 2), (-0.2, 5), (-1.0, 1), (0.02, 99)]
)
def test_sphere_offset_matches_twin(kappa, d_minus_1):
    got = smoothed_frontier_offset([kappa] * d_minus_1, 1.0, "sphere")
    want = ref.smoothed_frontier_offset([kappa] * d_minus_1, 1.0, "sphere", dps=20)
    assert got == pytest.approx(float(want), rel=1e-10)


def test_sphere_offset_vanishing_ball():
    # R = 1 sigma in d = 10: P[chi2_10 <= 1] < 1/2, the smoothed far class is empty
    assert smoothed_frontier_offset([1.0] * 9, 1.0, "sphere") == math.inf
    assert smoothed_frontier_offset([-1.0] * 9, 1.0, "sphere") == -math.inf
    assert ref.smoothed_frontier_offset([1.0] * 9, 1.0, "sphere", dps=20) == mpmath.inf


@SETTINGS
@given(
    kappa=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=6),
    sigma=st.floats(0.1, 3.0),
)
def test_offset_first_order_law(kappa, sigma):
    """s = sigma^2/2 sum kappa + O(sigma^3 |kappa|^2): the mean-curvature law."""
    k = np.asarray(kappa) * 0.01 / sigma
    first = 0.5 * sigma**2 * k.sum()
    bound = 2.0 * sigma**3 * (np.abs(k).sum() ** 2) + 1e-13 * sigma
    for method in ("exact", "hohenbichler", "tvedt"):
        assert abs(smoothed_frontier_offset(k, sigma, method) - first) <= bound, method
    assert smoothed_frontier_offset(k, sigma, "breitung") == 0.0


@SETTINGS
@given(kappa=st.lists(st.floats(-0.3, 0.3), min_size=1, max_size=4), sigma=st.floats(0.2, 5.0))
def test_offset_scaling(kappa, sigma):
    """s(kappa, sigma) = sigma * s(sigma kappa, 1): the offset is measured in units of sigma."""
    k = np.asarray(kappa)
    got = smoothed_frontier_offset(k, sigma)
    want = sigma * smoothed_frontier_offset(k * sigma, 1.0)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-14 * sigma)


def test_offset_sign_follows_curvature():
    # convex far region: the smoothed frontier moves into it (away from x); concave: toward x
    assert smoothed_frontier_offset([0.2] * 3) > 0.0
    assert smoothed_frontier_offset([-0.2] * 3) < 0.0
    assert smoothed_frontier_offset([0.0] * 3) == 0.0
    sphere_out = smoothed_frontier_offset([0.1] * 9, method="sphere")
    assert sphere_out > smoothed_frontier_offset([0.1] * 9) > 0.0


def test_offset_breakdown_is_an_error():
    with pytest.raises(ValueError, match="curvatures"):
        smoothed_frontier_offset([-3.0, -3.0], 1.0, "hohenbichler")
    # Tvedt's value peaks near 0.26 and breaks down (1 + beta kappa <= 0) before 1/2
    kappa = [1.5, 0.2, -0.4]
    betas = np.linspace(-0.66, 3.0, 400)
    assert np.nanmax(np.where(np.isinf(tvedt(betas, kappa)), np.nan, tvedt(betas, kappa))) < 0.3
    with pytest.raises(ValueError, match="curvatures"):
        smoothed_frontier_offset(kappa, 1.0, "tvedt")


def test_offset_broadcasts():
    out = smoothed_frontier_offset([[0.1, 0.2], [0.3, -0.1]], [[0.5], [1.0], [2.0]])
    assert out.shape == (3, 2)
    assert out[2, 1] == smoothed_frontier_offset([0.3, -0.1], 2.0)


# ---------------------------------------------------------------- design point -> SORM on a ball


def test_pipeline_design_point_curvatures_sorm_on_a_ball():
    """Far class inside a ball of radius R = 30 sigma in d = 8, x at 3 sigma outside it.

    Design point and curvatures from the score alone, then SORM against the
    exact noncentral chi-square probability: FORM is 45% too large, the
    second-order formulas are within a few percent (beta kappa = 0.1).
    """
    d, radius, sigma = 8, 30.0, 1.0
    x = np.zeros(d)
    x[0] = radius + 3.0 * sigma

    def score(z):
        return radius**2 - float(np.sum(np.asarray(z) ** 2))

    def gradient(z):
        return -2.0 * np.asarray(z)

    dp = design_point(score, gradient, x, sigma)
    assert dp.converged
    assert dp.beta == pytest.approx(3.0, rel=1e-9)
    kappa = principal_curvatures(dp.gradient, -2.0 * np.eye(d)) * sigma
    np.testing.assert_allclose(kappa, np.full(d - 1, sigma / radius), rtol=1e-9)  # tol=1e-10
    exact = float(scipy.stats.ncx2.cdf((radius / sigma) ** 2, d, (x[0] / sigma) ** 2))
    assert form(dp.beta) > 1.4 * exact
    assert sorm(dp.beta, kappa, "breitung") == pytest.approx(exact, rel=0.05)
    assert sorm(dp.beta, kappa, "hohenbichler") == pytest.approx(exact, rel=0.01)
    assert sorm(dp.beta, kappa, "tvedt") == pytest.approx(exact, rel=0.01)
    # the osculating paraboloid lies outside the ball: slightly more mass
    assert exact < paraboloid_probability(dp.beta, kappa) < 1.002 * exact


# ---------------------------------------------------------------- bad input, shapes


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: sorm(1.0, [0.1], "sorm2"), "method"),
        (lambda: breitung(float("nan"), [0.1]), "beta"),
        (lambda: breitung(1.0, [float("inf")]), "curvatures"),
        (lambda: breitung(np.ones(3), np.ones((2, 4))), "beta"),
        (lambda: paraboloid_probability(1.0, [0.1, 0.2], offsets=[1.0, 2.0, 3.0]), "offsets"),
        (lambda: paraboloid_probability(1.0, [0.1], offsets=[float("nan")]), "offsets"),
        (lambda: paraboloid_probability(float("inf"), [0.1]), "beta"),
        (lambda: smoothed_frontier_offset([0.1], 0.0), "sigma"),
        (lambda: smoothed_frontier_offset([0.1], -1.0), "sigma"),
        (lambda: smoothed_frontier_offset([0.1], 1.0, "median"), "method"),
        (lambda: smoothed_frontier_offset([0.1, 0.2], 1.0, "sphere"), "curvatures"),
        (lambda: smoothed_frontier_offset([0.0], 1.0, "sphere"), "curvatures"),
        (lambda: smoothed_frontier_offset([float("nan")], 1.0), "curvatures"),
        (lambda: breitung(1.0, "abc"), "curvatures"),
        (lambda: sphere_probability(3.0, -0.5, 5), "curvature"),
        (lambda: ref.sphere_probability(3.0, -0.5, 5), "curvature"),
        (lambda: ref.sphere_probability(3.0, 0.1, 1), "d"),
        (lambda: sphere_probability(3.0, float("nan"), 5), "curvature"),
        (lambda: sphere_probability(3.0, 0.1, 1), "d"),
        (lambda: sphere_probability(3.0, 0.1, 2.5), "d"),
        (lambda: sphere_probability([1.0, 2.0], [0.1, 0.2, 0.3], 3), "broadcast"),
        (lambda: approximation_errors(1.0, 0.1, 3, "cube"), "surface"),
        (lambda: approximation_errors(float("nan"), 0.1, 3), "beta"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_shapes():
    assert isinstance(breitung(1.0, [0.1, 0.2]), float)
    assert isinstance(breitung(1.0, 0.1), float)
    assert breitung(np.ones((3, 1)), np.full((4, 2), 0.1)).shape == (3, 4)
    assert breitung([1.0], [0.1]).shape == (1,)
    assert paraboloid_probability([1.0, 2.0], [[0.1], [0.2]]).shape == (2,)
    out = paraboloid_probability(np.linspace(0, 3, 4)[:, None], np.full((2, 3), 0.1))
    assert out.shape == (4, 2)
    assert out[3, 1] == paraboloid_probability(3.0, [0.1] * 3)
    assert form(np.zeros((2, 2))).shape == (2, 2)
    assert sorted(OFFSET_METHODS) == sorted(["exact", "sphere", *APPROXIMATIONS])


# ---------------------------------------------------------------- kernels from user code, no JIT


@njit
def _user_code(beta, kappa, offsets):
    total = 0.0
    for method in (METHOD_FORM, METHOD_BREITUNG, METHOD_HOHENBICHLER, METHOD_TVEDT):
        total += sorm_log_kernel(method, beta, kappa)
    up, lo = paraboloid_log_tails_kernel(beta, kappa, offsets)
    return total + up + lo + mills_gap_kernel(beta)


def test_kernels_inside_user_njit():
    k = np.array([0.1, -0.2, 0.3])
    m = np.array([0.0, 0.5, -1.0])
    want = sum(sorm(1.5, k, name, log=True) for name in ("form", *APPROXIMATIONS))
    up, lo = paraboloid_log_tails_kernel(1.5, k, m)
    want += up + lo + mills_gap_kernel(1.5)
    assert _user_code(1.5, k, m) == pytest.approx(want, rel=1e-15)


DISABLE_JIT_CASES = [(0.5, [0.1, 0.2]), (3.0, [-0.2, 0.4, 1.0]), (12.0, [0.05] * 5)]


def _all_values(cases):
    out = []
    for beta, kappa in cases:
        k = np.asarray(kappa, dtype=float)
        for name in sorted(METHODS):
            out.append(sorm(beta, k, name, log=True))
        out.extend(paraboloid_log_tails_kernel(beta, k, np.full(k.size, 0.3)))
        out.append(smoothed_frontier_offset(k, 1.0))
    return out


def test_disable_jit_gives_same_results(values_without_jit):
    got = values_without_jit(
        "_all_values(CASES)",
        f"from tests.test_sorm import _all_values\nCASES = {DISABLE_JIT_CASES!r}\n",
    )
    want = _all_values(DISABLE_JIT_CASES)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=1e-13, abs=1e-15)
