"""Tests of rstheory.levels: level-Pa adversarial thresholds and distances (Maho et al. 2022).

Agreement with the mpmath twins of :mod:`rstheory.reference` (stated
tolerances), soundness of the rounding (threshold up, distance bound down),
closed forms and identities, properties in ``n``, ``q`` and the tie rule, bad
input, shapes, kernels from a user's ``@njit`` code and under
``NUMBA_DISABLE_JIT=1``, and a seeded Monte Carlo check with a linear base
classifier whose smoothed probability is known in closed form.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from rstheory import reference as ref
from rstheory.levels import (
    TIES,
    TIES_LOSE,
    TIES_RANDOM,
    TIES_WIN,
    _root,
    level_distance_bound,
    level_distance_bound_array,
    level_distance_bound_kernel,
    level_threshold,
    level_threshold_array,
    level_threshold_kernel,
    majority_vote_probability,
    majority_vote_probability_array,
    majority_vote_probability_kernel,
    ties_code,
    vote_shape,
)
from rstheory.radius import OUTWARD_STEP

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)

EPS = 2.0**-52
#: relative accuracy promised for the threshold (n <= 1e9)
TIGHT = 1e-12
#: majority_vote_probability: relative error <= PROB_FACTOR * eps * (1 + kappa)
PROB_FACTOR = 4.0
RULES = ["lose", "win", "random"]
#: the tie rules from the hardest to the easiest for the attacker
ORDERED = ["lose", "random", "win"]
_DBL_MIN = 2.2250738585072014e-308


def _rel(x: float, exact) -> float:
    if exact == 0:
        return 0.0 if x == 0 else math.inf
    return abs(float((x - exact) / exact))


def _kappa(q: float, n: int, ties: str):
    """Condition number q * d/dq I_q(a, b) / I_q(a, b) of the vote probability (mpmath)."""
    a, b = ref.vote_shape(n, ties)
    with mpmath.workdps(40):
        x = mpmath.mpf(q)
        log_dens = (
            a * mpmath.log(x)
            + (b - 1) * mpmath.log1p(-x)
            - (mpmath.loggamma(a) + mpmath.loggamma(b) - mpmath.loggamma(a + b))
        )
        return float(mpmath.exp(log_dens - ref.log_betainc(a, b, q, dps=40)))


# ---------------------------------------------------------------- strategies


@st.composite
def votes(draw, max_log10_n: float = 4.0):
    """A number of votes, log-uniform, with the small ones over-represented."""
    if draw(st.booleans()):
        return draw(st.integers(1, 12))
    return max(1, int(10 ** draw(st.floats(0.0, max_log10_n))))


levels_pa = st.one_of(
    st.floats(1e-6, 1.0 - 1e-6),
    st.floats(-300.0, -1.0).map(lambda e: 10.0**e),
    st.floats(-16.0, -1.0).map(lambda e: 1.0 - 10.0**e),
    st.floats(-1e-6, 1e-6).map(lambda d: 0.5 + d),
    st.sampled_from([0.5, 0.9, 0.99, 0.999, 0.1, 1e-300, 1.0 - 2.0**-53, 2.0**-1074]),
)
rules = st.sampled_from(RULES)


@st.composite
def vote_q(draw, max_log10_n: float = 3.3):
    """(q, n, ties) with q spread over the whole distribution of the vote."""
    n = draw(votes(max_log10_n))
    ties = draw(rules)
    where = draw(st.sampled_from(["uniform", "centre", "low", "high", "edge"]))
    if where == "uniform":
        q = draw(st.floats(0.0, 1.0))
    elif where == "centre":
        q = 0.5 + draw(st.floats(-8.0, 8.0)) * 0.5 / math.sqrt(n)
    elif where == "low":
        q = 10.0 ** draw(st.floats(-300.0, -1.0))
    elif where == "high":
        q = 1.0 - 10.0 ** draw(st.floats(-16.0, -1.0))
    else:
        q = draw(st.sampled_from([0.0, 1.0, 0.5, 5e-324, 1.0 - 2.0**-53]))
    return min(max(q, 0.0), 1.0), n, ties


# ---------------------------------------------------------------- vote shape and ties


def test_vote_shape_table():
    assert vote_shape(1.0, TIES_LOSE) == (1.0, 1.0)
    assert vote_shape(7.0, TIES_WIN) == (4.0, 4.0)
    assert vote_shape(10.0, TIES_LOSE) == (6.0, 5.0)
    assert vote_shape(10.0, TIES_WIN) == (5.0, 6.0)
    assert vote_shape(10.0, TIES_RANDOM) == (5.0, 5.0)
    assert vote_shape(2.0**53, TIES_LOSE) == (2.0**52 + 1, 2.0**52)
    for n in range(1, 40):
        for rule in RULES:
            assert vote_shape(float(n), TIES[rule]) == ref.vote_shape(n, rule)
    assert ties_code("lose") == TIES_LOSE and ties_code("win") == TIES_WIN
    assert ties_code("random") == TIES_RANDOM


# ---------------------------------------------------------------- probability vs twins


@SETTINGS
@given(vote_q())
def test_probability_vs_twin(qnt):
    q, n, ties = qnt
    x = majority_vote_probability(q, n, ties)
    exact = ref.majority_vote_probability(q, n, ties)
    assert 0.0 <= x <= 1.0
    if exact == 0 or exact == 1:
        assert x == exact
        return
    if exact < 1e-290:  # near and below the underflow threshold: absolute accuracy
        assert abs(float(x - exact)) <= 1e-300
        return
    tol = PROB_FACTOR * EPS * (1.0 + _kappa(q, n, ties))
    assert _rel(x, exact) <= tol, (q, n, ties, x, exact, tol)


def test_probability_grid_accuracy():
    """A seeded grid, n from 1 to 1e9: the error bound in kappa, and 1e-13 where promised."""
    rng = np.random.default_rng(20220523)
    worst_ratio = 0.0
    worst_small_n = 0.0
    for n in [1, 2, 3, 4, 5, 8, 11, 20, 51, 100, 101, 1000, 1001, 10**4, 10**6, 10**9]:
        sd = 0.5 / math.sqrt(n)
        qs = np.concatenate(
            [
                0.5 + sd * rng.uniform(-30, 30, 8),
                10.0 ** rng.uniform(-250, -1, 3),
                1.0 - 10.0 ** rng.uniform(-16, -1, 3),
            ]
        )
        qs = np.clip(qs, 1e-300, 1.0 - 2.0**-53)
        for rule in RULES if n % 2 == 0 else ["lose"]:
            got = majority_vote_probability(qs, n, rule)
            for q, x in zip(qs, got, strict=True):
                exact = ref.majority_vote_probability(float(q), n, rule, dps=30)
                if exact < 1e-290:
                    continue
                err = _rel(float(x), exact)
                kappa = _kappa(float(q), n, rule)
                worst_ratio = max(worst_ratio, err / (EPS * (1.0 + kappa)))
                if n <= 100 or kappa <= 100.0:
                    worst_small_n = max(worst_small_n, err)
    assert worst_ratio <= PROB_FACTOR
    assert worst_small_n <= 1e-13


def test_twin_sum_and_beta_agree():
    """The twin's exact binomial sums (the tie rules by definition) against I_q(a, b)."""
    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 4, 5, 6, 9, 10, 31, 64, 150]:
        for q in [float(v) for v in rng.random(3)] + [1e-200, 0.5, 1.0 - 1e-12]:
            for rule in RULES:
                s = ref.majority_vote_probability(q, n, rule, method="sum")
                b = ref.majority_vote_probability(q, n, rule, method="beta")
                assert abs(s - b) <= mpmath.mpf(10) ** -45 * s, (q, n, rule)


def _binom_pmf(n: int, k: int, q: Fraction) -> Fraction:
    return math.comb(n, k) * q**k * (1 - q) ** (n - k)


def test_random_ties_equal_one_vote_fewer_exactly():
    """P[X_2m > m] + P[X_2m = m]/2 == P[X_(2m-1) >= m], in exact rational arithmetic."""
    rng = np.random.default_rng(11)
    qs = [Fraction(float(v)) for v in rng.random(12)] + [Fraction(1, 3), Fraction(1, 2)]
    for m in range(1, 16):
        for q in qs:
            coin = sum(_binom_pmf(2 * m, k, q) for k in range(m + 1, 2 * m + 1))
            coin += _binom_pmf(2 * m, m, q) / 2
            fewer = sum(_binom_pmf(2 * m - 1, k, q) for k in range(m, 2 * m))
            assert coin == fewer
    # and the kernel computes the (2m-1)-vote value for "random" (bit for bit)
    q = rng.random(200)
    for m in (1, 2, 5, 50):
        np.testing.assert_array_equal(
            majority_vote_probability(q, 2 * m, "random"), majority_vote_probability(q, 2 * m - 1)
        )


def test_probability_closed_forms_and_exact_values():
    q = np.linspace(0.0, 1.0, 101)
    np.testing.assert_array_equal(majority_vote_probability(q, 1), q)
    np.testing.assert_array_equal(majority_vote_probability(q, 2, "random"), q)
    np.testing.assert_allclose(majority_vote_probability(q, 2, "lose"), q**2, rtol=4 * EPS)
    np.testing.assert_allclose(
        majority_vote_probability(q, 2, "win"),
        q * (2 - q),
        rtol=4 * EPS,  # 1 - (1-q)^2
    )
    np.testing.assert_allclose(majority_vote_probability(q, 3), 3 * q**2 - 2 * q**3, rtol=1e-14)
    for n in (1, 3, 11, 1001, 10**9 + 1):
        assert majority_vote_probability(0.5, n) == 0.5
        assert majority_vote_probability(0.5, n + 1, "random") == 0.5
    for n in (1, 2, 7, 10**6):
        for rule in RULES:
            assert majority_vote_probability(0.0, n, rule) == 0.0
            assert majority_vote_probability(1.0, n, rule) == 1.0
    # even n at q = 1/2: lose = (1 - C(2m, m) / 4^m) / 2, win = 1 - lose
    for m in (1, 2, 5, 30):
        tie = math.comb(2 * m, m) / 4.0**m
        assert majority_vote_probability(0.5, 2 * m) == pytest.approx((1 - tie) / 2, rel=1e-14)
        assert majority_vote_probability(0.5, 2 * m, "win") == pytest.approx(
            (1 + tie) / 2, rel=1e-14
        )


def test_probability_monotone_in_q_and_ties_ordered():
    q = np.linspace(0.0, 1.0, 2001)
    for n in (1, 2, 3, 4, 10, 11, 100, 1001):
        for rule in RULES:
            p = majority_vote_probability(q, n, rule)
            assert np.all(np.diff(p) >= 0.0), (n, rule)
            # strictly where consecutive values are resolvable in double precision
            inner = (p[:-1] > 1e-290) & (p[1:] < 1.0 - 1e-12)
            assert inner.sum() >= 100
            assert np.all(np.diff(p)[inner] > 0.0), (n, rule)
    for n in (2, 4, 6, 10, 100, 1000):
        lose, rnd, win = (majority_vote_probability(q, n, r) for r in ORDERED)
        slack = 1e-13 * np.maximum(win, 1e-300)
        assert np.all(lose <= rnd + slack) and np.all(rnd <= win + slack), n
        inner = (lose > 1e-290) & (win < 1.0 - 1e-12)
        assert inner.sum() >= 100
        assert np.all(lose[inner] < rnd[inner]) and np.all(rnd[inner] < win[inner])
    # more voters amplify the majority (Condorcet): odd n, q > 1/2
    odd = [majority_vote_probability(0.55, n) for n in range(1, 400, 2)]
    assert all(a < b for a, b in zip(odd, odd[1:], strict=False))


# ---------------------------------------------------------------- threshold vs twin


@SETTINGS
@given(levels_pa, votes(5.0), rules)
def test_threshold_rounded_up_and_tight(pa, n, ties):
    x = level_threshold(pa, n, ties)
    exact = ref.level_threshold(pa, n, ties)
    assert 0.0 < x <= 1.0
    assert x >= exact, (pa, n, ties, x, exact)
    assert _rel(x, exact) <= TIGHT, (pa, n, ties, x, exact)


@SETTINGS
@given(levels_pa, votes(5.0), rules)
def test_q_root_rounded_toward_zero_and_tight(pa, n, ties):
    """The q* side used by the distance bound: never above exact, 1e-12 relative."""
    a, b = vote_shape(float(n), TIES[ties])
    q = _root(pa, a, b, False)
    q_exact, _pi0 = ref._level_roots(mpmath.mpf(pa), n, ties, 50)
    assert q <= q_exact, (pa, n, ties, q, q_exact)
    if q_exact > _DBL_MIN:
        assert _rel(q, q_exact) <= TIGHT, (pa, n, ties, q, q_exact)


def test_threshold_grid_accuracy():
    """Seeded grid with n up to 1e9: rounded up, and the measured error below 1e-12."""
    rng = np.random.default_rng(42)
    pas = np.concatenate(
        [rng.random(4), 10.0 ** rng.uniform(-300, -1, 2), 1 - 10.0 ** rng.uniform(-16, -1, 2)]
    )
    pas = np.concatenate([pas, [0.5, 0.5 + 1e-12, 0.9, 0.99]])
    worst = 0.0
    for n in [1, 2, 3, 4, 5, 6, 20, 101, 1000, 10**4, 10**6, 10**9]:
        for rule in RULES if n % 2 == 0 else ["lose"]:
            got = level_threshold(pas, n, rule)
            for pa, x in zip(pas, got, strict=True):
                exact = ref.level_threshold(float(pa), n, rule, dps=30)
                assert x >= exact, (pa, n, rule, x, exact)
                worst = max(worst, _rel(float(x), exact))
    assert worst <= TIGHT


def test_threshold_rounding_direction_in_exact_arithmetic():
    """At the returned pi0 the attack probability is <= pa; 1e-12 lower it is >= pa."""
    for pa in (0.1, 0.5, 0.7, 0.9, 0.99, 1e-20, 1 - 1e-10):
        for n in (1, 2, 3, 4, 7, 10, 51, 200):
            for rule in RULES:
                x = level_threshold(pa, n, rule)
                with mpmath.workdps(60):
                    q_at = 1 - mpmath.mpf(x)  # exact
                    q_below = 1 - mpmath.mpf(x) * (1 - mpmath.mpf(10) ** -12)
                p_at = ref.majority_vote_probability(q_at, n, rule, method="sum")
                p_below = ref.majority_vote_probability(q_below, n, rule, method="sum")
                assert p_at <= pa, (pa, n, rule, x)
                if x < 1.0:
                    assert p_below >= pa, (pa, n, rule, x)


def test_threshold_closed_forms():
    rng = np.random.default_rng(3)
    pas = np.concatenate([rng.random(300), 10.0 ** rng.uniform(-300, -1, 50), [0.5, 0.25]])
    pas = pas[(pas > 0) & (pas < 1)]
    one = level_threshold(pas, 1)
    for pa, x in zip(pas, one, strict=True):
        exact = 1 - Fraction(float(pa))
        # 1 - pa rounded up: the smallest double >= exact
        assert Fraction(float(x)) >= exact
        assert Fraction(math.nextafter(float(x), 0.0)) < exact
    np.testing.assert_array_equal(level_threshold(pas, 2, "random"), one)
    lose2 = level_threshold(pas, 2, "lose")
    win2 = level_threshold(pas, 2, "win")
    for pa, xl, xw in zip(pas, lose2, win2, strict=True):
        with mpmath.workdps(50):
            p = mpmath.mpf(float(pa))
            el = 1 - mpmath.sqrt(p)  # I_q(2, 1) = q^2
            ew = mpmath.sqrt(1 - p)  # I_q(1, 2) = 1 - (1 - q)^2
        assert xl >= el and _rel(float(xl), el) <= 8 * EPS
        assert xw >= ew and _rel(float(xw), ew) <= 8 * EPS


def test_twin_solver_matches_closed_forms():
    """The twin has no closed forms: its generic solver against them at 50 digits."""
    for pa in (1e-10, 0.2, 0.5, 0.75, 1 - 1e-9):
        with mpmath.workdps(60):
            p = mpmath.mpf(pa)
            cases = [(1, "lose", 1 - p), (2, "lose", 1 - mpmath.sqrt(p))]
            cases += [(2, "win", mpmath.sqrt(1 - p)), (2, "random", 1 - p)]
            # n = 3: I_q(2, 2) = 3q^2 - 2q^3 = pa; with q = 1/2 + t the depressed cubic
            # t^3 - 3t/4 + (pa - 1/2)/2 = 0, whose root in (-1/2, 1/2) is (Viete)
            # t = cos(acos(1 - 2 pa)/3 - 2 pi/3)
            q3 = mpmath.mpf(1) / 2 + mpmath.cos(mpmath.acos(1 - 2 * p) / 3 - 2 * mpmath.pi / 3)
            assert abs(3 * q3**2 - 2 * q3**3 - p) <= mpmath.mpf(10) ** -55
            cases.append((3, "lose", 1 - q3))
        for n, rule, want in cases:
            got = ref.level_threshold(pa, n, rule)
            assert abs(got - want) <= mpmath.mpf(10) ** -45 * want, (pa, n, rule)


# ---------------------------------------------------------------- threshold vs the paper


def test_odd_n_is_the_papers_formula():
    rng = np.random.default_rng(8)
    pas = np.concatenate([rng.uniform(0.01, 0.99, 20), [0.5, 0.9, 0.99, 0.999]])
    for n in (1, 3, 5, 11, 51, 101, 1001):
        nt = 1 + n // 2
        paper = 1.0 - scipy.special.betaincinv(nt, nt, pas)
        for rule in RULES:  # the tie rule does not matter for odd n
            np.testing.assert_allclose(level_threshold(pas, n, rule), paper, rtol=1e-9)


def test_even_n_paper_formula_is_the_next_odd_n_and_off():
    """The paper's (n~, n~) with n~ = 1 + n/2: lose < paper < win; random by the side of 1/2."""
    for pa in (0.05, 0.3, 0.5, 0.6, 0.9, 0.99):
        for n in (2, 4, 10, 50, 100, 1000):
            nt = 1 + n // 2
            paper_exact = 1.0 - scipy.special.betaincinv(nt, nt, pa)
            paper = level_threshold(pa, n + 1)
            assert paper == pytest.approx(paper_exact, rel=1e-9)
            lose, rnd, win = (level_threshold(pa, n, r) for r in ORDERED)
            assert lose < paper < win, (pa, n)
            if pa > 0.5:
                assert rnd < paper
            elif pa < 0.5:
                assert rnd > paper
            else:
                assert rnd == paper == 0.5
            # at the paper's threshold the attack under "lose" falls short of pa
            assert majority_vote_probability(1.0 - paper, n, "lose") < pa


# ---------------------------------------------------------------- threshold in n and ties


def test_threshold_monotone_in_n():
    odd = np.arange(1, 402, 2)
    for pa in (0.51, 0.6, 0.9, 0.99, 0.999):
        v = level_threshold(pa, odd)
        assert np.all(v < 0.5) and np.all(np.diff(v) > 0), pa
        v = level_threshold(pa, np.arange(2, 402, 2), "lose")  # even n, lose: also up
        assert np.all(v < 0.5) and np.all(np.diff(v) > 0), pa
    for pa in (0.001, 0.1, 0.4, 0.49):
        v = level_threshold(pa, odd)
        assert np.all(v > 0.5) and np.all(np.diff(v) < 0), pa
        v = level_threshold(pa, np.arange(2, 402, 2), "win")  # even n, win: also down
        assert np.all(v > 0.5) and np.all(np.diff(v) < 0), pa
    np.testing.assert_array_equal(level_threshold(0.5, odd), 0.5)
    allv = np.arange(1, 300)
    for pa in (0.2, 0.7, 0.95):
        v = level_threshold(pa, allv, "random")  # (2m) == (2m - 1)
        d = np.diff(v)
        assert np.all(d >= 0) if pa > 0.5 else np.all(d <= 0)
        np.testing.assert_array_equal(v[1::2], v[0::2][: len(v[1::2])])


def test_even_n_dips_under_lose_and_peaks_under_win():
    for pa in (0.01, 0.3, 0.5, 0.7, 0.99):
        for m in range(1, 60):
            below = level_threshold(pa, 2 * m - 1)
            above = level_threshold(pa, 2 * m + 1)
            assert level_threshold(pa, 2 * m, "lose") < min(below, above)
            assert level_threshold(pa, 2 * m, "win") > max(below, above)


def test_threshold_ties_ordered():
    pas = np.linspace(0.001, 0.999, 199)
    for n in (2, 4, 6, 10, 100, 1000, 10**5):
        lose, rnd, win = (level_threshold(pas, n, r) for r in ORDERED)
        assert np.all(lose < rnd) and np.all(rnd < win), n


def test_threshold_large_n_normal_approximation():
    for n in (10**6, 10**9 + 1, 2**53 - 1, 2**53):
        for pa in (0.1, 0.7, 0.99):
            for rule in RULES:
                x = level_threshold(pa, n, rule)
                approx = 0.5 - scipy.special.ndtri(pa) / (2 * math.sqrt(n))
                assert abs(x - approx) <= 2e-2 * abs(approx - 0.5) + 2e-15, (n, pa, rule)


# ---------------------------------------------------------------- distance bound


radii = st.one_of(
    st.floats(-5.0, 5.0),
    st.floats(-300.0, 300.0).map(lambda e: 10.0**e),
    st.sampled_from([0.0, -0.0, 5e-324, -1.0, 1e300, -1e300]),
)
sigmas = st.one_of(st.floats(-3.0, 3.0).map(lambda e: 10.0**e), st.sampled_from([0.12, 0.25]))


def _magnitude(radius: float, sigma: float, pa: float, n: int, ties: str) -> float:
    q, pi0 = ref._level_roots(mpmath.mpf(pa), n, ties, 30)
    z = ref.ndtri(q, dps=30) if q <= pi0 else -ref.ndtri(pi0, dps=30)
    return abs(radius) + sigma * (1.0 + abs(float(z)))


@SETTINGS
@given(radii, levels_pa, votes(5.0), sigmas, rules)
def test_distance_sound_and_tight(radius, pa, n, sigma, ties):
    x = level_distance_bound(radius, pa, n, sigma, ties)
    exact = ref.level_distance_bound(radius, pa, n, sigma, ties)
    assert not math.isnan(x)
    assert x <= exact, (radius, pa, n, sigma, ties, x, exact)
    if math.isinf(x) or math.isinf(exact):
        assert x == exact or x == -math.inf
        return
    mag = _magnitude(radius, sigma, pa, n, ties)
    assert abs(float(x - exact)) <= TIGHT * mag, (radius, pa, n, sigma, ties, x, exact)


def test_distance_many_points_zero_unsound():
    rng = np.random.default_rng(2022)
    unsound = []
    worst = 0.0
    for _ in range(150):
        n = int(rng.choice([1, 2, 3, 4, 5, 10, 11, 100, 101, 1000, 10**4, 10**6]))
        rule = RULES[int(rng.integers(3))]
        pa = float(rng.choice([rng.random(), 10.0 ** rng.uniform(-300, -1), 0.5, 0.99]))
        radius = float(rng.normal() * rng.choice([1e-3, 1.0, 1e3]))
        sigma = float(10.0 ** rng.uniform(-2, 1))
        x = level_distance_bound(radius, pa, n, sigma, rule)
        exact = ref.level_distance_bound(radius, pa, n, sigma, rule, dps=30)
        if not x <= exact:
            unsound.append((radius, pa, n, sigma, rule, x))
        worst = max(worst, abs(float(x - exact)) / _magnitude(radius, sigma, pa, n, rule))
    assert unsound == []
    assert worst <= TIGHT


def test_distance_formula_and_special_values():
    # eq. (6) with SciPy's ndtri
    for pa, n, rule in [(0.9, 11, "lose"), (0.99, 100, "win"), (0.2, 4, "random")]:
        pi0 = level_threshold(pa, n, rule)
        want = 0.7 + 0.25 * scipy.special.ndtri(1.0 - pi0)
        assert level_distance_bound(0.7, pa, n, 0.25, rule) == pytest.approx(want, rel=1e-12)
    # pa = 1/2 with a symmetric vote: the bound is the radius itself, exactly
    for n, rule in [(1, "lose"), (11, "win"), (10, "random"), (10**6 + 1, "lose")]:
        for r in (0.0, 0.37, -2.0, 5e-324):
            assert level_distance_bound(r, 0.5, n, 0.3, rule) == r
    assert level_distance_bound(math.inf, 0.9, 5, 0.5) == math.inf
    assert level_distance_bound(-math.inf, 0.9, 5, 0.5) == -math.inf
    # pa > 1/2 asks for more than the radius, pa < 1/2 for less
    assert level_distance_bound(1.0, 0.9, 11, 0.5) > 1.0
    assert level_distance_bound(1.0, 0.1, 11, 0.5) < 1.0


def test_distance_step_is_the_documented_one():
    """n = 1: q* = pa needs no solver, so the bound is exact minus at most 2 OUTWARD_STEP * M."""
    rng = np.random.default_rng(17)
    pas = np.concatenate([rng.random(60), 10.0 ** rng.uniform(-300, -1, 20), [0.5, 0.75]])
    for pa in pas:
        radius, sigma = float(rng.normal()), float(10.0 ** rng.uniform(-2, 1))
        x = level_distance_bound(radius, float(pa), 1, sigma)
        exact = ref.level_distance_bound(radius, float(pa), 1, sigma)
        z = abs(float(ref.ndtri(float(pa))))
        assert 0.0 <= float(exact - x) <= 2 * OUTWARD_STEP * (abs(radius) + sigma * z) + 1e-300


def test_distance_overflow_and_underflow_stay_sound():
    cases = [
        (-1e308, 0.999, 3, 1e308),
        (1.7e308, 0.999, 3, 1e308),
        (-1.7e308, 0.001, 3, 1e308),
        (1e308, 0.99, 1, 1.7e308),
        (0.0, 0.9, 7, 1e-320),
        (1e-320, 0.2, 7, 1e-318),
        (0.0, 1e-300, 2, 1.0),
        (0.0, 5e-324, 1, 1.0),
        (0.0, 5e-324, 3, 1.0),
        (0.0, 5e-324, 2, 1.0),
    ]
    for radius, pa, n, sigma in cases:
        x = level_distance_bound(radius, pa, n, sigma)
        exact = ref.level_distance_bound(radius, pa, n, sigma)
        assert not math.isnan(x) and x <= exact, (radius, pa, n, sigma, x, exact)
        if abs(exact) < 1e307 and abs(exact) > 1e-300 and pa > 1e-300:
            assert math.isfinite(x)


def test_distance_monotone():
    pas = np.linspace(0.01, 0.99, 99)
    for n, rule in [(1, "lose"), (4, "lose"), (4, "win"), (101, "random")]:
        d = level_distance_bound(0.3, pas, n, 0.5, rule)
        assert np.all(np.diff(d) > 0), (n, rule)  # a higher level needs a larger distance
    r = np.linspace(-2, 2, 101)
    assert np.all(np.diff(level_distance_bound(r, 0.9, 11, 0.5)) > 0)
    # the bound is radius + sigma * z: affine in sigma with slope z
    s = np.array([0.25, 0.5, 0.75])
    d = level_distance_bound(1.0, 0.99, 11, s)
    z = scipy.special.ndtri(1.0 - level_threshold(0.99, 11))
    np.testing.assert_allclose(np.diff(d), 0.25 * z, rtol=1e-12)


# ---------------------------------------------------------------- shapes and kernels


def test_returns_float_for_scalars_and_arrays_otherwise():
    assert type(majority_vote_probability(0.3, 5)) is float
    assert type(level_threshold(np.float64(0.9), np.int64(7))) is float
    assert type(level_distance_bound(0.5, 0.9, 7, np.float32(0.25))) is float
    out = level_threshold([[0.6], [0.9]], [1, 2, 3])
    assert isinstance(out, np.ndarray) and out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out[1], [level_threshold(0.9, n) for n in (1, 2, 3)])
    assert majority_vote_probability(np.array(0.3), 5) == majority_vote_probability(0.3, 5)
    assert majority_vote_probability([0.3], 5).shape == (1,)
    d = level_distance_bound(np.zeros((2, 1, 1)), [0.6, 0.9], [[3], [4], [5]], 0.5, "win")
    assert d.shape == (2, 3, 2)
    assert d[1, 2, 0] == level_distance_bound(0.0, 0.6, 5, 0.5, "win")


@njit
def _user_code(q, pa, n):
    total = 0.0
    for i in range(q.shape[0]):
        total += majority_vote_probability_kernel(q[i], n, TIES_LOSE)
        total += level_threshold_kernel(pa[i], n, TIES_WIN)
        total += level_distance_bound_kernel(0.5, pa[i], n, 0.25, TIES_RANDOM)
        a, b = vote_shape(n, TIES_LOSE)
        total += a - b
    return total


def test_kernels_inside_user_njit():
    q = np.array([0.2, 0.6, 0.99])
    pa = np.array([0.3, 0.9, 0.999])
    for n in (4, 7):
        expect = sum(
            majority_vote_probability(qq, n)
            + level_threshold(p, n, "win")
            + level_distance_bound(0.5, p, n, 0.25, "random")
            + (1.0 if n % 2 == 0 else 0.0)
            for qq, p in zip(q, pa, strict=True)
        )
        assert _user_code(q, pa, n) == pytest.approx(expect, rel=1e-15)
        assert _user_code(q, pa, float(n)) == pytest.approx(expect, rel=1e-15)


def test_array_kernels_match_wrappers():
    q = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    pa = np.array([1e-9, 0.1, 0.5, 0.9, 0.999])
    n = np.array([1.0, 2.0, 5.0, 10.0, 1000.0])
    r = np.array([-1.0, 0.0, 0.5, 2.0, math.inf])
    s = np.full(5, 0.5)
    for rule in RULES:
        code = ties_code(rule)
        np.testing.assert_array_equal(
            majority_vote_probability_array(q, n, code), majority_vote_probability(q, n, rule)
        )
        np.testing.assert_array_equal(
            level_threshold_array(pa, n, code), level_threshold(pa, n, rule)
        )
        np.testing.assert_array_equal(
            level_distance_bound_array(r, pa, n, s, code),
            level_distance_bound(r, pa, n, 0.5, rule),
        )


DISABLE_JIT_CASES = [(0.3, 1), (0.9, 2), (0.5, 3), (0.99, 4), (1e-12, 10), (0.75, 101)]


def _all_values(cases: list[tuple[float, int]]) -> list[float]:
    out: list[float] = []
    for p, n in cases:
        for rule in RULES:
            out += [
                majority_vote_probability(p, n, rule),
                level_threshold(p, n, rule),
                level_distance_bound(0.4, p, n, 0.3, rule),
            ]
    return out


def test_disable_jit_gives_same_results(values_without_jit):
    got = values_without_jit(
        "_all_values(CASES)",
        f"from tests.test_levels import _all_values\nCASES = {DISABLE_JIT_CASES!r}\n",
    )
    want = _all_values(DISABLE_JIT_CASES)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert not math.isnan(g)
        if math.isinf(w) or w == 0.0:
            assert g == w
        else:
            assert g == pytest.approx(w, rel=1e-14)


# ---------------------------------------------------------------- bad input


NAN = float("nan")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: majority_vote_probability(0.5, 3, "tie"), "ties"),
        (lambda: majority_vote_probability(0.5, 3, None), "ties"),
        (lambda: majority_vote_probability(0.5, 3, 0), "ties"),
        (lambda: majority_vote_probability(0.5, 3, "LOSE"), "ties"),
        (lambda: majority_vote_probability(-0.1, 3), "q"),
        (lambda: majority_vote_probability(1.1, 3), "q"),
        (lambda: majority_vote_probability(NAN, 3), "q"),
        (lambda: majority_vote_probability("x", 3), "q"),
        (lambda: majority_vote_probability(0.5, 0), "n"),
        (lambda: majority_vote_probability(0.5, 2.5), "n"),
        (lambda: majority_vote_probability(0.5, -3), "n"),
        (lambda: majority_vote_probability(0.5, NAN), "n"),
        (lambda: majority_vote_probability(0.5, math.inf), "n"),
        (lambda: majority_vote_probability(0.5, 2.0**54), "n"),
        (lambda: majority_vote_probability([0.1, 0.2], [1, 2, 3]), "q"),
        (lambda: level_threshold(0.0, 3), "pa"),
        (lambda: level_threshold(1.0, 3), "pa"),
        (lambda: level_threshold(-0.5, 3), "pa"),
        (lambda: level_threshold(NAN, 3), "pa"),
        (lambda: level_threshold([0.5, 1.0], 3), "pa"),
        (lambda: level_threshold(0.9, 0), "n"),
        (lambda: level_threshold(0.9, 1.5), "n"),
        (lambda: level_threshold(0.9, NAN), "n"),
        (lambda: level_threshold(0.9, 4, "coin"), "ties"),
        (lambda: level_distance_bound(NAN, 0.9, 3, 0.5), "radius"),
        (lambda: level_distance_bound("r", 0.9, 3, 0.5), "radius"),
        (lambda: level_distance_bound(0.5, 1.0, 3, 0.5), "pa"),
        (lambda: level_distance_bound(0.5, 0.9, 0, 0.5), "n"),
        (lambda: level_distance_bound(0.5, 0.9, 3.5, 0.5), "n"),
        (lambda: level_distance_bound(0.5, 0.9, 3, 0.0), "sigma"),
        (lambda: level_distance_bound(0.5, 0.9, 3, -1.0), "sigma"),
        (lambda: level_distance_bound(0.5, 0.9, 3, math.inf), "sigma"),
        (lambda: level_distance_bound(0.5, 0.9, 3, NAN), "sigma"),
        (lambda: level_distance_bound(0.5, 0.9, 3, 0.5, ties="never"), "ties"),
        (lambda: level_distance_bound([0.5, 1.0], 0.9, [1, 2, 3], 0.5), "radius"),
        (lambda: ties_code("draw"), "ties"),
        (lambda: ref.majority_vote_probability(0.5, 3, "tie"), "ties"),
        (lambda: ref.majority_vote_probability(1.5, 3), "q"),
        (lambda: ref.majority_vote_probability(0.5, 0), "n"),
        (lambda: ref.majority_vote_probability(0.5, 3, method="exact"), "method"),
        (lambda: ref.level_threshold(1.0, 3), "pa"),
        (lambda: ref.level_threshold(0.5, 2.5), "n"),
        (lambda: ref.level_distance_bound(NAN, 0.5, 3, 1.0), "radius"),
        (lambda: ref.level_distance_bound(0.0, 0.5, 3, 0.0), "sigma"),
        (lambda: ref.level_distance_bound(0.0, 0.0, 3, 1.0), "pa"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- Monte Carlo


def _adversarial_frequency(pi0: float, n: int, ties: str, trials: int, seed: int):
    """Empirical P[majority vote leaves the original class] with a linear base classifier.

    f(x) = 1[w.x > b] in dimension 20; the original class is 0 (w.x <= b).
    Under N(0, sigma^2 I) noise, pi0(x) = Phi((b - w.x) / (sigma |w|)), so the
    point x_a is placed at the margin sigma |w| Phi^-1(pi0) from the boundary.
    Returns (frequency of adversarial majority votes, frequency of single
    adversarial votes).
    """
    rng = np.random.default_rng(seed)
    d, sigma, b = 20, 0.5, 0.7
    w = rng.standard_normal(d)
    norm = float(np.linalg.norm(w))
    x0 = rng.standard_normal(d)
    margin = sigma * norm * float(scipy.special.ndtri(pi0))
    xa = x0 + ((b - margin - float(w @ x0)) / norm) * (w / norm)
    wins = 0
    single = 0
    done = 0
    while done < trials:
        chunk = min(10_000, trials - done)
        noisy = xa + sigma * rng.standard_normal((chunk, n, d))
        adv = noisy @ w > b  # votes for the other class
        k = adv.sum(axis=1)
        single += int(k.sum())
        if ties == "lose":
            won = 2 * k > n
        elif ties == "win":
            won = 2 * k >= n
        else:
            won = (2 * k > n) | ((2 * k == n) & (rng.random(chunk) < 0.5))
        wins += int(won.sum())
        done += chunk
    return wins / trials, single / (trials * n)


MC_CASES = [
    (0.5, 5, "lose"),
    (0.9, 7, "lose"),
    (0.99, 3, "lose"),
    (0.7, 4, "lose"),
    (0.7, 4, "win"),
    (0.7, 4, "random"),
    (0.2, 10, "lose"),
    (0.95, 2, "win"),
    (0.6, 1, "lose"),
]


@pytest.mark.parametrize(("pa", "n", "ties"), MC_CASES)
def test_monte_carlo_level_at_threshold(pa, n, ties):
    """At pi0 = level_threshold(pa, n), actual noisy majority votes are adversarial w.p. pa."""
    trials = 40_000
    pi0 = level_threshold(pa, n, ties)
    freq, single = _adversarial_frequency(pi0, n, ties, trials, seed=int(1000 * pa) + 7 * n)
    sd = math.sqrt(pa * (1 - pa) / trials)
    assert abs(freq - pa) <= 4.5 * sd, (pa, n, ties, freq)
    sd1 = math.sqrt(pi0 * (1 - pi0) / (trials * n))
    assert abs(single - (1 - pi0)) <= 4.5 * sd1


def test_monte_carlo_papers_even_n_threshold_falls_short():
    """n = 2 under "lose" at the paper's threshold (the 3-vote formula): pa is not reached."""
    pa, n, trials = 0.7, 2, 40_000
    paper = level_threshold(pa, n + 1)
    predicted = majority_vote_probability(1.0 - paper, n, "lose")
    freq, _single = _adversarial_frequency(paper, n, "lose", trials, seed=99)
    sd = math.sqrt(predicted * (1 - predicted) / trials)
    assert abs(freq - predicted) <= 4.5 * sd
    assert freq < pa - 20 * math.sqrt(pa * (1 - pa) / trials)
