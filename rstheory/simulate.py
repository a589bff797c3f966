"""The practical smoothed classifier :math:`g_{\\sigma,n}`: votes, binary search, scans, slices.

A certificate is a statement about the ideal smoothed classifier
:math:`g_\\sigma(x) = \\arg\\max_c \\pi_c(x)`; what runs is the majority vote
of ``n`` noisy votes,

.. math::

    g_{\\sigma,n}(x) = \\arg\\max_c \\#\\{i \\le n : f(x + \\sigma N_i) = c\\},
    \\qquad N_i \\sim \\mathcal N(0, I_d)\\ \\text{i.i.d.},

a *random* classifier: each call draws fresh noise.  Near the frontier of
:math:`g_\\sigma` it answers both ways, and the black-box attacks that bisect
towards the frontier and estimate its normal from the signs of queries see
that randomness (Maho, Furon & Le Merrer, ICASSP 2022, sections 3.2-3.5,
Figures 1-3).  This module makes those experiments reproducible:

* :class:`SmoothedClassifier` -- one call is one fresh draw of
  :math:`g_{\\sigma,n}` at a batch of points; vote counts, Cohen's PREDICT
  with abstention, and :meth:`~SmoothedClassifier.adversarial_probability`
  (a Monte Carlo estimate of :math:`P[g_{\\sigma,n}(x) \\ne y]` with a
  Clopper-Pearson interval, beside its exact value for the analytic
  classifiers);
* :func:`binary_search`, :func:`binary_search_spread` and the exact law of
  the search's end point, :func:`search_distribution` (Figure 3);
* :func:`direction_scan` -- :math:`P[g_{\\sigma,n} \\ne y]` along a ray, with
  the certified radius, the level-:math:`P_a` distance bound and the
  frontiers of :math:`f` and :math:`g_\\sigma` (Figure 1);
* :func:`slice_2d` -- the label map on a plane (Figure 2);
* :func:`normal_estimate` and :func:`normal_study` -- the HopSkipJump
  estimate of the frontier normal from the signs of noisy queries, and its
  cosine with the true normal (section 3.5).

Every function takes any base classifier of the protocol of
:mod:`rstheory.classifiers` (``dim``, ``n_classes``, ``decide``), for which
votes come from full noise vectors.  For the analytic classifiers
(:class:`~rstheory.classifiers.Linear`, :class:`~rstheory.classifiers.Ball`,
:class:`~rstheory.classifiers.Paraboloid`) a vote depends on a point only
through one or a few statistics, which along a line or a plane through an
input cost :math:`O(1)` per point after one :math:`O(d)` projection: the
scans, searches and slices at :math:`d = 3 \\times 224 \\times 224` take
seconds.  Those classifiers also give the exact answers: :math:`\\pi_c`,
the exact :math:`P[g_{\\sigma,n}(x) \\ne y]` by
:func:`rstheory.levels.majority_vote_probability`, the frontier of
:math:`g_\\sigma`, and the law of the binary search's end point.

Ties of the vote follow ``ties`` (as in :mod:`rstheory.levels`), relative to
the label ``y`` under attack: ``"lose"`` (default: ``y`` keeps a tie, the
attacker needs a strict majority), ``"win"`` (a tie goes to another class)
or ``"random"`` (uniform among the tied classes).  Where no label is given
(a plain prediction), ties are broken uniformly at random.

A base classifier may also provide
``vote_counts_batch(points, sigma, n, draws, rng)`` (``points`` float64 of
shape ``(m, dim)``, ``rng`` the classifier's generator), returning the
``int64`` counts of ``draws`` independent sets of ``n`` votes per point,
shape ``(m, draws, n_classes)``: the smoothed classifier then lets it draw
its own noise (the torch adapter does, on the model's device).

Randomness comes from one :class:`numpy.random.Generator` per
:class:`SmoothedClassifier` (``rng``: a generator, a seed or ``None``);
every function is reproducible from the seed.  The classifier counts the
queries it answers (``queries``) and the base-classifier calls they cost
(``base_calls = n * queries``), as a decision-based attack is charged.

References
----------
T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under attack: how
good is it in practice?", ICASSP 2022.
J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial robustness
via randomized smoothing", ICML 2019, arXiv:1902.02918.
J. Chen, M. I. Jordan and M. J. Wainwright, "HopSkipJumpAttack: a
query-efficient decision-based attack", IEEE S&P 2020.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.integrate
import scipy.optimize
import scipy.special

from rstheory._validate import FloatArray, as_finite, as_real, as_vector
from rstheory.bounds import clopper_pearson
from rstheory.certify import certify, predict
from rstheory.classifiers import (
    _as_int,
    _as_label,
    _as_n,
    _as_rng,
    _as_scalar,
    _BinaryAnalytic,
    _check_classifier,
    monte_carlo_counts,
)
from rstheory.levels import (
    TIES_LOSE,
    TIES_RANDOM,
    level_distance_bound,
    majority_vote_probability,
    majority_vote_probability_array,
    majority_vote_probability_kernel,
    ties_code,
)
from rstheory.radius import gaussian_radius_log_kernel

__all__ = [
    "SmoothedClassifier",
    "AdversarialProbability",
    "SearchResult",
    "SearchSpread",
    "SearchDistribution",
    "DirectionScan",
    "Slice",
    "NormalEstimate",
    "NormalStudy",
    "binary_search",
    "binary_search_spread",
    "search_distribution",
    "direction_scan",
    "slice_2d",
    "normal_estimate",
    "normal_study",
    "linear_normal_cosine",
]

IntArray = npt.NDArray[np.int64]

#: random numbers (votes x dimension) drawn at once for a generic classifier
_NUMBERS = 1 << 22
#: votes drawn at once for an analytic classifier
_VOTES = 1 << 18
#: default probability below which search_distribution drops a branch
_DROP = 1e-15


# --------------------------------------------------------------------------- helpers


def _as_labels(name: str, value: Any, shape: tuple[int, ...], n_classes: int) -> IntArray:
    """Integer labels in ``0 .. n_classes - 1`` broadcast to ``shape``."""
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be an integer label or array of labels, got {value!r}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must be in 0..{n_classes - 1}, got {value!r}")
    try:
        return np.broadcast_to(arr.astype(np.int64), shape).copy()
    except ValueError as exc:
        raise ValueError(
            f"{name}{arr.shape} does not broadcast with the points' shape {shape}"
        ) from exc


def _unit(name: str, value: Any, dim: int) -> FloatArray:
    v = as_vector(name, value, dim)
    norm = float(np.sqrt(np.einsum("j,j->", v, v)))
    if norm == 0.0:
        raise ValueError(f"{name} must not be the zero vector")
    return v / norm


def _vote_labels(
    counts: IntArray, label: IntArray | None, ties: int, gen: np.random.Generator
) -> IntArray:
    """The majority label of each row of ``counts`` (shape ``(m, C)``) under a tie rule."""
    tied = counts == counts.max(axis=1, keepdims=True)
    if label is not None and ties != TIES_RANDOM:
        rows = np.arange(counts.shape[0])
        own = tied[rows, label]
        if ties == TIES_LOSE:
            keep = own.copy()
            tied[keep] = False
            tied[rows[keep], label[keep]] = True
        else:  # TIES_WIN: another tied class takes the vote
            give = own & (tied.sum(axis=1) > 1)
            tied[rows[give], label[give]] = False
    if int(tied.sum(axis=1).max(initial=1)) == 1:
        return np.argmax(tied, axis=1).astype(np.int64)
    keys = gen.random(tied.shape)
    keys[~tied] = -1.0
    return np.argmax(keys, axis=1).astype(np.int64)


# --------------------------------------------------------------------------- the classifier


class SmoothedClassifier:
    """The practical smoothed classifier :math:`g_{\\sigma,n}`: a majority of ``n`` noisy votes.

    .. math::

        g_{\\sigma,n}(x) = \\arg\\max_c \\#\\{i \\le n : f(x + \\sigma N_i) = c\\},
        \\qquad N_i \\sim \\mathcal N(0, I_d),

    with fresh noise at every call (Maho et al. 2022, section 3.2), so that
    two calls at the same point may disagree.  It converges to the ideal
    :math:`g_\\sigma(x) = \\arg\\max_c \\pi_c(x)` as :math:`n \\to \\infty`
    wherever the top class is unique.

    Parameters
    ----------
    base : Classifier
        The base classifier :math:`f`: any object with ``dim``,
        ``n_classes`` and ``decide(points)`` (:mod:`rstheory.classifiers`).
        The analytic ones (``Linear``, ``Ball``, ``Paraboloid``) are sampled
        from their vote statistics at a cost independent of ``dim`` and give
        exact probabilities; any other is sampled with full noise vectors.
    sigma : float
        Noise level :math:`\\sigma`, finite and > 0.
    n : int
        Votes per query, ``>= 1``.
    ties : {"lose", "win", "random"}, optional
        Tie rule relative to the label under attack (methods that take a
        ``label``): ``"lose"`` (default) -- the label keeps a tie, an
        attacker needs a strict majority, the paper's
        :math:`\\tilde n = 1 + \\lfloor n/2 \\rfloor`; ``"win"`` -- a tie goes
        to another class; ``"random"`` -- uniform among the tied classes.
        Without a label, ties are broken uniformly at random.
    rng : numpy.random.Generator, int or None, optional
        The random generator (or a seed for :func:`numpy.random.default_rng`).

    Attributes
    ----------
    queries : int
        Number of draws of :math:`g_{\\sigma,n}` answered so far (one per
        point per call).
    base_calls : int
        Number of base-classifier calls they cost, ``n * queries``.

    Raises
    ------
    ValueError
        If ``base`` does not follow the protocol, or ``sigma``, ``n``,
        ``ties`` or ``rng`` is invalid; the message names the argument.

    See Also
    --------
    binary_search, direction_scan, slice_2d, normal_estimate,
    rstheory.levels.majority_vote_probability

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier
    >>> g = SmoothedClassifier(Linear([1.0, 0.0]), sigma=0.5, n=11, rng=0)
    >>> g([[2.0, 0.0], [-2.0, 0.0]])  # far from the frontier x_0 = 0: no doubt
    array([1, 0])
    >>> g.vote_counts([0.0, 0.0])  # on the frontier: a fair coin per vote
    array([7, 4])
    >>> g.queries, g.base_calls
    (3, 33)
    >>> r = g.adversarial_probability([0.1, 0.0], label=1, repeats=2000)
    >>> round(r.exact, 4), bool(r.low <= r.exact <= r.high)
    (0.2942, True)
    """

    def __init__(self, base: Any, sigma: Any, n: Any, ties: str = "lose", rng: Any = None) -> None:
        self.dim, self.n_classes = _check_classifier(base)
        self.base = base
        self.sigma = _as_scalar("sigma", sigma, positive=True)
        self.n = _as_n(n)
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        self._ties = ties_code(ties)
        self.ties = ties
        self.rng = _as_rng(rng)
        self.queries = 0
        self.base_calls = 0

    def __repr__(self) -> str:
        return (
            f"SmoothedClassifier({self.base!r}, sigma={self.sigma!r}, n={self.n}, "
            f"ties={self.ties!r})"
        )

    @property
    def analytic(self) -> bool:
        """Whether the base classifier has exact smoothed probabilities (binary analytic)."""
        return isinstance(self.base, _BinaryAnalytic)

    # ----------------------------------------------------------------- internals

    def _points(self, x: Any) -> tuple[FloatArray, tuple[int, ...]]:
        z = as_finite("x", x)
        if z.ndim == 0 or z.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got shape {z.shape}")
        return np.ascontiguousarray(z.reshape(-1, self.dim)), z.shape[:-1]

    def _statistics(self, points: FloatArray) -> FloatArray:
        stats: FloatArray = self.base._stats(points)
        return stats

    def _counts_stats(self, stats: FloatArray, draws: int) -> IntArray:
        """Counts of ``draws`` fresh draws at points given by their statistics (analytic)."""
        base: _BinaryAnalytic = self.base
        n, gen = self.n, self.rng
        inside = np.empty((stats.shape[0], draws), dtype=np.int64)
        per = max(1, _VOTES // n)
        for i in range(stats.shape[0]):
            row = stats[i]
            if n > _VOTES:
                for r in range(draws):
                    inside[i, r] = base._stats_count(row, self.sigma, n, gen)
                continue
            for start in range(0, draws, per):
                k = min(per, draws - start)
                votes = base._stats_inside(row, self.sigma, k * n, gen).reshape(k, n)
                inside[i, start : start + k] = np.count_nonzero(votes, axis=1)
        out = np.empty((stats.shape[0], draws, 2), dtype=np.int64)
        out[..., base.inside_label] = inside
        out[..., base.outside_label] = n - inside
        return out

    def _counts_full(self, points: FloatArray, draws: int) -> IntArray:
        """Counts of ``draws`` fresh draws at ``points`` from full noise vectors (generic)."""
        n, dim, c = self.n, self.dim, self.n_classes
        groups = points.shape[0] * draws
        flat = np.zeros(groups * c, dtype=np.int64)
        rows = groups * n
        size = max(1, _NUMBERS // dim)
        for start in range(0, rows, size):
            m = min(size, rows - start)
            index = np.arange(start, start + m) // n  # group = point * draws + draw
            noise = self.rng.standard_normal((m, dim))
            noise *= self.sigma
            noise += points[index // draws]
            labels = np.asarray(self.base.decide(noise)).astype(np.int64, copy=False).ravel()
            if labels.size != m:
                raise ValueError(f"base.decide returned {labels.size} labels for {m} points")
            if labels.size and (labels.min() < 0 or labels.max() >= c):
                raise ValueError(f"base.decide returned labels outside 0..{c - 1}")
            g0, g1 = int(index[0]), int(index[-1]) + 1  # the groups this chunk touches
            flat[g0 * c : g1 * c] += np.bincount((index - g0) * c + labels, minlength=(g1 - g0) * c)
        return flat.reshape(points.shape[0], draws, c)

    def _counts(self, points: FloatArray | None, stats: FloatArray | None, draws: int) -> IntArray:
        """Counts, shape ``(m, draws, n_classes)``: one row of votes per draw and point."""
        if stats is not None:
            out = self._counts_stats(stats, draws)
        else:
            assert points is not None
            batch = getattr(self.base, "vote_counts_batch", None)
            if batch is None:
                out = self._counts_full(points, draws)
            else:  # the base draws its own votes (e.g. on a GPU): see the module notes
                out = np.asarray(batch(points, self.sigma, self.n, draws, self.rng))
                expected = (points.shape[0], draws, self.n_classes)
                if out.shape != expected or not np.issubdtype(out.dtype, np.integer):
                    raise ValueError(
                        f"base.vote_counts_batch returned {out.dtype} of shape {out.shape}, "
                        f"expected integers of shape {expected}"
                    )
                out = out.astype(np.int64, copy=False)
        self.queries += out.shape[0] * draws
        self.base_calls += out.shape[0] * draws * self.n
        return out

    def _family_counts(
        self, origin: FloatArray, basis: FloatArray, coords: FloatArray, draws: int
    ) -> IntArray:
        """Counts at the points ``origin + coords @ basis`` (dimension-free if analytic)."""
        if self.analytic:
            return self._counts(None, self.base._affine_stats(origin, basis)(coords), draws)
        out = np.empty((coords.shape[0], draws, self.n_classes), dtype=np.int64)
        size = max(1, _NUMBERS // self.dim)
        for start in range(0, coords.shape[0], size):
            part = coords[start : start + size]
            out[start : start + size] = self._counts(origin + part @ basis, None, draws)
        return out

    def _point_counts(self, points: FloatArray, draws: int) -> IntArray:
        if self.analytic:
            return self._counts(None, self._statistics(points), draws)
        return self._counts(points, None, draws)

    def _family_probability(
        self, origin: FloatArray, basis: FloatArray, coords: FloatArray, log: bool = False
    ) -> FloatArray:
        """Exact :math:`\\pi_c` at ``origin + coords @ basis``, shape ``(m, 2)`` (analytic)."""
        base: _BinaryAnalytic = self.base
        stats = base._affine_stats(origin, basis)(coords)
        sig = np.full(stats.shape[0], self.sigma)
        p_in, p_out = base._stats_tails(stats, sig, log)
        out = np.empty((stats.shape[0], 2))
        out[:, base.inside_label] = p_in
        out[:, base.outside_label] = p_out
        return out

    def _require_analytic(self, what: str) -> None:
        if not self.analytic:
            raise ValueError(
                f"{what} needs exact smoothed probabilities: base must be Linear, Ball or "
                f"Paraboloid, got {self.base!r}"
            )

    # ----------------------------------------------------------------- public

    def vote_counts(self, x: Any) -> IntArray:
        """Counts of one fresh draw of ``n`` votes per point.

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Points, finite.

        Returns
        -------
        ndarray of int64, shape (..., n_classes)
            Each row sums to ``n``.
        """
        points, shape = self._points(x)
        return self._point_counts(points, 1)[:, 0, :].reshape(shape + (self.n_classes,))

    def __call__(self, x: Any, label: Any = None) -> Any:
        """One fresh draw of :math:`g_{\\sigma,n}` at each point.

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Points, finite.
        label : int or array_like of int, optional
            The label under attack at each point (broadcast to ``x.shape[:-1]``):
            ties are resolved by the classifier's ``ties`` rule relative to it.
            Without it, ties are broken uniformly at random.

        Returns
        -------
        int or ndarray of int64
            The majority label of each point's ``n`` votes (a Python int for
            one point of shape ``(dim,)``).
        """
        points, shape = self._points(x)
        counts = self._point_counts(points, 1)[:, 0, :]
        lab = None if label is None else _as_labels("label", label, shape, self.n_classes)
        out = _vote_labels(counts, None if lab is None else lab.ravel(), self._ties, self.rng)
        return int(out[0]) if shape == () else out.reshape(shape)

    def predict(self, x: Any, alpha: Any = None) -> Any:
        """One draw of :math:`g_{\\sigma,n}`, or Cohen's PREDICT with abstention.

        With ``alpha`` (in ``(0, 1)``), the ``n`` votes go through Cohen et
        al.'s PREDICT (:func:`rstheory.certify.predict`): the top class if a
        two-sided binomial test of the top two counts rejects a tie at level
        ``alpha``, else :data:`rstheory.certify.ABSTAIN` (-1); the probability
        of returning a class other than :math:`g_\\sigma(x)` is then at most
        ``alpha``.  Without ``alpha``, the plain majority (as a call).

        Returns
        -------
        int or ndarray of int64
            Labels or ``ABSTAIN``, a Python int for one point.
        """
        if alpha is None:
            return self(x)
        a = as_real("alpha", alpha, 0.0, 1.0)
        points, shape = self._points(x)
        counts = self._point_counts(points, 1)[:, 0, :]
        out = np.asarray(predict(counts, a), dtype=np.int64)
        return int(out[0]) if shape == () else out.reshape(shape)

    def probability(self, x: Any, *, log: bool = False) -> FloatArray:
        """Exact smoothed probabilities :math:`\\pi_c(x)`, shape ``(..., 2)`` (analytic base only).

        Raises
        ------
        ValueError
            If the base classifier has no exact probabilities.
        """
        self._require_analytic("probability")
        out: FloatArray = self.base.probability(x, self.sigma, log=log)
        return out

    def adversarial_probability(
        self, x: Any, label: Any, repeats: Any, alpha: Any = 0.001
    ) -> AdversarialProbability:
        """Estimate :math:`P[g_{\\sigma,n}(x) \\ne y]` from ``repeats`` fresh draws.

        The number of draws whose majority label differs from ``label`` (ties
        by the classifier's rule) is :math:`\\mathrm{Bin}(\\text{repeats}, P)`;
        the interval is Clopper-Pearson's at total level ``alpha``
        (:func:`rstheory.bounds.clopper_pearson`).  For a binary analytic base
        the exact value is

        .. math::

            P[g_{\\sigma,n}(x) \\ne y] = P_{\\text{win}}(1 - \\pi_y(x), n)

        (:func:`rstheory.levels.majority_vote_probability`, Maho et al. 2022,
        eq. 4), with :math:`1 - \\pi_y` computed directly as the other class's
        probability.

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Points, finite.
        label : int or array_like of int
            The label :math:`y` at each point (broadcast to ``x.shape[:-1]``).
        repeats : int
            Number of draws per point, ``>= 1``.
        alpha : float, optional
            Total level of the two-sided interval, in ``(0, 1)`` (default 0.001).

        Returns
        -------
        AdversarialProbability
            Arrays of shape ``x.shape[:-1]`` (Python floats for one point).
        """
        points, shape = self._points(x)
        lab = _as_labels("label", label, shape, self.n_classes).ravel()
        reps = _as_int("repeats", repeats, 1)
        a = as_real("alpha", alpha, 0.0, 1.0)
        counts = self._point_counts(points, reps)
        m = points.shape[0]
        labels = _vote_labels(
            counts.reshape(m * reps, self.n_classes), np.repeat(lab, reps), self._ties, self.rng
        ).reshape(m, reps)
        hits = np.count_nonzero(labels != lab[:, None], axis=1)
        interval = clopper_pearson(hits, reps, a)
        exact = pi = None
        if self.analytic:
            prob = self._point_probability(points)
            pi = prob[np.arange(m), lab]
            exact = majority_vote_probability(prob[np.arange(m), 1 - lab], self.n, self.ties)

        def out(v: Any, dtype: Any = float) -> Any:
            arr = np.asarray(v, dtype=dtype).reshape(shape)
            return arr.item() if shape == () else arr

        return AdversarialProbability(
            estimate=out(hits / reps),
            low=out(interval.low),
            high=out(interval.high),
            successes=out(hits, np.int64),
            repeats=reps,
            exact=None if exact is None else out(exact),
            pi=None if pi is None else out(pi),
        )

    def _point_probability(self, points: FloatArray) -> FloatArray:
        base: _BinaryAnalytic = self.base
        stats = self._statistics(points)
        p_in, p_out = base._stats_tails(stats, np.full(stats.shape[0], self.sigma), False)
        out = np.empty((stats.shape[0], 2))
        out[:, base.inside_label] = p_in
        out[:, base.outside_label] = p_out
        return out


class AdversarialProbability(NamedTuple):
    """Result of :meth:`SmoothedClassifier.adversarial_probability`."""

    #: fraction of draws whose label differs from ``label``
    estimate: Any
    #: Clopper-Pearson interval at total level ``alpha``
    low: Any
    high: Any
    #: number of such draws (int)
    successes: Any
    #: draws per point
    repeats: int
    #: exact :math:`P[g_{\sigma,n}(x) \ne y]` (binary analytic base), else None
    exact: Any
    #: exact :math:`\pi_y(x)` (binary analytic base), else None
    pi: Any


def _as_smoothed(smoothed: Any) -> SmoothedClassifier:
    if not isinstance(smoothed, SmoothedClassifier):
        raise ValueError(f"smoothed must be a SmoothedClassifier, got {smoothed!r}")
    return smoothed


def _default_label(smoothed: SmoothedClassifier, x: FloatArray, label: Any) -> int:
    """``label``, or f's label at ``x`` (the class an attacker starts from)."""
    if label is None:
        return int(np.asarray(smoothed.base.decide(x[None, :])).ravel()[0])
    return _as_label("label", label, smoothed.n_classes)


# --------------------------------------------------------------------------- binary search


class SearchResult(NamedTuple):
    """Result of :func:`binary_search`."""

    #: the end point, on the adversarial side of the final bracket (shape (dim,))
    point: FloatArray
    #: its distance to ``x_inside``
    distance: float
    #: final bracket [low, high] as fractions of the segment (0 = x_inside, 1 = x_outside)
    low: float
    high: float
    #: the label under attack
    label: int
    #: draws of g_{sigma,n} used, and the base-classifier calls they cost
    queries: int
    base_calls: int


class SearchSpread(NamedTuple):
    """Result of :func:`binary_search_spread`."""

    #: distance of each run's end point to ``x_inside``, shape (repeats,)
    distances: FloatArray
    #: length of the segment ``||x_outside - x_inside||``
    length: float
    #: exact distance of the frontier of g_sigma (pi_label = 1/2) along the
    #: segment (binary analytic base, first crossing), else None
    frontier: float | None
    #: the label under attack
    label: int
    #: draws of g_{sigma,n} used by all runs, and the base-classifier calls
    queries: int
    base_calls: int
    #: the classifier's votes per query and noise level
    n: int
    sigma: float


class SearchDistribution(NamedTuple):
    """Exact law of the end point of :func:`binary_search` (:func:`search_distribution`)."""

    #: possible distances of the end point to ``x_inside``, increasing
    distances: FloatArray
    #: their probabilities
    probabilities: FloatArray
    #: probability mass of the branches dropped (each below ``drop``)
    dropped: float
    #: length of the segment
    length: float

    def cdf(self, distance: Any) -> Any:
        """:math:`P[D \\le \\text{distance}]` (mass of the dropped branches excluded)."""
        c = np.concatenate(([0.0], np.cumsum(self.probabilities)))
        idx = np.searchsorted(self.distances, np.asarray(distance, dtype=float), side="right")
        return c[idx]

    def quantile(self, q: Any) -> Any:
        """Smallest distance whose :meth:`cdf` is at least ``q`` (in ``[0, 1]``)."""
        qa = np.asarray(q, dtype=float)
        if np.any(~((qa >= 0.0) & (qa <= 1.0))):
            raise ValueError(f"q must be in [0, 1], got {q!r}")
        c = np.cumsum(self.probabilities)
        idx = np.minimum(np.searchsorted(c, qa * c[-1], side="left"), c.size - 1)
        return self.distances[idx]

    def mean(self) -> float:
        """Mean distance (over the kept branches, renormalized)."""
        return float(self.probabilities @ self.distances / self.probabilities.sum())


def _segment(smoothed: SmoothedClassifier, x_inside: Any, x_outside: Any) -> tuple[Any, ...]:
    xi = as_vector("x_inside", x_inside, smoothed.dim)
    xo = as_vector("x_outside", x_outside, smoothed.dim)
    step = xo - xi
    length = float(np.sqrt(np.einsum("j,j->", step, step)))
    if length == 0.0:
        raise ValueError("x_inside and x_outside must differ")
    return xi, xo, step[None, :], length


def _search(
    smoothed: SmoothedClassifier,
    xi: FloatArray,
    basis: FloatArray,
    label: int,
    steps: int,
    queries: int,
    runs: int,
) -> tuple[FloatArray, FloatArray]:
    """``runs`` independent bisections in lockstep; the final brackets (low, high)."""
    lo = np.zeros(runs)
    hi = np.ones(runs)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        counts = smoothed._family_counts(xi, basis, mid[:, None], queries)
        lab = _vote_labels(
            counts.reshape(runs * queries, smoothed.n_classes),
            np.full(runs * queries, label),
            smoothed._ties,
            smoothed.rng,
        ).reshape(runs, queries)
        adversarial = 2 * np.count_nonzero(lab != label, axis=1) > queries
        hi = np.where(adversarial, mid, hi)
        lo = np.where(adversarial, lo, mid)
    return lo, hi


def binary_search(
    smoothed: Any,
    x_inside: Any,
    x_outside: Any,
    steps: Any,
    queries_per_step: Any = 1,
    label: Any = None,
) -> SearchResult:
    """Bisect the segment from ``x_inside`` to ``x_outside`` against :math:`g_{\\sigma,n}`.

    The search that decision-based attacks (HopSkipJump, SurFree, RayS) use
    to reach the frontier: with the bracket :math:`[l, h] = [0, 1]` on
    :math:`x(t) = x_{\\text{in}} + t\\,(x_{\\text{out}} - x_{\\text{in}})`,
    each step queries the midpoint :math:`t` ``queries_per_step`` times and
    moves :math:`h \\leftarrow t` if a strict majority of the answers differ
    from ``label`` (adversarial), else :math:`l \\leftarrow t`.  Against a
    deterministic classifier the end point is within :math:`2^{-\\text{steps}}`
    of a frontier; against :math:`g_{\\sigma,n}` every answer near the
    frontier is a coin flip, and the end point is random (Maho et al. 2022,
    section 3.4, Figure 3): see :func:`binary_search_spread` and its exact
    law, :func:`search_distribution`.  The search does not check that
    ``x_outside`` is adversarial (a randomized classifier may say either);
    the end point is then simply near ``x_outside``.

    Parameters
    ----------
    smoothed : SmoothedClassifier
        The classifier queried (its generator and query counters advance).
    x_inside, x_outside : array_like, shape (dim,)
        The ends of the segment, finite and distinct.
    steps : int
        Number of bisection steps, ``>= 1``.
    queries_per_step : int, optional
        Draws per step, decided by strict majority (default 1).
    label : int, optional
        The label under attack; default :math:`f(x_{\\text{in}})`.

    Returns
    -------
    SearchResult
        The end point :math:`x(h)` (the adversarial side of the final
        bracket), its distance :math:`h\\,\\|x_{\\text{out}} - x_{\\text{in}}\\|`
        to ``x_inside``, the bracket, and the queries spent.

    Raises
    ------
    ValueError
        On a bad argument (named in the message).

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier, binary_search
    >>> g = SmoothedClassifier(Linear([1.0, 0.0], -1.0, inside_label=0), 0.1, 101, rng=0)
    >>> r = binary_search(g, [0.0, 0.0], [4.0, 0.0], steps=20)
    >>> abs(r.distance - 1.0) < 0.05, r.queries, r.base_calls  # frontier at x_0 = 1
    (True, 20, 2020)
    """
    g = _as_smoothed(smoothed)
    xi, _, basis, length = _segment(g, x_inside, x_outside)
    k = _as_int("steps", steps, 1)
    q = _as_int("queries_per_step", queries_per_step, 1)
    lab = _default_label(g, xi, label)
    before = g.queries, g.base_calls
    lo, hi = _search(g, xi, basis, lab, k, q, 1)
    return SearchResult(
        point=xi + hi[0] * basis[0],
        distance=float(hi[0] * length),
        low=float(lo[0]),
        high=float(hi[0]),
        label=lab,
        queries=g.queries - before[0],
        base_calls=g.base_calls - before[1],
    )


def binary_search_spread(
    smoothed: Any,
    x_inside: Any,
    x_outside: Any,
    steps: Any,
    repeats: Any,
    queries_per_step: Any = 1,
    label: Any = None,
) -> SearchSpread:
    """Repeat :func:`binary_search` and return the spread of its end point (Figure 3).

    ``repeats`` independent searches (run in lockstep, one batch of queries
    per step).  Beside the distances, the exact position of the frontier of
    the ideal :math:`g_\\sigma` on the segment (where :math:`\\pi_y = 1/2`)
    for a binary analytic base; the exact law of the end point is
    :func:`search_distribution`.  As :math:`n` grows the end points
    concentrate on that frontier: near it :math:`P[g_{\\sigma,n} \\ne y]`
    rises from 0 to 1 over a width of order :math:`\\sigma/\\sqrt n` (for a
    flat frontier crossed at right angles,
    :math:`P \\approx \\Phi\\big(2\\sqrt{n}\\,\\varphi(0)\\,s/\\sigma\\big)` at signed
    distance :math:`s` past it), which bounds how well the search can do.

    Parameters
    ----------
    smoothed, x_inside, x_outside, steps, queries_per_step, label
        As :func:`binary_search`.
    repeats : int
        Number of searches, ``>= 1``.

    Returns
    -------
    SearchSpread

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier, binary_search_spread
    >>> f = Linear([1.0, 0.0], -1.0, inside_label=0)
    >>> spread = [np.std(binary_search_spread(
    ...     SmoothedClassifier(f, 0.5, n, rng=1), [0, 0], [4, 0], 16, 400).distances)
    ...     for n in (1, 100)]
    >>> bool(spread[1] < spread[0] / 5)  # sd ~ sigma/sqrt(n)
    True
    """
    g = _as_smoothed(smoothed)
    xi, _, basis, length = _segment(g, x_inside, x_outside)
    k = _as_int("steps", steps, 1)
    reps = _as_int("repeats", repeats, 1)
    q = _as_int("queries_per_step", queries_per_step, 1)
    lab = _default_label(g, xi, label)
    before = g.queries, g.base_calls
    _, hi = _search(g, xi, basis, lab, k, q, reps)
    frontier = None
    if g.analytic:
        frontier = _smoothed_crossing(g, xi, basis[0], lab, 1.0)
        frontier = None if frontier is None else frontier * length
    return SearchSpread(
        distances=hi * length,
        length=length,
        frontier=frontier,
        label=lab,
        queries=g.queries - before[0],
        base_calls=g.base_calls - before[1],
        n=g.n,
        sigma=g.sigma,
    )


def _adversarial_decision(
    g: SmoothedClassifier, xi: FloatArray, basis: FloatArray, label: int, t: FloatArray, q: int
) -> FloatArray:
    """Exact probability that a step at ``t`` decides "adversarial" (binary analytic)."""
    prob = g._family_probability(xi, basis, t[:, None])
    p = majority_vote_probability_array(
        np.ascontiguousarray(prob[:, 1 - label]), np.full(t.size, float(g.n)), g._ties
    )
    if q == 1:
        return p
    return majority_vote_probability_array(  # a strict majority of q answers
        np.clip(p, 0.0, 1.0), np.full(t.size, float(q)), TIES_LOSE
    )


def search_distribution(
    smoothed: Any,
    x_inside: Any,
    x_outside: Any,
    steps: Any,
    queries_per_step: Any = 1,
    label: Any = None,
    drop: Any = _DROP,
) -> SearchDistribution:
    """Exact law of the end point of :func:`binary_search` (binary analytic base).

    Each step's answer depends only on the midpoint queried: it is
    "adversarial" with probability

    .. math::

        a(t) = P\\big[\\mathrm{Bin}(m, P_{\\text{win}}(1 - \\pi_y(x(t)), n)) > m/2\\big],

    :math:`m` = ``queries_per_step`` (:math:`a = P_{\\text{win}}` for
    :math:`m = 1`), independently of the past.  So the probability of a
    path of the bisection is the product of its answers' probabilities, and
    the end point :math:`h` takes the values :math:`j\\,2^{-\\text{steps}}`
    with probabilities computed level by level (branches whose probability
    falls below ``drop`` are dropped and their mass reported).  This is the
    distribution that :func:`binary_search_spread` samples, computed from
    :math:`\\pi_y` alone; the cost is one exact probability per live branch
    and level (a few thousand for the figures' settings).

    Parameters
    ----------
    smoothed, x_inside, x_outside, steps, queries_per_step, label
        As :func:`binary_search`; ``steps`` at most 52.  The classifier's
        generator is not used.
    drop : float, optional
        Branches of probability below this are dropped (default ``1e-15``),
        in ``[0, 1)``.

    Returns
    -------
    SearchDistribution
        Distances (increasing) and their probabilities, the dropped mass.

    Raises
    ------
    ValueError
        If the base classifier has no exact probabilities, or on a bad
        argument.

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier, search_distribution
    >>> g = SmoothedClassifier(Linear([1.0, 0.0], -1.0, inside_label=0), 0.5, 11)
    >>> law = search_distribution(g, [0.0, 0.0], [4.0, 0.0], steps=12)
    >>> round(float(law.probabilities.sum() + law.dropped), 12)
    1.0
    >>> round(float(law.quantile(0.5)), 2)  # the median end point sits on the frontier x_0 = 1
    1.0
    """
    g = _as_smoothed(smoothed)
    g._require_analytic("search_distribution")
    xi, _, basis, length = _segment(g, x_inside, x_outside)
    k = _as_int("steps", steps, 1)
    if k > 52:
        raise ValueError(f"steps must be <= 52 (the bracket is exact in doubles), got {steps!r}")
    q = _as_int("queries_per_step", queries_per_step, 1)
    lab = _default_label(g, xi, label)
    eps = _as_scalar("drop", drop)
    if not 0.0 <= eps < 1.0:
        raise ValueError(f"drop must be in [0, 1), got {drop!r}")
    lo = np.zeros(1)
    hi = np.ones(1)
    mass = np.ones(1)
    dropped = 0.0
    for _ in range(k):
        mid = 0.5 * (lo + hi)
        a = _adversarial_decision(g, xi, basis, lab, mid, q)
        lo = np.concatenate((lo, mid))  # adversarial: [lo, mid]; else [mid, hi]
        hi = np.concatenate((mid, hi))
        mass = np.concatenate((mass * a, mass * (1.0 - a)))
        keep = mass >= eps if eps > 0.0 else mass > 0.0
        dropped += float(mass[~keep].sum())
        lo, hi, mass = lo[keep], hi[keep], mass[keep]
    order = np.argsort(hi)
    return SearchDistribution(
        distances=hi[order] * length, probabilities=mass[order], dropped=dropped, length=length
    )


# --------------------------------------------------------------------------- frontiers on a ray


def _smoothed_crossing(
    g: SmoothedClassifier, origin: FloatArray, step: FloatArray, label: int, t_max: float
) -> float | None:
    """First ``t`` in ``[0, t_max]`` where :math:`\\pi_y` crosses 1/2 along ``origin + t step``."""
    basis = step[None, :]

    def gap(t: FloatArray) -> FloatArray:
        lp = g._family_probability(origin, basis, np.atleast_1d(t)[:, None], log=True)
        return lp[:, label] - lp[:, 1 - label]  # log(pi_y / pi_other): 0 on the frontier

    grid = np.linspace(0.0, t_max, 257)
    values = gap(grid)
    sign = values > 0.0
    change = np.flatnonzero(sign[:-1] != sign[1:])
    if change.size == 0:
        return None
    i = int(change[0])
    if values[i] == 0.0:
        return float(grid[i])
    return float(
        scipy.optimize.brentq(
            lambda t: float(gap(np.array([t]))[0]), grid[i], grid[i + 1], xtol=1e-14 * t_max
        )
    )


def _base_crossing(
    base: Any, origin: FloatArray, step: FloatArray, label: int, grid: FloatArray
) -> float:
    """First ``t`` of ``grid`` (then bisected) where ``f(origin + t step) != label``, or inf."""
    size = max(1, _NUMBERS // origin.size)
    first = -1
    for start in range(0, grid.size, size):
        part = grid[start : start + size]
        labels = np.asarray(base.decide(origin + part[:, None] * step)).ravel()
        bad = np.flatnonzero(labels != label)
        if bad.size:
            first = start + int(bad[0])
            break
    if first < 0:
        return math.inf
    if first == 0:
        return float(grid[0])
    lo, hi = float(grid[first - 1]), float(grid[first])
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if int(np.asarray(base.decide(origin + mid * step)).ravel()[0]) != label:
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- direction scan


class DirectionScan(NamedTuple):
    """Result of :func:`direction_scan` (arrays over ``distances``)."""

    distances: FloatArray
    #: fraction of the ``repeats`` draws whose label differs from ``label``
    estimate: FloatArray
    #: Clopper-Pearson interval at total level ``alpha``
    low: FloatArray
    high: FloatArray
    #: exact P[g_{sigma,n} != label] (binary analytic base), else None
    exact: FloatArray | None
    #: exact pi_label (binary analytic base), else None
    pi: FloatArray | None
    #: certified L2 radius of ``label`` at ``x_o`` (see direction_scan)
    radius: float
    #: level-Pa distance bounds (eq. 6), one per entry of ``pa``
    pa: FloatArray
    level_bounds: FloatArray
    #: distance along the ray where f's label first differs from ``label`` (inf if none)
    base_frontier: float
    #: distance where pi_label first crosses 1/2 (binary analytic base), else None
    smoothed_frontier: float | None
    label: int
    #: the classifier's votes per query and noise level
    n: int
    sigma: float


def direction_scan(
    smoothed: Any,
    x_o: Any,
    direction: Any,
    distances: Any,
    repeats: Any,
    label: Any = None,
    *,
    pa: Any = (0.5, 0.8),
    alpha: Any = 0.001,
    certify_n: Any = 100_000,
) -> DirectionScan:
    """:math:`P[g_{\\sigma,n}(x_o + t u) \\ne y]` along a ray (Maho et al. 2022, Figure 1).

    At each distance :math:`t`, ``repeats`` fresh draws of
    :math:`g_{\\sigma,n}` at :math:`x_o + t\\,u` (:math:`u` the unit
    ``direction``) estimate the probability that the practical classifier
    leaves ``label``, with a Clopper-Pearson interval.  Marked beside it:

    * ``radius``: the certified L2 radius of ``label`` at :math:`x_o`; for a
      binary analytic base the ideal one,
      :math:`\\sigma\\Phi^{-1}(\\pi_y(x_o))` from the exact probability
      (rounded down), otherwise Cohen's CERTIFY from ``certify_n`` fresh
      base votes (plus 100 for the selection) at level ``alpha``
      (0 when it abstains or certifies another class);
    * ``level_bounds``: the paper's eq. (6) lower bound on the distance of a
      level-:math:`P_a` adversarial example, for each ``pa``
      (:func:`rstheory.levels.level_distance_bound`, ties as ``smoothed``);
    * ``base_frontier``: where :math:`f` itself first leaves ``label`` along
      the ray (grid, then bisection to a double), ``inf`` if it does not
      within ``distances``;
    * the exact curve :math:`P_{\\text{win}}(1 - \\pi_y, n)`, :math:`\\pi_y`
      and the frontier of :math:`g_\\sigma` (:math:`\\pi_y = 1/2`) for a
      binary analytic base.

    Parameters
    ----------
    smoothed : SmoothedClassifier
    x_o : array_like, shape (dim,)
        The input.
    direction : array_like, shape (dim,)
        Direction of the ray (normalized here; nonzero).
    distances : array_like, 1-D
        Distances :math:`t \\ge 0` along the ray, finite.
    repeats : int
        Draws per distance, ``>= 1``.
    label : int, optional
        The label :math:`y` under attack; default :math:`f(x_o)`.
    pa : float or sequence of float, optional
        Levels of the eq. (6) bounds, in ``(0, 1)`` (default 0.5 and 0.8).
    alpha : float, optional
        Level of the intervals and of CERTIFY (default 0.001).
    certify_n : int, optional
        Estimation votes of CERTIFY for a base without exact probabilities.

    Returns
    -------
    DirectionScan

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Ball
    >>> from rstheory.simulate import SmoothedClassifier, direction_scan
    >>> d = 3 * 224 * 224
    >>> g = SmoothedClassifier(Ball(np.zeros(d), 100.0), sigma=0.25, n=10, rng=0)
    >>> u = np.zeros(d); u[0] = 1.0
    >>> s = direction_scan(g, np.zeros(d), u, np.linspace(0, 40, 9), repeats=50)
    >>> s.base_frontier  # f's own frontier: the sphere of radius 100 is beyond the scan
    inf
    >>> round(s.smoothed_frontier, 2)  # g_sigma's frontier is much closer
    24.33
    >>> s.estimate
    array([0.  , 0.  , 0.  , 0.  , 0.  , 0.98, 1.  , 1.  , 1.  ])
    """
    g = _as_smoothed(smoothed)
    xo = as_vector("x_o", x_o, g.dim)
    u = _unit("direction", direction, g.dim)
    t = as_finite("distances", distances)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"distances must be a non-empty 1-D array, got shape {t.shape}")
    if (t < 0.0).any():
        raise ValueError(f"distances must be >= 0, got {t[t < 0.0][:3].tolist()!r}")
    reps = _as_int("repeats", repeats, 1)
    a = as_real("alpha", alpha, 0.0, 1.0)
    lab = _default_label(g, xo, label)
    levels = np.atleast_1d(as_finite("pa", pa)).astype(float)
    if levels.ndim != 1 or ((levels <= 0.0) | (levels >= 1.0)).any():
        raise ValueError(f"pa must be levels in (0, 1), got {pa!r}")

    basis = u[None, :]
    counts = g._family_counts(xo, basis, t[:, None], reps)
    labels = _vote_labels(
        counts.reshape(t.size * reps, g.n_classes), np.full(t.size * reps, lab), g._ties, g.rng
    ).reshape(t.size, reps)
    hits = np.count_nonzero(labels != lab, axis=1)
    interval = clopper_pearson(hits, reps, a)

    exact = pi = None
    smoothed_frontier = None
    if g.analytic:
        prob = g._family_probability(xo, basis, t[:, None])
        pi = prob[:, lab]
        exact = majority_vote_probability(prob[:, 1 - lab], g.n, g.ties)
        log_pi = g._family_probability(xo, basis, np.zeros((1, 1)), log=True)[0, lab]
        radius = float(gaussian_radius_log_kernel(float(log_pi), g.sigma))
        smoothed_frontier = _smoothed_crossing(g, xo, u, lab, float(t.max()) or 1.0)
    else:
        n_est = _as_int("certify_n", certify_n, 1)
        sampler = getattr(g.base, "sample_counts", None)
        if sampler is None:
            sampler = lambda x, s, n, rng: monte_carlo_counts(g.base, x, s, n, rng)  # noqa: E731
        selection = sampler(xo, g.sigma, 100, rng=g.rng)
        estimation = sampler(xo, g.sigma, n_est, rng=g.rng)
        cert = certify(selection, estimation, g.sigma, a)
        radius = float(cert.radius) if cert.label == lab else 0.0
    bounds = np.asarray(
        level_distance_bound(radius, levels, g.n, g.sigma, g.ties), dtype=float
    ).reshape(levels.shape)
    grid = np.sort(t)
    return DirectionScan(
        distances=t,
        estimate=hits / reps,
        low=np.asarray(interval.low, dtype=float),
        high=np.asarray(interval.high, dtype=float),
        exact=None if exact is None else np.asarray(exact, dtype=float),
        pi=pi,
        radius=radius,
        pa=levels,
        level_bounds=bounds,
        base_frontier=_base_crossing(g.base, xo, u, lab, grid),
        smoothed_frontier=smoothed_frontier,
        label=lab,
        n=g.n,
        sigma=g.sigma,
    )


# --------------------------------------------------------------------------- 2-D slice


class Slice(NamedTuple):
    """Result of :func:`slice_2d`: labels on the plane :math:`x_o + a u + b v`."""

    #: coordinates along u (columns) and v (rows)
    a: FloatArray
    b: FloatArray
    #: labels, shape (len(b), len(a)); one draw of g_{sigma,n} per point, or f's labels
    labels: IntArray
    #: the orthonormal directions used
    u: FloatArray
    v: FloatArray
    #: votes per query (None for the base classifier itself)
    n: int | None
    #: exact pi_c on an ``exact_resolution`` grid (binary analytic base), else None
    probability: FloatArray | None
    exact_a: FloatArray | None
    exact_b: FloatArray | None


def _as_extent(extent: Any) -> tuple[float, float, float, float]:
    e = as_finite("extent", extent)
    if e.ndim == 0:
        if float(e) <= 0.0:
            raise ValueError(f"extent must be > 0, got {extent!r}")
        return -float(e), float(e), -float(e), float(e)
    if e.shape != (4,) or not (e[0] < e[1] and e[2] < e[3]):
        raise ValueError(
            f"extent must be a scalar > 0 or (a_min, a_max, b_min, b_max) with min < max, "
            f"got {extent!r}"
        )
    return float(e[0]), float(e[1]), float(e[2]), float(e[3])


def _as_resolution(name: str, value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return _as_int(name, value[0], 2), _as_int(name, value[1], 2)
    r = _as_int(name, value, 2)
    return r, r


def slice_2d(
    smoothed: Any,
    x_o: Any,
    u: Any,
    v: Any,
    extent: Any,
    resolution: Any,
    *,
    exact_resolution: Any = 0,
) -> Slice:
    """The label map of :math:`g_{\\sigma,n}` (or of :math:`f`) on a plane (Figure 2).

    Points :math:`x_o + a\\,\\hat u + b\\,\\hat v` on a ``resolution`` grid
    over ``extent``, where :math:`\\hat u, \\hat v` are ``u`` and ``v``
    orthonormalized (Gram-Schmidt, ``u`` first).  Each point gets one fresh
    draw of :math:`g_{\\sigma,n}` (labels without reference, so ties are
    random): the speckled band along the frontier is the randomness that a
    black-box attack meets, narrowing as :math:`n` grows.  Pass the base
    classifier itself instead of a :class:`SmoothedClassifier` for
    :math:`f`'s own map ("no RS").

    Parameters
    ----------
    smoothed : SmoothedClassifier or Classifier
        What to map.
    x_o : array_like, shape (dim,)
        Centre of the slice.
    u, v : array_like, shape (dim,)
        Directions spanning the plane (independent).
    extent : float or (a_min, a_max, b_min, b_max)
        Half-width of a square slice, or its bounds.
    resolution : int or (int, int)
        Grid points along ``a`` and ``b``, ``>= 2`` each.
    exact_resolution : int, optional
        With a binary analytic base and ``exact_resolution >= 2``, also the
        exact :math:`\\pi_c` on a grid of that many points per axis (for the
        frontier of :math:`g_\\sigma`); default 0, none.

    Returns
    -------
    Slice

    Examples
    --------
    >>> from rstheory.classifiers import Sectors
    >>> from rstheory.simulate import SmoothedClassifier, slice_2d
    >>> f = Sectors(3)
    >>> s = slice_2d(f, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], 1.0, 5)
    >>> s.labels
    array([[1, 2, 2, 2, 2],
           [1, 1, 2, 2, 2],
           [1, 1, 0, 0, 0],
           [1, 1, 0, 0, 0],
           [1, 0, 0, 0, 0]])
    >>> g = SmoothedClassifier(f, sigma=0.5, n=50, rng=0)
    >>> slice_2d(g, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], 1.0, 5).labels.shape
    (5, 5)
    """
    is_smoothed = isinstance(smoothed, SmoothedClassifier)
    if is_smoothed:
        base = smoothed.base
        dim = smoothed.dim
    else:
        base = smoothed
        dim, _ = _check_classifier(base)
    xo = as_vector("x_o", x_o, dim)
    uh = _unit("u", u, dim)
    vv = as_vector("v", v, dim)
    vv = vv - float(np.einsum("j,j->", vv, uh)) * uh
    vnorm = float(np.sqrt(np.einsum("j,j->", vv, vv)))
    vraw = float(np.sqrt(np.einsum("j,j->", as_vector("v", v, dim), as_vector("v", v, dim))))
    if vraw == 0.0 or vnorm <= 1e-12 * vraw:
        raise ValueError("v must not be zero or parallel to u")
    vh = vv / vnorm
    a0, a1, b0, b1 = _as_extent(extent)
    ra, rb = _as_resolution("resolution", resolution)
    er = 0 if exact_resolution in (0, None) else _as_int("exact_resolution", exact_resolution, 2)
    a = np.linspace(a0, a1, ra)
    b = np.linspace(b0, b1, rb)
    coords = np.stack(np.meshgrid(a, b), axis=-1).reshape(-1, 2)
    basis = np.stack((uh, vh))
    if is_smoothed:
        counts = smoothed._family_counts(xo, basis, coords, 1)[:, 0, :]
        labels = _vote_labels(counts, None, smoothed._ties, smoothed.rng)
    elif isinstance(base, _BinaryAnalytic):
        stats = base._affine_stats(xo, basis)(coords)
        labels = np.where(base._stats_decide(stats), base.inside_label, base.outside_label)
    else:
        labels = np.empty(coords.shape[0], dtype=np.int64)
        size = max(1, _NUMBERS // dim)
        for start in range(0, coords.shape[0], size):
            part = coords[start : start + size]
            labels[start : start + size] = np.asarray(base.decide(xo + part @ basis)).ravel()
    probability = ea = eb = None
    if er and isinstance(base, _BinaryAnalytic):
        sigma = smoothed.sigma if is_smoothed else None
        if sigma is None:
            raise ValueError("exact_resolution needs a SmoothedClassifier (it has sigma)")
        ea = np.linspace(a0, a1, er)
        eb = np.linspace(b0, b1, er)
        ec = np.stack(np.meshgrid(ea, eb), axis=-1).reshape(-1, 2)
        probability = smoothed._family_probability(xo, basis, ec).reshape(er, er, 2)
    return Slice(
        a=a,
        b=b,
        labels=labels.astype(np.int64).reshape(rb, ra),
        u=uh,
        v=vh,
        n=smoothed.n if is_smoothed else None,
        probability=probability,
        exact_a=ea,
        exact_b=eb,
    )


# --------------------------------------------------------------------------- normal estimate


class NormalEstimate(NamedTuple):
    """Result of :func:`normal_estimate`."""

    #: unit estimate of the frontier normal, pointing to the adversarial side
    direction: FloatArray
    #: cosine with the true normal (when known), else None
    cosine: float | None
    #: fraction of the probes answered adversarial
    adversarial_fraction: float
    queries: int
    base_calls: int


def _true_normal(g: SmoothedClassifier, xb: FloatArray, label: int, normal: Any) -> Any:
    if normal is not None:
        return _unit("normal", normal, g.dim)
    if not g.analytic:
        return None
    grad = g.base.score_gradient(xb)
    norm = float(np.sqrt(np.einsum("j,j->", grad, grad)))
    if norm == 0.0:
        return None
    sign = -1.0 if label == g.base.inside_label else 1.0  # towards the other class
    return sign * grad / norm


def normal_estimate(
    smoothed: Any,
    x_b: Any,
    delta: Any,
    queries: Any,
    label: Any = None,
    normal: Any = None,
) -> NormalEstimate:
    """HopSkipJump's estimate of the frontier normal at ``x_b`` from noisy signs (section 3.5).

    Probes :math:`x_b + \\delta Z_i`, :math:`Z_i \\sim \\mathcal N(0, I_d)`
    (:math:`i = 1..B`): :math:`\\delta` is a noise level per coordinate, like
    :math:`\\sigma`, so that the two compare directly.  With
    :math:`\\phi_i = +1` if one draw of :math:`g_{\\sigma,n}(x_b + \\delta Z_i)`
    differs from ``label`` (adversarial), :math:`-1` otherwise, and
    :math:`u_i = Z_i/\\|Z_i\\|` (uniform on the sphere), the estimate is
    HopSkipJump's (Chen et al. 2020, eq. 16, with the baseline
    :math:`\\bar\\phi` that reduces its variance)

    .. math::

        \\widehat{\\nabla} = \\frac{1}{B - 1} \\sum_{i=1}^{B} (\\phi_i - \\bar\\phi)\\, u_i,

    normalized (:math:`\\sum_i \\phi_i u_i` when all the signs agree and the
    baseline cancels it).  HopSkipJump probes a sphere of radius
    :math:`\\delta_{\\text{HSJA}}`; here its radius is
    :math:`\\delta\\|Z_i\\| \\approx \\delta\\sqrt d`.  Against
    :math:`g_{\\sigma,n}` the signs are random, more so for small ``n``: a
    probe moves across the frontier by :math:`\\delta\\, Z_i\\cdot\\hat n
    \\sim \\mathcal N(0, \\delta^2)`, and the vote notices it only beyond
    the width of its random band, of order :math:`\\sigma/\\sqrt n`; Maho et
    al. observe that the estimate stays correlated with the true normal
    when :math:`\\delta` exceeds :math:`\\sigma`.  For a flat frontier the
    expected cosine is :func:`linear_normal_cosine`.

    Parameters
    ----------
    smoothed : SmoothedClassifier
    x_b : array_like, shape (dim,)
        The point (normally on the frontier, e.g. a binary search's end).
    delta : float
        Noise level of the probes per coordinate, finite and > 0.
    queries : int
        Number of probes :math:`B`, ``>= 2``.
    label : int, optional
        The label under attack; default :math:`f(x_b)`.
    normal : array_like, shape (dim,), optional
        The true normal (pointing to the adversarial side) for the cosine;
        by default, for a binary analytic base, the normal of :math:`f`'s
        level set through ``x_b`` (:math:`\\mp\\nabla G(x_b)`), which for
        ``Linear`` and ``Ball`` is also the normal of :math:`g_\\sigma`'s
        frontier (by symmetry); otherwise no cosine.

    Returns
    -------
    NormalEstimate

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.simulate import SmoothedClassifier, normal_estimate
    >>> f = Linear([1.0, 1.0, 0.0, 0.0], inside_label=0)
    >>> g = SmoothedClassifier(f, sigma=0.1, n=50, rng=0)
    >>> r = normal_estimate(g, [0.0, 0.0, 0.0, 0.0], delta=0.2, queries=500, label=0)
    >>> bool(r.cosine > 0.9), r.queries
    (True, 500)
    """
    g = _as_smoothed(smoothed)
    xb = as_vector("x_b", x_b, g.dim)
    dlt = _as_scalar("delta", delta, positive=True)
    b = _as_int("queries", queries, 2)
    lab = _default_label(g, xb, label)
    true = _true_normal(g, xb, lab, normal)
    before = g.queries, g.base_calls
    weighted = np.zeros(g.dim)
    total = np.zeros(g.dim)
    positives = 0
    size = max(1, min(b, _NUMBERS // g.dim))
    for start in range(0, b, size):
        m = min(size, b - start)
        dirs = g.rng.standard_normal((m, g.dim))
        counts = g._point_counts(xb + dlt * dirs, 1)[:, 0, :]
        dirs /= np.sqrt(np.einsum("ij,ij->i", dirs, dirs))[:, None]
        labels = _vote_labels(counts, np.full(m, lab), g._ties, g.rng)
        phi = np.where(labels != lab, 1.0, -1.0)
        positives += int(np.count_nonzero(phi > 0.0))
        weighted += phi @ dirs
        total += dirs.sum(axis=0)
    mean_phi = (2.0 * positives - b) / b
    estimate = weighted - mean_phi * total
    norm = float(np.sqrt(np.einsum("j,j->", estimate, estimate)))
    if norm == 0.0 or abs(mean_phi) == 1.0:
        estimate = weighted
        norm = float(np.sqrt(np.einsum("j,j->", estimate, estimate)))
    direction = estimate / norm if norm > 0.0 else estimate
    cosine = None if true is None else float(np.einsum("j,j->", direction, true))
    return NormalEstimate(
        direction=direction,
        cosine=cosine,
        adversarial_fraction=positives / b,
        queries=g.queries - before[0],
        base_calls=g.base_calls - before[1],
    )


class NormalStudy(NamedTuple):
    """Result of :func:`normal_study`."""

    ns: IntArray
    #: probe radii delta (absolute)
    deltas: FloatArray
    #: cosines, shape (len(ns), len(deltas), repeats)
    cosines: FloatArray
    sigma: float


def normal_study(
    base: Any,
    x_b: Any,
    sigma: Any,
    ns: Sequence[int] | Any,
    deltas: Any,
    queries: Any,
    repeats: Any,
    label: Any = None,
    normal: Any = None,
    *,
    ties: str = "lose",
    rng: Any = None,
) -> NormalStudy:
    """Cosines of :func:`normal_estimate` vs ``n`` and the probe radius ``delta``.

    For each ``n`` in ``ns`` and ``delta`` in ``deltas``, ``repeats``
    independent estimates from ``queries`` probes each, all drawn from one
    generator (``rng``), against :math:`g_{\\sigma,n}` of ``base``.  Read the
    result against :math:`\\delta/\\sigma` (Maho et al. 2022, section 3.5).

    Returns
    -------
    NormalStudy
        ``cosines[i, j, r]`` for ``ns[i]``, ``deltas[j]``, repeat ``r``.

    Raises
    ------
    ValueError
        If no true normal is known (pass ``normal``), or on a bad argument.
    """
    gen = _as_rng(rng)
    n_list = [_as_int("ns", int(k) if isinstance(k, np.integer) else k, 1) for k in ns]
    if not n_list:
        raise ValueError("ns must not be empty")
    d_arr = np.atleast_1d(as_finite("deltas", deltas)).astype(float)
    if d_arr.ndim != 1 or (d_arr <= 0.0).any():
        raise ValueError(f"deltas must be a 1-D array of values > 0, got {deltas!r}")
    reps = _as_int("repeats", repeats, 1)
    out = np.empty((len(n_list), d_arr.size, reps))
    for i, n in enumerate(n_list):
        g = SmoothedClassifier(base, sigma, n, ties=ties, rng=gen)
        for j, dlt in enumerate(d_arr):
            for r in range(reps):
                est = normal_estimate(g, x_b, float(dlt), queries, label, normal)
                if est.cosine is None:
                    raise ValueError("normal_study needs a true normal: pass normal=")
                out[i, j, r] = est.cosine
    return NormalStudy(
        ns=np.asarray(n_list, dtype=np.int64),
        deltas=d_arr,
        cosines=out,
        sigma=_as_scalar("sigma", sigma, positive=True),
    )


def _sign_moments(n: int, ratio: float, ties: int) -> tuple[float, float, float]:
    """:math:`E[\\phi]`, :math:`E[\\phi s]`, :math:`E[\\phi s^2]` for a flat frontier."""

    def phi(x: float) -> float:
        q = float(scipy.special.ndtr(ratio * x))
        return 2.0 * float(majority_vote_probability_kernel(q, float(n), ties)) - 1.0

    def moment(k: int) -> float:
        def integrand(x: float) -> float:
            return float(phi(x) * x**k * math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))

        total = 0.0
        for lo, hi in ((-40.0, -1.0), (-1.0, 0.0), (0.0, 1.0), (1.0, 40.0)):
            total += scipy.integrate.quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-12)[0]
        return total

    return moment(0), moment(1), moment(2)


def linear_normal_cosine(n: Any, ratio: Any, dim: Any, queries: Any, ties: str = "lose") -> float:
    """Expected cosine of :func:`normal_estimate` on a flat frontier (large-``queries`` limit).

    At a point :math:`x_b` of the frontier of :class:`~rstheory.classifiers.Linear`
    (where :math:`g_\\sigma = f`), a probe :math:`x_b + \\delta Z` with
    :math:`s = Z\\cdot\\hat n \\sim \\mathcal N(0, 1)` along the normal is
    answered adversarial with probability
    :math:`a(s) = P_{\\text{win}}(\\Phi(r s), n)`, :math:`r = \\delta/\\sigma`
    (:func:`rstheory.levels.majority_vote_probability`).  With the moments
    :math:`m = E[\\phi]`, :math:`c = E[\\phi s]`, :math:`w = E[\\phi s^2]` of
    the sign :math:`\\phi = 2\\,\\mathbf 1[\\text{adversarial}] - 1`
    (one-dimensional integrals), the baseline-corrected sum
    :math:`\\sum_i (\\phi_i - \\bar\\phi) Z_i` has a component :math:`Bc`
    along :math:`\\hat n` and, across it, :math:`d - 1` components of
    variance :math:`B(1 - m^2)`; so, to leading order in :math:`1/B`
    (with :math:`\\|Z_i\\|` replaced by its typical value, which the
    normalization removes),

    .. math::

        E[\\cos] \\approx \\frac{c}{\\sqrt{c^2 + \\big((d - 1)(1 - m^2) + v\\big)/B}},
        \\qquad v = 1 + m^2 - 2 m w - c^2 ,

    :math:`v` the variance of :math:`(\\phi - m)s`.  As :math:`r \\to \\infty`,
    :math:`c \\to \\sqrt{2/\\pi}` (the signs are exact); for ``n = 1``,
    :math:`c = \\sqrt{2/\\pi}\\, r/\\sqrt{1 + r^2}`.

    Parameters
    ----------
    n : int
        Votes per query, ``>= 1``.
    ratio : float
        :math:`\\delta/\\sigma`, finite and > 0.
    dim : int
        Dimension :math:`d`, ``>= 1``.
    queries : int
        Probes :math:`B`, ``>= 2``.
    ties : {"lose", "win", "random"}, optional

    Returns
    -------
    float
        The predicted mean cosine, in ``(0, 1]``.

    Examples
    --------
    >>> import math
    >>> from rstheory.simulate import linear_normal_cosine
    >>> round(linear_normal_cosine(1, 1.0, 1, 10**9), 6)  # d = 1: only the sign counts
    1.0
    >>> round(linear_normal_cosine(1, 1.0, 100, 1000), 4)
    0.8727
    """
    k = _as_int("n", int(n) if isinstance(n, np.integer) else n, 1)
    r = _as_scalar("ratio", ratio, positive=True)
    d = _as_int("dim", int(dim) if isinstance(dim, np.integer) else dim, 1)
    b = _as_int("queries", int(queries) if isinstance(queries, np.integer) else queries, 2)
    m, c, w = _sign_moments(k, r, ties_code(ties))
    v = max(0.0, 1.0 + m * m - 2.0 * m * w - c * c)
    return float(c / math.sqrt(c * c + ((d - 1) * (1.0 - m * m) + v) / b))
