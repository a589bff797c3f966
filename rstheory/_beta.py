"""Sound quantiles of the beta distribution in log space (Numba kernels).

This module is the numerical core of :mod:`rstheory.bounds`.  It evaluates
the logarithm of either tail of the regularized incomplete beta function,

.. math::

    I_x(a, b) = \\frac{1}{B(a, b)} \\int_0^x t^{a-1} (1-t)^{b-1} \\, dt,
    \\qquad I^c_x(a, b) = 1 - I_x(a, b),

together with a bound on the evaluation error, and inverts it with a
safeguarded Newton iteration whose result is rounded *outward* by a margin
derived from that error bound, then verified.

Evaluation (``_log_tail``)
--------------------------
* The prefactor :math:`x^a (1-x)^b / B(a, b)` is computed without the
  catastrophic cancellation of ``a*log(x) + b*log1p(-x) - betaln(a, b)`` at
  large ``a + b``: with :math:`c = a + b` and :math:`D = x c - a`,

  .. math::

      \\log\\frac{x^a (1-x)^b}{B(a,b)} = a\\,\\mathrm{log1pmx}(D/a)
      + b\\,\\mathrm{log1pmx}(-D/b) + \\tfrac12 \\log\\frac{ab}{2\\pi c}
      - \\delta(a) - \\delta(b) + \\delta(c),

  where :math:`\\mathrm{log1pmx}(u) = \\log(1+u) - u` and :math:`\\delta` is
  the Stirling remainder :math:`\\log\\Gamma(z) - (z-\\tfrac12)\\log z + z -
  \\tfrac12\\log 2\\pi` (DLMF 5.11.1).  The linear terms of the two logarithms
  cancel exactly, so nothing of size :math:`a + b` is ever subtracted.
* Below the switch point :math:`x < (a+1)/(a+b+2)` the lower tail is the
  prefactor times the continued fraction DLMF 8.17.22 (modified Lentz, with a
  running bound on its rounding error, sharpened by a backward sensitivity
  pass where the running bound is loose), except for :math:`x \\ge 1/2` and
  integer ``b``, where the mirrored finite binomial sum in the exact
  ``1 - x`` is used (the fraction cancels heavily near ``x = 1``);
  above it the upper tail is the swapped fraction in :math:`1-x` when
  :math:`x \\ge 1/2` (where ``1 - x`` is exact, Sterbenz) and, for integer
  ``a`` and :math:`x < 1/2`, the finite binomial sum
  :math:`I^c_x(a,b) = P[\\mathrm{Bin}(a+b-1, x) \\le a-1]` summed downward from
  its largest term, which needs ``x`` only (``1 - x`` would be rounded).
  The other tail follows as ``log1p(-exp(.))`` of a value at most about 1/2.
* When the continued fraction would need more than ``_MAX_CF`` terms (within
  a small fraction of a standard deviation of the switch point, for
  :math:`a + b \\gtrsim 10^{15}`), it is continued further, and only if that
  fails is SciPy's ``betainc``/``betaincc`` (Boost) used, with a wider error
  allowance (:func:`_fallback`).

Inversion (``beta_quantile``)
-----------------------------
Newton's method on :math:`g(w) = \\log T(x(w)) - \\log t` with
:math:`w = \\log x` for the lower tail and :math:`w = \\log(1-x)` for the upper
tail; in these variables :math:`g` is nearly linear in the far tails, so the
iteration converges in a few steps even from a rough start.  A bracket is
kept, and a step that leaves it is replaced by bisection.  The converged
:math:`x` is then moved outward by

.. math::

    \\Delta = 2\\,\\varepsilon_T / |g'(w)| + 4\\,u\\,\\max(1, |w|),

(:math:`\\varepsilon_T` the error bound of :math:`\\log T`, :math:`u = 2^{-53}`)
and accepted only when :math:`\\log T` evaluated at the final double is on the
safe side of :math:`\\log t` by more than its own error bound; otherwise the
step is doubled.  A result that would be subnormal is returned as 0 (a
lower bound) — safe, as documented in :mod:`rstheory.bounds`.
"""

from __future__ import annotations

import math

import numpy as np

from rstheory._jit import jit
from rstheory._special import betainc, betaincc, betaln, ndtri_exp

__all__ = ["log1pmx", "stirling_delta", "log_prefactor", "log_tail", "beta_quantile"]

_EPS = 2.220446049250313e-16
_HALF_LOG_2PI = 0.9189385332046728
_TINY = 1e-300
_MAX_CF = 200_000
_MAX_CF_LONG = 50_000_000
_MAX_SUM = 1_000_000
_MAX_MIRROR = 4096.0  # the mirrored binomial sum has at most this many terms


@jit
def log1pmx(u: float) -> float:
    """:math:`\\log(1 + u) - u` for :math:`u > -1`, accurate near 0.

    For :math:`|u| < 1/2`, with :math:`s = u/(2+u)` (so :math:`|s| \\le 1/3`),
    :math:`\\log(1+u) = 2\\,\\mathrm{artanh}(s)` gives
    :math:`\\log(1+u) - u = -us + 2\\sum_{j \\ge 1} s^{2j+1}/(2j+1)`, summed by
    Horner's rule to 18 terms (truncation below 1e-18 relative); relative
    error a few ulps.  Elsewhere ``log1p(u) - u`` (relative error below 4 ulps
    for :math:`|u| \\ge 1/2`).
    """
    if abs(u) < 0.5:
        s = u / (2.0 + u)
        s2 = s * s
        p = 1.0 / 37.0
        p = 1.0 / 35.0 + s2 * p
        p = 1.0 / 33.0 + s2 * p
        p = 1.0 / 31.0 + s2 * p
        p = 1.0 / 29.0 + s2 * p
        p = 1.0 / 27.0 + s2 * p
        p = 1.0 / 25.0 + s2 * p
        p = 1.0 / 23.0 + s2 * p
        p = 1.0 / 21.0 + s2 * p
        p = 1.0 / 19.0 + s2 * p
        p = 1.0 / 17.0 + s2 * p
        p = 1.0 / 15.0 + s2 * p
        p = 1.0 / 13.0 + s2 * p
        p = 1.0 / 11.0 + s2 * p
        p = 1.0 / 9.0 + s2 * p
        p = 1.0 / 7.0 + s2 * p
        p = 1.0 / 5.0 + s2 * p
        p = 1.0 / 3.0 + s2 * p
        return -u * s + 2.0 * s * s2 * p
    return math.log1p(u) - u


@jit
def stirling_delta(z: float) -> float:
    """Stirling remainder :math:`\\log\\Gamma(z) - [(z-\\frac12)\\log z - z + \\frac12\\log 2\\pi]`.

    Series DLMF 5.11.1 for ``z >= 10`` (eight terms, Horner's rule in
    ``1/z**2``; the first omitted term, ``43867/(244188 z**17)``, is below
    2e-18, so the absolute error is below 1e-17); direct difference with
    ``math.lgamma`` below (absolute error below 4e-15).
    """
    if z >= 10.0:
        r = 1.0 / z
        r2 = r * r
        # Bernoulli coefficients B_{2k} / (2k (2k-1)), k = 1..8
        p = -3617.0 / 122400.0
        p = 1.0 / 156.0 + r2 * p
        p = -691.0 / 360360.0 + r2 * p
        p = 1.0 / 1188.0 + r2 * p
        p = -1.0 / 1680.0 + r2 * p
        p = 1.0 / 1260.0 + r2 * p
        p = -1.0 / 360.0 + r2 * p
        p = 1.0 / 12.0 + r2 * p
        return r * p
    return math.lgamma(z) - ((z - 0.5) * math.log(z) - z + _HALF_LOG_2PI)


@jit
def _beta_constant(a: float, b: float) -> float:
    """:math:`\\tfrac12\\log(ab/(2\\pi c)) - \\delta(a) - \\delta(b) + \\delta(c)`, c = a + b."""
    c = a + b
    return (
        0.5 * (math.log(a) + math.log(b) - math.log(c))
        - _HALF_LOG_2PI
        - stirling_delta(a)
        - stirling_delta(b)
        + stirling_delta(c)
    )


@jit
def log_prefactor(a: float, b: float, x: float, const: float) -> tuple[float, float, float]:
    """:math:`\\log[x^a (1-x)^b / B(a,b)]` as ``big + small``, with an error bound.

    ``const`` is ``_beta_constant(a, b)``.  For ``x > 1/2`` the complement
    ``1 - x`` is exact (Sterbenz), so ``D = b - (1-x) c`` is used.

    Returns ``(big, small, err)``: ``big`` holds the terms ``a log x`` and
    ``b log(1-x)`` where they are used directly (far from the mean they can
    reach hundreds), ``small`` everything else; the caller adds ``big`` last,
    so that only one rounding happens at the scale of the result.  ``err``
    bounds the error of ``big`` and ``small`` (not of their final sum),
    counting every rounding at half an ulp and every ``log`` at one ulp.
    """
    c = a + b
    if x <= 0.5:
        d = x * c - a
        err_d = _EPS * (x * c + a)
    else:
        y = 1.0 - x
        d = b - y * c
        err_d = _EPS * (y * c + b)
    u = d / a
    v = -d / b
    big = 0.0
    err = 0.0
    n_big = 0
    # a log(xc/a) - D and b log(yc/b) + D, the D terms cancelling in the sum;
    # log1pmx near u = 0 (no cancellation of size a), logs near u = -1.
    if abs(u) < 0.5:
        ta = a * log1pmx(u)
        sa = -u / (1.0 + u)
        err += 8.0 * _EPS * abs(ta)
    else:
        la = a * math.log(x)
        big += la
        n_big += 1
        err += 1.5 * _EPS * abs(la)
        lca = math.log(c / a)
        ta = a * lca - d
        err += _EPS * (a * (0.5 + 1.5 * abs(lca)) + 0.5 * abs(ta))
        sa = -1.0
    if abs(v) < 0.5:
        tb = b * log1pmx(v)
        sb = v / (1.0 + v)
        err += 8.0 * _EPS * abs(tb)
    else:
        lb = b * math.log1p(-x)
        big += lb
        n_big += 1
        err += 1.5 * _EPS * abs(lb)
        lcb = math.log(c / b)
        tb = b * lcb + d
        err += _EPS * (b * (0.5 + 1.5 * abs(lcb)) + 0.5 * abs(tb))
        sb = 1.0
    if n_big == 2:
        err += 0.5 * _EPS * abs(big)
    # const: three logs, Stirling remainders (direct difference below z = 10)
    err += 2.0 * _EPS * (abs(math.log(a)) + abs(math.log(b)) + abs(math.log(c)) + 2.0)
    if min(a, b) < 10.0:
        err += 4e-15
    tab = ta + tb
    small = tab + const
    err += 0.5 * _EPS * (abs(tab) + abs(small))
    err += abs(sa + sb) * err_d
    return big, small, err


@jit
def _assemble(
    big: float, small: float, err: float, log_div: float, log_mul: float
) -> tuple[float, float]:
    """``big + ((small - log_div) + log_mul)`` and its error bound (``err`` included).

    ``log_div`` and ``log_mul`` are logarithms computed with one ulp of error
    each; the three additions round at half an ulp of their results.
    """
    s1 = small - log_div
    s2 = s1 + log_mul
    value = big + s2
    err += _EPS * (abs(log_div) + abs(log_mul)) + 0.5 * _EPS * (abs(s1) + abs(s2) + abs(value))
    return value, err


@jit
def _other_tail(lt: float, err: float) -> tuple[float, float]:
    """``log(1 - exp(lt))`` for ``lt <= log(0.6)``-ish, with its error bound."""
    p = math.exp(lt)
    out = math.log1p(-p)
    # (+ _TINY: exp(lt) may underflow, leaving out = -0 for a true -exp(lt))
    return out, (err + 2.0 * _EPS) * p / (1.0 - p) + _EPS * abs(out) + _TINY


@jit
def _betacf(a: float, b: float, x: float, max_terms: int) -> tuple[float, float, int]:
    """Continued fraction of DLMF 8.17.22 (modified Lentz, as Numerical Recipes ``betacf``).

    Returns ``(h, rel_err, terms)``: the value, a first-order running bound on
    its relative rounding error, and the number of terms (-1 when it has not
    converged within ``max_terms`` terms).  Near the switch point with large
    ``a`` the denominators ``1 + aa*d`` cancel heavily; the running bound
    follows each cancellation (the factor ``|aa*d| / |1 + aa*d|``), so the
    error allowance is honest where the fraction is ill-conditioned, which is
    also where the quantile is insensitive to it.
    """
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    t = qab * x / qap
    d = 1.0 - t
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    ed = 3.0 * _EPS * abs(t * d) + _EPS  # relative error of d
    ec = 0.0  # relative error of c
    h = d
    eh = ed
    for m in range(1, max_terms + 1):
        fm = float(m)
        m2 = 2.0 * fm
        for odd in range(2):
            if odd == 0:
                aa = fm * (b - fm) * x / ((qam + m2) * (a + m2))
            else:
                aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
            ad = aa * d
            d = 1.0 + ad
            if abs(d) < _TINY:
                d = _TINY
            d = 1.0 / d
            ac = aa / c
            c = 1.0 + ac
            if abs(c) < _TINY:
                c = _TINY
            ed = abs(ad * d) * (ed + 7.0 * _EPS) + 2.0 * _EPS
            ec = abs(ac / c) * (ec + 7.0 * _EPS) + _EPS
            delta = d * c
            h *= delta
            eh += ed + ec + 2.0 * _EPS
        if abs(delta - 1.0) < _EPS:
            return h, eh, m
    return h, eh, -1


@jit
def _betacf_sharp_error(a: float, b: float, x: float, terms: int) -> float:
    """A sharper first-order bound on the relative rounding error of ``_betacf``.

    The running bound of :func:`_betacf` adds the absolute values of all
    propagated errors; near the centre of a large distribution the Lentz
    ratios alternate in sign and that sum overstates the error by orders of
    magnitude.  Here the fraction is recomputed for ``terms`` terms, storing
    for each half-step ``j`` the local rounding error ``l_j`` and the
    propagation factor ``r_j = d log d_j / d log d_{j-1}`` (likewise for the
    ``c`` chain), and the exact first-order sensitivity of ``log h`` to each
    local error, ``P_j = 1 + r_{j+1} P_{j+1}``, is summed backward:
    ``sum_j |P_j| l_j``.
    """
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    size = 2 * terms + 1
    rd = np.empty(size)
    rc = np.empty(size)
    ld = np.empty(size)
    lc = np.empty(size)
    t = qab * x / qap
    d = 1.0 - t
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    rd[0] = 0.0
    rc[0] = 0.0
    ld[0] = 3.0 * _EPS * abs(t * d) + _EPS
    lc[0] = 0.0
    c = 1.0
    j = 0
    for m in range(1, terms + 1):
        fm = float(m)
        m2 = 2.0 * fm
        for odd in range(2):
            if odd == 0:
                aa = fm * (b - fm) * x / ((qam + m2) * (a + m2))
            else:
                aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
            j += 1
            ad = aa * d
            d = 1.0 + ad
            if abs(d) < _TINY:
                d = _TINY
            d = 1.0 / d
            ac = aa / c
            c = 1.0 + ac
            if abs(c) < _TINY:
                c = _TINY
            rd[j] = -ad * d
            rc[j] = -ac / c
            ld[j] = abs(ad * d) * 7.0 * _EPS + 2.0 * _EPS
            lc[j] = abs(ac / c) * 7.0 * _EPS + _EPS
    total = 2.0 * _EPS * j
    pd = 1.0
    pc = 1.0
    for i in range(j, -1, -1):
        total += abs(pd) * ld[i] + abs(pc) * lc[i]
        pd = 1.0 + rd[i] * pd
        pc = 1.0 + rc[i] * pc
    return total


@jit
def _binomial_lower_sum(a: float, b: float, x: float) -> tuple[float, int]:
    """Sum :math:`\\sum_i r_i`, :math:`r_0 = 1`, :math:`r_{i+1} = r_i (a-1-i)q/(b+i+1)`.

    Here :math:`q = (1-x)/x`.

    For integer ``a`` this is :math:`I^c_x(a,b)\\, x b / [x^a (1-x)^b / B(a,b)]`,
    the binomial lower tail :math:`P[\\mathrm{Bin}(a+b-1,x) \\le a-1]` divided by
    its largest-index term.  Uses ``x`` and ``1 - x`` only through the ratio
    ``(1 - x)/x`` (relative rounding only).  Returns terms = -1 if it did not
    converge within ``_MAX_SUM`` terms.
    """
    q = (1.0 - x) / x
    s = 1.0
    r = 1.0
    i = 0.0
    for m in range(1, _MAX_SUM + 1):
        num = a - 1.0 - i
        if num <= 0.0:
            return s, m
        r *= num * q / (b + i + 1.0)
        s += r
        i += 1.0
        if r <= 0.5 * _EPS * s:
            return s, m
    return s, -1


@jit
def _sharpen(a: float, b: float, x: float, eh: float, m: int, log_s: float) -> float:
    """The CF error bound, recomputed by the backward pass where it could matter.

    An error ``eh`` of the log tail moves the quantile by about ``eh / S``
    (relative), ``S = exp(log_s)`` the sensitivity ``|d log T / d log x|``.
    The backward pass (:func:`_betacf_sharp_error`) costs a second evaluation
    of the fraction, so it runs only when ``eh > 1e-13`` and ``eh / S`` could
    exceed 2e-14 (the quantile is then still well within 1e-12).
    """
    if m > 0 and eh > 1e-13 and eh > 2e-14 * math.exp(min(log_s, 700.0)):
        return min(eh, _betacf_sharp_error(a, b, x, m))
    return eh


@jit
def _with(value_err: tuple[float, float], logpre: float) -> tuple[float, float, float]:
    """``(value, logpre, err)`` from ``(value, err)``."""
    return value_err[0], logpre, value_err[1]


_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


@jit
def _density_integral(
    a: float, b: float, x0: float, x1: float, const: float
) -> tuple[float, float]:
    """:math:`\\int_{x_0}^{x_1} t^{a-1}(1-t)^{b-1}/B(a,b)\\,dt` by 20-point Gauss-Legendre.

    For an interval of a fraction of a standard deviation the quadrature
    error is far below rounding.  Returns ``(value, rel_err)``: the error bound
    adds, per node, the density's own bound (:func:`log_prefactor`) and the
    effect of the node's rounding (relative ``eps``) through
    ``|d log pdf / d log t| = |a - 1 - (a + b - 2) t| / (1 - t)``.
    """
    mid = 0.5 * (x0 + x1)
    half = 0.5 * (x1 - x0)
    total = 0.0
    rel = 0.0
    for i in range(_GL_X.shape[0]):
        t = mid + half * _GL_X[i]
        big, small, e = log_prefactor(a, b, t, const)
        lp = big + small
        total += _GL_W[i] * math.exp(lp) / (t * (1.0 - t))
        sens = abs((a - 1.0) - (a + b - 2.0) * t) / (1.0 - t)
        rel = max(rel, e + _EPS * (abs(lp) + 4.0) + 2.0 * _EPS * sens)
    return total * half, rel + 64.0 * _EPS


@jit
def _fallback(
    a: float, b: float, x: float, upper: bool, logpre: float, const: float
) -> tuple[float, float]:
    """Log tail where the continued fraction needs more than ``_MAX_CF`` terms.

    This happens only within a small fraction of a standard deviation of the
    switch point of distributions with ``a + b`` above about 1e15.  The lower
    tail is then :math:`I_{x_0}(a,b) + \\int_{x_0}^x \\mathrm{pdf}`, with
    :math:`x_0` half a standard deviation below the switch point (where the
    fraction converges) and the integral by Gauss-Legendre
    (:func:`_density_integral`); the tail there is near 1/2, so either tail
    follows without cancellation.  Only if the fraction fails at :math:`x_0`
    too is SciPy's ``betainc``/``betaincc`` (Boost) used, with a 1e-9
    relative allowance plus the effect of an absolute perturbation of
    ``eps/2`` in ``x`` (Boost forms ``1 - x`` internally).  Returns
    ``(nan, inf)`` when nothing gives a finite value.
    """
    c = a + b
    sd = math.sqrt(a * b / (c * c * (c + 1.0)))
    x0 = (a + 1.0) / (c + 2.0) - 0.5 * sd
    if x0 > 0.0 and abs(x - x0) < 2.0 * sd:
        h, eh, m = _betacf(a, b, x0, _MAX_CF_LONG)
        if m > 0:
            big0, small0, err0 = log_prefactor(a, b, x0, const)
            lo0_log, err0 = _assemble(big0, small0, err0, math.log(a), math.log(h))
            err0 += 1.01 * eh
            i0 = math.exp(lo0_log)
            j, rel_j = _density_integral(a, b, x0, x, const)
            i_x = i0 + j
            if i_x > 0.0 and i_x < 1.0:
                # relative error of i_x: both parts, plus the rounding of the sum
                rel = (i0 * (err0 + _EPS) + abs(j) * rel_j) / i_x + _EPS
                if upper:
                    out = math.log1p(-i_x)
                    return out, rel * i_x / (1.0 - i_x) + _EPS * (abs(out) + 1.0)
                out = math.log(i_x)
                return out, rel + _EPS * (abs(out) + 1.0)
    p = betaincc(a, b, x) if upper else betainc(a, b, x)
    if not (p > 0.0 and p <= 1.0):
        return math.nan, math.inf
    lt = math.log(p)
    dens = math.exp(logpre - lt) / (x * (1.0 - x))
    return lt, 1e-9 * (1.0 + abs(lt)) + 0.5 * _EPS * dens


@jit
def log_tail(a: float, b: float, x: float, upper: bool, const: float) -> tuple[float, float, float]:
    """Log of one tail of the regularized incomplete beta function at the double ``x``.

    Parameters
    ----------
    a, b : float
        Shape parameters, ``a, b >= 1``.
    x : float
        Point in [0, 1].
    upper : bool
        False for :math:`\\log I_x(a,b)`, True for :math:`\\log(1 - I_x(a,b))`.
    const : float
        ``_beta_constant(a, b)`` (precomputed once per (a, b)).

    Returns
    -------
    logt : float
        The log tail probability (``-inf`` where it is 0; NaN, with an
        infinite error bound, only if every method failed).
    logpre : float
        :math:`\\log[x^a (1-x)^b / B(a,b)]`, used for derivatives.
    err : float
        A bound on the absolute error of ``logt``.
    """
    if x <= 0.0:
        return (0.0 if upper else -math.inf), -math.inf, 0.0
    if x >= 1.0:
        return (-math.inf if upper else 0.0), -math.inf, 0.0
    big, small, err = log_prefactor(a, b, x, const)
    logpre = big + small
    below = x < (a + 1.0) / (a + b + 2.0)
    if x >= 0.5 and b <= _MAX_MIRROR and b == math.floor(b) and below:
        # lower tail near x = 1: the fraction in x cancels heavily there, the
        # mirrored binomial sum in the exact y = 1 - x does not:
        # I_x(a, b) = P[Bin(a+b-1, y) <= b-1]
        y = 1.0 - x
        s, m = _binomial_lower_sum(b, a, y)
        if m >= 0:
            lo_log, err = _assemble(big, small, err, math.log(y * a), math.log(s))
            err += _EPS * (4.0 * m + 1.0)
            if not upper:
                return lo_log, logpre, err
            return _with(_other_tail(lo_log, err), logpre)
    if below:
        h, eh, m = _betacf(a, b, x, _MAX_CF)
        if m < 0:
            lt, e = _fallback(a, b, x, upper, logpre, const)
            return lt, logpre, e
        lo_log, err = _assemble(big, small, err, math.log(a), math.log(h))
        err += 1.01 * _sharpen(a, b, x, eh, m, logpre - lo_log - math.log1p(-x))
        if not upper:
            return lo_log, logpre, err
        return _with(_other_tail(lo_log, err), logpre)
    # upper tail is the small one here
    y = 1.0 - x
    m = -1
    if x >= 0.5:
        h, eh, m = _betacf(b, a, y, _MAX_CF)
        if m < 0:
            lt, e = _fallback(a, b, x, upper, logpre, const)
            return lt, logpre, e
        hi_log, err = _assemble(big, small, err, math.log(b), math.log(h))
        err += 1.01 * _sharpen(b, a, y, eh, m, logpre - hi_log - math.log(x))
    else:
        if a == math.floor(a):
            s, m = _binomial_lower_sum(a, b, x)
            if m >= 0:
                hi_log, err = _assemble(big, small, err, math.log(x * b), math.log(s))
                err += _EPS * (4.0 * m + 1.0)
        if m < 0:
            # y = 1 - x is rounded: the fraction sees a relative perturbation of
            # up to eps/2 in y, i.e. an absolute one of eps/2 in x.
            h, eh, m = _betacf(b, a, y, _MAX_CF)
            if m < 0:
                lt, e = _fallback(a, b, x, upper, logpre, const)
                return lt, logpre, e
            hi_log, err = _assemble(big, small, err, math.log(b), math.log(h))
            err += 1.01 * _sharpen(b, a, y, eh, m, logpre - hi_log - math.log(x))
            err += 0.5 * _EPS * math.exp(logpre - hi_log) / (x * y)
    if upper:
        return hi_log, logpre, err
    return _with(_other_tail(hi_log, err), logpre)


@jit
def _initial_w(a: float, b: float, logt: float, upper: bool) -> float:
    """Starting point ``w`` (``log x``, or ``log(1-x)`` for the upper tail).

    The far-tail asymptotics :math:`I_x(a,b) \\approx x^a/(aB(a,b))` (and its
    mirror image) where they apply, else Abramowitz & Stegun 26.5.22.
    """
    # z: upper standard-normal quantile of the lower-tail level
    z = ndtri_exp(logt)
    if not upper:
        z = -z
    # far tails (|z| beyond the reach of the normal approximation):
    # I_x(a,b) ~ x^a / (a B(a,b)) and 1 - I_x(a,b) ~ (1-x)^b / (b B(a,b))
    if not upper and z * z > a:
        return (logt + math.log(a) + betaln(a, b)) / a
    if upper and z * z > b:
        return (logt + math.log(b) + betaln(a, b)) / b
    lam = (z * z - 3.0) / 6.0
    h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
    w2 = z * math.sqrt(max(h + lam, 0.0)) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
        lam + 5.0 / 6.0 - 2.0 / (3.0 * h)
    )
    # x = a / (a + b e^{2 w2});  1 - x = b e^{2 w2} / (a + b e^{2 w2})
    e = math.exp(2.0 * w2)
    if not math.isfinite(e) or e == 0.0:
        e = 1.0
    if upper:
        return math.log(b * e / (a + b * e))
    return math.log(a / (a + b * e))


_ONE_MINUS = 1.0 - _EPS / 2.0  # the largest double below 1
_ACCEPT = 256.0 * _EPS  # accept a safe iterate within 5.7e-14 (relative) of the root


@jit
def _x_of_w(w: float, upper: bool) -> float:
    """``x = exp(w)`` (lower tail) or ``x = 1 - exp(w)`` (upper tail), kept inside (0, 1)."""
    if upper:
        x = -math.expm1(w)
        return min(x, 1.0 - _EPS / 2.0) if x > 0.0 else 5e-324
    x = math.exp(w)
    return min(x, 1.0 - _EPS / 2.0) if x > 0.0 else 5e-324


@jit
def _next_double(x: float, up: bool) -> float:
    """The neighbouring double of ``x`` in (0, 1] (``math.nextafter`` is not in Numba)."""
    m, e = math.frexp(x)
    step = math.ldexp(1.0, e - 53)
    if not up and m == 0.5:
        step *= 0.5  # below a power of two the spacing halves
    step = max(step, 5e-324)
    return min(x + step, 1.0) if up else x - step


@jit
def beta_quantile(a: float, b: float, logt: float, upper: bool, toward_zero: bool) -> float:
    """The point ``x`` where one tail of :math:`I_x(a, b)` equals ``exp(logt)``, rounded outward.

    Parameters
    ----------
    a, b : float
        Shape parameters, ``a, b >= 1``.
    logt : float
        Log of the target tail probability, ``logt <= log(1/2)`` recommended
        (use the other tail for larger targets).
    upper : bool
        Solve :math:`1 - I_x(a,b) = t` (True) or :math:`I_x(a,b) = t` (False).
    toward_zero : bool
        Return a value at most the exact root (True) or at least (False).
    """
    const = _beta_constant(a, b)
    # w = log x (lower tail) or log(1 - x) (upper tail); g(w) increasing in w.
    w = _initial_w(a, b, logt, upper)
    if not (w < 0.0):
        w = math.log(b / (a + b)) if upper else math.log(a / (a + b))
    x = _x_of_w(w, upper)
    wlo = -math.inf
    whi = 0.0
    dg = 1.0
    err = 0.0
    # safe side: g <= -err ("side" = -1) or g >= err (side = +1), see Notes.
    side = -1.0 if toward_zero != upper else 1.0
    # logt itself is a rounded logarithm (one ulp): its error joins every test
    err_t = _EPS * abs(logt)
    for _ in range(100):
        lt, logpre, err = log_tail(a, b, x, upper, const)
        err += err_t
        g = lt - logt
        w = math.log1p(-x) if upper else math.log(x)
        # dg/dw: lower tail x pdf / I = pre / ((1-x) I); upper (1-x) pdf / Ic = pre / (x Ic)
        if upper:
            dg = math.exp(logpre - lt - math.log(x)) if x > 0.0 else 0.0
        else:
            dg = math.exp(logpre - lt - math.log1p(-x)) if x < 1.0 else 0.0
        ok = dg > 0.0 and math.isfinite(dg) and math.isfinite(g)
        # acceptance window in w: _ACCEPT relative in both x and 1 - x, but
        # no less than 4 ulps of x (dw = dx/x lower, dw = -dx/(1-x) upper)
        if upper:
            ratio = x / (1.0 - x)
            win = max(_ACCEPT * min(1.0, ratio), 4.0 * _EPS * ratio)
        else:
            win = max(_ACCEPT * min(1.0, (1.0 - x) / x), 4.0 * _EPS)
        # quantisation of the computed log tail: a few of its ulps
        quant = 2.0 * _EPS * abs(lt)
        if ok and side * g >= err and side * g <= 2.5 * err + win * dg + quant:
            # safe beyond the error bound, and within _ACCEPT (relative) plus
            # the error-bound width of the root: accept this double.
            if toward_zero and x < 2.2250738585072014e-308:
                return 0.0
            return x
        # the iteration aims at g = side * (1.5 err + (win dg + quant) / 2), inside
        # the safe side of the root; the bracket is kept for that target
        gt = g - side * (1.5 * err + 0.5 * (win * dg + quant)) if ok else g
        go_up = (gt < 0.0) != upper  # x must increase to reach the target
        if not toward_zero and x >= _ONE_MINUS and (go_up or not ok):
            # the root lies in (1 - 2**-53, 1], or cannot be told from it: 1 is safe
            return 1.0
        if toward_zero and x <= 2.2250738585072014e-308 and (not go_up or not ok):
            return 0.0
        if gt < 0.0:
            wlo = max(wlo, w)
        elif gt >= 0.0:  # not NaN: a failed evaluation says nothing about the side
            whi = min(whi, w)
        xn = -1.0
        if ok:
            # Newton step in w aimed just inside the safe side of the root,
            # applied multiplicatively so that x keeps full relative precision
            delta = -gt / dg
            if upper:
                xn = x - (1.0 - x) * math.expm1(delta)
            else:
                xn = x * math.exp(delta)
            if xn == x:
                # below the resolution of x: one ulp toward the target
                xn = _next_double(x, go_up)
            if xn > 0.0 and xn < 1.0:
                wn = math.log1p(-xn) if upper else math.log(xn)
                if not (wn >= wlo and wn <= whi):
                    xn = -1.0
            else:
                xn = -1.0
        if xn < 0.0:
            if whi - wlo <= 4.0 * _EPS * max(1.0, abs(wlo)) and wlo > -math.inf:
                break
            if wlo == -math.inf:
                wn = w - max(1.0, 2.0 * abs(w))
                if wn < whi - 2000.0:
                    wn = whi - 2000.0
            else:
                wn = 0.5 * (wlo + whi)
            xn = _x_of_w(wn, upper)
        x = xn
    # Fallback, for a bracket that closed without an acceptable double (a
    # failed evaluation, or a plateau of the computed tail): step outward from
    # the safe end of the bracket, doubling the step, until verified.
    margin = 4.0 * _EPS * max(1.0, abs(w))
    if dg > 0.0 and math.isfinite(dg):
        margin += 2.0 * err / dg
    w = wlo if side < 0.0 else whi
    for _ in range(60):
        wt = w + side * margin
        if wt > 0.0:
            wt = 0.0
        if upper:
            x = -math.expm1(wt)
        else:
            x = math.exp(wt)
        if toward_zero:
            x = x * (1.0 - 2.0 * _EPS)
            if x < 2.2250738585072014e-308:
                return 0.0
        else:
            x = min(1.0, x * (1.0 + 2.0 * _EPS))
            if x >= 1.0:
                return 1.0
        lt, logpre, err = log_tail(a, b, x, upper, const)
        err += err_t
        # safe when the exact tail at x is on the correct side of t
        if toward_zero != upper:
            if lt + err <= logt:
                return x
        else:
            if lt - err >= logt:
                return x
        margin *= 2.0
    return 0.0 if toward_zero else 1.0
