"""Tests of rstheory.planning: the mpmath twins, brute force, and Monte Carlo of CERTIFY."""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.certify import ABSTAIN, certify, predict
from rstheory.planning import (
    DEFAULT_TOL,
    IMPOSSIBLE,
    PARALLEL_MIN_WINDOW,
    UNREACHABLE,
    RadiusDistribution,
    abstain_probability,
    abstain_probability_array,
    abstain_probability_kernel,
    binomial_tail_kernel,
    certification_probability,
    certification_probability_array,
    certification_probability_kernel,
    expected_radius,
    expected_radius_array,
    expected_radius_kernel,
    max_radius,
    max_radius_array,
    max_radius_kernel,
    predict_min_n,
    predict_min_n_kernel,
    radius_distribution,
    radius_distribution_kernel,
    required_n,
    required_n_array,
    required_n_kernel,
    threshold_count_kernel,
)

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)

EPS = 2.0**-52
NAN = float("nan")


def rel(got, want) -> float:
    """|got - want| / |want| in mpmath (0 when equal)."""
    with mpmath.workdps(60):
        g, w = mpmath.mpf(got), mpmath.mpf(want)
        if g == w:
            return 0.0
        return float(abs(g - w) / abs(w))


sigmas = st.one_of(st.sampled_from([0.12, 0.25, 0.5, 1.0]), st.floats(1e-3, 10.0))
alphas = st.floats(-15.0, -0.31).map(lambda e: 10.0**e)


# ---------------------------------------------------------------- max_radius

MAX_RADIUS_N = [1, 2, 10, 10**3, 10**5, 10**9, 10**12, 10**15, 2**53]
MAX_RADIUS_ALPHA = [0.5, 1e-3, 1e-10, 1e-300]


@pytest.mark.parametrize("n", MAX_RADIUS_N)
@pytest.mark.parametrize("alpha", MAX_RADIUS_ALPHA)
def test_max_radius_sound_and_accurate_vs_twin(n, alpha):
    for sigma in (1e-3, 0.25, 1.0, 7.0):
        got = max_radius(n, sigma, alpha)
        exact = ref.max_radius(n, sigma, alpha)
        assert mpmath.mpf(got) <= exact, (n, alpha, sigma, got, exact)  # sound
        # 1e-14 relative; near R = 0 the kernel's absolute step 4 eps sigma dominates
        err = abs(mpmath.mpf(got) - exact)
        assert err <= 1e-14 * abs(exact) + 8 * EPS * sigma, (n, alpha, sigma, got, exact)


def test_max_radius_known_values():
    # Cohen et al.'s ImageNet remark: n = 1e5, alpha = 1e-3 cannot reach 3.81 sigma
    assert round(max_radius(100_000, 1.0, 0.001), 4) == 3.8115
    assert max_radius(100_000, 0.25, 0.001) < 1.0
    assert round(max_radius(10**15, 0.25, 0.001), 4) == 1.9245
    assert max_radius(1e5, 1, 1e-3) == max_radius(100_000, 1.0, 0.001)
    # alpha**(1/n) = 1/2 exactly: the exact radius is 0, the sound one just below
    assert ref.max_radius(10, 1.0, 2.0**-10) == 0
    assert -8 * EPS <= max_radius(10, 1.0, 2.0**-10) < 0.0
    # below n = log2(1/alpha) the radius is negative (CERTIFY always abstains)
    assert max_radius(9, 1.0, 1e-3) < 0.0 < max_radius(10, 1.0, 1e-3)


@SETTINGS
@given(st.one_of(st.integers(1, 5000), st.integers(1, 2**53)), sigmas, alphas)
def test_max_radius_equals_certify_radius_for_unanimous_counts(n, sigma, alpha):
    r = max_radius(n, sigma, alpha)
    label, radius = certify([0, 1], [0, n], sigma, alpha)
    if label == 1:
        assert radius == max(r, 0.0), (n, sigma, alpha, radius, r)
    else:
        assert label == ABSTAIN
        assert r <= 1e-12 * sigma, (n, sigma, alpha, r)


@SETTINGS
@given(st.integers(1, 10**6), st.integers(1, 2**52), sigmas, alphas, st.floats(1e-9, 1.0))
def test_max_radius_monotone_in_n_and_alpha(n_small, n_big, sigma, alpha, shrink):
    # n -> n + 1 below 1e6; n -> n + n/1000 + 1 anywhere (changes far above rounding)
    assert max_radius(n_small, sigma, alpha) <= max_radius(n_small + 1, sigma, alpha)
    assert max_radius(n_big, sigma, alpha) <= max_radius(n_big + n_big // 1000 + 1, sigma, alpha)
    # a smaller alpha never gives a larger radius
    smaller = alpha * (1.0 - shrink)
    if smaller > 0.0:
        for n in (n_small, n_big):
            assert max_radius(n, sigma, smaller) <= max_radius(n, sigma, alpha)


# ---------------------------------------------------------------- required_n, p = 1


@SETTINGS
@given(st.floats(0.0, 6.0), sigmas, alphas)
def test_required_n_unanimous_vs_twin_and_boundary(u, sigma, alpha):
    radius = u * sigma
    n = required_n(radius, sigma, alpha)
    exact = ref.required_n(radius, sigma, alpha)
    # the boundary property against the package's own (sound) max_radius
    assert max_radius(n, sigma, alpha) >= radius
    assert n == 1 or max_radius(n - 1, sigma, alpha) < radius
    if n != exact:
        # the sound radius may miss the exact boundary by its rounding margin only
        assert n == exact + 1, (radius, sigma, alpha, n, exact)
        r_exact = ref.max_radius(exact, sigma, alpha)
        assert r_exact - radius <= 1e-13 * radius + 8 * EPS * sigma


def test_required_n_unanimous_examples():
    assert required_n(1.0, 0.25, 0.001) == 218105 == ref.required_n(1.0, 0.25, 0.001)
    assert required_n(0.0, 1.0, 1e-3) == 10 == ref.required_n(0.0, 1.0, 1e-3)
    # power is ignored for p = 1, stable too
    assert required_n(1.0, 0.25, 0.001, 1.0, 0.99, stable=True) == 218105
    assert type(required_n(1.0, 0.25, 0.001)) is int
    # the twin is exact at alpha = 2**-n: R_max(10) = 0 reaches radius 0
    assert ref.required_n(0.0, 1.0, 2.0**-10) == 10
    n = ref.required_n(0.5, 1.0, 1e-6)
    assert ref.max_radius(n, 1.0, 1e-6) >= 0.5 > ref.max_radius(n - 1, 1.0, 1e-6)


# ---------------------------------------------------------------- required_n, p < 1

#: (radius, sigma, alpha, p, power): answers from tens to a few hundred thousand
REQUIRED_CASES = [
    (0.5, 1.0, 1e-3, 0.9, 0.9),
    (0.25, 0.5, 0.01, 0.8, 0.5),
    (0.0, 1.0, 0.05, 0.6, 0.5),
    (0.1, 0.25, 1e-3, 0.7, 0.8),
    (1.0, 0.5, 1e-3, 0.99, 0.95),
    (2.0, 1.0, 1e-3, 0.99, 0.5),
    (0.5, 0.25, 1e-10, 0.999, 0.99),
    (0.3, 1.0, 1e-2, 0.65, 0.9),
    (0.0, 1.0, 1e-3, 0.55, 0.99),
    (0.5, 1.0, 1e-3, 0.70, 0.5),
    (0.0, 1.0, 1e-3, 0.505, 0.3),
]


@pytest.mark.parametrize("case", REQUIRED_CASES)
def test_required_n_first_and_stable_vs_brute_force(case):
    radius, sigma, alpha, p, power = case
    first = required_n(radius, sigma, alpha, p, power)
    stable = required_n(radius, sigma, alpha, p, power, stable=True)
    assert first <= stable
    big = 2 * stable + 2000
    ns = np.arange(1, big + 1)
    prob = certification_probability(p, ns, sigma, alpha, radius)
    # first: P(first) >= power and P(m) < power for every m < first
    assert prob[first - 1] >= power
    assert (prob[: first - 1] < power).all()
    # stable: P(m) >= power for every stable <= m <= big, and P(stable - 1) < power
    assert (prob[stable - 1 :] >= power).all()
    assert stable == 1 or prob[stable - 2] < power


@pytest.mark.parametrize(
    ("case", "first", "stable"),
    [
        ((0.5, 1.0, 1e-3, 0.9, 0.9), 71, 76),
        ((0.25, 0.5, 0.01, 0.8, 0.5), 93, 105),
        ((0.0, 1.0, 0.05, 0.6, 0.5), 71, 85),
    ],
)
def test_required_n_vs_twin(case, first, stable):
    assert required_n(*case) == first == ref.required_n(*case)
    assert required_n(*case, stable=True) == stable
    assert ref.required_n(*case, stable=True, n_max=3 * stable) == stable


def test_required_n_sawtooth():
    # the certification probability is not monotone in n: "first" < "stable"
    radius, sigma, alpha, p, power = REQUIRED_CASES[0]
    first = required_n(radius, sigma, alpha, p, power)
    stable = required_n(radius, sigma, alpha, p, power, stable=True)
    assert first < stable
    prob = certification_probability(p, np.arange(first, stable), sigma, alpha, radius)
    assert (prob < power).any() and prob[0] >= power


# ---------------------------------------------------------------- certification_probability

CERT_POINTS = [
    (0.99, 1000, 0.25, 1e-3, 0.5),
    (0.9, 100, 1.0, 1e-3, 0.5),
    (0.7, 5000, 0.5, 1e-2, 0.2),
    (0.6, 200, 1.0, 0.05, 0.0),
    (0.999, 10**5, 0.25, 1e-10, 0.7),
    (0.9, 3000, 0.5, 1e-3, 0.6),
    (0.3, 50, 1.0, 0.1, 0.0),
    (0.52, 10**4, 1.0, 1e-300, 0.0),
    (0.55, 10**6, 1.0, 1e-3, 0.1),
    (0.8, 10**9, 0.5, 1e-3, 0.4),
    (0.999999, 2**40, 0.25, 1e-6, 1.2),
]


@pytest.mark.parametrize("point", CERT_POINTS)
def test_certification_probability_vs_twin(point):
    got = certification_probability(*point)
    exact = ref.certification_probability(*point)
    if exact < 1e-300:
        assert got <= 1e-300
    else:
        assert rel(got, exact) <= 1e-12, (point, got, exact)


@pytest.mark.parametrize(
    "point",
    [(0.99, 1000, 0.25, 1e-3, 0.5), (0.9, 300, 0.5, 1e-3, 0.6), (0.6, 200, 1.0, 0.05, 0.0)],
)
def test_certification_probability_vs_monte_carlo_certify(point):
    p, n, sigma, alpha, radius = point
    rng = np.random.default_rng(20190208 + n)
    trials = 20_000
    k = rng.binomial(n, p, size=trials)
    sel = np.tile([1, 0], (trials, 1))
    est = np.stack([k, n - k], axis=1)
    cert = certify(sel, est, sigma, alpha)
    rate = np.mean((cert.label == 0) & (cert.radius >= radius))
    want = certification_probability(*point)
    se = math.sqrt(want * (1 - want) / trials)
    assert abs(rate - want) <= 5 * se + 1e-9, (point, rate, want)


def test_certification_probability_edges_and_abstention():
    assert certification_probability(0.0, 100, 1.0, 0.01, 0.5) == 0.0
    assert certification_probability(1.0, 100, 1.0, 0.01, 0.5) == 1.0
    assert certification_probability(1.0, 5, 1.0, 0.01, 0.0) == 0.0  # 5 votes never certify
    assert certification_probability(0.5, 100, 1.0, 0.01, 40.0) == 0.0  # Phi(40) rounds to 1
    # radius 0: the probability of not abstaining (alpha not a dyadic tie)
    for p, n, alpha in [(0.6, 200, 1e-3), (0.9, 50, 0.01), (0.55, 5000, 1e-6)]:
        stay = certification_probability(p, n, 1.0, alpha, 0.0)
        assert stay == pytest.approx(1.0 - abstain_probability(p, 0, n, alpha), rel=1e-13)


# ---------------------------------------------------------------- radius_distribution


def _certify_radii(counts: np.ndarray, n: int, sigma: float, alpha: float):
    sel = np.tile([1, 0], (counts.shape[0], 1))
    est = np.stack([counts, n - counts], axis=1)
    return certify(sel, est, sigma, alpha)


@settings(
    deadline=None,
    derandomize=True,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 0.5, 0.99, 0.999999, 1.0])),
    st.floats(0.0, 6.0).map(lambda e: int(10.0**e)),
    sigmas,
    alphas,
)
@example(0.9, 10**6, 0.5, 1e-3)
@example(0.6, 4999, 1.0, 0.05)
@example(0.999999, 10**6, 0.25, 1e-10)
@example(0.3, 3000, 1.0, 0.3)
def test_radius_distribution_properties(p, n, sigma, alpha):
    d = radius_distribution(p, n, sigma, alpha)
    assert isinstance(d, RadiusDistribution)
    assert d.count.dtype == np.int64
    total = float(np.sum(d.probability)) + d.abstain + d.neglected
    assert abs(total - 1.0) <= 1e-13, (p, n, sigma, alpha, total)
    assert 0.0 <= d.neglected <= DEFAULT_TOL
    assert (np.diff(d.count) == 1).all()
    assert (np.diff(d.radius) >= 0.0).all()
    if d.count.size:
        cert = _certify_radii(d.count, n, sigma, alpha)
        assert (cert.label == 0).all()
        np.testing.assert_array_equal(d.radius, cert.radius)
        assert (d.radius >= 0.0).all()
    if n <= 5000:
        # the abstention mass is P[K < k0], k0 the least count CERTIFY accepts
        labels = _certify_radii(np.arange(n + 1), n, sigma, alpha).label
        ok = np.flatnonzero(labels == 0)
        k0 = int(ok[0]) if ok.size else n + 1
        want = scipy.stats.binom.cdf(k0 - 1, n, p) if k0 > 0 else 0.0
        assert d.abstain == pytest.approx(want, rel=1e-9, abs=1e-300)
        if d.count.size:
            assert d.count[0] >= k0


def test_radius_distribution_tol():
    loose = radius_distribution(0.9, 100_000, 0.5, 1e-3, tol=1e-6)
    tight = radius_distribution(0.9, 100_000, 0.5, 1e-3)
    assert loose.neglected <= 1e-6 and loose.count.size < tight.count.size
    total = float(np.sum(loose.probability)) + loose.abstain + loose.neglected
    assert total == pytest.approx(1.0, abs=1e-13)


DIST_CASES = [
    (0.9, 50, 0.5, 1e-3),
    (0.99, 200, 0.25, 1e-3),
    (0.6, 100, 1.0, 0.05),
    (0.75, 120, 0.3, 1e-2),
    (1.0, 30, 1.0, 1e-3),
    (0.5, 60, 1.0, 0.1),
    (0.97, 150, 0.12, 1e-6),
]


@pytest.mark.parametrize("case", DIST_CASES)
def test_radius_distribution_vs_twin_full_sum(case):
    p, n, sigma, alpha = case
    d = radius_distribution(*case)
    counts, radii, probs, abstain = ref.radius_distribution(*case)
    by_count = dict(zip(counts, zip(radii, probs, strict=True), strict=True))
    for k, r, q in zip(d.count.tolist(), d.radius, d.probability, strict=True):
        r_exact, q_exact = by_count[k]
        assert mpmath.mpf(r) <= r_exact, (case, k, r, r_exact)  # sound
        # 1e-12 relative; near R = 0 the Clopper-Pearson bound's own accuracy (1e-12
        # relative in p) sets an absolute floor of about 1e-12 sigma
        assert abs(mpmath.mpf(r) - r_exact) <= 1e-12 * (r_exact + sigma), (case, k)
        assert rel(q, q_exact) <= 1e-13, (case, k, q, q_exact)
    window = set(d.count.tolist())
    outside = mpmath.fsum(q for k, (_r, q) in by_count.items() if k not in window)
    assert outside <= d.neglected * (1 + 1e-9) + 1e-300
    assert d.abstain == pytest.approx(float(abstain), rel=1e-12, abs=1e-300)


@functools.cache
def _twin_expected_radius(case: tuple) -> mpmath.mpf:
    return ref.expected_radius(*case)


@pytest.mark.parametrize("case", DIST_CASES)
def test_expected_radius_sound_vs_twin(case):
    got = expected_radius(*case)
    exact = _twin_expected_radius(case)
    sigma = case[2]
    # every radius is sound, the probabilities accurate to a few eps
    assert mpmath.mpf(got) <= exact * (1 + 1e-14), (case, got, exact)
    assert abs(mpmath.mpf(got) - exact) <= 1e-13 * (exact + sigma), (case, got, exact)


@pytest.mark.parametrize(
    "case", [(0.99, 1000, 0.25, 1e-3), (0.7, 500, 0.5, 0.01), (0.95, 20_000, 1.0, 1e-5)]
)
def test_expected_radius_three_way(case):
    """Closed form vs Monte Carlo of CERTIFY vs a direct SciPy sum over all counts."""
    p, n, sigma, alpha = case
    closed = expected_radius(*case)
    ks = np.arange(n + 1)
    pmf = scipy.stats.binom.pmf(ks, n, p)
    direct = float(np.sum(pmf * _certify_radii(ks, n, sigma, alpha).radius))
    assert closed == pytest.approx(direct, rel=1e-12)
    rng = np.random.default_rng(1902 + n)
    trials = 20_000
    sample = _certify_radii(rng.binomial(n, p, size=trials), n, sigma, alpha).radius
    se = float(np.std(sample)) / math.sqrt(trials)
    assert abs(float(np.mean(sample)) - closed) <= 5 * se + 1e-12, (case, np.mean(sample), closed)


def test_expected_radius_edges_and_broadcast():
    assert expected_radius(0.0, 100, 1.0, 1e-3) == 0.0
    assert expected_radius(1.0, 100, 1.0, 1e-3) == max_radius(100, 1.0, 1e-3)
    assert expected_radius(1.0, 5, 1.0, 1e-3) == 0.0  # always abstains
    d = radius_distribution(0.9, 400, 0.5, 1e-3)
    assert expected_radius(0.9, 400, 0.5, 1e-3) == pytest.approx(
        float(np.dot(d.radius, d.probability)), rel=1e-14
    )
    out = expected_radius([[0.9], [0.99]], [100, 1000], 0.5, 1e-3)
    assert out.shape == (2, 2)
    assert out[1, 1] == expected_radius(0.99, 1000, 0.5, 1e-3)


# ---------------------------------------------------------------- abstain_probability

ABSTAIN_POINTS = [
    (0.6, 100, 1000, 1e-3),
    (0.55, 10, 200, 0.05),
    (0.5, 0, 10, 0.01),
    (0.9, 1, 50, 1e-3),
    (0.7, 7, 300, 0.01),
    (0.52, 100, 2000, 1e-3),
]


@pytest.mark.parametrize("point", ABSTAIN_POINTS)
def test_abstain_probability_vs_twin(point):
    got = abstain_probability(*point)
    exact = ref.abstain_probability(*point)
    assert rel(got, exact) <= 1e-12, (point, got, exact)


@pytest.mark.parametrize("point", [(0.6, 100, 1000, 1e-3), (0.55, 10, 200, 0.05)])
def test_abstain_probability_vs_monte_carlo_certify(point):
    p, n0, n, alpha = point
    rng = np.random.default_rng(2022 + n)
    trials = 20_000
    k0 = rng.binomial(n0, p, size=trials)
    k = rng.binomial(n, p, size=trials)
    sel = np.stack([k0, n0 - k0], axis=1)  # class 0 is the top class: ties select it
    est = np.stack([k, n - k], axis=1)
    rate = np.mean(certify(sel, est, 1.0, alpha).label == ABSTAIN)
    want = abstain_probability(*point)
    se = math.sqrt(want * (1 - want) / trials)
    assert abs(rate - want) <= 5 * se + 1e-9, (point, rate, want)


def test_abstain_probability_consistency():
    # n0 = 0: the top class is known, the abstention of radius_distribution
    for p, n, alpha in [(0.6, 1000, 1e-3), (0.99, 50, 0.01), (0.3, 200, 0.05)]:
        assert abstain_probability(p, 0, n, alpha) == radius_distribution(p, n, 1.0, alpha).abstain
    # two classes and an odd selection sample (no ties): symmetric in p
    assert abstain_probability(0.3, 21, 500, 1e-3) == pytest.approx(
        abstain_probability(0.7, 21, 500, 1e-3), rel=1e-12
    )
    out = abstain_probability([0.6, 0.9], [[0], [100]], 1000, 1e-3)
    assert out.shape == (2, 2)
    assert type(abstain_probability(0.6, 100, 1000, 1e-3)) is float


# ---------------------------------------------------------------- predict_min_n


def test_predict_min_n_examples():
    assert predict_min_n(0.001) == 11 == ref.predict_min_n(0.001)
    assert predict_min_n([0.05, 0.01]).tolist() == [6, 8]
    assert type(predict_min_n(0.001)) is int
    assert predict_min_n(np.array([[0.05], [0.01]])).shape == (2, 1)


def _predict_consistent(n: int, alpha: float) -> None:
    assert predict([n, 0], alpha) == 0, (n, alpha)
    assert predict([n - 1, 0], alpha) == ABSTAIN, (n, alpha)


@SETTINGS
@given(st.floats(-307.6, -0.0005).map(lambda e: 10.0**e))
def test_predict_min_n_vs_twin_and_predict(alpha):
    n = predict_min_n(alpha)
    exact = ref.predict_min_n(alpha)
    assert ref.binomial_test_pvalue(exact, 0) <= alpha < ref.binomial_test_pvalue(exact - 1, 0)
    # PREDICT's p-value carries an upward margin of 2**-45 relative: one more
    # vote only where alpha lies within it above 2**(1 - exact)
    assert n == exact or (n == exact + 1 and alpha <= 2.0 ** (1 - exact) * (1 + 1e-10))
    _predict_consistent(n, alpha)


@pytest.mark.parametrize("j", [1, 2, 10, 100, 1021])
def test_predict_min_n_at_powers_of_two(j):
    alpha = 2.0**-j
    assert ref.predict_min_n(alpha) == j + 1  # 2 * 2**-(j+1) = alpha: exact test rejects
    assert predict_min_n(alpha) == j + 2  # PREDICT's upward margin needs one more vote
    _predict_consistent(predict_min_n(alpha), alpha)


def test_predict_min_n_below_smallest_normal_raises():
    # PREDICT's p-value is at least 2.2e-308, so it always abstains below
    assert predict_min_n(2.2250738585072014e-308) == 1024
    with pytest.raises(ValueError, match="alpha"):
        predict_min_n(1e-310)


# ---------------------------------------------------------------- threshold_count


@settings(deadline=None, derandomize=True, max_examples=30)
@given(
    st.floats(0.0, 6.0).map(lambda e: int(10.0**e)),
    st.one_of(st.just(0.5), st.floats(0.5, 0.999999)),
    alphas,
    st.floats(0.0, 1.0),
)
def test_threshold_count_kernel_vs_twin(n, p_r, alpha, where):
    exact = ref.threshold_count(n, p_r, alpha)
    guess = float(math.floor(where * n))  # any starting point gives the same answer
    assert threshold_count_kernel(float(n), p_r, alpha, guess) == exact
    assert threshold_count_kernel(float(n), p_r, alpha, float(n)) == exact
    if exact <= n:
        assert binomial_tail_kernel(float(exact), float(n), p_r, True) <= alpha * (1 + 1e-12)


def test_threshold_at_exact_ties():
    """alpha = P[Bin(n, 1/2) >= k] exactly (a dyadic): the exact threshold is k.

    The twin decides the tie exactly; the kernel's threshold and CERTIFY's least
    accepted count (sound, toward abstaining) may need one more vote there, as
    certification_probability's Notes say.  radius_distribution and
    abstain_probability follow CERTIFY.
    """
    ties = 0
    for n in range(1, 21):
        counts = np.arange(n + 1)
        for k in range(1, n + 1):
            alpha = math.fsum(math.comb(n, j) for j in range(k, n + 1)) / 2.0**n
            if not 0.0 < alpha < 1.0:
                continue
            ties += 1
            assert ref.threshold_count(n, 0.5, alpha) == k
            assert threshold_count_kernel(float(n), 0.5, alpha, float(n)) in (k, k + 1)
            labels = _certify_radii(counts, n, 1.0, alpha).label
            k0 = int(np.flatnonzero(labels == 0)[0]) if (labels == 0).any() else n + 1
            assert k0 in (k, k + 1), (n, k, alpha, k0)
            d = radius_distribution(0.5, n, 1.0, alpha)
            assert d.abstain == pytest.approx(scipy.stats.binom.cdf(k0 - 1, n, 0.5), rel=1e-13)
            assert abstain_probability(0.5, 0, n, alpha) == d.abstain
    assert ties == 210


def test_radius_distribution_follows_certify_at_n1_alpha_half():
    assert certify([1, 0], [1, 0], 1.0, 0.5) == (0, 0.0)  # CERTIFY accepts one vote
    assert radius_distribution(0.5, 1, 1.0, 0.5).abstain == pytest.approx(0.5, rel=1e-14)
    assert abstain_probability(0.5, 0, 1, 0.5) == pytest.approx(0.5, rel=1e-14)


def test_twins_agree_with_the_reference_certify_and_bounds():
    """The planning twins against the older twins (CERTIFY, Clopper-Pearson), no kernel."""
    sigma, alpha = 0.5, 1e-2
    for n in (7, 20, 60):
        label, radius = ref.certify([0, 1], [0, n], sigma, alpha)
        assert label == 1 and rel(ref.max_radius(n, sigma, alpha), radius) <= 1e-40
    n, p = 20, 0.8
    counts, radii, probs, abstain = ref.radius_distribution(p, n, sigma, alpha)
    with mpmath.workdps(60):
        pmf = [
            mpmath.binomial(n, k) * mpmath.mpf(p) ** k * (1 - mpmath.mpf(p)) ** (n - k)
            for k in range(n + 1)
        ]
    total = mpmath.mpf(0)
    for k in range(n + 1):
        label, radius = ref.certify([0, 1], [n - k, k], sigma, alpha)
        if label == ABSTAIN:
            assert k not in counts
        else:
            i = counts.index(k)
            assert rel(radii[i], radius) <= 1e-40 and rel(probs[i], pmf[k]) <= 1e-40
            with mpmath.workdps(60):
                total += radius * pmf[k]
    assert rel(ref.expected_radius(p, n, sigma, alpha), total) <= 1e-40
    with mpmath.workdps(60):
        assert rel(abstain, mpmath.fsum(pmf[: counts[0]])) <= 1e-40
    assert ref.abstain_probability(p, 0, n, alpha) == abstain
    # the threshold is the least count whose Clopper-Pearson bound reaches p_r
    for p_r in (0.5, 0.7, 0.9):
        k_star = ref.threshold_count(n, p_r, alpha)
        ok = [k for k in range(n + 1) if ref.clopper_pearson_lower(k, n, alpha) >= p_r]
        assert k_star == (ok[0] if ok else n + 1)
        with mpmath.workdps(60):
            want = mpmath.fsum(pmf[k_star:])
        radius = float(sigma * scipy.special.ndtri(p_r))
        got = ref.certification_probability(p, n, sigma, alpha, radius)
        # p_r here is Phi(float radius / sigma), a hair from 0.7 and 0.9: same k*
        assert rel(got, want) <= 1e-40, (p_r, got, want)


# ---------------------------------------------------------------- kernels


@njit
def _user_code(n, sigma, alpha, p, radius, power, p_r):
    out = np.empty(13)
    out[0] = max_radius_kernel(n, sigma, alpha)
    out[1] = threshold_count_kernel(n, p_r, alpha, 1.0)
    out[2] = binomial_tail_kernel(out[1], n, p, True)
    out[3] = certification_probability_kernel(p, n, sigma, alpha, radius)
    out[4] = required_n_kernel(radius, sigma, alpha, p, power, False)
    out[5] = required_n_kernel(radius, sigma, alpha, p, power, True)
    counts, radii, probs, abstain, neglected = radius_distribution_kernel(p, n, sigma, alpha, 1e-16)
    out[6] = counts[0]
    out[7] = radii[-1]
    out[8] = abstain + neglected + probs.sum()
    out[9] = expected_radius_kernel(p, n, sigma, alpha, 1e-16)
    out[10] = abstain_probability_kernel(p, 100.0, n, alpha)
    out[11] = predict_min_n_kernel(alpha)
    out[12] = required_n_kernel(radius, sigma, alpha, 0.5, power, False)  # IMPOSSIBLE
    return out


@njit
def _user_arrays(n, sigma, alpha, p, radius, power):
    m = n.shape[0]
    ones = np.ones(m)
    out = np.empty((5, m))
    out[0] = max_radius_array(n, sigma * ones, alpha * ones)
    out[1] = certification_probability_array(p * ones, n, sigma * ones, alpha * ones, radius * ones)
    r, s, a = radius * ones, sigma * ones, alpha * ones
    out[2] = required_n_array(r, s, a, p * ones, power * ones, True)
    out[3] = expected_radius_array(p * ones, n, sigma * ones, alpha * ones, 1e-16)
    out[4] = abstain_probability_array(p * ones, 100.0 * ones, n, alpha * ones)
    return out


def test_kernels_inside_user_njit():
    n, sigma, alpha, p, radius, power = 1000.0, 0.5, 1e-3, 0.9, 0.4, 0.8
    p_r = float(scipy.special.ndtr(radius / sigma))
    got = _user_code(n, sigma, alpha, p, radius, power, p_r)
    d = radius_distribution(p, 1000, sigma, alpha)
    k_star = ref.threshold_count(1000, p_r, alpha)
    want = [
        max_radius(1000, sigma, alpha),
        k_star,
        certification_probability(p, 1000, sigma, alpha, radius),
        certification_probability(p, 1000, sigma, alpha, radius),
        required_n(radius, sigma, alpha, p, power),
        required_n(radius, sigma, alpha, p, power, stable=True),
        d.count[0],
        d.radius[-1],
        d.abstain + d.neglected + d.probability.sum(),
        expected_radius(p, 1000, sigma, alpha),
        abstain_probability(p, 100, 1000, alpha),
        predict_min_n(alpha),
        IMPOSSIBLE,
    ]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    assert required_n_kernel(10.0, 1.0, 1e-3, 1.0, 0.5, False) == UNREACHABLE
    # the array kernels too
    arrays = _user_arrays(np.array([100.0, 1000.0]), sigma, alpha, p, radius, power)
    np.testing.assert_array_equal(
        arrays,
        [
            max_radius([100, 1000], sigma, alpha),
            certification_probability(p, [100, 1000], sigma, alpha, radius),
            [required_n(radius, sigma, alpha, p, power, stable=True)] * 2,
            expected_radius(p, [100, 1000], sigma, alpha),
            abstain_probability(p, 100, [100, 1000], alpha),
        ],
    )


def _all_values() -> list[float]:
    d = radius_distribution(0.9, 60, 0.5, 1e-2)
    return [
        max_radius(1000, 0.25, 1e-3),
        max_radius(2**53, 1.0, 1e-300),
        certification_probability(0.9, 300, 0.5, 1e-3, 0.6),
        float(required_n(1.0, 0.25, 1e-3)),
        float(required_n(0.25, 0.5, 0.01, 0.8, 0.5)),
        float(required_n(0.25, 0.5, 0.01, 0.8, 0.5, stable=True)),
        *d.radius.tolist(),
        *d.probability.tolist(),
        d.abstain,
        expected_radius(0.9, 60, 0.5, 1e-2),
        abstain_probability(0.6, 20, 100, 0.01),
        float(predict_min_n(1e-3)),
    ]


def test_disable_jit_gives_same_results(values_without_jit):
    got = values_without_jit("_all_values()", "from tests.test_planning import _all_values\n")
    assert got == pytest.approx(_all_values(), rel=1e-15)


# ---------------------------------------------------------------- shapes and types


def test_broadcasting_shapes_and_scalar_types():
    assert type(max_radius(1000, 1.0, 1e-3)) is float
    assert type(max_radius(np.int64(1000), np.float64(1.0), np.float64(1e-3))) is float
    out = max_radius([[10], [1000]], [0.25, 1.0, 2.0], 1e-3)
    assert out.shape == (2, 3)
    assert out[1, 2] == max_radius(1000, 2.0, 1e-3)
    assert max_radius(np.array(1000), 1.0, 1e-3) == max_radius(1000, 1.0, 1e-3)

    assert type(certification_probability(0.9, 300, 0.5, 1e-3, 0.6)) is float
    cp = certification_probability([0.9, 0.99], [[300], [3000]], 0.5, 1e-3, 0.6)
    assert cp.shape == (2, 2)
    assert cp[1, 0] == certification_probability(0.9, 3000, 0.5, 1e-3, 0.6)

    rn = required_n([0.5, 1.0], 1.0, 1e-3, [[1.0], [0.99]], 0.5)
    assert rn.shape == (2, 2) and rn.dtype == np.int64
    assert rn[1, 1] == required_n(1.0, 1.0, 1e-3, 0.99, 0.5)
    assert type(required_n(0.5, 1.0, 1e-3, 0.9, 0.9)) is int

    pm = predict_min_n([[0.05, 0.01]])
    assert pm.shape == (1, 2) and pm.dtype == np.int64
    assert type(expected_radius(0.9, 100, 0.5, 1e-3)) is float
    assert type(abstain_probability(0.9, 10, 100, 1e-3)) is float
    d = radius_distribution(np.float64(0.9), np.int64(100), 0.5, 1e-3)
    assert isinstance(d.abstain, float) and isinstance(d.neglected, float)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: max_radius(0, 1.0, 1e-3), "n"),
        (lambda: max_radius(1.5, 1.0, 1e-3), "n"),
        (lambda: max_radius(2**53 + 2, 1.0, 1e-3), "n"),
        (lambda: max_radius(NAN, 1.0, 1e-3), "n"),
        (lambda: max_radius(10, 0.0, 1e-3), "sigma"),
        (lambda: max_radius(10, math.inf, 1e-3), "sigma"),
        (lambda: max_radius(10, 1.0, 1.0), "alpha"),
        (lambda: max_radius([1, 2], [1.0, 2.0, 3.0], 0.1), "sigma"),
        (lambda: required_n(0.5, 1.0, 1e-3, p=0.6), "p"),
        (lambda: required_n(0.5, 1.0, 1e-3, p=0.6), r"p=\S*0\.6\S* does not exceed Phi"),
        (lambda: required_n(0.0, 1.0, 1e-3, p=0.5), "p"),
        (lambda: required_n(10.0, 1.0, 1e-3), "radius"),
        (lambda: required_n(10.0, 1.0, 1e-3), r"2\*\*53"),
        (lambda: required_n(10.0, 1.0, 1e-3, p=0.9), "does not exceed"),
        (lambda: required_n(0.5, 1.0, 1e-3, 0.9, 1.0), "power"),
        (lambda: required_n(0.5, 1.0, 1e-3, 0.9, 0.0), "power"),
        (lambda: required_n(0.5, 1.0, 1e-3, 0.9, NAN), "power"),
        (lambda: required_n(-0.1, 1.0, 1e-3), "radius"),
        (lambda: required_n(math.inf, 1.0, 1e-3), "radius"),
        (lambda: required_n(NAN, 1.0, 1e-3), "radius"),
        (lambda: required_n(0.5, 0.0, 1e-3), "sigma"),
        (lambda: required_n(0.5, 1.0, 0.0), "alpha"),
        (lambda: required_n(0.5, 1.0, 1e-3, p=0.0), "p"),
        (lambda: required_n(0.5, 1.0, 1e-3, p=1.5), "p"),
        (lambda: certification_probability(1.1, 100, 1.0, 1e-3, 0.5), "p"),
        (lambda: certification_probability(0.9, 0, 1.0, 1e-3, 0.5), "n"),
        (lambda: certification_probability(0.9, 10.5, 1.0, 1e-3, 0.5), "n"),
        (lambda: certification_probability(0.9, 100, -1.0, 1e-3, 0.5), "sigma"),
        (lambda: certification_probability(0.9, 100, 1.0, NAN, 0.5), "alpha"),
        (lambda: certification_probability(0.9, 100, 1.0, 1e-3, -0.5), "radius"),
        (lambda: radius_distribution(-0.1, 100, 1.0, 1e-3), "p"),
        (lambda: radius_distribution(0.9, [10, 20], 1.0, 1e-3), "n"),
        (lambda: radius_distribution(0.9, 0, 1.0, 1e-3), "n"),
        (lambda: radius_distribution(0.9, 100, 0.0, 1e-3), "sigma"),
        (lambda: radius_distribution(0.9, 100, 1.0, 1.0), "alpha"),
        (lambda: radius_distribution(0.9, 100, 1.0, 1e-3, tol=0.0), "tol"),
        (lambda: radius_distribution(0.9, 100, 1.0, 1e-3, tol=0.01), "tol"),
        (lambda: expected_radius(0.9, 100, 1.0, 1e-3, tol=1.0), "tol"),
        (lambda: expected_radius(0.9, -3, 1.0, 1e-3), "n"),
        (lambda: abstain_probability(0.9, -1, 100, 1e-3), "n0"),
        (lambda: abstain_probability(0.9, 2.5, 100, 1e-3), "n0"),
        (lambda: abstain_probability(0.9, 10, 0, 1e-3), "n"),
        (lambda: abstain_probability(2.0, 10, 100, 1e-3), "p"),
        (lambda: abstain_probability(0.9, 10, 100, 0.0), "alpha"),
        (lambda: predict_min_n(0.0), "alpha"),
        (lambda: predict_min_n(1.0), "alpha"),
        (lambda: predict_min_n(NAN), "alpha"),
        (lambda: predict_min_n(1e-310), "alpha"),
        (lambda: ref.required_n(0.5, 1.0, 1e-3, p=0.6), "p"),
        (lambda: ref.required_n(0.5, 1.0, 1e-3, 0.9, 0.9, stable=True), "n_max"),
        (lambda: ref.required_n(0.5, 1.0, 1e-3, 0.9, 1.5), "power"),
        (lambda: ref.max_radius(0, 1.0, 1e-3), "n"),
        (lambda: ref.certification_probability(0.9, 10, 1.0, 1e-3, -1.0), "radius"),
        (lambda: ref.threshold_count(10, 1.5, 1e-3), "p_r"),
        (lambda: ref.abstain_probability(0.9, -1, 10, 1e-3), "n0"),
        (lambda: ref.predict_min_n(0.0), "alpha"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_cached_kernels_reload_without_crash(tmp_path):
    """Loading the planning kernels from Numba's cache must not crash.

    Numba segfaults when it loads, from its cache, a kernel that calls a
    ``parallel=True`` kernel (numba issue #8578); the parallel fill is
    therefore only called from Python.  Three processes share one cache: the
    first compiles, the others load.
    """
    code = (
        "from rstheory import expected_radius, radius_distribution\n"
        "from rstheory.planning import expected_radius_kernel\n"
        "d = radius_distribution(0.6, 100000, 0.25, 1e-3)\n"
        "print(repr(expected_radius(0.6, 100000, 0.25, 1e-3)), d.count.size,\n"
        "      repr(expected_radius_kernel(0.9, 100.0, 1.0, 1e-3, 1e-16)))\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    outs = []
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stderr[-2000:]
        outs.append(run.stdout)
    assert outs[0] == outs[1] == outs[2]
    assert int(outs[0].split()[1]) >= PARALLEL_MIN_WINDOW  # the parallel fill ran


@pytest.mark.parametrize(
    ("case", "want"),
    [
        ((0.0, 1.0, 3.880095674923118e-133, 0.7560874472068074, 0.9999999999999978), (3686, 3688)),
        (
            (
                1.5431161242939295,
                1.0,
                1.3858400360107354e-227,
                0.9474397234527152,
                0.9999999999999986,
            ),
            (1119028, 1119219),
        ),
        (
            (
                1.8742602197015552,
                1.0,
                1.3849767041950746e-134,
                0.987280486788156,
                0.9999999999999944,
            ),
            (72207, 72296),
        ),
    ],
)
def test_required_n_with_power_near_one(case, want):
    """Power within 1e-14 of 1: the complement of the probability is tracked.

    Found by a second review (the probability itself, a double near 1, has an
    absolute resolution of 1.1e-16); the answers were checked there by brute
    force on the complement ``binomial_tail_kernel(k*, n, p, False) <= 1 - power``.
    """
    radius, sigma, alpha, p, power = case
    first = required_n(radius, sigma, alpha, p, power)
    stable = required_n(radius, sigma, alpha, p, power, stable=True)
    assert (first, stable) == want
    for n in (first, stable):
        k = threshold_count_kernel(float(n), float(scipy.special.ndtr(radius / sigma)), alpha, n)
        assert binomial_tail_kernel(k, float(n), p, False) <= 1.0 - power
    k = threshold_count_kernel(
        float(first - 1), float(scipy.special.ndtr(radius / sigma)), alpha, 1
    )
    assert binomial_tail_kernel(k, float(first - 1), p, False) > 1.0 - power


def test_required_n_far_radius_is_quick_and_honest():
    # the smallest n for p_r near 1 is a bisection, not a walk (this hung before)
    assert required_n(7.698196542984746, 1.0, 1e-3, p=1 - 2**-53) > 10**15
    with pytest.raises(ValueError, match="sawtooth band"):
        required_n(7.698196542984746, 1.0, 1e-3, p=1 - 2**-53, stable=True)
    with pytest.raises(ValueError, match="p=0.9 does not exceed"):
        required_n(40.0, 1.0, 1e-3, p=0.9)
    with pytest.raises(ValueError, match="stable"):
        required_n(1.0, 1.0, 1e-3, p=0.99, stable="no")
