"""Cohen et al.'s PREDICT and CERTIFY from class counts; certified-accuracy curves.

Cohen, Rosenfeld & Kolter (2019), Section 3.2, estimate the smoothed
classifier :math:`g(x) = \\arg\\max_c P[f(x + \\varepsilon) = c]`,
:math:`\\varepsilon \\sim \\mathcal N(0, \\sigma^2 I)`, from Monte Carlo class
counts.  This module takes the counts (however they were sampled) and returns
what the two algorithms return:

* :func:`predict` -- PREDICT: the top class, or :data:`ABSTAIN` unless a
  two-sided binomial test rejects "the top two classes are equally likely" at
  level ``alpha``;
* :func:`certify` -- CERTIFY: the class chosen on a selection sample and a
  certified L2 radius from a Clopper-Pearson lower bound on an independent
  estimation sample, or :data:`ABSTAIN`;
* :func:`certified_accuracy` -- the certified-accuracy curve of a test set.

Three tiers (DESIGN.md): scalar kernels ``*_kernel`` (``@njit``, callable from
a user's own ``@njit`` code, no checks), array kernels ``*_array`` (one row of
counts per input; serial, with ``*_array_parallel`` twins using ``prange``
that the wrappers pick for large batches) and the validating public wrappers.

Soundness
---------
Both algorithms err toward abstaining.  The p-value of PREDICT is an upper
bound on the exact one (see :func:`binomial_test_pvalue`); the lower bound of
CERTIFY is :func:`rstheory.bounds.clopper_pearson_lower` (never above the
exact Clopper-Pearson bound) and its radius is
:func:`rstheory.radius.gaussian_radius` (never above the exact
:math:`\\sigma\\Phi^{-1}(\\underline{p_A})`).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numba import prange

from rstheory._jit import jit, jit_parallel
from rstheory._special import betainc, ndtri, ndtri_exp
from rstheory._validate import (
    FloatArray,
    as_alpha,
    as_array,
    as_count,
    as_positive,
    broadcast,
    finish,
    is_scalar,
)
from rstheory.bounds import cp_lower_kernel, cp_upper_kernel
from rstheory.radius import OUTWARD_STEP, _down, gaussian_radius_kernel

__all__ = [
    "ABSTAIN",
    "PVALUE_MARGIN",
    "PARALLEL_MIN_ROWS_CERTIFY",
    "PARALLEL_MIN_ROWS_PREDICT",
    "Certificate",
    "binomial_test_pvalue",
    "predict",
    "certify",
    "certified_accuracy",
    "binomial_test_pvalue_kernel",
    "predict_kernel",
    "certify_kernel",
    "max_radius_kernel",
    "count_radius_kernel",
    "binomial_test_pvalue_array",
    "predict_array",
    "predict_array_parallel",
    "certify_array",
    "certify_array_parallel",
    "certified_accuracy_kernel",
]

#: The label returned when PREDICT or CERTIFY abstains.
ABSTAIN = -1

_EPS = 2.220446049250313e-16
_DBL_MIN = 2.2250738585072014e-308
#: above this lower bound the CERTIFY radius is computed from the upper bound of n - k
_NEAR_ONE = 1.0 - 1e-6
#: Relative upward margin of the p-value per sqrt(trials + 1) (128 eps = 2**-45).
PVALUE_MARGIN = 128.0 * _EPS

IntArray = npt.NDArray[np.int64]


class Certificate(NamedTuple):
    """Result of :func:`certify`: a label (or :data:`ABSTAIN`) and a certified L2 radius.

    For a batch both fields are arrays (``int64`` labels, ``float64`` radii).
    """

    label: Any
    radius: Any


# --------------------------------------------------------------------------- scalar kernels


@jit
def binomial_test_pvalue_kernel(k1: float, k2: float) -> float:
    """Upper bound on the two-sided binomial-test p-value at ``p = 1/2`` (scalar kernel).

    :math:`\\min(1, 2 I_{1/2}(\\max, \\min + 1))` of the two counts, times
    ``1 + PVALUE_MARGIN * sqrt(k1 + k2 + 1)``, and at least the smallest
    normal double.  Exactly 1 when ``k1 == k2``.
    """
    lo = min(k1, k2)
    hi = max(k1, k2)
    if lo == hi:
        return 1.0
    p = 2.0 * betainc(hi, lo + 1.0, 0.5)
    p = p + p * (PVALUE_MARGIN * math.sqrt(lo + hi + 1.0))
    if p < _DBL_MIN:
        p = _DBL_MIN
    return min(p, 1.0)


@jit
def _top_two(counts: FloatArray) -> tuple[int, float, float]:
    """Index of the largest count (lowest index on ties), the largest and the runner-up."""
    top = 0
    n_a = float(counts[0])
    for i in range(1, counts.shape[0]):
        c = float(counts[i])
        if c > n_a:
            top = i
            n_a = c
    n_b = 0.0
    for i in range(counts.shape[0]):
        if i != top:
            c = float(counts[i])
            if c > n_b:
                n_b = c
    return top, n_a, n_b


@jit
def predict_kernel(counts: FloatArray, alpha: float) -> int:
    """Cohen's PREDICT from one row of class counts (scalar kernel, no checks).

    Returns the index of the largest count, or ``ABSTAIN`` (-1) when the
    p-value bound of :func:`binomial_test_pvalue_kernel` exceeds ``alpha``.
    """
    top, n_a, n_b = _top_two(counts)
    if binomial_test_pvalue_kernel(n_a, n_b) > alpha:
        return ABSTAIN
    return top


@jit
def max_radius_kernel(n: float, sigma: float, alpha: float) -> float:
    """Sound :math:`\\sigma\\,\\Phi^{-1}(\\alpha^{1/n})`: the radius of ``n`` unanimous votes.

    Scalar kernel, no checks (``n >= 1``, ``sigma > 0``, ``0 < alpha < 1``).
    Evaluated from :math:`\\log p = \\log(\\alpha)/n` through SciPy's
    ``ndtri_exp`` (``-ndtri(-expm1(log p))`` near ``p = 1``), so that
    ``1 - p`` keeps full relative precision up to ``n = 2**53``.  Rounding:
    ``log p`` is pushed down by ``2 eps |log p|`` (the rounding of the
    logarithm and the division), the result down by
    ``OUTWARD_STEP |r| + 4 eps sigma``; the absolute term covers the
    rounding of ``p`` itself near ``p = 1/2`` (at most 2.1 eps in ``z``
    where ``|z| <= 1``), where a relative step would vanish.  Signed:
    negative when :math:`\\alpha^{1/n} < 1/2`.
    """
    t = math.log(alpha) / n
    t = t + t * (2.0 * _EPS)
    x = ndtri_exp(t)
    if math.isinf(x):
        return x
    r = sigma * x
    return r - (abs(r) * OUTWARD_STEP + sigma * (4.0 * _EPS)) - 5e-324


@jit
def count_radius_kernel(k: float, n: float, sigma: float, alpha: float) -> float:
    """The radius CERTIFY returns for ``k`` top-class votes out of ``n`` (scalar kernel).

    :math:`\\sigma\\Phi^{-1}(\\underline{p_A})` with the sound
    Clopper-Pearson lower bound, ``-inf`` when CERTIFY abstains
    (:math:`\\underline{p_A} < 1/2`).  For ``k = n`` the radius comes from
    :func:`max_radius_kernel`.  A non-abstaining radius is at least 0 (the
    exact one is, since :math:`\\underline{p_A} \\ge 1/2`).
    """
    p_lower = cp_lower_kernel(k, n, alpha)
    if p_lower < 0.5:
        return -math.inf
    if k >= n:
        # all votes for the top class: p_lower = alpha**(1/n), whose double
        # loses 1 - p near 1; the radius from log p = log(alpha)/n keeps it
        return max(max_radius_kernel(n, sigma, alpha), 0.0)
    if p_lower > _NEAR_ONE:
        # a double p near 1 keeps only 1.1e-16 of 1 - p, which Phi^-1 amplifies:
        # use 1 - p_lower(k, n) = p_upper(n - k, n) (exact Clopper-Pearson symmetry),
        # sound from above, and -sigma Phi^-1 of it stepped down
        q = cp_upper_kernel(n - k, n, alpha)
        r = -(sigma * ndtri(q))
        return max(_down(r, abs(r)), 0.0)
    return max(gaussian_radius_kernel(p_lower, sigma), 0.0)


@jit
def certify_kernel(
    counts_selection: FloatArray, counts_estimation: FloatArray, sigma: float, alpha: float
) -> tuple[int, float]:
    """Cohen's CERTIFY from one row of selection and estimation counts (scalar kernel).

    Returns ``(label, radius)``, or ``(ABSTAIN, 0.0)`` when the Clopper-Pearson
    lower bound (``rstheory.bounds.cp_lower_kernel``) is below 1/2; the radius
    is :func:`count_radius_kernel` of the selected class's estimation count.
    """
    label, _, _ = _top_two(counts_selection)
    n = 0.0
    for i in range(counts_estimation.shape[0]):
        n += float(counts_estimation[i])
    radius = count_radius_kernel(float(counts_estimation[label]), n, sigma, alpha)
    if radius < 0.0:
        return ABSTAIN, 0.0
    return label, radius


@jit
def _count_below(sorted_values: FloatArray, t: float) -> int:
    """Number of entries ``< t`` in an ascending array (binary search)."""
    lo = 0
    hi = sorted_values.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < t:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def certified_accuracy_kernel(
    radii: FloatArray, correct: npt.NDArray[np.bool_], thresholds: FloatArray
) -> FloatArray:
    """Fraction of all inputs that are correct with radius ``>= t``, per threshold ``t``.

    1-D arrays; ``radii`` and ``correct`` of equal length ``>= 1``, no NaN.
    """
    total = radii.shape[0]
    m = 0
    for i in range(total):
        if correct[i]:
            m += 1
    good = np.empty(m)
    j = 0
    for i in range(total):
        if correct[i]:
            good[j] = radii[i]
            j += 1
    good.sort()
    out = np.empty(thresholds.shape[0])
    for k in range(thresholds.shape[0]):
        out[k] = (m - _count_below(good, thresholds[k])) / total
    return out


# --------------------------------------------------------------------------- array kernels


@jit
def binomial_test_pvalue_array(k1: FloatArray, k2: FloatArray) -> FloatArray:
    """:func:`binomial_test_pvalue_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(k1.shape[0])
    for i in range(k1.shape[0]):
        out[i] = binomial_test_pvalue_kernel(k1[i], k2[i])
    return out


#: Rows from which the wrappers use the parallel (``prange``) kernels: CERTIFY
#: costs a few microseconds per row (a Clopper-Pearson bound), PREDICT well
#: under one; a parallel region costs ~10 us on an idle machine and up to a
#: scheduler time slice (~10 ms) on an oversubscribed one.
PARALLEL_MIN_ROWS_CERTIFY = 4096
PARALLEL_MIN_ROWS_PREDICT = 1 << 15


@jit
def predict_array(counts: FloatArray, alpha: FloatArray) -> IntArray:
    """:func:`predict_kernel` over the rows of a 2-D count array."""
    out = np.empty(counts.shape[0], dtype=np.int64)
    for i in range(counts.shape[0]):
        out[i] = predict_kernel(counts[i], alpha[i])
    return out


@jit_parallel
def predict_array_parallel(counts: FloatArray, alpha: FloatArray) -> IntArray:
    """:func:`predict_array` with ``prange`` (for large batches)."""
    out = np.empty(counts.shape[0], dtype=np.int64)
    for i in prange(counts.shape[0]):
        out[i] = predict_kernel(counts[i], alpha[i])
    return out


@jit
def certify_array(
    counts_selection: FloatArray,
    counts_estimation: FloatArray,
    sigma: FloatArray,
    alpha: FloatArray,
) -> tuple[IntArray, FloatArray]:
    """:func:`certify_kernel` over the rows of 2-D count arrays."""
    m = counts_selection.shape[0]
    labels = np.empty(m, dtype=np.int64)
    radii = np.empty(m)
    for i in range(m):
        label, radius = certify_kernel(
            counts_selection[i], counts_estimation[i], sigma[i], alpha[i]
        )
        labels[i] = label
        radii[i] = radius
    return labels, radii


@jit_parallel
def certify_array_parallel(
    counts_selection: FloatArray,
    counts_estimation: FloatArray,
    sigma: FloatArray,
    alpha: FloatArray,
) -> tuple[IntArray, FloatArray]:
    """:func:`certify_array` with ``prange`` (for large batches)."""
    m = counts_selection.shape[0]
    labels = np.empty(m, dtype=np.int64)
    radii = np.empty(m)
    for i in prange(m):
        label, radius = certify_kernel(
            counts_selection[i], counts_estimation[i], sigma[i], alpha[i]
        )
        labels[i] = label
        radii[i] = radius
    return labels, radii


# --------------------------------------------------------------------------- validation


def _as_counts(name: str, value: Any) -> FloatArray:
    """Class counts: non-negative integers, 1-D (one input) or 2-D (one row per input)."""
    arr = as_count(name, value)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (one input) or 2-D (one row per input), got shape {arr.shape}"
        )
    if arr.shape[-1] < 1:
        raise ValueError(f"{name} must have at least one class, got shape {arr.shape}")
    if arr.size and (arr.sum(axis=-1) > 2.0**53).any():
        raise ValueError(f"{name} must sum to at most 2**53 per input")
    return np.ascontiguousarray(arr)


def _per_input(name: str, arr: FloatArray, counts_ndim: int, m: int) -> FloatArray:
    """A scalar parameter, or (for a batch) one value per input."""
    if counts_ndim == 1:
        if arr.ndim != 0:
            raise ValueError(f"{name} must be a scalar for 1-D counts, got shape {arr.shape}")
        return np.full(1, float(arr))
    try:
        out = np.broadcast_to(arr, (m,))
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a scalar or hold one value per input (shape ({m},)), "
            f"got shape {arr.shape}"
        ) from exc
    return np.ascontiguousarray(out, dtype=np.float64)


# --------------------------------------------------------------------------- wrappers


def binomial_test_pvalue(k1: Any, k2: Any) -> Any:
    """Two-sided binomial-test p-value of PREDICT, rounded up.

    The p-value of :math:`H_0: p = 1/2` for :math:`k_1` successes in
    :math:`N = k_1 + k_2` trials (``scipy.stats.binomtest(k1, k1 + k2, 0.5)``);
    by the symmetry of :math:`\\mathrm{Bin}(N, 1/2)`, with
    :math:`k = \\min(k_1, k_2)`, :math:`K = \\max(k_1, k_2)`,

    .. math::

        \\pi(k_1, k_2) = \\min\\bigl(1,\\ 2\\,P[\\mathrm{Bin}(N, \\tfrac12) \\le k]\\bigr)
                     = \\min\\bigl(1,\\ 2\\, I_{1/2}(K,\\ k + 1)\\bigr).

    Parameters
    ----------
    k1, k2 : int or array_like
        Non-negative integer counts (the top two classes :math:`n_A, n_B` in
        PREDICT; the order does not matter).

    Returns
    -------
    float or ndarray
        An upper bound on :math:`\\pi` (Python float for scalar inputs);
        exactly 1 when ``k1 == k2``.

    Raises
    ------
    ValueError
        If a count is negative, non-integer, NaN or above ``2**53``, or the
        shapes do not broadcast.

    See Also
    --------
    predict, rstheory.reference.binomial_test_pvalue

    Notes
    -----
    **Soundness.**  The regularized incomplete beta function is SciPy's
    (Boost) ``betainc``, whose relative error in this use grows with the
    number of trials :math:`N` (measured against mpmath: up to 11 eps at
    :math:`N = 100`, 7e3 eps at :math:`N = 10^6`, 2e5 eps at
    :math:`N = 10^9`, about :math:`7\\varepsilon\\sqrt{N}` to
    :math:`14\\varepsilon\\sqrt N`).  The value is multiplied by
    :math:`1 + 128\\,\\varepsilon\\sqrt{N + 1}` (:data:`PVALUE_MARGIN`), at
    least 9 times that error, and raised to at least the smallest normal
    double ``2.2e-308`` (p-values below it are not resolved), so it is never
    below the exact p-value.  PREDICT compares it with ``alpha``, so it can
    only err toward abstaining; with ``alpha < 2.2e-308`` PREDICT always
    abstains.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.certify import binomial_test_pvalue
    >>> round(binomial_test_pvalue(60, 40), 6)
    0.056888
    >>> binomial_test_pvalue(5, 5)
    1.0
    """
    a = as_count("k1", k1)
    b = as_count("k2", k2)
    shape, (af, bf) = broadcast(k1=a, k2=b)
    return finish(binomial_test_pvalue_array(af, bf), shape, is_scalar(k1, k2))


def predict(counts: Any, alpha: Any) -> Any:
    """Cohen et al.'s PREDICT: the top class if it is significantly ahead, else ABSTAIN.

    With :math:`n_A \\ge n_B` the two largest counts (:math:`n_B = 0` with a
    single class), PREDICT returns the label of :math:`n_A` when the
    two-sided binomial test of :math:`n_A` successes in :math:`n_A + n_B`
    trials at :math:`p = 1/2` rejects at level :math:`\\alpha`:

    .. math::

        \\hat g(x) = \\begin{cases}
            \\hat c_A & \\text{if } \\min(1,\\, 2 I_{1/2}(n_A,\\, n_B + 1)) \\le \\alpha, \\\\
            \\text{ABSTAIN} & \\text{otherwise.}
        \\end{cases}

    By Proposition 1 of Cohen et al. (2019), the probability that PREDICT returns
    a class other than the smoothed classifier's :math:`g(x)` is at most
    :math:`\\alpha`.

    Parameters
    ----------
    counts : array_like
        Non-negative integer class counts, 1-D (one input, at least one class)
        or 2-D (one row per input).
    alpha : float or array_like
        Significance level in ``(0, 1)``; for 2-D counts a scalar or one value
        per row.

    Returns
    -------
    int or ndarray
        The predicted label or :data:`ABSTAIN` (-1): a Python int for 1-D
        counts, an ``int64`` array for 2-D counts.

    Raises
    ------
    ValueError
        If ``counts`` are not non-negative integers (or NaN), not 1-D or 2-D,
        have no class or sum above ``2**53``; if ``alpha`` is outside
        ``(0, 1)`` or has the wrong shape.  The message names the argument.

    See Also
    --------
    certify, binomial_test_pvalue

    Notes
    -----
    **Ties.**  Cohen et al.'s code takes the top two classes with
    ``argsort``, which orders tied counts arbitrarily.  Here the top class is
    the lowest index among the largest counts; a tie between the top two
    gives a p-value of exactly 1, so PREDICT always abstains then and the tie
    rule never shows.  All-zero counts abstain.

    **Soundness.**  The p-value is an upper bound on the exact one
    (:func:`binomial_test_pvalue`), so PREDICT abstains whenever the exact
    test does.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918,
       Algorithm PREDICT.

    Examples
    --------
    >>> from rstheory.certify import predict, ABSTAIN
    >>> predict([3, 90, 7], 0.001)
    1
    >>> predict([48, 52, 0], 0.001) == ABSTAIN
    True
    >>> predict([[3, 90, 7], [50, 50, 0]], 0.001)
    array([ 1, -1])
    """
    c = _as_counts("counts", counts)
    a = _per_input("alpha", as_alpha("alpha", alpha), c.ndim, c.shape[0])
    if c.ndim == 1:
        return int(predict_kernel(c, float(a[0])))
    if c.shape[0] >= PARALLEL_MIN_ROWS_PREDICT:
        return predict_array_parallel(c, a)
    return predict_array(c, a)


def certify(counts_selection: Any, counts_estimation: Any, sigma: Any, alpha: Any) -> Certificate:
    """Cohen et al.'s CERTIFY: a label and a certified L2 radius, or ABSTAIN.

    With :math:`\\hat c_A` the class of the largest count in the selection
    sample, :math:`n_A` its count in the independent estimation sample of
    size :math:`n`, and :math:`\\underline{p_A}` the one-sided
    Clopper-Pearson lower bound at level :math:`1 - \\alpha`,

    .. math::

        \\underline{p_A} = \\mathrm{CP}_{\\text{lower}}(n_A, n, \\alpha), \\qquad
        (\\text{label}, R) = \\begin{cases}
            (\\text{ABSTAIN}, 0) & \\underline{p_A} < \\tfrac12, \\\\
            (\\hat c_A,\\ \\sigma\\, \\Phi^{-1}(\\underline{p_A})) & \\text{otherwise.}
        \\end{cases}

    By Proposition 2 of Cohen et al. (2019), with probability at least
    :math:`1 - \\alpha` a non-abstaining result is correct: the smoothed
    classifier returns :math:`\\hat c_A` on the whole L2 ball of radius
    :math:`R`.

    Parameters
    ----------
    counts_selection : array_like
        Class counts of the selection sample (Cohen's ``n0`` draws), 1-D for
        one input or 2-D with one row per input; non-negative integers.
    counts_estimation : array_like
        Class counts of the estimation sample (``n`` draws), same shape as
        ``counts_selection``; each row must sum to at least 1.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``; for a batch a scalar or
        one value per input.
    alpha : float or array_like
        Significance level in ``(0, 1)``; for a batch a scalar or one value
        per input.

    Returns
    -------
    Certificate
        Named pair ``(label, radius)``: a Python int and float for 1-D counts;
        an ``int64`` and a ``float64`` array for 2-D counts.  Abstentions are
        ``(ABSTAIN, 0.0)``, as in Cohen et al.'s code.

    Raises
    ------
    ValueError
        If counts are not non-negative integers (or NaN), not 1-D or 2-D,
        have no class or sum above ``2**53``; if the two count arrays differ
        in shape; if an estimation row sums to 0; if ``sigma`` is not finite
        and positive or ``alpha`` is outside ``(0, 1)``, or either has the
        wrong shape.  The message names the argument.

    See Also
    --------
    predict, rstheory.bounds.clopper_pearson_lower, rstheory.radius.gaussian_radius

    Notes
    -----
    The selected label is the lowest index among the largest selection
    counts (``numpy.argmax``, as ``counts.argmax()`` in Cohen et al.'s code).
    The certificate's validity does not depend on how the label was chosen,
    only on the independence of the two samples, so all-zero selection
    counts are accepted (label 0).  At :math:`\\underline{p_A} = 1/2`
    exactly, the label is returned with radius 0, as in the paper.

    **Soundness.**  :math:`\\underline{p_A}` never exceeds the exact
    Clopper-Pearson bound and the radius never exceeds
    :math:`\\sigma\\Phi^{-1}(\\underline{p_A})`, so rounding can only shrink
    a certificate or turn it into an abstention.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918,
       Algorithm CERTIFY.

    Examples
    --------
    >>> from rstheory.certify import certify
    >>> cert = certify([0, 100, 0], [2, 990, 8], sigma=0.25, alpha=0.001)
    >>> cert.label, round(cert.radius, 6)
    (1, 0.494502)
    >>> certify([10, 0], [400, 600], sigma=0.25, alpha=0.001)
    Certificate(label=-1, radius=0.0)
    """
    sel = _as_counts("counts_selection", counts_selection)
    est = _as_counts("counts_estimation", counts_estimation)
    if sel.shape != est.shape:
        raise ValueError(
            f"counts_estimation must have the shape of counts_selection, got "
            f"{est.shape} and {sel.shape}"
        )
    empty = est.sum(axis=-1) < 1.0
    if np.any(empty):
        raise ValueError("counts_estimation must sum to at least 1 (n >= 1) for every input")
    m = sel.shape[0]
    s = _per_input("sigma", as_positive("sigma", sigma), sel.ndim, m)
    a = _per_input("alpha", as_alpha("alpha", alpha), sel.ndim, m)
    if sel.ndim == 1:
        label, radius = certify_kernel(sel, est, float(s[0]), float(a[0]))
        return Certificate(int(label), float(radius))
    kernel = certify_array_parallel if m >= PARALLEL_MIN_ROWS_CERTIFY else certify_array
    labels, radii = kernel(sel, est, s, a)
    return Certificate(labels, radii)


def certified_accuracy(radii: Any, correct: Any, thresholds: Any) -> Any:
    """Certified accuracy at each radius threshold (the curves of Cohen et al. 2019).

    For a test set of :math:`N` inputs with certified radii :math:`R_i` and
    correctness indicators :math:`c_i` (prediction equals the true label),

    .. math::

        \\mathrm{CA}(r) = \\frac{1}{N} \\sum_{i=1}^N
            \\mathbf 1[c_i]\\, \\mathbf 1[R_i \\ge r].

    The denominator counts *all* inputs: abstentions are in it and are never
    certified.

    Parameters
    ----------
    radii : array_like
        Certified radii, any shape, at least one input; ``+-inf`` allowed
        (e.g. ``-inf`` for abstentions), NaN not.
    correct : array_like of bool
        Same shape as ``radii``: True where the certified label is the true
        label.  It must be False for abstentions (``labels == truth`` is,
        since :data:`ABSTAIN` is never a class); the radius of an input with
        ``correct = False`` is ignored.  Integers 0/1 are accepted.
    thresholds : float or array_like
        Radii :math:`r` at which to evaluate the curve (not NaN).

    Returns
    -------
    float or ndarray
        :math:`\\mathrm{CA}(r)` for every threshold, with the shape of
        ``thresholds`` (a Python float for a scalar threshold).

    Raises
    ------
    ValueError
        If ``radii`` is empty or has NaN, ``correct`` is not boolean (or
        0/1) or differs in shape from ``radii``, or ``thresholds`` has NaN.

    See Also
    --------
    certify

    Notes
    -----
    The comparison is inclusive, :math:`R_i \\ge r`: an input certified at
    radius exactly :math:`r` counts at threshold :math:`r` (the curve is
    non-increasing and left-continuous in :math:`r`), and a correct
    prediction with radius 0 counts at :math:`r = 0`.  The curve is
    evaluated by sorting the correct radii once and a binary search per
    threshold.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.certify import certified_accuracy
    >>> radii = [0.5, 1.0, 0.0, 2.0]
    >>> correct = [True, True, False, True]
    >>> certified_accuracy(radii, correct, [0.0, 0.5, 1.5, 3.0])
    array([0.75, 0.75, 0.25, 0.  ])
    >>> certified_accuracy(radii, correct, 1.0)
    0.5
    """
    r = as_array("radii", radii)
    if r.size < 1:
        raise ValueError("radii must hold at least one input, got an empty array")
    c_raw = np.asarray(correct)
    if c_raw.dtype == np.bool_:
        c = c_raw
    else:
        try:
            c_num = np.asarray(c_raw, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"correct must be boolean, got dtype {c_raw.dtype}") from exc
        if not np.all((c_num == 0.0) | (c_num == 1.0)):
            raise ValueError("correct must be boolean (or 0/1), got other values")
        c = c_num == 1.0
    if c.shape != r.shape:
        raise ValueError(f"correct must have the shape of radii, got {c.shape} and {r.shape}")
    t = as_array("thresholds", thresholds)
    flat_r = np.ascontiguousarray(r, dtype=np.float64).ravel()
    flat_c = np.ascontiguousarray(c, dtype=np.bool_).ravel()
    flat_t = np.ascontiguousarray(t, dtype=np.float64).ravel()
    out = certified_accuracy_kernel(flat_r, flat_c, flat_t)
    return finish(out, t.shape, is_scalar(thresholds))
