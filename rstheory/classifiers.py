"""Base classifiers with known smoothed probabilities, and toys for Monte Carlo.

Randomized smoothing turns a base classifier :math:`f` into
:math:`g_\\sigma(x) = \\arg\\max_c \\pi_c(x)`, with the smoothed class
probabilities

.. math::

    \\pi_c(x) = P\\left[f(x + \\sigma N) = c\\right], \\qquad N \\sim \\mathcal N(0, I_d).

This module gives base classifiers on which every formula of the toolkit can
be checked: three binary ones whose :math:`\\pi_c` is known exactly and whose
votes can be drawn at a cost independent of the dimension ``d``, and
multi-class toys (2-D sectors, a checkerboard, a small fixed-weight MLP) for
which only Monte Carlo is available.

The protocol
------------
A *classifier* is any object with

* ``dim`` (int): the input dimension ``d``;
* ``n_classes`` (int): labels are ``0 .. n_classes - 1``;
* ``decide(points)``: the labels of a batch of points of shape ``(..., d)``,
  an ``int64`` array of shape ``(...)`` (0-d for one point).

(:class:`Classifier` is this protocol, for type checkers.)  Every classifier
of this module also has

* ``sample_votes(x, sigma, n, rng=None)``: the labels of ``n`` noisy votes
  :math:`f(x + \\sigma N_i)`, shape ``(n,)``;
* ``sample_counts(x, sigma, n, rng=None)``: the counts of ``n`` noisy votes
  per class, shape ``(n_classes,)``, ``int64``, drawn in chunks (bounded
  memory for any ``n``).

For the multi-class toys (and any other classifier, through
:func:`monte_carlo_votes` and :func:`monte_carlo_counts`) the votes come from
full noise vectors, in batches.  The *analytic* classifiers :class:`Linear`,
:class:`Ball` and :class:`Paraboloid` add

* ``probability(x, sigma, *, log=False)``: the exact :math:`\\pi_c(x)`,
  shape ``(..., n_classes)`` for ``x`` of shape ``(..., d)``;
* votes drawn from the one or two Gaussian statistics on which the vote
  depends (not from a binomial with the exact probability: the sampler
  simulates the vote, so that it can check the formula), at a cost that does
  not depend on ``d`` for :class:`Linear` and :class:`Ball`;
* ``score(points)``, ``score_gradient(points)`` and ``score_hessian(point)``:
  a limit-state function :math:`G` with :math:`f(z) =` ``inside_label``
  exactly where :math:`G(z) \\ge 0`, for :func:`rstheory.sorm.design_point`
  and :func:`rstheory.sorm.principal_curvatures` (whose convention this is:
  the unit normal :math:`\\nabla G/\\|\\nabla G\\|` points into
  :math:`\\{G \\ge 0\\}`, and :math:`\\kappa > 0` where that region is
  convex).

The three analytic classifiers:

* :class:`Linear`: :math:`\\{G \\ge 0\\} = \\{w\\cdot z + b \\ge 0\\}`,
  :math:`\\pi_{\\text{inside}}(x) = \\Phi\\big((w\\cdot x + b)/(\\sigma\\|w\\|)\\big)`;
* :class:`Ball`: :math:`\\{\\|z - c\\| \\le R\\}`,
  :math:`\\pi_{\\text{inside}}(x) = P[\\chi'^2_d(\\|x - c\\|^2/\\sigma^2) \\le R^2/\\sigma^2]`;
* :class:`Paraboloid`: :math:`\\{y_d \\ge \\frac12\\sum_i\\kappa_i y_i^2\\}` in a
  frame at a vertex, :math:`\\pi_{\\text{inside}}` by
  :func:`rstheory.sorm.paraboloid_probability`.

Three tiers (DESIGN.md): scalar and array kernels (``@njit``, no checks,
callable from a user's own ``@njit`` code: :func:`ncx2_log_tails_kernel`,
:func:`log_gammainc_kernel`, :func:`log_gamma_density_kernel` and the
``*_decide_kernel`` functions), and the validating classes and functions.
Bad input raises a :class:`ValueError` that names the argument.

Accuracy of the exact probabilities, against the mpmath twins of
:mod:`rstheory.reference` (see the test-suite and ``docs/classifiers.md``):
:class:`Ball` (:func:`ncx2_log_tails_kernel`) keeps the absolute error of
the log of each class probability within :math:`8\\,\\varepsilon(1 + |\\log p|)`
(measured; the tests assert 32): about ``4e-15`` relative near 1/2,
``3e-13`` at ``1e-100``, and the log stays accurate far below the smallest
double; :class:`Linear` is ``ndtr`` of the margin (``2e-14`` relative
measured); :class:`Paraboloid` that of
:func:`rstheory.sorm.paraboloid_probability`.

References
----------
J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial robustness
via randomized smoothing", ICML 2019, arXiv:1902.02918.
N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
Distributions*, vol. 2, 2nd ed., 1995, ch. 29 (noncentral chi-square).
C. Loader, "Fast and accurate computation of binomial probabilities", 2000.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.special

from rstheory._beta import log1pmx, stirling_delta
from rstheory._jit import jit
from rstheory._special import gammainc, gammaincc
from rstheory._validate import (
    FloatArray,
    as_array,
    as_count,
    as_finite,
    as_positive,
    as_vector,
    broadcast,
)
from rstheory._validate import as_int as _as_int

__all__ = [
    "Classifier",
    "BaseClassifier",
    "Linear",
    "Ball",
    "Paraboloid",
    "Sectors",
    "Checkerboard",
    "MLP",
    "monte_carlo_votes",
    "monte_carlo_counts",
    "ncx2_log_tails",
    "ncx2_log_tails_kernel",
    "ncx2_log_tails_array",
    "log_gammainc_kernel",
    "log_gamma_density_kernel",
    "ball_decide_kernel",
    "sectors_decide_kernel",
    "checkerboard_decide_kernel",
]

IntArray = npt.NDArray[np.int64]

_INF = math.inf
_HALF_LOG_2PI = 0.9189385332046728
_LOG_HALF = -0.6931471805599453
_TWO_PI = 2.0 * math.pi
#: above this shape parameter SciPy may use Temme's expansion (see _temme)
_TEMME = 20.0
#: below this SciPy's regularized incomplete gamma value is replaced by a log-space sum
_TINY_TAIL = 1e-200
#: relative size of the neglected rest of a series
_REST = 1e-17
_FPMIN = 1e-300
#: largest gamma ratio P/D or Q/D carried by a recurrence (see _block_log_gamma)
_RATIO_MAX = 1e4
#: largest block of the mixture walk
_BLOCK_MAX = 1024
#: random numbers drawn at once by the samplers (bounded memory for any n)
_CHUNK = 1 << 18
#: numbers (votes x dimension) drawn at once by the full-noise Monte Carlo
_MC_NUMBERS = 1 << 22


# --------------------------------------------------------------------------- scalar kernels


@jit
def log_gamma_density_kernel(a: float, y: float) -> float:
    """:math:`\\log D(a, y)`, :math:`D(a, y) = y^a e^{-y}/\\Gamma(a + 1)` (scalar kernel).

    ``a >= 0``, ``y > 0`` (no checks).  At integer ``a`` it is the log of the
    Poisson probability :math:`P[\\mathrm{Pois}(y) = a]`.  Loader's
    saddle-point form (Loader 2000, as R's ``dpois_raw``),

    .. math::

        \\log D(a, y) = a\\,\\mathrm{log1pmx}\\Big(\\frac{y-a}{a}\\Big)
        - \\tfrac12\\log(2\\pi a) - \\delta(a),

    with :math:`\\mathrm{log1pmx}(u) = \\log(1+u) - u` and the Stirling
    remainder :math:`\\delta` (:mod:`rstheory._beta`), keeps an absolute
    error of a few ulps of the result, where the textbook
    :math:`a\\log y - y - \\log\\Gamma(a+1)` loses
    :math:`\\varepsilon\\,(a + y)`.  ``a = 0`` gives ``-y``; ``a < 1e-3`` the
    textbook form.
    """
    if a == 0.0:
        return -y
    if a < 1e-3:
        return a * math.log(y) - y - math.lgamma(a + 1.0)
    return a * log1pmx((y - a) / a) - 0.5 * math.log(a) - _HALF_LOG_2PI - stirling_delta(a)


@jit
def _lower_ratio(a: float, y: float) -> float:
    """:math:`M = P(a, y)/D(a, y) = \\sum_{k \\ge 0}\\prod_{i=1}^k y/(a+i)` for ``y < a + 1``.

    A sum of positive terms with falling ratios :math:`y/(a+k)`: stopped when
    the geometric bound on the rest is below ``1e-17`` of the sum.
    """
    s = 1.0
    t = 1.0
    k = 1.0
    while True:
        t *= y / (a + k)
        s += t
        r = y / (a + k + 1.0)
        if t * r <= _REST * s * (1.0 - r):
            return s
        k += 1.0


@jit
def _upper_ratio(a: float, y: float) -> float:
    """:math:`N = Q(a, y)/D(a, y) = a h` for ``y > a`` (Legendre's continued fraction).

    :math:`h = 1/(y+1-a-\\,1(1-a)/(y+3-a-\\,2(2-a)/(y+5-a-\\dots)))`
    (DLMF 8.9.2), evaluated by the modified Lentz algorithm (Numerical
    Recipes ``gcf``).
    """
    b = y + 1.0 - a
    c = 1.0 / _FPMIN
    d = 1.0 / b
    h = d
    for i in range(1, 1000000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = b + an / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-16:
            break
    return a * h


@jit
def _temme(s: float, y: float) -> bool:
    """Whether SciPy's ``gammainc``/``gammaincc`` use Temme's uniform expansion at ``(s, y)``.

    SciPy (``igam.h``) uses it for :math:`20 < s < 200` and
    :math:`|y - s| < 0.3 s`, and for :math:`s > 200` and
    :math:`|y - s| < 4.5\\sqrt s`; a slightly smaller range is taken here.
    Elsewhere its series and continued fraction cost up to
    :math:`O(\\sqrt s)` terms and lose up to about
    :math:`100\\,\\varepsilon\\,|\\log T|`.
    """
    if s <= _TEMME:
        return False
    if s < 200.0:
        return abs(y - s) < 0.29 * s
    return abs(y - s) < 4.4 * math.sqrt(s)


@jit
def _log_ratio_form(a: float, y: float, upper: bool) -> float:
    """:math:`\\log D(a, y) + \\log N` (``upper``) or :math:`+ \\log M`."""
    ratio = _upper_ratio(a, y) if upper else _lower_ratio(a, y)
    return log_gamma_density_kernel(a, y) + math.log(ratio)


@jit
def log_gammainc_kernel(a: float, y: float, upper: bool) -> float:
    """:math:`\\log Q(a, y)` (``upper``) or :math:`\\log P(a, y)`, also below the smallest double.

    Scalar kernel (no checks): ``a >= 1/2``, ``y > 0``.  The smaller tail is
    computed first, the other as ``log1p(-exp(.))`` of it (at most about 12
    ulps of cancellation, at ``a = 1/2``).  The smaller tail: the series
    :math:`P(a, y) = D(a, y)\\sum_{k \\ge 0} \\prod_{i=1}^k y/(a+i)` (``P``,
    ``y < a``, or ``y <= a + 1`` when ``a < 20``) or Legendre's continued
    fraction for :math:`Q` (otherwise), with :math:`\\log D` from
    :func:`log_gamma_density_kernel`; SciPy's ``gammainc``/``gammaincc``
    only where it uses Temme's uniform asymptotic expansion (:func:`_temme`)
    and its value is above ``1e-200``.  Elsewhere
    SciPy's prefactor loses up to about :math:`100\\,\\varepsilon\\,|\\log T|`
    for large ``a``, and its continued fraction about 60 ulps near
    ``y = a + 1`` for small ``a``; with these choices the absolute error of
    the log stays within :math:`7\\varepsilon(1 + |\\log T|)` (measured against
    mpmath for ``a`` from 1/2 to 3e5), which is about what the rounding of
    ``a`` and ``y`` alone causes.
    """
    if a < _TEMME:
        lower_small = y <= a + 1.0
    else:
        lower_small = y < a
    small = _TINY_TAIL
    if _temme(a, y):
        small = gammainc(a, y) if lower_small else gammaincc(a, y)
    if small > _TINY_TAIL:
        small = math.log(small)
    else:
        small = _log_ratio_form(a, y, not lower_small)
    if upper != lower_small:
        return small
    return math.log1p(-math.exp(small))


@jit
def _mixture_log_term(j: float, a: float, y: float, mu: float, upper: bool) -> float:
    """``log(Pois(j; mu) T(a + j, y))``, ``T`` = ``Q`` (upper) or ``P``."""
    return log_gamma_density_kernel(j, mu) + log_gammainc_kernel(a + j, y, upper)


@jit
def _mixture_rise(j: float, a: float, y: float, mu: float, upper: bool) -> float:
    """``term(j + 1) - term(j)`` in logs."""
    return _mixture_log_term(j + 1.0, a, y, mu, upper) - _mixture_log_term(j, a, y, mu, upper)


@jit
def _mixture_peak(a: float, y: float, mu: float, upper: bool) -> float:
    """Index of the largest term of the Poisson mixture (bisection on the log rise).

    The terms are log-concave in ``j``.  The lower tail's peak is at most
    :math:`\\lfloor\\mu\\rfloor` (beyond it both factors decrease), the upper
    tail's at least :math:`\\lfloor\\mu\\rfloor - 1` (below it both increase);
    an exponential search finds an upper end for the latter.
    """
    if upper:
        lo = math.floor(mu) - 1.0  # the rise is > 0 there (or lo = -1)
        step = max(1.0, math.floor(math.sqrt(mu)))
        hi = lo + step
        while _mixture_rise(hi, a, y, mu, upper) > 0.0:
            lo = hi
            step *= 2.0
            hi = lo + step
    else:
        lo = -1.0
        hi = math.floor(mu)  # the rise is < 0 there
    while hi - lo > 1.0:
        mid = math.floor(0.5 * (lo + hi))
        if _mixture_rise(mid, a, y, mu, upper) > 0.0:
            lo = mid
        else:
            hi = mid
    return hi


@jit
def _scipy_applies(s: float, y: float) -> bool:
    """Whether SciPy's uniform expansion gives the smaller tail at ``(s, y)`` above ``1e-200``."""
    if not _temme(s, y):
        return False
    if y < s:
        return gammainc(s, y) > _TINY_TAIL
    return gammaincc(s, y) > _TINY_TAIL


@jit
def _block_log_gamma(a: float, y: float, j_lo: float, n: int, upper: bool, out: FloatArray) -> None:
    """``out[0, i] = log T(a + j_lo + i, y)``, ``i < n``, ``T`` = ``Q`` (upper) or ``P``.

    Where SciPy's uniform expansion applies at both ends of the block (the
    bulk), each term is evaluated afresh (:func:`log_gammainc_kernel`, 0.1
    us).  Elsewhere a far-tail term near :math:`y = s` would cost up to a
    thousand series terms, so the block takes one direct evaluation of the
    ratios :math:`M = P/D` (at its top, when :math:`y < s`) and
    :math:`N = Q/D` (at its bottom, when :math:`y > s + 1`) and runs their
    stable recurrences,

    .. math::

        M(s - 1) = 1 + M(s)\\,y/s, \\qquad N(s + 1) = (N(s) + 1)(s + 1)/y,

    sums of positive numbers, while the ratio stays below ``1e4`` (so that
    :math:`\\log D` is not much larger than :math:`\\log T`, whose absolute
    error it carries).  The wanted tail is then that value, or the
    complement of the other tail when that one is below 1/2, or else a fresh
    evaluation.  Rows 1 and 2 of ``out`` are work space.
    """
    s_lo = a + j_lo
    s_hi = s_lo + (n - 1)
    if _scipy_applies(s_lo, y) and _scipy_applies(s_hi, y):
        for i in range(n):
            out[0, i] = log_gammainc_kernel(s_lo + i, y, upper)
        return
    for i in range(n):
        out[1, i] = math.nan  # log P
        out[2, i] = math.nan  # log Q
    if y < s_hi:
        ratio = _lower_ratio(s_hi, y)
        for k in range(n):
            i = n - 1 - k
            if k > 0:
                ratio = 1.0 + ratio * y / (s_lo + i + 1.0)
            if not ratio <= _RATIO_MAX:
                break
            out[1, i] = log_gamma_density_kernel(s_lo + i, y) + math.log(ratio)
    if y > s_lo + 1.0:
        ratio = _upper_ratio(s_lo, y)
        for i in range(n):
            if i > 0:
                ratio = (ratio + 1.0) * (s_lo + i) / y
            if not ratio <= _RATIO_MAX:
                break
            out[2, i] = log_gamma_density_kernel(s_lo + i, y) + math.log(ratio)
    want = 2 if upper else 1
    other = 1 if upper else 2
    for i in range(n):
        if out[want, i] == out[want, i]:
            out[0, i] = out[want, i]
        elif out[other, i] < _LOG_HALF:
            out[0, i] = math.log1p(-math.exp(out[other, i]))
        else:
            out[0, i] = log_gammainc_kernel(s_lo + i, y, upper)


@jit
def _mixture_walk(
    peak: float, log_peak: float, a: float, y: float, mu: float, upper: bool, direction: float
) -> float:
    """Sum of ``term(j) / term(peak)`` from ``peak + direction`` on, to a negligible rest.

    Past the peak the ratio ``r`` of consecutive terms is below 1 and falls
    (log-concavity), so the rest is at most ``t r/(1 - r)``; the walk stops
    when that is below ``1e-17`` of the sum (or at ``j = 0``).  The gamma
    factors come in blocks of 16, 32, ... up to 1024 terms
    (:func:`_block_log_gamma`).  The sum is compensated (Neumaier): at
    :math:`\\mu \\approx 10^6` the walk adds some 10^4 terms, whose plain sum
    would carry about ``1e-14`` of rounding.
    """
    buf = np.empty((3, _BLOCK_MAX))
    size = 16
    s = 0.0
    comp = 0.0
    prev = log_peak
    start = peak + direction
    while start >= 0.0:
        if direction > 0.0:
            j_lo = start
        else:
            j_lo = max(0.0, start - (size - 1))
        n = int(abs(start - j_lo)) + 1 if direction < 0.0 else size
        _block_log_gamma(a, y, j_lo, n, upper, buf)
        for k in range(n):
            i = k if direction > 0.0 else n - 1 - k
            lt = log_gamma_density_kernel(j_lo + i, mu) + buf[0, i]
            if not lt > -_INF:  # an underflowed (or invalid) term: nothing more to add
                return s + comp
            t = math.exp(lt - log_peak)
            total = s + t
            comp += (s - total) + t if s >= t else (t - total) + s
            s = total
            r = math.exp(lt - prev)
            if r < 1.0 and t * r <= _REST * (1.0 + s) * (1.0 - r):
                return s + comp
            prev = lt
        start = j_lo + n if direction > 0.0 else j_lo - 1.0
        size = min(2 * size, _BLOCK_MAX)
    return s + comp


@jit
def _mixture_log_tail(a: float, y: float, mu: float, upper: bool) -> float:
    """``log sum_j Pois(j; mu) T(a + j, y)``, summed around its largest term."""
    peak = _mixture_peak(a, y, mu, upper)
    log_peak = _mixture_log_term(peak, a, y, mu, upper)
    s = 1.0
    s += _mixture_walk(peak, log_peak, a, y, mu, upper, 1.0)
    s += _mixture_walk(peak, log_peak, a, y, mu, upper, -1.0)
    return min(0.0, log_peak + math.log(s))  # a tail near 1 may round above it


@jit
def ncx2_log_tails_kernel(x: float, df: float, nc: float) -> tuple[float, float]:
    """``(log P[X <= x], log P[X > x])`` for :math:`X \\sim \\chi'^2_{df}(nc)` (scalar kernel).

    No checks: ``df >= 1``, ``nc >= 0`` finite, ``x`` not NaN.  Both tails
    are computed directly from the Poisson mixture (Johnson, Kotz &
    Balakrishnan, ch. 29)

    .. math::

        P[X \\le x] = \\sum_{j \\ge 0} \\frac{e^{-\\mu}\\mu^j}{j!}
        P\\big(\\tfrac{df}2 + j, \\tfrac x2\\big), \\qquad
        P[X > x] = \\sum_{j \\ge 0} \\frac{e^{-\\mu}\\mu^j}{j!}
        Q\\big(\\tfrac{df}2 + j, \\tfrac x2\\big), \\qquad \\mu = \\tfrac{nc}2,

    sums of positive terms, each term in logs (:func:`log_gamma_density_kernel`,
    :func:`log_gammainc_kernel`): no cancellation and no underflow, so each
    tail keeps its relative accuracy however small it is.  The sum starts at
    its largest term (found by bisection: the terms are log-concave in ``j``)
    and walks both ways until a geometric bound on the rest is below
    ``1e-17`` of the sum, about :math:`8\\sqrt{\\mu}` terms.
    """
    if not x > 0.0:
        return -_INF, 0.0
    if x == _INF:
        return 0.0, -_INF
    a = 0.5 * df
    y = 0.5 * x
    mu = 0.5 * nc
    if mu == 0.0:
        return log_gammainc_kernel(a, y, False), log_gammainc_kernel(a, y, True)
    return _mixture_log_tail(a, y, mu, False), _mixture_log_tail(a, y, mu, True)


# --------------------------------------------------------------------------- array kernels


@jit
def ncx2_log_tails_array(x: FloatArray, df: FloatArray, nc: FloatArray) -> FloatArray:
    """:func:`ncx2_log_tails_kernel` over equal-length 1-D arrays: shape ``(2, n)``."""
    out = np.empty((2, x.shape[0]))
    for i in range(x.shape[0]):
        lo, up = ncx2_log_tails_kernel(x[i], df[i], nc[i])
        out[0, i] = lo
        out[1, i] = up
    return out


@jit
def ball_decide_kernel(
    points: FloatArray, center: FloatArray, radius2: float, inside: int
) -> IntArray:
    """Labels of the rows of ``points`` (shape ``(m, d)``) for a ball (array kernel).

    ``inside`` where :math:`\\|z - c\\|^2 \\le R^2` (``radius2``), ``1 - inside``
    elsewhere.
    """
    m, d = points.shape
    out = np.empty(m, dtype=np.int64)
    for i in range(m):
        s = 0.0
        for k in range(d):
            t = points[i, k] - center[k]
            s += t * t
        out[i] = inside if s <= radius2 else 1 - inside
    return out


@jit
def sectors_decide_kernel(
    points: FloatArray, n_classes: int, offset: float, center: FloatArray
) -> IntArray:
    """Labels of 2-D points (shape ``(m, 2)``) for ``n_classes`` equal angular sectors.

    Class ``c`` holds the angles :math:`\\theta` (about ``center``, from the
    first axis) with :math:`(\\theta - \\text{offset}) \\bmod 2\\pi \\in
    [2\\pi c/n, 2\\pi (c+1)/n)`.
    """
    m = points.shape[0]
    out = np.empty(m, dtype=np.int64)
    for i in range(m):
        theta = math.atan2(points[i, 1] - center[1], points[i, 0] - center[0]) - offset
        theta = theta % _TWO_PI
        c = int(math.floor(theta * n_classes / _TWO_PI))
        out[i] = min(max(c, 0), n_classes - 1)
    return out


@jit
def checkerboard_decide_kernel(
    points: FloatArray, cell: float, n_classes: int, origin: FloatArray
) -> IntArray:
    """Labels of 2-D points (shape ``(m, 2)``): ``(i + j) mod n_classes`` on square cells.

    ``i = floor((z_0 - origin_0)/cell)``, ``j = floor((z_1 - origin_1)/cell)``.
    """
    m = points.shape[0]
    out = np.empty(m, dtype=np.int64)
    for i in range(m):
        a = math.floor((points[i, 0] - origin[0]) / cell)
        b = math.floor((points[i, 1] - origin[1]) / cell)
        out[i] = int((a + b) % n_classes)
    return out


# --------------------------------------------------------------------------- validation


def _as_points(name: str, value: Any, dim: int) -> FloatArray:
    arr = as_finite(name, value)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(f"{name} must have shape (..., {dim}), got shape {arr.shape}")
    return arr


def _as_label(name: str, value: Any, n_classes: int = 2) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer label, got {value!r}")
    if not 0 <= int(value) < n_classes:
        raise ValueError(f"{name} must be in 0..{n_classes - 1}, got {value!r}")
    return int(value)


def _as_scalar(name: str, value: Any, positive: bool = False) -> float:
    """A finite real scalar (and > 0 with ``positive``), as a Python float."""
    arr = as_positive(name, value) if positive else as_finite(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    return float(arr)


def _as_n(value: Any) -> int:
    arr = as_count("n", value)
    if arr.ndim != 0:
        raise ValueError(f"n must be a scalar count, got shape {arr.shape}")
    return int(arr)


def _as_rng(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        if isinstance(rng, (int, np.integer)) and rng < 0:
            raise ValueError(f"rng must be a Generator, a seed >= 0 or None, got {rng!r}")
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, a seed (int >= 0) or None, got {rng!r}")


def ncx2_log_tails(x: Any, df: Any, nc: Any) -> tuple[Any, Any]:
    """Logs of both tails of the noncentral chi-square distribution.

    .. math::

        \\big(\\log P[X \\le x],\\ \\log P[X > x]\\big),
        \\qquad X \\sim \\chi'^2_{df}(nc),

    each computed directly (:func:`ncx2_log_tails_kernel`), so that neither
    loses accuracy to the other's ``1 - ``: the probability that
    :math:`\\|x + \\sigma N - c\\| \\le R` is
    ``exp(ncx2_log_tails(R**2/sigma**2, d, |x-c|**2/sigma**2)[0])``.

    Parameters
    ----------
    x : float or array_like
        Where the distribution function is evaluated (any non-NaN value;
        ``x <= 0`` gives ``(-inf, 0)``).
    df : float or array_like
        Degrees of freedom, finite and ``>= 1``.
    nc : float or array_like
        Noncentrality, finite and ``>= 0``.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        The two logs; Python floats for scalar input, else arrays of the
        broadcast shape.

    Raises
    ------
    ValueError
        If an argument is NaN or out of range, or the shapes do not
        broadcast; the message names the argument.

    Notes
    -----
    Accuracy against the mpmath twin
    :func:`rstheory.reference.noncentral_chi2_cdf`: the absolute error of
    each log stayed within :math:`8\\,\\varepsilon(1 + |\\log p|)` over 400
    random cases with ``df`` up to 150528 and ``nc`` up to ``3e4``, and 12
    with ``nc`` up to ``1e6`` (relative ``3e-15`` near 1/2, ``3e-13`` at
    ``1e-100``), about what the rounding of the inputs alone causes.  SciPy's
    ``chndtr`` agrees in the bulk but gives the lower tail only:
    ``1 - chndtr`` loses every digit of a small upper tail.  Cost: ``10 us``
    to ``1 ms`` for ``nc`` up to ``1e5`` at ``df = 150528``.

    Examples
    --------
    >>> import math
    >>> from rstheory.classifiers import ncx2_log_tails
    >>> lo, up = ncx2_log_tails(3.0, 2.0, 0.0)  # central: P = 1 - exp(-x/2)
    >>> abs(math.exp(lo) - (1 - math.exp(-1.5))) < 1e-15
    True
    >>> round(ncx2_log_tails(1000.0, 10.0, 100.0)[1], 6)  # log P[X > 1000]: 1e-101
    -232.604571
    """
    xs = as_array("x", x)
    f = as_finite("df", df)
    if (f < 1.0).any():
        raise ValueError(f"df must be >= 1, got {f[f < 1.0].ravel()[:3].tolist()!r}")
    lam = as_finite("nc", nc)
    if (lam < 0.0).any():
        raise ValueError(f"nc must be >= 0, got {lam[lam < 0.0].ravel()[:3].tolist()!r}")
    shape, (xf, ff, lf) = broadcast(x=xs, df=f, nc=lam)
    out = ncx2_log_tails_array(xf, ff, lf)
    if shape == ():
        return float(out[0, 0]), float(out[1, 0])
    return out[0].reshape(shape), out[1].reshape(shape)


# --------------------------------------------------------------------------- Monte Carlo


@runtime_checkable
class Classifier(Protocol):
    """The protocol of a base classifier: ``dim``, ``n_classes`` and ``decide``.

    ``decide(points)`` takes points of shape ``(..., dim)`` and returns their
    labels, integers in ``0 .. n_classes - 1``, shape ``(...)``.
    """

    dim: int
    n_classes: int

    def decide(self, points: Any) -> Any:
        """Labels of a batch of points of shape ``(..., dim)``."""


def _check_classifier(classifier: Any) -> tuple[int, int]:
    try:
        dim = int(classifier.dim)
        n_classes = int(classifier.n_classes)
        decide = classifier.decide
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValueError(
            "classifier must have integer attributes dim and n_classes and a decide method, "
            f"got {classifier!r}"
        ) from exc
    if dim < 1 or n_classes < 1 or not callable(decide):
        raise ValueError(f"classifier must have dim >= 1, n_classes >= 1, got {classifier!r}")
    return dim, n_classes


def _mc_batches(
    classifier: Any, x: Any, sigma: Any, n: Any, rng: Any, batch: Any
) -> tuple[Any, ...]:
    dim, n_classes = _check_classifier(classifier)
    xv = as_vector("x", x, dim)
    s = _as_scalar("sigma", sigma, positive=True)
    count = _as_n(n)
    gen = _as_rng(rng)
    size = max(1, _MC_NUMBERS // dim) if batch is None else _as_int("batch", batch, 1)
    return xv, s, count, gen, size, n_classes


def _mc_labels(
    classifier: Any, x: FloatArray, sigma: float, m: int, gen: np.random.Generator, n_classes: int
) -> IntArray:
    noise = gen.standard_normal((m, x.size))
    noise *= sigma
    noise += x
    labels = np.asarray(classifier.decide(noise)).astype(np.int64, copy=False).reshape(-1)
    if labels.size != m:
        raise ValueError(f"classifier.decide returned {labels.size} labels for {m} points")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"classifier.decide returned labels outside 0..{n_classes - 1}")
    return labels


def monte_carlo_votes(
    classifier: Any, x: Any, sigma: Any, n: Any, rng: Any = None, *, batch: Any = None
) -> IntArray:
    """Labels of ``n`` noisy votes :math:`f(x + \\sigma N_i)` from full noise vectors.

    The generic sampler for any classifier of the protocol (``dim``,
    ``n_classes``, ``decide``): draws the :math:`N_i \\sim \\mathcal N(0,
    I_d)` in batches of ``batch`` rows (default: about ``2**22`` numbers per
    batch) and calls ``classifier.decide`` on each batch.  Cost
    :math:`O(n\\,d)` plus ``n`` decisions.

    Parameters
    ----------
    classifier : Classifier
        Any object with ``dim``, ``n_classes`` and ``decide(points)``.
    x : array_like, shape (dim,)
        The input, finite.
    sigma : float
        Noise level, finite and > 0.
    n : int
        Number of votes, ``>= 0``.
    rng : numpy.random.Generator, int or None, optional
        Random generator or seed (``numpy.random.default_rng(rng)``).
    batch : int, optional
        Rows of noise drawn at once, ``>= 1``.

    Returns
    -------
    ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        On a bad argument (named in the message), or when ``decide`` returns
        the wrong number of labels or labels outside ``0 .. n_classes - 1``.

    Examples
    --------
    >>> from rstheory.classifiers import Checkerboard, monte_carlo_votes
    >>> monte_carlo_votes(Checkerboard(), [0.5, 0.5], 0.01, 5, rng=0)
    array([0, 0, 0, 0, 0])
    """
    xv, s, count, gen, size, n_classes = _mc_batches(classifier, x, sigma, n, rng, batch)
    out = np.empty(count, dtype=np.int64)
    for start in range(0, count, size):
        m = min(size, count - start)
        out[start : start + m] = _mc_labels(classifier, xv, s, m, gen, n_classes)
    return out


def monte_carlo_counts(
    classifier: Any, x: Any, sigma: Any, n: Any, rng: Any = None, *, batch: Any = None
) -> IntArray:
    """Counts per class of ``n`` noisy votes, from full noise vectors (generic sampler).

    As :func:`monte_carlo_votes`, but only the counts are kept (memory of
    one batch for any ``n``).

    Returns
    -------
    ndarray of int64, shape (n_classes,)

    Examples
    --------
    >>> from rstheory.classifiers import Linear, monte_carlo_counts
    >>> monte_carlo_counts(Linear([1.0, 0.0]), [5.0, 0.0], 0.5, 1000, rng=0)
    array([   0, 1000])
    """
    xv, s, count, gen, size, n_classes = _mc_batches(classifier, x, sigma, n, rng, batch)
    out = np.zeros(n_classes, dtype=np.int64)
    for start in range(0, count, size):
        m = min(size, count - start)
        out += np.bincount(_mc_labels(classifier, xv, s, m, gen, n_classes), minlength=n_classes)
    return out


class BaseClassifier:
    """Common base of the classifiers of this module.

    Subclasses set ``dim`` and ``n_classes`` and implement ``_decide`` on a
    C-contiguous float64 array of shape ``(m, dim)``; this class validates
    ``decide``'s input and supplies full-noise Monte Carlo samplers.
    """

    dim: int
    n_classes: int
    #: attributes shown by ``repr``
    _shown: tuple[str, ...] = ("dim", "n_classes")

    def __repr__(self) -> str:
        def show(value: Any) -> str:
            return repr(value.tolist() if isinstance(value, np.ndarray) else value)

        fields = ", ".join(f"{k}={show(getattr(self, k))}" for k in self._shown)
        return f"{type(self).__name__}({fields})"

    def _decide(self, points: FloatArray) -> IntArray:  # pragma: no cover - abstract
        raise NotImplementedError

    def decide(self, points: Any) -> IntArray:
        """Labels of ``points`` (shape ``(..., dim)``, finite): int64, shape ``(...)``."""
        z = _as_points("points", points, self.dim)
        flat = np.ascontiguousarray(z.reshape(-1, self.dim))
        return self._decide(flat).reshape(z.shape[:-1])

    def sample_votes(self, x: Any, sigma: Any, n: Any, rng: Any = None) -> IntArray:
        """Labels of ``n`` noisy votes :math:`f(x + \\sigma N_i)` (int64, shape ``(n,)``)."""
        return monte_carlo_votes(self, x, sigma, n, rng)

    def sample_counts(self, x: Any, sigma: Any, n: Any, rng: Any = None) -> IntArray:
        """Counts per class of ``n`` noisy votes (int64, shape ``(n_classes,)``)."""
        return monte_carlo_counts(self, x, sigma, n, rng)


# --------------------------------------------------------------------------- binary analytic


class _BinaryAnalytic(BaseClassifier):
    """Two classes: ``inside_label`` on :math:`\\{G \\ge 0\\}`, the other elsewhere."""

    n_classes = 2
    inside_label: int

    @property
    def outside_label(self) -> int:
        """The label of :math:`\\{G < 0\\}`."""
        return 1 - self.inside_label

    # Subclasses describe a point by a few sufficient statistics (one row per point):
    # the exact tails and the draw of one vote depend on the point only through them,
    # and along an affine family origin + coords @ basis they cost O(k), not O(d).
    def _stats(self, z: FloatArray) -> FloatArray:
        """Sufficient statistics of the points ``z`` (shape ``(m, dim)``): shape ``(m, s)``."""
        raise NotImplementedError  # pragma: no cover

    def _affine_stats(self, origin: FloatArray, basis: FloatArray) -> Any:
        """``coords -> _stats(origin + coords @ basis)`` (``basis`` of shape ``(k, dim)``).

        Subclasses compute the statistics from O(k)-sized projections, so that
        points on a line or a plane through a high-dimensional input cost no
        O(dim) work each.
        """
        raise NotImplementedError  # pragma: no cover

    def _stats_log_tails(
        self, stats: FloatArray, sigma: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        raise NotImplementedError  # pragma: no cover

    def _stats_tails(
        self, stats: FloatArray, sigma: FloatArray, log: bool
    ) -> tuple[FloatArray, FloatArray]:
        """The two class probabilities (or their logs); from the logs unless overridden."""
        log_in, log_out = self._stats_log_tails(stats, sigma)
        return (log_in, log_out) if log else (np.exp(log_in), np.exp(log_out))

    def _stats_decide(self, stats: FloatArray) -> npt.NDArray[np.bool_]:
        """Whether the points of statistics ``stats`` (shape ``(m, s)``) are inside."""
        raise NotImplementedError  # pragma: no cover

    def _stats_inside(
        self, stats: FloatArray, sigma: float, m: int, gen: np.random.Generator
    ) -> npt.NDArray[np.bool_]:
        """``m`` votes at one point (statistics ``stats``, shape ``(s,)``): inside or not."""
        raise NotImplementedError  # pragma: no cover

    def _stats_count(
        self, stats: FloatArray, sigma: float, n: int, gen: np.random.Generator
    ) -> int:
        """Number of inside votes among ``n`` at one point, in chunks (bounded memory)."""
        inside = 0
        for start in range(0, n, _CHUNK):
            m = min(_CHUNK, n - start)
            inside += int(np.count_nonzero(self._stats_inside(stats, sigma, m, gen)))
        return inside

    def _score(self, z: FloatArray) -> FloatArray:
        raise NotImplementedError  # pragma: no cover

    def _gradient(self, z: FloatArray) -> FloatArray:
        raise NotImplementedError  # pragma: no cover

    def probability(self, x: Any, sigma: Any, *, log: bool = False) -> FloatArray:
        """Exact smoothed class probabilities :math:`\\pi_c(x)`, shape ``(..., 2)``.

        ``x`` of shape ``(..., dim)`` (finite); ``sigma`` (finite, > 0) a
        scalar or an array that broadcasts with ``x.shape[:-1]``.  Both
        entries are computed directly (each keeps its relative accuracy);
        ``log=True`` returns their logs, finite also where the probability
        underflows.  The class's docstring gives the formula.
        """
        z = _as_points("x", x, self.dim)
        s = as_positive("sigma", sigma)
        try:
            shape = np.broadcast_shapes(z.shape[:-1], s.shape)
        except ValueError as exc:
            raise ValueError(
                f"sigma{s.shape} does not broadcast with x{z.shape} (its leading axes)"
            ) from exc
        zf = np.ascontiguousarray(np.broadcast_to(z, shape + (self.dim,))).reshape(-1, self.dim)
        sf = np.ascontiguousarray(np.broadcast_to(s, shape)).ravel()
        p_in, p_out = self._stats_tails(self._stats(zf), sf, bool(log))
        out = np.empty((zf.shape[0], 2))
        out[:, self.inside_label] = p_in
        out[:, self.outside_label] = p_out
        return out.reshape(shape + (2,))

    def sample_votes(self, x: Any, sigma: Any, n: Any, rng: Any = None) -> IntArray:
        """Labels of ``n`` noisy votes, drawn from the statistics of one vote.

        The cost per vote does not depend on ``dim`` (:class:`Linear`,
        :class:`Ball`) or grows with the number of nonzero curvatures only
        (:class:`Paraboloid`).  Same distribution as
        :func:`monte_carlo_votes`, not the same random stream.
        """
        xv = as_vector("x", x, self.dim)
        s = _as_scalar("sigma", sigma, positive=True)
        count = _as_n(n)
        gen = _as_rng(rng)
        stats = self._stats(xv[None, :])[0]
        out = np.empty(count, dtype=np.int64)
        for start in range(0, count, _CHUNK):
            m = min(_CHUNK, count - start)
            out[start : start + m] = np.where(
                self._stats_inside(stats, s, m, gen), self.inside_label, self.outside_label
            )
        return out

    def sample_counts(self, x: Any, sigma: Any, n: Any, rng: Any = None) -> IntArray:
        """Counts of ``n`` noisy votes per class (int64, shape ``(2,)``).

        Drawn as :meth:`sample_votes`, in chunks of ``2**18`` votes (bounded memory).
        """
        xv = as_vector("x", x, self.dim)
        s = _as_scalar("sigma", sigma, positive=True)
        count = _as_n(n)
        gen = _as_rng(rng)
        inside = self._stats_count(self._stats(xv[None, :])[0], s, count, gen)
        out = np.zeros(2, dtype=np.int64)
        out[self.inside_label] = inside
        out[self.outside_label] = count - inside
        return out

    def score(self, points: Any) -> FloatArray:
        """The limit-state function :math:`G` at ``points`` (shape ``(..., dim)``): shape ``(...)``.

        ``decide`` returns ``inside_label`` exactly where :math:`G \\ge 0`.
        """
        z = _as_points("points", points, self.dim)
        flat = np.ascontiguousarray(z.reshape(-1, self.dim))
        return self._score(flat).reshape(z.shape[:-1])

    def score_gradient(self, points: Any) -> FloatArray:
        """:math:`\\nabla G` at ``points`` (shape ``(..., dim)``): same shape."""
        z = _as_points("points", points, self.dim)
        flat = np.ascontiguousarray(z.reshape(-1, self.dim))
        return self._gradient(flat).reshape(z.shape)


class Linear(_BinaryAnalytic):
    """A half-space: :math:`f(z) =` ``inside_label`` where :math:`w \\cdot z + b \\ge 0`.

    Limit state :math:`G(z) = w \\cdot z + b`.  The smoothed probabilities
    are exact and elementary:

    .. math::

        \\pi_{\\text{inside}}(x) = \\Phi(t), \\quad
        \\pi_{\\text{outside}}(x) = \\Phi(-t), \\qquad
        t = \\frac{w \\cdot x + b}{\\sigma\\|w\\|},

    since :math:`w \\cdot N/\\|w\\|` is standard normal.  So the smoothed
    classifier *is* the base classifier, :math:`g_\\sigma = f` for every
    :math:`\\sigma` (with probability exactly 1/2 on the hyperplane), and the
    certified radius :math:`\\sigma\\Phi^{-1}(\\pi) = |t|\\sigma` is the
    distance to the hyperplane (Cohen et al. 2019, the tightness example).
    A vote is ``inside`` iff :math:`t + Z \\ge 0`, :math:`Z \\sim
    \\mathcal N(0, 1)`: one normal per vote, whatever ``dim``.

    Parameters
    ----------
    w : array_like, shape (d,)
        Normal vector, finite and nonzero.
    b : float, optional
        Offset (default 0).
    inside_label : {0, 1}, optional
        Label of :math:`\\{w\\cdot z + b \\ge 0\\}` (default 1).

    Notes
    -----
    Both probabilities are ``ndtr`` (or ``log_ndtr``) of :math:`\\pm t`, so
    each has SciPy's relative accuracy; :math:`t` itself carries the
    rounding of the dot product, about
    :math:`\\varepsilon (\\sum_i |w_i x_i| + |b|)/(\\sigma\\|w\\|)`, which the
    probability multiplies by :math:`|t|` (relative).  Measured against the
    mpmath twin :func:`rstheory.reference.linear_probability`: ``2e-14``
    relative for :math:`|t| \\le 37` at ``d <= 1000``.

    Examples
    --------
    >>> from rstheory.classifiers import Linear
    >>> f = Linear([3.0, 4.0], -5.0)
    >>> f.decide([[0.0, 0.0], [3.0, 4.0]])
    array([0, 1])
    >>> f.probability([0.0, 0.0], 1.0).round(6)  # t = -5 / 5 = -1
    array([0.841345, 0.158655])
    >>> f.sample_counts([0.0, 0.0], 1.0, 100000, rng=1)
    array([84400, 15600])
    """

    def __init__(self, w: Any, b: Any = 0.0, inside_label: Any = 1) -> None:
        self.w = as_vector("w", w)
        if not np.any(self.w):
            raise ValueError("w must not be zero")
        self.b = _as_scalar("b", b)
        self.inside_label = _as_label("inside_label", inside_label)
        self.dim = self.w.size
        self.norm = float(np.linalg.norm(self.w))

    _shown = ("dim", "b", "inside_label")

    def _decide(self, points: FloatArray) -> IntArray:
        inside = self._score(points) >= 0.0
        return np.where(inside, self.inside_label, self.outside_label).astype(np.int64)

    def _score(self, z: FloatArray) -> FloatArray:
        # einsum, not BLAS: a threaded OpenBLAS dot of 150528 numbers took 8 ms instead
        # of 0.03 ms on a loaded 2-core machine; einsum takes 0.07 ms either way
        return np.einsum("...j,j->...", z, self.w) + self.b

    def _gradient(self, z: FloatArray) -> FloatArray:
        return np.broadcast_to(self.w, z.shape).copy()

    def score_hessian(self, point: Any) -> FloatArray:
        """:math:`\\nabla^2 G = 0` at ``point`` (shape ``(dim,)``): shape ``(dim, dim)``."""
        as_vector("point", point, self.dim)
        return np.zeros((self.dim, self.dim))

    def margin(self, x: Any, sigma: Any) -> Any:
        """The margin :math:`t = (w\\cdot x + b)/(\\sigma\\|w\\|)` of ``x`` (shape ``(..., d)``)."""
        z = _as_points("x", x, self.dim)
        s = as_positive("sigma", sigma)
        return (np.einsum("...j,j->...", z, self.w) + self.b) / (s * self.norm)

    def _stats(self, z: FloatArray) -> FloatArray:
        return self._score(z)[:, None]

    def _affine_stats(self, origin: FloatArray, basis: FloatArray) -> Any:
        m0 = float(np.einsum("j,j->", origin, self.w)) + self.b
        slope = np.einsum("kj,j->k", basis, self.w)
        return lambda coords: (m0 + coords @ slope)[:, None]

    def _stats_decide(self, stats: FloatArray) -> npt.NDArray[np.bool_]:
        return stats[:, 0] >= 0.0

    def _stats_tails(
        self, stats: FloatArray, sigma: FloatArray, log: bool
    ) -> tuple[FloatArray, FloatArray]:
        t = stats[:, 0] / (sigma * self.norm)
        phi = scipy.special.log_ndtr if log else scipy.special.ndtr
        return phi(t), phi(-t)

    def _stats_inside(
        self, stats: FloatArray, sigma: float, m: int, gen: np.random.Generator
    ) -> npt.NDArray[np.bool_]:
        return gen.standard_normal(m) >= -float(stats[0]) / (sigma * self.norm)


class Ball(_BinaryAnalytic):
    """A ball: :math:`f(z) =` ``inside_label`` where :math:`\\|z - c\\| \\le R`.

    Limit state :math:`G(z) = R^2 - \\|z - c\\|^2` (principal curvatures
    :math:`1/R` on the sphere).  With :math:`\\delta = \\|x - c\\|`,
    :math:`\\|x + \\sigma N - c\\|^2/\\sigma^2` is noncentral chi-square with
    ``d`` degrees of freedom and noncentrality :math:`\\delta^2/\\sigma^2`, so

    .. math::

        \\pi_{\\text{inside}}(x) = P\\Big[\\chi'^2_d\\big(\\delta^2/\\sigma^2\\big)
        \\le R^2/\\sigma^2\\Big],

    and both tails come from :func:`ncx2_log_tails_kernel` (each directly:
    a tiny inside or outside probability keeps its relative accuracy).
    A vote depends on two statistics only: rotating the noise so that its
    first axis points along :math:`x - c`,

    .. math::

        \\|x + \\sigma N - c\\|^2/\\sigma^2 = (\\delta/\\sigma + Z_1)^2 + \\chi^2_{d-1},

    one normal and one chi-square draw per vote, whatever ``dim``.

    Parameters
    ----------
    center : array_like, shape (d,)
        Centre :math:`c`, finite.
    radius : float
        :math:`R`, finite and > 0.
    inside_label : {0, 1}, optional
        Label of the ball (default 0: the far class of a point outside, in
        the convention of :mod:`rstheory.sorm`).

    Notes
    -----
    The noncentrality is computed in double precision from ``x`` and
    ``center`` (relative error of a few ulps).  Measured against the mpmath
    twin :func:`rstheory.reference.ball_probability`: see
    :func:`ncx2_log_tails`.  Cost of ``probability``: about
    :math:`16\\sqrt{\\delta^2/2\\sigma^2}` incomplete gamma evaluations (0.1 us
    each) plus an :math:`O(d)` distance.

    Examples
    --------
    >>> from rstheory.classifiers import Ball
    >>> f = Ball([0.0, 0.0, 0.0], 1.0)
    >>> f.decide([[0.0, 0.0, 0.5], [0.0, 2.0, 0.0]])
    array([0, 1])
    >>> f.probability([0.0, 0.0, 0.0], 1.0).round(6)  # P[chi2_3 <= 1]
    array([0.198748, 0.801252])
    >>> f.sample_counts([0.0, 0.0, 0.0], 1.0, 100000, rng=1)
    array([19988, 80012])
    """

    def __init__(self, center: Any, radius: Any, inside_label: Any = 0) -> None:
        self.center = as_vector("center", center)
        self.radius = _as_scalar("radius", radius, positive=True)
        self.inside_label = _as_label("inside_label", inside_label)
        self.dim = self.center.size

    _shown = ("dim", "radius", "inside_label")

    def _decide(self, points: FloatArray) -> IntArray:
        return ball_decide_kernel(points, self.center, self.radius**2, self.inside_label)

    def _score(self, z: FloatArray) -> FloatArray:
        diff = z - self.center
        return self.radius**2 - np.einsum("ij,ij->i", diff, diff)

    def _gradient(self, z: FloatArray) -> FloatArray:
        return -2.0 * (z - self.center)

    def score_hessian(self, point: Any) -> FloatArray:
        """:math:`\\nabla^2 G = -2I` at ``point`` (shape ``(dim,)``): shape ``(dim, dim)``."""
        as_vector("point", point, self.dim)
        return -2.0 * np.eye(self.dim)

    def _stats(self, z: FloatArray) -> FloatArray:
        diff = z - self.center
        return np.einsum("ij,ij->i", diff, diff)[:, None]

    def _affine_stats(self, origin: FloatArray, basis: FloatArray) -> Any:
        diff = origin - self.center
        q0 = float(np.einsum("j,j->", diff, diff))
        lin = 2.0 * np.einsum("kj,j->k", basis, diff)
        gram = np.einsum("kj,lj->kl", basis, basis)

        def stats(coords: FloatArray) -> FloatArray:
            q = q0 + coords @ lin + np.einsum("ik,kl,il->i", coords, gram, coords)
            return np.maximum(q, 0.0)[:, None]  # rounding may dip below 0 near the centre

        return stats

    def _stats_decide(self, stats: FloatArray) -> npt.NDArray[np.bool_]:
        return stats[:, 0] <= self.radius**2

    def _stats_log_tails(
        self, stats: FloatArray, sigma: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        nc = stats[:, 0] / (sigma * sigma)
        r2 = (self.radius / sigma) ** 2
        df = np.full(nc.shape, float(self.dim))
        out = ncx2_log_tails_array(
            np.ascontiguousarray(np.broadcast_to(r2, nc.shape)), df, np.ascontiguousarray(nc)
        )
        return out[0], out[1]

    def _stats_inside(
        self, stats: FloatArray, sigma: float, m: int, gen: np.random.Generator
    ) -> npt.NDArray[np.bool_]:
        shift = math.sqrt(float(stats[0])) / sigma
        u = gen.standard_normal(m)
        u += shift
        u *= u
        if self.dim > 1:
            u += gen.chisquare(self.dim - 1, m)
        return u <= (self.radius / sigma) ** 2


class Paraboloid(_BinaryAnalytic):
    """A paraboloid: ``inside_label`` where :math:`y_d \\ge \\frac12\\sum_i \\kappa_i y_i^2`.

    :math:`y = F^T (z - v)` are the coordinates of :math:`z` in the
    orthonormal ``frame`` :math:`F` (columns: ``d - 1`` tangent directions,
    then the axis) at the ``vertex`` :math:`v`.  Limit state
    :math:`G(z) = y_d - \\frac12 \\sum_i \\kappa_i y_i^2`: the principal
    curvatures at the vertex are exactly ``curvatures`` (:math:`\\kappa > 0`:
    the inside is convex).  For :math:`x` with coordinates :math:`y`, the
    inside probability is that of :func:`rstheory.sorm.paraboloid_probability`,

    .. math::

        \\pi_{\\text{inside}}(x) = P\\Big[N_d - \\tfrac12\\sum_i \\sigma\\kappa_i
        \\big(\\tfrac{y_i}{\\sigma} + N_i\\big)^2 \\ge -\\tfrac{y_d}{\\sigma}\\Big],

    i.e. :math:`\\beta = -y_d/\\sigma`, curvatures :math:`\\sigma\\kappa_i`,
    offsets :math:`y_i/\\sigma` (only the nonzero curvatures enter), both
    tails directly (:func:`rstheory.sorm.paraboloid_log_tails_kernel`).  A
    vote draws one normal for the axis and one per nonzero curvature.

    Parameters
    ----------
    curvatures : array_like, shape (d - 1,)
        :math:`\\kappa_i` (inverse input units, any signs, finite); ``d``
        is their number plus one.
    vertex : array_like, shape (d,), optional
        :math:`v` (default the origin).
    frame : array_like, shape (d, d), optional
        Orthonormal :math:`F` (:math:`\\|F^TF - I\\|_{\\max} \\le 10^{-10}`),
        last column the axis (default the identity).
    inside_label : {0, 1}, optional
        Label of :math:`\\{G \\ge 0\\}` (default 0, as :class:`Ball`).

    Examples
    --------
    >>> from rstheory.classifiers import Paraboloid
    >>> f = Paraboloid([0.5, 0.5])
    >>> f.decide([[0.0, 0.0, 1.0], [2.0, 0.0, 0.5]])
    array([0, 1])
    >>> f.probability([0.0, 0.0, -1.0], 0.5).round(6)
    array([0.013983, 0.986017])
    """

    def __init__(
        self, curvatures: Any, vertex: Any = None, frame: Any = None, inside_label: Any = 0
    ) -> None:
        k = as_finite("curvatures", curvatures)
        if k.ndim == 0:
            k = k.reshape(1)
        if k.ndim != 1:
            raise ValueError(f"curvatures must be a 1-D array, got shape {k.shape}")
        self.curvatures = np.ascontiguousarray(k)
        self.dim = k.size + 1
        d = self.dim
        self.vertex = np.zeros(d) if vertex is None else as_vector("vertex", vertex, d)
        if frame is None:
            self.frame: FloatArray | None = None
        else:
            f = as_finite("frame", frame)
            if f.shape != (d, d):
                raise ValueError(f"frame must have shape ({d}, {d}), got {f.shape}")
            err = float(np.max(np.abs(f.T @ f - np.eye(d))))
            if err > 1e-10:
                raise ValueError(f"frame must be orthonormal, max |F^T F - I| = {err!r}")
            self.frame = np.ascontiguousarray(f)
        self.inside_label = _as_label("inside_label", inside_label)
        self._active = np.flatnonzero(self.curvatures)
        #: the coordinates a vote depends on: the curved tangents, then the axis
        self._used = np.append(self._active, self.dim - 1)

    _shown = ("curvatures", "inside_label")

    def coordinates(self, points: Any) -> FloatArray:
        """Frame coordinates :math:`y = F^T (z - v)` of ``points`` (shape ``(..., d)``)."""
        z = _as_points("points", points, self.dim)
        return self._coords(z)

    def _coords(self, z: FloatArray) -> FloatArray:
        y = z - self.vertex
        return y if self.frame is None else y @ self.frame

    def _decide(self, points: FloatArray) -> IntArray:
        inside = self._score(points) >= 0.0
        return np.where(inside, self.inside_label, self.outside_label).astype(np.int64)

    def _score(self, z: FloatArray) -> FloatArray:
        y = self._coords(z)
        return y[:, -1] - 0.5 * (y[:, :-1] ** 2) @ self.curvatures

    def _gradient(self, z: FloatArray) -> FloatArray:
        y = self._coords(z)
        g = np.empty_like(y)
        g[:, :-1] = -self.curvatures * y[:, :-1]
        g[:, -1] = 1.0
        return g if self.frame is None else g @ self.frame.T

    def score_hessian(self, point: Any) -> FloatArray:
        """:math:`\\nabla^2 G = F\\,\\mathrm{diag}(-\\kappa, 0)\\,F^T` (shape ``(dim, dim)``)."""
        as_vector("point", point, self.dim)
        h = np.diag(np.append(-self.curvatures, 0.0))
        return h if self.frame is None else self.frame @ h @ self.frame.T

    def _stats(self, z: FloatArray) -> FloatArray:
        return self._coords(z)[:, self._used]

    def _affine_stats(self, origin: FloatArray, basis: FloatArray) -> Any:
        y0 = self._coords(origin[None, :])[0, self._used]
        slope = (basis if self.frame is None else basis @ self.frame)[:, self._used]
        return lambda coords: y0 + coords @ slope

    def _stats_decide(self, stats: FloatArray) -> npt.NDArray[np.bool_]:
        bend = (stats[:, :-1] ** 2) @ self.curvatures[self._active]
        return stats[:, -1] - 0.5 * bend >= 0.0

    def _stats_log_tails(
        self, stats: FloatArray, sigma: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        from rstheory.sorm import paraboloid_log_tails_kernel

        log_in = np.empty(stats.shape[0])
        log_out = np.empty(stats.shape[0])
        kappa_all = self.curvatures[self._active]
        for i in range(stats.shape[0]):
            s = sigma[i]
            beta = -stats[i, -1] / s
            if kappa_all.size == 0:
                log_in[i] = scipy.special.log_ndtr(-beta)
                log_out[i] = scipy.special.log_ndtr(beta)
                continue
            kappa = np.ascontiguousarray(kappa_all * s)
            offsets = np.ascontiguousarray(stats[i, :-1] / s)
            log_in[i], log_out[i] = paraboloid_log_tails_kernel(beta, kappa, offsets)
        return log_in, log_out

    def _stats_inside(
        self, stats: FloatArray, sigma: float, m: int, gen: np.random.Generator
    ) -> npt.NDArray[np.bool_]:
        kappa = self.curvatures[self._active]
        height = stats[-1] + sigma * gen.standard_normal(m)
        bend = np.zeros(m)
        for j in range(kappa.size):
            t = stats[j] + sigma * gen.standard_normal(m)
            bend += kappa[j] * (t * t)
        return height >= 0.5 * bend


# --------------------------------------------------------------------------- toys


class Sectors(BaseClassifier):
    """``n_classes`` equal angular sectors of the plane (2-D, Monte Carlo only).

    Class ``c`` holds the points whose angle :math:`\\theta` about ``center``
    satisfies :math:`(\\theta - \\text{offset}) \\bmod 2\\pi \\in [2\\pi c/n,
    2\\pi(c+1)/n)` (:func:`sectors_decide_kernel`).  Every class meets at
    the centre, where the smoothed classifier is a fair ``n``-way split (by
    symmetry of the Gaussian): a multi-class toy with corners.

    Examples
    --------
    >>> from rstheory.classifiers import Sectors
    >>> Sectors(4).decide([[1.0, 0.1], [-1.0, 0.1], [0.0, -1.0]])
    array([0, 1, 3])
    """

    _shown = ("n_classes", "offset")
    dim = 2

    def __init__(self, n_classes: Any = 3, offset: Any = 0.0, center: Any = (0.0, 0.0)) -> None:
        self.n_classes = _as_int("n_classes", n_classes, 2)
        self.offset = _as_scalar("offset", offset)
        self.center = as_vector("center", center, 2)

    def _decide(self, points: FloatArray) -> IntArray:
        return sectors_decide_kernel(points, self.n_classes, self.offset, self.center)


class Checkerboard(BaseClassifier):
    """Square cells of side ``cell`` labelled ``(i + j) mod n_classes`` (2-D, Monte Carlo only).

    Cell :math:`(i, j)` is :math:`[o_0 + i\\,\\text{cell}, o_0 + (i+1)\\,\\text{cell})
    \\times [o_1 + j\\,\\text{cell}, o_1 + (j+1)\\,\\text{cell})`
    (:func:`checkerboard_decide_kernel`).  With :math:`\\sigma` comparable
    to ``cell`` the smoothed classifier is far from the base classifier.

    Examples
    --------
    >>> from rstheory.classifiers import Checkerboard
    >>> Checkerboard(cell=1.0).decide([[0.5, 0.5], [1.5, 0.5], [-0.5, 0.5]])
    array([0, 1, 1])
    """

    _shown = ("cell", "n_classes")
    dim = 2

    def __init__(self, cell: Any = 1.0, n_classes: Any = 2, origin: Any = (0.0, 0.0)) -> None:
        self.cell = _as_scalar("cell", cell, positive=True)
        self.n_classes = _as_int("n_classes", n_classes, 2)
        self.origin = as_vector("origin", origin, 2)

    def _decide(self, points: FloatArray) -> IntArray:
        return checkerboard_decide_kernel(points, self.cell, self.n_classes, self.origin)


class MLP(BaseClassifier):
    """A small multi-layer perceptron with fixed weights (NumPy; Monte Carlo only).

    :math:`h_0 = z`, :math:`h_{k+1} = \\max(0, h_k W_k + b_k)` for the hidden
    layers, logits :math:`h_L W_L + b_L`, and ``decide`` = the index of the
    largest logit (the first one on a tie).  A stand-in for a trained network
    whose smoothed probabilities have no closed form.

    Parameters
    ----------
    weights : sequence of array_like
        :math:`W_k` of shapes ``(d_k, d_{k+1})``, chained; ``d_0 = dim``, the
        last ``n_classes >= 2``.
    biases : sequence of array_like
        :math:`b_k` of shapes ``(d_{k+1},)``.

    Examples
    --------
    >>> from rstheory.classifiers import MLP
    >>> net = MLP.random((2, 16, 3), seed=0)
    >>> net.dim, net.n_classes
    (2, 3)
    >>> net.decide([[0.0, 0.0], [1.0, -1.0]]).shape
    (2,)
    """

    def __init__(self, weights: Any, biases: Any) -> None:
        ws = [as_finite(f"weights[{k}]", w) for k, w in enumerate(weights)]
        bs = [as_finite(f"biases[{k}]", b) for k, b in enumerate(biases)]
        if not ws or len(ws) != len(bs):
            raise ValueError(
                f"weights and biases must be non-empty and of equal length, got {len(ws)} "
                f"and {len(bs)}"
            )
        for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
                raise ValueError(f"weights[{k}] must be a 2-D array, got shape {w.shape}")
            if k > 0 and w.shape[0] != ws[k - 1].shape[1]:
                raise ValueError(
                    f"weights[{k}] must have {ws[k - 1].shape[1]} rows, got {w.shape[0]}"
                )
            if b.shape != (w.shape[1],):
                raise ValueError(f"biases[{k}] must have shape ({w.shape[1]},), got {b.shape}")
        if ws[-1].shape[1] < 2:
            raise ValueError(f"the last layer must have >= 2 outputs, got {ws[-1].shape[1]}")
        self.weights = [np.ascontiguousarray(w) for w in ws]
        self.biases = [np.ascontiguousarray(b) for b in bs]
        self.dim = ws[0].shape[0]
        self.n_classes = ws[-1].shape[1]

    @classmethod
    def random(cls, dims: Any, seed: Any = 0) -> MLP:
        """An MLP of layer sizes ``dims`` (``(dim, hidden..., n_classes)``) with random weights.

        He initialisation, :math:`W_k \\sim \\mathcal N(0, 2/d_k)`, biases
        :math:`\\mathcal N(0, 0.1^2)`, from ``numpy.random.default_rng(seed)``.
        """
        sizes = [_as_int(f"dims[{k}]", v, 1) for k, v in enumerate(dims)]
        if len(sizes) < 2:
            raise ValueError(f"dims must have at least 2 entries, got {list(dims)!r}")
        gen = _as_rng(seed)
        ws = [
            gen.standard_normal((a, b)) * math.sqrt(2.0 / a)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        bs = [0.1 * gen.standard_normal(b) for b in sizes[1:]]
        return cls(ws, bs)

    _shown = ("dims",)

    @property
    def dims(self) -> tuple[int, ...]:
        """The layer sizes ``(dim, hidden..., n_classes)``."""
        return (self.dim, *(int(w.shape[1]) for w in self.weights))

    def logits(self, points: Any) -> FloatArray:
        """The logits at ``points`` (shape ``(..., dim)``): shape ``(..., n_classes)``."""
        z = _as_points("points", points, self.dim)
        flat = z.reshape(-1, self.dim)
        return self._logits(flat).reshape(z.shape[:-1] + (self.n_classes,))

    def _logits(self, h: FloatArray) -> FloatArray:
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if k < last:
                np.maximum(h, 0.0, out=h)
        return h

    def _decide(self, points: FloatArray) -> IntArray:
        return np.argmax(self._logits(points), axis=1).astype(np.int64)
