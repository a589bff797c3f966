"""Binomial confidence bounds: sound Clopper-Pearson, and Hoeffding and Wilson comparators.

Three tiers (DESIGN.md): scalar kernels ``cp_lower_kernel`` /
``cp_upper_kernel`` (``@njit``, no checks, callable from user code), array
kernels ``cp_array`` / ``cp_array_parallel`` (loops over 1-D arrays, ``prange``
in the second),
and the validating, broadcasting public wrappers.

Soundness
---------
The Clopper-Pearson lower bound returned here is never above the exact
Clopper-Pearson value for the same double inputs, and the upper bound never
below.  At ``k = 0`` and ``k = n`` the closed forms :math:`\\alpha^{1/n}` and
:math:`1 - \\alpha^{1/n}` are evaluated as ``exp(log(alpha)/n)`` and
``-expm1(log(alpha)/n)`` and stepped outward by a few ulps; elsewhere the
quantile is found by a log-space Newton iteration on the incomplete beta
function and stepped outward by a margin derived from a bound on the
evaluation error, then verified (:mod:`rstheory._beta`).  Results are
within 1e-12 relative of exact for ``n <= 1e9`` and within 1e-10 for
``1e9 < n <= 2**53`` (tested; typically 1e-13, at worst 1e-11 measured near
the centre of a distribution with ``n = 1e13``); a lower bound below the
smallest normal double (``2.2e-308``) is returned as the safe value 0.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numba import prange

from rstheory._beta import beta_quantile
from rstheory._jit import jit, jit_parallel
from rstheory._special import ndtri
from rstheory._validate import (
    FloatArray,
    as_alpha,
    as_count,
    broadcast,
    check_k_le_n,
    fast_counts_alpha,
    finish,
    is_scalar,
)

__all__ = [
    "ConfidenceInterval",
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "clopper_pearson",
    "hoeffding_lower",
    "hoeffding_upper",
    "wilson_lower",
    "wilson_upper",
    "cp_lower_kernel",
    "cp_upper_kernel",
    "cp_kernel",
    "cp_array",
    "cp_array_parallel",
    "PARALLEL_MIN_SIZE",
]

_EPS = 2.220446049250313e-16
_TINY_NORMAL = 2.2250738585072014e-308  # below it, a lower bound is returned as 0


class ConfidenceInterval(NamedTuple):
    """A two-sided confidence interval ``(low, high)`` for a binomial proportion."""

    low: Any
    high: Any


# --------------------------------------------------------------------------- kernels


@jit
def cp_lower_kernel(k: float, n: float, alpha: float) -> float:
    """Sound one-sided Clopper-Pearson lower bound (scalar kernel, no checks).

    Root :math:`p` of :math:`I_p(k, n-k+1) = \\alpha`; 0 at ``k = 0`` and
    :math:`\\alpha^{1/n}` at ``k = n``, rounded toward 0.
    """
    if k <= 0.0:
        return 0.0
    if k >= n:
        if n == 1.0:
            return alpha if alpha >= _TINY_NORMAL else 0.0
        t = math.log(alpha) / n
        x = math.exp(t)
        # log, division and exp contribute at most (1 + 1.5|t|) ulps
        x = x * (1.0 - _EPS * (2.0 + 3.0 * abs(t)))
        return x if x >= _TINY_NORMAL else 0.0
    if k == 1.0:
        # I_x(1, n) = 1 - (1 - x)^n: x = -expm1(log1p(-alpha)/n), within 3 ulps
        x = -math.expm1(math.log1p(-alpha) / n) * (1.0 - 4.0 * _EPS)
        return x if x >= _TINY_NORMAL else 0.0
    a = k
    b = n - k + 1.0
    if alpha <= 0.5:
        return beta_quantile(a, b, math.log(alpha), False, True)
    return beta_quantile(a, b, math.log(1.0 - alpha), True, True)


@jit
def cp_upper_kernel(k: float, n: float, alpha: float) -> float:
    """Sound one-sided Clopper-Pearson upper bound (scalar kernel, no checks).

    Root :math:`p` of :math:`1 - I_p(k+1, n-k) = \\alpha`; 1 at ``k = n`` and
    :math:`1 - \\alpha^{1/n}` at ``k = 0``, rounded toward 1.
    """
    if k >= n:
        return 1.0
    if k <= 0.0:
        t = math.log(alpha) / n
        x = -math.expm1(t)
        return min(1.0, x * (1.0 + 4.0 * _EPS))
    if k == n - 1.0:
        # 1 - I_x(n, 1) = 1 - x^n: x = exp(t), t = log1p(-alpha)/n, within (1 + 1.5|t|) ulps
        t = math.log1p(-alpha) / n
        return min(1.0, math.exp(t) * (1.0 + _EPS * (2.0 + 3.0 * abs(t))))
    a = k + 1.0
    b = n - k
    if alpha <= 0.5:
        return beta_quantile(a, b, math.log(alpha), True, False)
    return beta_quantile(a, b, math.log(1.0 - alpha), False, False)


@jit
def cp_kernel(k: float, n: float, alpha: float, upper: bool) -> float:
    """:func:`cp_upper_kernel` if ``upper`` else :func:`cp_lower_kernel`."""
    return cp_upper_kernel(k, n, alpha) if upper else cp_lower_kernel(k, n, alpha)


@jit
def cp_array(k: FloatArray, n: FloatArray, alpha: FloatArray, upper: bool) -> FloatArray:
    """:func:`cp_kernel` over equal-length 1-D float64 arrays (serial)."""
    out = np.empty(k.shape[0])
    for i in range(k.shape[0]):
        out[i] = cp_kernel(k[i], n[i], alpha[i], upper)
    return out


@jit_parallel
def cp_array_parallel(k: FloatArray, n: FloatArray, alpha: FloatArray, upper: bool) -> FloatArray:
    """:func:`cp_kernel` over equal-length 1-D float64 arrays (``prange``)."""
    out = np.empty(k.shape[0])
    for i in prange(k.shape[0]):
        out[i] = cp_kernel(k[i], n[i], alpha[i], upper)
    return out


#: below this many elements the wrappers stay serial: starting the thread pool
#: costs from tens of microseconds (idle machine) to milliseconds (busy one)
PARALLEL_MIN_SIZE = 4096


def _bound_array(k: FloatArray, n: FloatArray, alpha: FloatArray, upper: bool) -> FloatArray:
    if k.shape[0] >= PARALLEL_MIN_SIZE:
        return cp_array_parallel(k, n, alpha, upper)
    return cp_array(k, n, alpha, upper)


@jit
def _hoeffding_array(k: FloatArray, n: FloatArray, alpha: FloatArray, upper: bool) -> FloatArray:
    out = np.empty(k.shape[0])
    for i in range(k.shape[0]):
        half = math.sqrt(-math.log(alpha[i]) / (2.0 * n[i]))
        phat = k[i] / n[i]
        out[i] = min(1.0, phat + half) if upper else max(0.0, phat - half)
    return out


@jit
def _wilson_array(k: FloatArray, n: FloatArray, alpha: FloatArray, upper: bool) -> FloatArray:
    out = np.empty(k.shape[0])
    for i in range(k.shape[0]):
        z = -ndtri(alpha[i])
        nn = n[i]
        phat = k[i] / nn
        z2n = z * z / nn
        centre = phat + 0.5 * z2n
        half = z * math.sqrt(phat * (1.0 - phat) / nn + 0.25 * z2n / nn)
        val = (centre + half if upper else centre - half) / (1.0 + z2n)
        out[i] = min(1.0, max(0.0, val))
    return out


# --------------------------------------------------------------------------- wrappers


def _prepare(k: Any, n: Any, alpha: Any) -> tuple[tuple[int, ...], list[FloatArray], bool]:
    ka = as_count("k", k)
    na = as_count("n", n, minimum=1)
    al = as_alpha("alpha", alpha)
    check_k_le_n(ka, na)
    shape, flat = broadcast(k=ka, n=na, alpha=al)
    return shape, flat, is_scalar(k, n, alpha)


def clopper_pearson_lower(k: Any, n: Any, alpha: Any) -> Any:
    """One-sided Clopper-Pearson lower confidence bound on a binomial proportion.

    With probability at least :math:`1 - \\alpha` over ``k ~ Binomial(n, p)``,
    the returned bound is at most ``p``.  It is the :math:`\\alpha`-quantile of
    :math:`\\mathrm{Beta}(k, n-k+1)`:

    .. math::

        \\underline{p}(k, n, \\alpha) = \\begin{cases}
            0 & k = 0, \\\\
            \\alpha^{1/n} & k = n, \\\\
            I^{-1}_{\\alpha}(k,\\, n-k+1) & \\text{otherwise,}
        \\end{cases}

    where :math:`I^{-1}` inverts the regularized incomplete beta function
    :math:`I_x(a, b)` in ``x``.  This is the bound of CERTIFY in Cohen,
    Rosenfeld & Kolter (2019).

    Parameters
    ----------
    k : int or array_like
        Number of successes, ``0 <= k <= n``, integer-valued.
    n : int or array_like
        Number of trials, ``1 <= n <= 2**53``, integer-valued.
    alpha : float or array_like
        Significance level in ``(0, 1)`` (confidence ``1 - alpha``); values
        down to 1e-300 are handled exactly.

    Returns
    -------
    float or ndarray
        The bound; a Python float when every input is a scalar, otherwise an
        array of the broadcast shape.

    Raises
    ------
    ValueError
        If ``k`` or ``n`` is not an integer count, ``n < 1``, ``k > n``,
        ``alpha`` is outside ``(0, 1)``, any input is NaN, or shapes do not
        broadcast.  The message names the argument.

    See Also
    --------
    clopper_pearson_upper, clopper_pearson, rstheory.reference.clopper_pearson_lower

    Notes
    -----
    **Soundness.**  The result is never above the exact Clopper-Pearson value
    for the given double inputs: the Newton iterate is moved outward by a
    margin proportional to a bound on the error of the evaluated
    :math:`\\log I_x`, and accepted only when :math:`\\log I_x` at the returned
    double, minus its error bound, is still at most :math:`\\log\\alpha`.  The
    test-suite checks this against a 50-digit mpmath twin
    (:mod:`rstheory.reference`), including ``n`` up to ``2**53`` and ``alpha``
    down to 1e-300.  Results are within 1e-12 relative of exact for
    ``n <= 1e9`` and within 1e-10 for ``1e9 < n <= 2**53`` (near the centre of
    such a distribution the continued fraction would need more than 2e5
    terms, and SciPy's ``betainc`` with a 1e-9 error allowance takes over;
    the quantile's sensitivity of order ``sqrt(n)`` keeps the result sharp);
    a result below the smallest normal double is returned as 0.

    SciPy's ``betaincinv`` alone returns NaN at ``k = 0``, is 6% off at
    ``alpha = 1e-300`` (k = 70, n = 100), and can round to the unsafe side
    (1.6e-11 relative at k = 123456789, n = 1e9, alpha = 1e-3).

    References
    ----------
    .. [1] C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial
       limits illustrated in the case of the binomial", Biometrika 26 (1934).
    .. [2] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory import clopper_pearson_lower
    >>> round(clopper_pearson_lower(990, 1000, 0.001), 6)
    0.976036
    >>> clopper_pearson_lower(100, 100, 0.001) < 0.001 ** (1 / 100)  # k = n: stepped down
    True
    >>> clopper_pearson_lower([0, 50, 100], 100, 0.05).round(4)
    array([0.    , 0.4136, 0.9705])
    """
    fast = fast_counts_alpha(k, n, alpha)
    if fast is not None:
        return cp_lower_kernel(*fast)
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_bound_array(ka, na, al, False), shape, scalar)


def clopper_pearson_upper(k: Any, n: Any, alpha: Any) -> Any:
    """One-sided Clopper-Pearson upper confidence bound on a binomial proportion.

    The :math:`(1-\\alpha)`-quantile of :math:`\\mathrm{Beta}(k+1, n-k)`:

    .. math::

        \\overline{p}(k, n, \\alpha) = \\begin{cases}
            1 - \\alpha^{1/n} & k = 0, \\\\
            1 & k = n, \\\\
            I^{-1}_{1-\\alpha}(k+1,\\, n-k) & \\text{otherwise,}
        \\end{cases}

    and :math:`\\overline{p}(k, n, \\alpha) = 1 - \\underline{p}(n-k, n, \\alpha)`.

    Parameters
    ----------
    k : int or array_like
        Number of successes, ``0 <= k <= n``.
    n : int or array_like
        Number of trials, ``1 <= n <= 2**53``.
    alpha : float or array_like
        Significance level in ``(0, 1)``.

    Returns
    -------
    float or ndarray
        The bound, never below the exact value (rounded toward 1).

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    See Also
    --------
    clopper_pearson_lower, clopper_pearson

    Notes
    -----
    The value is computed directly (not as ``1 - lower``), so small upper
    bounds keep full relative accuracy: at ``k = 0`` it is
    ``-expm1(log(alpha)/n)``.  The soundness argument is that of
    :func:`clopper_pearson_lower`.

    References
    ----------
    .. [1] C. J. Clopper and E. S. Pearson, Biometrika 26 (1934).

    Examples
    --------
    >>> from rstheory import clopper_pearson_upper
    >>> round(clopper_pearson_upper(0, 1000, 0.05), 8)
    0.00299125
    >>> clopper_pearson_upper(7, 7, 0.01)
    1.0
    """
    fast = fast_counts_alpha(k, n, alpha)
    if fast is not None:
        return cp_upper_kernel(*fast)
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_bound_array(ka, na, al, True), shape, scalar)


def clopper_pearson(k: Any, n: Any, alpha: Any) -> ConfidenceInterval:
    """Two-sided Clopper-Pearson interval at total level ``alpha``.

    .. math::

        [\\underline{p}(k, n, \\alpha/2),\\ \\overline{p}(k, n, \\alpha/2)]

    covers ``p`` with probability at least :math:`1 - \\alpha`.  Equal to
    ``statsmodels.stats.proportion.proportion_confint(k, n, alpha,
    method="beta")`` up to rounding, but rounded outward.

    Parameters
    ----------
    k, n : int or array_like
        Successes and trials, as in :func:`clopper_pearson_lower`.
    alpha : float or array_like
        Total significance level in ``(0, 1)``.

    Returns
    -------
    ConfidenceInterval
        Named pair ``(low, high)`` of floats or arrays.

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    References
    ----------
    .. [1] C. J. Clopper and E. S. Pearson, Biometrika 26 (1934).

    Examples
    --------
    >>> from rstheory import clopper_pearson
    >>> ci = clopper_pearson(50, 100, 0.05)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.3983, 0.6017)
    """
    fast = fast_counts_alpha(k, n, alpha)
    if fast is not None:
        kf, nf, af = fast
        return ConfidenceInterval(
            cp_lower_kernel(kf, nf, 0.5 * af), cp_upper_kernel(kf, nf, 0.5 * af)
        )
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    half = al * 0.5
    low = finish(_bound_array(ka, na, half, False), shape, scalar)
    high = finish(_bound_array(ka, na, half, True), shape, scalar)
    return ConfidenceInterval(low, high)


def hoeffding_lower(k: Any, n: Any, alpha: Any) -> Any:
    """Hoeffding lower confidence bound (a looser comparator to Clopper-Pearson).

    .. math::

        \\max\\Big(0,\\ \\frac{k}{n} - \\sqrt{\\frac{\\log(1/\\alpha)}{2n}}\\Big)

    Valid at level :math:`1 - \\alpha` by Hoeffding's inequality, but never
    tighter than Clopper-Pearson in practice.

    Parameters
    ----------
    k, n, alpha : array_like
        As in :func:`clopper_pearson_lower`.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    References
    ----------
    .. [1] W. Hoeffding, "Probability inequalities for sums of bounded random
       variables", JASA 58 (1963).

    Examples
    --------
    >>> from rstheory.bounds import hoeffding_lower
    >>> round(hoeffding_lower(990, 1000, 0.001), 6)
    0.93123
    """
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_hoeffding_array(ka, na, al, False), shape, scalar)


def hoeffding_upper(k: Any, n: Any, alpha: Any) -> Any:
    """Hoeffding upper confidence bound, :math:`\\min(1, k/n + \\sqrt{\\log(1/\\alpha)/(2n)})`.

    Parameters
    ----------
    k, n, alpha : array_like
        As in :func:`clopper_pearson_lower`.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    References
    ----------
    .. [1] W. Hoeffding, JASA 58 (1963).

    Examples
    --------
    >>> from rstheory.bounds import hoeffding_upper
    >>> round(hoeffding_upper(10, 1000, 0.001), 6)
    0.06877
    """
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_hoeffding_array(ka, na, al, True), shape, scalar)


def wilson_lower(k: Any, n: Any, alpha: Any) -> Any:
    """One-sided Wilson score lower bound (approximate: not valid for certificates).

    With :math:`\\hat p = k/n` and :math:`z = \\Phi^{-1}(1-\\alpha)`,

    .. math::

        \\frac{\\hat p + \\frac{z^2}{2n} - z\\sqrt{\\frac{\\hat p(1-\\hat p)}{n}
        + \\frac{z^2}{4n^2}}}{1 + z^2/n}.

    Parameters
    ----------
    k, n, alpha : array_like
        As in :func:`clopper_pearson_lower`.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    Notes
    -----
    The Wilson interval inverts a normal approximation; its coverage can fall
    below :math:`1 - \\alpha` (at n = 20, alpha = 0.05 it lies above the exact
    Clopper-Pearson bound for every 1 <= k <= 19), so it must not be used for a
    certificate.  It is here to show how much Clopper-Pearson's
    exactness costs.

    References
    ----------
    .. [1] E. B. Wilson, "Probable inference, the law of succession, and
       statistical inference", JASA 22 (1927).

    Examples
    --------
    >>> from rstheory.bounds import wilson_lower
    >>> round(wilson_lower(990, 1000, 0.001), 6)
    0.974635
    """
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_wilson_array(ka, na, al, False), shape, scalar)


def wilson_upper(k: Any, n: Any, alpha: Any) -> Any:
    """One-sided Wilson score upper bound (approximate: not valid for certificates).

    The ``+`` branch of the formula in :func:`wilson_lower`.

    Parameters
    ----------
    k, n, alpha : array_like
        As in :func:`clopper_pearson_lower`.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As for :func:`clopper_pearson_lower`.

    References
    ----------
    .. [1] E. B. Wilson, JASA 22 (1927).

    Examples
    --------
    >>> from rstheory.bounds import wilson_upper
    >>> round(wilson_upper(10, 1000, 0.001), 6)
    0.025365
    """
    shape, (ka, na, al), scalar = _prepare(k, n, alpha)
    return finish(_wilson_array(ka, na, al, True), shape, scalar)
