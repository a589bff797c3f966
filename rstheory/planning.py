"""Sample-size planning for CERTIFY: maximal radius, required n, the law of the radius.

Questions a user asks before sampling (Cohen, Rosenfeld & Kolter 2019):

* :func:`max_radius` -- the largest radius CERTIFY can return with ``n``
  estimation samples (all of them for the top class):
  :math:`\\sigma\\Phi^{-1}(\\alpha^{1/n})`;
* :func:`required_n` -- the least ``n`` that reaches a radius, with
  certainty when the base classifier is unanimous (``p = 1``), or with a
  given probability (``power``) when the top class has probability ``p < 1``;
* :func:`certification_probability`, :func:`radius_distribution`,
  :func:`expected_radius` -- the law of the certified radius when the
  top-class count is :math:`K \\sim \\mathrm{Bin}(n, p)`;
* :func:`abstain_probability` -- how often CERTIFY abstains, selection step
  included; :func:`predict_min_n` -- the least ``n`` at which PREDICT can
  answer at all.

Every radius here is the one :func:`rstheory.certify.certify` returns (the
sound kernel :func:`rstheory.certify.count_radius_kernel`), so a plan made
here is the plan the package's CERTIFY will follow.

The threshold count
-------------------
The radius CERTIFY returns for ``k`` top-class votes out of ``n`` increases
with ``k``, so "certified at radius ``r``" is the event
:math:`K \\ge k^*(n)`, with :math:`k^*(n)` the least count whose exact
Clopper-Pearson bound reaches :math:`p_r = \\Phi(r/\\sigma)`, i.e. the least
``k`` with :math:`P[\\mathrm{Bin}(n, p_r) \\ge k] \\le \\alpha`.  It is found
by one search (a normal-approximation guess, galloping and bisection, a
handful of tail evaluations), not a scan over ``k``; then
:math:`P[K \\ge k^*] = I_p(k^*, n - k^* + 1)` is one incomplete beta
function (:func:`rstheory._beta.log_tail`).  In exact arithmetic
:math:`k^*(n) \\le k^*(n+1) \\le k^*(n) + 1` (the walk of :func:`required_n`
relies on it).

Three tiers (DESIGN.md): scalar kernels ``*_kernel`` (``@njit``, no checks),
array kernels ``*_array`` and the validating public wrappers.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.special
from numba import prange

from rstheory._beta import _beta_constant, log_prefactor, log_tail
from rstheory._jit import jit, jit_parallel
from rstheory._special import betainc, betaincc, log_ndtr, ndtr, ndtri
from rstheory._validate import (
    FloatArray,
    as_alpha,
    as_array,
    as_count,
    as_positive,
    as_probability,
    broadcast,
    finish,
    is_scalar,
)
from rstheory.certify import binomial_test_pvalue_kernel, count_radius_kernel, max_radius_kernel

__all__ = [
    "RadiusDistribution",
    "max_radius",
    "required_n",
    "certification_probability",
    "radius_distribution",
    "expected_radius",
    "abstain_probability",
    "predict_min_n",
    "max_radius_kernel",
    "threshold_count_kernel",
    "certify_threshold_kernel",
    "binomial_tail_kernel",
    "certification_probability_kernel",
    "required_n_kernel",
    "radius_distribution_kernel",
    "radius_window_kernel",
    "expected_radius_kernel",
    "abstain_probability_kernel",
    "predict_min_n_kernel",
    "max_radius_array",
    "certification_probability_array",
    "required_n_array",
    "expected_radius_array",
    "abstain_probability_array",
    "IMPOSSIBLE",
    "UNREACHABLE",
    "TOO_WIDE",
    "DEFAULT_TOL",
]

_MAX_N = 2.0**53
_DBL_MIN = 2.2250738585072014e-308
#: :func:`required_n_kernel`'s code for "p does not exceed Phi(radius/sigma)".
IMPOSSIBLE = -1.0
#: :func:`required_n_kernel`'s code for "more than 2**53 samples would be needed".
UNREACHABLE = -2.0
#: :func:`required_n_kernel`'s code for "the sawtooth band is wider than _MAX_BAND sizes".
TOO_WIDE = -3.0
#: the widest band of sample sizes :func:`required_n_kernel` walks (about 3 s)
_MAX_BAND = 2.0**27
#: Default bound on the probability mass left out of a radius distribution.
DEFAULT_TOL = 1e-16

IntArray = npt.NDArray[np.int64]


class RadiusDistribution(NamedTuple):
    """Law of the radius CERTIFY returns (:func:`radius_distribution`).

    Attributes
    ----------
    count : ndarray of int64
        Top-class counts ``k`` of the support (ascending, consecutive).
    radius : ndarray of float64
        The certified radius for each count (ascending, ``>= 0``).
    probability : ndarray of float64
        :math:`P[K = k]` for each count.
    abstain : float
        :math:`P[\\text{CERTIFY abstains}] = P[K < k^*_0]`.
    neglected : float
        Upper bound on the probability of the non-abstaining counts left out
        of the support (both tails of the window together).
    """

    count: Any
    radius: Any
    probability: Any
    abstain: float
    neglected: float


# --------------------------------------------------------------------------- scalar kernels


@jit
def binomial_tail_kernel(k: float, n: float, p: float, upper: bool) -> float:
    """:math:`P[\\mathrm{Bin}(n, p) \\ge k]` (``upper``) or :math:`P[\\mathrm{Bin}(n, p) < k]`.

    Scalar kernel for integer-valued floats: :math:`I_p(k, n-k+1)` and its
    complement from the log-space incomplete beta of :mod:`rstheory._beta`
    (with a rigorous bound on the error of the logarithm: a relative error
    of a few eps times ``1 + |log P|``).
    """
    if k <= 0.0:
        return 1.0 if upper else 0.0
    if k > n:
        return 0.0 if upper else 1.0
    if p <= 0.0:
        return 0.0 if upper else 1.0
    if p >= 1.0:
        return 1.0 if upper else 0.0
    a = k
    b = n - k + 1.0
    lt, _, _ = log_tail(a, b, p, not upper, _beta_constant(a, b))
    if lt != lt:  # every method of log_tail failed (not seen): SciPy's value
        v = betainc(a, b, p)
        return v if upper else 1.0 - v
    return math.exp(lt)


@jit
def _pmf_log(k: float, n: float, p: float) -> float:
    """:math:`\\log P[\\mathrm{Bin}(n, p) = k]` for ``0 < p < 1``, ``0 <= k <= n``.

    From the beta prefactor :math:`x^{k+1}(1-x)^{n-k+1}/B(k+1, n-k+1) =
    (n+1)\\binom nk x^{k+1}(1-x)^{n-k+1}` (Temme's form, a few eps of the
    logarithm's size near the mode even for ``n = 1e15``).
    """
    a = k + 1.0
    b = n - k + 1.0
    big, small, _ = log_prefactor(a, b, p, _beta_constant(a, b))
    return big + (small - (math.log1p(n) + math.log(p) + math.log1p(-p)))


@jit
def _tail_le(k: float, n: float, p_r: float, log_alpha: float) -> bool:
    """True when :math:`P[\\mathrm{Bin}(n, p_r) \\ge k] \\le \\alpha` (``1 <= k <= n``).

    Equivalently, the exact Clopper-Pearson lower bound of ``k`` votes out of
    ``n`` is at least ``p_r``: ``k`` votes certify the radius
    :math:`\\sigma\\Phi^{-1}(p_r)`.
    """
    a = k
    b = n - k + 1.0
    lt, _, _ = log_tail(a, b, p_r, False, _beta_constant(a, b))
    return lt <= log_alpha


@jit
def _guess(n: float, p_r: float, z_alpha: float) -> float:
    """Normal-approximation guess of the threshold count for ``n`` samples."""
    g = n * p_r + z_alpha * math.sqrt(n * p_r * (1.0 - p_r)) + 0.5
    return math.floor(min(max(g, 1.0), n))


@jit
def threshold_count_kernel(n: float, p_r: float, alpha: float, guess: float) -> float:
    """Least count :math:`k^*` whose exact Clopper-Pearson bound reaches ``p_r``; ``n + 1`` if none.

    Scalar kernel: the least ``k`` with
    :math:`P[\\mathrm{Bin}(n, p_r) \\ge k] \\le \\alpha`, i.e.
    :math:`\\mathrm{CP}_{\\text{lower}}(k, n, \\alpha) \\ge p_r`; with
    :math:`p_r = \\Phi(r/\\sigma)` the least count certifying radius ``r``.
    ``guess`` is any starting count (a neighbouring answer, say); the search
    gallops from it to a bracket and bisects, one tail evaluation a step.
    ``1/2 <= p_r < 1``.
    """
    la = math.log(alpha)
    if not _tail_le(n, n, p_r, la):
        return n + 1.0
    k = float(math.floor(min(max(guess, 1.0), n)))
    step = 1.0
    if _tail_le(k, n, p_r, la):
        hi = k
        lo = 0.0  # k = 0 never certifies (the tail is 1)
        while hi - step >= 1.0:
            cand = hi - step
            if _tail_le(cand, n, p_r, la):
                hi = cand
                step *= 2.0
            else:
                lo = cand
                break
    else:
        lo = k
        hi = n
        while lo + step < n:
            cand = lo + step
            if _tail_le(cand, n, p_r, la):
                hi = cand
                break
            lo = cand
            step *= 2.0
    while hi - lo > 1.0:
        mid = float(math.floor(0.5 * (lo + hi)))
        if _tail_le(mid, n, p_r, la):
            hi = mid
        else:
            lo = mid
    return hi


@jit
def _threshold(n: float, p_r: float, alpha: float) -> float:
    return threshold_count_kernel(n, p_r, alpha, _guess(n, p_r, -ndtri(alpha)))


@jit
def certify_threshold_kernel(n: float, sigma: float, alpha: float, radius: float) -> float:
    """Least count at which the package's CERTIFY returns a radius ``>= radius``; ``n + 1`` if none.

    Scalar kernel.  The exact threshold (:func:`threshold_count_kernel` at
    :math:`p_r = \\Phi(r/\\sigma)`), moved to where
    :func:`rstheory.certify.count_radius_kernel` (sound, rounded toward
    abstaining) changes its verdict; the two differ only at exact ties such
    as a dyadic ``alpha`` at ``radius = 0``.
    """
    k = _threshold(n, ndtr(radius / sigma), alpha)
    while k <= n and count_radius_kernel(k, n, sigma, alpha) < radius:
        k += 1.0
    while k > 1.0 and count_radius_kernel(k - 1.0, n, sigma, alpha) >= radius:
        k -= 1.0
    return k


@jit
def certification_probability_kernel(
    p: float, n: float, sigma: float, alpha: float, radius: float
) -> float:
    """:math:`P[R \\ge r] = P[K \\ge k^*(n)]` for :math:`K \\sim \\mathrm{Bin}(n, p)` (kernel).

    ``k*`` is :func:`certify_threshold_kernel`: the package's CERTIFY.
    """
    return binomial_tail_kernel(certify_threshold_kernel(n, sigma, alpha, radius), n, p, True)


@jit
def _required_n_unanimous(radius: float, sigma: float, alpha: float) -> float:
    """Least ``n`` at which CERTIFY certifies ``radius`` from ``n`` unanimous votes.

    :func:`rstheory.certify.count_radius_kernel` at ``k = n``: the sound
    :func:`max_radius_kernel`, clamped at 0 where CERTIFY does not abstain.
    :data:`UNREACHABLE` above 2**53.
    """
    lp = log_ndtr(radius / sigma)
    if lp == 0.0:
        return UNREACHABLE
    q = math.log(alpha) / lp
    if not (q <= _MAX_N):
        return UNREACHABLE
    n = max(1.0, math.ceil(q))
    while count_radius_kernel(n, n, sigma, alpha) < radius:
        n += 1.0
        if n > _MAX_N:
            return UNREACHABLE
    while n > 1.0 and count_radius_kernel(n - 1.0, n - 1.0, sigma, alpha) >= radius:
        n -= 1.0
    return n


@jit
def _kappa(n: float, p_r: float, log_alpha: float, kstar: float) -> float:
    """The real threshold :math:`\\kappa(n) \\in (k^* - 1, k^*]`.

    Root of :math:`\\log I_{p_r}(\\kappa, n - \\kappa + 1) = \\log\\alpha`, the
    tail extended to real counts (decreasing in :math:`\\kappa`), so that
    :math:`k^*(n) = \\lceil \\kappa(n) \\rceil`.  Illinois regula falsi on the
    unit bracket to ``1e-9``; ``k* - 1`` when ``k* <= 1``.
    """
    if kstar <= 1.0:
        return kstar - 1.0
    lo = kstar - 1.0
    hi = kstar
    glo = 0.0
    ghi = 0.0
    if lo < 1.0:
        return hi  # real tails below a = 1 are not needed: n is tiny here
    a = lo
    glo = log_tail(a, n - a + 1.0, p_r, False, _beta_constant(a, n - a + 1.0))[0] - log_alpha
    ghi = log_tail(hi, n - hi + 1.0, p_r, False, _beta_constant(hi, n - hi + 1.0))[0] - log_alpha
    if not (glo > 0.0 and ghi <= 0.0):
        return hi
    side = 0
    for _ in range(60):
        if hi - lo <= 1e-9:
            break
        x = (lo * ghi - hi * glo) / (ghi - glo)
        if not (lo < x < hi):
            x = 0.5 * (lo + hi)
        g = log_tail(x, n - x + 1.0, p_r, False, _beta_constant(x, n - x + 1.0))[0] - log_alpha
        if g > 0.0:
            lo = x
            glo = g
            if side == -1:
                ghi *= 0.5
            side = -1
        else:
            hi = x
            ghi = g
            if side == 1:
                glo *= 0.5
            side = 1
    return 0.5 * (lo + hi)


@jit
def _reaches(n: float, p: float, p_r: float, alpha: float, power: float, upper: bool) -> bool:
    """Whether a smooth bound on the certification probability reaches ``power``.

    With :math:`k^* = \\lceil\\kappa\\rceil` (:func:`_kappa`) and the tail
    decreasing in its (real) count,
    :math:`L(n) = I_p(\\kappa + 1, n - \\kappa) \\le \\pi(n) \\le
    I_p(\\kappa, n - \\kappa + 1) = U(n)` (``upper`` picks ``U``).  Unlike
    :math:`\\pi`, both follow :math:`\\kappa(n)`, a smooth function of ``n``:
    no sawtooth.  For ``power > 1/2`` the complement is compared with the
    exact ``1 - power`` (a double near 1 keeps only 1.1e-16 absolute).
    """
    kstar = _threshold(n, p_r, alpha)
    if kstar > n:
        return False
    kap = _kappa(n, p_r, math.log(alpha), kstar)
    if upper:
        a = kap
        b = n - kap + 1.0
        if a <= 0.0:
            return True
    else:
        a = kap + 1.0
        b = n - kap
        if b <= 0.0:
            return False
    if power > 0.5:
        return betaincc(a, b, p) <= 1.0 - power
    return betainc(a, b, p) >= power


@jit
def _first_reaching(
    lo: float, p: float, p_r: float, alpha: float, power: float, upper: bool
) -> float:
    """Least ``n >= lo`` where :func:`_reaches` holds (gallop, then bisection)."""
    if _reaches(lo, p, p_r, alpha, power, upper):
        return lo
    hi = lo
    while True:
        step = max(1.0, hi - lo + 1.0)
        prev = hi
        hi = hi + step
        if hi > _MAX_N:
            hi = _MAX_N
        if _reaches(hi, p, p_r, alpha, power, upper):
            lo = prev
            break
        if hi >= _MAX_N:
            return UNREACHABLE
    while hi - lo > 1.0:
        mid = float(math.floor(0.5 * (lo + hi)))
        if _reaches(mid, p, p_r, alpha, power, upper):
            hi = mid
        else:
            lo = mid
    return hi


#: the recurrences of a scan restart from fresh tail evaluations this often
_REANCHOR = 65536.0
#: scans start this many sample sizes before the smooth upper bound reaches the power
_SCAN_MARGIN = 64.0
#: a scan restarts when its tracked probability falls below this fraction of its start
_SHRINK = 2.0**-10
#: the stable search walks down in blocks of this many sample sizes
_STABLE_BLOCK = 4096.0
#: below this size the search scans every sample size from the smallest one
_SMALL_N = 4096.0


@jit
def _scan(
    a: float, b: float, p: float, p_r: float, alpha: float, power: float, first: bool
) -> float:
    """Walk ``n = a..b`` with O(1) recurrences.

    ``first``: the least ``n`` in ``[a, b]`` with :math:`\\pi(n) \\ge` ``power``;
    otherwise the largest ``n`` with :math:`\\pi(n) <` ``power``.  ``-1`` if none.

    State at ``n`` with ``k = k*(n)``: :math:`T = P_{p_r}[\\mathrm{Bin}(n) \\ge
    k]/\\alpha` (``<= 1``), :math:`A = P_p[\\mathrm{Bin}(n) \\ge k]` (for
    ``power > 1/2`` its complement :math:`P_p[\\mathrm{Bin}(n) < k]`, compared
    with the exact ``1 - power``) and the two probability masses at
    ``k - 1`` (the first scaled by ``1/alpha``);
    one step uses :math:`P_{n+1}[\\ge j] = P_n[\\ge j] + x P_n[= j-1]` and
    :math:`P_{n+1}[= j] = P_n[= j] (1-x)(n+1)/(n+1-j)`, and ``k`` moves up
    by one when ``T`` exceeds 1.  The state restarts from
    :func:`binomial_tail_kernel` every ``_REANCHOR`` steps (drift below
    ``_REANCHOR`` eps, relative).
    """
    found = -1.0
    la = math.log(alpha)
    # sign +1: t_p is pi(n), target power; sign -1: t_p is 1 - pi(n), target 1 - power
    sign = -1.0 if power > 0.5 else 1.0
    target = 1.0 - power if power > 0.5 else power
    n = a
    k = 0.0
    steps = _REANCHOR
    t_r = 0.0
    m_r = 0.0
    t_p = 0.0
    m_p = 0.0
    anchored = 0.0
    while n <= b:
        if steps >= _REANCHOR or abs(t_p) < anchored * _SHRINK:
            # restart: periodically, and when the tracked probability has shrunk
            # by 2**10 (it was then formed by cancellation of larger terms)
            steps = 0.0
            k = _threshold(n, p_r, alpha)
            t_r = binomial_tail_kernel(k, n, p_r, True) / alpha
            m_r = math.exp(_pmf_log(k - 1.0, n, p_r) - la)
            t_p = binomial_tail_kernel(k, n, p, sign > 0.0)
            anchored = abs(t_p)
            m_p = math.exp(_pmf_log(k - 1.0, n, p))
        reached = sign * t_p >= sign * target
        if first:
            if reached:
                return n
        elif not reached:
            found = n
        if n == b:
            break
        # n -> n + 1 at the same k
        t_r += p_r * m_r
        t_p += sign * (p * m_p)
        c = (n + 1.0) / (n + 2.0 - k)
        m_r *= (1.0 - p_r) * c
        m_p *= (1.0 - p) * c
        n += 1.0
        steps += 1.0
        if t_r > 1.0:
            # k no longer certifies at n: k* = k + 1; masses at k from those at k - 1
            ratio = (n + 1.0 - k) / k
            m_r *= ratio * p_r / (1.0 - p_r)
            m_p *= ratio * p / (1.0 - p)
            t_r -= m_r
            t_p -= sign * m_p
            k += 1.0
    return found


@jit
def required_n_kernel(
    radius: float, sigma: float, alpha: float, p: float, power: float, stable: bool
) -> float:
    """The sample size of :func:`required_n` (scalar kernel, no checks).

    Returns the answer as a float, or :data:`IMPOSSIBLE` (``p <= Phi(r/sigma)``,
    ``p < 1``), :data:`UNREACHABLE` (more than 2**53 samples) or
    :data:`TOO_WIDE` (a band of more than 2**27 sizes to walk).
    """
    p_r = ndtr(radius / sigma)
    if p < 1.0 and not (p > p_r):
        return IMPOSSIBLE
    n_min = _required_n_unanimous(radius, sigma, alpha)
    if n_min < 0.0 or p >= 1.0:
        return n_min
    # the exact criterion's least n, k*(n) <= n (p_r^n <= alpha, monotone in n),
    # near the sound one: gallop from it, then bisect
    lo = n_min
    step = 2.0
    while lo > 1.0 and _threshold(lo, p_r, alpha) <= lo:
        lo = max(1.0, n_min - step)
        step *= 2.0
    hi = n_min
    step = 2.0
    while _threshold(hi, p_r, alpha) > hi:
        hi = n_min + step
        step *= 2.0
        if hi > _MAX_N:
            return UNREACHABLE
    if lo == 1.0 and _threshold(1.0, p_r, alpha) <= 1.0:
        hi = 1.0
    while hi - lo > 1.0:
        mid = float(math.floor(0.5 * (lo + hi)))
        if _threshold(mid, p_r, alpha) <= mid:
            hi = mid
        else:
            lo = mid
    n_min = hi
    # smooth bounds: pi(n) < power below n_u, pi(n) >= power from n_l on
    n_u = _first_reaching(n_min, p, p_r, alpha, power, True)
    if n_u < 0.0:
        return UNREACHABLE
    n_l = _first_reaching(n_u, p, p_r, alpha, power, False)
    if n_l < 0.0 and stable:
        return UNREACHABLE  # "from n on" cannot be settled below 2**53
    start = n_min if n_u <= _SMALL_N else max(n_min, n_u - _SCAN_MARGIN)
    if not stable:
        b = start
        while b <= _MAX_N:
            a = b
            b = min(_MAX_N, a + 65535.0)
            hit = _scan(a, b, p, p_r, alpha, power, True)
            if hit >= 0.0:
                return hit
            b += 1.0
            if b - start > _MAX_BAND:
                return TOO_WIDE
        return UNREACHABLE
    if n_l - start > _MAX_BAND:
        return TOO_WIDE
    # stable: walk down from above n_l in blocks; the first block (from the top)
    # with a size below the power holds the answer
    b = min(_MAX_N, n_l + _SCAN_MARGIN + (_SMALL_N if n_l <= _SMALL_N else 0.0))
    while b >= start:
        a = max(start, b - (_STABLE_BLOCK - 1.0))
        miss = _scan(a, b, p, p_r, alpha, power, False)
        if miss >= 0.0:
            return miss + 1.0 if miss < _MAX_N else UNREACHABLE
        b = a - 1.0
    return start


#: the tails' computed values are raised by this factor before use as bounds
#: (their relative error is a few eps times |log P| <= 745)
_TAIL_UP = 1.0 + 1e-10


@jit
def _window(p: float, n: float, k0: float, tol: float) -> tuple[float, float, float]:
    """The narrowest counts ``[lo, hi]`` within ``[k0, n]`` outside which the mass is ``<= tol``.

    Returns ``(lo, hi, neglected)`` where ``neglected`` bounds
    :math:`P[k_0 \\le K < lo] + P[K > hi]` (``0 < p < 1``, ``k0 <= n``).
    Each edge is a bisection on its tail (``tol/2`` each side, the tails
    rounded up by ``_TAIL_UP``), about ``2 log2(n)`` tail evaluations.
    """
    half = 0.5 * tol
    mode = min(max(float(math.floor((n + 1.0) * p)), k0), n)
    # lo: the largest k in [k0, mode] with P[K < k] <= tol/2 (the tail grows with k)
    lo = k0
    if k0 < mode and binomial_tail_kernel(mode, n, p, False) * _TAIL_UP > half:
        good = k0
        bad = mode
        if binomial_tail_kernel(k0, n, p, False) * _TAIL_UP > half:
            bad = k0
        while bad - good > 1.0:
            mid = float(math.floor(0.5 * (good + bad)))
            if binomial_tail_kernel(mid, n, p, False) * _TAIL_UP <= half:
                good = mid
            else:
                bad = mid
        lo = good
    elif k0 < mode:
        lo = mode
    # hi: the least k in [mode, n] with P[K > k] <= tol/2
    hi = n
    if binomial_tail_kernel(mode + 1.0, n, p, True) * _TAIL_UP <= half:
        hi = mode
    else:
        bad = mode
        good = n
        while good - bad > 1.0:
            mid = float(math.floor(0.5 * (good + bad)))
            if binomial_tail_kernel(mid + 1.0, n, p, True) * _TAIL_UP <= half:
                good = mid
            else:
                bad = mid
        hi = good
    low_mass = 0.0 if lo <= k0 else binomial_tail_kernel(lo, n, p, False) * _TAIL_UP
    high_mass = 0.0 if hi >= n else binomial_tail_kernel(hi + 1.0, n, p, True) * _TAIL_UP
    return lo, hi, low_mass + high_mass


#: window sizes from which the radius distribution is filled in parallel
PARALLEL_MIN_WINDOW = 1024


@jit
def _fill(
    lo: float, n: float, p: float, sigma: float, alpha: float, radii: FloatArray, probs: FloatArray
) -> None:
    """Radii and binomial masses of the counts ``lo, lo + 1, ...`` (serial)."""
    for i in range(radii.shape[0]):
        k = lo + i
        radii[i] = count_radius_kernel(k, n, sigma, alpha)
        probs[i] = math.exp(_pmf_log(k, n, p)) if p < 1.0 else (1.0 if k == n else 0.0)


@jit_parallel
def _fill_parallel(
    lo: float, n: float, p: float, sigma: float, alpha: float, radii: FloatArray, probs: FloatArray
) -> None:
    """:func:`_fill` with ``prange``; called from Python only (see module Notes)."""
    for i in prange(radii.shape[0]):
        k = lo + i
        radii[i] = count_radius_kernel(k, n, sigma, alpha)
        probs[i] = math.exp(_pmf_log(k, n, p)) if p < 1.0 else (1.0 if k == n else 0.0)


@jit
def radius_window_kernel(
    p: float, n: float, sigma: float, alpha: float, tol: float
) -> tuple[float, float, float, float]:
    """The support window of the CERTIFY radius (scalar kernel).

    Returns ``(lo, hi, abstain, neglected)``: the counts ``lo..hi`` carry all
    non-abstaining mass but ``neglected`` (``lo > hi``: an empty window).
    """
    k0 = certify_threshold_kernel(n, sigma, alpha, 0.0)
    abstain = binomial_tail_kernel(k0, n, p, False)
    if k0 > n or p <= 0.0:
        return 1.0, 0.0, 1.0 if p <= 0.0 else abstain, 0.0
    if p >= 1.0:
        return n, n, 0.0, 0.0
    lo, hi, neglected = _window(p, n, k0, tol)
    return lo, hi, abstain, neglected


@jit
def radius_distribution_kernel(
    p: float, n: float, sigma: float, alpha: float, tol: float
) -> tuple[FloatArray, FloatArray, FloatArray, float, float]:
    """Support, radii and probabilities of the CERTIFY radius (scalar kernel).

    Returns ``(counts, radii, probabilities, abstain, neglected)`` as in
    :class:`RadiusDistribution` (counts as float64).  Serial; the public
    wrapper fills large windows in parallel.
    """
    lo, hi, abstain, neglected = radius_window_kernel(p, n, sigma, alpha, tol)
    m = int(hi - lo + 1.0) if hi >= lo else 0
    counts = np.empty(m)
    for i in range(m):
        counts[i] = lo + i
    radii = np.empty(m)
    probs = np.empty(m)
    _fill(lo, n, p, sigma, alpha, radii, probs)
    return counts, radii, probs, abstain, neglected


@jit
def _neumaier(values: FloatArray, weights: FloatArray) -> float:
    """Compensated (Neumaier) sum of ``values * weights``."""
    s = 0.0
    c = 0.0
    for i in range(values.shape[0]):
        t = values[i] * weights[i]
        u = s + t
        if abs(s) >= abs(t):
            c += (s - u) + t
        else:
            c += (t - u) + s
        s = u
    return s + c


@jit
def expected_radius_kernel(p: float, n: float, sigma: float, alpha: float, tol: float) -> float:
    """:math:`E[R]` with abstentions counted as radius 0 (scalar kernel)."""
    _, radii, probs, _, _ = radius_distribution_kernel(p, n, sigma, alpha, tol)
    return _neumaier(radii, probs)


@jit
def abstain_probability_kernel(p: float, n0: float, n: float, alpha: float) -> float:
    """Probability that CERTIFY abstains, two classes (scalar kernel, no checks).

    The selection sample (``n0`` votes) picks the top class unless the other
    class gets strictly more votes; the estimation sample then abstains when
    the chosen class has fewer than :math:`k^*_0` votes.
    """
    k0 = certify_threshold_kernel(n, 1.0, alpha, 0.0)
    stay_a = binomial_tail_kernel(k0, n, p, False)
    stay_b = binomial_tail_kernel(k0, n, 1.0 - p, False)
    # P[top class selected] = P[Bin(n0, p) >= n0 - Bin] = P[Bin(n0, p) >= ceil(n0/2)];
    # the other tail directly, not as 1 - sel_a (which rounds to 0 for large n0)
    half = float(math.ceil(0.5 * n0))
    sel_a = binomial_tail_kernel(half, n0, p, True) if n0 > 0.0 else 1.0
    sel_b = binomial_tail_kernel(half, n0, p, False) if n0 > 0.0 else 0.0
    return sel_a * stay_a + sel_b * stay_b


@jit
def predict_min_n_kernel(alpha: float) -> float:
    """Least ``n`` at which PREDICT answers for ``n`` unanimous votes (scalar kernel).

    The least ``n`` with ``binomial_test_pvalue_kernel(n, 0) <= alpha``, i.e.
    :math:`2^{1-n} \\le \\alpha` up to PREDICT's upward p-value margin.
    """
    if alpha < _DBL_MIN:
        return math.inf  # PREDICT's p-value is at least the smallest normal double
    n = max(1.0, math.ceil(1.0 - math.log2(alpha)))
    while binomial_test_pvalue_kernel(n, 0.0) > alpha:
        n += 1.0
    while n > 1.0 and binomial_test_pvalue_kernel(n - 1.0, 0.0) <= alpha:
        n -= 1.0
    return n


# --------------------------------------------------------------------------- array kernels


@jit
def max_radius_array(n: FloatArray, sigma: FloatArray, alpha: FloatArray) -> FloatArray:
    """:func:`max_radius_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(n.shape[0])
    for i in range(n.shape[0]):
        out[i] = max_radius_kernel(n[i], sigma[i], alpha[i])
    return out


@jit
def certification_probability_array(
    p: FloatArray, n: FloatArray, sigma: FloatArray, alpha: FloatArray, radius: FloatArray
) -> FloatArray:
    """:func:`certification_probability_kernel` over equal-length 1-D arrays."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = certification_probability_kernel(p[i], n[i], sigma[i], alpha[i], radius[i])
    return out


@jit
def required_n_array(
    radius: FloatArray,
    sigma: FloatArray,
    alpha: FloatArray,
    p: FloatArray,
    power: FloatArray,
    stable: bool,
) -> FloatArray:
    """:func:`required_n_kernel` over equal-length 1-D arrays."""
    out = np.empty(radius.shape[0])
    for i in range(radius.shape[0]):
        out[i] = required_n_kernel(radius[i], sigma[i], alpha[i], p[i], power[i], stable)
    return out


@jit
def expected_radius_array(
    p: FloatArray, n: FloatArray, sigma: FloatArray, alpha: FloatArray, tol: float
) -> FloatArray:
    """:func:`expected_radius_kernel` over equal-length 1-D arrays."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = expected_radius_kernel(p[i], n[i], sigma[i], alpha[i], tol)
    return out


@jit
def abstain_probability_array(
    p: FloatArray, n0: FloatArray, n: FloatArray, alpha: FloatArray
) -> FloatArray:
    """:func:`abstain_probability_kernel` over equal-length 1-D arrays."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = abstain_probability_kernel(p[i], n0[i], n[i], alpha[i])
    return out


# --------------------------------------------------------------------------- wrappers


def _as_radius(value: Any) -> FloatArray:
    arr = as_array("radius", value)
    bad = ~(np.isfinite(arr) & (arr >= 0.0))
    if bad.any():
        raise ValueError(f"radius must be finite and >= 0, got {arr[bad].ravel()[:3].tolist()}")
    return arr


def _as_open_probability(name: str, value: Any) -> FloatArray:
    arr = as_array(name, value)
    bad = ~((arr > 0.0) & (arr < 1.0))
    if bad.any():
        raise ValueError(
            f"{name} must lie in the open interval (0, 1), got {arr[bad].ravel()[:3].tolist()}"
        )
    return arr


def _as_tol(tol: Any) -> float:
    try:
        t = float(tol)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"tol must be a number in (0, 1e-3), got {tol!r}") from exc
    if not (0.0 < t < 1e-3):
        raise ValueError(f"tol must lie in (0, 1e-3), got {tol!r}")
    return t


def _distribution(p: float, n: float, sigma: float, alpha: float, tol: float) -> RadiusDistribution:
    """Window from the kernel, filled from Python (in parallel for large windows).

    A parallel kernel is never called from another cached kernel: Numba
    crashes when loading such a caller from its cache (numba issue #8578).
    """
    lo, hi, abstain, neglected = radius_window_kernel(p, n, sigma, alpha, tol)
    m = int(hi - lo + 1.0) if hi >= lo else 0
    radii = np.empty(m)
    probs = np.empty(m)
    fill = _fill_parallel if m >= PARALLEL_MIN_WINDOW else _fill
    fill(lo, n, p, sigma, alpha, radii, probs)
    counts = np.arange(m, dtype=np.int64) + np.int64(lo)
    return RadiusDistribution(counts, radii, probs, float(abstain), float(neglected))


def max_radius(n: Any, sigma: Any, alpha: Any) -> Any:
    """The largest radius CERTIFY can return with ``n`` estimation samples.

    With all ``n`` votes for the top class, the Clopper-Pearson lower bound
    is :math:`\\alpha^{1/n}` and the certified radius (Cohen et al. 2019)

    .. math::

        R_{\\max}(n) = \\sigma\\, \\Phi^{-1}\\!\\left(\\alpha^{1/n}\\right)
        = -\\sigma\\, \\Phi^{-1}\\!\\left(-\\operatorname{expm1}(\\log(\\alpha)/n)\\right).

    No outcome of ``n`` samples certifies more, whatever the classifier.

    Parameters
    ----------
    n : int or array_like
        Number of estimation samples, ``1 <= n <= 2**53``.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.
    alpha : float or array_like
        Significance level in ``(0, 1)``.

    Returns
    -------
    float or ndarray
        The radius (a Python float for scalar input, else an array of the
        broadcast shape).  Signed: negative when :math:`\\alpha^{1/n} < 1/2`
        (``n < log2(1/alpha)``), where CERTIFY always abstains.

    Raises
    ------
    ValueError
        If ``n`` is not an integer in ``[1, 2**53]``, ``sigma`` not finite and
        positive, ``alpha`` outside ``(0, 1)``, or shapes do not broadcast.

    See Also
    --------
    required_n : the inverse, the least ``n`` reaching a radius.
    rstheory.certify.certify : returns this radius for unanimous counts.

    Notes
    -----
    :math:`1 - \\alpha^{1/n}` is computed as ``-expm1(log(alpha)/n)``, so the
    result keeps full accuracy up to ``n = 2**53`` (``1 - p`` near ``1e-18``
    at ``n = 1e15``).  **Soundness:** never above the exact value: the
    logarithm is pushed down by two ulps and the result by
    ``8 eps |R| + 4 eps sigma`` (:func:`rstheory.certify.max_radius_kernel`);
    measured within ``3.7e-15`` relative of the mpmath twin wherever
    ``|R| >= 0.1 sigma`` for ``n <= 2**53`` (near ``R = 0`` the absolute term
    dominates: ``5.75 eps sigma``).  Cohen et al.'s ImageNet table reports 0% certified
    accuracy at ``r = 1.0`` for ``sigma = 0.25``: with ``n = 1e5`` and
    ``alpha = 1e-3`` no input can reach ``3.81 * 0.25 = 0.953``.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory import max_radius
    >>> round(max_radius(100_000, 1.0, 0.001), 4)
    3.8115
    >>> round(max_radius(10**15, 0.25, 0.001), 4)
    1.9245
    """
    na = as_count("n", n, minimum=1)
    s = as_positive("sigma", sigma)
    al = as_alpha("alpha", alpha)
    shape, (nf, sf, af) = broadcast(n=na, sigma=s, alpha=al)
    return finish(max_radius_array(nf, sf, af), shape, is_scalar(n, sigma, alpha))


def required_n(
    radius: Any,
    sigma: Any,
    alpha: Any,
    p: Any = 1.0,
    power: Any = 0.5,
    *,
    stable: bool = False,
) -> Any:
    """The least number of estimation samples that certifies ``radius``.

    With :math:`p_r = \\Phi(r/\\sigma)`, CERTIFY certifies radius ``r`` from
    ``k`` top-class votes out of ``n`` when the Clopper-Pearson lower bound
    reaches :math:`p_r`, i.e. when :math:`k \\ge k^*(n)`, the least count with
    :math:`P[\\mathrm{Bin}(n, p_r) \\ge k] \\le \\alpha`.

    * ``p = 1`` (a unanimous base classifier): the least ``n`` with
      :math:`R_{\\max}(n) \\ge r`,

      .. math:: n = \\left\\lceil \\frac{\\log \\alpha}{\\log \\Phi(r/\\sigma)} \\right\\rceil,

      fixed up exactly against the radius the package's CERTIFY returns for
      ``n`` unanimous votes (:func:`max_radius`, clamped at 0 where CERTIFY
      does not abstain); ``power`` is ignored.
    * ``p < 1``: with the top-class count :math:`K \\sim \\mathrm{Bin}(n, p)`,
      the certification probability
      :math:`\\pi(n) = P[K \\ge k^*(n)] = I_p(k^*(n), n - k^*(n) + 1)`.  It is
      **not monotone** in ``n``: :math:`k^*` grows by 0 or 1 per sample, and
      each step up drops :math:`\\pi` by :math:`(1-p) P[K = k^*]` (a sawtooth).
      The default returns the least ``n`` with :math:`\\pi(n) \\ge`
      ``power``; ``stable=True`` the least ``n`` with :math:`\\pi(m) \\ge`
      ``power`` for every :math:`m \\ge n`.

    Parameters
    ----------
    radius : float or array_like
        Target L2 radius, finite and ``>= 0`` (0: "CERTIFY does not abstain").
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.
    alpha : float or array_like
        Significance level of CERTIFY, in ``(0, 1)``.
    p : float or array_like, optional
        True top-class probability of the base classifier at the input, in
        ``(0, 1]``; default 1.
    power : float or array_like, optional
        Required probability of certifying ``radius``, in ``(0, 1)``; default
        0.5 (the median radius reaches ``radius``).  Ignored when ``p = 1``.
    stable : bool, optional
        Keyword only.  Return the least ``n`` from which the power holds for
        all larger sample sizes (default False: the least ``n`` at which it
        holds).

    Returns
    -------
    int or ndarray of int64
        The sample size (a Python int for scalar input).

    Raises
    ------
    ValueError
        If an argument is invalid (message names it); if the band to walk
        exceeds 2**27 sample sizes; if ``p < 1`` does not
        exceed :math:`\\Phi(r/\\sigma)` (then :math:`\\pi(n) \\le \\alpha` for
        every ``n``, by the coverage of the Clopper-Pearson bound, and no
        sample size helps); if more than ``2**53`` samples would be needed.

    See Also
    --------
    max_radius, certification_probability

    Notes
    -----
    The threshold :math:`k^*(n)` is one search (a normal-approximation
    guess, galloping and bisection on the exact tail, 2-6 incomplete beta
    evaluations), never a scan over ``k``.  Extending the tail to a real
    count, :math:`k^*(n) = \\lceil\\kappa(n)\\rceil` with
    :math:`I_{p_r}(\\kappa, n-\\kappa+1) = \\alpha`, and the tail decreases in
    its count, so

    .. math::

        L(n) = I_p(\\kappa + 1, n - \\kappa) \\le \\pi(n)
        \\le I_p(\\kappa, n - \\kappa + 1) = U(n).

    :math:`U` and :math:`L` follow the smooth :math:`\\kappa(n)`: they carry
    the trend of :math:`\\pi` without its sawtooth and increase with ``n``
    (in the normal approximation
    :math:`dz/dn = (p - p_r)/(2\\sqrt{np(1-p)}) > 0`).  Bisection on them
    gives :math:`n_U` (below it :math:`\\pi < U <` power) and :math:`n_L`
    (from it on :math:`\\pi \\ge L \\ge` power), about
    :math:`2\\max(p, 1-p)/(p - p_r)` apart; that band is walked one sample
    size at a time with O(1) recurrences for both binomial laws (restarted
    from fresh tails every 65536 steps, and whenever the tracked probability
    has shrunk by 2**10; for ``power > 1/2`` the complement
    :math:`1 - \\pi` is tracked and compared with the exact ``1 - power``, so
    powers within 1e-15 of 1 are answered exactly).  ``stable=True`` walks
    down from :math:`n_L` in blocks of 4096 sizes and stops at the first
    block holding a size below the power.  Sizes up to 4096 are walked from
    the smallest one.  A slower search that relies only on
    :math:`k^*(n) \\le k^*(m) \\le k^*(n) + m - n` (block bounds) and a
    Chernoff bound agreed with this one on 600 random cases with answers
    up to ``1e6`` (tests keep a brute-force comparison).  Answers are exact
    for the exact Clopper-Pearson criterion; the package's CERTIFY, rounding
    toward safety, differs only where the exact bound lies within ``1e-12``
    of :math:`p_r`.  At most a few ms for answers up to ``1e7``
    (``benchmarks/bench_planning.py``).  Where ``p`` is so close to
    :math:`p_r` that the band exceeds 2**27 sizes (answers near ``1e15``),
    ``ValueError`` says so instead of walking for minutes.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.
    .. [2] C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial
       limits illustrated in the case of the binomial", Biometrika 26 (1934).

    Examples
    --------
    >>> from rstheory import required_n
    >>> required_n(1.0, 0.25, 0.001)         # Phi^-1(alpha**(1/n)) >= 4
    218105
    >>> required_n(0.5, 1.0, 0.001, p=0.9, power=0.9)
    71
    >>> required_n(0.5, 1.0, 0.001, p=0.9, power=0.9, stable=True)
    76
    """
    r = _as_radius(radius)
    s = as_positive("sigma", sigma)
    al = as_alpha("alpha", alpha)
    pa = as_array("p", p)
    bad = ~((pa > 0.0) & (pa <= 1.0))
    if bad.any():
        raise ValueError(f"p must lie in (0, 1], got {pa[bad].ravel()[:3].tolist()}")
    pw = _as_open_probability("power", power)
    shape, (rf, sf, af, pf, wf) = broadcast(radius=r, sigma=s, alpha=al, p=pa, power=pw)
    if not isinstance(stable, (bool, np.bool_)):
        raise ValueError(f"stable must be True or False, got {stable!r}")
    out = required_n_array(rf, sf, af, pf, wf, bool(stable))
    if np.any(out == IMPOSSIBLE):
        i = int(np.flatnonzero(out == IMPOSSIBLE)[0])
        raise ValueError(
            f"p={float(pf[i])!r} does not exceed Phi(radius/sigma)="
            f"{float(scipy.special.ndtr(rf[i] / sf[i]))!r}: "
            f"the true radius sigma*Phi^-1(p) is not above radius={float(rf[i])!r}, so the "
            f"probability of certifying it is at most alpha for every n"
        )
    if np.any(out == UNREACHABLE):
        i = int(np.flatnonzero(out == UNREACHABLE)[0])
        raise ValueError(
            f"radius={float(rf[i])!r} needs more than 2**53 samples "
            f"(sigma={float(sf[i])!r}, alpha={float(af[i])!r}, p={float(pf[i])!r})"
        )
    if np.any(out == TOO_WIDE):
        i = int(np.flatnonzero(out == TOO_WIDE)[0])
        raise ValueError(
            f"p={float(pf[i])!r} is so close to Phi(radius/sigma) that the sawtooth band of "
            f"sample sizes to examine exceeds 2**27 (radius={float(rf[i])!r}, "
            f"sigma={float(sf[i])!r}, alpha={float(af[i])!r}, power={float(wf[i])!r}); "
            f"try stable=False or a smaller radius"
        )
    ints = out.astype(np.int64)
    if is_scalar(radius, sigma, alpha, p, power):
        return int(ints[0])
    return ints.reshape(shape)


def certification_probability(p: Any, n: Any, sigma: Any, alpha: Any, radius: Any) -> Any:
    """Probability that CERTIFY certifies ``radius`` when the top class has probability ``p``.

    With the top-class count :math:`K \\sim \\mathrm{Bin}(n, p)` of the
    estimation sample and :math:`k^*(n)` the least count whose
    Clopper-Pearson lower bound reaches :math:`p_r = \\Phi(r/\\sigma)`,

    .. math::

        \\pi = P[R \\ge r] = P[K \\ge k^*(n)] = I_p\\big(k^*(n),\\, n - k^*(n) + 1\\big).

    The selection step is assumed to pick the top class (see
    :func:`abstain_probability` for the selection step).

    Parameters
    ----------
    p : float or array_like
        True top-class probability, in ``[0, 1]``.
    n : int or array_like
        Number of estimation samples, ``1 <= n <= 2**53``.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.
    alpha : float or array_like
        Significance level in ``(0, 1)``.
    radius : float or array_like
        Radius to certify, finite and ``>= 0`` (0: probability of not
        abstaining).

    Returns
    -------
    float or ndarray
        The probability (broadcast shape; a Python float for scalar input).

    Raises
    ------
    ValueError
        On invalid arguments (the message names the argument).

    See Also
    --------
    required_n, radius_distribution

    Notes
    -----
    :math:`k^*(n)` is one search on the exact tail (no scan over ``k``) and
    :math:`\\pi` one log-space incomplete beta evaluation with a rigorous
    error bound (:mod:`rstheory._beta`); measured within ``4e-16`` relative
    of the mpmath twin where the probability is at least ``1e-6``, and a few
    eps times :math:`|\\log\\pi|` below (``5e-13`` at :math:`\\pi = 10^{-240}`).
    The threshold is the one of the package's CERTIFY
    (:func:`certify_threshold_kernel`), which can need one more vote than
    the exact criterion where the exact bound ties with :math:`p_r` (a
    dyadic ``alpha`` at ``radius = 0``, say).

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.planning import certification_probability
    >>> round(certification_probability(0.99, 100_000, 0.25, 0.001, 0.5), 6)
    1.0
    >>> round(certification_probability(0.99, 1000, 0.25, 0.001, 0.5), 4)
    0.4573
    """
    pa = as_probability("p", p)
    na = as_count("n", n, minimum=1)
    s = as_positive("sigma", sigma)
    al = as_alpha("alpha", alpha)
    r = _as_radius(radius)
    shape, flat = broadcast(p=pa, n=na, sigma=s, alpha=al, radius=r)
    out = certification_probability_array(*flat)
    return finish(out, shape, is_scalar(p, n, sigma, alpha, radius))


def _scalar_args(p: Any, n: Any, sigma: Any, alpha: Any) -> tuple[float, float, float, float]:
    for name, v in (("p", p), ("n", n), ("sigma", sigma), ("alpha", alpha)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a scalar, got an array of shape {np.shape(v)}")
    return (
        float(as_probability("p", p)),
        float(as_count("n", n, minimum=1)),
        float(as_positive("sigma", sigma)),
        float(as_alpha("alpha", alpha)),
    )


def radius_distribution(
    p: Any, n: Any, sigma: Any, alpha: Any, *, tol: float = DEFAULT_TOL
) -> RadiusDistribution:
    """The law of the radius CERTIFY returns when the top class has probability ``p``.

    The top-class count of the estimation sample is
    :math:`K \\sim \\mathrm{Bin}(n, p)`; CERTIFY returns the radius
    :math:`R(K) = \\sigma\\Phi^{-1}(\\mathrm{CP}_{\\text{lower}}(K, n, \\alpha))`
    when :math:`K \\ge k^*_0` (the least non-abstaining count) and abstains
    otherwise, so

    .. math::

        P[R = R(k)] = \\binom nk p^k (1-p)^{n-k}, \\quad k \\ge k^*_0, \\qquad
        P[\\text{abstain}] = I_{1-p}(n - k^*_0 + 1, k^*_0).

    Only counts within a window around :math:`np` carry mass: the window is
    widened until the mass outside it is at most ``tol`` (computed, not
    estimated: two incomplete beta tails with rigorous error bounds), and
    that mass is reported.

    Parameters
    ----------
    p : float
        True top-class probability, in ``[0, 1]``.
    n : int
        Number of estimation samples, ``1 <= n <= 2**53``.
    sigma : float
        Noise standard deviation, finite and ``> 0``.
    alpha : float
        Significance level in ``(0, 1)``.
    tol : float, optional
        Keyword only.  Bound on the neglected mass, in ``(0, 1e-3)``; default
        ``1e-16``.

    Returns
    -------
    RadiusDistribution
        ``(count, radius, probability, abstain, neglected)``: the counts of
        the window (int64), their certified radii (the exact values
        :func:`rstheory.certify.certify` returns, ascending) and
        probabilities, the abstention probability, and the bound on the mass
        outside the window.

    Raises
    ------
    ValueError
        On invalid or non-scalar arguments.

    See Also
    --------
    expected_radius, certification_probability

    Notes
    -----
    The window has about :math:`2 \\cdot 8.5\\sqrt{np(1-p)}` counts for the
    default ``tol``; each costs one Clopper-Pearson bound and one binomial
    mass :math:`\\binom nk p^k(1-p)^{n-k}`, evaluated from Temme's form of
    the beta prefactor (a few eps, no cancellation of :math:`\\log\\binom nk`).
    Windows of 1024 counts or more are filled in parallel.  At
    ``n = 1e5`` this is about 100 times faster than a full SciPy sum over
    all ``n + 1`` counts (``benchmarks/bench_planning.py``).

    Examples
    --------
    >>> from rstheory.planning import radius_distribution
    >>> d = radius_distribution(0.99, 1000, 0.25, 0.001)
    >>> int(d.count[0]), int(d.count[-1]), d.neglected < 1e-16
    (954, 1000, True)
    >>> round(float(d.probability.sum()) + d.abstain + d.neglected, 12)
    1.0
    """
    pf, nf, sf, af = _scalar_args(p, n, sigma, alpha)
    return _distribution(pf, nf, sf, af, _as_tol(tol))


def expected_radius(p: Any, n: Any, sigma: Any, alpha: Any, *, tol: float = DEFAULT_TOL) -> Any:
    """Expected radius CERTIFY returns, abstentions counted as 0.

    .. math::

        E[R] = \\sum_{k \\ge k^*_0}
            \\sigma\\,\\Phi^{-1}\\big(\\mathrm{CP}_{\\text{lower}}(k, n, \\alpha)\\big)
            \\binom nk p^k (1-p)^{n-k},

    the "average certified radius" of one input whose top class has
    probability ``p`` (the selection step assumed to pick it).

    Parameters
    ----------
    p : float or array_like
        True top-class probability, in ``[0, 1]``.
    n : int or array_like
        Number of estimation samples, ``1 <= n <= 2**53``.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.
    alpha : float or array_like
        Significance level in ``(0, 1)``.
    tol : float, optional
        Keyword only: the neglected-mass bound of :func:`radius_distribution`.

    Returns
    -------
    float or ndarray
        The expectation (broadcast shape).

    Raises
    ------
    ValueError
        On invalid arguments.

    See Also
    --------
    radius_distribution

    Notes
    -----
    The sum over the window of :func:`radius_distribution` is compensated
    (Neumaier); the truncation error is at most
    ``tol * max_radius(n, sigma, alpha)``.  Every radius is sound, so the sum
    errs low: measured within ``1e-13 (E[R] + sigma)`` of the mpmath twin's
    full sum (relative ``1e-14`` where most mass is on radii above
    ``0.1 sigma``; up to ``6.5e-13`` relative where it sits near 0, whose
    radii carry the Clopper-Pearson bound's ``1e-12`` relative accuracy).

    Examples
    --------
    >>> from rstheory.planning import expected_radius
    >>> round(expected_radius(0.99, 100_000, 0.25, 0.001), 6)
    0.572538
    """
    pa = as_probability("p", p)
    na = as_count("n", n, minimum=1)
    s = as_positive("sigma", sigma)
    al = as_alpha("alpha", alpha)
    t = _as_tol(tol)
    if is_scalar(p, n, sigma, alpha):
        d = _distribution(float(pa), float(na), float(s), float(al), t)
        return float(_neumaier(d.radius, d.probability))
    shape, (pf, nf, sf, af) = broadcast(p=pa, n=na, sigma=s, alpha=al)
    return finish(expected_radius_array(pf, nf, sf, af, t), shape, False)


def abstain_probability(p: Any, n0: Any, n: Any, alpha: Any) -> Any:
    """Probability that CERTIFY abstains, selection step included (two classes).

    The selection sample of ``n0`` votes picks the top class (probability
    ``p`` per vote) unless the other class gets strictly more votes; the
    estimation sample of ``n`` votes then abstains when the chosen class has
    fewer than :math:`k^*_0` votes (Clopper-Pearson bound below 1/2):

    .. math::

        P[\\text{abstain}] = s\\, P[\\mathrm{Bin}(n, p) < k^*_0]
            + (1 - s)\\, P[\\mathrm{Bin}(n, 1-p) < k^*_0], \\qquad
        s = P[\\mathrm{Bin}(n_0, p) \\ge \\lceil n_0/2 \\rceil].

    Parameters
    ----------
    p : float or array_like
        Top-class probability, in ``[0, 1]``.
    n0 : int or array_like
        Selection sample size (Cohen et al. use 100); 0 means the top class
        is known (``s = 1``).
    n : int or array_like
        Estimation sample size, ``>= 1``.
    alpha : float or array_like
        Significance level in ``(0, 1)``.

    Returns
    -------
    float or ndarray
        The abstention probability (broadcast shape).

    Raises
    ------
    ValueError
        On invalid arguments.

    Notes
    -----
    Two classes: with more classes the rest of the mass is spread over
    several rivals, none of which needs to win the selection.  Ties in the
    selection sample go to the top class (as ``numpy.argmax`` does when the
    top class has the lower index).  :math:`k^*_0` is the count at which the
    package's CERTIFY stops abstaining.

    Examples
    --------
    >>> from rstheory.planning import abstain_probability
    >>> round(abstain_probability(0.6, 100, 1000, 0.001), 6)
    0.017345
    """
    pa = as_probability("p", p)
    n0a = as_count("n0", n0)
    na = as_count("n", n, minimum=1)
    al = as_alpha("alpha", alpha)
    shape, flat = broadcast(p=pa, n0=n0a, n=na, alpha=al)
    out = abstain_probability_array(*flat)
    return finish(out, shape, is_scalar(p, n0, n, alpha))


def predict_min_n(alpha: Any) -> Any:
    """The least number of samples at which PREDICT can answer at all.

    PREDICT (Cohen et al. 2019) abstains unless the two-sided binomial test
    of the top two counts rejects at level ``alpha``.  The smallest p-value
    of ``n`` votes is that of a unanimous vote, :math:`2^{1-n}`, so

    .. math::

        n_{\\min} = \\left\\lceil 1 + \\log_2(1/\\alpha) \\right\\rceil,

    fixed up against the package's PREDICT (whose p-value carries an upward
    margin of ``2**-45`` relative).

    Parameters
    ----------
    alpha : float or array_like
        Significance level in ``(0, 1)``.

    Returns
    -------
    int or ndarray of int64
        The sample size (a Python int for scalar input).

    Raises
    ------
    ValueError
        If ``alpha`` is outside ``(0, 1)`` or NaN, or below the smallest
        normal double ``2.2e-308`` (PREDICT then always abstains).

    Examples
    --------
    >>> from rstheory.planning import predict_min_n
    >>> predict_min_n(0.001)
    11
    >>> predict_min_n([0.05, 0.01]).tolist()
    [6, 8]
    """
    al = as_alpha("alpha", alpha)
    tiny = al < 2.2250738585072014e-308
    if tiny.any():
        # PREDICT's p-value is at least the smallest normal double: it always abstains
        raise ValueError(
            "alpha must be >= 2.2250738585072014e-308 (below it PREDICT always abstains), "
            f"got {al[tiny].ravel()[:3].tolist()}"
        )
    flat = np.ascontiguousarray(al, dtype=np.float64).ravel()
    out = np.array([predict_min_n_kernel(a) for a in flat], dtype=np.int64)
    if np.ndim(alpha) == 0:
        return int(out[0])
    return out.reshape(al.shape)
