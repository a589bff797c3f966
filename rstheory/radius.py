"""Certified radii of smoothed classifiers, for several noise families and norms.

Three tiers (DESIGN.md): scalar kernels ``*_kernel`` (``@njit``, no checks,
callable from a user's own ``@njit`` code), array kernels ``*_array`` (serial
loops over equal-length 1-D float64 arrays; the ``ndtri``-based ones have
``*_array_parallel`` twins with ``prange``, which the wrappers use from
:data:`PARALLEL_MIN_SIZE` elements) and the validating, broadcasting public
wrappers.

Soundness
---------
Every radius returned here is never above the exact value of the formula for
the same double inputs (a *certified* radius may only err toward smaller), and
:func:`l2_radius_for_linf`, which returns a *requirement*, is never below it.
The double-precision evaluation is followed by a documented outward step:

* exact values are returned as such: ``0`` where the exact radius is 0
  (``p = 1/2``, ``p_a_lower == p_b_upper``, ``radius = 0``) and ``+-inf``
  where it is infinite (``p = 1`` or ``p = 0``);
* otherwise the computed value ``r`` becomes ``r - 8 eps M - 2**-1074``
  (``eps = 2**-52``), with ``M = |r|`` except for :func:`gaussian_radius_two`,
  where ``M`` is the sum of the magnitudes of its two terms (the difference
  can cancel); Laplace's ``log(pA/pB)`` keeps full relative accuracy
  (``log1p`` of an exact difference near ``pA = pB``).  SciPy's ``ndtri`` is
  within 2.6 eps of the exact quantile (measured against mpmath over the
  whole range, tails to ``1e-300`` included) and one product adds 0.5 eps;
  the logarithms of the Laplace radius and the roundings of the other
  formulas stay below 3.5 eps, so the step of 8 eps covers every error more
  than twice over.  The ``2**-1074`` term covers the absolute rounding of a
  subnormal result.  A result that overflows is replaced by the largest
  double stepped down.  :func:`l2_radius_for_linf` steps up instead.

The relative error against the exact value is therefore below ``3e-15``
(``gaussian_radius_two``: relative to the magnitude ``M`` above; measured
maximum ``2.5e-15`` over tens of thousands of points against the mpmath twin
:mod:`rstheory.reference`), far inside the package's ``1e-12``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import prange

from rstheory._jit import jit, jit_parallel
from rstheory._special import ndtri, ndtri_exp
from rstheory._validate import (
    FloatArray,
    as_array,
    as_count,
    as_positive,
    as_probability,
    broadcast,
    finish,
    is_scalar,
)

__all__ = [
    "OUTWARD_STEP",
    "PARALLEL_MIN_SIZE",
    "gaussian_radius",
    "gaussian_radius_two",
    "laplace_radius",
    "uniform_radius",
    "linf_radius_from_l2",
    "l2_radius_for_linf",
    "gaussian_radius_kernel",
    "gaussian_radius_log_kernel",
    "gaussian_radius_two_kernel",
    "laplace_radius_kernel",
    "laplace_radius_two_kernel",
    "uniform_radius_kernel",
    "linf_radius_from_l2_kernel",
    "l2_radius_for_linf_kernel",
    "gaussian_radius_array",
    "gaussian_radius_array_parallel",
    "gaussian_radius_two_array",
    "gaussian_radius_two_array_parallel",
    "laplace_radius_array",
    "laplace_radius_two_array",
    "uniform_radius_array",
    "linf_radius_from_l2_array",
    "l2_radius_for_linf_array",
]

_EPS = 2.220446049250313e-16  # 2**-52
#: Relative outward step applied to every inexact radius (8 eps = 2**-49).
OUTWARD_STEP = 8.0 * _EPS
_TINY = 5e-324  # 2**-1074, the smallest subnormal
_DBL_MAX = 1.7976931348623157e308
_HALF_STEP = 0.5 * OUTWARD_STEP


# --------------------------------------------------------------------------- helpers


@jit
def _down(r: float, mag: float) -> float:
    """Step a computed radius ``r`` toward -inf by ``OUTWARD_STEP * mag`` plus one subnormal.

    ``mag`` (>= |r|, finite) measures the size of the terms whose rounding
    errors are covered.  An overflowed ``+inf`` becomes the largest double,
    stepped down; ``-inf`` stays.
    """
    if r == math.inf:
        return _DBL_MAX - _DBL_MAX * OUTWARD_STEP
    if r == -math.inf:
        return r
    return r - mag * OUTWARD_STEP - _TINY


@jit
def _up(r: float) -> float:
    """Step a computed nonnegative requirement ``r`` toward +inf (``inf`` stays)."""
    if r == math.inf:
        return r
    return r + r * OUTWARD_STEP + _TINY


@jit
def _log_ratio(pa: float, pb: float) -> float:
    """:math:`\\log(p_a / p_b)` for ``0 < pa, pb <= 1``, ``pa != pb``, to a few eps relative.

    Near 1 (``1/2 <= pa/pb <= 2``) ``pa - pb`` is exact (Sterbenz) and
    ``log1p`` keeps full relative accuracy; where the ratio is a normal double
    its logarithm is at least ``log 2`` in size; elsewhere the two logarithms
    (each at most 745 in size) differ by more than 690 and do not cancel.
    """
    ea = math.frexp(pa)[1]
    eb = math.frexp(pb)[1]
    de = ea - eb
    if -1000 < de < 1000:
        # pa/pb lies in (2**(de-1), 2**(de+1)): a normal double, no overflow
        if pb * 0.5 <= pa <= pb * 2.0:
            return math.log1p((pa - pb) / pb)
        return math.log(pa / pb)
    return math.log(pa) - math.log(pb)


# --------------------------------------------------------------------------- scalar kernels


@jit
def gaussian_radius_kernel(p: float, sigma: float) -> float:
    """Sound :math:`\\sigma\\,\\Phi^{-1}(p)` (scalar kernel, no checks).

    ``p`` in [0, 1], ``sigma`` finite and > 0.  Exactly 0 at ``p = 1/2``,
    ``+inf`` at ``p = 1``, ``-inf`` at ``p = 0``; otherwise rounded toward
    -inf by :data:`OUTWARD_STEP`.
    """
    x = ndtri(p)
    if x == 0.0:
        return 0.0
    if math.isinf(x):
        return x
    r = sigma * x
    return _down(r, abs(r))


@jit
def gaussian_radius_log_kernel(log_p: float, sigma: float) -> float:
    """Sound :math:`\\sigma\\,\\Phi^{-1}(e^{\\text{log\\_p}})` for ``log_p <= 0`` (scalar kernel).

    The radius from the logarithm of the probability, through SciPy's
    ``ndtri_exp``: accurate where ``p`` itself is within a few ulps of 1 (a
    double ``p`` near 1 keeps only the absolute precision 1.1e-16, which
    ``Phi^-1`` amplifies).  ``+inf`` at ``log_p = 0``; otherwise rounded
    toward -inf by :data:`OUTWARD_STEP`.
    """
    x = ndtri_exp(log_p)
    if x == 0.0:
        return 0.0
    if math.isinf(x):
        return x
    r = sigma * x
    # exp(log_p) inside ndtri_exp rounds p by up to an ulp: near p = 1/2 that is an absolute
    # error of about eps/(2 phi(x)) < 0.7 eps in x, which the relative step alone misses
    return _down(r, abs(r) + 0.25 * sigma)


@jit
def gaussian_radius_two_kernel(p_a: float, p_b: float, sigma: float) -> float:
    """Sound :math:`\\tfrac{\\sigma}{2}(\\Phi^{-1}(p_a) - \\Phi^{-1}(p_b))` (scalar kernel).

    Exactly 0 when ``p_a == p_b``; infinite when either quantile is (and the
    probabilities differ).  Otherwise stepped toward -inf by
    ``OUTWARD_STEP * sigma/2 * (|Phi^-1(p_a)| + |Phi^-1(p_b)|)``.
    """
    if p_a == p_b:
        return 0.0
    xa = ndtri(p_a)
    xb = ndtri(p_b)
    d = xa - xb
    if math.isinf(d):
        return d
    # 0.5 * d is exact (d is a difference of doubles of size >= 1e-16, never subnormal)
    r = sigma * (0.5 * d)
    if math.isinf(r):
        return _down(r, 0.0)
    # the step 8 eps * sigma/2 * (|xa| + |xb|), formed without overflow
    return r - sigma * ((abs(xa) + abs(xb)) * _HALF_STEP) - _TINY


@jit
def laplace_radius_kernel(p_a: float, scale: float) -> float:
    """Sound :math:`\\tfrac{b}{2}\\log\\frac{p_a}{1 - p_a}` (scalar kernel, no checks).

    The logit is computed without cancellation: ``log(p/(1-p))`` for
    ``p >= 3/4`` (``1 - p`` exact), ``log1p((2p-1)/(1-p))`` for
    ``1/4 <= p < 3/4`` (``2p - 1`` exact) and ``log(p) - log1p(-p)`` below.
    """
    if p_a == 0.5:
        return 0.0
    if p_a >= 1.0:
        return math.inf
    if p_a <= 0.0:
        return -math.inf
    if p_a >= 0.75:
        lg = math.log(p_a / (1.0 - p_a))
    elif p_a >= 0.25:
        lg = math.log1p((2.0 * p_a - 1.0) / (1.0 - p_a))
    else:
        lg = math.log(p_a) - math.log1p(-p_a)
    r = scale * (0.5 * lg)
    return _down(r, abs(r))


@jit
def laplace_radius_two_kernel(p_a: float, p_b: float, scale: float) -> float:
    """Sound :math:`\\tfrac{b}{2}\\log\\frac{p_a}{p_b}` (scalar kernel, no checks).

    Exactly 0 when ``p_a == p_b``, ``+inf`` when ``p_b = 0 < p_a``, ``-inf``
    when ``p_a = 0 < p_b``.
    """
    if p_a == p_b:
        return 0.0
    if p_b <= 0.0:
        return math.inf
    if p_a <= 0.0:
        return -math.inf
    r = scale * (0.5 * _log_ratio(p_a, p_b))
    return _down(r, abs(r))


@jit
def uniform_radius_kernel(p_a: float, scale: float) -> float:
    """Sound :math:`2b\\,(p_a - \\tfrac12)` (scalar kernel, no checks).

    Evaluated as ``scale * (2 p - 1)``: ``2p - 1`` is exact for ``p >= 1/4``
    and the product cannot overflow.  Exactly 0 at ``p = 1/2``.
    """
    d = 2.0 * p_a - 1.0
    if d == 0.0:
        return 0.0
    r = scale * d
    return _down(r, abs(r))


@jit
def linf_radius_from_l2_kernel(radius: float, dim: float) -> float:
    """Sound :math:`r / \\sqrt{d}`, rounded toward -inf (scalar kernel, no checks)."""
    if radius == 0.0 or math.isinf(radius):
        return radius
    r = radius / math.sqrt(dim)
    return _down(r, abs(r))


@jit
def l2_radius_for_linf_kernel(eps: float, dim: float) -> float:
    """:math:`\\epsilon \\sqrt{d}`, rounded toward +inf (scalar kernel, ``eps >= 0``)."""
    if eps == 0.0 or math.isinf(eps):
        return eps
    return _up(eps * math.sqrt(dim))


# --------------------------------------------------------------------------- array kernels
# The public array kernels are serial: a parallel region costs from ~10 us on an
# idle machine to a scheduler time slice (~10 ms) on an oversubscribed one,
# more than ndtri's ~25 ns per element below tens of thousands of elements.
# The wrappers switch to the ``prange`` twins from PARALLEL_MIN_SIZE elements.

#: Broadcast size from which the wrappers use the parallel (``prange``) kernels.
PARALLEL_MIN_SIZE = 1 << 15


@jit
def gaussian_radius_array(p: FloatArray, sigma: FloatArray) -> FloatArray:
    """:func:`gaussian_radius_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = gaussian_radius_kernel(p[i], sigma[i])
    return out


@jit_parallel
def gaussian_radius_array_parallel(p: FloatArray, sigma: FloatArray) -> FloatArray:
    """:func:`gaussian_radius_array` with ``prange`` (for large arrays)."""
    out = np.empty(p.shape[0])
    for i in prange(p.shape[0]):
        out[i] = gaussian_radius_kernel(p[i], sigma[i])
    return out


@jit
def gaussian_radius_two_array(p_a: FloatArray, p_b: FloatArray, sigma: FloatArray) -> FloatArray:
    """:func:`gaussian_radius_two_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(p_a.shape[0])
    for i in range(p_a.shape[0]):
        out[i] = gaussian_radius_two_kernel(p_a[i], p_b[i], sigma[i])
    return out


@jit_parallel
def gaussian_radius_two_array_parallel(
    p_a: FloatArray, p_b: FloatArray, sigma: FloatArray
) -> FloatArray:
    """:func:`gaussian_radius_two_array` with ``prange`` (for large arrays)."""
    out = np.empty(p_a.shape[0])
    for i in prange(p_a.shape[0]):
        out[i] = gaussian_radius_two_kernel(p_a[i], p_b[i], sigma[i])
    return out


@jit
def laplace_radius_array(p_a: FloatArray, scale: FloatArray) -> FloatArray:
    """:func:`laplace_radius_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(p_a.shape[0])
    for i in range(p_a.shape[0]):
        out[i] = laplace_radius_kernel(p_a[i], scale[i])
    return out


@jit
def laplace_radius_two_array(p_a: FloatArray, p_b: FloatArray, scale: FloatArray) -> FloatArray:
    """:func:`laplace_radius_two_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(p_a.shape[0])
    for i in range(p_a.shape[0]):
        out[i] = laplace_radius_two_kernel(p_a[i], p_b[i], scale[i])
    return out


@jit
def uniform_radius_array(p_a: FloatArray, scale: FloatArray) -> FloatArray:
    """:func:`uniform_radius_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(p_a.shape[0])
    for i in range(p_a.shape[0]):
        out[i] = uniform_radius_kernel(p_a[i], scale[i])
    return out


@jit
def linf_radius_from_l2_array(radius: FloatArray, dim: FloatArray) -> FloatArray:
    """:func:`linf_radius_from_l2_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(radius.shape[0])
    for i in range(radius.shape[0]):
        out[i] = linf_radius_from_l2_kernel(radius[i], dim[i])
    return out


@jit
def l2_radius_for_linf_array(eps: FloatArray, dim: FloatArray) -> FloatArray:
    """:func:`l2_radius_for_linf_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(eps.shape[0])
    for i in range(eps.shape[0]):
        out[i] = l2_radius_for_linf_kernel(eps[i], dim[i])
    return out


# --------------------------------------------------------------------------- wrappers


def _reject_undefined(pa: FloatArray, pb: FloatArray, values: tuple[float, ...]) -> None:
    """Raise where both probabilities equal one of ``values`` (an ``inf - inf`` radius)."""
    for v in values:
        bad = (pa == v) & (pb == v)
        if bad.any():
            raise ValueError(
                f"radius undefined for p_a_lower = p_b_upper = {v!r} (the formula reads inf - inf)"
            )


def gaussian_radius(p_lower: Any, sigma: Any) -> Any:
    """Certified L2 radius of a Gaussian-smoothed classifier (Cohen et al. 2019, Thm 1).

    If the smoothed classifier's top class has probability at least
    ``p_lower`` under :math:`\\mathcal N(x, \\sigma^2 I)`, its prediction is
    constant on the L2 ball of radius

    .. math::

        R = \\sigma\\, \\Phi^{-1}(\\underline{p_A}),

    the one-sided form of Theorem 1 with :math:`\\overline{p_B} = 1 - \\underline{p_A}`.
    The value is signed: ``R <= 0`` (``p_lower <= 1/2``) certifies nothing.

    Parameters
    ----------
    p_lower : float or array_like
        Lower bound on the top-class probability, in ``[0, 1]``.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.

    Returns
    -------
    float or ndarray
        The radius: a Python float when both inputs are scalars, otherwise an
        array of the broadcast shape.  ``+inf`` at ``p_lower = 1``, ``-inf`` at
        ``p_lower = 0``, exactly ``0`` at ``p_lower = 1/2``.

    Raises
    ------
    ValueError
        If ``p_lower`` is outside ``[0, 1]`` or NaN, ``sigma`` is not finite
        and positive, or the shapes do not broadcast; the message names the
        argument.

    See Also
    --------
    gaussian_radius_two, rstheory.reference.gaussian_radius

    Notes
    -----
    **Soundness.**  The result is never above the exact
    :math:`\\sigma\\Phi^{-1}(p)` for the same double inputs: the double
    product is stepped toward -inf by ``8 eps |R|`` (module docstring), so it
    is within ``3e-15`` relative of exact (``2.5e-15`` measured against the
    mpmath twin).

    **Monotonicity.**  The radius is non-decreasing in ``p_lower`` except
    within about ``1e-13`` of ``p = e^{-2}`` and ``p = 1 - e^{-2}``, where
    SciPy's ``ndtri`` (Cephes) switches approximations and is itself out of
    order by up to a few eps between consecutive doubles; the radius inherits
    that (below ``16 eps`` relative), and every value stays sound.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.radius import gaussian_radius
    >>> round(gaussian_radius(0.99, 0.5), 6)
    1.163174
    >>> gaussian_radius(0.5, 0.25), gaussian_radius(1.0, 0.25)
    (0.0, inf)
    >>> gaussian_radius([0.3, 0.9], 1.0).round(4)
    array([-0.5244,  1.2816])
    """
    p = as_probability("p_lower", p_lower)
    s = as_positive("sigma", sigma)
    shape, (pf, sf) = broadcast(p_lower=p, sigma=s)
    kernel = (
        gaussian_radius_array_parallel if pf.size >= PARALLEL_MIN_SIZE else gaussian_radius_array
    )
    return finish(kernel(pf, sf), shape, is_scalar(p_lower, sigma))


def gaussian_radius_two(p_a_lower: Any, p_b_upper: Any, sigma: Any) -> Any:
    """Two-class certified L2 radius under Gaussian noise (Cohen et al. 2019, Thm 1).

    If the top class has probability at least :math:`\\underline{p_A}` and
    every other class at most :math:`\\overline{p_B}`, the smoothed
    classifier is constant on the L2 ball of radius

    .. math::

        R = \\frac{\\sigma}{2}\\left(\\Phi^{-1}(\\underline{p_A})
            - \\Phi^{-1}(\\overline{p_B})\\right).

    Signed: ``R <= 0`` certifies nothing.

    Parameters
    ----------
    p_a_lower : float or array_like
        Lower bound on the top-class probability, in ``[0, 1]``.
    p_b_upper : float or array_like
        Upper bound on the runner-up probability, in ``[0, 1]``.  Theorem 1
        needs :math:`\\underline{p_A} \\ge \\overline{p_B}`; the function
        evaluates the formula for any pair.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.

    Returns
    -------
    float or ndarray
        The radius (Python float for scalar inputs).  Exactly ``0`` when
        ``p_a_lower == p_b_upper``; ``+-inf`` when one quantile is infinite.

    Raises
    ------
    ValueError
        If a probability is outside ``[0, 1]`` or NaN, both probabilities are
        0 or both are 1 (the formula reads ``inf - inf``), ``sigma`` is not
        finite and positive, or the shapes do not broadcast.

    See Also
    --------
    gaussian_radius

    Notes
    -----
    **Accuracy and soundness.**  When :math:`p_A` and :math:`p_B` are close
    and on the same side of 1/2, the difference of the two quantiles cancels,
    and no relative accuracy can be promised for :math:`R` itself.  The
    guarantee is relative to

    .. math::

        M = \\frac{\\sigma}{2}\\left(|\\Phi^{-1}(p_A)| + |\\Phi^{-1}(p_B)|\\right):

    the result lies in :math:`[R - 16\\,\\varepsilon M,\\ R]` (never above the
    exact :math:`R` for the same double inputs), because the computed value is
    stepped toward -inf by ``8 eps M``, twice the error bound of the two
    ``ndtri`` calls, the subtraction and the product.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.radius import gaussian_radius_two
    >>> round(gaussian_radius_two(0.8, 0.1, 1.0), 6)
    1.061586
    >>> gaussian_radius_two(0.7, 0.7, 1.0)
    0.0
    """
    pa = as_probability("p_a_lower", p_a_lower)
    pb = as_probability("p_b_upper", p_b_upper)
    s = as_positive("sigma", sigma)
    shape, (af, bf, sf) = broadcast(p_a_lower=pa, p_b_upper=pb, sigma=s)
    _reject_undefined(af, bf, (0.0, 1.0))
    scalar = is_scalar(p_a_lower, p_b_upper, sigma)
    big = af.size >= PARALLEL_MIN_SIZE
    kernel = gaussian_radius_two_array_parallel if big else gaussian_radius_two_array
    return finish(kernel(af, bf, sf), shape, scalar)


def laplace_radius(p_a_lower: Any, scale: Any, p_b_upper: Any = None) -> Any:
    """Certified L1 radius under Laplace noise (Teng, Lee & Yuan 2020).

    With i.i.d. Laplace noise of scale :math:`b` on every coordinate, the
    smoothed classifier is constant on the L1 ball of radius

    .. math::

        R = \\frac{b}{2} \\log\\frac{\\underline{p_A}}{\\overline{p_B}},
        \\qquad \\overline{p_B} = 1 - \\underline{p_A} \\text{ when omitted.}

    Signed: ``R <= 0`` certifies nothing.

    Parameters
    ----------
    p_a_lower : float or array_like
        Lower bound on the top-class probability, in ``[0, 1]``.
    scale : float or array_like
        Laplace scale :math:`b` (standard deviation :math:`b\\sqrt 2`),
        finite and ``> 0``.
    p_b_upper : float or array_like, optional
        Upper bound on the runner-up probability, in ``[0, 1]``; default
        ``1 - p_a_lower`` (computed without forming ``1 - p``).

    Returns
    -------
    float or ndarray
        The radius (Python float for scalar inputs).  Exactly ``0`` at
        ``p_a_lower == p_b_upper``, ``+inf`` when :math:`p_B = 0 < p_A`,
        ``-inf`` when :math:`p_A = 0 < p_B`.

    Raises
    ------
    ValueError
        If a probability is outside ``[0, 1]`` or NaN, both probabilities are
        0 (the formula reads ``log(0/0)``), ``scale`` is not finite and
        positive, or the shapes do not broadcast.

    See Also
    --------
    uniform_radius, gaussian_radius

    Notes
    -----
    The one-argument form evaluates the logit
    :math:`\\log(p/(1-p))` without cancellation (``log1p`` near ``p = 1/2``,
    ``log(p) - log1p(-p)`` for small ``p``), and the two-argument form uses
    ``log1p((pA - pB)/pB)`` when the ratio is within ``[1/2, 2]`` (where
    ``pA - pB`` is exact), so both keep full relative accuracy; the result is
    stepped toward -inf by ``8 eps |R|`` and never exceeds the exact value.

    Yang et al. (2020) later showed that for the one-sided case the tighter
    radius :math:`-b \\log(2(1 - \\underline{p_A}))` also holds under
    Laplace noise; this function implements Teng et al.'s formula.

    References
    ----------
    .. [1] J. Teng, G.-H. Lee and Y. Yuan, "l1 adversarial robustness
       certificates: a randomized smoothing approach", 2020.
    .. [2] G. Yang, T. Duan, J. E. Hu, H. Salman, I. Razenshteyn and J. Li,
       "Randomized smoothing of all shapes and sizes", ICML 2020,
       arXiv:2002.08118.

    Examples
    --------
    >>> from rstheory.radius import laplace_radius
    >>> round(laplace_radius(0.9, 1.0), 6)
    1.098612
    >>> round(laplace_radius(0.6, 2.0, p_b_upper=0.3), 6)
    0.693147
    >>> laplace_radius(0.5, 1.0)
    0.0
    """
    pa = as_probability("p_a_lower", p_a_lower)
    s = as_positive("scale", scale)
    if p_b_upper is None:
        shape, (af, sf) = broadcast(p_a_lower=pa, scale=s)
        return finish(laplace_radius_array(af, sf), shape, is_scalar(p_a_lower, scale))
    pb = as_probability("p_b_upper", p_b_upper)
    shape, (af, bf, sf) = broadcast(p_a_lower=pa, p_b_upper=pb, scale=s)
    _reject_undefined(af, bf, (0.0,))
    scalar = is_scalar(p_a_lower, p_b_upper, scale)
    return finish(laplace_radius_two_array(af, bf, sf), shape, scalar)


def uniform_radius(p_a_lower: Any, scale: Any) -> Any:
    """Certified L1 radius under uniform noise on :math:`[-b, b]^d` (Yang et al. 2020).

    .. math::

        R = 2 b \\left(\\underline{p_A} - \\tfrac12\\right).

    Signed: ``R <= 0`` certifies nothing.

    Parameters
    ----------
    p_a_lower : float or array_like
        Lower bound on the top-class probability, in ``[0, 1]``.
    scale : float or array_like
        Half-width :math:`b` of the uniform noise, finite and ``> 0``.

    Returns
    -------
    float or ndarray
        The radius (Python float for scalar inputs); exactly 0 at
        ``p_a_lower = 1/2``.

    Raises
    ------
    ValueError
        If ``p_a_lower`` is outside ``[0, 1]`` or NaN, ``scale`` is not finite
        and positive, or the shapes do not broadcast.

    See Also
    --------
    laplace_radius

    Notes
    -----
    Evaluated as ``scale * (2 p - 1)`` (``2p - 1`` is exact for ``p >= 1/4``
    and the product cannot overflow), then stepped toward -inf by
    ``8 eps |R|``: never above the exact value.

    References
    ----------
    .. [1] G. Yang, T. Duan, J. E. Hu, H. Salman, I. Razenshteyn and J. Li,
       "Randomized smoothing of all shapes and sizes", ICML 2020,
       arXiv:2002.08118.

    Examples
    --------
    >>> from rstheory.radius import uniform_radius
    >>> round(uniform_radius(0.8, 0.5), 12)
    0.3
    >>> uniform_radius(0.5, 3.0)
    0.0
    """
    pa = as_probability("p_a_lower", p_a_lower)
    s = as_positive("scale", scale)
    shape, (af, sf) = broadcast(p_a_lower=pa, scale=s)
    return finish(uniform_radius_array(af, sf), shape, is_scalar(p_a_lower, scale))


def _as_dim(dim: Any) -> FloatArray:
    return as_count("dim", dim, minimum=1)


def linf_radius_from_l2(radius: Any, dim: Any) -> Any:
    """The Linf radius certified by an L2 certificate in dimension ``dim``.

    The L2 ball of radius :math:`r` contains the Linf ball of radius
    :math:`r/\\sqrt d` (whose half-diagonal is exactly :math:`r`), so

    .. math::

        R_\\infty = \\frac{r}{\\sqrt d}.

    Parameters
    ----------
    radius : float or array_like
        An L2 radius (signed; ``+-inf`` allowed, not NaN).
    dim : int or array_like
        Input dimension, an integer ``>= 1``.

    Returns
    -------
    float or ndarray
        :math:`r/\\sqrt d` rounded toward -inf (never above the exact value);
        Python float for scalar inputs.

    Raises
    ------
    ValueError
        If ``radius`` is NaN, ``dim`` is not an integer ``>= 1``, or the
        shapes do not broadcast.

    See Also
    --------
    l2_radius_for_linf

    Notes
    -----
    The square root and the division each round once; the result is stepped
    down by ``8 eps |R|``.  This conversion is what Cohen et al. (2019) and
    Salman et al. (2019) use to report Linf certificates of Gaussian
    smoothing; it is loose by a factor :math:`\\sqrt d` compared with the L2
    certificate.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.radius import linf_radius_from_l2
    >>> round(linf_radius_from_l2(0.5, 3 * 32 * 32), 8)
    0.0090211
    >>> linf_radius_from_l2([1.0, 0.0], 4)
    array([0.5, 0. ])
    """
    r = as_array("radius", radius)
    d = _as_dim(dim)
    shape, (rf, df) = broadcast(radius=r, dim=d)
    return finish(linf_radius_from_l2_array(rf, df), shape, is_scalar(radius, dim))


def l2_radius_for_linf(eps: Any, dim: Any) -> Any:
    """The L2 radius needed to certify the Linf ball of radius ``eps`` in dimension ``dim``.

    The Linf ball of radius :math:`\\epsilon` has half-diagonal

    .. math::

        R_2 = \\epsilon \\sqrt d,

    the smallest L2 ball that contains it; an L2 certificate certifies the
    Linf ball iff its radius is at least :math:`R_2`.

    Parameters
    ----------
    eps : float or array_like
        Linf radius, ``>= 0`` (``inf`` allowed).
    dim : int or array_like
        Input dimension, an integer ``>= 1``.

    Returns
    -------
    float or ndarray
        :math:`\\epsilon\\sqrt d` rounded toward +inf (a requirement: never
        below the exact value); Python float for scalar inputs.

    Raises
    ------
    ValueError
        If ``eps`` is negative or NaN, ``dim`` is not an integer ``>= 1``, or
        the shapes do not broadcast.

    See Also
    --------
    linf_radius_from_l2

    Notes
    -----
    The square root and the product each round once; the result is stepped
    up by ``8 eps |R|``.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.radius import l2_radius_for_linf
    >>> round(l2_radius_for_linf(2 / 255, 3 * 32 * 32), 6)
    0.434711
    >>> l2_radius_for_linf(0.0, 10)
    0.0
    """
    e = as_array("eps", eps)
    neg = e < 0.0
    if neg.any():
        raise ValueError(f"eps must be >= 0, got {float(e[neg].ravel()[0])!r}")
    d = _as_dim(dim)
    shape, (ef, df) = broadcast(eps=e, dim=d)
    return finish(l2_radius_for_linf_array(ef, df), shape, is_scalar(eps, dim))
