"""Tests of rstheory.attacks: decision-based L2 attacks against g_{sigma,n}.

The attacked classifiers are analytic (``Linear``, ``Ball``), so the answer is
known: the minimal L2 distortion (the distance to the hyperplane, or to the
frontier of g_sigma along the best direction), and the exact
P[g_{sigma,n}(x) != y] at any point (``majority_vote_probability`` of the
exact pi).  Every run is seeded, so every test is deterministic.

* With ``sigma = 1e-6`` the vote has no doubt outside a band of that width:
  each attack must come within a stated factor of the optimum in a stated
  budget.  The factors include the final check, which may move the point
  outward by up to 5% (``check_growth``) when the search ends within the
  band.
* With real noise (``sigma = 0.25``, ``n`` in {1, 10, 100}) the attacks must
  terminate, count exactly (``base_calls == n * queries``,
  ``queries <= max_queries``), and every point reported as a success must
  have exact P[g != y] >= pa.  The Clopper-Pearson check makes a false
  success happen with probability at most ``alpha`` per run (0.01 here); at
  the fixed seeds below none happens, and the tolerance ``FALSE_SUCCESS``
  is zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.optimize
import scipy.special

from rstheory.attacks import AttackResult, LevelCheck, hsja, push_to_level, rays, surfree
from rstheory.bounds import clopper_pearson_lower
from rstheory.classifiers import Ball, Linear, Sectors
from rstheory.levels import level_threshold, majority_vote_probability
from rstheory.simulate import SmoothedClassifier

ATTACKS = {"hsja": hsja, "rays": rays, "surfree": surfree}
#: exact P[g != y] may fall this far below pa at a reported success (see the module notes)
FALSE_SUCCESS = 0.0
TINY = 1e-6


class Recorder:
    """The public API of a SmoothedClassifier only, recording every point queried."""

    def __init__(self, g: SmoothedClassifier) -> None:
        self._g = g
        self.calls = 0
        self.low = math.inf
        self.high = -math.inf

    @property
    def dim(self) -> int:
        return self._g.dim

    @property
    def n(self) -> int:
        return self._g.n

    @property
    def queries(self) -> int:
        return self._g.queries

    @property
    def base_calls(self) -> int:
        return self._g.base_calls

    def __call__(self, points: Any, label: Any = None) -> Any:
        arr = np.asarray(points, dtype=float)
        self.calls += 1
        self.low = min(self.low, float(arr.min()))
        self.high = max(self.high, float(arr.max()))
        return self._g(points, label=label)


def linear(d: int, seed: int, signs: bool = False) -> tuple[Linear, np.ndarray]:
    """A half-space at distance 1 from x_o = 0 (label 1 at x_o); w Gaussian or +-1."""
    w = np.random.default_rng(seed).standard_normal(d)
    if signs:
        w = np.sign(w)
    return Linear(w, np.linalg.norm(w)), np.zeros(d)


def ball(d: int, seed: int, radius: float, offset: float) -> tuple[Ball, np.ndarray, np.ndarray]:
    """Ball(0, radius) (label 0 inside); x_o at ``offset`` from the centre along a sign vector."""
    e = np.sign(np.random.default_rng(seed).standard_normal(d)) / math.sqrt(d)
    return Ball(np.zeros(d), radius), offset * e, e


def exact_adversarial(g: SmoothedClassifier, x: np.ndarray, label: int) -> float:
    """Exact P[g_{sigma,n}(x) != label] (binary analytic base)."""
    p = g.probability(x)
    return float(majority_vote_probability(p[1 - label], g.n, g.ties))


def best_sign_ratio(w: np.ndarray) -> float:
    """Distance along sign(w) over the distance to the hyperplane w.x + b = 0."""
    return float(math.sqrt(w.size) * np.linalg.norm(w) / np.abs(w).sum())


def check_accounting(r: AttackResult, g: Any, budget: int, q0: int = 0, b0: int = 0) -> None:
    assert isinstance(r, AttackResult)
    assert r.queries <= budget
    assert r.queries == g.queries - q0
    assert r.base_calls == g.base_calls - b0 == g.n * r.queries
    h = r.history
    assert h.ndim == 2 and h.shape[1] == 2
    if h.shape[0]:
        assert (np.diff(h[:, 0]) >= 0).all()
        assert (np.diff(h[:-1, 1]) < 0).all()  # improvements only, then the checked point
        assert h[-1, 0] == r.queries
        assert h[-1, 1] == pytest.approx(r.distortion)


# --------------------------------------------------------------------------- no noise


@pytest.mark.parametrize(
    ("d", "budget"),
    [(20, 3000), (100, 6000), (784, 20000)],
)
def test_hsja_linear_near_optimum(d: int, budget: int) -> None:
    # measured: 1.01 (d = 20), 1.03 (d = 100), 1.05 (d = 784)
    f, xo = linear(d, d)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = hsja(g, xo, 1, max_queries=budget, rng=2)
    check_accounting(r, g, budget)
    assert r.success and r.p_adv_lower >= 0.5
    assert 1.0 - 1e-5 <= r.distortion <= 1.1


@pytest.mark.parametrize(("d", "budget"), [(20, 2000), (100, 5000), (784, 20000)])
def test_rays_linear_best_sign_direction(d: int, budget: int) -> None:
    # RayS searches sign vectors: its optimum is the distance along sign(w),
    # sqrt(d) |w|_2 / |w|_1 (about 1.25) times the distance to the hyperplane
    f, xo = linear(d, d)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = rays(g, xo, 1, max_queries=budget, rng=2)
    check_accounting(r, g, budget)
    best = best_sign_ratio(f.w)
    assert r.success
    assert best * (1.0 - 1e-5) <= r.distortion <= 1.05 * best  # measured 1.000-1.013 x best
    # with w in {-1, 1}^d the best sign direction is the normal itself
    f, xo = linear(d, d, signs=True)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = rays(g, xo, 1, max_queries=budget, rng=2)
    assert r.success and 1.0 - 1e-5 <= r.distortion <= 1.05


@pytest.mark.parametrize(("d", "budget"), [(20, 2000), (100, 5000), (784, 20000)])
def test_surfree_linear_near_optimum(d: int, budget: int) -> None:
    # measured: 1.05 at d = 20 and 100 (the search converges onto the hyperplane,
    # and the check's first 5% step moves it out of the band), 1.02 at d = 784
    f, xo = linear(d, d)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = surfree(g, xo, 1, max_queries=budget, rng=2)
    check_accounting(r, g, budget)
    assert r.success
    assert 1.0 - 1e-5 <= r.distortion <= 1.1


@pytest.mark.parametrize(
    ("name", "budget", "factor"),
    [("hsja", 20000, 1.1), ("rays", 3000, 1.05), ("surfree", 10000, 1.1)],
)
def test_ball_near_optimum(name: str, budget: int, factor: float) -> None:
    # x_o inside Ball(0, 2) at distance 1 from the centre along a sign vector:
    # the closest point of the sphere is 1 away (g_sigma's frontier is within
    # d sigma^2 / 2R of it); a random direction meets the sphere ~1.7 away
    d = 100
    f, xo, _ = ball(d, 5, 2.0, 1.0)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = ATTACKS[name](g, xo, 0, max_queries=budget, rng=2)
    check_accounting(r, g, budget)
    assert r.success
    assert 1.0 - 1e-5 <= r.distortion <= factor


def test_history_tracks_progress() -> None:
    f, xo = linear(100, 3)
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = hsja(g, xo, 1, max_queries=6000, rng=2)
    h = r.history
    assert h.shape[0] > 10
    assert h[0, 1] > 2.0 * h[-2, 1]  # a random start, then real progress
    # the random search: rounds of 10 directions x 3 draws, the radius doubling from 0.01
    # until a random direction crosses the plane (|cos| ~ 0.1 at d = 100): ~11 rounds
    assert h[0, 0] % 30 == 0 and h[0, 0] <= 400


# --------------------------------------------------------------------------- with noise


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("n", [1, 10, 100])
@pytest.mark.parametrize("kind", ["linear", "ball"])
def test_noisy_success_is_level_pa(name: str, n: int, kind: str) -> None:
    d, budget, pa = 100, 3000, 0.5
    if kind == "linear":
        f, xo = linear(d, n)
        label = 1
    else:  # frontier of g_sigma ~4.33 from the centre, x_o 2.5 from it
        f, xo, _ = ball(d, n, 5.0, 2.5)
        label = 0
    g = SmoothedClassifier(f, 0.25, n, rng=n)
    r = ATTACKS[name](g, xo, label, max_queries=budget, pa=pa, rng=7)
    check_accounting(r, g, budget)
    assert np.isfinite(r.distortion) and r.distortion > 0.0
    exact = exact_adversarial(g, r.x_adv, label)
    if r.success:
        assert exact >= pa - FALSE_SUCCESS
        assert r.p_adv_lower <= exact  # the lower bound is below the truth
    if n == 100:  # a narrow band: the check passes (measured: every run)
        assert r.success
    if kind == "linear":  # no point with P >= pa is closer than the level-pa distance
        assert r.distortion >= linear_level_distance(g, pa) - 1e-9 or not r.success


def test_noisy_success_rate_and_soundness() -> None:
    # 12 runs of each attack at n = 10, pa = 0.8: every reported success is a
    # level-0.8 adversarial example (exact P), and most runs succeed
    d, budget, pa = 50, 2500, 0.8
    successes = 0
    for seed in range(4):
        f, xo = linear(d, 100 + seed)
        for attack in ATTACKS.values():
            g = SmoothedClassifier(f, 0.25, 10, rng=seed)
            r = attack(g, xo, 1, max_queries=budget, pa=pa, rng=seed)
            check_accounting(r, g, budget)
            if r.success:
                successes += 1
                assert exact_adversarial(g, r.x_adv, 1) >= pa - FALSE_SUCCESS
    assert successes >= 9


def test_search_repeats_majority() -> None:
    # strict majority of 5 draws per decision: 5x the queries per step, still sound
    f, xo = linear(50, 1)
    g = SmoothedClassifier(f, 0.25, 1, rng=3)
    r = rays(g, xo, 1, max_queries=4000, search_repeats=5, rng=4)
    check_accounting(r, g, 4000)
    if r.success:
        assert exact_adversarial(g, r.x_adv, 1) >= 0.5


# --------------------------------------------------------------------------- push_to_level


def linear_level_distance(g: SmoothedClassifier, pa: float) -> float:
    """Distance from x_o = 0 to the nearest point where exact P[g != 1] = pa (Linear, dist 1)."""

    def gap(r: float) -> float:  # at signed distance r - 1 past the hyperplane
        q = float(scipy.special.ndtr((r - 1.0) / g.sigma))
        return float(majority_vote_probability(q, g.n, g.ties)) - pa

    return float(scipy.optimize.brentq(gap, 0.0, 10.0, xtol=1e-13))


@pytest.mark.parametrize("n", [1, 11, 100])
@pytest.mark.parametrize("pa", [0.6, 0.8, 0.95])
def test_push_to_level_linear(n: int, pa: float) -> None:
    # from the hyperplane (P = 1/2) outward along the normal: the point returned
    # has exact P >= pa, and lies within 30% beyond the exact level-pa distance.
    # Measured over 40 seeds: at most 24% (n = 1), 10% (n = 11), 6% (n = 100)
    # beyond; the CP margin alone costs 6% at n = 1 (pa = 0.6 needs P ~ 0.69 to
    # pass with 200 draws)
    d = 30
    f, xo = linear(d, 2)
    unit = f.w / np.linalg.norm(f.w)
    g = SmoothedClassifier(f, 0.25, n, rng=n)
    level = linear_level_distance(g, pa)
    # cross-check with level_threshold: pi_y at the level distance is the threshold
    pi = float(scipy.special.ndtr(-(level - 1.0) / g.sigma))
    assert pi == pytest.approx(float(level_threshold(pa, n)), rel=1e-6, abs=1e-12)
    repeats = 400 if pa == 0.95 else 200
    r = push_to_level(g, xo, -unit, 1, pa, repeats=repeats)
    assert isinstance(r, LevelCheck)
    assert r.p_adv_lower >= pa
    dist = float(np.linalg.norm(r.x_adv - xo))
    assert exact_adversarial(g, r.x_adv, 1) >= pa
    assert level <= dist <= 1.3 * level
    # whole tests, or screens of a quarter of the draws that stopped early
    assert r.queries % (repeats // 4) == 0 and r.queries <= 60 * repeats


def test_push_to_level_soundness_rate() -> None:
    # 60 checks at alpha = 0.1 starting at the frontier (n = 1, pa = 0.7): the
    # returned point has exact P < pa in at most alpha of them (measured: 0)
    f, xo = linear(10, 0)
    unit = -f.w / np.linalg.norm(f.w)
    g = SmoothedClassifier(f, 0.25, 1, rng=5)
    bad = 0
    for _ in range(60):
        r = push_to_level(g, xo, unit, 1, 0.7, repeats=100, alpha=0.1)
        assert r.p_adv_lower >= 0.7
        bad += exact_adversarial(g, r.x_adv, 1) < 0.7
    assert bad <= 6


def test_push_to_level_passes_at_once_and_counts() -> None:
    f, xo = linear(10, 0)
    unit = -f.w / np.linalg.norm(f.w)
    g = SmoothedClassifier(f, TINY, 5, rng=0)
    r = push_to_level(g, xo, 1.5 * unit, 1, 0.5, repeats=50, alpha=0.01)
    assert r.queries == 50 and g.queries == 50 and g.base_calls == 250
    assert np.array_equal(r.x_adv, 1.5 * unit)  # certain: no move
    assert r.p_adv_lower == pytest.approx(float(clopper_pearson_lower(50, 50, 0.06 / np.pi**2)))


def test_push_to_level_budget_bounds_and_failure() -> None:
    f, xo = linear(10, 0)
    unit = -f.w / np.linalg.norm(f.w)
    g = SmoothedClassifier(f, TINY, 1, rng=0)
    # far inside: each test stops after its screen of 25 draws, the budget (room
    # for a whole test of 100 required) after five of them
    r = push_to_level(g, xo, 0.01 * unit, 1, 0.5, repeats=100, max_queries=220)
    assert r.queries == 125 and r.p_adv_lower < 0.5
    # with room, the doubling steps reach the frontier 100 times further out
    r = push_to_level(g, xo, 0.01 * unit, 1, 0.5, repeats=100, max_queries=2000)
    assert r.p_adv_lower >= 0.5 and 1.0 < np.linalg.norm(r.x_adv) < 2.0
    # no budget for a single test: x_adv back, untested
    r = push_to_level(g, xo, 0.5 * unit, 1, 0.5, repeats=100, max_queries=99)
    assert r.queries == 0 and r.p_adv_lower == 0.0 and np.array_equal(r.x_adv, 0.5 * unit)
    # a box that stops the ray before the frontier: it ends when the point stops moving
    xb = np.full(10, 0.5)
    fb = Linear(np.ones(10), -10.0)  # frontier sum(x) = 10: the corner x = 1, outside label 0
    gb = SmoothedClassifier(fb, TINY, 1, rng=0)
    r = push_to_level(gb, xb, xb + 0.1, 0, 0.5, repeats=50, bounds=(0.0, 1.0))
    assert (r.x_adv <= 1.0).all() and (r.x_adv >= 0.0).all()
    assert r.p_adv_lower < 0.5 and r.queries < 60 * 50
    # x_adv = x_o: that point alone is tested
    r = push_to_level(g, xo, xo, 1, 0.5, repeats=20)
    assert r.queries == 20 and r.p_adv_lower == 0.0


# --------------------------------------------------------------------------- bounds, start, budget


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_bounds_respected(name: str) -> None:
    # pixels in [0, 1], x_o = 0.5: the projection onto the hyperplane stays in the box
    d = 64
    f, _ = linear(d, 9)
    xo = np.full(d, 0.5)
    f = Linear(f.w, np.linalg.norm(f.w) - float(f.w @ xo))  # distance 1 from x_o
    rec = Recorder(SmoothedClassifier(f, TINY, 1, rng=1))
    r = ATTACKS[name](rec, xo, 1, max_queries=6000, bounds=(0.0, 1.0), rng=2)
    check_accounting(r, rec, 6000)
    assert rec.low >= 0.0 and rec.high <= 1.0
    assert (r.x_adv >= 0.0).all() and (r.x_adv <= 1.0).all()
    assert r.success
    best = best_sign_ratio(f.w) if name == "rays" else 1.0
    assert 1.0 - 1e-5 <= r.distortion <= 1.1 * best


def test_surfree_dct_directions() -> None:
    # an 8 x 8 image whose frontier's normal is a low-frequency pattern
    d = 64
    i, j = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    w = (np.cos(np.pi * (i + 0.5) / 8) + np.cos(np.pi * (j + 0.5) / 8)).ravel()
    xo = np.full(d, 0.5)
    f = Linear(w, np.linalg.norm(w) - float(w @ xo))
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    kw: dict[str, Any] = {"max_queries": 2000, "bounds": (0.0, 1.0), "rng": 3}
    r_dct = surfree(g, xo, 1, directions="dct", image_shape=(8, 8), **kw)
    r_gauss = surfree(SmoothedClassifier(f, TINY, 1, rng=1), xo, 1, **kw)
    assert r_dct.success and r_gauss.success
    assert r_dct.distortion <= 1.1 < r_gauss.distortion  # measured 1.05 vs 1.24
    r = surfree(SmoothedClassifier(f, TINY, 1, rng=1), xo, 1, directions="dct", **kw)
    assert r.success  # image_shape defaults to a square (8, 8)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_x_init_used(name: str) -> None:
    f, xo = linear(50, 4)
    unit = -f.w / np.linalg.norm(f.w)
    x_init = 3.0 * unit + np.random.default_rng(0).standard_normal(50) * 0.1
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = ATTACKS[name](g, xo, 1, max_queries=3000, x_init=x_init, init_repeats=3, rng=2)
    assert r.history[0, 0] == 3  # three draws judged x_init adversarial
    assert r.history[0, 1] == pytest.approx(np.linalg.norm(x_init))
    assert r.success
    # a useless x_init (not adversarial): the random search takes over
    g = SmoothedClassifier(f, TINY, 1, rng=1)
    r = ATTACKS[name](g, xo, 1, max_queries=3000, x_init=-x_init, rng=2)
    assert r.success and r.history[0, 0] > 3


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_budget_exhaustion_is_clean(name: str) -> None:
    f, xo = linear(100, 1)
    for budget in (1001, 1010, 1100, 1500):
        g = SmoothedClassifier(f, 0.25, 3, rng=0)
        r = ATTACKS[name](g, xo, 1, max_queries=budget, rng=0)
        check_accounting(r, g, budget)
    # queries already on the counter are not charged to the attack
    g = SmoothedClassifier(f, 0.25, 3, rng=0)
    g(np.zeros((7, 100)))
    r = ATTACKS[name](g, xo, 1, max_queries=1500, rng=0)
    check_accounting(r, g, 1500, q0=7, b0=21)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_nothing_adversarial(name: str) -> None:
    # the frontier lies outside the box: no start is found, the result says so
    f = Linear(np.ones(5), -100.0, inside_label=0)
    g = SmoothedClassifier(f, TINY, 1, rng=0)
    xo = np.full(5, 0.5)
    r = ATTACKS[name](g, xo, 1, max_queries=3000, bounds=(0.0, 1.0), rng=0)
    check_accounting(r, g, 3000)
    assert not r.success and r.distortion == math.inf and r.p_adv_lower == 0.0
    assert np.array_equal(r.x_adv, xo) and r.history.shape == (0, 2)
    assert r.queries == 60 * 10 * 3  # the whole random search


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_x_o_already_adversarial(name: str) -> None:
    # attacking a label that g does not give at x_o: the search shrinks onto x_o,
    # stops once a point within 1e-9 max(1, |x_o|) is judged adversarial, and the
    # check certifies that point (x_o itself, up to that)
    f, xo = linear(30, 0)
    g = SmoothedClassifier(f, 0.25, 10, rng=0)
    r = ATTACKS[name](g, xo, 0, max_queries=5000, rng=1)
    check_accounting(r, g, 5000)
    assert r.success and r.distortion <= 1e-9
    assert r.queries < 1500
    assert exact_adversarial(g, r.x_adv, 0) > 0.99


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_reproducible(name: str) -> None:
    f, xo = linear(40, 2)
    runs = [
        ATTACKS[name](SmoothedClassifier(f, 0.25, 10, rng=5), xo, 1, max_queries=2000, rng=6)
        for _ in range(2)
    ]
    assert np.array_equal(runs[0].x_adv, runs[1].x_adv)
    assert np.array_equal(runs[0].history, runs[1].history)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_generic_multiclass_base(name: str) -> None:
    # three sectors of the plane (full-noise sampling, no exact probabilities)
    f = Sectors(3)
    xo = np.array([1.0, 0.6])
    label = int(f.decide(xo[None, :])[0])
    g = SmoothedClassifier(f, 0.1, 5, rng=0)
    r = ATTACKS[name](g, xo, label, max_queries=2500, check_repeats=100, rng=1)
    check_accounting(r, g, 2500)
    assert r.success
    est = g.adversarial_probability(r.x_adv, label, 2000, alpha=1e-4)
    assert est.high >= 0.5


# --------------------------------------------------------------------------- errors


@pytest.fixture
def problem() -> tuple[SmoothedClassifier, np.ndarray]:
    f, xo = linear(5, 0)
    return SmoothedClassifier(f, 0.25, 1, rng=0), xo


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_queries": 0}, "max_queries"),
        ({"max_queries": 1000}, "max_queries"),  # not above the check's reserve
        ({"max_queries": 5000.0}, "max_queries"),
        ({"max_queries": True}, "max_queries"),
        ({"bounds": (1.0, 0.0)}, "bounds"),
        ({"bounds": (0.0, 0.0)}, "bounds"),
        ({"bounds": (0.0,)}, "bounds"),
        ({"bounds": (np.zeros(3), 1.0)}, "bounds"),
        ({"bounds": (float("nan"), 1.0)}, "bounds"),
        ({"bounds": (0.1, 1.0)}, "x_o"),  # x_o = 0 outside the box
        ({"pa": 0.0}, "pa"),
        ({"pa": 1.0}, "pa"),
        ({"pa": 1.5}, "pa"),
        ({"pa": float("nan")}, "pa"),
        ({"alpha": 0.0}, "alpha"),
        ({"check_repeats": 0}, "check_repeats"),
        ({"pa": 0.99, "check_repeats": 100}, "check_repeats"),  # can never certify 0.99
        ({"search_repeats": 0}, "search_repeats"),
        ({"init_repeats": 0}, "init_repeats"),
        ({"check_growth": 1.0}, "check_growth"),
        ({"check_steps": 0}, "check_steps"),
        ({"rng": -1}, "rng"),
        ({"x_init": np.zeros(4)}, "x_init"),
    ],
)
def test_bad_arguments(
    problem: tuple[SmoothedClassifier, np.ndarray], name: str, kwargs: dict[str, Any], match: str
) -> None:
    g, xo = problem
    args: dict[str, Any] = {"max_queries": 5000}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ATTACKS[name](g, xo, 1, **args)
    assert g.queries == 0


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_bad_input_and_label(problem: tuple[SmoothedClassifier, np.ndarray], name: str) -> None:
    g, xo = problem
    for bad in (np.zeros(4), np.zeros((1, 5)), [0.0, 0.0, 0.0, 0.0, float("inf")]):
        with pytest.raises(ValueError, match="x_o"):
            ATTACKS[name](g, bad, 1, max_queries=5000)
    for label in (2, -1, 1.0, True):
        with pytest.raises(ValueError, match="label"):
            ATTACKS[name](g, xo, label, max_queries=5000)
    with pytest.raises(ValueError, match="g must"):
        ATTACKS[name](object(), xo, 1, max_queries=5000)


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("hsja", {"grad_queries": 1}, "grad_queries"),
        ("hsja", {"step_search": 0}, "step_search"),
        ("hsja", {"delta": 0.0}, "delta"),
        ("hsja", {"gamma": -1.0}, "gamma"),
        ("rays", {"search_tol": 0.0}, "search_tol"),
        ("rays", {"batch": 0}, "batch"),
        ("surfree", {"theta_max": 90.0}, "theta_max"),
        ("surfree", {"rho": 1.0}, "rho"),
        ("surfree", {"evaluations": 0}, "evaluations"),
        ("surfree", {"directions": "fourier"}, "directions"),
        ("surfree", {"directions": "dct"}, "image_shape"),  # dim 5 is no square
        ("surfree", {"directions": "dct", "image_shape": (2, 3)}, "image_shape"),
        ("surfree", {"dct_fraction": 0.0}, "dct_fraction"),
        ("surfree", {"angle_tol": 1.0}, "angle_tol"),
    ],
)
def test_bad_attack_parameters(
    problem: tuple[SmoothedClassifier, np.ndarray], name: str, kwargs: dict[str, Any], match: str
) -> None:
    g, xo = problem
    with pytest.raises(ValueError, match=match):
        ATTACKS[name](g, xo, 1, max_queries=5000, **kwargs)


def test_push_to_level_bad_arguments(problem: tuple[SmoothedClassifier, np.ndarray]) -> None:
    g, xo = problem
    xa = np.ones(5)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"pa": 0.0}, "pa"),
        ({"pa": 1.0}, "pa"),
        ({"repeats": 0}, "repeats"),
        ({"pa": 0.99, "repeats": 50}, "repeats"),
        ({"alpha": 1.0}, "alpha"),
        ({"growth": 1.0}, "growth"),
        ({"growth": float("inf")}, "growth"),
        ({"max_steps": 0}, "max_steps"),
        ({"max_queries": -1}, "max_queries"),
        ({"bounds": (0.0, -1.0)}, "bounds"),
    ]
    for kwargs, match in cases:
        args: dict[str, Any] = {"pa": 0.5}
        args.update(kwargs)
        pa = args.pop("pa")
        with pytest.raises(ValueError, match=match):
            push_to_level(g, xo, xa, 1, pa, **args)
    with pytest.raises(ValueError, match="x_adv"):
        push_to_level(g, xo, np.ones(3), 1, 0.5)
    with pytest.raises(ValueError, match="x_o"):
        push_to_level(g, np.ones(3), xa, 1, 0.5)
    with pytest.raises(ValueError, match="label"):
        push_to_level(g, xo, xa, 3, 0.5)
    assert g.queries == 0
