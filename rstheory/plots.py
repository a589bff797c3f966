"""Figures of the theory of randomized-smoothing certificates.

Every function returns a :class:`matplotlib.figure.Figure` built directly
(``Figure()``, not ``pyplot``), so no global state or interactive backend is
touched and the figures can be saved from any thread with
``fig.savefig("name.png")`` (Agg).  matplotlib is imported inside the
functions: ``import rstheory`` does not import it (design principle 7).

The numbers drawn are computed by the package's own public functions
(:func:`rstheory.radius.gaussian_radius`, :mod:`rstheory.bounds`,
:mod:`rstheory.planning`, :mod:`rstheory.levels`, :mod:`rstheory.sorm`), so a figure is also a
picture of what the library returns.  The simulation figures
(:func:`plot_direction_scan`, :func:`plot_slices`, :func:`plot_search_spread`,
:func:`plot_normal_cosine`, after Maho, Furon & Le Merrer 2022, Figures 1-3)
draw the result objects of :mod:`rstheory.simulate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = [
    "plot_radius_vs_p",
    "plot_lower_bound_vs_n",
    "plot_max_radius",
    "plot_required_n",
    "plot_radius_distribution",
    "plot_level_threshold",
    "plot_sorm_error",
    "plot_frontier_offset",
    "plot_direction_scan",
    "plot_slices",
    "plot_search_spread",
    "plot_normal_cosine",
    "plot_bound_checks",
    "plot_radius_checks",
    "plot_certify_checks",
    "plot_planning_checks",
    "plot_level_checks",
    "plot_vote_frequency",
    "plot_attack_history",
    "VoteCase",
    "LOWER_BOUND_METHODS",
    "MARGIN_FLOOR",
]

#: Lower-bound methods drawn by :func:`plot_lower_bound_vs_n` (CLI spelling).
LOWER_BOUND_METHODS: tuple[str, ...] = ("clopper-pearson", "hoeffding", "wilson")


def _new_figure(figsize: tuple[float, float]) -> Figure:
    """A pyplot-free figure (the Agg canvas is attached when it is saved)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _lower_bound_function(method: str) -> Any:
    from rstheory import bounds

    table = {
        "clopper-pearson": bounds.clopper_pearson_lower,
        "hoeffding": bounds.hoeffding_lower,
        "wilson": bounds.wilson_lower,
    }
    if method not in table:
        raise ValueError(f"method must be one of {sorted(table)}, got {method!r}")
    return table[method]


def plot_radius_vs_p(
    sigmas: Sequence[float] = (0.12, 0.25, 0.5, 1.0),
    *,
    q_min: float = 1e-15,
    num: int = 400,
    figsize: tuple[float, float] = (6.0, 4.0),
) -> Figure:
    """Certified L2 radius of Gaussian smoothing against the top-class probability.

    One line per noise level :math:`\\sigma`:

    .. math::

        R(p) = \\sigma\\,\\Phi^{-1}(p), \\qquad \\tfrac12 \\le p < 1,

    drawn against :math:`1 - p` on a logarithmic axis (reversed, so ``p`` grows
    to the right), which shows the slow :math:`\\sigma\\sqrt{2 \\log(1/(1-p))}`
    growth of the radius as :math:`p \\to 1` (Cohen et al., 2019, Theorem 1).

    Parameters
    ----------
    sigmas : sequence of float
        Noise levels, each finite and > 0.
    q_min : float, optional
        Smallest :math:`1 - p` drawn, in (0, 0.5).
    num : int, optional
        Number of points per line (>= 2).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one line per sigma (labelled ``sigma = ...``).

    Raises
    ------
    ValueError
        If ``sigmas`` is empty or holds a non-positive value, or ``q_min``/``num``
        is out of range.

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918.
    """
    from rstheory.radius import gaussian_radius

    sig = [float(s) for s in sigmas]
    if not sig:
        raise ValueError("sigmas must hold at least one noise level, got an empty sequence")
    if not (0.0 < q_min < 0.5):
        raise ValueError(f"q_min must lie in (0, 0.5), got {q_min!r}")
    if int(num) < 2:
        raise ValueError(f"num must be >= 2, got {num!r}")
    q = np.logspace(np.log10(0.5), np.log10(q_min), int(num))  # 1 - p, decreasing
    p = 1.0 - q

    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    for s in sig:
        radius = np.asarray(gaussian_radius(p, s), dtype=np.float64)  # validates s
        ax.plot(q, radius, label=f"sigma = {s:g}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("1 - p  (p = probability of the top class)")
    ax.set_ylabel("certified L2 radius  sigma * Phi^-1(p)")
    ax.set_title("Gaussian smoothing: radius vs top-class probability")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def plot_lower_bound_vs_n(
    ratio: float = 0.99,
    alpha: float = 0.001,
    *,
    sigma: float = 0.25,
    n_values: Sequence[int] | None = None,
    methods: Sequence[str] = LOWER_BOUND_METHODS,
    figsize: tuple[float, float] = (6.0, 6.5),
) -> Figure:
    """Lower confidence bounds on :math:`p_A` and the resulting radius against ``n``.

    For each sample size ``n`` the observed count is :math:`k = \\lfloor r n \\rfloor`
    (``r = ratio``).  The top panel shows the one-sided level-:math:`(1-\\alpha)`
    lower bounds of each method (Clopper-Pearson, and the Hoeffding and
    Wilson comparators) with the observed ratio as a dashed line; the bottom
    panel the certified Gaussian radius :math:`\\sigma\\,\\Phi^{-1}(\\underline{p_A})`
    that each bound gives (drawn as 0 where the bound is at most 1/2, where
    Cohen's CERTIFY abstains).

    Parameters
    ----------
    ratio : float, optional
        Observed fraction :math:`k/n` of votes for the top class, in (0, 1].
    alpha : float, optional
        Significance level, in (0, 1).
    sigma : float, optional
        Noise level of the radius panel, > 0.
    n_values : sequence of int, optional
        Sample sizes (>= 1); default: 60 log-spaced values from 10 to 1e9.
    methods : sequence of str, optional
        Subset of ``("clopper-pearson", "hoeffding", "wilson")``.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (bounds, radius), one line per method in each (the top axes
        also holds the dashed ``k/n`` reference line, drawn last).

    Raises
    ------
    ValueError
        On an unknown method or invalid ``ratio``, ``alpha``, ``sigma``, ``n_values``.

    References
    ----------
    C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits
    illustrated in the case of the binomial", Biometrika 26 (1934);
    W. Hoeffding, "Probability inequalities for sums of bounded random
    variables", JASA 58 (1963); E. B. Wilson, "Probable inference, the law of
    succession, and statistical inference", JASA 22 (1927).
    """
    from rstheory.radius import gaussian_radius

    r = float(ratio)
    if not (0.0 < r <= 1.0):
        raise ValueError(f"ratio must lie in (0, 1], got {ratio!r}")
    if n_values is None:
        n = np.unique(np.round(np.logspace(1, 9, 60)))
    else:
        n = np.asarray(n_values, dtype=np.float64).ravel()
        if n.size == 0:
            raise ValueError("n_values must hold at least one sample size, got an empty sequence")
    # floor(r n), forgiving the rounding of r itself (0.99 * 200 is 197.99999999999997)
    k = np.minimum(n, np.floor(r * n * (1.0 + 1e-12)))
    functions = [(m, _lower_bound_function(m)) for m in methods]
    if not functions:
        raise ValueError("methods must name at least one method, got an empty sequence")

    fig = _new_figure(figsize)
    ax_bound, ax_radius = fig.subplots(2, 1, sharex=True)
    for name, function in functions:
        low = np.asarray(function(k, n, alpha), dtype=np.float64)
        radius = np.asarray(gaussian_radius(low, sigma), dtype=np.float64)
        radius = np.where(radius > 0.0, radius, 0.0)
        ax_bound.plot(n, low, marker=".", markersize=3, label=name)
        ax_radius.plot(n, radius, marker=".", markersize=3, label=name)
    ax_bound.plot(n, k / n, linestyle="--", color="0.4", label="k / n")
    ax_bound.set_xscale("log")
    ax_bound.set_ylabel("lower bound on p_A")
    ax_bound.set_title(f"k = floor({r:g} n), alpha = {float(alpha):g}")
    ax_bound.grid(True, which="both", alpha=0.3)
    ax_bound.legend(loc="lower right")
    ax_radius.set_xlabel("number of noise samples n")
    ax_radius.set_ylabel(f"certified L2 radius (sigma = {float(sigma):g})")
    ax_radius.grid(True, which="both", alpha=0.3)
    ax_radius.legend(loc="lower right")
    return fig


def _log_n_grid(n_range: Sequence[float], num: int, name: str = "n_range") -> Any:
    """Distinct integers, log-spaced over ``[lo, hi]`` (both ends included)."""
    try:
        lo, hi = (float(v) for v in n_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a pair (lo, hi) of sample sizes, got {n_range!r}"
        ) from None
    if not (1.0 <= lo < hi <= 2.0**53):
        raise ValueError(f"{name} must satisfy 1 <= lo < hi <= 2**53, got {n_range!r}")
    if int(num) < 2:
        raise ValueError(f"num must be >= 2, got {num!r}")
    n = np.unique(np.round(np.logspace(np.log10(lo), np.log10(hi), int(num))))
    n[0], n[-1] = math.ceil(lo), math.floor(hi)
    return np.unique(n)


def _nonempty(name: str, values: Sequence[Any]) -> list[Any]:
    out = list(values)
    if not out:
        raise ValueError(f"{name} must hold at least one value, got an empty sequence")
    return out


def plot_max_radius(
    alphas: Sequence[float] = (1e-2, 1e-3, 1e-6, 1e-10),
    n_range: Sequence[float] = (10, 1e9),
    sigma: float = 1.0,
    *,
    num: int = 200,
    figsize: tuple[float, float] = (6.0, 4.0),
) -> Figure:
    """The largest radius CERTIFY can return against the number of samples ``n``.

    One line per significance level :math:`\\alpha`:

    .. math::

        R_{\\max}(n) = \\sigma\\,\\Phi^{-1}\\!\\left(\\alpha^{1/n}\\right),

    the radius of ``n`` unanimous votes (:func:`rstheory.planning.max_radius`),
    on a logarithmic ``n`` axis: it grows only like
    :math:`\\sigma\\sqrt{2 \\log n}`, so no classifier, however accurate,
    certifies more than about :math:`4\\sigma` with ``n = 1e5`` samples at
    :math:`\\alpha = 10^{-3}` (Cohen et al., 2019).  Drawn as 0 where the value
    is negative (:math:`\\alpha^{1/n} < 1/2`: CERTIFY always abstains).

    Parameters
    ----------
    alphas : sequence of float
        Significance levels, each in (0, 1).
    n_range : (float, float), optional
        Smallest and largest ``n``, ``1 <= lo < hi <= 2**53``.
    sigma : float, optional
        Noise level, > 0 (the radius is proportional to it).
    num : int, optional
        Number of log-spaced sample sizes (>= 2; repeated integers are merged).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one line per alpha (labelled ``alpha = ...``).

    Raises
    ------
    ValueError
        If ``alphas`` is empty or holds a value outside (0, 1), ``n_range`` or
        ``num`` is invalid, or ``sigma`` is not positive.

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918.
    """
    from rstheory.planning import max_radius

    levels = [float(a) for a in _nonempty("alphas", alphas)]
    n = _log_n_grid(n_range, num)
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    for a in levels:
        radius = np.asarray(max_radius(n, sigma, a), dtype=np.float64)  # validates a, sigma
        ax.plot(n, np.maximum(radius, 0.0), label=f"alpha = {a:g}")
    ax.set_xscale("log")
    ax.set_xlabel("number of noise samples n")
    ax.set_ylabel(f"max certified L2 radius (sigma = {float(sigma):g})")
    ax.set_title("Largest radius CERTIFY can return: sigma * Phi^-1(alpha^(1/n))")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def plot_required_n(
    radii: Sequence[float] | None = None,
    ps: Sequence[float] = (1.0, 0.999, 0.99, 0.9),
    sigma: float = 1.0,
    alpha: float = 0.001,
    power: float = 0.5,
    *,
    figsize: tuple[float, float] = (6.0, 4.0),
) -> Figure:
    """The number of samples needed to certify a radius, against the radius.

    One line per top-class probability ``p``: the least ``n`` at which CERTIFY
    certifies ``radius`` with probability at least ``power``
    (:func:`rstheory.planning.required_n`; for ``p = 1``, the least ``n`` with
    :math:`\\sigma\\Phi^{-1}(\\alpha^{1/n}) \\ge r`), on a logarithmic ``n``
    axis.  For ``p < 1`` a radius at or beyond the true radius
    :math:`\\sigma\\Phi^{-1}(p)` can never be certified with more than
    probability :math:`\\alpha`: those radii (where ``required_n`` raises) are
    left as gaps, and the legend names the limit.

    Parameters
    ----------
    radii : sequence of float, optional
        Target radii, each finite and >= 0; default 80 values from
        ``0.05 sigma`` to ``4 sigma``.
    ps : sequence of float
        Top-class probabilities, each in (0, 1].
    sigma : float, optional
        Noise level, > 0.
    alpha : float, optional
        Significance level of CERTIFY, in (0, 1).
    power : float, optional
        Required probability of certifying, in (0, 1) (ignored for ``p = 1``).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one line per ``p`` (labelled ``p = ...``; NaN where the
        radius is unreachable).

    Raises
    ------
    ValueError
        If ``ps`` or ``radii`` is empty, or an argument is invalid (a radius
        that is unreachable for some ``p`` is not an error).

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918.
    """
    from scipy.special import ndtri

    from rstheory._validate import as_alpha, as_positive, as_probability
    from rstheory.planning import required_n

    s = float(as_positive("sigma", sigma))
    a = float(as_alpha("alpha", alpha))
    w = float(as_alpha("power", power))
    probs = [float(p) for p in _nonempty("ps", ps)]
    for p in probs:
        if not (0.0 < float(as_probability("p", p)) <= 1.0):
            raise ValueError(f"p must lie in (0, 1], got {p!r}")
    if radii is None:
        r = np.linspace(0.05, 4.0, 80) * s
    else:
        r = np.asarray(radii, dtype=np.float64).ravel()
        if r.size == 0:
            raise ValueError("radii must hold at least one radius, got an empty sequence")
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    for p in probs:
        n = np.full(r.shape, np.nan)
        for i, radius in enumerate(r):
            try:
                n[i] = required_n(float(radius), s, a, p, w)
            except ValueError:
                if not (np.isfinite(radius) and radius >= 0.0):
                    raise
                # unreachable: beyond the true radius, or more than 2**53 samples
        label = f"p = {p:g}"
        if p < 1.0:
            label += f" (unreachable from r = {s * float(ndtri(p)):.3g})"
        ax.plot(r, n, marker=".", markersize=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel(f"target L2 radius (sigma = {s:g})")
    ax.set_ylabel("required number of samples n")
    ax.set_title(f"Samples needed to certify a radius (alpha = {a:g}, power = {w:g})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_radius_distribution(
    cases: Sequence[tuple[float, int]] = ((0.7, 100), (0.9, 1000), (0.99, 1000), (0.99, 10**5)),
    sigma: float = 0.25,
    alpha: float = 0.001,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The law of the radius CERTIFY returns, one panel per ``(p, n)``.

    With the top-class count :math:`K \\sim \\mathrm{Bin}(n, p)`, CERTIFY
    returns the radius :math:`\\sigma\\Phi^{-1}(\\mathrm{CP}_{\\text{lower}}(K, n,
    \\alpha))` or abstains (:func:`rstheory.planning.radius_distribution`).
    Each panel draws :math:`P[K = k]` against the radius of ``k`` (a stem
    plot), the expected radius :func:`rstheory.planning.expected_radius`
    (abstention counted as 0) as a dashed vertical line, and annotates the
    abstention probability, which has no radius.  The radius axis shows the
    counts whose probability is at least ``1e-6`` times the largest one (and
    the mean); every count of the distribution is drawn.

    Parameters
    ----------
    cases : sequence of (float, int)
        ``(p, n)`` pairs: top-class probability in [0, 1] and number of
        estimation samples >= 1.
    sigma : float, optional
        Noise level, > 0.
    alpha : float, optional
        Significance level of CERTIFY, in (0, 1).
    figsize : (float, float), optional
        Figure size in inches; default from the number of panels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per case (two columns), each holding the markers of the
        distribution (first line, data = the library's radii and
        probabilities), the expected-radius line (second line), the stems
        (a line collection) and a text with ``P[abstain]``.

    Raises
    ------
    ValueError
        If ``cases`` is empty or a case is not a valid ``(p, n)`` pair.

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918.
    """
    from rstheory.planning import expected_radius, radius_distribution

    pairs = []
    for case in _nonempty("cases", cases):
        try:
            p, n = case
        except (TypeError, ValueError):
            raise ValueError(f"each case must be a pair (p, n), got {case!r}") from None
        pairs.append((p, n))
    cols = 1 if len(pairs) == 1 else 2
    rows = math.ceil(len(pairs) / cols)
    size = figsize if figsize is not None else (5.0 * cols, 3.4 * rows)
    fig = _new_figure(size)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (p, n) in zip(axes, pairs, strict=False):
        dist = radius_distribution(p, n, sigma, alpha)  # validates p, n, sigma, alpha
        mean = float(expected_radius(p, n, sigma, alpha))
        ax.plot(dist.radius, dist.probability, "o", markersize=2.5, label="P[K = k]")
        ax.axvline(mean, color="0.3", linestyle="--", label=f"E[R] = {mean:.4g}")
        ax.vlines(dist.radius, 0.0, dist.probability, linewidth=1.0)
        ax.text(
            0.97,
            0.78,
            f"P[abstain] = {float(dist.abstain):.3g}",
            transform=ax.transAxes,
            va="top",
            ha="right",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        )
        ax.set_ylim(bottom=0.0)
        shown = dist.radius[dist.probability >= 1e-6 * float(dist.probability.max(initial=0.0))]
        if shown.size >= 2 and shown[-1] > shown[0]:  # the far tails are invisible anyway
            pad = 0.05 * float(shown[-1] - shown[0])
            lo, hi = float(shown[0]) - pad, float(shown[-1]) + pad
            ax.set_xlim(min(lo, mean - pad), max(hi, mean + pad))
        ax.set_title(f"p = {float(p):g}, n = {int(n):,}")
        ax.set_xlabel(f"certified L2 radius (sigma = {float(sigma):g})")
        ax.set_ylabel("probability")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize="small")
    for ax in axes[len(pairs) :]:
        fig.delaxes(ax)
    fig.suptitle(f"Radius returned by CERTIFY (alpha = {float(alpha):g})")
    return fig


def plot_level_threshold(
    pas: Sequence[float] = (0.5, 0.8, 0.95, 0.99),
    n_range: Sequence[float] = (1, 1e6),
    ties: str = "lose",
    *,
    num: int = 200,
    figsize: tuple[float, float] = (6.0, 4.0),
) -> Figure:
    """The level-:math:`P_a` threshold :math:`\\pi_0^*` against the number of votes ``n``.

    A point whose original class has smoothed probability :math:`\\pi_0` is a
    level-:math:`P_a` adversarial example of the ``n``-vote smoothed classifier
    when :math:`\\pi_0 \\le \\pi_0^*` (Maho, Furon & Le Merrer 2022, eq. 5;
    :func:`rstheory.levels.level_threshold`).  One line per :math:`P_a`, on a
    logarithmic ``n`` axis, with a dashed reference line at 1/2 (drawn last):
    as ``n`` grows the majority vote sharpens and :math:`\\pi_0^*` tends to
    1/2, roughly as :math:`\\tfrac12 - \\Phi^{-1}(P_a)/(2\\sqrt n)`.  Under
    ``ties="lose"`` even ``n`` (where the attacker loses a tie) lie below
    their odd neighbours, hence the zigzag at small ``n``.

    Parameters
    ----------
    pas : sequence of float
        Attack levels, each in (0, 1).
    n_range : (float, float), optional
        Smallest and largest ``n``, ``1 <= lo < hi <= 2**53``.
    ties : {"lose", "win", "random"}, optional
        Tie rule for even ``n``.
    num : int, optional
        Number of log-spaced vote counts (>= 2; repeated integers are merged).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: one line per ``pa`` (labelled ``Pa = ...``), then the 1/2
        reference line.

    Raises
    ------
    ValueError
        If ``pas`` is empty or holds a value outside (0, 1), or ``n_range``,
        ``num`` or ``ties`` is invalid.

    References
    ----------
    T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how
    good is it in practice?", ICASSP 2022.
    """
    from rstheory.levels import level_threshold

    levels = [float(p) for p in _nonempty("pas", pas)]
    n = _log_n_grid(n_range, num)
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    for pa in levels:
        threshold = np.asarray(level_threshold(pa, n, ties), dtype=np.float64)
        ax.plot(n, threshold, marker=".", markersize=2, linewidth=1.0, label=f"Pa = {pa:g}")
    ax.axhline(0.5, color="0.4", linestyle="--", linewidth=1.0, label="1/2")
    ax.set_xscale("log")
    ax.set_xlabel("number of votes n")
    ax.set_ylabel("threshold pi0* on the smoothed probability")
    ax.set_title(f"Level-Pa adversarial threshold (ties: {ties})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def plot_sorm_error(
    beta: float = 3.0,
    dims: Sequence[int] = (2, 10, 100),
    bk_range: Sequence[float] = (-0.5, 6.0),
    *,
    num: int = 60,
    figsize: tuple[float, float] = (10.0, 4.0),
) -> Figure:
    """Relative error of FORM and the SORM formulas against :math:`\\beta\\kappa`.

    Two panels, the exact paraboloid (the surface SORM expands,
    :func:`rstheory.sorm.paraboloid_probability`) and the exact sphere
    (:func:`rstheory.sorm.sphere_probability`), both with ``d - 1`` equal
    curvatures :math:`\\kappa` at distance ``beta``: :math:`|\\hat P/P - 1|`
    on a log axis clipped at 1e4 (:func:`rstheory.sorm.approximation_errors`),
    one colour per method, one line style per dimension.  Where an
    approximation breaks down (``inf``) its line stops.  In high dimension the
    errors explode with :math:`\\beta\\kappa`: what matters there is
    :math:`\\sum_i\\kappa_i`, not :math:`\\beta\\kappa` alone.

    Parameters
    ----------
    beta : float
        Distance to the frontier in units of :math:`\\sigma` (> 0).
    dims : sequence of int
        Dimensions ``d >= 2``.
    bk_range : (float, float)
        Range of :math:`\\beta\\kappa`, with ``lo > -1`` (the sphere's centre
        must stay beyond the point).
    num : int, optional
        Number of :math:`\\beta\\kappa` values (>= 2).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (paraboloid, sphere), one line per (method, d).

    Raises
    ------
    ValueError
        For ``beta <= 0``, empty ``dims``, a bad range or ``num``.
    """
    from rstheory.sorm import METHODS, approximation_errors

    if not (math.isfinite(beta) and beta > 0):
        raise ValueError(f"beta must be positive and finite, got {beta!r}")
    dimensions = [int(d) for d in _nonempty("dims", dims)]
    lo, hi = (float(v) for v in bk_range)
    if not (-1.0 < lo < hi and math.isfinite(hi)):
        raise ValueError(f"bk_range must satisfy -1 < lo < hi < inf, got {tuple(bk_range)!r}")
    if int(num) < 2:
        raise ValueError(f"num must be at least 2, got {num!r}")
    bk = np.linspace(lo, hi, int(num))
    bk = bk[bk != 0.0]
    fig = _new_figure(figsize)
    styles = ["-", "--", ":", "-."]
    colors = {name: f"C{i}" for i, name in enumerate(METHODS)}
    for col, surface in enumerate(("paraboloid", "sphere")):
        ax = fig.add_subplot(1, 2, col + 1)
        for j, d in enumerate(dimensions):
            err = approximation_errors(beta, bk / beta, d, surface)
            for name in METHODS:
                rel = np.abs(np.expm1(np.minimum(err[name], 700.0)))
                rel = np.where(np.isinf(err[name]), np.nan, rel)
                ax.plot(
                    bk,
                    np.maximum(rel, 1e-17),
                    color=colors[name],
                    linestyle=styles[j % len(styles)],
                    linewidth=1.2,
                    label=f"{name}, d = {d}",
                )
        ax.set_yscale("log")
        ax.set_ylim(1e-10, 1e4)  # beyond 1e4 the approximation is meaningless anyway
        ax.set_xlabel("beta * kappa")
        ax.set_ylabel("|relative error|")
        ax.set_title(f"SORM vs the exact {surface} (beta = {beta:g})")
        ax.grid(True, which="both", alpha=0.3)
        if col == 0:
            ax.legend(fontsize="small", ncol=2)
    return fig


def plot_frontier_offset(
    d: int = 10,
    kappa_range: Sequence[float] = (-0.5, 1.0),
    sigma: float = 1.0,
    *,
    num: int = 61,
    figsize: tuple[float, float] = (6.5, 4.5),
) -> Figure:
    """Where the smoothed frontier :math:`\\pi_0 = 1/2` sits, against the curvature.

    For a frontier with ``d - 1`` equal curvatures :math:`\\kappa`
    (units of 1/length), the offset along the normal of the smoothed
    classifier's frontier relative to the base classifier's
    (:func:`rstheory.sorm.smoothed_frontier_offset`, positive into the far
    region): exactly for the paraboloid and the sphere, by the SORM formulas,
    and the first-order law :math:`\\tfrac{\\sigma^2}{2}\\sum\\kappa_i`
    (dashed).  The seed paper's qualitative claim (the smoothed frontier moves
    in convex regions and out in concave ones), made quantitative.  The
    sphere's curve ends where the smoothed ball vanishes or fills the space
    (offset :math:`\\pm\\infty`); a SORM curve ends where the approximation
    breaks down.  Breitung's formula always gives 0.

    Parameters
    ----------
    d : int
        Dimension (>= 2).
    kappa_range : (float, float)
        Range of the curvature (units of 1/length).
    sigma : float
        Noise level (> 0).
    num : int, optional
        Number of curvatures (>= 2).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, offset (units of sigma) against sigma * kappa.
    """
    from rstheory.sorm import smoothed_frontier_offset

    if int(d) < 2:
        raise ValueError(f"d must be at least 2, got {d!r}")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be positive and finite, got {sigma!r}")
    lo, hi = (float(v) for v in kappa_range)
    if not (lo < hi and math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"kappa_range must be finite with lo < hi, got {tuple(kappa_range)!r}")
    if int(num) < 2:
        raise ValueError(f"num must be at least 2, got {num!r}")
    kappa = np.linspace(lo, hi, int(num))
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    for method, style in (
        ("exact", "-"),
        ("sphere", "-"),
        ("hohenbichler", "-."),
        ("tvedt", ":"),
        ("breitung", "-"),
    ):
        values = np.full(kappa.size, np.nan)
        for i, k in enumerate(kappa):
            if method == "sphere" and k == 0.0:
                values[i] = 0.0
                continue
            try:
                v = smoothed_frontier_offset(np.full(int(d) - 1, k), sigma, method)
            except ValueError:  # the approximation breaks down here
                continue
            values[i] = v / sigma if math.isfinite(v) else np.nan
        label = "exact paraboloid" if method == "exact" else method
        ax.plot(sigma * kappa, values, linestyle=style, linewidth=1.4, label=label)
    first = 0.5 * sigma * (int(d) - 1) * kappa
    ax.plot(
        sigma * kappa,
        first,
        color="0.4",
        linestyle="--",
        linewidth=1.0,
        label="first order: sigma^2/2 * sum kappa",
    )
    ax.axhline(0.0, color="0.7", linewidth=0.8)
    ax.set_xlabel("sigma * kappa (each of the d - 1 curvatures)")
    ax.set_ylabel("offset of the smoothed frontier / sigma")
    ax.set_title(f"Smoothed frontier offset, d = {int(d)} (> 0: into the far region)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


# --------------------------------------------------------------------------- simulation


def _sequence_of(name: str, values: Any, kind: type, what: str) -> list[Any]:
    """A non-empty list of ``kind`` instances (a single instance is not accepted)."""
    if isinstance(values, kind) or isinstance(values, (str, bytes)):
        raise ValueError(
            f"{name} must be a sequence of {what}, got a single {type(values).__name__}"
        )
    try:
        out = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of {what}, got {values!r}") from None
    if not out:
        raise ValueError(f"{name} must hold at least one {what}, got an empty sequence")
    for i, v in enumerate(out):
        if not isinstance(v, kind):
            raise ValueError(f"{name}[{i}] must be a {what}, got {type(v).__name__}")
    return out


def _labels_for(
    labels: Sequence[str] | None, count: int, default: Any, name: str = "labels"
) -> list[str]:
    """``count`` strings: ``labels`` checked, or ``default(i)`` for each ``i``."""
    if labels is None:
        return [default(i) for i in range(count)]
    if isinstance(labels, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of {count} strings, got {labels!r}")
    out = [str(v) for v in labels]
    if len(out) != count:
        raise ValueError(f"{name} must hold {count} strings (one per result), got {len(out)}")
    return out


#: line styles of the level-Pa bounds in :func:`plot_direction_scan`, by position in ``pa``
_PA_STYLES: tuple[Any, ...] = (":", "--", (0, (1, 3)), (0, (5, 1, 1, 1, 1, 1)))


def plot_direction_scan(
    scans: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    ax: Any = None,
    figsize: tuple[float, float] = (7.0, 4.5),
) -> Figure:
    """Probability that :math:`g_{\\sigma,n}` leaves the label along a ray (Maho et al., Fig. 1).

    For each :class:`rstheory.simulate.DirectionScan` (one per ``n``), the
    Monte Carlo estimate of :math:`P[g_{\\sigma,n}(x_o + t u) \\ne y]`
    against the distance :math:`t` (markers) with its Clopper-Pearson band,
    and the exact curve :math:`P_{\\text{win}}(1 - \\pi_y, n)` (a line in
    the same colour) when the scan has one.  Vertical markers: the certified
    radius of :math:`g_\\sigma` at :math:`x_o` (black, solid); the level-:math:`P_a`
    distance bounds of eq. (6) (thin, the scan's colour, dotted for the first
    :math:`P_a`, dashed for the second, ...); the frontier of :math:`g_\\sigma`
    on the ray (black, dash-dot) and that of :math:`f` (thick grey; only if
    finite and inside the scanned range).  Markers that several scans share (same
    value) are drawn once.  The gap between the certified radius and the
    place where the practical classifier actually flips is the paper's
    point: the certificate is far from the frontier that an attacker meets.

    Parameters
    ----------
    scans : sequence of DirectionScan
        Results of :func:`rstheory.simulate.direction_scan`.
    labels : sequence of str, optional
        Legend entry per scan; default ``"n = <n>"`` from each scan
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (and return their figure) instead of a new figure.
    figsize : (float, float), optional
        Size of a new figure in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The axes hold, per scan, the estimate line (markers) then the exact
        line if any; then the vertical lines: each distinct certified
        radius, each scan's level bounds, the frontier of :math:`f` (if
        shown) and each distinct frontier of :math:`g_\\sigma`.  The bands
        are ``PolyCollection`` s.

    Raises
    ------
    ValueError
        If ``scans`` is empty or holds something else than a
        ``DirectionScan``, or ``labels`` has the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Ball
    >>> from rstheory.plots import plot_direction_scan
    >>> from rstheory.simulate import SmoothedClassifier, direction_scan
    >>> u = np.eye(50)[0]
    >>> scans = [direction_scan(SmoothedClassifier(Ball(np.zeros(50), 3.0), 0.25, n, rng=n),
    ...                         np.zeros(50), u, np.linspace(0, 4, 21), 40) for n in (1, 10)]
    >>> fig = plot_direction_scan(scans, labels=["n = 1", "n = 10"])
    >>> len(fig.axes[0].lines)  # 2 x (estimate, exact), radius, 4 level bounds, 2 frontiers
    11

    References
    ----------
    T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how
    good is it in practice?", ICASSP 2022.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from rstheory.simulate import DirectionScan

    items = _sequence_of("scans", scans, DirectionScan, "DirectionScan")
    names = _labels_for(labels, len(items), lambda i: f"n = {items[i].n}")
    if ax is None:
        fig = _new_figure(figsize)
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    t_min = min(float(np.min(s.distances)) for s in items)
    t_max = max(float(np.max(s.distances)) for s in items)
    handles: list[Any] = []
    for i, (scan, name) in enumerate(zip(items, names, strict=True)):
        color = f"C{i % 10}"
        order = np.argsort(np.asarray(scan.distances, dtype=float), kind="stable")
        t = np.asarray(scan.distances, dtype=float)[order]
        ax.fill_between(
            t,
            np.asarray(scan.low, dtype=float)[order],
            np.asarray(scan.high, dtype=float)[order],
            color=color,
            alpha=0.18,
            linewidth=0,
        )
        (line,) = ax.plot(
            t,
            np.asarray(scan.estimate, dtype=float)[order],
            "o",
            color=color,
            markersize=2.5,
            label=name,
        )
        handles.append(line)
        if scan.exact is not None:
            ax.plot(t, np.asarray(scan.exact, dtype=float)[order], "-", color=color, lw=1.0)
    if any(s.exact is not None for s in items):
        handles.append(Line2D([], [], color="0.3", lw=1.0, label="exact (lines)"))
    handles.append(Patch(color="0.3", alpha=0.18, label="Clopper-Pearson interval"))

    def distinct(values: list[float]) -> list[float]:
        out: list[float] = []
        for v in values:
            if not any(math.isclose(v, w, rel_tol=1e-9, abs_tol=1e-12) for w in out):
                out.append(v)
        return out

    first = True
    for r in distinct([float(s.radius) for s in items]):
        line = ax.axvline(r, color="k", lw=1.3, label="certified radius" if first else None)
        if first:
            handles.append(line)
        first = False
    styles_used: dict[int, float] = {}
    for i, scan in enumerate(items):
        for j, bound in enumerate(np.asarray(scan.level_bounds, dtype=float).ravel()):
            pa = float(np.asarray(scan.pa, dtype=float).ravel()[j])
            ax.axvline(bound, color=f"C{i % 10}", lw=1.0, ls=_PA_STYLES[j % len(_PA_STYLES)])
            styles_used.setdefault(j, pa)
    for j, pa in styles_used.items():
        handles.append(
            Line2D(
                [],
                [],
                color="0.3",
                lw=1.0,
                ls=_PA_STYLES[j % len(_PA_STYLES)],
                label=f"level bound, Pa = {pa:g}",
            )
        )
    first = True
    for b in distinct([float(s.base_frontier) for s in items]):
        if math.isfinite(b) and t_min <= b <= t_max:
            line = ax.axvline(b, color="0.5", lw=2.5, alpha=0.7, label="frontier of f")
            if first:
                handles.append(line)
            first = False
    first = True
    frontiers = [float(s.smoothed_frontier) for s in items if s.smoothed_frontier is not None]
    for b in distinct(frontiers):
        line = ax.axvline(b, color="k", lw=1.3, ls="-.", label="frontier of g_sigma")
        if first:
            handles.append(line)
        first = False
    ax.set_xlim(t_min, t_max)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("distance t from x_o along the ray")
    ax.set_ylabel("P[g_sigma,n(x_o + t u) != y]")
    ax.set_title("Practical smoothed classifier along a ray")
    ax.grid(True, alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="center right")
    result: Figure = fig
    return result


def plot_slices(
    slices: Sequence[Any],
    *,
    titles: Sequence[str] | None = None,
    panel_size: float = 3.0,
) -> Figure:
    """Label maps of :math:`f` and :math:`g_{\\sigma,n}` on a plane (Maho et al., Fig. 2).

    One panel per :class:`rstheory.simulate.Slice`, left to right: the
    labels (one fresh draw of :math:`g_{\\sigma,n}` per pixel, or :math:`f`'s
    labels) in discrete colours, one per class, with the exact frontier of
    the ideal :math:`g_\\sigma` drawn over it (thin black dashes) where the slice
    carries exact probabilities (``slice.probability``): the zero contour of
    :math:`\\log\\pi_0 - \\log\\pi_1` on the ``exact_a`` x ``exact_b`` grid
    (the log-odds varies smoothly where :math:`\\pi_0` is a steep step, so a
    coarse grid places the frontier well).  The speckled band around that
    line is where one query of the practical classifier is a coin flip; it
    narrows as ``n`` grows.

    Parameters
    ----------
    slices : sequence of Slice
        Results of :func:`rstheory.simulate.slice_2d`.
    titles : sequence of str, optional
        Panel titles; default ``"f (no RS)"`` for a slice of the base
        classifier and ``"n = ..."`` otherwise.
    panel_size : float, optional
        Width of a panel in inches (> 0).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per slice, each with one image (``ax.images``) and, where
        drawn, one frontier contour (``ax.collections``); the class colours
        and the frontier are in a figure legend.

    Raises
    ------
    ValueError
        If ``slices`` is empty or holds something else than a ``Slice``,
        ``titles`` has the wrong length, or ``panel_size`` is not positive.

    Examples
    --------
    >>> from rstheory.classifiers import Sectors
    >>> from rstheory.plots import plot_slices
    >>> from rstheory.simulate import SmoothedClassifier, slice_2d
    >>> f = Sectors(3)
    >>> g = SmoothedClassifier(f, 0.25, 10, rng=0)
    >>> fig = plot_slices([slice_2d(c, [0, 0], [1, 0], [0, 1], 1.5, 40) for c in (f, g)])
    >>> [ax.get_title() for ax in fig.axes]
    ['f (no RS)', 'n = 10']

    References
    ----------
    T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how
    good is it in practice?", ICASSP 2022.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from rstheory.simulate import Slice

    items = _sequence_of("slices", slices, Slice, "Slice")
    if titles is None:
        names = ["f (no RS)" if s.n is None else f"n = {s.n}" for s in items]
    else:
        names = _labels_for(titles, len(items), str, "titles")
    if not (math.isfinite(panel_size) and panel_size > 0):
        raise ValueError(f"panel_size must be positive and finite, got {panel_size!r}")
    classes = max(2, max(int(np.max(s.labels)) + 1 for s in items))
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"]
    colors = [palette[c % len(palette)] for c in range(classes)]
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(classes + 1) - 0.5, classes)
    fig = _new_figure((panel_size * len(items) + 0.4, panel_size + 0.9))
    axes = fig.subplots(1, len(items), squeeze=False)[0]
    drew_frontier = False
    for k, (ax, sl, name) in enumerate(zip(axes, items, names, strict=True)):
        a = np.asarray(sl.a, dtype=float)
        b = np.asarray(sl.b, dtype=float)
        ax.imshow(
            np.asarray(sl.labels),
            origin="lower",
            extent=(a[0], a[-1], b[0], b[-1]),
            cmap=cmap,
            norm=norm,
            interpolation="nearest",
            aspect="equal",
        )
        if sl.probability is not None and sl.exact_a is not None and sl.exact_b is not None:
            p = np.asarray(sl.probability, dtype=float)
            tiny = np.finfo(float).tiny
            odds = np.log(np.maximum(p[..., 0], tiny)) - np.log(np.maximum(p[..., 1], tiny))
            if np.nanmin(odds) < 0.0 < np.nanmax(odds):
                ax.contour(
                    np.asarray(sl.exact_a, dtype=float),
                    np.asarray(sl.exact_b, dtype=float),
                    odds,
                    levels=[0.0],
                    colors="k",
                    linewidths=0.8,
                    linestyles="--",
                )
                drew_frontier = True
        ax.set_title(name)
        ax.set_xlabel("a (along u)")
        if k == 0:
            ax.set_ylabel("b (along v)")
    handles: list[Any] = [Patch(color=colors[c], label=f"label {c}") for c in range(classes)]
    if drew_frontier:
        handles.append(
            Line2D([], [], color="k", lw=0.8, ls="--", label="frontier of g_sigma (exact)")
        )
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize="small")
    return fig


def plot_search_spread(
    spreads: Sequence[Any],
    distributions: Sequence[Any] | None = None,
    *,
    labels: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.0, 4.5),
) -> Figure:
    """Where a binary search against :math:`g_{\\sigma,n}` ends (Maho et al., Fig. 3).

    Empirical distribution functions of the end points' distances
    (:class:`rstheory.simulate.SearchSpread`, one per ``n``) as steps, each
    with its exact law (:class:`rstheory.simulate.SearchDistribution`, from
    :func:`rstheory.simulate.search_distribution`) as a dashed step in the
    same colour, and the frontier of the ideal :math:`g_\\sigma` on the
    segment (vertical line).  Distribution functions on one axis show both
    messages at once: the searches centre on :math:`g_\\sigma`'s frontier
    (not :math:`f`'s), and the spread shrinks as ``n`` grows (steeper
    curves), roughly like :math:`\\sigma/\\sqrt n`.  The axis spans the
    0.1% to 99.9% quantiles of all the samples.

    Parameters
    ----------
    spreads : sequence of SearchSpread
        Results of :func:`rstheory.simulate.binary_search_spread`.
    distributions : sequence of SearchDistribution or None, optional
        Exact laws, one per spread (an entry may be None).
    labels : sequence of str, optional
        Legend entry per spread; default ``"n = <n>"`` from each spread
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: per spread its empirical CDF (a line), then its exact CDF
        if given; then one vertical line per distinct frontier.

    Raises
    ------
    ValueError
        If ``spreads`` is empty or holds something else than a
        ``SearchSpread``, ``distributions`` has the wrong length or type,
        or ``labels`` has the wrong length.

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.plots import plot_search_spread
    >>> from rstheory.simulate import (SmoothedClassifier, binary_search_spread,
    ...                                search_distribution)
    >>> g = SmoothedClassifier(Linear([1.0, 0.0], -1.0, inside_label=0), 0.5, 11, rng=0)
    >>> spread = binary_search_spread(g, [0, 0], [4, 0], 12, 200)
    >>> law = search_distribution(g, [0, 0], [4, 0], 12)
    >>> fig = plot_search_spread([spread], [law], labels=["n = 11"])
    >>> len(fig.axes[0].lines)  # empirical CDF, exact CDF, frontier x_0 = 1
    3
    """
    from matplotlib.lines import Line2D

    from rstheory.simulate import SearchDistribution, SearchSpread

    items = _sequence_of("spreads", spreads, SearchSpread, "SearchSpread")
    if distributions is None:
        laws: list[Any] = [None] * len(items)
    else:
        if isinstance(distributions, SearchDistribution):
            raise ValueError("distributions must be a sequence (one per spread), got a single one")
        laws = list(distributions)
        if len(laws) != len(items):
            raise ValueError(
                f"distributions must hold {len(items)} laws (one per spread), got {len(laws)}"
            )
        for i, law in enumerate(laws):
            if law is not None and not isinstance(law, SearchDistribution):
                raise ValueError(
                    f"distributions[{i}] must be a SearchDistribution or None, "
                    f"got {type(law).__name__}"
                )
    names = _labels_for(labels, len(items), lambda i: f"n = {items[i].n}")
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    samples = np.concatenate([np.asarray(s.distances, dtype=float).ravel() for s in items])
    if samples.size == 0:
        raise ValueError("spreads must hold at least one end point")
    lo, hi = (float(v) for v in np.quantile(samples, [0.001, 0.999]))
    handles: list[Any] = []
    for i, (spread, law, name) in enumerate(zip(items, laws, names, strict=True)):
        color = f"C{i % 10}"
        x = np.sort(np.asarray(spread.distances, dtype=float).ravel())
        y = np.arange(1, x.size + 1) / x.size
        (line,) = ax.step(x, y, where="post", color=color, lw=1.4, label=name)
        handles.append(line)
        if law is not None:
            d = np.asarray(law.distances, dtype=float)
            ax.step(d, law.cdf(d), where="post", color=color, lw=1.0, ls="--")
    if any(law is not None for law in laws):
        handles.append(Line2D([], [], color="0.3", lw=1.0, ls="--", label="exact law"))
    frontiers: list[float] = []
    for s in items:
        f = s.frontier
        if f is not None and not any(math.isclose(f, g, rel_tol=1e-9) for g in frontiers):
            frontiers.append(float(f))
    for k, f in enumerate(frontiers):
        line = ax.axvline(f, color="k", lw=1.2, ls="-.", label="frontier of g_sigma")
        if k == 0:
            handles.append(line)
    points = [lo, hi, *frontiers]
    left, right = min(points), max(points)
    pad = 0.05 * (right - left) if right > left else 1.0
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("distance of the search's end point to x_inside")
    ax.set_ylabel("P[end point distance <= t]")
    ax.set_title("Binary search against g_sigma,n: end points")
    ax.grid(True, alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="lower right")
    return fig


def plot_normal_cosine(
    study: Any,
    theory: Any = None,
    *,
    figsize: tuple[float, float] = (6.5, 4.5),
) -> Figure:
    """Cosine of HopSkipJump's normal estimate with the true normal vs :math:`\\delta/\\sigma`.

    From a :class:`rstheory.simulate.NormalStudy`: for each ``n`` the mean
    cosine over the repeats with standard-error bars
    (:math:`s/\\sqrt{\\text{repeats}}`), against the probe radius in units of
    the smoothing noise, :math:`\\delta/\\sigma`, on a log axis; and, if
    ``theory`` is given (e.g. :func:`rstheory.simulate.linear_normal_cosine`
    for each ``n`` and ratio), the predicted mean as a dashed line in the
    same colour.  Small ``n`` needs a larger :math:`\\delta` for the same
    quality: the probes must cross the random band of the vote (Maho et al.
    2022, section 3.5).

    Parameters
    ----------
    study : NormalStudy
        Result of :func:`rstheory.simulate.normal_study`.
    theory : array_like, shape (len(ns), len(deltas)), optional
        Predicted mean cosines.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: one errorbar container per ``n`` (``ax.containers``, its
        data line labelled ``"n = ..."``), then one dashed theory line per
        ``n`` if ``theory`` is given.

    Raises
    ------
    ValueError
        If ``study`` is not a ``NormalStudy`` with cosines of shape
        ``(len(ns), len(deltas), repeats)``, or ``theory`` has the wrong
        shape or a non-finite value.

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.plots import plot_normal_cosine
    >>> from rstheory.simulate import linear_normal_cosine, normal_study
    >>> ratios = np.array([0.2, 1.0, 4.0])
    >>> study = normal_study(Linear(np.eye(10)[0], inside_label=0), np.zeros(10), 0.25,
    ...                      [1, 25], 0.25 * ratios, 100, 3, label=0, rng=0)
    >>> theory = [[linear_normal_cosine(n, r, 10, 100) for r in ratios] for n in (1, 25)]
    >>> fig = plot_normal_cosine(study, theory)
    >>> len(fig.axes[0].containers), len(fig.axes[0].lines)  # errorbars; data + theory lines
    (2, 4)
    """
    from matplotlib.lines import Line2D

    from rstheory.simulate import NormalStudy

    if not isinstance(study, NormalStudy):
        raise ValueError(f"study must be a NormalStudy, got {type(study).__name__}")
    ns = np.asarray(study.ns).ravel()
    deltas = np.asarray(study.deltas, dtype=float).ravel()
    cos = np.asarray(study.cosines, dtype=float)
    if (
        cos.ndim != 3
        or cos.shape[:2] != (ns.size, deltas.size)
        or cos.shape[2] < 1
        or ns.size == 0
        or deltas.size == 0
    ):
        raise ValueError(
            f"study.cosines must have shape (len(ns), len(deltas), repeats) = "
            f"({ns.size}, {deltas.size}, >= 1), got {cos.shape}"
        )
    if not (math.isfinite(study.sigma) and study.sigma > 0):
        raise ValueError(f"study.sigma must be positive and finite, got {study.sigma!r}")
    pred = None
    if theory is not None:
        pred = np.asarray(theory, dtype=float)
        if pred.shape != (ns.size, deltas.size):
            raise ValueError(
                f"theory must have shape (len(ns), len(deltas)) = ({ns.size}, {deltas.size}), "
                f"got {pred.shape}"
            )
        if not np.all(np.isfinite(pred)):
            raise ValueError("theory must be finite")
    ratio = deltas / float(study.sigma)
    reps = cos.shape[2]
    mean = cos.mean(axis=2)
    se = cos.std(axis=2, ddof=1) / math.sqrt(reps) if reps > 1 else np.zeros_like(mean)
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    handles: list[Any] = []
    for i, n in enumerate(ns):
        container = ax.errorbar(
            ratio,
            mean[i],
            yerr=se[i],
            color=f"C{i % 10}",
            marker="o",
            markersize=3.5,
            lw=1.2,
            capsize=0,
            label=f"n = {int(n)}",
        )
        handles.append(container)
    if pred is not None:
        for i in range(ns.size):
            ax.plot(ratio, pred[i], color=f"C{i % 10}", lw=1.0, ls="--")
        handles.append(Line2D([], [], color="0.3", lw=1.0, ls="--", label="theory (flat frontier)"))
    ax.set_xscale("log")
    ax.set_ylim(min(0.0, float(np.min(mean - se)) - 0.02), 1.0)
    ax.set_xlabel("probe radius per coordinate / smoothing noise, delta / sigma")
    ax.set_ylabel("cosine with the true normal")
    ax.set_title(f"Normal estimate from noisy signs ({reps} repeats, mean +- s.e.)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="lower right")
    return fig


# --------------------------------------------------------------------------- verification
# Figures that check the library against an independent answer: the mpmath twins of
# rstheory.reference, exact probabilities, or seeded Monte Carlo runs.

#: Margins at or below this value are drawn on it (an exact result has margin 0).
MARGIN_FLOOR = 1e-18


def _rng_of(rng: Any) -> np.random.Generator:
    """A NumPy generator from a seed or a generator (validated as everywhere in rstheory)."""
    from rstheory.classifiers import _as_rng

    return _as_rng(rng)


def _decorate(
    ax: Any, xlabel: str, ylabel: str, title: str, legend: str = "best", *, log: bool = False
) -> None:
    """Labels, title, grid and a small legend of one axes of the verification figures."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    ax.grid(True, which="both" if log else "major", alpha=0.3)
    ax.legend(fontsize="x-small", loc=legend)


def _certify_runs(
    generator: np.random.Generator,
    p: float,
    n: int,
    runs: int,
    sigma: float,
    alpha: float,
    n0: int | None = None,
) -> tuple[Any, Any]:
    """Labels and radii of ``runs`` CERTIFY calls on two-class binomial counts.

    Class 0 has probability ``p``; the selection sample has ``n0`` votes, or, with
    ``n0=None``, selects class 0 (as :func:`rstheory.planning.certification_probability`
    assumes).
    """
    from rstheory.certify import certify

    if n0 is None:
        sel = np.tile([1, 0], (runs, 1))
    else:
        top = generator.binomial(n0, p, runs)
        sel = np.stack([top, n0 - top], axis=1)
    k = generator.binomial(n, p, runs)
    return certify(sel, np.stack([k, n - k], axis=1), sigma, alpha)


def _safe_margins(kernel: Any, twin: Sequence[Any], sign: float) -> Any:
    """Relative distance of double results from their mpmath twins, positive on the safe side.

    ``sign * (twin - kernel) / |twin|``: ``sign = +1`` for a value that must not
    exceed the exact one (a lower bound, a radius), ``-1`` for one that must not be
    below it (an upper bound, a requirement).  0 where both are 0; ``+-inf`` where
    only the twin is 0.
    """
    import mpmath

    out = np.empty(len(twin))
    for i, (k, t) in enumerate(zip(np.asarray(kernel, dtype=float).ravel(), twin, strict=True)):
        diff = sign * (mpmath.mpf(t) - mpmath.mpf(float(k)))
        if t == 0:
            out[i] = 0.0 if diff == 0 else math.copysign(math.inf, float(diff))
        else:
            out[i] = float(diff / abs(mpmath.mpf(t)))
    return out


def _margin_lines(
    ax: Any, x: Any, margins: Any, label: str, color: str, linestyle: str = "-"
) -> int:
    """Safe margins as a line (floored at MARGIN_FLOOR), unsafe ones as red crosses."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(margins, dtype=float)
    safe = m >= 0.0
    ax.plot(
        x,
        np.where(safe, np.clip(m, MARGIN_FLOOR, 1.0), np.nan),
        marker=".",
        markersize=3,
        lw=1.0,
        ls=linestyle,
        color=color,
        label=label,
    )
    unsafe = int(np.count_nonzero(~safe))
    if unsafe:
        ax.plot(x[~safe], np.clip(-m[~safe], MARGIN_FLOOR, 1.0), "x", color="red", ms=7,
                label=f"{label}: UNSAFE")  # fmt: skip
    return unsafe


def _finish_margin_axes(ax: Any, unsafe: int, total: int, xlabel: str, title: str) -> None:
    ax.set_yscale("log")
    ax.axhline(2.0**-52, color="0.5", lw=0.8, ls=":", label="eps = 2^-52")
    _decorate(ax, xlabel, "(exact - computed) / |exact|, safe side", title, "lower right", log=True)
    ax.text(
        0.02,
        0.97,
        f"unsafe: {unsafe} of {total}",
        transform=ax.transAxes,
        va="top",
        ha="left",
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
    )


def _frequency_bars(
    ax: Any, x: Any, k: Any, n: Any, alpha: float, color: str, label: str | None, marker: str = "o"
) -> Any:
    """Monte Carlo frequencies ``k / n`` with their two-sided Clopper-Pearson intervals."""
    from rstheory.bounds import clopper_pearson

    k = np.asarray(k, dtype=float)
    n = np.broadcast_to(np.asarray(n, dtype=float), k.shape)
    freq = k / n
    low, high = clopper_pearson(k, n, alpha)
    err = np.vstack([freq - np.asarray(low), np.asarray(high) - freq])
    return ax.errorbar(
        np.asarray(x, dtype=float),
        freq,
        yerr=np.maximum(err, 0.0),
        fmt=marker,
        color=color,
        markersize=3.5,
        elinewidth=1.0,
        capsize=0,
        label=label,
    )


def _lower_coverage(lower: Any, n: int, p: Any) -> Any:
    """Exact :math:`P_p[\\text{lower}(K) \\le p]` for the bounds ``lower[k]``, k = 0..n."""
    from scipy.stats import binom

    # lower[k] increases in k: the bound covers p iff K <= (number of k with lower[k] <= p) - 1
    kmax = np.searchsorted(np.asarray(lower, dtype=float), p, side="right") - 1
    return np.where(kmax >= 0, binom.cdf(kmax, n, p), 0.0)


def plot_bound_checks(
    n: int = 50,
    alpha: float = 0.05,
    *,
    twin_ns: Sequence[int] = (10, 1000, 10**6),
    twin_alpha: float = 1e-3,
    points: int = 25,
    figsize: tuple[float, float] = (10.0, 4.0),
) -> Figure:
    """Coverage of the one-sided lower bounds, and Clopper-Pearson against its mpmath twin.

    Left: the exact coverage :math:`C(p) = P_p[\\underline p(K, n, \\alpha) \\le p]`,
    :math:`K \\sim \\mathrm{Bin}(n, p)`, of each lower bound of
    :mod:`rstheory.bounds` (Clopper-Pearson, Wilson, Hoeffding), against the true
    :math:`p`.  With the bounds :math:`\\underline p(k)` increasing in ``k``,

    .. math::

        C(p) = P_p[K \\le k_{\\max}(p)], \\qquad
        k_{\\max}(p) = \\max\\{k : \\underline p(k) \\le p\\},

    a binomial distribution function (no simulation).  Clopper-Pearson never drops
    below :math:`1 - \\alpha` (its infimum is :math:`1 - \\alpha`, approached just
    below each :math:`\\underline p(k)`); Wilson's score bound does.

    Right: the safe-side margin of the Clopper-Pearson kernels against the 50-digit
    twins of :mod:`rstheory.reference`, :math:`(\\text{exact} -
    \\text{computed})/\\text{exact}` for the lower bound and its negative for the
    upper bound, against :math:`k/n`, one colour per ``n``: every point must be
    positive (never on the unsafe side); exact results (0 at ``k = 0``, 1 at
    ``k = n``) are drawn at :data:`MARGIN_FLOOR`.

    Parameters
    ----------
    n : int, optional
        Sample size of the coverage panel (>= 1).
    alpha : float, optional
        Level of the coverage panel, in (0, 1).
    twin_ns : sequence of int, optional
        Sample sizes of the margin panel.
    twin_alpha : float, optional
        Level of the margin panel, in (0, 1).
    points : int, optional
        Counts ``k`` per ``n`` in the margin panel (>= 2; ``0, 1, n-1, n`` always).
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes.  Coverage: one line per method (labels ``clopper-pearson``,
        ``wilson``, ``hoeffding``), then the ``1 - alpha`` line.  Margins: per ``n``
        a lower-bound line (``lower, n = ...``) and an upper-bound line
        (``upper, n = ...``), red crosses for unsafe points if any, and the text
        ``unsafe: u of N``.

    Raises
    ------
    ValueError
        If an argument is out of range (the message names it).

    References
    ----------
    C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits
    illustrated in the case of the binomial", Biometrika 26 (1934); L. D. Brown,
    T. T. Cai, A. DasGupta, "Interval estimation for a binomial proportion",
    Statistical Science 16 (2001).
    """
    from rstheory import reference
    from rstheory._validate import as_alpha, as_int
    from rstheory.bounds import clopper_pearson_lower, clopper_pearson_upper

    size = as_int("n", n, 1)
    level = float(as_alpha("alpha", alpha))
    twin_level = float(as_alpha("twin_alpha", twin_alpha))
    count = as_int("points", points, 2)
    sizes = [as_int("twin_ns", v, 1) for v in _nonempty("twin_ns", twin_ns)]

    fig = _new_figure(figsize)
    ax_cov, ax_twin = fig.subplots(1, 2)
    k = np.arange(size + 1, dtype=float)
    p = np.linspace(0.0, 1.0, 1201)[1:-1]
    for name in LOWER_BOUND_METHODS:
        lower = np.asarray(_lower_bound_function(name)(k, size, level), dtype=float)
        ax_cov.plot(p, _lower_coverage(lower, size, p), lw=1.0, label=name)
    ax_cov.axhline(1.0 - level, color="k", lw=1.0, ls="--", label=f"1 - alpha = {1 - level:g}")
    ax_cov.set_ylim(max(0.0, 1.0 - 4.0 * level), 1.0005)
    title = f"One-sided lower bounds, n = {size}, alpha = {level:g}"
    _decorate(ax_cov, "true p", "exact coverage P[lower bound <= p]", title, "lower center")

    unsafe = total = 0
    for i, m in enumerate(sizes):
        ks = np.unique(np.concatenate([np.round(np.linspace(0, m, count)), [0, 1, m - 1, m]]))
        ks = ks[(ks >= 0) & (ks <= m)]
        for sign, kernel, twin, kind in (
            (1.0, clopper_pearson_lower, reference.clopper_pearson_lower, "lower"),
            (-1.0, clopper_pearson_upper, reference.clopper_pearson_upper, "upper"),
        ):
            computed = np.asarray(kernel(ks, m, twin_level), dtype=float)
            exact = [twin(int(j), m, twin_level) for j in ks]
            margins = _safe_margins(computed, exact, sign)
            style = "-" if kind == "lower" else "--"
            label = f"{kind}, n = {m:g}"
            unsafe += _margin_lines(ax_twin, ks / m, margins, label, f"C{i}", style)
            total += ks.size
    title = f"Clopper-Pearson vs 50-digit twin (alpha = {twin_level:g})"
    _finish_margin_axes(ax_twin, unsafe, total, "k / n", title)
    return fig


def plot_radius_checks(
    p_a: float = 0.99,
    sigma: float = 0.5,
    *,
    dim: int = 10,
    n: int = 20000,
    distances: Any = None,
    q_min: float = 1e-15,
    num: int = 40,
    alpha: float = 0.001,
    rng: Any = 0,
    figsize: tuple[float, float] = (11.0, 4.2),
) -> Figure:
    """The radii against their mpmath twins, and the Gaussian radius's worst case by Monte Carlo.

    Left: the safe-side margin :math:`(R_{\\text{exact}} - R)/|R_{\\text{exact}}|` of
    :func:`rstheory.radius.gaussian_radius`, :func:`~rstheory.radius.gaussian_radius_two`
    (with :math:`\\overline{p_B} = (1 - p)/2`), :func:`~rstheory.radius.laplace_radius`,
    :func:`~rstheory.radius.uniform_radius` (scale ``sigma``) and
    :func:`~rstheory.radius.linf_radius_from_l2` (of the Gaussian radius, ``d = 150528``)
    against the 50-digit twins of :mod:`rstheory.reference`, over :math:`1 - p` from
    1/2 down to ``q_min``: every point must be positive.

    Right: why :math:`R = \\sigma\\Phi^{-1}(p_A)` (Cohen et al. 2019, Theorem 1).
    Among all base classifiers with :math:`P[f(x + \\sigma N) = A] = p_A`, the
    smallest probability of :math:`A` at :math:`x + \\delta` is that of the half-space
    :math:`\\{z : (z - x)\\cdot\\delta \\le \\sigma\\lVert\\delta\\rVert\\Phi^{-1}(p_A)\\}`
    (Neyman-Pearson), :math:`\\Phi(\\Phi^{-1}(p_A) - \\lVert\\delta\\rVert/\\sigma)`,
    which reaches 1/2 exactly at :math:`\\lVert\\delta\\rVert = R`.  Drawn: that bound
    (black), the exact probability of a ball of the same :math:`p_A` in dimension
    ``dim`` (above the bound), and Monte Carlo frequencies of ``n`` votes of
    :class:`rstheory.classifiers.Linear` (the half-space, on the bound) and
    :class:`rstheory.classifiers.Ball` with two-sided Clopper-Pearson intervals at
    level ``alpha``; the vertical line is the certified radius.

    Parameters
    ----------
    p_a : float, optional
        Top-class probability at ``x``, in (1/2, 1).
    sigma : float, optional
        Noise level, > 0.
    dim : int, optional
        Dimension of the two classifiers (>= 1).
    n : int, optional
        Votes per Monte Carlo point (>= 1).
    distances : array_like, optional
        Distances :math:`\\lVert\\delta\\rVert`; default 21 from 0 to 2.5 R.
    q_min : float, optional
        Smallest :math:`1 - p` of the margin panel, in (0, 0.5).
    num : int, optional
        Points of the margin panel (>= 2).
    alpha : float, optional
        Level of the Clopper-Pearson intervals, in (0, 1).
    rng : int or numpy.random.Generator, optional
        Seed of the votes.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes.  Margins: one line per radius function (and red crosses where a
        result is unsafe), the text ``unsafe: u of N``.  Worst case: the bound line
        (``Neyman-Pearson bound``), the ball's exact line, then two errorbar
        containers (``half-space (MC)``, ``ball (MC)``), the radius and 1/2 lines.

    Raises
    ------
    ValueError
        If an argument is out of range (the message names it).

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918; G. Yang et al.,
    "Randomized smoothing of all shapes and sizes", ICML 2020, arXiv:2002.08118.
    """
    from scipy.special import ndtr, ndtri
    from scipy.stats import chi2

    from rstheory import radius as rad
    from rstheory import reference
    from rstheory._validate import as_alpha, as_int, as_positive, as_real
    from rstheory.classifiers import Ball, Linear

    pa = as_real("p_a", p_a, 0.5, 1.0)
    s = float(as_positive("sigma", sigma))
    d = as_int("dim", dim, 1)
    votes = as_int("n", n, 1)
    level = float(as_alpha("alpha", alpha))
    qm = as_real("q_min", q_min, 0.0, 0.5)
    count = as_int("num", num, 2)
    generator = _rng_of(rng)

    fig = _new_figure(figsize)
    ax_twin, ax_np = fig.subplots(1, 2)
    q = np.geomspace(0.49, qm, count)
    p = 1.0 - q
    pb = 0.5 * q
    big = 3 * 224 * 224
    r_gauss = np.asarray(rad.gaussian_radius(p, s), dtype=float)
    cases = (
        ("gaussian", r_gauss, [reference.gaussian_radius(v, s) for v in p]),
        (
            "gaussian two-class",
            rad.gaussian_radius_two(p, pb, s),
            [reference.gaussian_radius_two(a, b, s) for a, b in zip(p, pb, strict=True)],
        ),
        ("laplace (L1)", rad.laplace_radius(p, s), [reference.laplace_radius(v, s) for v in p]),
        ("uniform (L1)", rad.uniform_radius(p, s), [reference.uniform_radius(v, s) for v in p]),
        (
            "Linf from L2, d = 150528",
            rad.linf_radius_from_l2(r_gauss, big),
            [reference.linf_radius_from_l2(v, big) for v in r_gauss],
        ),
    )
    unsafe = 0
    for i, (name, computed, exact) in enumerate(cases):
        unsafe += _margin_lines(ax_twin, q, _safe_margins(computed, exact, 1.0), name, f"C{i}")
    title = f"Radii vs 50-digit twins (sigma = scale = {s:g})"
    _finish_margin_axes(ax_twin, unsafe, len(cases) * count, "1 - p", title)
    ax_twin.set_xscale("log")
    ax_twin.invert_xaxis()

    radius = float(rad.gaussian_radius(pa, s))
    delta = (
        np.linspace(0.0, 2.5 * radius, 21)
        if distances is None
        else np.asarray(distances, dtype=float).ravel()
    )
    u = np.zeros(d)
    u[0] = 1.0
    plane = Linear(-u, radius, inside_label=0)  # class 0 where z_0 <= R: P = p_a at 0
    ball = Ball(np.zeros(d), s * math.sqrt(float(chi2.ppf(pa, d))), inside_label=0)
    fine = np.linspace(float(delta.min()), float(delta.max()), 200)
    ax_np.plot(fine, ndtr(ndtri(pa) - fine / s), color="k", lw=1.2, label="Neyman-Pearson bound")
    exact_ball = ball.probability(fine[:, None] * u, s)[:, 0]
    ax_np.plot(fine, exact_ball, color="C1", lw=1.0, label="ball, exact")
    for j, (name, f) in enumerate((("half-space", plane), ("ball", ball))):
        k = [f.sample_counts(t * u, s, votes, generator)[0] for t in delta]
        _frequency_bars(ax_np, delta, k, votes, level, f"C{j}", f"{name} (MC, {votes} votes)")
    ax_np.axvline(
        radius, color="0.3", lw=1.0, ls="-.", label=f"R = sigma Phi^-1(p_A) = {radius:.4g}"
    )
    ax_np.axhline(0.5, color="0.6", lw=0.8, ls=":")
    title = f"Worst case, p_A = {pa:g}, sigma = {s:g}, d = {d}"
    _decorate(
        ax_np, "distance ||delta|| from x", "P[f(x + delta + sigma N) = A]", title, "upper right"
    )
    return fig


def plot_certify_checks(
    ps: Sequence[float] = (0.9, 0.99),
    n: int = 1000,
    sigma: float = 0.25,
    alpha: float = 0.001,
    *,
    n0: int = 100,
    repeats: int = 4000,
    inputs: int = 500,
    spread: tuple[float, float] = (-0.25, 1.0),
    rng: Any = 0,
    figsize: tuple[float, float] = (11.0, 4.2),
) -> Figure:
    """CERTIFY by seeded simulation against its exact law, and a certified-accuracy curve.

    Left: the probability that :func:`rstheory.certify.certify` returns the top class
    with a radius of at least ``r``, against ``r``, for each true top-class
    probability ``p`` of a two-class problem.  Exact: the selection step picks the top
    class with probability :math:`P[\\mathrm{Bin}(n_0, p) \\ge n_0/2]` (ties go to the
    lower index, the top class here) and, independently,
    :func:`rstheory.planning.certification_probability` gives
    :math:`P[K \\ge k^*(n)]`; markers: the frequency over ``repeats`` runs of CERTIFY
    on binomial counts, with two-sided Clopper-Pearson intervals at level ``alpha``.
    Beyond the true radius :math:`\\sigma\\Phi^{-1}(p)` (vertical lines) the
    probability is at most ``alpha`` (Cohen et al. 2019, Proposition 2).

    Right: the certified accuracy :math:`\\mathrm{CA}(r)`
    (:func:`rstheory.certify.certified_accuracy`) of one seeded test set of ``inputs``
    points :math:`x_i = s_i e_0` of the half-space :class:`rstheory.classifiers.Linear`
    (true label 0 on :math:`z_0 \\ge 0`, :math:`s_i` uniform in ``spread``), its counts
    drawn by the classifier's vote sampler; its exact expectation
    :math:`\\frac1N\\sum_i P[\\text{select } 0]\\,P[R_i \\ge r]` with a band of three
    standard deviations; and the certified accuracy of the ideal :math:`g_\\sigma`
    (the fraction with :math:`s_i \\ge r`, the exact radius of a half-space),
    which the expectation can exceed by at most ``alpha``; no radius exceeds
    :func:`rstheory.planning.max_radius` of ``n`` (dotted line).

    Parameters
    ----------
    ps : sequence of float
        True top-class probabilities, each in (1/2, 1).
    n : int, optional
        Estimation votes (>= 1).
    sigma : float, optional
        Noise level, > 0.
    alpha : float, optional
        Level of CERTIFY, in (0, 1).
    n0 : int, optional
        Selection votes (>= 1).
    repeats : int, optional
        Runs of CERTIFY per ``p`` (>= 1).
    inputs : int, optional
        Size of the test set (>= 1).
    spread : (float, float), optional
        Range of the signed distances :math:`s_i` (``lo < hi``).
    rng : int or numpy.random.Generator, optional
        Seed.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes.  Left: per ``p`` an exact line (``p = ...``) and an errorbar
        container, then the ``alpha`` line and one vertical line per true radius.
        Right: the Monte Carlo curve (``CERTIFY, one test set``), the exact expectation,
        the ideal curve, the ``max_radius`` line, and the band (a ``PolyCollection``).

    Raises
    ------
    ValueError
        If an argument is out of range (the message names it).

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918 (CERTIFY, Proposition 2,
    the certified-accuracy curves).
    """
    from scipy.special import ndtr, ndtri
    from scipy.stats import binom

    from rstheory._validate import as_alpha, as_int, as_positive, as_real
    from rstheory.certify import certified_accuracy, certify
    from rstheory.classifiers import Linear
    from rstheory.planning import certification_probability, max_radius

    probs = [as_real("ps", v, 0.5, 1.0) for v in _nonempty("ps", ps)]
    size = as_int("n", n, 1)
    first = as_int("n0", n0, 1)
    s = float(as_positive("sigma", sigma))
    level = float(as_alpha("alpha", alpha))
    runs = as_int("repeats", repeats, 1)
    m = as_int("inputs", inputs, 1)
    lo, hi = (float(v) for v in spread)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"spread must be finite with lo < hi, got {tuple(spread)!r}")
    generator = _rng_of(rng)

    fig = _new_figure(figsize)
    ax_law, ax_ca = fig.subplots(1, 2)
    r_max = 1.15 * s * float(ndtri(max(probs)))
    r = np.linspace(0.0, r_max, 200)
    marks = np.linspace(0.0, r_max, 24)
    for i, p in enumerate(probs):
        select = float(binom.sf(math.ceil(first / 2) - 1, first, p))
        exact = select * np.asarray(certification_probability(p, size, s, level, r))
        ax_law.plot(r, exact, color=f"C{i}", lw=1.2, label=f"p = {p:g} (exact)")
        labels, radii = _certify_runs(generator, p, size, runs, s, level, first)
        hits = [np.count_nonzero((labels == 0) & (radii >= t)) for t in marks]
        _frequency_bars(ax_law, marks, hits, runs, level, f"C{i}", f"p = {p:g} (CERTIFY x {runs})")
    ax_law.axhline(level, color="0.4", lw=0.8, ls="--", label=f"alpha = {level:g}")
    for i, p in enumerate(probs):
        ax_law.axvline(s * float(ndtri(p)), color=f"C{i}", lw=1.0, ls="-.")
    ax_law.set_yscale("log")
    ax_law.set_ylim(level / 20.0, 1.5)
    title = f"CERTIFY, n0 = {first}, n = {size}, alpha = {level:g}"
    ylabel = "P[CERTIFY returns the top class, R >= r]"
    _decorate(ax_law, f"radius r (sigma = {s:g})", ylabel, title, "lower left", log=True)

    shift = generator.uniform(lo, hi, m)
    u = np.array([1.0, 0.0])
    plane = Linear(u, 0.0, inside_label=0)
    sel = np.stack([plane.sample_counts(t * u, s, first, generator) for t in shift])
    est = np.stack([plane.sample_counts(t * u, s, size, generator) for t in shift])
    labels, radii = certify(sel, est, s, level)
    t_grid = np.linspace(0.0, max(hi, 0.0) * 1.05, 120)
    curve = np.asarray(certified_accuracy(radii, labels == 0, t_grid))
    p_true = ndtr(shift / s)
    select = binom.sf(math.ceil(first / 2) - 1, first, p_true)
    each = select[:, None] * np.asarray(
        certification_probability(p_true[:, None], size, s, level, t_grid[None, :])
    )
    mean = each.mean(axis=0)
    sd = np.sqrt((each * (1.0 - each)).sum(axis=0)) / m
    ideal = (shift[:, None] >= t_grid[None, :]).mean(axis=0)
    ax_ca.fill_between(t_grid, mean - 3 * sd, mean + 3 * sd, color="C0", alpha=0.2, lw=0)
    ax_ca.step(t_grid, curve, where="post", color="C0", lw=1.2, label="CERTIFY, one test set")
    ax_ca.plot(t_grid, mean, color="k", lw=1.0, ls="--", label="exact expectation (+- 3 sd)")
    ax_ca.plot(t_grid, ideal, color="C3", lw=1.0, label="ideal g_sigma (exact radii)")
    r_top = float(max_radius(size, s, level))
    ax_ca.axvline(r_top, color="0.4", lw=1.0, ls=":", label=f"max_radius(n) = {r_top:.3g}")
    title = f"Half-space, {m} inputs, n = {size}"
    _decorate(ax_ca, f"radius r (sigma = {s:g})", "certified accuracy CA(r)", title, "upper right")
    return fig


def plot_planning_checks(
    p: float = 0.99,
    radius: float = 2.0,
    sigma: float = 1.0,
    alpha: float = 0.001,
    power: float = 0.5,
    *,
    n_range: tuple[int, int] = (950, 1300),
    every: int = 25,
    repeats: int = 4000,
    twin_alphas: Sequence[float] = (1e-3, 1e-10),
    rng: Any = 0,
    figsize: tuple[float, float] = (11.0, 4.2),
) -> Figure:
    """The certification probability's sawtooth and ``required_n``, and ``max_radius`` vs twin.

    Left: :math:`\\pi(n) = P[\\text{CERTIFY certifies } r]`
    (:func:`rstheory.planning.certification_probability`) for every ``n`` in
    ``n_range``; markers: the frequency of :math:`R \\ge r` over ``repeats`` runs of
    :func:`rstheory.certify.certify` on counts :math:`K \\sim \\mathrm{Bin}(n, p)`
    (selection fixed on the top class, as in the formula), every ``every`` sizes,
    with two-sided Clopper-Pearson intervals at level ``alpha``.  Vertical lines:
    :func:`rstheory.planning.required_n` (the least ``n`` with :math:`\\pi(n) \\ge`
    ``power``) and its ``stable=True`` answer (from which :math:`\\pi` stays above).

    Right: the safe-side margin of :func:`rstheory.planning.max_radius`,
    :math:`\\sigma\\Phi^{-1}(\\alpha^{1/n})`, against the 50-digit twin
    :func:`rstheory.reference.max_radius` for ``n`` from 1 to :math:`10^{15}`.

    Parameters
    ----------
    p : float, optional
        True top-class probability, in (1/2, 1).
    radius : float, optional
        Target radius, > 0.
    sigma : float, optional
        Noise level, > 0.
    alpha : float, optional
        Level of CERTIFY, in (0, 1).
    power : float, optional
        Required certification probability, in (0, 1).
    n_range : (int, int), optional
        Sample sizes drawn, ``1 <= lo < hi``.
    every : int, optional
        Spacing of the Monte Carlo sizes (>= 1).
    repeats : int, optional
        Runs of CERTIFY per Monte Carlo size (>= 1).
    twin_alphas : sequence of float, optional
        Levels of the margin panel.
    rng : int or numpy.random.Generator, optional
        Seed.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes.  Left: the exact line (``exact pi(n)``), one errorbar container,
        then the ``power`` line and the two ``required_n`` lines.  Right: one margin
        line per level, the text ``unsafe: u of N``.

    Raises
    ------
    ValueError
        If an argument is out of range (the message names it).

    References
    ----------
    J. Cohen, E. Rosenfeld, J. Z. Kolter, "Certified adversarial robustness via
    randomized smoothing", ICML 2019, arXiv:1902.02918.
    """
    from rstheory import reference
    from rstheory._validate import as_alpha, as_int, as_positive, as_real
    from rstheory.planning import certification_probability, max_radius, required_n

    prob = as_real("p", p, 0.5, 1.0)
    r = float(as_positive("radius", radius))
    s = float(as_positive("sigma", sigma))
    level = float(as_alpha("alpha", alpha))
    w = float(as_alpha("power", power))
    step = as_int("every", every, 1)
    runs = as_int("repeats", repeats, 1)
    lo, hi = (int(v) for v in n_range)
    if not 1 <= lo < hi:
        raise ValueError(f"n_range must satisfy 1 <= lo < hi, got {tuple(n_range)!r}")
    levels = [float(as_alpha("twin_alphas", a)) for a in _nonempty("twin_alphas", twin_alphas)]
    generator = _rng_of(rng)

    fig = _new_figure(figsize)
    ax_pi, ax_twin = fig.subplots(1, 2)
    sizes = np.arange(lo, hi + 1, dtype=float)
    pi = np.asarray(certification_probability(prob, sizes, s, level, r), dtype=float)
    ax_pi.plot(sizes, pi, color="C0", lw=0.8, label="exact pi(n)")
    marks = sizes[::step]
    hits = []
    for m in marks:
        _, radii = _certify_runs(generator, prob, int(m), runs, s, level)
        hits.append(np.count_nonzero(radii >= r))
    _frequency_bars(ax_pi, marks, hits, runs, level, "C1", f"CERTIFY x {runs}")
    first = int(required_n(r, s, level, prob, w))
    stable = int(required_n(r, s, level, prob, w, stable=True))
    ax_pi.axhline(w, color="0.4", lw=0.8, ls="--", label=f"power = {w:g}")
    ax_pi.axvline(first, color="k", lw=1.0, ls="-.", label=f"required_n = {first}")
    ax_pi.axvline(stable, color="C3", lw=1.0, ls=":", label=f"stable = {stable}")
    title = f"p = {prob:g}, sigma = {s:g}, alpha = {level:g}"
    ylabel = f"P[CERTIFY certifies r = {r:g}]"
    _decorate(ax_pi, "estimation samples n", ylabel, title, "lower right")

    n_twin = np.unique(np.round(np.logspace(0, 15, 31)))
    unsafe = 0
    for i, a in enumerate(levels):
        computed = max_radius(n_twin, s, a)
        exact = [reference.max_radius(int(m), s, a) for m in n_twin]
        margins = _safe_margins(computed, exact, 1.0)
        unsafe += _margin_lines(ax_twin, n_twin, margins, f"alpha = {a:g}", f"C{i}")
    title = f"max_radius vs 50-digit twin (sigma = {s:g})"
    xlabel = "n (all n votes for the top class)"
    _finish_margin_axes(ax_twin, unsafe, len(levels) * n_twin.size, xlabel, title)
    ax_twin.set_xscale("log")
    return fig


def plot_level_checks(
    pa: float = 0.9,
    ns: Sequence[int] = (1, 2, 11, 100),
    ties: str = "lose",
    *,
    sigma: float = 0.25,
    dim: int = 20,
    trials: int = 2000,
    points: int = 13,
    alpha: float = 0.001,
    rng: Any = 0,
    figsize: tuple[float, float] = (6.5, 4.5),
) -> Figure:
    """The majority vote of actual noisy votes against eq. (4), and the thresholds of eq. (5).

    For each ``n``: the exact probability that the attacker's class wins the vote,
    :func:`rstheory.levels.majority_vote_probability` :math:`(1 - \\pi_0, n)`, against
    the smoothed probability :math:`\\pi_0` of the original class (lines); markers: the
    frequency over ``trials`` majority votes of ``n`` actual noisy votes of the
    half-space :class:`rstheory.classifiers.Linear` in dimension ``dim``, at the point
    where :math:`\\pi_0` is exact, with the tie rule, and two-sided Clopper-Pearson
    intervals at level ``alpha``; vertical lines:
    :func:`rstheory.levels.level_threshold` :math:`(P_a, n)`, where each curve must
    cross the horizontal line :math:`P_a` (Maho et al. 2022, eq. 4-5).

    Parameters
    ----------
    pa : float, optional
        Attack level, in (0, 1).
    ns : sequence of int
        Numbers of votes (>= 1).
    ties : {"lose", "win", "random"}, optional
        Tie rule for even ``n``.
    sigma : float, optional
        Noise level, > 0.
    dim : int, optional
        Dimension of the half-space (>= 1).
    trials : int, optional
        Majority votes per marker (>= 1).
    points : int, optional
        Markers per ``n`` (>= 2).
    alpha : float, optional
        Level of the intervals, in (0, 1).
    rng : int or numpy.random.Generator, optional
        Seed of the votes.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: per ``n`` an exact line (``n = ...``) and an errorbar container;
        then the ``P_a`` line and one threshold line per ``n``.

    Raises
    ------
    ValueError
        If an argument is out of range (the message names it).

    References
    ----------
    T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how
    good is it in practice?", ICASSP 2022.
    """
    from scipy.special import ndtri

    from rstheory._validate import as_alpha, as_int, as_positive
    from rstheory.classifiers import Linear
    from rstheory.levels import level_threshold, majority_vote_probability, ties_code

    level_pa = float(as_alpha("pa", pa))
    counts = [as_int("ns", v, 1) for v in _nonempty("ns", ns)]
    ties_code(ties)  # validates
    s = float(as_positive("sigma", sigma))
    d = as_int("dim", dim, 1)
    reps = as_int("trials", trials, 1)
    count = as_int("points", points, 2)
    level = float(as_alpha("alpha", alpha))
    generator = _rng_of(rng)

    u = np.zeros(d)
    u[0] = 1.0
    plane = Linear(u, 0.0, inside_label=0)  # pi_0(t e_0) = Phi(t / sigma)
    fig = _new_figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    fine = np.linspace(0.0, 1.0, 401)
    marks = np.linspace(0.04, 0.96, count)
    thresholds = []
    for i, n in enumerate(counts):
        color = f"C{i % 10}"
        exact = majority_vote_probability(1.0 - fine, n, ties)
        ax.plot(fine, exact, color=color, lw=1.2, label=f"n = {n}")
        wins = []
        for pi0 in marks:
            votes = plane.sample_votes(s * float(ndtri(pi0)) * u, s, reps * n, generator)
            other = np.count_nonzero(votes.reshape(reps, n) != 0, axis=1)
            won = 2 * other > n
            tie = 2 * other == n
            if ties == "win":
                won |= tie
            elif ties == "random":
                won |= tie & (generator.random(reps) < 0.5)
            wins.append(np.count_nonzero(won))
        _frequency_bars(ax, marks, wins, reps, level, color, None)
        thresholds.append(float(level_threshold(level_pa, n, ties)))
    ax.axhline(level_pa, color="0.3", lw=0.8, ls="--", label=f"Pa = {level_pa:g}")
    for i, t in enumerate(thresholds):
        ax.axvline(t, color=f"C{i % 10}", lw=1.0, ls=":")
    title = f"Vote of n noisy votes (markers: {reps} votes each, ties {ties})"
    xlabel = "smoothed probability pi_0 of the original class"
    _decorate(ax, xlabel, "P[attacker wins the vote of n]", title, "upper right")
    return fig


class VoteCase(NamedTuple):
    """One panel of :func:`plot_vote_frequency`: a classifier sampled along a ray."""

    #: panel title
    name: str
    #: base classifier with ``sample_counts(x, sigma, n, rng)`` (the protocol of
    #: :mod:`rstheory.classifiers`, a :class:`rstheory.torch_adapter.TorchClassifier`, ...)
    classifier: Any
    #: start of the ray, shape (dim,)
    x_o: Any
    #: direction of the ray, shape (dim,) (used as given)
    direction: Any
    #: distances t of the points x_o + t * direction
    distances: Any
    #: analytic classifier whose ``probability(points, sigma)`` is the exact answer
    #: (default: ``classifier`` itself when it has ``probability``; None: no exact line)
    reference: Any = None
    #: the class whose frequency is drawn
    label: int = 0
    #: also count votes from full noise vectors (:func:`rstheory.classifiers.monte_carlo_counts`)
    full_noise: bool = False


def plot_vote_frequency(
    cases: Sequence[VoteCase],
    sigma: float,
    n: int,
    *,
    alpha: float = 0.001,
    rng: Any = 0,
    panel_size: tuple[float, float] = (3.7, 3.3),
) -> Figure:
    """Monte Carlo vote frequencies of base classifiers against their exact smoothed probability.

    One panel per :class:`VoteCase`: at the points :math:`x_o + t\\,u`, the frequency
    of ``label`` among ``n`` noisy votes :math:`f(x + \\sigma N_i)` drawn by the
    classifier's own ``sample_counts`` (for the analytic classifiers of
    :mod:`rstheory.classifiers`, the dimension-free sampler), with two-sided
    Clopper-Pearson intervals at level ``alpha``; with ``full_noise``, also the
    frequency from full noise vectors through ``decide``
    (:func:`rstheory.classifiers.monte_carlo_counts`); and the exact
    :math:`\\pi_{\\text{label}}(x) = P[f(x + \\sigma N) = \\text{label}]` of the
    reference classifier as a line.  With ``alpha = 0.001`` about one interval in a
    thousand misses the exact value by chance; more means a wrong sampler or a wrong
    formula.

    Parameters
    ----------
    cases : sequence of VoteCase
        The panels.
    sigma : float
        Noise level, > 0.
    n : int
        Votes per point (>= 1).
    alpha : float, optional
        Level of the intervals, in (0, 1).
    rng : int or numpy.random.Generator, optional
        Seed of the votes.
    panel_size : (float, float), optional
        Size of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per case, each with the exact line (if any, labelled ``exact``),
        then the errorbar container of the sampler (``votes (sampler)``) and, with
        ``full_noise``, that of the full noise vectors (``votes (full noise)``).  The
        text of each axes gives the number of intervals that miss the exact line.

    Raises
    ------
    ValueError
        If ``cases`` is empty or holds something else than a ``VoteCase``, or
        ``sigma``, ``n`` or ``alpha`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.classifiers import Linear
    >>> from rstheory.plots import VoteCase, plot_vote_frequency
    >>> case = VoteCase("half-space", Linear([1.0, 0.0]), [0, 0], [1, 0], np.linspace(-1, 1, 5))
    >>> fig = plot_vote_frequency([case], 0.5, 1000, rng=0)
    >>> len(fig.axes[0].containers), fig.axes[0].texts[0].get_text()
    (1, 'outside the intervals: 0 of 5')
    """
    from rstheory._validate import as_alpha, as_int, as_positive
    from rstheory.bounds import clopper_pearson
    from rstheory.classifiers import monte_carlo_counts

    items = _sequence_of("cases", cases, VoteCase, "VoteCase")
    s = float(as_positive("sigma", sigma))
    votes = as_int("n", n, 1)
    level = float(as_alpha("alpha", alpha))
    generator = _rng_of(rng)
    width, height = panel_size
    fig = _new_figure((width * len(items), height))
    axes = fig.subplots(1, len(items), squeeze=False)[0]
    for ax, case in zip(axes, items, strict=True):
        x_o = np.asarray(case.x_o, dtype=float)
        u = np.asarray(case.direction, dtype=float)
        t = np.asarray(case.distances, dtype=float).ravel()
        ref = case.reference
        if ref is None and hasattr(case.classifier, "probability"):
            ref = case.classifier
        exact = None
        if ref is not None:
            exact = np.array([ref.probability(x_o + v * u, s)[case.label] for v in t])
            ax.plot(t, exact, color="k", lw=1.0, label="exact")
        samplers = [("sampler", False, "C0", "o")]
        if case.full_noise:
            samplers.append(("full noise", True, "C1", "s"))
        misses = 0
        for name, full, color, marker in samplers:
            k = np.empty(t.size)
            for i, v in enumerate(t):
                x = x_o + v * u
                counts = (
                    monte_carlo_counts(case.classifier, x, s, votes, generator)
                    if full
                    else case.classifier.sample_counts(x, s, votes, generator)
                )
                k[i] = counts[case.label]
            _frequency_bars(ax, t, k, votes, level, color, f"votes ({name})", marker)
            if exact is not None:
                low, high = clopper_pearson(k, votes, level)
                misses += int(np.count_nonzero((exact < low) | (exact > high)))
        if exact is not None:
            ax.text(
                0.03,
                0.03,
                f"outside the intervals: {misses} of {t.size * len(samplers)}",
                transform=ax.transAxes,
                fontsize="x-small",
                va="bottom",
            )
        ax.set_ylim(-0.03, 1.03)
        _decorate(ax, "t along the ray", f"P[f(x + sigma N) = {case.label}]", case.name)
    fig.suptitle(f"Vote frequencies ({votes} votes, sigma = {s:g}) vs exact probabilities")
    return fig


def plot_attack_history(
    results: Sequence[Sequence[Any]],
    optimum: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    exact: Sequence[Sequence[float]] | None = None,
    pa: float | None = None,
    panel_size: tuple[float, float] = (3.7, 3.6),
) -> Figure:
    """Distortion of decision-based attacks against queries, over a known optimum.

    One panel per group of :class:`rstheory.attacks.AttackResult` (e.g. one per
    number of votes ``n``), one step line per attack: its ``history`` (queries so far,
    best distortion), divided by the panel's ``optimum`` (the exact distance of the
    nearest level-:math:`P_a` adversarial point, when known), on a log axis; the
    checked point is a marker (filled where the final check passed).  A checked
    point must lie at or above 1 (with probability at least :math:`1 - \\alpha`): it
    is reported only when a Clopper-Pearson bound says that its probability of
    leaving the label reaches :math:`P_a`.  If ``exact`` gives that probability at
    each reported point, the legend shows it.

    Parameters
    ----------
    results : sequence of sequences of AttackResult
        ``results[i][j]``: attack ``j`` in panel ``i``.
    optimum : sequence of float
        Per panel, the distance that the distortions are divided by (> 0).
    labels : sequence of str, optional
        Per attack (default ``attack j``).
    titles : sequence of str, optional
        Per panel.
    exact : sequence of sequences of float, optional
        Exact :math:`P[g_{\\sigma,n}(x_{\\text{adv}}) \\ne y]` per result.
    pa : float, optional
        The attack level, shown in the titles.
    panel_size : (float, float), optional
        Size of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel: per attack its history line then its final marker, then
        the optimum line at 1.

    Raises
    ------
    ValueError
        If the groups are empty or ragged, or an optimum is not positive.

    References
    ----------
    T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how
    good is it in practice?", ICASSP 2022.
    """
    groups = [list(g) for g in _nonempty("results", results)]
    width = len(groups[0])
    if width == 0 or any(len(g) != width for g in groups):
        raise ValueError("results must hold groups of the same non-zero number of attacks")
    scale = [float(v) for v in optimum]
    if len(scale) != len(groups) or not all(math.isfinite(v) and v > 0 for v in scale):
        raise ValueError(f"optimum must hold one positive distance per group, got {optimum!r}")
    names = _labels_for(labels, width, lambda j: f"attack {j}")
    heads = _labels_for(titles, len(groups), lambda i: f"group {i}", "titles")
    probs = None if exact is None else [[float(v) for v in g] for g in exact]
    if probs is not None and [len(g) for g in probs] != [width] * len(groups):
        raise ValueError("exact must have the shape of results")
    fig = _new_figure((panel_size[0] * len(groups), panel_size[1]))
    axes = fig.subplots(1, len(groups), squeeze=False, sharey=True)[0]
    for i, (ax, group) in enumerate(zip(axes, groups, strict=True)):
        for j, res in enumerate(group):
            h = np.asarray(res.history, dtype=float).reshape(-1, 2)
            color = f"C{j % 10}"
            label = names[j] if probs is None else f"{names[j]} (exact P {probs[i][j]:.3f})"
            ax.step(h[:, 0], h[:, 1] / scale[i], where="post", color=color, lw=1.1, label=label)
            ax.plot(
                [res.queries],
                [res.distortion / scale[i]],
                "o",
                color=color,
                mfc=color if res.success else "white",
                ms=6,
            )
        ax.axhline(1.0, color="k", lw=1.0, ls="--", label="nearest level-Pa point")
        ax.set_yscale("log")
        title = heads[i] if pa is None else f"{heads[i]}, Pa = {pa:g}"
        _decorate(ax, "queries of g_sigma,n", "", title, "upper right", log=True)
    axes[0].set_ylabel("distortion / exact optimum")
    return fig
