"""Decision-based L2 attacks that survive a randomized classifier :math:`g_{\\sigma,n}`.

A decision-based attack sees only labels.  Against the practical smoothed
classifier :math:`g_{\\sigma,n}` (:class:`rstheory.simulate.SmoothedClassifier`)
every label is one random draw: near the frontier of :math:`g_\\sigma` the
same point is answered both ways (Maho, Furon & Le Merrer, ICASSP 2022).  The
usual implementations assume a deterministic model and fail on it: they
assert that the end of their own binary search is adversarial, or silently
return points that are not.  The attacks of this module

* never assume that a noisy answer is true: every decision is the strict
  majority of a stated number of fresh draws, and an attack keeps the point
  of smallest distortion that was *judged* adversarial;
* end with :func:`push_to_level`, which moves that point outward along its
  ray until a Clopper-Pearson lower bound on
  :math:`P[g_{\\sigma,n}(x) \\ne y]`, from fresh draws, reaches the level
  :math:`P_a` (a *level-*:math:`P_a` adversarial example, Maho et al. 2022,
  eq. 4): ``success`` is that check, never an assumption;
* count what they spend in draws of :math:`g_{\\sigma,n}` (``queries``, each
  costing ``n`` base-classifier calls), the final check included, and stop
  within ``max_queries``.

The attacks are :func:`hsja` (HopSkipJump, Chen, Jordan & Wainwright 2020),
:func:`rays` (RayS, Chen & Gu 2020, here for L2) and :func:`surfree`
(SurFree, Maho, Furon & Le Merrer 2021).  Each takes the attacked classifier
``g``, the input ``x_o`` and its label, and uses only ``g(points, label=y)``
(one fresh draw per point; many points per call, which matters for a torch
model), ``g.queries``, ``g.base_calls``, ``g.n`` and ``g.dim``.

Budget
------
``max_queries`` bounds the draws of :math:`g_{\\sigma,n}` of the whole
attack, final check included: ``check_repeats * check_steps`` draws are
reserved for the check, the search runs on the rest and stops cleanly when
its next query would not fit, and the check may also spend what the search
left.  So ``result.queries <= max_queries`` always, and
``result.base_calls == g.n * result.queries``.

Why the check is sound
----------------------
For two classes, :math:`P[g_{\\sigma,n}(x) \\ne y] \\ge P_a` exactly when
:math:`\\pi_y(x) \\le` :func:`rstheory.levels.level_threshold` ``(pa, n)``;
the attacker does not know :math:`\\pi_y`, so the check estimates the left
side directly: ``repeats`` fresh draws at a point give a binomial count of
non-``y`` labels, and its one-sided Clopper-Pearson lower bound is below the
true probability with probability at least :math:`1 - \\alpha_k`.  The
:math:`k`-th point tested by one call of :func:`push_to_level` uses
:math:`\\alpha_k = 6\\alpha/(\\pi^2 k^2)` (:math:`\\sum_k \\alpha_k \\le
\\alpha`), and the points tested depend only on earlier draws; so, whatever
the attack did before, the probability that :func:`push_to_level` reports a
point whose true :math:`P[g_{\\sigma,n} \\ne y]` is below ``pa`` is at most
``alpha`` (a test that stops early on its first quarter of draws only ever
fails, so that screen does not weaken the bound).

References
----------
J. Chen, M. I. Jordan and M. J. Wainwright, "HopSkipJumpAttack: a
query-efficient decision-based attack", IEEE S&P 2020, arXiv:1904.02144.
J. Chen and Q. Gu, "RayS: a ray searching method for hard-label adversarial
attack", KDD 2020, arXiv:2006.12792.
T. Maho, T. Furon and E. Le Merrer, "SurFree: a fast surrogate-free
black-box attack", CVPR 2021, arXiv:2011.12807.
T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under attack: how
good is it in practice?", ICASSP 2022.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.special

from rstheory._validate import FloatArray, as_finite, as_real, as_vector
from rstheory.bounds import clopper_pearson_lower, clopper_pearson_upper
from rstheory.classifiers import _as_int, _as_rng

__all__ = ["AttackResult", "LevelCheck", "hsja", "rays", "surfree", "push_to_level"]

BoolArray = npt.NDArray[np.bool_]

#: numbers (points x dimension) sent to the classifier in one call at most
_NUMBERS = 1 << 22
#: candidates per round of the random search for a starting point
_INIT_BATCH = 10
#: rounds of the random search (uniform draws, or doublings of the radius)
_INIT_ROUNDS = 60
#: the radius of the Gaussian random search starts at this fraction of max(1, ||x_o||)
_INIT_SCALE = 0.01
#: relative distortion (to max(1, ||x_o||)) below which a point judged adversarial ends the
#: search: x_o itself answers adversarial
_FLOOR = 1e-9
#: level of the screen of push_to_level: a test stops after a quarter of its draws if
#: their Clopper-Pearson upper bound at this level is below pa (it could only fail)
_SCREEN = 1e-3


# --------------------------------------------------------------------------- results


class AttackResult(NamedTuple):
    """Result of :func:`hsja`, :func:`rays` and :func:`surfree`."""

    #: the adversarial point reported, shape (dim,) (``x_o`` itself if none was found)
    x_adv: FloatArray
    #: its L2 distance to ``x_o`` (``inf`` if no adversarial point was found)
    distortion: float
    #: whether the final check passed: ``p_adv_lower >= pa``
    success: bool
    #: Clopper-Pearson lower bound on P[g(x_adv) != label] from the final check (0 if none)
    p_adv_lower: float
    #: draws of g_{sigma,n} used by the whole attack, final check included
    queries: int
    #: base-classifier calls they cost, ``n * queries``
    base_calls: int
    #: rows (queries so far, best distortion): one per improvement of the point judged
    #: adversarial, then a last row for the checked point
    history: FloatArray


class LevelCheck(NamedTuple):
    """Result of :func:`push_to_level`."""

    #: the last point tested (the first that passed, if one did), shape (dim,)
    x_adv: FloatArray
    #: its Clopper-Pearson lower bound on P[g(x_adv) != label] (0.0 if nothing was tested)
    p_adv_lower: float
    #: draws of g_{sigma,n} used
    queries: int


# --------------------------------------------------------------------------- validation


def _as_attacked(g: Any) -> Any:
    for attr in ("dim", "n", "queries", "base_calls"):
        if not hasattr(g, attr):
            raise ValueError(
                f"g must be a SmoothedClassifier (an object with dim, n, queries, base_calls "
                f"and a call g(points, label=y)), got {g!r}"
            )
    if not callable(g):
        raise ValueError(f"g must be callable as g(points, label=y), got {g!r}")
    return g


def _as_point(name: str, value: Any, dim: int) -> FloatArray:
    return as_vector(name, value, dim).copy()


def _as_label(value: Any, g: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"label must be an integer class label, got {value!r}")
    classes = getattr(g, "n_classes", None)
    if value < 0 or (classes is not None and value >= classes):
        top = "" if classes is None else f"..{classes - 1}"
        raise ValueError(f"label must be in 0{top}, got {value!r}")
    return int(value)


_Box = tuple[FloatArray, FloatArray] | None


def _as_box(bounds: Any, dim: int, x_o: FloatArray) -> _Box:
    """``bounds`` as two arrays of shape ``(dim,)`` with ``lo < hi``; ``x_o`` inside."""
    if bounds is None:
        return None
    if isinstance(bounds, np.ndarray) and bounds.ndim >= 1 and bounds.shape[0] == 2:
        pair = (bounds[0], bounds[1])
    elif isinstance(bounds, (tuple, list)) and len(bounds) == 2:
        pair = (bounds[0], bounds[1])
    else:
        raise ValueError(f"bounds must be None or a pair (lo, hi), got {bounds!r}")
    lo = as_finite("bounds", pair[0])
    hi = as_finite("bounds", pair[1])
    try:
        lo = np.ascontiguousarray(np.broadcast_to(lo, (dim,)), dtype=np.float64)
        hi = np.ascontiguousarray(np.broadcast_to(hi, (dim,)), dtype=np.float64)
    except ValueError as exc:
        raise ValueError(
            f"bounds must be scalars or arrays that broadcast to ({dim},), got {bounds!r}"
        ) from exc
    if not (lo < hi).all():
        raise ValueError(f"bounds must have lo < hi in every coordinate, got {bounds!r}")
    if ((x_o < lo) | (x_o > hi)).any():
        raise ValueError("x_o must lie within bounds (lo <= x_o <= hi)")
    return lo, hi


def _clip(x: FloatArray, box: _Box) -> FloatArray:
    if box is None:
        return x
    out: FloatArray = np.clip(x, box[0], box[1])
    return out


def _norm(v: FloatArray) -> float:
    # einsum, not BLAS (a threaded dot is erratic on a loaded machine; see classifiers.Linear)
    return float(np.sqrt(np.einsum("j,j->", v, v)))


def _row_norms(v: FloatArray) -> FloatArray:
    out: FloatArray = np.sqrt(np.einsum("ij,ij->i", v, v))
    return out


def _alpha_k(alpha: float, k: int) -> float:
    """Level of the ``k``-th test (``k >= 1``) of one check: they sum to at most ``alpha``."""
    return alpha * 6.0 / (math.pi**2 * k * k)


def _check_feasible(pa: float, repeats: int, alpha: float, name: str = "repeats") -> None:
    best = float(clopper_pearson_lower(repeats, repeats, _alpha_k(alpha, 1)))
    if best < pa:
        raise ValueError(
            f"{name}={repeats} draws can never certify pa={pa} at alpha={alpha} "
            f"(the Clopper-Pearson bound of {repeats}/{repeats} is {best:.4f}); use more"
        )


# --------------------------------------------------------------------------- queries


def _hits(g: Any, points: FloatArray, label: int, repeats: int) -> npt.NDArray[np.int64]:
    """Number of fresh draws (``repeats`` per row of ``points``) whose label is not ``label``.

    The repeated rows go to ``g`` in calls of at most ``_NUMBERS`` numbers,
    built one call at a time (a check of 200 draws at ``d = 150528`` would
    otherwise copy 240 MB).
    """
    m, dim = points.shape
    total = m * repeats
    size = max(1, _NUMBERS // max(dim, 1))
    missed = np.zeros(m, dtype=np.int64)
    for start in range(0, total, size):
        rows = np.arange(start, min(start + size, total)) // repeats
        part = points[rows] if repeats > 1 or rows.size != m else points
        labels = np.asarray(g(part, label=label)).reshape(-1)
        np.add.at(missed, rows, labels != label)
    return missed


class _Stop(Exception):
    """The search ends: see the subclasses and :meth:`_Run.offer`."""


class _Exhausted(_Stop):
    """The search's budget cannot pay for the next query."""


class _Run:
    """One attack: the queries against the budget, the best point judged adversarial."""

    def __init__(self, g: Any, x_o: FloatArray, label: int, box: _Box, limit: int) -> None:
        self.g = g
        self.x_o = x_o
        self.dim = x_o.size
        self.label = label
        self.box = box
        self.limit = limit
        self.q0 = int(g.queries)
        self.b0 = int(g.base_calls)
        self.best: FloatArray | None = None
        self.best_dist = math.inf
        self.history: list[tuple[int, float]] = []
        #: a point judged adversarial this close to x_o ends the search (x_o itself is)
        self.floor = _FLOOR * max(1.0, _norm(x_o))

    def used(self) -> int:
        return int(self.g.queries) - self.q0

    def left(self) -> int:
        return self.limit - self.used()

    def clip(self, x: FloatArray) -> FloatArray:
        return _clip(x, self.box)

    def judge(self, points: FloatArray, repeats: int) -> BoolArray:
        """Strict majority of ``repeats`` fresh draws at each row: adversarial or not."""
        if points.shape[0] * repeats > self.left():
            raise _Exhausted
        out: BoolArray = 2 * _hits(self.g, points, self.label, repeats) > repeats
        return out

    def offer(self, x: FloatArray) -> float:
        """Record ``x`` (judged adversarial) if it is the closest so far; its distortion.

        Raises :class:`_Stop` if ``x`` is within ``floor`` of ``x_o``: then
        ``x_o`` itself answers adversarial (``g`` is unsure of ``label``
        there) and there is nothing closer to search for.
        """
        dist = _norm(x - self.x_o)
        if dist < self.best_dist:
            self.best, self.best_dist = x.copy(), dist
            self.history.append((self.used(), dist))
        if dist <= self.floor:
            raise _Stop
        return dist

    def bisect(
        self, outside: FloatArray, repeats: int, tol: float, inside: FloatArray | None = None
    ) -> FloatArray:
        """Binary search on ``[inside, outside]`` (``inside`` = ``x_o`` by default).

        ``outside`` is a point judged adversarial.  Each step queries the
        midpoint ``repeats`` times and keeps the half whose ends were judged
        differently; stops when the bracket is below ``tol`` (a fraction of
        the segment).  Returns the adversarial end (each is offered).
        """
        start = self.x_o if inside is None else inside
        step = outside - start
        lo, hi = 0.0, 1.0
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            if not lo < mid < hi:
                break
            point = start + mid * step
            if self.judge(point[None, :], repeats)[0]:
                hi = mid
                self.offer(point)
            else:
                lo = mid
        out: FloatArray = start + hi * step if hi < 1.0 else outside
        return out


def _start(
    run: _Run, x_init: FloatArray | None, repeats: int, gen: np.random.Generator
) -> FloatArray | None:
    """A first point judged adversarial: ``x_init`` if it is, else a random search."""
    dim = run.dim
    if x_init is not None:
        x = run.clip(x_init)
        if _norm(x - run.x_o) > 0.0 and run.judge(x[None, :], repeats)[0]:
            run.offer(x)
            return x
    for k in range(_INIT_ROUNDS):
        if run.box is not None and k % 2 == 0:  # uniform noise in the box
            cand = gen.uniform(run.box[0], run.box[1], size=(_INIT_BATCH, dim))
        else:  # growing Gaussian perturbations (clipped: towards the box's corners)
            dirs = gen.standard_normal((_INIT_BATCH, dim))
            dirs /= _row_norms(dirs)[:, None]
            if run.box is None:
                radius = _INIT_SCALE * max(1.0, _norm(run.x_o)) * 2.0**k
            else:
                diagonal = _norm(run.box[1] - run.box[0])
                radius = diagonal * 2.0 ** (k // 2 - 4)
            cand = run.clip(run.x_o + radius * dirs)
        adv = run.judge(cand, repeats)
        if adv.any():
            good = cand[adv]
            x = good[int(np.argmin(_row_norms(good - run.x_o)))]
            run.offer(x)
            return np.ascontiguousarray(x)
    return None


# --------------------------------------------------------------------------- the final check


def push_to_level(
    g: Any,
    x_o: Any,
    x_adv: Any,
    label: Any,
    pa: Any,
    *,
    repeats: Any = 200,
    alpha: Any = 0.01,
    growth: Any = 1.05,
    max_steps: Any = 60,
    bounds: Any = None,
    max_queries: Any = None,
) -> LevelCheck:
    """Move ``x_adv`` outward until it is checked level-``pa`` adversarial.

    Tests the points :math:`x_k = \\mathrm{clip}(x_o + s_k (x_{\\text{adv}} -
    x_o))` on the ray, :math:`s_0 = 1 < s_1 < \\dots`, each with ``repeats``
    fresh draws of :math:`g_{\\sigma,n}`: with :math:`K_k` draws whose label
    is not ``label``, the one-sided Clopper-Pearson lower bound
    :math:`\\underline p_k = \\underline p(K_k, \\text{repeats},
    \\alpha_{k+1})` (:func:`rstheory.bounds.clopper_pearson_lower`) at level
    :math:`\\alpha_j = 6\\alpha/(\\pi^2 j^2)`.  It stops at the first
    :math:`x_k` with :math:`\\underline p_k \\ge P_a`, after ``max_steps``
    points, when the next test would exceed ``max_queries``, or when the
    bounds leave nothing new to test.

    The scales adapt to what the tests saw: :math:`s_1 = \\gamma`
    (``growth``); then a probit line fitted to the frequencies observed in
    ``(0, 1)`` aims at the frequency with which the next test passes (plus
    half a standard deviation), each step between half and twice the
    previous one (and at least :math:`(\\gamma - 1)/4`); without such a fit
    the step doubles while the frequency is below :math:`P_a`.  A test
    stops after a quarter of its draws (when ``repeats >= 40``) if their
    Clopper-Pearson upper bound at level 0.001 is below :math:`P_a`: it
    could only fail, and far from the frontier a step then costs a quarter
    of the draws.  Against a sharp frontier (small
    :math:`\\sigma/\\sqrt n`) one step of :math:`\\gamma` suffices; against
    a wide random band (``n = 1``) it reaches far in a few steps.  On a
    half-space, starting on the frontier, the point returned lies 2-6%
    (``n = 100``), 2-10% (``n = 11``) and 3-24% (``n = 1``) beyond the exact
    level-:math:`P_a` distance (40 runs each, :math:`P_a` in 0.6-0.95,
    ``repeats`` 200-400); the Clopper-Pearson margin alone accounts for
    about 6% at ``n = 1``.

    Since :math:`\\sum_j \\alpha_j \\le \\alpha` and each point depends only
    on earlier draws, the probability that the returned point passed while
    its true :math:`P[g_{\\sigma,n}(x) \\ne y]` is below :math:`P_a` is at
    most ``alpha``.  For two classes the passing points are those with
    :math:`\\pi_y(x) \\le` :func:`rstheory.levels.level_threshold`
    ``(pa, n)`` (with high probability): the level-:math:`P_a` adversarial
    examples of Maho et al. (2022, eq. 4).

    Parameters
    ----------
    g : SmoothedClassifier
        The attacked classifier (its generator and counters advance).
    x_o : array_like, shape (dim,)
        The original input.
    x_adv : array_like, shape (dim,)
        The candidate (if it is ``x_o``, that point alone is tested).
    label : int
        The label :math:`y` of ``x_o`` under attack.
    pa : float
        The level :math:`P_a`, in ``(0, 1)``.
    repeats : int, optional
        Draws per tested point (default 200); ``repeats`` draws that all
        leave ``label`` must be able to certify ``pa`` at level
        :math:`\\alpha_1` (else a ``ValueError``).
    alpha : float, optional
        Total error level of the check, in ``(0, 1)`` (default 0.01).
    growth : float, optional
        :math:`\\gamma`, the first outward step as a factor of the distance to
        ``x_o``, finite and > 1 (default 1.05).
    max_steps : int, optional
        Points tested at most, ``>= 1`` (default 60).
    bounds : (lo, hi), optional
        Box that every point is clipped to (scalars or arrays of shape
        ``(dim,)``); ``None`` (default) for none.
    max_queries : int, optional
        Draws allowed to this call (default: no limit); a test that would
        exceed it is not made.

    Returns
    -------
    LevelCheck
        The last point tested (the first that passed, if one did; ``x_adv``
        clipped if none could be tested), its lower bound (0.0 if none was
        tested) and the draws used.  It passed iff ``p_adv_lower >= pa``.

    Raises
    ------
    ValueError
        On a bad argument (named in the message).

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier
    >>> from rstheory.attacks import push_to_level
    >>> f = Linear([1.0, 0.0], -1.0)  # label 0 at x_o = 0, label 1 beyond x_0 = 1
    >>> g = SmoothedClassifier(f, sigma=0.25, n=1, rng=0)
    >>> r = push_to_level(g, [0.0, 0.0], [1.0, 0.0], 0, pa=0.7)
    >>> bool(r.p_adv_lower >= 0.7), round(float(r.x_adv[0]), 4), r.queries
    (True, 1.2669, 650)
    >>> pi = g.probability(r.x_adv)[0]  # exact pi_0: below level_threshold(0.7, 1) = 0.3
    >>> round(float(pi), 4), round(1.0 - float(pi), 4)  # P[g != 0] = 1 - pi_0 for n = 1
    (0.1428, 0.8572)
    """
    g = _as_attacked(g)
    xo = _as_point("x_o", x_o, g.dim)
    xa = _as_point("x_adv", x_adv, g.dim)
    lab = _as_label(label, g)
    level = as_real("pa", pa, 0.0, 1.0)
    reps = _as_int("repeats", repeats, 1)
    a = as_real("alpha", alpha, 0.0, 1.0)
    grow = as_real("growth", growth, 1.0)
    steps = _as_int("max_steps", max_steps, 1)
    box = _as_box(bounds, g.dim, xo)
    budget = None if max_queries is None else _as_int("max_queries", max_queries, 0)
    _check_feasible(level, reps, a)
    return _push(g, xo, xa, lab, level, reps, a, grow, steps, box, budget)


def _next_step(
    scales: list[float],
    freqs: list[float],
    draws: list[int],
    delta: float,
    pa: float,
    repeats: int,
    alpha: float,
    growth: float,
) -> float:
    """The next outward step of :func:`push_to_level` (in units of ``||x_adv - x_o||``).

    First ``growth - 1``.  Then, if at least two tested points have a
    frequency in ``(0, 1)``, a probit line :math:`\\Phi^{-1}(\\hat p) = a + b s`
    fitted to them by weighted least squares (weights the inverse variances
    :math:`m\\,\\varphi(q)^2/(\\hat p(1 - \\hat p))`, :math:`m` the draws),
    if :math:`b > 0`, gives the scale aimed at: the smallest frequency with
    which the next test passes, plus half its standard deviation.  The step
    is kept between the larger of ``(growth - 1)/4`` and half the previous
    step, and twice the previous one; without a fit it is twice the
    previous step while the frequency is below ``pa``, else the same.
    """
    first = growth - 1.0
    if len(scales) == 1:
        return first
    last = freqs[-1]
    most = 2.0 * delta
    least = max(0.25 * first, 0.5 * delta)
    p = np.asarray(freqs)
    s = np.asarray(scales)
    m = np.asarray(draws, dtype=np.float64)
    inner = (p > 0.0) & (p < 1.0)
    if np.count_nonzero(inner) >= 2 and np.ptp(s[inner]) > 0.0:
        p, s, m = p[inner], s[inner], m[inner]
        q = scipy.special.ndtri(p)
        w = m * np.exp(-q * q) / (p * (1.0 - p))  # ~ m phi(q)^2 / (p(1-p)): the probits' precision
        sm = float(w @ s / w.sum())
        qm = float(w @ q / w.sum())
        slope = float(w @ ((s - sm) * (q - qm))) / float(w @ ((s - sm) ** 2))
        if slope > 0.0:
            counts = np.arange(repeats + 1, dtype=np.float64)
            passing = np.asarray(clopper_pearson_lower(counts, repeats, alpha)) >= pa
            need = float(np.argmax(passing)) / repeats  # the smallest frequency that passes
            floor = 0.5 / repeats
            target = min(1.0 - floor, need + 0.5 * math.sqrt(need * (1.0 - need) / repeats))
            aim = sm + (float(scipy.special.ndtri(target)) - qm) / slope
            return min(max(aim - scales[-1], least), most)
    return most if last < pa else delta


def _push(
    g: Any,
    xo: FloatArray,
    xa: FloatArray,
    label: int,
    pa: float,
    repeats: int,
    alpha: float,
    growth: float,
    steps: int,
    box: _Box,
    budget: int | None,
) -> LevelCheck:
    q0 = int(g.queries)
    step = xa - xo  # zero if x_adv is x_o: then that point alone is tested
    last: FloatArray | None = None
    low = 0.0
    scale, delta = 1.0, 0.0
    scales: list[float] = []
    freqs: list[float] = []
    weights: list[int] = []
    for k in range(steps):
        if budget is not None and int(g.queries) - q0 + repeats > budget:
            break
        x = _clip(xo + scale * step, box)
        if last is not None and np.array_equal(x, last):
            break  # the bounds leave nothing new along this ray
        screen = repeats // 4 if repeats >= 40 else repeats
        hits = int(_hits(g, x[None, :], label, screen)[0])
        drawn = screen
        if drawn < repeats and float(clopper_pearson_upper(hits, drawn, _SCREEN)) >= pa:
            hits += int(_hits(g, x[None, :], label, repeats - drawn)[0])
            drawn = repeats
        low = float(clopper_pearson_lower(hits, drawn, _alpha_k(alpha, k + 1)))
        last = x
        if low >= pa:
            break
        scales.append(scale)
        freqs.append(hits / drawn)
        weights.append(drawn)
        delta = _next_step(
            scales, freqs, weights, delta, pa, repeats, _alpha_k(alpha, k + 2), growth
        )
        scale += delta
    return LevelCheck(
        x_adv=_clip(xa, box) if last is None else last,
        p_adv_lower=low if last is not None else 0.0,
        queries=int(g.queries) - q0,
    )


# --------------------------------------------------------------------------- shared driver


class _Common(NamedTuple):
    g: Any
    x_o: FloatArray
    label: int
    box: _Box
    x_init: FloatArray | None
    search_repeats: int
    init_repeats: int
    pa: float
    check_repeats: int
    check_growth: float
    alpha: float
    max_queries: int
    reserve: int
    gen: np.random.Generator


def _common(
    g: Any,
    x_o: Any,
    label: Any,
    max_queries: Any,
    bounds: Any,
    x_init: Any,
    search_repeats: Any,
    init_repeats: Any,
    pa: Any,
    check_repeats: Any,
    check_steps: Any,
    check_growth: Any,
    alpha: Any,
    rng: Any,
) -> _Common:
    g = _as_attacked(g)
    xo = _as_point("x_o", x_o, g.dim)
    lab = _as_label(label, g)
    box = _as_box(bounds, g.dim, xo)
    xi = None if x_init is None else _as_point("x_init", x_init, g.dim)
    sr = _as_int("search_repeats", search_repeats, 1)
    ir = _as_int("init_repeats", init_repeats, 1)
    level = as_real("pa", pa, 0.0, 1.0)
    cr = _as_int("check_repeats", check_repeats, 1)
    cs = _as_int("check_steps", check_steps, 1)
    grow = as_real("check_growth", check_growth, 1.0)
    a = as_real("alpha", alpha, 0.0, 1.0)
    _check_feasible(level, cr, a, "check_repeats")
    reserve = cr * cs
    mq = _as_int("max_queries", max_queries, 1)
    if mq <= reserve:
        raise ValueError(
            f"max_queries must exceed the final check's reserve check_repeats * check_steps "
            f"= {reserve}, got {max_queries!r}"
        )
    return _Common(g, xo, lab, box, xi, sr, ir, level, cr, grow, a, mq, reserve, _as_rng(rng))


_Search = Callable[[_Run, FloatArray, _Common], None]


def _drive(c: _Common, search: _Search) -> AttackResult:
    """Start, run ``search`` until the budget is spent, then check the best point."""
    run = _Run(c.g, c.x_o, c.label, c.box, c.max_queries - c.reserve)
    try:
        x0 = _start(run, c.x_init, c.init_repeats, c.gen)
        if x0 is not None:
            search(run, x0, c)
    except _Stop:
        pass
    history = list(run.history)
    if run.best is None:
        return AttackResult(
            x_adv=c.x_o.copy(),
            distortion=math.inf,
            success=False,
            p_adv_lower=0.0,
            queries=run.used(),
            base_calls=int(c.g.base_calls) - run.b0,
            history=np.asarray(history, dtype=np.float64).reshape(-1, 2),
        )
    check = _push(
        c.g,
        c.x_o,
        run.best,
        c.label,
        c.pa,
        c.check_repeats,
        c.alpha,
        c.check_growth,
        60,
        c.box,
        c.max_queries - run.used(),
    )
    dist = _norm(check.x_adv - c.x_o)
    history.append((run.used(), dist))
    return AttackResult(
        x_adv=check.x_adv,
        distortion=dist,
        success=check.p_adv_lower >= c.pa,
        p_adv_lower=check.p_adv_lower,
        queries=run.used(),
        base_calls=int(c.g.base_calls) - run.b0,
        history=np.asarray(history, dtype=np.float64),
    )


_COMMON_DOC = """
    g : SmoothedClassifier
        The attacked classifier :math:`g_{\\sigma,n}` (any object with
        ``dim``, ``n``, ``queries``, ``base_calls`` and a call
        ``g(points, label=y)`` returning one fresh draw per point).
    x_o : array_like, shape (dim,)
        The input, finite (inside ``bounds`` if given).
    label : int
        Its label :math:`y`; a point is adversarial when
        :math:`g_{\\sigma,n}` answers another label.
    max_queries : int
        Draws of :math:`g_{\\sigma,n}` allowed to the whole attack, final
        check included; it must exceed ``check_repeats * check_steps`` (the
        check's reserve).
    bounds : (lo, hi), optional
        Box that every query is clipped to (scalars or arrays of shape
        ``(dim,)``, ``lo < hi``), e.g. ``(0.0, 1.0)`` for pixels; ``None``
        (default) for an unbounded input space.
    x_init : array_like, shape (dim,), optional
        A starting point, used if ``init_repeats`` draws judge it
        adversarial; otherwise (and by default) a random search: rounds of
        10 points :math:`x_o + r u`, :math:`u` uniform on the sphere and
        :math:`r = 0.01\\max(1, \\|x_o\\|)\\, 2^k` doubling per round;
        with ``bounds``, rounds of 10 points uniform in the box alternate
        with such points clipped to it, :math:`r` doubling from 1/16 of the
        box's diagonal; at most 60 rounds, each point judged by
        ``init_repeats`` draws; the closest point judged adversarial is kept.
    search_repeats : int, optional
        Draws per decision of the search, decided by strict majority
        (default 1: a single noisy answer).
    init_repeats : int, optional
        Draws per decision of the starting point (default 3).
    pa : float, optional
        Level :math:`P_a` of the final check, in ``(0, 1)`` (default 0.5).
    check_repeats : int, optional
        Draws per point of the final check (default 200).
    check_steps : int, optional
        Checks reserved in the budget (default 5): the search stops at
        ``max_queries - check_repeats * check_steps`` draws; the check may
        use up to 60 steps if the search left enough budget.
    check_growth : float, optional
        First outward step of the check as a factor of the distance, > 1
        (default 1.05; :func:`push_to_level`'s ``growth``).
    alpha : float, optional
        Error level of the final check, in ``(0, 1)`` (default 0.01).
    rng : numpy.random.Generator, int or None, optional
        The attack's own randomness (random search, probe directions); the
        draws of :math:`g_{\\sigma,n}` come from ``g``'s generator.
"""

_RETURNS_DOC = """
    Returns
    -------
    AttackResult
        The checked point, its distortion, ``success`` (the final check
        passed), the check's Clopper-Pearson bound, the draws and base calls
        used (``queries <= max_queries``), and the distortion history.
        Without any point judged adversarial within the budget: ``x_o``,
        ``distortion = inf``, ``success = False``.

    Raises
    ------
    ValueError
        On a bad argument (named in the message).
"""


def _doc(text: str) -> str:
    return text.replace("{common}", _COMMON_DOC.strip("\n")).replace(
        "{returns}", _RETURNS_DOC.strip("\n")
    )


# --------------------------------------------------------------------------- HopSkipJump


def hsja(
    g: Any,
    x_o: Any,
    label: Any,
    *,
    max_queries: Any,
    bounds: Any = None,
    x_init: Any = None,
    grad_queries: Any = 100,
    search_repeats: Any = 1,
    step_search: Any = 12,
    gamma: Any = 1.0,
    delta: Any = None,
    init_repeats: Any = 3,
    pa: Any = 0.5,
    check_repeats: Any = 200,
    check_steps: Any = 5,
    check_growth: Any = 1.05,
    alpha: Any = 0.01,
    rng: Any = None,
) -> AttackResult:
    return _drive(
        _common(
            g,
            x_o,
            label,
            max_queries,
            bounds,
            x_init,
            search_repeats,
            init_repeats,
            pa,
            check_repeats,
            check_steps,
            check_growth,
            alpha,
            rng,
        ),
        _hsja_search(
            _as_int("grad_queries", grad_queries, 2),
            _as_int("step_search", step_search, 1),
            as_real("gamma", gamma, 0.0),
            None if delta is None else as_real("delta", delta, 0.0),
        ),
    )


hsja.__doc__ = _doc(
    """HopSkipJump (L2) against a randomized classifier (Chen, Jordan & Wainwright 2020).

    From a starting point judged adversarial, a binary search towards
    :math:`x_o` gives a point :math:`x_t` near the frontier.  Iteration
    :math:`t = 1, 2, \\dots`:

    1. *Gradient direction*: :math:`B_t = \\min(B_0\\sqrt t, 100 B_0)`
       probes :math:`x_t + \\delta_t u_i` (:math:`u_i` uniform on the unit
       sphere, clipped to ``bounds``), one draw each, :math:`\\phi_i = \\pm
       1` for adversarial or not; the estimate is the baseline-corrected sum
       :math:`\\sum_i (\\phi_i - \\bar\\phi) u_i` (:math:`\\pm\\sum_i u_i`
       when all signs agree), normalized (HSJA eq. 16).
       :math:`\\delta_t = \\gamma\\, \\|x_t - x_o\\| / d` (HSJA's
       :math:`\\sqrt d\\,\\theta\\,\\mathrm{dist}` with
       :math:`\\theta = \\gamma d^{-3/2}`), or :math:`0.1` times the mean
       width of ``bounds`` at :math:`t = 1`, or ``delta`` if given.
    2. *Geometric step search*: :math:`\\epsilon = \\|x_t - x_o\\|/\\sqrt t`
       (the cap on its size), halved until
       :math:`x_t + \\epsilon\\, \\hat\\nabla` is judged adversarial, at most
       ``step_search`` tries (the cap on its count); if none is, the
       iteration changes nothing.
    3. *Binary search* between :math:`x_o` and that point, to a bracket of
       :math:`\\theta` of the segment, each step the strict majority of
       ``search_repeats`` draws; its adversarial end is :math:`x_{t+1}`.

    Against :math:`g_{\\sigma,n}` the probe signs are noisy when
    :math:`\\delta_t` is below the width :math:`\\sim\\sigma/\\sqrt n` of
    the frontier's random band (Maho et al. 2022, section 3.5;
    :func:`rstheory.simulate.normal_estimate`): pass a larger ``delta``.
    No answer is assumed adversarial: the point kept is the closest one
    judged adversarial, and the result is the final check of
    :func:`push_to_level`.

    Parameters
    ----------
{common}
    grad_queries : int, optional
        :math:`B_0`, probes of the first gradient estimate, ``>= 2`` (default 100).
    step_search : int, optional
        Tries of the geometric step search, ``>= 1`` (default 12).
    gamma : float, optional
        HSJA's :math:`\\gamma` (> 0, default 1): probe radius and binary
        search tolerance.
    delta : float, optional
        A fixed probe radius :math:`\\delta` (> 0) instead of HSJA's rule.

{returns}

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier
    >>> from rstheory.attacks import hsja
    >>> w = np.random.default_rng(0).standard_normal(20)
    >>> f = Linear(w, np.linalg.norm(w))  # x_o = 0 at distance 1 from the hyperplane
    >>> g = SmoothedClassifier(f, sigma=1e-6, n=1, rng=1)  # votes without doubt
    >>> r = hsja(g, np.zeros(20), 1, max_queries=3000, rng=2)
    >>> r.success, round(r.distortion, 2), r.queries <= 3000, r.base_calls == r.queries
    (True, 1.02, True, True)
    """
)


def _gradient(
    run: _Run, x: FloatArray, radius: float, probes: int, gen: np.random.Generator
) -> FloatArray | None:
    """HSJA's baseline-corrected sign estimate of the frontier normal at ``x`` (unit), or None."""
    d = run.dim
    if probes > run.left():
        raise _Exhausted
    weighted = np.zeros(d)
    total = np.zeros(d)
    positives = 0
    size = max(1, _NUMBERS // d)
    for start in range(0, probes, size):
        m = min(size, probes - start)
        u = gen.standard_normal((m, d))
        u /= _row_norms(u)[:, None]
        points = run.clip(x + radius * u)
        if run.box is not None:  # HSJA: the directions actually probed
            u = (points - x) / radius
        phi = np.where(run.judge(points, 1), 1.0, -1.0)
        positives += int(np.count_nonzero(phi > 0.0))
        weighted += np.einsum("i,ij->j", phi, u)
        total += u.sum(axis=0)
    mean = (2.0 * positives - probes) / probes
    if mean == 1.0:
        grad = total
    elif mean == -1.0:
        grad = -total
    else:
        grad = weighted - mean * total
    norm = _norm(grad)
    if not norm > 0.0:
        return None
    out: FloatArray = grad / norm
    return out


def _hsja_search(b0: int, tries: int, gamma: float, delta: float | None) -> _Search:
    def search(run: _Run, x0: FloatArray, c: _Common) -> None:
        d = run.dim
        theta = gamma / (d * math.sqrt(d))
        x = run.bisect(x0, c.search_repeats, theta)
        dist = _norm(x - run.x_o)
        t = 0
        while True:
            t += 1
            if delta is not None:
                radius = delta
            elif t == 1 and run.box is not None:
                radius = 0.1 * float(np.mean(run.box[1] - run.box[0]))
            else:
                radius = math.sqrt(d) * theta * dist
            probes = min(int(b0 * math.sqrt(t)), 100 * b0, run.left())
            if probes < 2:
                raise _Exhausted
            grad = _gradient(run, x, radius, probes, c.gen)
            if grad is None:
                continue
            eps = dist / math.sqrt(t)
            found = None
            for _ in range(tries):
                cand = run.clip(x + eps * grad)
                if run.judge(cand[None, :], c.search_repeats)[0]:
                    found = cand
                    break
                eps *= 0.5
            if found is None:
                continue
            run.offer(found)
            x = run.bisect(found, c.search_repeats, theta)
            dist = _norm(x - run.x_o)

    return search


# --------------------------------------------------------------------------- RayS


class _Ray:
    """Points at a given L2 distortion along a direction from ``x_o``, clipped to the box.

    Without a box the point at distortion ``D`` is :math:`x_o + D u`.  With
    one, coordinate ``i`` of :math:`\\mathrm{clip}(x_o + r u)` stops at its
    bound from :math:`r = c_i`, and the distortion
    :math:`\\big(\\sum_i \\min(r, c_i)^2 u_i^2\\big)^{1/2}` grows with
    :math:`r`, piecewise :math:`\\sqrt{A_j + r^2 B_j}`: :meth:`point`
    solves it for :math:`r` (the saturated corner if ``D`` is beyond it).
    """

    def __init__(self, x_o: FloatArray, direction: FloatArray, box: _Box) -> None:
        self.x_o = x_o
        self.u = direction / _norm(direction)
        self.box = box
        if box is None:
            return
        u = self.u
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = np.where(u > 0.0, (box[1] - x_o) / u, np.where(u < 0.0, (box[0] - x_o) / u, 0.0))
        finite = u != 0.0
        cap = np.maximum(cap[finite], 0.0)
        weight = u[finite] ** 2
        order = np.argsort(cap, kind="stable")
        self.caps = cap[order]
        w = weight[order]
        saturated = np.concatenate(([0.0], np.cumsum(self.caps**2 * w)))
        free = np.concatenate((np.cumsum(w[::-1])[::-1], [0.0]))
        self.sat = saturated  # A_j: distortion^2 of the first j coordinates, saturated
        self.free = free  # B_j: sum of u_i^2 over the others
        self.edges = saturated[:-1] + self.caps**2 * free[:-1]  # distortion^2 at r = caps[j]

    def radius(self, distortion: float) -> float:
        if self.box is None:
            return distortion
        d2 = distortion * distortion
        j = int(np.searchsorted(self.edges, d2, side="left"))
        if j >= self.caps.size:
            return float(self.caps[-1])
        if j == 0:
            return math.sqrt(d2 / self.free[0])
        return math.sqrt(max(d2 - self.sat[j], 0.0) / self.free[j])

    def point(self, distortion: float) -> FloatArray:
        return _clip(self.x_o + self.radius(distortion) * self.u, self.box)


def _radius_search(run: _Run, ray: _Ray, high: float, repeats: int, tol: float) -> float:
    """Bisect the distortion along ``ray`` on ``[0, high]`` (``high`` judged adversarial)."""
    lo, hi = 0.0, high
    while hi - lo > tol * high:
        mid = 0.5 * (lo + hi)
        point = ray.point(mid)
        if run.judge(point[None, :], repeats)[0]:
            hi = mid
            run.offer(point)
        else:
            lo = mid
    return _norm(ray.point(hi) - run.x_o)


def rays(
    g: Any,
    x_o: Any,
    label: Any,
    *,
    max_queries: Any,
    bounds: Any = None,
    x_init: Any = None,
    search_repeats: Any = 1,
    search_tol: Any = 1e-3,
    batch: Any = 10,
    init_repeats: Any = 3,
    pa: Any = 0.5,
    check_repeats: Any = 200,
    check_steps: Any = 5,
    check_growth: Any = 1.05,
    alpha: Any = 0.01,
    rng: Any = None,
) -> AttackResult:
    return _drive(
        _common(
            g,
            x_o,
            label,
            max_queries,
            bounds,
            x_init,
            search_repeats,
            init_repeats,
            pa,
            check_repeats,
            check_steps,
            check_growth,
            alpha,
            rng,
        ),
        _rays_search(as_real("search_tol", search_tol, 0.0, 1.0), _as_int("batch", batch, 1)),
    )


rays.__doc__ = _doc(
    """RayS (Chen & Gu 2020) for the L2 distortion, against a randomized classifier.

    RayS searches the direction of the perturbation among sign vectors
    :math:`s \\in \\{-1, 1\\}^d` and keeps :math:`D`, the distortion of the
    closest point judged adversarial along the current one.  Starting from
    :math:`s = \\mathrm{sign}(x_{\\text{init}} - x_o)` (its radius found by
    growing :math:`\\|x_{\\text{init}} - x_o\\|` by 1.5 up to 10 times;
    if that fails, the direction :math:`x_{\\text{init}} - x_o` itself,
    whose signs are then flipped), it visits blocks of coordinates
    hierarchically: stage :math:`k` cuts the :math:`d` coordinates into
    :math:`2^k` contiguous blocks and tries to flip the signs of each in
    turn, down to single coordinates, then starts again at :math:`k = 0`.
    For a flip:

    1. *Fast check*: the point at distortion :math:`D` along the new
       direction (clipped to ``bounds``) is queried; if it is judged not
       adversarial the flip cannot do better (one crossing per ray) and is
       dropped.  ``batch`` consecutive flips are checked in one call; the
       first judged adversarial is taken, later ones are checked again.
    2. *Radius search*: otherwise, a binary search of the distortion on
       :math:`[0, D]` along the new direction (strict majority of
       ``search_repeats`` draws per step) to a bracket of ``search_tol``
       :math:`\\times D`; the flip is kept if the end point is closer.

    With ``bounds``, points along a direction are parametrized by their
    actual (clipped) L2 distortion, so that directions compare fairly.  On
    a half-space :math:`w\\cdot x + b \\ge 0` the best sign direction is
    :math:`\\mathrm{sign}(w)`, at :math:`\\sqrt d\\,\\|w\\|_2/\\|w\\|_1` times
    the minimal distortion (:math:`\\approx 1.25` for Gaussian :math:`w`).

    Parameters
    ----------
{common}
    search_tol : float, optional
        Relative precision of the radius search, in ``(0, 1)`` (default 1e-3).
    batch : int, optional
        Flips per fast-check call, ``>= 1`` (default 10).

{returns}

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier
    >>> from rstheory.attacks import rays
    >>> w = np.where(np.random.default_rng(0).random(16) < 0.5, -1.0, 1.0)
    >>> f = Linear(w, 4.0)  # x_o = 0 at distance 1; the best direction is sign(w)
    >>> g = SmoothedClassifier(f, sigma=1e-6, n=1, rng=1)
    >>> r = rays(g, np.zeros(16), 1, max_queries=2000, rng=2)
    >>> r.success, round(r.distortion, 2)
    (True, 1.0)
    """
)


def _rays_search(tol: float, batch: int) -> _Search:
    def search(run: _Run, x0: FloatArray, c: _Common) -> None:
        d, xo, box, reps = run.dim, run.x_o, run.box, c.search_repeats
        step0 = x0 - xo
        sign = np.where(step0 < 0.0, -1.0, 1.0)
        scale = np.ones(d)
        ray = _Ray(xo, sign, box)
        dist0 = _norm(step0)
        high = None
        for k in range(10):
            if run.judge(ray.point(dist0 * 1.5**k)[None, :], reps)[0]:
                high = _norm(ray.point(dist0 * 1.5**k) - xo)
                break
        if high is None:  # flip the signs of x_init - x_o itself
            scale = np.abs(step0)
            ray = _Ray(xo, step0, box)
            high = dist0
        best = _radius_search(run, ray, high, reps, tol)
        level, index = 0, 0
        while True:
            blocks = min(2**level, d)
            if index >= blocks:
                level = 0 if blocks == d else level + 1
                index = 0
                continue
            edges = np.linspace(0, d, blocks + 1).round().astype(np.int64)
            tried = range(index, min(index + batch, blocks))
            signs, rays_, points = [], [], []
            for j in tried:
                flipped = sign.copy()
                flipped[edges[j] : edges[j + 1]] *= -1.0
                r = _Ray(xo, scale * flipped, box)
                signs.append(flipped)
                rays_.append(r)
                points.append(r.point(best))
            adv = run.judge(np.stack(points), reps)
            if not adv.any():
                index += len(tried)
                continue
            first = int(np.argmax(adv))
            run.offer(points[first])
            new = _radius_search(run, rays_[first], best, reps, tol)
            if new < best:
                sign, best = signs[first], new
            index = tried[first] + 1

    return search


# --------------------------------------------------------------------------- SurFree


def _zigzag_mask(h: int, w: int, fraction: float) -> BoolArray:
    """The ``fraction`` of the ``h x w`` DCT coefficients of lowest frequency (zig-zag order)."""
    i, j = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    order = np.lexsort((i.ravel(), (i + j).ravel()))
    keep = max(1, int(round(fraction * h * w)))
    mask = np.zeros(h * w, dtype=bool)
    mask[order[:keep]] = True
    out: BoolArray = mask.reshape(h, w)
    return out


def _direction_source(
    kind: str, dim: int, image_shape: Any, fraction: float
) -> Callable[[np.random.Generator], FloatArray]:
    if kind == "gaussian":
        return lambda gen: gen.standard_normal(dim)
    if kind != "dct":
        raise ValueError(f"directions must be 'gaussian' or 'dct', got {kind!r}")
    if image_shape is None:
        side = math.isqrt(dim)
        if side * side != dim:
            raise ValueError(
                f"image_shape is needed for directions='dct' (dim={dim} is not a square)"
            )
        shape: tuple[int, ...] = (side, side)
    else:
        try:
            shape = tuple(int(s) for s in image_shape)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"image_shape must be a tuple of ints, got {image_shape!r}") from exc
        if len(shape) < 2 or min(shape) < 1 or math.prod(shape) != dim:
            raise ValueError(
                f"image_shape must have >= 2 axes and {dim} elements in all, got {image_shape!r}"
            )
    mask = _zigzag_mask(shape[-2], shape[-1], fraction)

    def draw(gen: np.random.Generator) -> FloatArray:
        while True:
            coef = gen.integers(-1, 2, size=shape).astype(np.float64) * mask
            if coef.any():
                out: FloatArray = scipy.fft.idctn(coef, axes=(-2, -1), norm="ortho").ravel()
                return out

    return draw


def _coefficients(vectors: FloatArray, basis: FloatArray) -> FloatArray:
    """``vectors @ basis.T`` by einsum (BLAS threads are erratic on a loaded machine)."""
    out: FloatArray = np.einsum("ij,kj->ik", vectors, basis)
    return out


def _combine(coefficients: FloatArray, basis: FloatArray) -> FloatArray:
    """``coefficients @ basis`` by einsum."""
    out: FloatArray = np.einsum("ik,kj->ij", coefficients, basis)
    return out


def _orthogonal(v: FloatArray, u: FloatArray, basis: FloatArray) -> FloatArray | None:
    """``v`` made orthogonal to ``u`` and to the orthonormal rows of ``basis``, unit (or None).

    Classical Gram-Schmidt against the rows and against :math:`\\hat w`, the
    part of ``u`` outside their span, each pass repeated once if it
    cancelled more than half of the norm (Kahan-Parlett's "twice is enough").
    """
    size = _norm(v)
    rows = basis.shape[0]
    pair = np.stack((v, u))
    if rows:
        pair = pair - _combine(_coefficients(pair, basis), basis)  # both in one pass
        if _norm(pair[1]) < 0.5:  # u lies almost in their span: once more
            pair[1:] -= _combine(_coefficients(pair[1:], basis), basis)
    v, w = pair[0], pair[1]
    wn = _norm(w)
    w = w / wn if wn > 1e-12 else np.zeros_like(w)

    def project(z: FloatArray) -> FloatArray:
        if rows:
            z = z - _combine(_coefficients(z[None, :], basis), basis)[0]
        out: FloatArray = z - float(np.einsum("j,j->", z, w)) * w
        return out

    start = _norm(v)
    v = v - float(np.einsum("j,j->", v, w)) * w
    if _norm(v) < 0.5 * size or _norm(v) < 0.5 * start:
        v = project(v)
    vn = _norm(v)
    if not vn > 1e-9 * size:
        return None
    out: FloatArray = v / vn
    return out


def surfree(
    g: Any,
    x_o: Any,
    label: Any,
    *,
    max_queries: Any,
    bounds: Any = None,
    x_init: Any = None,
    search_repeats: Any = 1,
    theta_max: Any = 30.0,
    rho: Any = 0.98,
    evaluations: Any = 3,
    n_ortho: Any = 100,
    directions: str = "gaussian",
    image_shape: Any = None,
    dct_fraction: Any = 0.5,
    angle_tol: Any = 0.01,
    angle_steps: Any = 10,
    search_tol: Any = 1e-3,
    batch: Any = 2,
    init_repeats: Any = 3,
    pa: Any = 0.5,
    check_repeats: Any = 200,
    check_steps: Any = 5,
    check_growth: Any = 1.05,
    alpha: Any = 0.01,
    rng: Any = None,
) -> AttackResult:
    c = _common(
        g,
        x_o,
        label,
        max_queries,
        bounds,
        x_init,
        search_repeats,
        init_repeats,
        pa,
        check_repeats,
        check_steps,
        check_growth,
        alpha,
        rng,
    )
    if c.g.dim < 2:
        raise ValueError(f"surfree needs dim >= 2 (a plane), got dim={c.g.dim}")
    frac = as_real("dct_fraction", dct_fraction, 0.0, 1.0 + 1e-12)
    if not isinstance(directions, str):
        raise ValueError(f"directions must be 'gaussian' or 'dct', got {directions!r}")
    source = _direction_source(directions, c.g.dim, image_shape, frac)
    return _drive(
        c,
        _surfree_search(
            as_real("theta_max", theta_max, 0.0, 90.0),
            as_real("rho", rho, 0.0, 1.0),
            _as_int("evaluations", evaluations, 1),
            _as_int("n_ortho", n_ortho, 0),
            source,
            as_real("angle_tol", angle_tol, 0.0, 1.0),
            _as_int("angle_steps", angle_steps, 0),
            as_real("search_tol", search_tol, 0.0, 1.0),
            _as_int("batch", batch, 1),
        ),
    )


surfree.__doc__ = _doc(
    """SurFree (Maho, Furon & Le Merrer 2021) against a randomized classifier.

    A geometric search in random 2-D planes.  With :math:`x_b` the current
    point judged adversarial, :math:`D = \\|x_b - x_o\\|` and
    :math:`u = (x_b - x_o)/D`, each iteration draws a direction, makes it a
    unit :math:`v \\perp u` (and orthogonal to the last ``n_ortho``
    directions tried, by Gram-Schmidt) and walks the circle of diameter
    :math:`[x_o, x_b]` in the plane :math:`(u, v)`:

    .. math::

        z(\\theta) = x_o + D\\cos\\theta\\,(\\cos\\theta\\, u + \\sin\\theta\\, v),
        \\qquad \\|z(\\theta) - x_o\\| = D\\cos\\theta ,

    (clipped to ``bounds``, which only brings it closer to :math:`x_o`), so
    that any adversarial :math:`z(\\theta)` improves on :math:`x_b`.

    1. *Sign search*: :math:`\\theta = \\pm\\theta_{\\max}(1 - i/T)`,
       :math:`i = 0..T-1` (:math:`T` = ``evaluations``), largest first,
       ``batch`` at a time, until one is judged adversarial.  If none is,
       :math:`\\theta_{\\max} \\leftarrow \\rho\\,\\theta_{\\max}` and a new
       direction is drawn; if one is, :math:`\\theta_{\\max} \\leftarrow
       \\theta_{\\max}/\\rho` (capped at 89 degrees).
    2. *Angle search*: from the adversarial :math:`\\theta` outward by steps
       of :math:`\\theta_{\\max}/T` to the first angle judged not
       adversarial (or 90 degrees), then bisection until
       :math:`|\\cos\\theta_{\\text{hi}} - \\cos\\theta_{\\text{lo}}| \\le`
       ``angle_tol`` or ``angle_steps`` steps; :math:`x_b \\leftarrow
       z(\\theta_{\\text{lo}})`.

    Every decision is the strict majority of ``search_repeats`` draws; the
    first :math:`x_b` comes from a binary search between :math:`x_o` and the
    starting point.  Directions are Gaussian (``directions="gaussian"``) or
    random low-frequency DCT patterns (``"dct"``: coefficients in
    :math:`\\{-1, 0, 1\\}` on the ``dct_fraction`` lowest frequencies, in
    zig-zag order, of an image of ``image_shape``, inverse orthonormal DCT
    over its last two axes; SurFree's DCT basis without its weighting by the
    input's own spectrum).  Not implemented: SurFree's optional
    interpolation and its test of the opposite angle during the bisection.

    Parameters
    ----------
{common}
    theta_max : float, optional
        Initial :math:`\\theta_{\\max}` in degrees, in ``(0, 90)`` (default 30).
    rho : float, optional
        Its adaptation factor, in ``(0, 1)`` (default 0.98).
    evaluations : int, optional
        :math:`T`, angles per sign in the sign search (default 3).
    n_ortho : int, optional
        Directions remembered for the orthogonalization (default 100; at
        most ``dim - 2`` are kept).
    directions : {"gaussian", "dct"}, optional
        Where new directions come from (default ``"gaussian"``).
    image_shape : tuple of int, optional
        Shape of the input as an image, e.g. ``(8, 8)`` or ``(1, 28, 28)``
        (``"dct"`` only; default: a square image if ``dim`` is a square).
    dct_fraction : float, optional
        Fraction of the frequencies used by ``"dct"``, in ``(0, 1]`` (default 0.5).
    angle_tol : float, optional
        Tolerance of the angle bisection on :math:`\\cos\\theta`, in ``(0, 1)``
        (default 0.01, SurFree's).
    angle_steps : int, optional
        Bisection steps at most (default 10).
    search_tol : float, optional
        Relative precision of the first binary search (default 1e-3).
    batch : int, optional
        Angles per call of the sign search (default 2: :math:`\\pm\\theta`).

{returns}

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier
    >>> from rstheory.attacks import surfree
    >>> w = np.random.default_rng(0).standard_normal(10)
    >>> g = SmoothedClassifier(Linear(w, np.linalg.norm(w)), sigma=1e-6, n=1, rng=1)
    >>> r = surfree(g, np.zeros(10), 1, max_queries=3000, rng=2)
    >>> r.success, bool(r.distortion < 1.1)
    (True, True)
    """
)


def _surfree_search(
    theta_max: float,
    rho: float,
    evaluations: int,
    n_ortho: int,
    source: Callable[[np.random.Generator], FloatArray],
    angle_tol: float,
    angle_steps: int,
    tol: float,
    batch: int,
) -> _Search:
    coefficients = np.empty(2 * evaluations)
    coefficients[0::2] = 1.0 - np.arange(evaluations) / evaluations
    coefficients[1::2] = -coefficients[0::2]

    def search(run: _Run, x0: FloatArray, c: _Common) -> None:
        d, xo, reps = run.dim, run.x_o, c.search_repeats
        keep = min(n_ortho, d - 2)
        x = run.bisect(x0, reps, tol)
        dist = _norm(x - xo)
        memory = np.empty((keep, d))  # a ring of the last directions tried (orthonormal)
        count = slot = 0
        top = theta_max
        while True:
            u = (x - xo) / dist
            v = _orthogonal(source(c.gen), u, memory[:count])
            if v is None:  # the remembered directions fill the space: forget them
                count = slot = 0
                v = _orthogonal(source(c.gen), u, memory[:0])
            while v is None:  # a DCT source too poor for this u: a Gaussian direction
                v = _orthogonal(c.gen.standard_normal(d), u, memory[:0])
            if keep > 0:
                memory[slot] = v
                slot = (slot + 1) % keep
                count = min(count + 1, keep)

            def z(theta: Any, u: FloatArray = u, v: FloatArray = v, r: float = dist) -> FloatArray:
                t = np.radians(np.atleast_1d(np.asarray(theta, dtype=np.float64)))
                ct, st = np.cos(t)[:, None], np.sin(t)[:, None]
                return run.clip(xo + r * ct * (ct * u + st * v))

            angles = coefficients * top
            found = None
            for start in range(0, angles.size, batch):
                chunk = angles[start : start + batch]
                adv = run.judge(z(chunk), reps)
                if adv.any():
                    found = float(chunk[int(np.argmax(adv))])
                    break
            if found is None:
                top *= rho
                continue
            step = top / evaluations
            top = min(top / rho, 89.0)
            lower, upper = found, None
            sgn = 1.0 if found > 0.0 else -1.0
            if abs(found) < step * evaluations * (1.0 - 1e-12):
                upper = found + sgn * step  # judged not adversarial by the sign search
            while upper is None:
                nxt = lower + sgn * step
                if abs(nxt) >= 90.0:
                    upper = sgn * 90.0
                elif run.judge(z(nxt), reps)[0]:
                    lower = nxt
                else:
                    upper = nxt
            for _ in range(angle_steps):
                if abs(math.cos(math.radians(upper)) - math.cos(math.radians(lower))) <= angle_tol:
                    break
                mid = 0.5 * (lower + upper)
                if run.judge(z(mid), reps)[0]:
                    lower = mid
                else:
                    upper = mid
            x = z(lower)[0]
            dist = run.offer(x)

    return search
