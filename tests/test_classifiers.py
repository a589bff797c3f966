"""Tests of rstheory.classifiers: analytic base classifiers, toys and samplers.

The exact smoothed probabilities against the mpmath twins of
:mod:`rstheory.reference` (stated tolerances, far tails included), the
d-independent vote samplers against the exact probabilities and against
full-noise Monte Carlo (seeded binomial tests at 5 standard deviations),
identities (``g_sigma = f`` for a half-space, a flat paraboloid is a
half-space, rotation invariance of the ball), geometry for SORM (scores,
gradients, Hessians, principal curvatures), batched shapes, bad input, the
kernels from a user's ``@njit`` code and under ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.classifiers import (
    MLP,
    Ball,
    BaseClassifier,
    Checkerboard,
    Classifier,
    Linear,
    Paraboloid,
    Sectors,
    ball_decide_kernel,
    checkerboard_decide_kernel,
    log_gamma_density_kernel,
    log_gammainc_kernel,
    monte_carlo_counts,
    monte_carlo_votes,
    ncx2_log_tails,
    ncx2_log_tails_kernel,
    sectors_decide_kernel,
)

EPS = 2.0**-52
#: |log p - log p_exact| <= LOG_FACTOR * eps * (1 + |log p_exact|) (measured: 12)
LOG_FACTOR = 32.0
#: binomial tests at this many standard deviations
Z = 5.0
IMAGENET = 150528


def _log_err(got: float, exact) -> float:
    """Absolute error of a log-probability in units of eps (1 + |log p|)."""
    le = mpmath.log(exact)
    return float(abs(got - le)) / (EPS * (1.0 + abs(float(le))))


def _binomial_ok(k: int, n: int, p: float) -> bool:
    sd = math.sqrt(n * p * (1.0 - p)) + 1.0
    return abs(k - n * p) <= Z * sd


def _two_sample_ok(k1: int, n1: int, k2: int, n2: int) -> bool:
    p = (k1 + k2) / (n1 + n2)
    sd = math.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)) + 1e-12
    return abs(k1 / n1 - k2 / n2) <= Z * sd + 1.0 / min(n1, n2)


# ---------------------------------------------------------------- noncentral chi-square


def _ncx2_cases() -> list[tuple[float, float, float]]:
    """Seeded (x, df, nc) across the bulk and both far tails, d up to ImageNet size."""
    rng = np.random.default_rng(20240505)
    cases = []
    for _ in range(36):
        df = float(rng.choice([1, 2, 3, 5, 10, 37, 100, 1000]))
        nc = float(10 ** rng.uniform(-3, 4)) if rng.random() < 0.85 else 0.0
        mean, sd = df + nc, math.sqrt(2 * (df + 2 * nc))
        x = mean + sd * rng.uniform(-30, 40)
        if x <= 0:
            x = mean * rng.uniform(1e-3, 1.0)
        cases.append((x, df, nc))
    # ImageNet-sized balls: bulk, a 1e-250 lower tail, a 1e-40 upper tail, far out
    cases += [
        (150528.0, 150528.0, 2000.0),
        (150528.0, 150528.0, 20000.0),
        (160000.0, 150528.0, 2000.0),
        (1e5, 150528.0, 1e5),
        (139627.0, 1.0, 143490.0),  # nc ~ 1e5: a point far from the centre, 5 sd
    ]
    return cases


@pytest.mark.parametrize("case", _ncx2_cases())
def test_ncx2_tails_vs_twin(case):
    x, df, nc = case
    lo, up = ncx2_log_tails_kernel(x, df, nc)
    for got, complement in ((lo, False), (up, True)):
        exact = ref.noncentral_chi2_cdf(x, df, nc, complement=complement, dps=25)
        if exact == 0:  # below mpmath's range: the kernel says -inf or tiny
            continue
        assert _log_err(got, exact) <= LOG_FACTOR, (case, complement, got, exact)
        if exact > 1e-300:
            rel = abs(math.exp(got) - exact) / exact
            assert rel <= LOG_FACTOR * EPS * (1.0 - float(mpmath.log(exact))), (case, rel)


def test_ncx2_far_below_the_smallest_double():
    """The log keeps its accuracy where the probability is 1e-11803 (d = 150528)."""
    lo, up = ncx2_log_tails_kernel(1e5, 150528.0, 1e5)
    exact = ref.noncentral_chi2_cdf(1e5, 150528.0, 1e5, dps=20)
    assert exact < mpmath.mpf(10) ** -11000
    assert abs(lo - float(mpmath.log(exact))) <= 1e-15 * abs(lo) * 16
    assert up == pytest.approx(0.0, abs=1e-15)


def test_ncx2_twin_series_vs_quadrature():
    """The twin's two methods agree (the quadrature is an independent check)."""
    for x, df, nc, complement in [(50.0, 20.0, 10.0, True), (3.0, 5.0, 2.0, False)]:
        a = ref.noncentral_chi2_cdf(x, df, nc, complement=complement, dps=30)
        b = ref.noncentral_chi2_cdf(x, df, nc, complement=complement, method="quad", dps=30)
        assert abs(a - b) <= mpmath.mpf(10) ** -25 * a


def test_twins_edges_and_bad_input():
    assert ref.noncentral_chi2_cdf(0.0, 3, 1.0) == 0
    assert ref.noncentral_chi2_cdf(-1.0, 3, 1.0, complement=True) == 1
    assert ref.noncentral_chi2_cdf(math.inf, 3, 1.0) == 1
    central = ref.noncentral_chi2_cdf(7.0, 4, 0.0, dps=30)
    with mpmath.workdps(40):
        assert abs(central - mpmath.gammainc(2, 0, 3.5, regularized=True)) < 1e-29
    # the twin in the bulk against SciPy's (Boost's) noncentral chi-square
    v = ref.noncentral_chi2_cdf(20.0, 10, 8.0, dps=20)
    assert float(v) == pytest.approx(scipy.stats.ncx2.cdf(20.0, 10, 8.0), rel=1e-12)
    for call, match in [
        (lambda: ref.noncentral_chi2_cdf(1.0, 2, -1.0), "nc must be finite and >= 0"),
        (lambda: ref.noncentral_chi2_cdf(1.0, 0, 1.0), "df must be positive"),
        (lambda: ref.noncentral_chi2_cdf(1.0, 2, 1.0, method="x"), "method must be"),
        (lambda: ref.ball_probability([0.0, 0.0], 1.0, [0.0], 1.0), "x must have 2"),
        (lambda: ref.linear_probability([0.0], 0.0, [1.0], 1.0), "w must not be zero"),
        (lambda: ref.linear_probability([1.0], 0.0, [1.0], -1.0), "sigma must be positive"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()


def test_ncx2_central_and_scipy():
    # nc = 0: the central chi-square (SciPy's gammainc at its best)
    x = np.array([0.1, 1.0, 3.0, 30.0, 300.0])
    lo, up = ncx2_log_tails(x, 4.0, 0.0)
    np.testing.assert_allclose(np.exp(lo), scipy.stats.chi2.cdf(x, 4), rtol=1e-14)
    np.testing.assert_allclose(up, scipy.stats.chi2.logsf(x, 4), rtol=1e-14)
    # the bulk against SciPy's noncentral chi-square (Boost)
    for xx, df, nc in [(20.0, 10.0, 8.0), (1000.0, 10.0, 100.0), (900.0, 800.0, 50.0)]:
        lo, up = ncx2_log_tails(xx, df, nc)
        assert lo == pytest.approx(scipy.stats.ncx2.logcdf(xx, df, nc), rel=1e-9, abs=1e-12)
        assert up == pytest.approx(scipy.stats.ncx2.logsf(xx, df, nc), rel=1e-9, abs=1e-12)
    # edges
    assert ncx2_log_tails(0.0, 3.0, 2.0) == (-math.inf, 0.0)
    assert ncx2_log_tails(-1.0, 3.0, 2.0) == (-math.inf, 0.0)
    assert ncx2_log_tails(math.inf, 3.0, 2.0) == (0.0, -math.inf)


@settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(1.0, 2000.0),
    st.floats(0.0, 5000.0),
    st.floats(-30.0, 30.0),
)
def test_ncx2_properties(df, nc, z):
    """Both tails add to 1, and the lower tail falls with nc and rises with x."""
    mean, sd = df + nc, math.sqrt(2 * (df + 2 * nc))
    x = max(1e-3, mean + z * sd)
    lo, up = ncx2_log_tails(x, df, nc)
    assert lo <= 0.0 and up <= 0.0
    assert math.exp(lo) + math.exp(up) == pytest.approx(1.0, abs=1e-13)
    lo2, _ = ncx2_log_tails(x, df, nc + 0.5 + 0.01 * nc)
    assert lo2 <= lo + 1e-12 * (1 + abs(lo))
    lo3, up3 = ncx2_log_tails(x * 1.01 + 0.01, df, nc)
    assert lo3 >= lo - 1e-12 * (1 + abs(lo)) and up3 <= up + 1e-12 * (1 + abs(up))


def test_log_gamma_pieces_vs_mpmath():
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(60):
        a = float(10 ** rng.uniform(-0.3, 4.0))
        y = float(a * math.exp(rng.uniform(-2.0, 2.0)))
        with mpmath.workdps(40):
            ma, my = mpmath.mpf(a), mpmath.mpf(y)
            dens = ma * mpmath.log(my) - my - mpmath.loggamma(ma + 1)
            p = mpmath.gammainc(ma, 0, my, regularized=True)
            q = mpmath.gammainc(ma, my, mpmath.inf, regularized=True)
        assert abs(log_gamma_density_kernel(a, y) - float(dens)) <= 8 * EPS * (1 + abs(dens))
        worst = max(worst, _log_err(log_gammainc_kernel(a, y, False), p))
        worst = max(worst, _log_err(log_gammainc_kernel(a, y, True), q))
    assert worst <= 10.0
    # Poisson pmf at integer a, and -y at a = 0
    assert log_gamma_density_kernel(0.0, 2.5) == -2.5
    assert math.exp(log_gamma_density_kernel(3.0, 2.0)) == pytest.approx(
        scipy.stats.poisson.pmf(3, 2.0), rel=1e-14
    )


# ---------------------------------------------------------------- Linear


def test_linear_probability_vs_twin():
    rng = np.random.default_rng(11)
    for d in (1, 3, 50, 1000):
        for _ in range(4):
            w = rng.standard_normal(d)
            x = rng.standard_normal(d) * 3
            b = float(rng.normal())
            sigma = float(10 ** rng.uniform(-1.5, 0.5))
            f = Linear(w, b)
            got = f.probability(x, sigma, log=True)
            t = float(f.margin(x, sigma))
            # t carries the rounding of the dot product; log Phi(t) multiplies it by |t|
            dt = 4 * d * EPS * (np.abs(w * x).sum() + abs(b)) / (sigma * f.norm)
            for label, sign in ((1, 1.0), (0, -1.0)):
                exact = ref.linear_probability(sign * w, sign * b, x, sigma, dps=30)
                log_exact = mpmath.log(exact)
                tol = 8 * EPS * (1.0 + abs(float(log_exact))) + (abs(t) + 1.0) * dt
                assert abs(got[label] - log_exact) <= tol, (d, t, label)
                if exact > 1e-300:
                    p = f.probability(x, sigma)[label]
                    assert abs(p - exact) <= 2 * tol * exact, (d, t, label)


def test_linear_far_tail_in_logs():
    f = Linear([1.0, 0.0], 0.0)
    lp = f.probability([-40.0, 0.0], 1.0, log=True)
    exact = ref.linear_probability([1.0, 0.0], 0.0, [-40.0, 0.0], 1.0, dps=30)
    assert lp[1] == pytest.approx(float(mpmath.log(exact)), rel=1e-14)
    assert lp[0] == pytest.approx(-float(exact), rel=1e-12)  # log(1 - p) = -p
    assert f.probability([-40.0, 0.0], 1.0)[1] == pytest.approx(float(exact), rel=1e-13)


def test_linear_smoothed_equals_base():
    """g_sigma = f for a half-space: same decision everywhere, 1/2 on the hyperplane."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal(6)
    f = Linear(w, 0.7, inside_label=0)
    x = rng.standard_normal((400, 6)) * 2
    for sigma in (0.01, 0.5, 10.0):
        p = f.probability(x, sigma)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-15)
        far = np.abs(f.score(x)) > 1e-9
        np.testing.assert_array_equal(np.argmax(p, axis=1)[far], f.decide(x)[far])
    # on the hyperplane (exactly representable): probability exactly 1/2 for every sigma
    g = Linear([2.0, 0.0, 0.0], -1.0)
    on = np.column_stack([np.full(5, 0.5), rng.standard_normal((5, 2))])
    np.testing.assert_array_equal(g.score(on), 0.0)
    np.testing.assert_array_equal(g.probability(on, 0.3), 0.5)
    np.testing.assert_array_equal(g.decide(on), 1)  # G >= 0 is inside


def test_linear_votes_match_exact_and_full_noise():
    f = Linear([0.3, -0.4, 1.2, 0.0, 0.5], -0.2)
    x = np.array([0.1, 0.2, 0.0, 0.3, -0.4])
    sigma = 0.7
    p = f.probability(x, sigma)
    n = 200_000
    c = f.sample_counts(x, sigma, n, rng=1)
    assert c.sum() == n and _binomial_ok(int(c[1]), n, float(p[1]))
    v = f.sample_votes(x, sigma, n, rng=2)
    assert v.dtype == np.int64 and v.shape == (n,)
    assert _binomial_ok(int(np.count_nonzero(v == 1)), n, float(p[1]))
    m = monte_carlo_counts(f, x, sigma, 100_000, rng=3)
    assert _binomial_ok(int(m[1]), 100_000, float(p[1]))
    assert _two_sample_ok(int(c[1]), n, int(m[1]), 100_000)


def test_linear_design_point_is_the_foot_of_the_perpendicular():
    from rstheory._geometry import design_point

    f = Linear([3.0, 4.0], -5.0)
    dp = design_point(f.score, f.score_gradient, [0.0, 0.0], sigma=0.5)
    assert dp.converged
    np.testing.assert_allclose(dp.point, [0.6, 0.8], atol=1e-12)
    # beta > 0 on the near side: pi_inside = Phi(-beta) exactly for a half-space
    assert f.probability([0.0, 0.0], 0.5)[1] == pytest.approx(
        scipy.stats.norm.cdf(-dp.beta), rel=1e-12
    )
    np.testing.assert_array_equal(f.score_hessian([1.0, 2.0]), np.zeros((2, 2)))
    np.testing.assert_array_equal(f.score_gradient([[1.0, 2.0], [0.0, 0.0]]), [[3, 4], [3, 4]])


# ---------------------------------------------------------------- Ball


@pytest.mark.parametrize(
    "d, radius, dist, sigma",
    [
        (1, 1.0, 0.3, 0.5),
        (2, 1.0, 3.0, 0.4),
        (3, 2.0, 0.0, 1.0),
        (10, 1.0, 4.0, 0.25),  # inside probability 3e-36
        (10, 3.0, 0.5, 0.2),  # outside probability 1e-32
        (100, 5.0, 1.0, 0.4),
    ],
)
def test_ball_probability_vs_twin(d, radius, dist, sigma):
    rng = np.random.default_rng(d)
    center = rng.standard_normal(d)
    u = rng.standard_normal(d)
    x = center + dist * u / np.linalg.norm(u)
    f = Ball(center, radius)
    lp = f.probability(x, sigma, log=True)
    p = f.probability(x, sigma)
    for label, complement in ((0, False), (1, True)):
        exact = ref.ball_probability(center, radius, x, sigma, complement=complement, dps=25)
        # (nc carries a few ulps of the distance; measured <= 3 in these units)
        assert _log_err(lp[label], exact) <= LOG_FACTOR
        assert p[label] == pytest.approx(math.exp(lp[label]), rel=1e-15)


def test_ball_imagenet_size_vs_twin():
    d = IMAGENET
    rng = np.random.default_rng(7)
    center = rng.uniform(0, 1, d)
    x = center + 0.004 * rng.standard_normal(d)  # ||x - c|| ~ 1.55
    sigma = 0.25
    f = Ball(center, 96.5)  # R/sigma = 386, 2.8 sd below the mean: pi_inside ~ 3e-3
    lp = f.probability(x, sigma, log=True)
    exact = ref.ball_probability(center, 96.5, x, sigma, dps=20)
    assert 1e-6 < exact < 0.5
    # nc ~ 38 summed from 150528 squares (a few ulps); measured 6e-16 relative
    assert abs(math.exp(lp[0]) - exact) <= 1e-13 * exact
    assert math.exp(lp[1]) == pytest.approx(1.0 - float(exact), rel=1e-15)


def test_ball_symmetries():
    rng = np.random.default_rng(9)
    d = 7
    c = rng.standard_normal(d)
    f = Ball(c, 1.5, inside_label=1)
    # the probability depends on |x - c| only
    dirs = rng.standard_normal((5, d))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    p = f.probability(c + 0.9 * dirs, 0.6)
    np.testing.assert_allclose(p, np.broadcast_to(p[0], p.shape), rtol=1e-12)
    # at the centre: the central chi-square
    assert f.probability(c, 0.6)[1] == pytest.approx(
        scipy.stats.chi2.cdf((1.5 / 0.6) ** 2, d), rel=1e-13
    )
    # inside probability falls with the distance from the centre
    dist = np.linspace(0.0, 6.0, 61)
    p_in = f.probability(c + dist[:, None] * dirs[0], 0.6)[:, 1]
    assert np.all(np.diff(p_in) < 0.0)
    # sigma broadcasts against the leading axes of x
    both = f.probability(np.stack([c, c]), np.array([[0.5], [1.0]]))
    assert both.shape == (2, 2, 2)
    assert both[1, 0, 1] == pytest.approx(scipy.stats.chi2.cdf(1.5**2, d), rel=1e-13)


@pytest.mark.parametrize("d", [1, 3, 10])
def test_ball_votes_match_exact_and_full_noise(d):
    rng = np.random.default_rng(100 + d)
    c = rng.standard_normal(d)
    x = c + rng.standard_normal(d) * 0.4
    f = Ball(c, 1.0)
    sigma = 0.5
    p_in = float(f.probability(x, sigma)[0])
    n = 200_000
    counts = f.sample_counts(x, sigma, n, rng=d)
    assert counts.sum() == n and _binomial_ok(int(counts[0]), n, p_in)
    votes = f.sample_votes(x, sigma, 50_000, rng=d + 1)
    assert _binomial_ok(int(np.count_nonzero(votes == 0)), 50_000, p_in)
    mc = monte_carlo_counts(f, x, sigma, 100_000, rng=d + 2, batch=7777)
    assert _binomial_ok(int(mc[0]), 100_000, p_in)
    assert _two_sample_ok(int(counts[0]), n, int(mc[0]), 100_000)


def test_ball_votes_at_imagenet_size():
    """The d-independent sampler at d = 150528 against the exact probability."""
    d = IMAGENET
    f = Ball(np.zeros(d), 0.25 * 389.0)
    x = np.zeros(d)
    x[0] = 0.5
    p_in = float(f.probability(x, 0.25)[0])
    assert 0.05 < p_in < 0.95
    c = f.sample_counts(x, 0.25, 300_000, rng=4)
    assert _binomial_ok(int(c[0]), 300_000, p_in)
    # and the full-noise sampler on a few hundred votes (9e7 normals)
    mc = monte_carlo_counts(f, x, 0.25, 600, rng=5)
    assert _binomial_ok(int(mc[0]), 600, p_in)


def test_ball_geometry():
    from rstheory._geometry import design_point, principal_curvatures

    f = Ball([1.0, 2.0, 3.0], 2.0)
    z = np.array([1.0, 2.0, 5.0])  # on the sphere
    kappa = principal_curvatures(f.score_gradient(z), f.score_hessian(z))
    np.testing.assert_allclose(kappa, [0.5, 0.5], rtol=1e-14)
    assert f.score(z) == 0.0
    np.testing.assert_array_equal(f.decide(z), 0)  # G >= 0 is inside
    dp = design_point(f.score, f.score_gradient, [1.0, 2.0, 9.0], sigma=2.0)
    assert dp.converged and dp.beta == pytest.approx(2.0, rel=1e-9)
    np.testing.assert_allclose(dp.point, z, atol=1e-9)


# ---------------------------------------------------------------- Paraboloid


def _random_frame(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def test_flat_paraboloid_is_a_half_space():
    rng = np.random.default_rng(21)
    d = 5
    frame = _random_frame(rng, d)
    vertex = rng.standard_normal(d)
    p = Paraboloid(np.zeros(d - 1), vertex=vertex, frame=frame, inside_label=1)
    normal = frame[:, -1]
    lin = Linear(normal, -float(normal @ vertex), inside_label=1)
    x = rng.standard_normal((50, d)) * 2
    np.testing.assert_array_equal(p.decide(x), lin.decide(x))
    np.testing.assert_allclose(p.probability(x, 0.8), lin.probability(x, 0.8), rtol=1e-12)


def test_paraboloid_probability_vs_twin_and_frame():
    rng = np.random.default_rng(22)
    kappa = np.array([0.6, -0.3, 0.0, 0.2])
    d = kappa.size + 1
    sigma = 0.5
    y = np.array([0.3, -0.2, 1.0, 0.1, -0.4])  # frame coordinates of the point
    exact = ref.paraboloid_probability(
        -y[-1] / sigma, [0.3, -0.15, 0.1], offsets=[0.6, -0.4, 0.2], dps=20
    )
    plain = Paraboloid(kappa)
    got = plain.probability(y, sigma)
    assert got[0] == pytest.approx(float(exact), rel=1e-12)
    assert got[0] + got[1] == pytest.approx(1.0, abs=1e-14)
    # the same point in a rotated, shifted frame
    frame = _random_frame(rng, d)
    vertex = rng.standard_normal(d)
    turned = Paraboloid(kappa, vertex=vertex, frame=frame)
    z = vertex + frame @ y
    np.testing.assert_allclose(turned.coordinates(z), y, atol=1e-14)
    np.testing.assert_allclose(turned.probability(z, sigma), got, rtol=1e-11)


def test_paraboloid_votes_match_exact():
    f = Paraboloid([0.8, -0.5, 0.0, 0.0, 0.0], inside_label=1)
    x = np.array([0.2, 0.1, 5.0, -3.0, 1.0, -0.3])
    sigma = 0.6
    p_in = float(f.probability(x, sigma)[1])
    n = 200_000
    c = f.sample_counts(x, sigma, n, rng=31)
    assert _binomial_ok(int(c[1]), n, p_in)
    mc = monte_carlo_counts(f, x, sigma, 100_000, rng=32)
    assert _two_sample_ok(int(c[1]), n, int(mc[1]), 100_000)


def test_paraboloid_curvatures_at_the_vertex():
    from rstheory._geometry import principal_curvatures

    rng = np.random.default_rng(23)
    kappa = np.array([0.7, -0.2, 0.4])
    d = kappa.size + 1
    frame = _random_frame(rng, d)
    vertex = rng.standard_normal(d)
    f = Paraboloid(kappa, vertex=vertex, frame=frame)
    g = f.score_gradient(vertex)
    np.testing.assert_allclose(g, frame[:, -1], atol=1e-14)  # the axis, into {G >= 0}
    got = principal_curvatures(g, f.score_hessian(vertex))
    np.testing.assert_allclose(got, np.sort(kappa), atol=1e-12)
    # the gradient against central differences away from the vertex
    z = vertex + rng.standard_normal(d)
    h = 1e-6
    fd = [(f.score(z + h * e) - f.score(z - h * e)) / (2 * h) for e in np.eye(d)]
    np.testing.assert_allclose(f.score_gradient(z), fd, rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------- toys and Monte Carlo


def test_sectors_and_checkerboard_decide():
    s = Sectors(4, offset=0.0)
    pts = np.array([[1.0, 0.1], [-0.1, 1.0], [-1.0, -0.1], [0.1, -1.0], [1.0, -0.1]])
    np.testing.assert_array_equal(s.decide(pts), [0, 1, 2, 3, 3])
    s3 = Sectors(3, offset=math.pi / 2, center=(1.0, 1.0))
    np.testing.assert_array_equal(s3.decide([[1.0, 2.0], [0.0, 1.0], [2.0, 0.5]]), [0, 0, 2])
    cb = Checkerboard(cell=0.5, n_classes=3, origin=(0.25, 0.0))
    np.testing.assert_array_equal(cb.decide([[0.3, 0.1], [0.8, 0.1], [1.3, 0.1]]), [0, 1, 2])
    np.testing.assert_array_equal(cb.decide([[0.3, 0.6], [0.0, 0.1]]), [1, 2])


def test_sectors_centre_is_a_fair_split():
    s = Sectors(5, offset=0.3)
    counts = s.sample_counts([0.0, 0.0], 1.0, 50_000, rng=41)
    assert counts.shape == (5,) and counts.sum() == 50_000
    for k in counts:
        assert _binomial_ok(int(k), 50_000, 0.2)


def test_checkerboard_monte_carlo():
    cb = Checkerboard(cell=1.0)
    # at a cell centre with small noise: the cell's colour almost surely
    np.testing.assert_array_equal(cb.sample_counts([0.5, 1.5], 0.05, 1000, rng=1), [0, 1000])
    # by symmetry of the two colours about a corner
    c = cb.sample_counts([0.0, 0.0], 0.3, 40_000, rng=2)
    assert _binomial_ok(int(c[0]), 40_000, 0.5)


def test_mlp():
    net = MLP.random((4, 16, 8, 3), seed=7)
    again = MLP.random((4, 16, 8, 3), seed=7)
    for w1, w2 in zip(net.weights, again.weights, strict=True):
        np.testing.assert_array_equal(w1, w2)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 5, 4))
    labels = net.decide(x)
    assert labels.shape == (2, 5) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, np.argmax(net.logits(x), axis=-1))
    counts = net.sample_counts(x[0, 0], 0.5, 5000, rng=9)
    assert counts.shape == (3,) and counts.sum() == 5000
    votes = net.sample_votes(x[0, 0], 0.5, 100, rng=9)
    assert votes.shape == (100,) and set(votes.tolist()) <= {0, 1, 2}
    # a hand-built network: identity then swap
    swap = MLP([np.eye(2), np.array([[0.0, 1.0], [1.0, 0.0]])], [np.zeros(2), np.zeros(2)])
    np.testing.assert_array_equal(swap.decide([[2.0, 1.0], [1.0, 2.0], [-1.0, -2.0]]), [1, 0, 0])


def test_batched_shapes_and_protocol():
    rng = np.random.default_rng(10)
    classifiers = [
        Linear([1.0, -2.0, 0.5]),
        Ball([0.0, 0.0, 0.0], 1.0),
        Paraboloid([0.3, -0.1]),
        MLP.random((3, 5, 2), seed=1),
    ]
    for f in classifiers:
        assert isinstance(f, Classifier) and isinstance(f, BaseClassifier)
        assert f.decide(np.zeros(3)).shape == ()
        assert f.decide(rng.standard_normal((7, 3))).shape == (7,)
        out = f.decide(rng.standard_normal((2, 4, 3)))
        assert out.shape == (2, 4) and out.dtype == np.int64
        assert f.sample_votes(np.zeros(3), 0.5, 0, rng=0).shape == (0,)
        np.testing.assert_array_equal(f.sample_counts(np.zeros(3), 0.5, 0, rng=0), [0, 0])
    for f in classifiers[:3]:
        p = f.probability(rng.standard_normal((2, 4, 3)), 0.5)
        assert p.shape == (2, 4, 2)
        np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-14)
        assert f.score(rng.standard_normal((2, 4, 3))).shape == (2, 4)
        assert f.score_gradient(rng.standard_normal((2, 4, 3))).shape == (2, 4, 3)
        assert f.score_hessian(np.zeros(3)).shape == (3, 3)


def test_monte_carlo_with_a_user_classifier():
    class HalfPlane:
        dim = 2
        n_classes = 3

        def decide(self, points):
            return np.where(np.asarray(points)[..., 0] >= 0.0, 2, 0)

    f = HalfPlane()
    assert isinstance(f, Classifier)
    c = monte_carlo_counts(f, [0.0, 0.0], 1.0, 20_000, rng=1, batch=999)
    assert c[1] == 0 and _binomial_ok(int(c[2]), 20_000, 0.5)
    v = monte_carlo_votes(f, [5.0, 0.0], 1.0, 10, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(v, 2)
    # the same seed gives the same votes
    a = monte_carlo_votes(f, [0.1, 0.0], 1.0, 50, rng=3)
    b = monte_carlo_votes(f, [0.1, 0.0], 1.0, 50, rng=3)
    np.testing.assert_array_equal(a, b)

    class Bad:
        dim = 2
        n_classes = 2

        def decide(self, points):
            return np.full(len(points), 5)

    with pytest.raises(ValueError, match="labels outside"):
        monte_carlo_counts(Bad(), [0.0, 0.0], 1.0, 10)

    class Short(Bad):
        def decide(self, points):
            return np.zeros(1, dtype=int)

    with pytest.raises(ValueError, match="returned 1 labels for 10"):
        monte_carlo_votes(Short(), [0.0, 0.0], 1.0, 10)
    with pytest.raises(ValueError, match="classifier"):
        monte_carlo_counts(object(), [0.0], 1.0, 10)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Linear([0.0, 0.0]), "w must not be zero"),
        (lambda: Linear([1.0, math.nan]), "w must not be NaN"),
        (lambda: Linear([[1.0]]), "w must be a non-empty 1-D"),
        (lambda: Linear([1.0], b=[1.0, 2.0]), "b must be a scalar"),
        (lambda: Linear([1.0], inside_label=2), "inside_label must be in 0..1"),
        (lambda: Linear([1.0], inside_label=True), "inside_label must be an integer"),
        (lambda: Ball([0.0], -1.0), "radius must be finite and > 0"),
        (lambda: Ball([math.inf], 1.0), "center must be finite"),
        (lambda: Paraboloid([[0.1]]), "curvatures must be a 1-D"),
        (lambda: Paraboloid([0.1], vertex=[0.0]), "vertex must have 2 coordinates"),
        (lambda: Paraboloid([0.1], frame=np.ones((2, 2))), "frame must be orthonormal"),
        (lambda: Paraboloid([0.1], frame=np.eye(3)), r"frame must have shape \(2, 2\)"),
        (lambda: Sectors(1), "n_classes must be >= 2"),
        (lambda: Sectors(3, center=(0.0,)), "center must have 2 coordinates"),
        (lambda: Checkerboard(cell=0.0), "cell must be finite and > 0"),
        (lambda: MLP([np.ones((2, 3))], []), "weights and biases"),
        (
            lambda: MLP([np.ones((2, 3)), np.ones((2, 2))], [np.ones(3), np.ones(2)]),
            r"weights\[1\] must have 3 rows",
        ),
        (lambda: MLP([np.ones((2, 1))], [np.ones(1)]), ">= 2 outputs"),
        (lambda: MLP([np.ones((2, 2))], [np.ones(3)]), r"biases\[0\] must have shape"),
        (lambda: MLP.random((3,)), "dims must have at least 2"),
    ],
)
def test_bad_constructor_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_call_arguments():
    f = Ball([0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match=r"points must have shape \(\.\.\., 2\)"):
        f.decide([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="points must be finite"):
        f.decide([1.0, math.inf])
    with pytest.raises(ValueError, match="x must have shape"):
        f.probability([1.0], 0.5)
    with pytest.raises(ValueError, match="sigma must be finite and > 0"):
        f.probability([1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        f.probability([[1.0, 0.0]] * 3, [0.1, 0.2])
    with pytest.raises(ValueError, match="x must have 2 coordinates"):
        f.sample_counts([1.0], 0.5, 10)
    with pytest.raises(ValueError, match="n must be an integer count"):
        f.sample_counts([1.0, 0.0], 0.5, 2.5)
    with pytest.raises(ValueError, match="n must be >= 0"):
        f.sample_votes([1.0, 0.0], 0.5, -1)
    with pytest.raises(ValueError, match="sigma must be a scalar"):
        f.sample_votes([1.0, 0.0], [0.5, 0.6], 3)
    with pytest.raises(ValueError, match="rng must be"):
        f.sample_counts([1.0, 0.0], 0.5, 10, rng="seed")
    with pytest.raises(ValueError, match="rng must be"):
        f.sample_counts([1.0, 0.0], 0.5, 10, rng=-3)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        monte_carlo_counts(f, [1.0, 0.0], 0.5, 10, batch=0)
    with pytest.raises(ValueError, match="point must have 2 coordinates"):
        f.score_hessian([1.0])
    with pytest.raises(ValueError, match="df must be >= 1"):
        ncx2_log_tails(1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="nc must be >= 0"):
        ncx2_log_tails(1.0, 2.0, -1.0)
    with pytest.raises(ValueError, match="x must not be NaN"):
        ncx2_log_tails(math.nan, 2.0, 1.0)
    with pytest.raises(ValueError, match="do not broadcast"):
        ncx2_log_tails([1.0, 2.0], [1.0, 2.0, 3.0], 1.0)


# ---------------------------------------------------------------- kernels


def test_kernels_from_user_njit():
    @njit
    def user(points):
        lo, up = ncx2_log_tails_kernel(10.0, 5.0, 3.0)
        a = ball_decide_kernel(points, np.zeros(2), 1.0, 0)
        b = sectors_decide_kernel(points, 4, 0.0, np.zeros(2))
        c = checkerboard_decide_kernel(points, 1.0, 2, np.zeros(2))
        g = log_gammainc_kernel(3.5, 2.0, True) + log_gamma_density_kernel(3.0, 2.0)
        return lo, up, a, b, c, g

    pts = np.array([[0.5, 0.5], [-2.0, 0.5]])
    lo, up, a, b, c, g = user(pts)
    assert (lo, up) == ncx2_log_tails_kernel(10.0, 5.0, 3.0)
    np.testing.assert_array_equal(a, [0, 1])
    np.testing.assert_array_equal(b, [0, 1])
    np.testing.assert_array_equal(c, [0, 0])
    assert g == log_gammainc_kernel(3.5, 2.0, True) + log_gamma_density_kernel(3.0, 2.0)


_NOJIT_CASES = [(10.0, 5.0, 3.0), (1000.0, 10.0, 100.0), (0.01, 5.0, 30.0), (500.0, 300.0, 900.0)]


def test_kernels_without_jit(values_without_jit):
    prelude = (
        "from rstheory.classifiers import ncx2_log_tails_kernel, Ball, Sectors\n"
        "import numpy as np\n"
        f"cases = {_NOJIT_CASES!r}\n"
        "pts = np.array([[0.5, 0.5], [-2.0, 0.5], [0.1, -3.0]])\n"
    )
    expr = (
        "[v for c in cases for v in ncx2_log_tails_kernel(*c)]"
        " + list(Ball([0.0, 0.0], 1.0).decide(pts)) + list(Sectors(3).decide(pts))"
    )
    got = values_without_jit(expr, prelude)
    want = [v for c in _NOJIT_CASES for v in ncx2_log_tails_kernel(*c)]
    np.testing.assert_allclose(got[: len(want)], want, rtol=1e-13, atol=1e-15)
    pts = np.array([[0.5, 0.5], [-2.0, 0.5], [0.1, -3.0]])
    labels = list(Ball([0.0, 0.0], 1.0).decide(pts)) + list(Sectors(3).decide(pts))
    assert got[len(want) :] == [float(v) for v in labels]
