"""FORM and SORM approximations of smoothed probabilities, and exact paraboloids.

A point :math:`x` at distance :math:`\\delta = \\beta\\sigma` from the frontier
of a base classifier :math:`f` sees the far class with the smoothed
probability :math:`\\pi_0(x) = P[f(x + \\sigma N) = 0]`.  Maho, Furon & Le
Merrer (ICASSP 2022, section 3.3) approximate it by Breitung's second-order
reliability method (SORM):

.. math::

    \\pi_0(x) \\approx \\Phi(-\\beta) \\prod_{i=1}^{d-1} (1 + \\beta\\kappa_i)^{-1/2},

with :math:`\\kappa_i` the principal curvatures of the frontier at the design
point (the frontier point nearest to :math:`x`), in units of :math:`1/\\sigma`.

Conventions
-----------
In the coordinates :math:`u = (z - x)/\\sigma`, rotated so that the last axis
points from :math:`x` to the design point, the far class's region is,
to second order, the paraboloid

.. math::

    \\{u : u_d \\ge \\beta + \\tfrac12 \\textstyle\\sum_i \\kappa_i u_i^2\\}.

So :math:`\\kappa_i > 0` when the far class's region is locally convex (it
curves away from :math:`x`: a ball of radius :math:`R` seen from outside has
all :math:`\\kappa_i = \\sigma/R`) and :math:`\\pi_0 < \\Phi(-\\beta)`;
:math:`\\kappa_i < 0` when it wraps around :math:`x` (when :math:`x`'s own
region is convex, e.g. :math:`x` inside a ball) and :math:`\\pi_0 > \\Phi(-\\beta)`.
This is the sign that makes the formula above and the paraboloid agree; it is
the usual one of structural reliability (positive curvature = convex failure
domain).

What the module computes
------------------------
* :func:`form`, :func:`breitung`, :func:`hohenbichler` (Hohenbichler &
  Rackwitz 1988), :func:`tvedt` (Tvedt's three-term formula, 1984), each with
  ``log=True`` for the log-probability (no underflow at large
  :math:`\\beta`); where an approximation breaks down (a factor
  :math:`1 + \\beta\\kappa_i \\le 0`, or Tvedt's bracket :math:`\\le 0`) it
  returns ``inf``, never a silent finite number.
* :func:`paraboloid_probability`: the exact probability of the paraboloid by
  one saddle-point contour integral of its moment generating function
  (trapezoidal rule, exponentially convergent; relative accuracy also in the
  far tail).
* :func:`smoothed_frontier_offset`: where the smoothed frontier
  :math:`\\pi_0 = 1/2` sits along the normal, relative to :math:`f`'s
  frontier, by SORM and exactly (paraboloids and spheres).
* :func:`principal_curvatures`, :func:`finite_difference_hessian` and
  :func:`design_point` (improved HL-RF) for any classifier that exposes a
  score function and its gradient.

Three tiers (DESIGN.md): scalar kernels ``*_kernel`` (``@njit``, no checks,
callable from a user's own ``@njit`` code; curvatures are a 1-D float64
array), and validating, broadcasting public wrappers (``beta`` of shape
``S``, ``curvatures`` of shape ``S' + (d-1,)``, broadcast over the leading
axes).

References
----------
K. Breitung, "Asymptotic approximations for multinormal integrals", J. Eng.
Mech. 110(3), 357-366, 1984.
M. Hohenbichler, S. Gollwitzer, W. Kruse, R. Rackwitz, "New light on first-
and second-order reliability methods", Structural Safety 4, 267-284, 1987.
L. Tvedt, "Two second-order approximations to the failure probability", Det
Norske Veritas report RDIV/20-004-83, 1984; "Distribution of quadratic forms
in normal space - application to structural reliability", J. Eng. Mech.
116(6), 1183-1197, 1990.
H. E. Daniels, "Saddlepoint approximations in statistics", Ann. Math. Stat.
25, 631-650, 1954 (the contour through the saddle point).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from rstheory._geometry import (
    DesignPoint,
    design_point,
    finite_difference_hessian,
    principal_curvatures,
)
from rstheory._jit import jit
from rstheory._special import chndtr, erfcx, log_ndtr
from rstheory._validate import FloatArray, as_array, as_finite, as_positive

__all__ = [
    "METHODS",
    "form",
    "breitung",
    "hohenbichler",
    "tvedt",
    "sorm",
    "paraboloid_probability",
    "sphere_probability",
    "approximation_errors",
    "SURFACES",
    "smoothed_frontier_offset",
    "OFFSET_METHODS",
    "principal_curvatures",
    "finite_difference_hessian",
    "design_point",
    "DesignPoint",
    "mills_gap_kernel",
    "sorm_log_kernel",
    "paraboloid_log_tails_kernel",
    "METHOD_FORM",
    "METHOD_BREITUNG",
    "METHOD_HOHENBICHLER",
    "METHOD_TVEDT",
]

#: Method codes of :func:`sorm_log_kernel`.
METHOD_FORM = 0
METHOD_BREITUNG = 1
METHOD_HOHENBICHLER = 2
METHOD_TVEDT = 3
#: The approximations by name (the ``method`` argument of :func:`sorm`).
METHODS: dict[str, int] = {
    "form": METHOD_FORM,
    "breitung": METHOD_BREITUNG,
    "hohenbichler": METHOD_HOHENBICHLER,
    "tvedt": METHOD_TVEDT,
}
#: The exact surfaces of :func:`approximation_errors`.
SURFACES = ("paraboloid", "sphere")
#: The ``method`` values of :func:`smoothed_frontier_offset`.
OFFSET_METHODS = ("exact", "sphere", "breitung", "hohenbichler", "tvedt")

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_HALF = math.sqrt(0.5)
_LOG_HALF = math.log(0.5)
_INF = math.inf
#: smallest relative tolerance scipy.optimize.brentq accepts
_RTOL = 4.0 * float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------- scalar kernels


@jit
def mills_gap_kernel(beta: float) -> float:
    """:math:`\\psi(\\beta) - \\beta` with :math:`\\psi = \\varphi/\\Phi(-\\cdot)` (scalar kernel).

    :math:`\\psi` is the inverse Mills ratio (the hazard of the standard
    normal); the gap is positive for every :math:`\\beta` and behaves like
    :math:`1/\\beta` for large :math:`\\beta`.  Below 3 it is
    :math:`\\sqrt{2/\\pi}/\\operatorname{erfcx}(\\beta/\\sqrt2) - \\beta`
    (cancellation at most ~10 ulps there); from 3 on, Laplace's continued
    fraction :math:`1/(\\beta + 2/(\\beta + 3/(\\beta + \\dots)))`, 60 terms,
    without cancellation (within 1e-16 relative of a 40-digit evaluation).
    """
    if beta < 3.0:
        return _SQRT_2_OVER_PI / erfcx(beta * _SQRT_HALF) - beta
    t = 0.0
    for k in range(60, 1, -1):
        t = k / (beta + t)
    return 1.0 / (beta + t)


@jit
def sorm_log_kernel(method: int, beta: float, kappa: Any) -> float:
    """Log of a FORM/SORM approximation of the paraboloid's probability.

    :math:`P[u_d \\ge \\beta + \\frac12\\sum\\kappa_i u_i^2]`.  Scalar kernel
    (no checks): ``method`` one of the ``METHOD_*`` codes, ``beta`` finite,
    ``kappa`` a 1-D float64 array (dimensionless curvatures
    :math:`\\sigma\\kappa_i`).  Returns ``+inf`` where the approximation
    breaks down (a factor :math:`\\le 0`, or Tvedt's bracket :math:`\\le 0`).
    """
    log_form = log_ndtr(-beta)
    if method == METHOD_FORM:
        return log_form
    m = kappa.shape[0]
    if method == METHOD_HOHENBICHLER:
        psi = _SQRT_2_OVER_PI / erfcx(beta * _SQRT_HALF)
        s = 0.0
        for i in range(m):
            f = kappa[i] * psi
            if not f > -1.0:
                return _INF
            s += math.log1p(f)
        return log_form - 0.5 * s
    # Breitung and Tvedt share sum log(1 + beta kappa_i)
    s0 = 0.0
    for i in range(m):
        f = beta * kappa[i]
        if not f > -1.0:
            return _INF
        s0 += math.log1p(f)
    if method == METHOD_BREITUNG:
        return log_form - 0.5 * s0
    # Tvedt: P = Phi(-b) B0 [1 - g (1 - r1) - (b + 1) g (1 - Re r2)], with
    # g = psi - b, r1 = B1/B0 = prod (1 + k/(1 + b k))^(-1/2),
    # r2 = prod (1 + i k/(1 + b k))^(-1/2) (principal roots, Re of each base > 0).
    s1 = 0.0
    re2 = 0.0
    im2 = 0.0
    for i in range(m):
        w = kappa[i] / (1.0 + beta * kappa[i])
        if not w > -1.0:  # 1 + (beta + 1) kappa_i <= 0
            return _INF
        s1 += math.log1p(w)
        re2 += 0.5 * math.log1p(w * w)
        im2 += math.atan(w)
    g = mills_gap_kernel(beta)
    one_minus_r1 = -math.expm1(-0.5 * s1)
    a = -0.5 * re2  # r2 = exp(a + i b)
    b = -0.5 * im2
    sb = math.sin(0.5 * b)
    one_minus_re_r2 = 2.0 * sb * sb - math.expm1(a) * math.cos(b)
    bracket = 1.0 - g * one_minus_r1 - (beta + 1.0) * g * one_minus_re_r2
    if not bracket > 0.0:
        return _INF
    return log_form - 0.5 * s0 + math.log(bracket)


@jit
def _cgf(s: float, beta: float, kappa: Any, offsets: Any) -> tuple[float, float, float]:
    """``g(s) = K(s) - s beta - log|s|`` and its first two derivatives (real ``s``).

    ``K`` is the cumulant generating function of
    :math:`Q = N_0 - \\frac12\\sum_j \\kappa_j (m_j + N_j)^2`:
    :math:`K(s) = s^2/2 + \\sum_j [-\\frac12\\log(1 + s\\kappa_j)
    - \\frac12 s\\kappa_j m_j^2/(1 + s\\kappa_j)]`.
    """
    k0 = 0.5 * s * s
    k1 = s
    k2 = 1.0
    for j in range(kappa.shape[0]):
        kj = kappa[j]
        mm = offsets[j] * offsets[j]
        a = 1.0 + s * kj
        r = kj / a
        k0 += -0.5 * math.log1p(s * kj) - 0.5 * mm * s * r
        k1 += -0.5 * r - 0.5 * mm * r / a
        k2 += 0.5 * r * r + mm * r * r / a
    return (
        k0 - s * beta - math.log(abs(s)),
        k1 - beta - 1.0 / s,
        k2 + 1.0 / (s * s),
    )


@jit
def _saddle(beta: float, kappa: Any, offsets: Any, side: float) -> float:
    """Minimiser of the convex ``g`` on ``(0, s_hi)`` (``side > 0``) or ``(s_lo, 0)``.

    Safeguarded Newton iteration; the strip ends are the branch points
    :math:`-1/\\kappa_j` of the cumulant generating function, where
    ``g' -> +-inf``, and 0, where ``-log|s|`` diverges.
    """
    end = _INF
    for j in range(kappa.shape[0]):
        kj = kappa[j] * side
        if kj < 0.0:
            end = min(end, -1.0 / kj)
    lo = 0.0
    hi = end
    s = min(1.0, 0.5 * end)
    for _ in range(200):
        x = side * s
        _, d1, d2 = _cgf(x, beta, kappa, offsets)
        d1 *= side  # derivative in s = |x|
        if d1 > 0.0:
            hi = s
        else:
            lo = s
        step = s - d1 / d2
        if abs(step - s) <= 1e-13 * s:  # before the bracket test: lo may equal s here
            return side * step
        if lo < step < hi and step == step:
            new = step
        elif hi == _INF:
            new = 2.0 * s
        else:
            new = 0.5 * (lo + hi)
        if abs(new - s) <= 1e-13 * s:
            return side * new
        s = new
    return side * s


@jit
def _tail_at(c: float, beta: float, kappa: Any, offsets: Any) -> tuple[float, float]:
    """``(log prefactor, integral)`` of one tail on the contour ``Re s = c``.

    :math:`P = \\pm e^{K(c) - c\\beta} \\frac{1}{\\pi}\\int_0^\\infty
    \\operatorname{Re}\\frac{e^{K(c+iy) - K(c) - iy\\beta}}{c + iy}\\,dy`
    (``+`` for the upper tail, ``c > 0``; ``-`` for the lower tail, ``c < 0``),
    by the trapezoidal rule.  The step keeps the strip of analyticity
    (the pole at :math:`s = 0` and the branch points :math:`-1/\\kappa_j`) and
    the growth of the integrand off the real axis, ``exp(g''/2 d^2)``, within
    an error of :math:`e^{-40}`; the sum stops when
    :math:`\\operatorname{Re} E(y) < -46`.
    """
    m = kappa.shape[0]
    g0, _, g2 = _cgf(c, beta, kappa, offsets)
    log_pref = g0 + math.log(abs(c))  # K(c) - c beta
    width = abs(c)
    for j in range(m):
        if kappa[j] != 0.0:
            width = min(width, abs((1.0 + c * kappa[j]) / kappa[j]))
    h = min(math.pi * width / 48.0, math.pi / math.sqrt(24.0 * g2))
    total = 0.5 / c
    k = 1
    while True:
        y = k * h
        re_e = -0.5 * y * y
        im_e = y * (c - beta)
        for j in range(m):
            a = 1.0 + c * kappa[j]
            w = y * kappa[j] / a
            q = 1.0 + w * w
            mm = offsets[j] * offsets[j] / a
            re_e -= 0.25 * math.log1p(w * w) + 0.5 * mm * w * w / q
            im_e -= 0.5 * math.atan(w) + 0.5 * mm * w / q
        if re_e < -46.0:
            break
        mag = math.exp(re_e)
        den = c * c + y * y  # 1/(c + iy) = (c - iy)/den
        total += mag * (math.cos(im_e) * c + math.sin(im_e) * y) / den
        k += 1
    return log_pref, total * h / math.pi


@jit
def paraboloid_log_tails_kernel(beta: float, kappa: Any, offsets: Any) -> tuple[float, float]:
    """The two log-tails ``(log P[Q >= beta], log P[Q < beta])`` of a quadratic form.

    :math:`Q = N_0 - \\frac12\\sum_j\\kappa_j(m_j + N_j)^2`.

    Scalar kernel (no checks): ``beta`` finite, ``kappa`` and ``offsets``
    1-D float64 arrays of equal length, :math:`N` standard normal.  With
    ``offsets = 0`` the upper tail is the probability of the paraboloid
    :math:`\\{u_d \\ge \\beta + \\frac12\\sum\\kappa_i u_i^2\\}`; nonzero
    offsets place the point off the axis (the tangential coordinates of
    :math:`x` in units of :math:`\\sigma`).

    The smaller tail is computed directly, on the contour through the
    saddle point of :math:`K(s) - s\\beta - \\log|s|` on its side of 0 (so
    that it keeps its relative accuracy however small it is); the other is
    ``log1p(-exp(.))`` of it.
    """
    c_up = _saddle(beta, kappa, offsets, 1.0)
    c_lo = _saddle(beta, kappa, offsets, -1.0)
    g_up = _cgf(c_up, beta, kappa, offsets)[0]
    g_lo = _cgf(c_lo, beta, kappa, offsets)[0]
    if g_up <= g_lo:
        log_pref, integral = _tail_at(c_up, beta, kappa, offsets)
        small = log_pref + math.log(integral)
        return small, math.log1p(-math.exp(small))
    log_pref, integral = _tail_at(c_lo, beta, kappa, offsets)
    small = log_pref + math.log(-integral)
    return math.log1p(-math.exp(small)), small


# --------------------------------------------------------------------------- array kernels


@jit
def _sorm_log_array(method: int, beta: Any, kappa: Any) -> Any:
    out = np.empty(beta.shape[0])
    for i in range(beta.shape[0]):
        out[i] = sorm_log_kernel(method, beta[i], kappa[i])
    return out


@jit
def _paraboloid_log_array(beta: Any, kappa: Any, offsets: Any) -> Any:
    out = np.empty(beta.shape[0])
    for i in range(beta.shape[0]):
        out[i] = paraboloid_log_tails_kernel(beta[i], kappa[i], offsets[i])[0]
    return out


# --------------------------------------------------------------------------- public wrappers


def _as_curvatures(name: str, value: Any) -> FloatArray:
    arr = as_finite(name, value)
    return arr.reshape(1) if arr.ndim == 0 else arr


def _as_beta(value: Any) -> FloatArray:
    return as_finite("beta", value)


def _rows(beta: FloatArray, curvatures: FloatArray, *extra: FloatArray) -> tuple[Any, ...]:
    """Broadcast ``beta`` (shape S) with ``curvatures`` (shape S' + (m,)): flat rows."""
    m = curvatures.shape[-1]
    try:
        shape = np.broadcast_shapes(beta.shape, curvatures.shape[:-1])
    except ValueError as exc:
        raise ValueError(
            f"beta{beta.shape} does not broadcast with the leading axes of "
            f"curvatures{curvatures.shape}"
        ) from exc
    b = np.ascontiguousarray(np.broadcast_to(beta, shape), dtype=np.float64).ravel()
    rows = [
        np.ascontiguousarray(np.broadcast_to(a, shape + (m,)), dtype=np.float64).reshape(b.size, m)
        for a in (curvatures, *extra)
    ]
    return (shape, b, *rows)


def _finish(log_p: FloatArray, shape: tuple[int, ...], log: bool) -> Any:
    out = log_p if log else np.exp(log_p)
    if shape == ():
        return float(out[0])
    return out.reshape(shape)


def form(beta: Any, *, log: bool = False) -> Any:
    """First-order (FORM) probability :math:`\\Phi(-\\beta)`.

    Parameters
    ----------
    beta : float or array_like
        Distance of the point to the frontier in units of :math:`\\sigma`
        (finite; negative on the far side).
    log : bool, optional
        Return :math:`\\log\\Phi(-\\beta)` (no underflow for large ``beta``).

    Returns
    -------
    float or ndarray
        The exact smoothed probability of the far class when the frontier is a
        hyperplane (zero curvature).

    Examples
    --------
    >>> from rstheory.sorm import form
    >>> round(form(2.0), 6)
    0.02275
    >>> round(form(40.0, log=True), 3)
    -804.608
    """
    return sorm(beta, [], method="form", log=log)


def sorm(beta: Any, curvatures: Any, method: str = "breitung", *, log: bool = False) -> Any:
    """A FORM/SORM approximation chosen by name (``method`` in :data:`METHODS`).

    See :func:`breitung`, :func:`hohenbichler`, :func:`tvedt` and :func:`form`
    for the formulas; all share the broadcasting rules: ``beta`` of shape
    ``S`` and ``curvatures`` of shape ``S' + (d-1,)`` broadcast over ``S``
    and ``S'`` (a scalar curvature is one curvature, ``d = 2``).

    Raises
    ------
    ValueError
        For an unknown ``method``, non-finite ``beta`` or ``curvatures``, or
        shapes that do not broadcast.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    b = _as_beta(beta)
    k = _as_curvatures("curvatures", curvatures) if method != "form" else np.zeros(0)
    shape, flat_b, flat_k = _rows(b, k)
    return _finish(_sorm_log_array(METHODS[method], flat_b, flat_k), shape, log)


def breitung(beta: Any, curvatures: Any, *, log: bool = False) -> Any:
    """Breitung's SORM approximation of the probability beyond a curved frontier.

    .. math::

        P \\approx \\Phi(-\\beta) \\prod_{i=1}^{d-1} (1 + \\beta\\kappa_i)^{-1/2}

    Asymptotically exact as :math:`\\beta \\to \\infty` with
    :math:`\\beta\\kappa_i` fixed (Breitung 1984); at :math:`\\beta = 0` it
    returns :math:`1/2` whatever the curvatures.

    Parameters
    ----------
    beta : float or array_like
        Distance to the frontier in units of :math:`\\sigma` (finite).
    curvatures : array_like
        Principal curvatures :math:`\\kappa_i` of the frontier at the design
        point, in units of :math:`1/\\sigma`, along the last axis (sign: see
        the module docstring; positive when the far region is convex).
    log : bool, optional
        Return the natural logarithm of the approximation.

    Returns
    -------
    float or ndarray
        The approximation; ``inf`` where some :math:`1 + \\beta\\kappa_i \\le 0`
        (the paraboloid closes around the point and the formula diverges).

    Examples
    --------
    >>> from rstheory.sorm import breitung
    >>> round(breitung(3.0, [0.1, 0.1]), 8)
    0.00103838
    >>> breitung(3.0, [-0.5])
    inf
    """
    return sorm(beta, curvatures, method="breitung", log=log)


def hohenbichler(beta: Any, curvatures: Any, *, log: bool = False) -> Any:
    """Hohenbichler-Rackwitz SORM approximation.

    .. math::

        P \\approx \\Phi(-\\beta) \\prod_{i=1}^{d-1}
        \\left(1 + \\kappa_i \\frac{\\varphi(\\beta)}{\\Phi(-\\beta)}\\right)^{-1/2}

    Breitung's formula with :math:`\\beta` replaced by the inverse Mills ratio
    :math:`\\psi(\\beta) = \\varphi(\\beta)/\\Phi(-\\beta) > \\beta`, which
    improves it at moderate :math:`\\beta` (Hohenbichler et al. 1987);
    :math:`\\psi` is evaluated as
    :math:`\\sqrt{2/\\pi}/\\operatorname{erfcx}(\\beta/\\sqrt2)`, without
    underflow.  Parameters, broadcasting and ``log`` as in :func:`breitung`;
    ``inf`` where some :math:`1 + \\kappa_i\\psi(\\beta) \\le 0`.

    Examples
    --------
    >>> from rstheory.sorm import hohenbichler
    >>> round(hohenbichler(3.0, [0.1, 0.1]), 8)
    0.00101625
    """
    return sorm(beta, curvatures, method="hohenbichler", log=log)


def tvedt(beta: Any, curvatures: Any, *, log: bool = False) -> Any:
    """Tvedt's three-term SORM approximation.

    .. math::

        P \\approx A_1 + A_2 + A_3, \\qquad
        A_1 = \\Phi(-\\beta) \\prod_i (1 + \\beta\\kappa_i)^{-1/2},

        A_2 = [\\beta\\Phi(-\\beta) - \\varphi(\\beta)]
        \\Big\\{\\prod_i (1 + \\beta\\kappa_i)^{-1/2}
        - \\prod_i (1 + (\\beta + 1)\\kappa_i)^{-1/2}\\Big\\},

        A_3 = (\\beta + 1)[\\beta\\Phi(-\\beta) - \\varphi(\\beta)]
        \\Big\\{\\prod_i (1 + \\beta\\kappa_i)^{-1/2}
        - \\operatorname{Re} \\prod_i (1 + (\\beta + i)\\kappa_i)^{-1/2}\\Big\\}

    (Tvedt 1984; principal square roots).  Evaluated as
    :math:`A_1 [1 - g(1 - r_1) - (\\beta + 1) g (1 - \\operatorname{Re} r_2)]`
    with :math:`g = \\psi(\\beta) - \\beta` (:func:`mills_gap_kernel`, no
    cancellation at large :math:`\\beta`) and the ratios
    :math:`r_1, r_2` of the products to the first one, so that neither the
    products nor :math:`\\Phi(-\\beta)` under- or overflow in high dimension.
    Parameters, broadcasting and ``log`` as in :func:`breitung`; ``inf``
    where a factor :math:`1 + \\beta\\kappa_i` or :math:`1 + (\\beta+1)\\kappa_i`
    is :math:`\\le 0` or the bracket is :math:`\\le 0`.

    Examples
    --------
    >>> from rstheory.sorm import tvedt
    >>> round(tvedt(3.0, [0.1, 0.1]), 8)
    0.00101047
    """
    return sorm(beta, curvatures, method="tvedt", log=log)


def paraboloid_probability(
    beta: Any, curvatures: Any, *, offsets: Any = None, log: bool = False
) -> Any:
    """Exact probability that a standard normal vector lands in a paraboloid.

    .. math::

        P = P\\Big[N_d \\ge \\beta + \\tfrac12 \\sum_{i=1}^{d-1}
        \\kappa_i (m_i + N_i)^2\\Big],
        \\qquad N \\sim \\mathcal N(0, I_d),

    the smoothed probability of the far class for a frontier that *is* the
    paraboloid of :func:`breitung`'s expansion (``offsets`` :math:`m = 0`: the
    point on its axis).  With :math:`Q = N_d - \\frac12\\sum\\kappa_i(m_i+N_i)^2`,
    whose cumulant generating function is

    .. math::

        K(s) = \\frac{s^2}{2} - \\frac12 \\sum_i \\Big[\\log(1 + s\\kappa_i)
        + \\frac{s\\kappa_i m_i^2}{1 + s\\kappa_i}\\Big],

    the tail is a single integral along the vertical line through the saddle
    point :math:`c` of :math:`K(s) - s\\beta - \\log|s|` (Daniels 1954):

    .. math::

        P[Q \\ge \\beta] = \\frac{1}{\\pi}\\int_0^\\infty
        \\operatorname{Re}\\frac{e^{K(c + iy) - (c + iy)\\beta}}{c + iy}\\,dy,
        \\qquad c > 0,

    evaluated by the trapezoidal rule, which converges exponentially for this
    analytic, Gaussian-decaying integrand; the smaller of the two tails is
    computed this way (:math:`c < 0` for the lower one) so both keep their
    relative accuracy (the log of tails far below the smallest double too).
    Accuracy against a 50-digit Gil-Pelaez oracle: see the test-suite and
    ``rstheory report`` (about 1e-14 relative).  Cost: a few hundred
    evaluations of the :math:`d-1` terms.

    Parameters
    ----------
    beta : float or array_like
        Distance of the point to the vertex along the axis, in units of
        :math:`\\sigma` (finite, any sign).
    curvatures : array_like
        :math:`\\kappa_i` in units of :math:`1/\\sigma` along the last axis
        (any signs; a scalar is one curvature).
    offsets : array_like, optional
        Tangential coordinates :math:`m_i` of the point in units of
        :math:`\\sigma`, same shape rules as ``curvatures`` (default 0).
    log : bool, optional
        Return :math:`\\log P`.

    Returns
    -------
    float or ndarray
        The probability.  The complement is
        ``paraboloid_probability(-beta, -curvatures, offsets=offsets)``
        (:math:`-Q` is the same kind of quadratic form).

    Examples
    --------
    >>> from rstheory.sorm import paraboloid_probability, form
    >>> abs(paraboloid_probability(2.0, [0.0, 0.0]) - form(2.0)) < 1e-15
    True
    >>> round(paraboloid_probability(3.0, [0.1, 0.1]), 8)
    0.00101097
    """
    b = _as_beta(beta)
    k = _as_curvatures("curvatures", curvatures)
    m = np.zeros_like(k) if offsets is None else _as_curvatures("offsets", offsets)
    try:
        k, m = np.broadcast_arrays(k, m)
    except ValueError as exc:
        raise ValueError(
            f"offsets{np.shape(m)} does not broadcast with curvatures{np.shape(k)}"
        ) from exc
    shape, flat_b, flat_k, flat_m = _rows(b, k, m)
    return _finish(_paraboloid_log_array(flat_b, flat_k, flat_m), shape, log)


def _surface_args(beta: Any, curvature: Any, d: Any) -> tuple[FloatArray, ...]:
    """Validated, broadcast ``(beta, curvature, d)`` of the equal-curvature surfaces."""
    b = _as_beta(beta)
    k = as_finite("curvature", curvature)
    dim = as_array("d", d)
    if not (np.all(dim == np.round(dim)) and np.all(dim >= 2)):
        raise ValueError(f"d must be an integer >= 2, got {dim.ravel()[:3]!r}")
    try:
        return tuple(np.broadcast_arrays(b, k, dim))
    except ValueError as exc:
        raise ValueError(
            f"beta{np.shape(beta)}, curvature{np.shape(curvature)} and d{np.shape(d)} "
            "do not broadcast"
        ) from exc


def sphere_probability(beta: Any, curvature: Any, d: Any, *, log: bool = False) -> Any:
    """Exact probability beyond a sphere of signed curvature ``curvature``, ``beta`` away.

    The sphere counterpart of :func:`paraboloid_probability` with ``d - 1``
    equal curvatures :math:`\\kappa` (units of :math:`1/\\sigma`), radius
    :math:`R = 1/|\\kappa|`, the point :math:`x` at distance :math:`\\beta`
    from it along the normal:

    * :math:`\\kappa > 0`: the far class is the ball, :math:`x` outside at
      distance :math:`R + \\beta` from the centre, and
      :math:`P = P[\\chi'^2_d((R + \\beta)^2) \\le R^2]`;
    * :math:`\\kappa < 0`: the far class is the outside, :math:`x` inside at
      distance :math:`R - \\beta`, and
      :math:`P = P[\\chi'^2_d((R - \\beta)^2) > R^2]`;
    * :math:`\\kappa = 0`: the half-space, :math:`\\Phi(-\\beta)`.

    Both tails of the noncentral chi-square distribution are computed directly
    in logs (:func:`rstheory.classifiers.ncx2_log_tails_kernel`), so the
    probability keeps its relative accuracy far below the smallest double.
    The Poisson mixture has about :math:`8/|\\kappa|` significant terms: a
    few milliseconds down to :math:`|\\kappa| = 10^{-4}`, but a very flat
    sphere (:math:`|\\kappa| \\lesssim 10^{-5}`) takes minutes.

    Parameters
    ----------
    beta : float or array_like
        Signed distance to the sphere in units of :math:`\\sigma`, with
        :math:`1 + \\beta\\kappa > 0` (the point is on the near side of the
        centre).
    curvature : float or array_like
        :math:`\\kappa = \\pm\\sigma/R`, finite.
    d : int or array_like
        Dimension, at least 2.
    log : bool, optional
        Return :math:`\\log P`.

    Returns
    -------
    float or ndarray
        The probability, broadcast over the three arguments.

    Examples
    --------
    >>> from rstheory.sorm import sphere_probability, paraboloid_probability, form
    >>> sphere_probability(2.0, 0.0, 5) == form(2.0)
    True
    >>> round(sphere_probability(3.0, 0.1, 3), 8)
    0.00100899
    >>> round(paraboloid_probability(3.0, [0.1, 0.1]), 8)  # the osculating paraboloid
    0.00101097
    """
    from rstheory.classifiers import ncx2_log_tails_kernel

    b, k, dim = _surface_args(beta, curvature, d)
    if np.any(1.0 + b * k <= 0.0):
        raise ValueError(
            "beta, curvature: the point must be on the near side of the centre "
            "(1 + beta * curvature > 0)"
        )
    out = np.empty(b.shape)
    for i in np.ndindex(b.shape):
        kk = float(k[i])
        if kk == 0.0:
            out[i] = log_ndtr(-float(b[i]))
            continue
        radius = 1.0 / abs(kk)
        centre = radius + float(b[i]) if kk > 0.0 else radius - float(b[i])
        lower, upper = ncx2_log_tails_kernel(radius * radius, float(dim[i]), centre * centre)
        out[i] = lower if kk > 0.0 else upper
    result = out if log else np.exp(out)
    return float(result) if result.ndim == 0 else result


def approximation_errors(
    beta: Any, curvature: Any, d: Any, surface: str = "paraboloid"
) -> dict[str, Any]:
    """Errors of FORM and the SORM formulas against an exact probability, as log-ratios.

    For a frontier with ``d - 1`` equal curvatures :math:`\\kappa` (units of
    :math:`1/\\sigma`) at distance :math:`\\beta`, the exact probability of
    the far class is :func:`paraboloid_probability` (``surface="paraboloid"``,
    the surface SORM expands) or :func:`sphere_probability`
    (``surface="sphere"``), and each approximation's error is the log-ratio
    :math:`\\log(\\hat P/P)`, a difference of logs (meaningful far below the
    smallest double, and when the ratio itself overflows: FORM is off by a
    factor :math:`e^{3000}` at :math:`\\beta\\kappa = 12`, :math:`d = 1000`).
    The relative error is ``numpy.expm1`` of it; for small errors the two
    agree to first order.

    Parameters
    ----------
    beta, curvature, d : array_like
        Broadcast together; ``d >= 2`` integers.
    surface : {"paraboloid", "sphere"}
        The exact surface.

    Returns
    -------
    dict
        ``"log_exact"``: :math:`\\log P`; and for each name in :data:`METHODS`
        the log-ratio :math:`\\log(\\hat P/P)` (``inf`` where the
        approximation breaks down).  Arrays of the broadcast shape (floats for scalar input).

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory.sorm import approximation_errors
    >>> err = approximation_errors(3.0, 0.1, 3)
    >>> {k: round(float(np.expm1(v)), 4) for k, v in err.items() if k != "log_exact"}
    {'form': 0.3353, 'breitung': 0.0271, 'hohenbichler': 0.0052, 'tvedt': -0.0005}
    """
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {list(SURFACES)}, got {surface!r}")
    b, k, dim = _surface_args(beta, curvature, d)
    if surface == "sphere":
        log_exact = np.asarray(sphere_probability(b, k, dim, log=True), dtype=np.float64)
    else:
        log_exact = np.empty(b.shape)
        for i in np.ndindex(b.shape):
            m = int(dim[i]) - 1
            kappa = np.full(m, float(k[i]))
            log_exact[i] = paraboloid_log_tails_kernel(float(b[i]), kappa, np.zeros(m))[0]
    out: dict[str, Any] = {"log_exact": log_exact}
    for name, code in METHODS.items():
        rel = np.empty(b.shape)
        for i in np.ndindex(b.shape):
            kappa = np.full(int(dim[i]) - 1, float(k[i]))
            log_p = sorm_log_kernel(code, float(b[i]), kappa)
            rel[i] = log_p - log_exact[i]  # inf - finite = inf on breakdown
        out[name] = rel
    if b.ndim == 0:
        return {name: float(v) for name, v in out.items()}
    return out


# --------------------------------------------------------------------------- frontier offset


def _median_q(kappa: FloatArray) -> float:
    """The median of :math:`Q = N_d - \\frac12\\sum\\kappa_i N_i^2` (exact, by root finding)."""
    k = np.ascontiguousarray(kappa, dtype=np.float64)
    zeros = np.zeros_like(k)
    mean = -0.5 * float(k.sum())
    sd = math.sqrt(1.0 + 0.5 * float((k * k).sum()))

    def excess(b: float) -> float:
        up, lo = paraboloid_log_tails_kernel(b, k, zeros)
        return up - lo  # > 0 below the median

    # |median - mean| <= sd for every distribution with a finite variance
    lo_b, hi_b = mean - 1.01 * sd - 1e-9, mean + 1.01 * sd + 1e-9
    return float(optimize.brentq(excess, lo_b, hi_b, xtol=1e-15 * max(1.0, sd), rtol=_RTOL))


def _sorm_offset(method: int, kappa: FloatArray) -> float:
    """Root ``s`` of ``SORM(-s, kappa) = 1/2`` (``s`` along the normal, units of sigma)."""
    k = np.ascontiguousarray(kappa, dtype=np.float64)

    def excess(b: float) -> float:
        return sorm_log_kernel(method, b, k) - _LOG_HALF

    at0 = excess(0.0)
    if at0 == 0.0:
        return 0.0
    direction = 1.0 if at0 > 0.0 else -1.0  # too large: move away from the far region
    step = 0.25
    inner = 0.0
    for _ in range(200):
        outer = direction * step
        value = excess(outer)
        if value == _INF:
            break
        if (value > 0.0) != (at0 > 0.0) or value == 0.0:
            root = optimize.brentq(
                excess, min(inner, outer), max(inner, outer), xtol=1e-15, rtol=_RTOL
            )
            return -float(root)
        inner = outer
        step *= 2.0
    names = {v: k for k, v in METHODS.items()}
    raise ValueError(
        f"curvatures: the {names[method]} approximation breaks down before it reaches "
        f"pi_0 = 1/2 (curvatures {kappa.tolist()!r} in units of 1/sigma)"
    )


def _sphere_offset(kappa: FloatArray) -> float:
    """Exact offset for a sphere of radius ``1/|kappa|`` (units of sigma) in ``d`` dimensions."""
    if not np.all(kappa == kappa[0]) or kappa[0] == 0.0:
        raise ValueError(
            "curvatures: method='sphere' needs d-1 equal, nonzero curvatures, got "
            f"{kappa.tolist()!r}"
        )
    d = float(kappa.size + 1)
    radius = 1.0 / abs(float(kappa[0]))
    r2 = radius * radius
    if chndtr(r2, d, 0.0) < 0.5:  # the smoothed ball is empty
        return _INF if kappa[0] > 0.0 else -_INF
    rho = optimize.brentq(lambda t: chndtr(r2, d, t * t) - 0.5, 0.0, radius, xtol=1e-15, rtol=_RTOL)
    # kappa > 0: the far class is inside and the frontier moves inward (+);
    # kappa < 0: the far class is outside and the frontier moves toward the centre (-)
    return (radius - rho) if kappa[0] > 0.0 else (rho - radius)


def smoothed_frontier_offset(curvatures: Any, sigma: Any = 1.0, method: str = "exact") -> Any:
    """Where the smoothed frontier :math:`\\pi_0 = 1/2` sits relative to :math:`f`'s frontier.

    Along the normal through a frontier point whose principal curvatures are
    ``curvatures`` (in units of 1/length), the smoothed classifier
    :math:`g_\\sigma` changes its decision at the point :math:`s` (in units of
    length, positive into the far class's region, i.e. along the normal that
    points away from :math:`x`) where :math:`\\pi_0 = 1/2`.  For a frontier
    that is the paraboloid :math:`y_d = \\frac12\\sum\\kappa_i y_i^2`, the
    point at height :math:`s` has :math:`\\pi_0 = P[Q \\ge -s/\\sigma]` with
    :math:`Q` as in :func:`paraboloid_probability`, so exactly

    .. math::

        s = -\\sigma\\, \\operatorname{median}(Q), \\qquad
        Q = N_d - \\tfrac12\\sum_i \\sigma\\kappa_i N_i^2 ,

    and for small curvatures :math:`s \\approx \\frac{\\sigma^2}{2}\\sum_i\\kappa_i`
    (mean-curvature flow of the heat equation).  :math:`s > 0` (convex far
    region) means the smoothed frontier lies inside the far region: it moved
    *away* from :math:`x`; :math:`s < 0` (the far region wraps around
    :math:`x`, :math:`x`'s own region is convex) means it moved *toward*
    :math:`x` — the seed paper's claim that the smoothed frontier is closer in
    convex regions, made quantitative.

    Parameters
    ----------
    curvatures : array_like
        Principal curvatures (units of 1/length, sign as in the module
        docstring) along the last axis; leading axes broadcast with ``sigma``.
    sigma : float or array_like, optional
        Noise level (> 0), default 1.
    method : str, optional
        ``"exact"`` (the paraboloid, by :func:`paraboloid_probability` and a
        root finder), ``"sphere"`` (a ball of radius :math:`1/|\\kappa|` in
        :math:`d` dimensions, far class inside for :math:`\\kappa > 0`,
        outside for :math:`\\kappa < 0`, exactly via the noncentral
        chi-square CDF; the curvatures must be equal), or ``"breitung"``,
        ``"hohenbichler"``, ``"tvedt"``: the root of the approximation
        :math:`\\mathrm{SORM}(-s/\\sigma, \\sigma\\kappa) = 1/2`.  Breitung's
        formula equals 1/2 at :math:`\\beta = 0` for any curvature, so it
        always predicts 0: it cannot see the offset.

    Returns
    -------
    float or ndarray
        The offset :math:`s` (units of length).  For ``"sphere"``, ``+inf``
        (``-inf``) when the smoothed classifier has no frontier at all: a ball
        of radius :math:`R` with :math:`P[\\chi^2_d \\le R^2/\\sigma^2] < 1/2`
        vanishes from (fills) the smoothed far class.

    Raises
    ------
    ValueError
        For bad ``sigma``, non-finite curvatures, an unknown ``method``, unequal
        curvatures with ``"sphere"``, or an approximation that breaks down
        (a factor :math:`\\le 0`) before it reaches 1/2.

    Examples
    --------
    >>> from rstheory.sorm import smoothed_frontier_offset
    >>> round(smoothed_frontier_offset([0.1] * 9, sigma=1.0), 4)
    0.4486
    >>> round(smoothed_frontier_offset([0.1] * 9, sigma=1.0, method="sphere"), 4)
    0.4614
    >>> smoothed_frontier_offset([0.1] * 9, method="breitung")
    0.0
    """
    if method not in OFFSET_METHODS:
        raise ValueError(f"method must be one of {list(OFFSET_METHODS)}, got {method!r}")
    k = _as_curvatures("curvatures", curvatures)
    s = as_positive("sigma", sigma)
    try:
        shape = np.broadcast_shapes(s.shape, k.shape[:-1])
    except ValueError as exc:
        raise ValueError(
            f"sigma{s.shape} does not broadcast with the leading axes of curvatures{k.shape}"
        ) from exc
    m = k.shape[-1]
    flat_s = np.broadcast_to(s, shape).ravel()
    flat_k = np.broadcast_to(k, shape + (m,)).reshape(flat_s.size, m)
    out = np.empty(flat_s.size)
    for i in range(flat_s.size):
        kappa = flat_k[i] * flat_s[i]  # dimensionless
        if method == "exact":
            units = -_median_q(kappa) if kappa.any() else 0.0  # a hyperplane stays put
        elif method == "sphere":
            units = _sphere_offset(kappa)
        else:
            units = _sorm_offset(METHODS[method], kappa)
        out[i] = units * flat_s[i]
    if shape == ():
        return float(out[0])
    return out.reshape(shape)
