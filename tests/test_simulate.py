"""Tests of rstheory.simulate: the practical smoothed classifier g_{sigma,n}.

Statistical tests run at fixed seeds.  Each binomial test below rejects at
level ``FALSE_ALARM`` (1e-4): with about 60 such tests in this file, a
correct implementation fails one with probability below 1% for a fresh
seed, and never at the fixed seeds used here (the tests are deterministic).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from rstheory.certify import ABSTAIN
from rstheory.classifiers import Ball, Linear, Paraboloid, Sectors
from rstheory.levels import TIES, level_distance_bound, majority_vote_probability
from rstheory.simulate import (
    SmoothedClassifier,
    _sign_moments,
    _vote_labels,
    binary_search,
    binary_search_spread,
    direction_scan,
    linear_normal_cosine,
    normal_estimate,
    normal_study,
    search_distribution,
    slice_2d,
)

FALSE_ALARM = 1e-4
SETTINGS = settings(deadline=None, derandomize=True, max_examples=40)


class DecideOnly:
    """A classifier of the bare protocol (dim, n_classes, decide): full-noise sampling."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.dim = inner.dim  # type: ignore[attr-defined]
        self.n_classes = inner.n_classes  # type: ignore[attr-defined]

    def decide(self, points: np.ndarray) -> np.ndarray:
        return self.inner.decide(points)  # type: ignore[attr-defined, no-any-return]


def binomial_ok(k: int, n: int, p: float) -> bool:
    """Two-sided exact binomial test of k successes in n at probability p."""
    return bool(scipy.stats.binomtest(int(k), int(n), float(p)).pvalue >= FALSE_ALARM)


def e(d: int, i: int = 0) -> np.ndarray:
    v = np.zeros(d)
    v[i] = 1.0
    return v


# --------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"sigma": 0.0}, "sigma"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": float("nan")}, "sigma"),
        ({"n": 0}, "n"),
        ({"n": 2.5}, "n"),
        ({"ties": "coin"}, "ties"),
        ({"rng": -3}, "rng"),
        ({"rng": "seed"}, "rng"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, name: str) -> None:
    args = {"base": Linear([1.0, 0.0]), "sigma": 0.5, "n": 10} | kwargs
    with pytest.raises(ValueError, match=name):
        SmoothedClassifier(**args)


def test_base_must_follow_the_protocol() -> None:
    with pytest.raises(ValueError, match="classifier"):
        SmoothedClassifier(object(), 0.5, 10)


def test_points_and_labels_are_validated() -> None:
    g = SmoothedClassifier(Linear([1.0, 0.0]), 0.5, 10, rng=0)
    with pytest.raises(ValueError, match="x must have shape"):
        g.vote_counts([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x"):
        g.vote_counts([np.nan, 0.0])
    with pytest.raises(ValueError, match="label"):
        g([0.0, 0.0], label=2)
    with pytest.raises(ValueError, match="label"):
        g([0.0, 0.0], label=0.5)
    with pytest.raises(ValueError, match="repeats"):
        g.adversarial_probability([0.0, 0.0], 0, 0)
    with pytest.raises(ValueError, match="alpha"):
        g.adversarial_probability([0.0, 0.0], 0, 10, alpha=1.5)
    with pytest.raises(ValueError, match="alpha"):
        g.predict([0.0, 0.0], alpha=0.0)


def test_exact_probabilities_need_an_analytic_base() -> None:
    g = SmoothedClassifier(Sectors(3), 0.5, 10, rng=0)
    assert not g.analytic
    with pytest.raises(ValueError, match="exact smoothed probabilities"):
        g.probability([0.0, 0.0])
    with pytest.raises(ValueError, match="exact smoothed probabilities"):
        search_distribution(g, [0.0, 0.0], [1.0, 0.0], 4)


# --------------------------------------------------------------------------- votes


@pytest.mark.parametrize("wrap", [False, True])
def test_vote_counts_shape_sum_and_counters(wrap: bool) -> None:
    base = Ball(np.zeros(5), 1.0)
    g = SmoothedClassifier(DecideOnly(base) if wrap else base, 0.3, 17, rng=1)
    counts = g.vote_counts(np.zeros((3, 4, 5)))
    assert counts.shape == (3, 4, 2)
    assert counts.dtype == np.int64
    assert (counts.sum(axis=-1) == 17).all()
    assert (g.queries, g.base_calls) == (12, 12 * 17)
    labels = g(np.zeros((2, 5)))
    assert labels.shape == (2,)
    assert isinstance(g(np.zeros(5)), int)
    assert (g.queries, g.base_calls) == (15, 15 * 17)


def test_same_seed_same_draws() -> None:
    def run() -> np.ndarray:
        g = SmoothedClassifier(Paraboloid([0.5, -0.2], inside_label=1), 0.4, 9, rng=7)
        return np.stack([g.vote_counts(np.full((4, 3), 0.1)) for _ in range(3)])

    assert (run() == run()).all()


@pytest.mark.parametrize(
    ("base", "x", "label"),
    [
        (Linear([1.0, -2.0, 0.5], 0.3), [0.1, 0.0, 0.2], 1),
        (Ball(np.zeros(6), 2.0), [0.4, 0.3, 0.0, 0.0, 0.0, 1.4], 0),
        (Ball(np.zeros(150528), 100.0), 24.0 * e(150528), 0),
        (Paraboloid([0.8, -0.3, 0.0], inside_label=1), [0.2, -0.1, 0.5, 0.1], 1),
    ],
)
@pytest.mark.parametrize(
    ("n", "ties"),
    [(1, "lose"), (11, "lose"), (10, "lose"), (10, "win"), (10, "random"), (50, "lose")],
)
def test_vote_frequencies_match_the_exact_majority_probability(
    base: object, x: list[float], label: int, n: int, ties: str
) -> None:
    """P[g_{sigma,n}(x) != y] = majority_vote_probability(1 - pi_y, n): binomial test."""
    sigma = 0.5 if base.dim < 100 else 0.25  # type: ignore[attr-defined]
    g = SmoothedClassifier(base, sigma, n, ties=ties, rng=11)
    r = g.adversarial_probability(x, label, 4000)
    pi = g.probability(x)
    assert r.pi == pytest.approx(pi[label], rel=1e-14)
    exact = majority_vote_probability(pi[1 - label], n, ties)
    assert r.exact == pytest.approx(exact, rel=1e-14)
    assert 1e-3 < exact < 1.0 - 1e-3  # an informative case
    assert binomial_ok(r.successes, 4000, exact)
    assert r.low <= r.estimate <= r.high


def test_full_noise_sampling_matches_the_exact_probability() -> None:
    """The generic path (decide on full noise vectors) draws the same law as the analytic one."""
    for base, x, label in [
        (Linear([1.0, 1.0], -0.2), [0.0, 0.1], 0),
        (Ball(np.zeros(4), 1.5), [0.9, 0.0, 0.0, 0.0], 0),
    ]:
        for n in (1, 10, 25):
            exact = (
                SmoothedClassifier(base, 0.5, n, ties="random")
                .adversarial_probability(x, label, 1)
                .exact
            )
            g = SmoothedClassifier(DecideOnly(base), 0.5, n, ties="random", rng=5)
            r = g.adversarial_probability(x, label, 3000)
            assert r.exact is None and r.pi is None
            assert binomial_ok(r.successes, 3000, exact)


def test_batched_adversarial_probability_matches_point_by_point_law() -> None:
    base = Linear([1.0, 0.0])
    g = SmoothedClassifier(base, 0.5, 7, rng=3)
    x = np.array([[t, 0.0] for t in (-0.3, -0.1, 0.0, 0.2)])
    r = g.adversarial_probability(x, [1, 1, 0, 0], 2000)
    assert r.estimate.shape == (4,)
    pi = base.probability(x, 0.5)
    for i, lab in enumerate([1, 1, 0, 0]):
        exact = majority_vote_probability(pi[i, 1 - lab], 7)
        assert r.exact[i] == pytest.approx(exact, rel=1e-14)
        assert binomial_ok(r.successes[i], 2000, exact)


def test_multiclass_vote_matches_monte_carlo_of_the_votes() -> None:
    """Sectors (3 classes): the vote frequencies follow the plurality of n multinomial draws."""
    base = Sectors(3)
    x = np.array([0.3, 0.05])
    pi = base.sample_counts(x, 0.5, 400_000, rng=0) / 400_000  # vote probabilities
    rng = np.random.default_rng(1)
    votes = rng.multinomial(5, pi, size=200_000)
    ref = _vote_labels(votes, np.zeros(len(votes), dtype=np.int64), TIES["lose"], rng)
    p_ref = float(np.mean(ref != 0))
    g = SmoothedClassifier(base, 0.5, 5, rng=2)
    r = g.adversarial_probability(x, 0, 4000)
    assert binomial_ok(r.successes, 4000, p_ref)


# --------------------------------------------------------------------------- ties


def test_tie_rules_relative_to_the_label() -> None:
    gen = np.random.default_rng(0)
    counts = np.array([[3, 3, 1], [3, 3, 1], [1, 4, 4], [5, 1, 1]])
    label = np.array([0, 1, 0, 1])
    lose = _vote_labels(counts, label, TIES["lose"], gen)
    assert lose[[0, 1, 3]].tolist() == [0, 1, 0]  # the label keeps a tie it is part of
    assert lose[2] in (1, 2)  # the label is not among the tied classes: random among them
    win = _vote_labels(counts, label, TIES["win"], gen)
    assert win[0] == 1 and win[1] == 0 and win[3] == 0
    draws = np.stack([_vote_labels(counts[:1].repeat(4000, 0), None, 0, gen)])
    share = float(np.mean(draws == 0))
    assert binomial_ok(round(share * 4000), 4000, 0.5)
    assert set(np.unique(draws)) == {0, 1}


@given(
    st.integers(1, 40),
    st.floats(0.05, 0.95),
    st.sampled_from(["lose", "win", "random"]),
)
@SETTINGS
def test_binary_tie_rule_is_levels_rule(n: int, q: float, ties: str) -> None:
    """Counting labels under each tie rule reproduces majority_vote_probability exactly."""
    k = np.arange(n + 1)
    counts = np.stack((n - k, k), axis=1)  # label 0 has n - k votes, the attacker k
    pmf = scipy.stats.binom.pmf(k, n, q)
    gen = np.random.default_rng(0)
    labels = np.stack(
        [_vote_labels(counts, np.zeros(n + 1, np.int64), TIES[ties], gen) for _ in range(400)]
    )
    tie = 2 * k == n
    # no tie: the same label every time; a tie: the rule's label (random: both, about evenly)
    assert (labels[:, ~tie] == labels[0, ~tie]).all()
    if ties == "random" and tie.any():
        share = float(np.mean(labels[:, tie]))
        assert binomial_ok(round(share * 400), 400, 0.5)
    lost = np.where(tie & (ties == "random"), 0.5, (labels[0] != 0).astype(float))
    assert float(pmf @ lost) == pytest.approx(majority_vote_probability(q, n, ties), abs=1e-12)


# --------------------------------------------------------------------------- predict


def test_predict_abstains_near_the_frontier_and_is_right_far_from_it() -> None:
    g = SmoothedClassifier(Linear([1.0, 0.0]), 0.5, 100, rng=4)
    far = g.predict(np.array([[3.0, 0.0], [-3.0, 0.0]]), alpha=0.001)
    assert far.tolist() == [1, 0]
    near = g.predict(np.zeros((200, 2)), alpha=0.001)
    assert (near == ABSTAIN).mean() > 0.99
    plain = g.predict(np.zeros((200, 2)))
    assert set(np.unique(plain)) == {0, 1}


def test_predict_errs_with_probability_at_most_alpha() -> None:
    """Cohen's Theorem 2: P[PREDICT returns a class other than g_sigma(x)] <= alpha."""
    base = Linear([1.0, 0.0])
    x = np.array([[0.2 * 0.5, 0.0]] * 20000)  # pi_1 = Phi(0.2) = 0.579
    g = SmoothedClassifier(base, 0.5, 100, rng=9)
    out = g.predict(x, alpha=0.05)
    wrong = int(np.count_nonzero(out == 0))
    # at most alpha: a one-sided binomial test of "rate <= 0.05"
    assert scipy.stats.binomtest(wrong, len(x), 0.05, alternative="greater").pvalue > FALSE_ALARM
    assert (out == 1).mean() > 0.2  # and it does predict


# --------------------------------------------------------------------------- geometry


@given(
    st.sampled_from(["linear", "ball", "paraboloid"]),
    st.integers(0, 10_000),
)
@SETTINGS
def test_affine_statistics_equal_direct_statistics(kind: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = 6
    if kind == "linear":
        base = Linear(rng.normal(size=d), rng.normal())
    elif kind == "ball":
        base = Ball(rng.normal(size=d), 2.0)
    else:
        frame = np.linalg.qr(rng.normal(size=(d, d)))[0]
        base = Paraboloid(rng.normal(size=d - 1) * [1, 0, 1, 1, 0], rng.normal(size=d), frame)
    origin = rng.normal(size=d)
    basis = rng.normal(size=(2, d))
    coords = rng.normal(size=(7, 2)) * 3
    direct = base._stats(origin + coords @ basis)
    via = base._affine_stats(origin, basis)(coords)
    scale = 1.0 + np.abs(direct).max()
    np.testing.assert_allclose(via, direct, atol=1e-12 * scale)
    inside = base.decide(origin + coords @ basis) == base.inside_label
    assert (base._stats_decide(direct) == inside).all()


def test_linear_smoothed_frontier_is_the_base_frontier() -> None:
    """g_sigma = f for a half-space: the two frontiers coincide along any ray."""
    rng = np.random.default_rng(2)
    d = 40
    base = Linear(rng.normal(size=d), 1.5, inside_label=0)
    x = np.zeros(d)  # margin +1.5: inside
    for sigma in (0.1, 1.0, 5.0):
        g = SmoothedClassifier(base, sigma, 11, rng=0)
        u = -base.w + rng.normal(size=d) * 0.3  # towards the frontier
        s = direction_scan(g, x, u, np.linspace(0.0, 3.0, 31), 20, pa=[0.5])
        assert s.base_frontier == pytest.approx(s.smoothed_frontier, rel=1e-9)
        cos = -float(base.w @ u / np.linalg.norm(base.w) / np.linalg.norm(u))
        assert s.base_frontier == pytest.approx(1.5 / base.norm / cos, rel=1e-9)
        # g_sigma's label is f's on both sides: pi_label > 1/2 exactly where f says label
        inside = s.distances < s.base_frontier
        assert ((s.pi > 0.5) == inside).all()


def test_direction_scan_on_a_ball_at_imagenet_size() -> None:
    d = 3 * 224 * 224
    base = Ball(np.zeros(d), 100.0)
    g = SmoothedClassifier(base, 0.25, 10, rng=0)
    t = np.linspace(0.0, 110.0, 45)
    s = direction_scan(g, np.zeros(d), e(d, 3), t, 300, pa=[0.5, 0.8])
    assert s.base_frontier == pytest.approx(100.0, rel=1e-12)
    # g_sigma's frontier: pi_0 = 1/2 there (exact probability at the returned distance)
    pi = base.probability(s.smoothed_frontier * e(d, 3), 0.25)
    assert pi[0] == pytest.approx(0.5, abs=1e-9)
    assert 20.0 < s.smoothed_frontier < 30.0  # far inside f's frontier (convex region)
    # the certified radius at x_o is the exact sigma * Phi^-1(pi_0(x_o)), rounded down
    # computed here from the small outside probability: -sigma * Phi^-1(pi_1(x_o))
    exact_radius = -0.25 * float(scipy.special.ndtri(base.probability(np.zeros(d), 0.25)[1]))
    assert s.radius <= exact_radius
    assert s.radius == pytest.approx(exact_radius, rel=1e-10)
    assert s.radius < s.smoothed_frontier
    np.testing.assert_allclose(
        s.level_bounds, level_distance_bound(s.radius, np.array([0.5, 0.8]), 10, 0.25)
    )
    # every estimate agrees with the exact curve (binomial test per distance)
    for k, p in zip(s.estimate * 300, s.exact, strict=True):
        assert binomial_ok(round(k), 300, float(np.clip(p, 1e-300, 1.0)))
    assert (s.low <= s.estimate).all() and (s.estimate <= s.high).all()


def test_direction_scan_on_a_monte_carlo_toy() -> None:
    base = Sectors(3)
    g = SmoothedClassifier(base, 0.25, 25, rng=0)
    x = np.array([np.cos(np.pi / 3), np.sin(np.pi / 3)])  # middle of sector 0 (0..120 deg)
    s = direction_scan(g, x, [0.0, 1.0], np.linspace(0, 2, 21), 50, certify_n=20_000)
    assert s.label == 0 and s.exact is None and s.pi is None and s.smoothed_frontier is None
    # f's frontier: the ray x + t e_1 leaves sector 0 where its angle reaches 120 degrees: never
    # (the angle tends to 90 deg); so along e_0 instead
    s2 = direction_scan(g, x, [-1.0, 0.0], np.linspace(0, 2, 21), 50, certify_n=20_000)
    frontier = x[0] - x[1] / np.tan(2 * np.pi / 3)  # x - t e_0 hits the 120-degree ray
    assert s2.base_frontier == pytest.approx(frontier, rel=1e-12)
    assert math.isinf(s.base_frontier)
    assert 0.0 < s.radius < 0.25 * 4.0  # CERTIFY at N = 20000, alpha = 1e-3
    assert s.estimate[0] < 0.1 and s2.estimate[-1] > 0.9


# --------------------------------------------------------------------------- binary search


def test_binary_search_against_a_deterministic_classifier_finds_the_frontier() -> None:
    base = Linear([1.0, 0.0], -1.0, inside_label=0)
    g = SmoothedClassifier(base, 1e-9, 1, rng=0)  # sigma tiny: g_{sigma,n} = f
    r = binary_search(g, [0.0, 0.0], [4.0, 0.0], steps=30)
    assert r.low * 4.0 <= 1.0 <= r.high * 4.0
    assert r.distance == pytest.approx(1.0, abs=4.0 * 2.0**-30 + 1e-8)
    assert (r.queries, r.base_calls, r.label) == (30, 30, 1)  # f(x_inside): x_0 < 1 is class 1
    np.testing.assert_allclose(r.point, [r.distance, 0.0])
    r3 = binary_search(g, [0.0, 0.0], [4.0, 0.0], steps=5, queries_per_step=3)
    assert r3.queries == 15


def test_binary_search_validates() -> None:
    g = SmoothedClassifier(Linear([1.0, 0.0]), 0.5, 3)
    with pytest.raises(ValueError, match="differ"):
        binary_search(g, [0.0, 0.0], [0.0, 0.0], 5)
    with pytest.raises(ValueError, match="steps"):
        binary_search(g, [0.0, 0.0], [1.0, 0.0], 0)
    with pytest.raises(ValueError, match="queries_per_step"):
        binary_search(g, [0.0, 0.0], [1.0, 0.0], 3, queries_per_step=0)
    with pytest.raises(ValueError, match="smoothed"):
        binary_search(Linear([1.0, 0.0]), [0.0, 0.0], [1.0, 0.0], 3)
    with pytest.raises(ValueError, match="steps"):
        search_distribution(g, [0.0, 0.0], [1.0, 0.0], 53)


@pytest.mark.parametrize("queries", [1, 3])
@pytest.mark.parametrize("n", [1, 10, 101])
def test_search_end_points_follow_the_exact_law(n: int, queries: int) -> None:
    """Empirical end points of binary_search_spread vs search_distribution: KS test."""
    d = 150528
    base = Ball(np.zeros(d), 100.0)
    g = SmoothedClassifier(base, 0.25, n, rng=n + queries)
    x_out = 40.0 * e(d)
    spread = binary_search_spread(g, np.zeros(d), x_out, 12, 1500, queries_per_step=queries)
    law = search_distribution(g, np.zeros(d), x_out, 12, queries_per_step=queries)
    assert law.probabilities.sum() + law.dropped == pytest.approx(1.0, abs=1e-12)
    assert law.dropped < 1e-10
    ecdf = np.searchsorted(np.sort(spread.distances), law.distances, side="right") / 1500
    ks = float(np.max(np.abs(ecdf - law.cdf(law.distances))))
    assert ks < 2.0 / math.sqrt(1500)  # the 1e-3 critical value of a discrete KS is below 1.95
    assert spread.queries == 12 * 1500 * queries and spread.base_calls == spread.queries * n
    assert spread.frontier == pytest.approx(
        direction_scan(g, np.zeros(d), e(d), [0.0, 40.0], 1).smoothed_frontier, rel=1e-12
    )


def test_search_spread_shrinks_like_one_over_sqrt_n() -> None:
    """A flat frontier: the end point's sd times sqrt(n) tends to a constant (exact law)."""
    base = Linear([1.0, 0.0], -1.0, inside_label=0)
    sds = {}
    for n in (101, 401, 1601):
        g = SmoothedClassifier(base, 0.5, n)
        law = search_distribution(g, [0.0, 0.0], [2.0, 0.0], 24)
        mean = law.mean()
        sds[n] = math.sqrt(float(law.probabilities @ (law.distances - mean) ** 2))
        assert mean == pytest.approx(1.0, abs=0.5 * sds[n])  # centred on the frontier
    assert sds[401] * 2 == pytest.approx(sds[101], rel=0.05)
    assert sds[1601] * 2 == pytest.approx(sds[401], rel=0.05)
    # the width of the random band sigma / (2 sqrt(n) phi(0)) sets the scale
    width = 0.5 / (2.0 * math.sqrt(1601) / math.sqrt(2.0 * math.pi))
    assert 0.3 * width < sds[1601] < 3.0 * width


def test_search_spread_concentrates_on_the_frontier_as_n_grows() -> None:
    d = 150528
    base = Ball(np.zeros(d), 100.0)
    iqr = []
    for n in (1, 10, 100, 1000):
        g = SmoothedClassifier(base, 0.25, n, rng=n)
        s = binary_search_spread(g, np.zeros(d), 40.0 * e(d), 16, 600)
        q1, med, q3 = np.quantile(s.distances, [0.25, 0.5, 0.75])
        iqr.append(q3 - q1)
        assert abs(med - s.frontier) < max(q3 - q1, 0.01)
    assert iqr[0] > iqr[1] > iqr[2] > iqr[3]
    assert iqr[3] < iqr[0] / 10.0  # sqrt(1000) ~ 32


# --------------------------------------------------------------------------- slices


def test_slice_of_the_base_and_of_the_exact_probability() -> None:
    d = 30
    base = Ball(np.full(d, 0.1), 3.0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=d) * 0.2
    u, v = rng.normal(size=d), rng.normal(size=d)
    s = slice_2d(base, x, u, v, (-4.0, 4.0, -3.0, 3.0), (9, 7))
    assert s.labels.shape == (7, 9) and s.n is None and s.probability is None
    assert s.u @ s.v == pytest.approx(0.0, abs=1e-14)
    assert np.linalg.norm(s.u) == pytest.approx(1.0) and np.linalg.norm(s.v) == pytest.approx(1.0)
    aa, bb = np.meshgrid(s.a, s.b)
    points = x + aa[..., None] * s.u + bb[..., None] * s.v
    assert (s.labels == base.decide(points)).all()
    g = SmoothedClassifier(base, 0.4, 15, rng=1)
    s2 = slice_2d(g, x, u, v, 4.0, 6, exact_resolution=5)
    assert s2.labels.shape == (6, 6) and s2.n == 15
    ea, eb = np.meshgrid(s2.exact_a, s2.exact_b)
    exact = base.probability(x + ea[..., None] * s2.u + eb[..., None] * s2.v, 0.4)
    np.testing.assert_allclose(s2.probability, exact, rtol=1e-12, atol=1e-300)


def test_slice_label_noise_shrinks_with_n() -> None:
    """Pixels where one draw of g_{sigma,n} disagrees with g_sigma: fewer as n grows."""
    d = 150528
    base = Ball(np.zeros(d), 100.0)
    wrong = []
    for n in (1, 10, 200):
        g = SmoothedClassifier(base, 0.25, n, rng=0)
        s = slice_2d(g, np.zeros(d), e(d, 0), e(d, 1), 40.0, 40, exact_resolution=40)
        ideal = np.argmax(s.probability, axis=-1)
        wrong.append(float(np.mean(s.labels != ideal)))
    assert wrong[0] > wrong[1] > wrong[2]
    assert wrong[2] < 0.02


def test_slice_validates() -> None:
    f = Sectors(3)
    with pytest.raises(ValueError, match="parallel"):
        slice_2d(f, [0, 0], [1, 0], [2, 0], 1.0, 4)
    with pytest.raises(ValueError, match="extent"):
        slice_2d(f, [0, 0], [1, 0], [0, 1], -1.0, 4)
    with pytest.raises(ValueError, match="extent"):
        slice_2d(f, [0, 0], [1, 0], [0, 1], (1.0, 0.0, 0.0, 1.0), 4)
    with pytest.raises(ValueError, match="resolution"):
        slice_2d(f, [0, 0], [1, 0], [0, 1], 1.0, 1)
    with pytest.raises(ValueError, match="u"):
        slice_2d(f, [0, 0], [0, 0], [0, 1], 1.0, 4)


# --------------------------------------------------------------------------- normal estimate


def test_sign_moments_closed_forms() -> None:
    for r in (0.1, 1.0, 3.0):
        m, c, _ = _sign_moments(1, r, TIES["lose"])
        assert m == pytest.approx(0.0, abs=1e-12)  # odd n: symmetric
        assert c == pytest.approx(math.sqrt(2 / math.pi) * r / math.sqrt(1 + r * r), rel=1e-10)
    _, c_inf, _ = _sign_moments(101, 1e4, TIES["lose"])
    assert c_inf == pytest.approx(math.sqrt(2 / math.pi), rel=1e-6)  # exact signs
    m_even, _, _ = _sign_moments(10, 1.0, TIES["lose"])
    assert m_even < 0.0  # ties lose: fewer adversarial answers on the frontier


@pytest.mark.parametrize(("n", "ratio"), [(1, 0.3), (1, 2.0), (11, 0.2), (50, 1.0), (10, 0.5)])
def test_normal_estimate_cosine_matches_the_flat_frontier_theory(n: int, ratio: float) -> None:
    d, queries, repeats = 30, 200, 60
    base = Linear(e(d, 2), inside_label=0)
    study = normal_study(base, np.zeros(d), 0.25, [n], [0.25 * ratio], queries, repeats, 0, rng=n)
    cos = study.cosines[0, 0]
    theory = linear_normal_cosine(n, ratio, d, queries)
    se = float(cos.std(ddof=1)) / math.sqrt(repeats)
    assert abs(float(cos.mean()) - theory) < 4.0 * se + 0.01


def test_normal_estimate_is_a_unit_vector_and_counts_queries() -> None:
    d = 12
    base = Ball(np.zeros(d), 2.0)
    g = SmoothedClassifier(base, 0.3, 21, rng=0)
    xb = 1.7 * e(d, 5)
    r = normal_estimate(g, xb, 0.5, 400)
    assert np.linalg.norm(r.direction) == pytest.approx(1.0, rel=1e-12)
    assert (r.queries, r.base_calls) == (400, 400 * 21)
    assert r.cosine == pytest.approx(float(r.direction @ e(d, 5)), rel=1e-12)  # radial normal
    assert r.cosine > 0.5
    assert 0.0 < r.adversarial_fraction < 1.0
    given_normal = normal_estimate(g, xb, 0.5, 50, normal=-e(d, 5))
    assert given_normal.cosine == pytest.approx(-float(given_normal.direction @ e(d, 5)))


def test_normal_estimate_without_known_normal() -> None:
    g = SmoothedClassifier(Sectors(3), 0.3, 5, rng=0)
    r = normal_estimate(g, [0.5, 0.0], 0.3, 50)
    assert r.cosine is None
    with pytest.raises(ValueError, match="normal"):
        normal_study(Sectors(3), [0.5, 0.0], 0.3, [5], [0.3], 20, 2)
    with pytest.raises(ValueError, match="delta"):
        normal_estimate(g, [0.5, 0.0], 0.0, 50)
    with pytest.raises(ValueError, match="queries"):
        normal_estimate(g, [0.5, 0.0], 0.3, 1)


def test_larger_probes_and_more_votes_estimate_the_normal_better() -> None:
    """Section 3.5: the cosine grows with delta / sigma, and with n at fixed delta."""
    d = 40
    base = Linear(e(d), inside_label=0)
    study = normal_study(base, np.zeros(d), 0.25, [1, 50], [0.025, 0.25, 1.0], 300, 30, 0, rng=3)
    mean = study.cosines.mean(axis=-1)
    assert (np.diff(mean, axis=1) > 0).all()
    assert (mean[1] > mean[0]).all()
    assert mean[0, 2] > 0.5  # delta = 4 sigma: well correlated even with n = 1


class OwnCounts(DecideOnly):
    """A base that draws its own votes (the hook the torch adapter uses)."""

    def __init__(self, inner: object, bad: bool = False) -> None:
        super().__init__(inner)
        self.bad = bad

    def vote_counts_batch(
        self, points: np.ndarray, sigma: float, n: int, draws: int, rng: np.random.Generator
    ) -> np.ndarray:
        if self.bad:
            return np.zeros((points.shape[0], draws))
        out = np.empty((points.shape[0], draws, self.n_classes), dtype=np.int64)
        for i, x in enumerate(points):
            for r in range(draws):
                out[i, r] = self.inner.sample_counts(x, sigma, n, rng)  # type: ignore[attr-defined]
        return out


def test_a_base_can_draw_its_own_votes() -> None:
    base = Linear([1.0, 0.5], 0.1)
    g = SmoothedClassifier(OwnCounts(base), 0.5, 9, ties="random", rng=8)
    r = g.adversarial_probability([0.1, -0.3], 1, 3000)
    exact = (
        SmoothedClassifier(base, 0.5, 9, ties="random")
        .adversarial_probability([0.1, -0.3], 1, 1)
        .exact
    )
    assert binomial_ok(r.successes, 3000, exact)
    assert (g.queries, g.base_calls) == (3000, 27000)
    with pytest.raises(ValueError, match="vote_counts_batch"):
        SmoothedClassifier(OwnCounts(base, bad=True), 0.5, 9).vote_counts([0.0, 0.0])


@pytest.mark.parametrize(
    ("n", "ratio", "dim", "queries", "ties"),
    [(1, 0.3, 30, 200, "lose"), (11, 0.2, 30, 200, "lose"), (10, 0.5, 50, 300, "lose"),
     (10, 0.5, 50, 300, "win"), (10, 2.0, 5, 50, "random"), (50, 1.0, 100, 1000, "lose")],
)  # fmt: skip
def test_linear_normal_cosine_matches_its_mpmath_twin(
    n: int, ratio: float, dim: int, queries: int, ties: str
) -> None:
    from rstheory import reference

    twin = float(reference.linear_normal_cosine(n, ratio, dim, queries, ties))
    assert linear_normal_cosine(n, ratio, dim, queries, ties) == pytest.approx(twin, rel=1e-12)
