"""Figures of the theory of randomized-smoothing certificates.

Every function returns a :class:`matplotlib.figure.Figure` built directly
(``Figure()``, not ``pyplot``), so no global state or interactive backend is
touched and the figures can be saved from any thread with
``fig.savefig("name.png")`` (Agg).  matplotlib is imported inside the
functions: ``import rstheory`` does not import it (design principle 7).

The numbers drawn are computed by the package's own public functions
(:func:`rstheory.radius.gaussian_radius`, :mod:`rstheory.bounds`), so a figure
is also a picture of what the library returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = ["plot_radius_vs_p", "plot_lower_bound_vs_n", "LOWER_BOUND_METHODS"]

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
