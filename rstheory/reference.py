"""High-precision mpmath twins of the package's formulas (the oracle).

Every formula of the toolkit's foundation has a twin here, evaluated with
:mod:`mpmath` at ``dps`` significant decimal digits (50 by default) *at the exact
double inputs*: a Python ``float`` argument is converted exactly with
``mpmath.mpf(value)``, never through a decimal string.  The fast Numba kernels
of :mod:`rstheory.bounds`, :mod:`rstheory.radius` and :mod:`rstheory.certify` are
tested against these functions, so correctness comes before speed here.

Conventions
-----------
* Every function takes a keyword ``dps`` (decimal digits of the result) and
  works inside ``mpmath.workdps``; the global ``mpmath.mp.dps`` is never changed.
* Results are :class:`mpmath.mpf` (or tuples of them); ``predict`` and
  ``certify`` return an ``int`` label (``ABSTAIN = -1``), the ``*_is_sound``
  functions a ``bool``.
* Working precision: ``dps`` plus guard digits.  The logarithm of the beta
  prefactor :math:`x^a (1-x)^b / B(a, b)` is a difference of terms of size
  about :math:`(a + b)`, so the guard is
  :math:`15 + \\lceil\\log_{10}(a + b + 2)\\rceil
  + \\lceil\\log_{10}(1 + |\\log_2 x| + |\\log_2 (1-x)|)\\rceil` digits.
* mpmath has no underflow: tail probabilities such as ``1e-300`` or
  ``1e-100000`` are returned exactly as accurately as central ones.

Incomplete beta function
------------------------
:func:`betainc` evaluates the continued fraction DLMF 8.17.22 with the modified
Lentz algorithm (Numerical Recipes ``betacf``), after the symmetry swap
:math:`I_x(a, b) = 1 - I_{1-x}(b, a)` when :math:`x > (a+1)/(a+b+2)`.
``mpmath.betainc`` is *not* used: its hypergeometric series fails to converge
for :math:`a + b \\gtrsim 10^5` and can be wrong in far tails.  When ``gmpy2``
(mpmath's own fast backend) is installed, the continued-fraction loop runs on
``gmpy2.mpfr`` numbers at the same binary precision (about 5 microseconds per
term instead of about 40 with ``mpmath.mpf``); the prefactor, logarithms and
everything else are mpmath.  :func:`betainc_quad` is an independent second
method (tanh-sinh quadrature of the integrand in log space) for cross-checks.

Measured continued-fraction terms (and time with gmpy2) at ``dps=50``, for
``a = n/2, b = n/2 + 1`` and ``x`` at ``z`` standard deviations from the centre::

    n       z = 0              z = 1            z = 3          z = 10       z = 37
    1e6     1067  (6.6 ms)     768  (4.4 ms)    375  (2.5 ms)  81 (0.9 ms)  29 (0.5 ms)
    1e9     10676 (58 ms)      3364 (19 ms)     573  (3.7 ms)  84 (0.8 ms)  29 (0.4 ms)
    1e12    106764 (0.60 s)    4853 (27 ms)     586  (3.7 ms)  84 (0.8 ms)  29 (0.4 ms)

Near the centre the count grows like :math:`n^{1/3}`; a few standard
deviations out it is a few hundred, in the far tails a few dozen.  Without
gmpy2 the loop is about 7 times slower.  A Clopper-Pearson solve at
``n = 1e9`` or ``1e12`` and ``alpha = 1e-3`` takes 4-12 ms (3-5 tail
evaluations of 150-700 terms each); a single tail evaluation at the bound
about 2 ms.

References
----------
.. [DLMF] NIST Digital Library of Mathematical Functions, 8.17.22 (continued
   fraction) and 8.17.4 (symmetry), https://dlmf.nist.gov/8.17
.. [NR] W. H. Press et al., *Numerical Recipes*, 3rd ed., 6.4 (``betacf``).
.. [CP] C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial
   limits illustrated in the case of the binomial", *Biometrika* 26 (1934).
.. [Wil] E. B. Wilson, "Probable inference, the law of succession, and
   statistical inference", *JASA* 22 (1927).
.. [Hoe] W. Hoeffding, "Probability inequalities for sums of bounded random
   variables", *JASA* 58 (1963).
.. [CRK] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
   robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.
.. [TLY] J. Teng, G.-H. Lee and Y. Yuan, "l1 adversarial robustness
   certificates: a randomized smoothing approach", 2020.
.. [Yang] G. Yang, T. Duan, J. E. Hu, H. Salman, I. Razenshteyn and J. Li,
   "Randomized smoothing of all shapes and sizes", ICML 2020, arXiv:2002.08118.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from fractions import Fraction
from statistics import NormalDist
from typing import Any

import mpmath

try:  # mpmath's fast backend; only used to speed up the continued-fraction loop
    import gmpy2 as _gmpy2
except ImportError:  # pragma: no cover - gmpy2 is mpmath's usual backend
    _gmpy2 = None

__all__ = [
    "ABSTAIN",
    "linear_normal_cosine",
    "max_radius",
    "threshold_count",
    "certification_probability",
    "required_n",
    "radius_distribution",
    "expected_radius",
    "abstain_probability",
    "predict_min_n",
    "vote_shape",
    "majority_vote_probability",
    "level_threshold",
    "level_distance_bound",
    "certified_accuracy",
    "betainc",
    "betaincc",
    "log_betainc",
    "log_betaincc",
    "betainc_quad",
    "ndtri",
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "clopper_pearson",
    "lower_bound_is_sound",
    "upper_bound_is_sound",
    "hoeffding_lower",
    "hoeffding_upper",
    "wilson_lower",
    "wilson_upper",
    "gaussian_radius",
    "gaussian_radius_two",
    "laplace_radius",
    "uniform_radius",
    "linf_radius_from_l2",
    "l2_radius_for_linf",
    "binomial_test_pvalue",
    "predict",
    "certify",
    "sorm",
    "paraboloid_probability",
    "smoothed_frontier_offset",
    "noncentral_chi2_cdf",
    "ball_probability",
    "linear_probability",
    "sphere_probability",
]

ABSTAIN = -1
"""Label returned by :func:`predict` and :func:`certify` when they abstain."""

_MPF = Any  # mpmath.mpf (mpmath ships no type information)

#: Largest number of continued-fraction terms before :class:`RuntimeError`.
CF_MAX_TERMS = 10**7
#: Above this ``min(a, b)`` the soundness checks fall back to quadrature when the
#: continued fraction has not converged within ``_CF_BUDGET_LARGE`` terms.
CF_SIZE_LIMIT = 1e12
_CF_BUDGET_LARGE = 200_000
#: Use the gmpy2 fast path for the continued-fraction loop (tests switch it off).
_USE_GMPY2 = _gmpy2 is not None
#: Exact rational arithmetic decides soundness / binomial tails up to this n.
_EXACT_N = 2000


# --------------------------------------------------------------------------- helpers


def _to_mpf(name: str, value: Any) -> _MPF:
    """Convert a real number exactly to ``mpf`` (call inside a workdps block)."""
    if isinstance(value, mpmath.mpf):
        out = value
    elif isinstance(value, bool):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    elif isinstance(value, numbers.Integral):
        out = mpmath.mpf(int(value))
    elif isinstance(value, Fraction):
        out = mpmath.mpf(value.numerator) / value.denominator
    elif isinstance(value, numbers.Real):
        out = mpmath.mpf(float(value))  # exact: a double has 53 bits
    else:
        try:
            out = mpmath.mpf(float(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a real number, got {value!r}") from exc
    if mpmath.isnan(out):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    return out


def _to_int(name: str, value: Any, minimum: int = 0) -> int:
    """Validate an integer count (Python/NumPy int, or an integral float)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        try:
            f = float(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be an integer, got {value!r}") from exc
        if not math.isfinite(f) or not f.is_integer():
            raise ValueError(f"{name} must be an integer, got {value!r}")
        out = int(f)
    if out < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return out


def _check_kn(k: Any, n: Any) -> tuple[int, int]:
    kk = _to_int("k", k, 0)
    nn = _to_int("n", n, 1)
    if kk > nn:
        raise ValueError(f"k must be <= n, got k={kk!r}, n={nn!r}")
    return kk, nn


def _check_alpha(alpha: Any) -> _MPF:
    a = _to_mpf("alpha", alpha)
    if not (0 < a < 1):
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    return a


def _check_prob(name: str, p: Any) -> _MPF:
    v = _to_mpf(name, p)
    if not (0 <= v <= 1):
        raise ValueError(f"{name} must lie in [0, 1], got {p!r}")
    return v


def _check_positive(name: str, v: Any) -> _MPF:
    x = _to_mpf(name, v)
    if not (x > 0) or mpmath.isinf(x):
        raise ValueError(f"{name} must be positive and finite, got {v!r}")
    return x


def _check_dps(dps: Any) -> int:
    d = _to_int("dps", dps, 1)
    return d


def _one_minus(x: _MPF) -> _MPF:
    """``1 - x`` without rounding (exact for any mpf)."""
    return mpmath.fsub(1, x, exact=True)


def _round(v: _MPF, dps: int) -> _MPF:
    with mpmath.workdps(dps):
        return +v


def _guard(a: _MPF, b: _MPF, x: _MPF, y: _MPF) -> int:
    """Guard digits for the beta prefactor at (a, b, x, 1 - x = y)."""
    size = a + b + 2
    g = 15 + int(math.ceil(float(mpmath.log10(size))))
    lx = abs(int(mpmath.mag(x))) if x > 0 else 0
    ly = abs(int(mpmath.mag(y))) if y > 0 else 0
    g += int(math.ceil(math.log10(1 + lx + ly)))
    return g


def _logbeta(a: _MPF, b: _MPF) -> _MPF:
    return mpmath.loggamma(a) + mpmath.loggamma(b) - mpmath.loggamma(a + b)


def _log1mexp(u: _MPF) -> _MPF:
    """``log(1 - exp(u))`` for ``u <= 0`` without cancellation."""
    if u == 0:
        return mpmath.ninf
    if u > -mpmath.ln2:
        return mpmath.log(-mpmath.expm1(u))
    return mpmath.log1p(-mpmath.exp(u))


# ------------------------------------------------------------ continued fraction


def _mpf_to_mpfr(v: _MPF) -> Any:
    assert _gmpy2 is not None
    sign, man, exp, _bc = v._mpf_
    r = _gmpy2.mul_2exp(_gmpy2.mpfr(int(man)), int(exp))
    return -r if sign else r


def _mpfr_to_mpf(r: Any) -> _MPF:
    man, exp = r.as_mantissa_exp()
    return mpmath.mpf((int(man), int(exp)))


def _cf_loop(a: Any, b: Any, x: Any, one: Any, tiny: Any, tol: Any, maxit: int) -> tuple[Any, int]:
    """Modified Lentz evaluation of DLMF 8.17.22 (NR ``betacf``), generic number type."""
    qab = a + b
    qap = a + one
    qam = a - one
    c = one
    d = one - qab * x / qap
    if d == 0:
        d = tiny
    d = one / d
    h = d
    for m in range(1, maxit + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = one + aa * d
        if d == 0:
            d = tiny
        c = one + aa / c
        if c == 0:
            c = tiny
        d = one / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = one + aa * d
        if d == 0:
            d = tiny
        c = one + aa / c
        if c == 0:
            c = tiny
        d = one / d
        delta = d * c
        h *= delta
        if abs(delta - one) < tol:
            return h, m
    return h, -1


def _betacf(a: _MPF, b: _MPF, x: _MPF, wp: int, tol_digits: int, maxit: int) -> tuple[_MPF, int]:
    """Continued fraction value at ``wp`` digits; iterations (-1: not converged)."""
    bits = int(wp * 3.3219280948873626) + 16
    if _USE_GMPY2 and _gmpy2 is not None:
        with _gmpy2.context(_gmpy2.get_context(), precision=bits):
            one = _gmpy2.mpfr(1)
            tol = _gmpy2.mpfr(10) ** (-tol_digits)
            tiny = _gmpy2.mul_2exp(one, -(bits * 8))
            h, it = _cf_loop(
                _mpf_to_mpfr(a), _mpf_to_mpfr(b), _mpf_to_mpfr(x), one, tiny, tol, maxit
            )
            return _mpfr_to_mpf(h), it
    with mpmath.workprec(bits):
        one = mpmath.mpf(1)
        h, it = _cf_loop(
            +a, +b, +x, one, mpmath.ldexp(one, -(bits * 8)), mpmath.mpf(10) ** (-tol_digits), maxit
        )
        return h, it


def _cf_log_tails(
    a: _MPF, b: _MPF, x: _MPF, y: _MPF, dps: int, maxit: int | None = None
) -> tuple[_MPF, _MPF, _MPF, int]:
    """``(log I_x(a,b), log(1 - I_x(a,b)), log(x^a y^b / B(a,b)), terms)``; 0 < x < 1.

    ``terms`` is -1 if the continued fraction did not converge in ``maxit``
    (default ``CF_MAX_TERMS``).
    """
    if maxit is None:
        maxit = CF_MAX_TERMS
    wp = dps + _guard(a, b, x, y)
    with mpmath.workdps(wp):
        logdens = a * mpmath.log(x) + b * mpmath.log(y) - _logbeta(a, b)
        if x <= (a + 1) / (a + b + 2):
            h, it = _betacf(a, b, x, wp, dps + 10, maxit)
            log_i = logdens - mpmath.log(a) + mpmath.log(h)
            log_ic = _log1mexp(log_i)
        else:
            h, it = _betacf(b, a, y, wp, dps + 10, maxit)
            log_ic = logdens - mpmath.log(b) + mpmath.log(h)
            log_i = _log1mexp(log_ic)
        return log_i, log_ic, logdens, it


def _log_tails(
    a: _MPF, b: _MPF, x: _MPF, y: _MPF, dps: int, method: str = "cf"
) -> tuple[_MPF, _MPF, _MPF]:
    """Both log tails and the log density term, by continued fraction or quadrature.

    ``method="auto"``: continued fraction, except when ``min(a, b) > CF_SIZE_LIMIT``
    (1e12) and ``x`` lies within 2 standard deviations of the mean, or the
    continued fraction has not converged within ``_CF_BUDGET_LARGE`` terms: there
    quadrature (a >= 1, b >= 1) takes over.
    """
    if method == "quad":
        return _quad_log_tails(a, b, x, y, dps)
    if method == "auto" and min(a, b) > CF_SIZE_LIMIT and a >= 1 and b >= 1:
        # near the centre (|z| < 2 standard deviations) go straight to quadrature
        z = (x - a / (a + b)) * (a + b) * mpmath.sqrt((a + b + 1) / (a * b))
        if abs(z) < 2:
            return _quad_log_tails(a, b, x, y, dps)
        li, lic, ld, it = _cf_log_tails(a, b, x, y, dps, _CF_BUDGET_LARGE)
        if it < 0:
            return _quad_log_tails(a, b, x, y, dps)
        return li, lic, ld
    li, lic, ld, it = _cf_log_tails(a, b, x, y, dps)
    if it < 0:
        raise RuntimeError(
            f"incomplete beta continued fraction did not converge in {CF_MAX_TERMS} terms "
            f"(a={mpmath.nstr(a, 17)}, b={mpmath.nstr(b, 17)}, x={mpmath.nstr(x, 17)})"
        )
    return li, lic, ld


# ------------------------------------------------------------------- quadrature


def _quad_piecewise(g: Callable[[Any], Any], length: _MPF, h: _MPF, tol: _MPF) -> _MPF:
    """``int_0^length exp(g(d)) dd`` for decreasing ``g <= 0`` with ``g(0) = 0``.

    In the scaled variable ``u = d / h`` (so that mpmath's absolute error
    control sees an integrand of size 1 on intervals of size >= 1), over the
    pieces ``[0, 1], [1, 2], [2, 4], ...``; stops when the rest is provably
    below ``tol`` times the running sum (``(L - v) * exp(g(h v))`` bounds it).
    """

    def f(u: Any) -> Any:
        return mpmath.exp(g(min(h * u, length)))  # h * big may round above length

    big = length / h
    total = mpmath.mpf(0)
    u = mpmath.mpf(0)
    v = min(mpmath.mpf(1), big)
    while True:
        total += mpmath.quad(f, [u, v], method="tanh-sinh")
        if v >= big:
            break
        if (big - v) * f(v) < tol * total:
            break
        u, v = v, min(2 * v, big)
    return total * h


def _quad_log_integral(
    a1: _MPF, b1: _MPF, c: _MPF, cbar: _MPF, direction: int, length: _MPF, tol: _MPF
) -> _MPF:
    """``log int`` of ``t^a1 (1-t)^b1`` from ``t = c`` over ``length`` in ``direction``.

    ``c`` must be the maximum of the integrand on that range (``cbar = 1 - c``);
    ``c = 0`` is allowed when ``a1 = 0`` and ``cbar = 0`` when ``b1 = 0``.
    """
    if length <= 0:
        return mpmath.ninf
    s = direction
    use_a, use_b = a1 != 0, b1 != 0

    def g(d: Any) -> Any:
        out = mpmath.mpf(0)
        if use_a:
            out += a1 * mpmath.log1p(s * d / c)
        if use_b:
            out += b1 * mpmath.log1p(-s * d / cbar)
        return out

    g1 = abs((a1 / c if use_a else 0) - (b1 / cbar if use_b else 0))
    g2 = mpmath.sqrt((a1 / c**2 if use_a else 0) + (b1 / cbar**2 if use_b else 0))
    h = 1 / max(g1, g2, 1 / length)
    log_peak = (a1 * mpmath.log(c) if use_a else 0) + (b1 * mpmath.log(cbar) if use_b else 0)
    return log_peak + mpmath.log(_quad_piecewise(g, length, h, tol))


def _quad_log_tails(a: _MPF, b: _MPF, x: _MPF, y: _MPF, dps: int) -> tuple[_MPF, _MPF, _MPF]:
    """Same as :func:`_cf_log_tails` but by quadrature (requires a >= 1, b >= 1)."""
    wp = dps + _guard(a, b, x, y)
    with mpmath.workdps(wp):
        a1, b1 = a - 1, b - 1
        logb = _logbeta(a, b)
        logdens = a * mpmath.log(x) + b * mpmath.log(y) - logb
        tol = mpmath.mpf(10) ** (-(dps + 10))
        if a1 + b1 > 0:
            mode, mbar = a1 / (a1 + b1), b1 / (a1 + b1)
        else:
            mode, mbar = x, y
        lower = x <= (a + 1) / (a + b + 2)
        # integrate the smaller-looking tail: [0, x] when lower else [x, 1]
        if lower:
            if x <= mode:  # integrand increasing on [0, x]: anchor at x
                parts = [_quad_log_integral(a1, b1, x, y, -1, x, tol)]
            else:  # peak at the mode inside [0, x]
                parts = [
                    _quad_log_integral(a1, b1, mode, mbar, -1, mode, tol),
                    _quad_log_integral(a1, b1, mode, mbar, +1, x - mode, tol),
                ]
        else:
            if x >= mode:
                parts = [_quad_log_integral(a1, b1, x, y, +1, y, tol)]
            else:
                parts = [
                    _quad_log_integral(a1, b1, mode, mbar, +1, mbar, tol),
                    _quad_log_integral(a1, b1, mode, mbar, -1, mode - x, tol),
                ]
        parts = [p for p in parts if p != mpmath.ninf]
        top = max(parts)
        log_tail = mpmath.log(mpmath.fsum(mpmath.exp(p - top) for p in parts)) + top
        log_tail -= logb
        if lower:
            return log_tail, _log1mexp(log_tail), logdens
        return _log1mexp(log_tail), log_tail, logdens


# ---------------------------------------------------------------- public: beta


def _beta_args(a: Any, b: Any, x: Any) -> tuple[_MPF, _MPF, _MPF, _MPF]:
    aa = _check_positive("a", a)
    bb = _check_positive("b", b)
    xx = _check_prob("x", x)
    return aa, bb, xx, _one_minus(xx)


def log_betainc(a: Any, b: Any, x: Any, *, dps: int = 50) -> _MPF:
    r"""Logarithm of the regularized incomplete beta function.

    .. math::

        \log I_x(a, b), \qquad
        I_x(a, b) = \frac{1}{B(a, b)} \int_0^x t^{a-1} (1 - t)^{b-1}\, dt,

    evaluated as :math:`\log\frac{x^a (1-x)^b}{a B(a,b)} + \log \mathrm{CF}` with
    the continued fraction of DLMF 8.17.22 (modified Lentz, Numerical Recipes
    ``betacf``), after the swap :math:`I_x(a,b) = 1 - I_{1-x}(b,a)` when
    :math:`x > (a+1)/(a+b+2)`.

    Parameters
    ----------
    a, b : real
        Positive shape parameters (tested from 0.05 to 2**53).
    x : real
        Point in [0, 1].
    dps : int
        Decimal digits of the result.

    Returns
    -------
    mpmath.mpf
        ``-inf`` at ``x = 0``, ``0`` at ``x = 1``.

    Raises
    ------
    RuntimeError
        If the continued fraction needs more than ``CF_MAX_TERMS`` (1e7) terms,
        which does not happen for ``a, b <= 1e12``: the worst case, the centre of
        the distribution, needs about ``10 * (a + b)**(1/3)`` terms at 50 digits
        (106764 at ``a = b = 5e11``, 0.6 s), the tails a few dozen to a few
        hundred (see the module docstring).

    References
    ----------
    DLMF 8.17.22; Press et al., *Numerical Recipes*, 3rd ed., section 6.4.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        aa, bb, xx, yy = _beta_args(a, b, x)
        if xx == 0:
            return mpmath.ninf
        if xx == 1:
            return mpmath.mpf(0)
        li, _lic, _ld = _log_tails(aa, bb, xx, yy, dps)
    return _round(li, dps)


def log_betaincc(a: Any, b: Any, x: Any, *, dps: int = 50) -> _MPF:
    r"""Logarithm of the complementary regularized incomplete beta function.

    .. math::

        \log\bigl(1 - I_x(a, b)\bigr) = \log I_{1-x}(b, a),

    computed without cancellation (the smaller tail comes directly from the
    continued fraction; see :func:`log_betainc`).  ``0`` at ``x = 0``,
    ``-inf`` at ``x = 1``.

    References
    ----------
    DLMF 8.17.4 and 8.17.22.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        aa, bb, xx, yy = _beta_args(a, b, x)
        if xx == 0:
            return mpmath.mpf(0)
        if xx == 1:
            return mpmath.ninf
        _li, lic, _ld = _log_tails(aa, bb, xx, yy, dps)
    return _round(lic, dps)


def betainc(a: Any, b: Any, x: Any, *, dps: int = 50) -> _MPF:
    r"""Regularized incomplete beta function by continued fraction.

    .. math::

        I_x(a, b) = \frac{x^a (1-x)^b}{a\, B(a, b)}
        \cfrac{1}{1 + \cfrac{d_1}{1 + \cfrac{d_2}{1 + \cdots}}},
        \quad
        d_{2m+1} = -\frac{(a+m)(a+b+m)\,x}{(a+2m)(a+2m+1)},
        \quad
        d_{2m} = \frac{m (b-m)\, x}{(a+2m-1)(a+2m)},

    (DLMF 8.17.22), with :math:`I_x(a,b) = 1 - I_{1-x}(b,a)` (DLMF 8.17.4) when
    :math:`x > (a+1)/(a+b+2)`.  The prefactor is formed in log space with
    ``loggamma`` at ``dps + 15 + log10(a + b)`` digits.  Valid for positive
    ``a, b`` up to at least ``1e12`` and for results far below ``1e-300``.

    Parameters
    ----------
    a, b : real
        Positive shape parameters.
    x : real
        Point in [0, 1] (a double is used exactly).
    dps : int
        Decimal digits of the result.

    Returns
    -------
    mpmath.mpf

    See Also
    --------
    betaincc, log_betainc, betainc_quad

    References
    ----------
    DLMF 8.17.22; Press et al., *Numerical Recipes*, 3rd ed., section 6.4.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        aa, bb, xx, yy = _beta_args(a, b, x)
        if xx == 0:
            return mpmath.mpf(0)
        if xx == 1:
            return mpmath.mpf(1)
        li, _lic, _ld = _log_tails(aa, bb, xx, yy, dps)
        wp = dps + _guard(aa, bb, xx, yy)
    with mpmath.workdps(wp):
        v = mpmath.exp(li)
    return _round(v, dps)


def betaincc(a: Any, b: Any, x: Any, *, dps: int = 50) -> _MPF:
    r"""Complementary regularized incomplete beta function, without cancellation.

    .. math::

        1 - I_x(a, b) = I_{1-x}(b, a)

    (DLMF 8.17.4), evaluated directly by the continued fraction on whichever
    side is the small tail; see :func:`betainc`.

    References
    ----------
    DLMF 8.17.4 and 8.17.22.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        aa, bb, xx, yy = _beta_args(a, b, x)
        if xx == 0:
            return mpmath.mpf(1)
        if xx == 1:
            return mpmath.mpf(0)
        _li, lic, _ld = _log_tails(aa, bb, xx, yy, dps)
        wp = dps + _guard(aa, bb, xx, yy)
    with mpmath.workdps(wp):
        v = mpmath.exp(lic)
    return _round(v, dps)


def betainc_quad(a: Any, b: Any, x: Any, *, dps: int = 50, complement: bool = False) -> _MPF:
    r"""Regularized incomplete beta function by quadrature (independent check).

    .. math::

        I_x(a, b) = \frac{t_0^{a-1} (1-t_0)^{b-1}}{B(a, b)}
        \int \exp\bigl[(a-1)\log(t/t_0) + (b-1)\log\tfrac{1-t}{1-t_0}\bigr]\, dt,

    where the integral runs over the smaller-looking tail (:math:`[0, x]` when
    :math:`x \le (a+1)/(a+b+2)`, else :math:`[x, 1]`, the other tail following
    as one minus it), split at the mode :math:`t_m = (a-1)/(a+b-2)` when the
    mode lies inside, and :math:`t_0` is the integrand's maximum on each
    monotone piece.  Each piece is parametrized by the distance ``d`` from
    :math:`t_0` (``log1p`` terms, no cancellation) and cut at
    ``h, 2h, 4h, ...`` where ``h`` is the decay scale
    ``1 / max(|g'(0)|, sqrt(|g''(0)|))``; pieces are integrated by mpmath's
    tanh-sinh rule until the rest is provably negligible.  This works for
    ``a, b`` up to 2**53 and does not share code with the continued fraction
    (only ``loggamma``).

    Parameters
    ----------
    a, b : real
        Shape parameters, ``a >= 1`` and ``b >= 1``.
    x : real
        Point in [0, 1].
    dps : int
        Decimal digits of the result.
    complement : bool
        Return ``1 - I_x(a, b)`` instead (without cancellation).

    Returns
    -------
    mpmath.mpf

    References
    ----------
    DLMF 8.17.1; H. Takahasi and M. Mori, "Double exponential formulas for
    numerical integration", *Publ. RIMS* 9 (1974).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        aa, bb, xx, yy = _beta_args(a, b, x)
        if aa < 1 or bb < 1:
            raise ValueError(f"betainc_quad needs a >= 1 and b >= 1, got a={a!r}, b={b!r}")
        if xx == 0 or xx == 1:
            v = mpmath.mpf(1 if (xx == 1) != complement else 0)
            return v
        li, lic, _ld = _quad_log_tails(aa, bb, xx, yy, dps)
        wp = dps + _guard(aa, bb, xx, yy)
    with mpmath.workdps(wp):
        v = mpmath.exp(lic if complement else li)
    return _round(v, dps)


# ------------------------------------------------------------ normal quantile


def _ndtri_mp(p: _MPF, dps: int) -> _MPF:
    """``Phi^-1(p)`` for mpf ``0 < p < 1`` at ``dps`` (relative) digits."""
    q = _one_minus(p)
    if p == q:
        return mpmath.mpf(0)
    s = min(p, q)
    wp = dps + 20 + int(math.log10(1 + abs(int(mpmath.mag(s)))))
    with mpmath.workdps(wp):
        if s > mpmath.mpf("0.1"):
            # central region: erfinv of the exact difference p - q = 2p - 1
            d = mpmath.fsub(p, q, exact=True)
            return _round(mpmath.sqrt(2) * mpmath.erfinv(d), dps)
        # lower tail: Newton on log Phi(x) - log s (log Phi is concave)
        log_s = mpmath.log(s)
        if s > mpmath.mpf("1e-300"):
            x = mpmath.mpf(NormalDist().inv_cdf(float(s)))
        else:
            u = -2 * log_s
            x = -mpmath.sqrt(u - mpmath.log(2 * mpmath.pi * u))
        half_log_2pi = mpmath.log(2 * mpmath.pi) / 2
        tol = mpmath.mpf(10) ** (-(dps + 8))
        for _ in range(200):
            log_phi = mpmath.log(mpmath.ncdf(x))
            slope = mpmath.exp(-x * x / 2 - half_log_2pi - log_phi)
            step = (log_phi - log_s) / slope
            x -= step
            if abs(step) <= tol * abs(x):
                break
        else:  # pragma: no cover - Newton on a concave function always converges
            raise RuntimeError(f"ndtri did not converge at p={mpmath.nstr(p, 17)}")
        return _round(x if p < q else -x, dps)


def ndtri(p: Any, *, dps: int = 50) -> _MPF:
    r"""Standard normal quantile :math:`\Phi^{-1}(p)`, accurate in both tails.

    .. math::

        \Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2), \qquad \Phi(\Phi^{-1}(p)) = p.

    For :math:`0.1 < p < 0.9`: :math:`\sqrt2\,\operatorname{erfinv}(p - (1-p))` with
    ``p - (1 - p)`` formed exactly; in the tails, Newton iterations on
    :math:`\log\Phi(x) = \log\min(p, 1-p)` (``1 - p`` exact), so ``p = 1e-300``
    and ``p = 1 - 2**-53`` are both accurate to ``dps`` digits.  ``-inf`` at
    ``p = 0``, ``+inf`` at ``p = 1``.

    References
    ----------
    DLMF 7.2.2 and 7.17.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        pp = _check_prob("p", p)
        if pp == 0:
            return mpmath.ninf
        if pp == 1:
            return mpmath.inf
    return _ndtri_mp(pp, dps)


# ------------------------------------------------------------- Clopper-Pearson


def _initial_logit(a: _MPF, b: _MPF, alpha: _MPF) -> _MPF:
    """Starting point t = logit(p) for the root of I_p(a, b) = alpha."""
    try:
        import scipy.special as sc

        af, bf, al = float(a), float(b), float(alpha)
        if al >= 1e-300:
            if al <= 0.5:
                p0 = float(sc.betaincinv(af, bf, al))
            else:
                p0 = float(sc.betainccinv(af, bf, float(_one_minus(alpha))))
            if 0 < p0 < 1 and math.isfinite(p0):
                return mpmath.log(p0) - mpmath.log1p(-p0)
    except Exception:  # pragma: no cover - scipy only speeds up the start
        pass
    # tiny alpha: leading term of the lower tail, I ~ p^a / (a B(a, b))
    logp = (mpmath.log(alpha) + mpmath.log(a) + _logbeta(a, b)) / a
    if logp < -1:
        return logp
    return mpmath.log(a) - mpmath.log(b)  # logit of (roughly) the mean


def _solve_beta_quantile(a: _MPF, b: _MPF, alpha: _MPF, dps: int) -> tuple[_MPF, _MPF]:
    """Root ``p`` of ``I_p(a, b) = alpha``; returns ``(p, 1 - p)`` each to ``dps`` digits.

    Safeguarded Newton iteration in ``t = logit(p)`` (so both ``p`` and ``1 - p``
    keep full relative precision) on ``F(t) = log I_p - log alpha`` when
    ``alpha <= 1/2``, else on ``F(t) = log(1 - alpha) - log(1 - I_p)``.  Both are
    increasing; ``F`` is concave (resp. convex) because the logit of a beta
    variable has a log-concave density, so Newton converges globally; a
    bisection bracket guards it anyway.
    """
    wp = dps + 12 + int(math.ceil(math.log10(float(a + b) + 2)))
    with mpmath.workdps(wp):
        upper_branch = alpha > 0.5
        target = mpmath.log(_one_minus(alpha)) if upper_branch else mpmath.log(alpha)
        t = _initial_logit(a, b, alpha)
        lo, hi = mpmath.ninf, mpmath.inf
        tol = mpmath.mpf(10) ** (-(dps + 6))
        for _ in range(400):
            p = 1 / (1 + mpmath.exp(-t))
            q = 1 / (1 + mpmath.exp(t))
            li, lic, ld = _log_tails(a, b, p, q, dps + 8, "auto")
            if upper_branch:
                f, df = target - lic, mpmath.exp(ld - lic)
            else:
                f, df = li - target, mpmath.exp(ld - li)
            if f == 0:
                break
            step = f / df
            if abs(step) <= tol * max(1, abs(t)):  # converged (quadratically)
                t -= step
                break
            if f < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            t_new = t - step
            if not (lo < t_new < hi) or not mpmath.isfinite(t_new):
                # Newton left the bracket: expand an open side, else bisect
                if mpmath.isinf(lo):
                    t_new = hi - max(1, 2 * abs(hi))
                elif mpmath.isinf(hi):
                    t_new = lo + max(1, 2 * abs(lo))
                else:
                    t_new = (lo + hi) / 2
            t = t_new
        else:  # pragma: no cover
            raise RuntimeError("Clopper-Pearson root finding did not converge")
        p = 1 / (1 + mpmath.exp(-t))
        q = 1 / (1 + mpmath.exp(t))
    return _round(p, dps), _round(q, dps)


def clopper_pearson_lower(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Clopper-Pearson lower bound at level :math:`1 - \alpha`.

    The :math:`\alpha`-quantile of :math:`\mathrm{Beta}(k, n - k + 1)`:

    .. math::

        \underline{p} = \begin{cases}
            0 & k = 0, \\
            \alpha^{1/n} & k = n, \\
            p : I_p(k, n - k + 1) = \alpha & \text{otherwise,}
        \end{cases}

    equivalently the :math:`p` at which :math:`P[\mathrm{Bin}(n, p) \ge k] = \alpha`.
    The root is found to ``dps`` digits by safeguarded Newton iterations in
    :math:`\operatorname{logit} p` on :math:`\log I_p - \log\alpha` (or on the
    complementary tail when :math:`\alpha > 1/2`, so :math:`\alpha = 0.999` has
    no cancellation); valid for ``n`` up to 2**53 and ``alpha`` down to 1e-300
    and below.  The starting point is SciPy's double-precision ``betaincinv``
    (only a starting point: the result is defined by the root condition).  At
    ``n = 1e12``, ``alpha = 1e-3`` a solve takes about 10 ms (3-5 tail
    evaluations of about 700 continued-fraction terms); with ``min(k, n-k+1)
    > 1e12`` and the root within 2 standard deviations of the centre, each
    evaluation is a quadrature (about 0.2 s).

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``, ``n >= 1``.
    alpha : real
        Error level in (0, 1).
    dps : int
        Decimal digits of the result.

    Returns
    -------
    mpmath.mpf

    References
    ----------
    Clopper & Pearson (1934); Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
    return _cp_lower(kk, nn, al, dps)


def _cp_lower(k: int, n: int, alpha: _MPF, dps: int) -> _MPF:
    if k == 0:
        return mpmath.mpf(0)
    with mpmath.workdps(dps + 20):
        if k == n:
            return _round(mpmath.exp(mpmath.log(alpha) / n), dps)
        a, b = mpmath.mpf(k), mpmath.mpf(n - k + 1)
    return _solve_beta_quantile(a, b, alpha, dps)[0]


def _cp_upper(k: int, n: int, alpha: _MPF, dps: int) -> _MPF:
    if k == n:
        return mpmath.mpf(1)
    with mpmath.workdps(dps + 20):
        if k == 0:
            return _round(-mpmath.expm1(mpmath.log(alpha) / n), dps)
        a, b = mpmath.mpf(n - k), mpmath.mpf(k + 1)
    # 1 - I_p(k+1, n-k) = I_{1-p}(n-k, k+1) = alpha: solve for q = 1 - p
    return _solve_beta_quantile(a, b, alpha, dps)[1]


def clopper_pearson_upper(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Clopper-Pearson upper bound at level :math:`1 - \alpha`.

    .. math::

        \overline{p} = \begin{cases}
            1 & k = n, \\
            1 - \alpha^{1/n} & k = 0, \\
            p : 1 - I_p(k + 1, n - k) = \alpha & \text{otherwise,}
        \end{cases}

    i.e. :math:`P[\mathrm{Bin}(n, p) \le k] = \alpha`, solved as the quantile
    :math:`1 - p` of :math:`\mathrm{Beta}(n - k, k + 1)` so that ``p`` near 1
    keeps full precision.  See :func:`clopper_pearson_lower`.

    References
    ----------
    Clopper & Pearson (1934).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
    return _cp_upper(kk, nn, al, dps)


def clopper_pearson(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> tuple[_MPF, _MPF]:
    r"""Two-sided Clopper-Pearson interval at total level :math:`1 - \alpha`.

    .. math::

        \bigl(\underline{p}_{\alpha/2}(k, n),\ \overline{p}_{\alpha/2}(k, n)\bigr),

    each side at :math:`\alpha/2` (halved exactly); as
    ``statsmodels.stats.proportion.proportion_confint(k, n, alpha, method="beta")``.

    References
    ----------
    Clopper & Pearson (1934).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha) / 2  # exact
    return _cp_lower(kk, nn, al, dps), _cp_upper(kk, nn, al, dps)


# ------------------------------------------------------------- soundness checks


def _fraction(v: _MPF) -> Fraction:
    """Exact rational value of a finite mpf."""
    man, exp = v.man_exp
    man = int(man)
    exp = int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _binom_upper_tail_exact(k: int, n: int, x: Fraction) -> tuple[int, int]:
    """``P[Bin(n, x) >= k]`` as an exact (numerator, denominator) pair, ``0 < x < 1``.

    Sums the shorter side (``1 - P[Bin(n, x) < k]`` when ``k <= n / 2``; no
    cancellation issue in exact arithmetic).  The pair is not reduced (a gcd of
    huge integers would dominate the cost).
    """
    den = x.denominator
    xn = x.numerator
    yn = den - xn
    if k > n - k + 1:
        lo, hi, upper = k, n, True
    else:
        lo, hi, upper = 0, k - 1, False
    # acc = sum_{j=lo}^{hi} C(n, j) xn^(j-lo) yn^(hi-j)  (ascending Horner scheme)
    coef = math.comb(n, lo)
    acc = coef
    xp = 1
    for j in range(lo + 1, hi + 1):
        coef = coef * (n - j + 1) // j
        xp *= xn
        acc = acc * yn + coef * xp
    num = acc * xn**lo * yn ** (n - hi)
    big = den**n
    return (num, big) if upper else (big - num, big)


def _le(frac: tuple[int, int], alpha: Fraction) -> bool:
    """``num / den <= alpha`` for positive integers, without reducing."""
    return frac[0] * alpha.denominator <= alpha.numerator * frac[1]


def _tail_le_alpha(
    a: _MPF, b: _MPF, x: _MPF, y: _MPF, alpha: _MPF, dps: int
) -> bool:  # I_x(a, b) <= alpha ?
    """Decide ``I_x(a, b) <= alpha`` at working precision, refining if too close."""
    for digits in (dps, 2 * dps, 4 * dps):
        with mpmath.workdps(digits + 20):
            li, _lic, _ld = _log_tails(a, b, x, y, digits, "auto")
            diff = li - mpmath.log(alpha)
            if abs(diff) > mpmath.mpf(10) ** (-(digits - 5)):
                return bool(diff < 0)
    raise RuntimeError(
        "cannot decide soundness: the tail probability equals alpha to "
        f"{4 * dps} digits (a={mpmath.nstr(a, 17)}, b={mpmath.nstr(b, 17)})"
    )


def lower_bound_is_sound(x: Any, k: Any, n: Any, alpha: Any, *, dps: int = 50) -> bool:
    r"""Whether ``x`` is at most the exact Clopper-Pearson lower bound.

    Decided with one tail evaluation at the exact ``x``, no root finding:

    .. math::

        x \le \underline{p}(k, n, \alpha) \iff
        \begin{cases}
            x \le 0 & k = 0, \\
            x^n \le \alpha & k = n, \\
            I_x(k, n - k + 1) = P[\mathrm{Bin}(n, x) \ge k] \le \alpha & \text{otherwise}
        \end{cases}

    (``x >= 1`` is never sound).  For ``n <= 2000`` the comparison is exact
    rational arithmetic on the dyadic ``x`` and ``alpha``; above, the tail is
    evaluated at ``dps`` digits (refined to ``2*dps``, ``4*dps`` if it is within
    ``10**-(dps-5)`` of ``alpha``).  The continued fraction is used while
    ``min(k, n - k + 1) <= 1e12`` (``CF_SIZE_LIMIT``).  Above, where ``x`` lies
    within 2 standard deviations of the mean of the beta distribution (or the
    continued fraction has not converged in 2e5 terms) the tail comes from
    :func:`betainc_quad`'s quadrature (about 0.2-0.5 s), so the check stays
    cheap up to ``n = 2**53``; further out the continued fraction needs only a
    few hundred terms (milliseconds).

    Parameters
    ----------
    x : real
        Candidate lower bound (a double is used exactly).
    k, n : int
        Successes and trials.
    alpha : real
        Error level in (0, 1).
    dps : int
        Working digits of the decision.

    Returns
    -------
    bool
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 20):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
        xx = _to_mpf("x", x)
        if xx <= 0:
            return True
        if kk == 0 or xx >= 1:
            return False
        yy = _one_minus(xx)
        if nn <= _EXACT_N:
            fx, fa = _fraction(xx), _fraction(al)
            if kk == nn:
                return _le((fx.numerator**nn, fx.denominator**nn), fa)
            return _le(_binom_upper_tail_exact(kk, nn, fx), fa)
        if kk == nn:
            for digits in (dps, 2 * dps, 4 * dps):
                with mpmath.workdps(digits + 20 + int(math.log10(nn))):
                    diff = nn * mpmath.log(xx) - mpmath.log(al)
                    if abs(diff) > mpmath.mpf(10) ** (-(digits - 5)):
                        return bool(diff < 0)
            raise RuntimeError("cannot decide soundness: x**n equals alpha")  # pragma: no cover
        return _tail_le_alpha(mpmath.mpf(kk), mpmath.mpf(nn - kk + 1), xx, yy, al, dps)


def upper_bound_is_sound(x: Any, k: Any, n: Any, alpha: Any, *, dps: int = 50) -> bool:
    r"""Whether ``x`` is at least the exact Clopper-Pearson upper bound.

    .. math::

        x \ge \overline{p}(k, n, \alpha) \iff
        \begin{cases}
            x \ge 1 & k = n, \\
            (1 - x)^n \le \alpha & k = 0, \\
            I_{1-x}(n - k, k + 1) = P[\mathrm{Bin}(n, x) \le k] \le \alpha
                & \text{otherwise}
        \end{cases}

    (``x <= 0`` is never sound; ``1 - x`` is exact).  Same evaluation strategy
    as :func:`lower_bound_is_sound`.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 20):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
        xx = _to_mpf("x", x)
        if xx >= 1:
            return True
        if kk == nn or xx <= 0:
            return False
        yy = _one_minus(xx)
        if nn <= _EXACT_N:
            fy, fa = 1 - _fraction(xx), _fraction(al)
            if kk == 0:
                return _le((fy.numerator**nn, fy.denominator**nn), fa)
            # P[Bin(n, x) <= k] = P[Bin(n, y) >= n - k]
            return _le(_binom_upper_tail_exact(nn - kk, nn, fy), fa)
        if kk == 0:
            for digits in (dps, 2 * dps, 4 * dps):
                with mpmath.workdps(digits + 20 + int(math.log10(nn))):
                    diff = nn * mpmath.log(yy) - mpmath.log(al)
                    if abs(diff) > mpmath.mpf(10) ** (-(digits - 5)):
                        return bool(diff < 0)
            raise RuntimeError("cannot decide soundness: (1-x)**n equals alpha")  # pragma: no cover
        return _tail_le_alpha(mpmath.mpf(nn - kk), mpmath.mpf(kk + 1), yy, xx, al, dps)


# ------------------------------------------------------------------ comparators


def _hoeffding(k: Any, n: Any, alpha: Any, dps: int, sign: int) -> _MPF:
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
        eps = mpmath.sqrt(-mpmath.log(al) / (2 * nn))
        v = mpmath.mpf(kk) / nn + sign * eps
        v = max(mpmath.mpf(0), min(mpmath.mpf(1), v))
    return _round(v, dps)


def hoeffding_lower(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Hoeffding lower bound at level :math:`1 - \alpha`.

    .. math::

        \max\Bigl(0,\ \frac{k}{n} - \sqrt{\frac{\log(1/\alpha)}{2n}}\Bigr)

    References
    ----------
    Hoeffding (1963), Theorem 1.
    """
    return _hoeffding(k, n, alpha, dps, -1)


def hoeffding_upper(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Hoeffding upper bound at level :math:`1 - \alpha`.

    .. math::

        \min\Bigl(1,\ \frac{k}{n} + \sqrt{\frac{\log(1/\alpha)}{2n}}\Bigr)

    References
    ----------
    Hoeffding (1963), Theorem 1.
    """
    return _hoeffding(k, n, alpha, dps, +1)


def _wilson(k: Any, n: Any, alpha: Any, dps: int, sign: int) -> _MPF:
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        kk, nn = _check_kn(k, n)
        al = _check_alpha(alpha)
        if sign < 0 and kk == 0:
            return mpmath.mpf(0)
        if sign > 0 and kk == nn:
            return mpmath.mpf(1)
    z = _ndtri_mp(_one_minus(al), dps + 10)
    with mpmath.workdps(dps + 10):
        ph = mpmath.mpf(kk) / nn
        z2n = z * z / nn
        centre = ph + z2n / 2
        half = z * mpmath.sqrt(ph * (1 - ph) / nn + z2n / (4 * nn))
        v = (centre + sign * half) / (1 + z2n)
    return _round(v, dps)


def wilson_lower(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Wilson score lower bound at level :math:`1 - \alpha`.

    .. math::

        \frac{\hat p + \frac{z^2}{2n}
              - z\sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4n^2}}}
             {1 + \frac{z^2}{n}},
        \qquad \hat p = k/n,\quad z = \Phi^{-1}(1 - \alpha)

    (exactly 0 at ``k = 0``).

    References
    ----------
    Wilson (1927).
    """
    return _wilson(k, n, alpha, dps, -1)


def wilson_upper(k: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""One-sided Wilson score upper bound at level :math:`1 - \alpha`.

    .. math::

        \frac{\hat p + \frac{z^2}{2n}
              + z\sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4n^2}}}
             {1 + \frac{z^2}{n}},
        \qquad \hat p = k/n,\quad z = \Phi^{-1}(1 - \alpha)

    (exactly 1 at ``k = n``).

    References
    ----------
    Wilson (1927).
    """
    return _wilson(k, n, alpha, dps, +1)


# ------------------------------------------------------------------------ radii


def gaussian_radius(p_lower: Any, sigma: Any, *, dps: int = 50) -> _MPF:
    r"""Certified L2 radius under Gaussian noise from a lower bound on :math:`p_A`.

    .. math::

        R = \sigma\, \Phi^{-1}(\underline{p_A})

    signed (``R <= 0`` means no certificate); ``-inf`` at ``p = 0``, ``+inf`` at
    ``p = 1``.  Accurate in both tails (see :func:`ndtri`).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), Theorem 1 with
    :math:`\overline{p_B} = 1 - \underline{p_A}`.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        p = _check_prob("p_lower", p_lower)
        s = _check_positive("sigma", sigma)
        if p == 0:
            return mpmath.ninf
        if p == 1:
            return mpmath.inf
    z = _ndtri_mp(p, dps + 5)
    with mpmath.workdps(dps + 5):
        v = s * z
    return _round(v, dps)


def gaussian_radius_two(p_a_lower: Any, p_b_upper: Any, sigma: Any, *, dps: int = 50) -> _MPF:
    r"""Two-probability certified L2 radius under Gaussian noise.

    .. math::

        R = \frac{\sigma}{2}\bigl(\Phi^{-1}(\underline{p_A}) - \Phi^{-1}(\overline{p_B})\bigr)

    Raises :class:`ValueError` when the radius is undefined (``inf - inf``:
    both probabilities 0 or both 1).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), Theorem 1.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        pa = _check_prob("p_a_lower", p_a_lower)
        pb = _check_prob("p_b_upper", p_b_upper)
        s = _check_positive("sigma", sigma)
        if (pa == 0 and pb == 0) or (pa == 1 and pb == 1):
            raise ValueError(
                f"radius undefined for p_a_lower={p_a_lower!r}, p_b_upper={p_b_upper!r}"
            )
        za = mpmath.ninf if pa == 0 else (mpmath.inf if pa == 1 else _ndtri_mp(pa, dps + 10))
        zb = mpmath.ninf if pb == 0 else (mpmath.inf if pb == 1 else _ndtri_mp(pb, dps + 10))
        v = s / 2 * (za - zb)
    return _round(v, dps)


def laplace_radius(p_a_lower: Any, scale: Any, p_b_upper: Any = None, *, dps: int = 50) -> _MPF:
    r"""Certified L1 radius under Laplace noise of scale :math:`\lambda`.

    .. math::

        R = \frac{\lambda}{2} \log\frac{\underline{p_A}}{\overline{p_B}},
        \qquad \overline{p_B} = 1 - \underline{p_A} \text{ when omitted.}

    ``-inf`` when ``p_A = 0``, ``+inf`` when ``p_B = 0``; ValueError when both are 0.

    References
    ----------
    Teng, Lee & Yuan (2020), Theorem 1.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        pa = _check_prob("p_a_lower", p_a_lower)
        lam = _check_positive("scale", scale)
        pb = _one_minus(pa) if p_b_upper is None else _check_prob("p_b_upper", p_b_upper)
        if pa == 0 and pb == 0:
            raise ValueError("radius undefined for p_a_lower = p_b_upper = 0")
        if pa == 0:
            return mpmath.ninf
        if pb == 0:
            return mpmath.inf
        v = lam / 2 * (mpmath.log(pa) - mpmath.log(pb))
    return _round(v, dps)


def uniform_radius(p_a_lower: Any, scale: Any, *, dps: int = 50) -> _MPF:
    r"""Certified L1 radius under uniform noise on :math:`[-\lambda, \lambda]^d`.

    .. math::

        R = 2 \lambda \bigl(\underline{p_A} - \tfrac12\bigr)

    References
    ----------
    Yang et al. (2020), uniform-noise L1 certificate.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        pa = _check_prob("p_a_lower", p_a_lower)
        lam = _check_positive("scale", scale)
        v = 2 * lam * (pa - mpmath.mpf(1) / 2)
    return _round(v, dps)


def _check_dim(dim: Any) -> int:
    return _to_int("dim", dim, 1)


def linf_radius_from_l2(radius: Any, dim: Any, *, dps: int = 50) -> _MPF:
    r"""Linf radius certified by an L2 certificate in dimension :math:`d`.

    .. math::

        r_\infty = r_2 / \sqrt{d}

    (the L2 ball of radius :math:`r_2` contains the Linf ball of radius
    :math:`r_2/\sqrt d`, since :math:`\|v\|_2 \le \sqrt d \|v\|_\infty`).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        r = _to_mpf("radius", radius)
        d = _check_dim(dim)
        v = r / mpmath.sqrt(d)
    return _round(v, dps)


def l2_radius_for_linf(eps: Any, dim: Any, *, dps: int = 50) -> _MPF:
    r"""L2 radius that covers the Linf ball of radius :math:`\varepsilon` in dimension d.

    .. math::

        r_2 = \varepsilon \sqrt{d}

    (the half-diagonal of the cube :math:`[-\varepsilon, \varepsilon]^d`).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        e = _to_mpf("eps", eps)
        d = _check_dim(dim)
        v = e * mpmath.sqrt(d)
    return _round(v, dps)


# ------------------------------------------------------------ PREDICT / CERTIFY


def binomial_test_pvalue(k1: Any, k2: Any, *, dps: int = 50) -> _MPF:
    r"""Two-sided exact binomial test of :math:`k_1` successes in :math:`k_1 + k_2` at 1/2.

    .. math::

        \pi = \min\Bigl(1,\ 2\, P\bigl[\mathrm{Bin}(N, \tfrac12) \le \min(k_1, k_2)\bigr]\Bigr),
        \qquad N = k_1 + k_2,

    with :math:`P[\mathrm{Bin}(N, \frac12) \le m] = I_{1/2}(N - m, m + 1)`
    (exact integer sum for ``N <= 2000``).  ``1`` when ``N = 0``.  Equals
    ``scipy.stats.binomtest(k1, N, 0.5).pvalue``.

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), PREDICT.
    """
    dps = _check_dps(dps)
    a1 = _to_int("k1", k1, 0)
    a2 = _to_int("k2", k2, 0)
    nn = a1 + a2
    m = min(a1, a2)
    if nn == 0 or a1 == a2:
        return mpmath.mpf(1)
    with mpmath.workdps(dps + 10):
        if nn <= _EXACT_N:
            s = sum(math.comb(nn, j) for j in range(m + 1))
            prob = mpmath.mpf(s) / mpmath.mpf(2) ** nn
        else:
            half = mpmath.mpf(1) / 2
            li, _lic, _ld = _log_tails(mpmath.mpf(nn - m), mpmath.mpf(m + 1), half, half, dps + 5)
            prob = mpmath.exp(li)
        v = min(mpmath.mpf(1), 2 * prob)
    return _round(v, dps)


def _check_counts(name: str, counts: Sequence[Any]) -> list[int]:
    try:
        items = list(counts)
    except TypeError as exc:
        raise ValueError(f"{name} must be a sequence of counts, got {counts!r}") from exc
    if len(items) == 0:
        raise ValueError(f"{name} must not be empty")
    return [_to_int(f"{name}[{i}]", c, 0) for i, c in enumerate(items)]


def _top_two(counts: list[int]) -> tuple[int, int, int]:
    """(label of the top count, lowest index on ties; top count; runner-up count)."""
    top = max(range(len(counts)), key=lambda i: (counts[i], -i))
    rest = counts[:top] + counts[top + 1 :]
    return top, counts[top], max(rest) if rest else 0


def predict(counts: Sequence[Any], alpha: Any, *, dps: int = 50) -> int:
    r"""Cohen et al.'s PREDICT from class counts.

    With :math:`n_A \ge n_B` the two largest counts (label :math:`c_A` of
    :math:`n_A`, the lowest index on ties), return :math:`c_A` if

    .. math::

        \mathrm{BinomPValue}(n_A, n_A + n_B, \tfrac12) \le \alpha

    (see :func:`binomial_test_pvalue`), else ``ABSTAIN`` (-1).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), Algorithm PREDICT.
    """
    dps = _check_dps(dps)
    c = _check_counts("counts", counts)
    with mpmath.workdps(dps + 10):
        al = _check_alpha(alpha)
        label, n_a, n_b = _top_two(c)
        pv = binomial_test_pvalue(n_a, n_b, dps=dps + 10)
        return ABSTAIN if pv > al else label


def certify(
    counts_selection: Sequence[Any],
    counts_estimation: Sequence[Any],
    sigma: Any,
    alpha: Any,
    *,
    dps: int = 50,
) -> tuple[int, _MPF]:
    r"""Cohen et al.'s CERTIFY from the selection and estimation counts.

    .. math::

        \hat c_A = \arg\max_c n^{sel}_c, \quad
        \underline{p_A} = \underline{p}_{CP}\bigl(n^{est}_{\hat c_A},
                                               \textstyle\sum_c n^{est}_c, \alpha\bigr),
        \quad
        R = \sigma\,\Phi^{-1}(\underline{p_A}),

    abstaining (``(ABSTAIN, 0)``) when :math:`\underline{p_A} < 1/2`.  The
    argmax takes the lowest index on ties.

    Returns
    -------
    tuple of (int, mpmath.mpf)
        Label or ``ABSTAIN``, and the radius (0 on abstain).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), Algorithm CERTIFY.
    """
    dps = _check_dps(dps)
    sel = _check_counts("counts_selection", counts_selection)
    est = _check_counts("counts_estimation", counts_estimation)
    if len(sel) != len(est):
        raise ValueError(
            "counts_selection and counts_estimation must have the same length, "
            f"got {len(sel)} and {len(est)}"
        )
    n = sum(est)
    if n < 1:
        raise ValueError("counts_estimation must contain at least one sample")
    with mpmath.workdps(dps + 10):
        al = _check_alpha(alpha)
        s = _check_positive("sigma", sigma)
    label = _top_two(sel)[0]
    p_low = _cp_lower(est[label], n, al, dps + 5)
    if p_low < mpmath.mpf(1) / 2:
        return ABSTAIN, mpmath.mpf(0)
    z = _ndtri_mp(p_low, dps + 5)
    with mpmath.workdps(dps + 5):
        r = s * z
    return label, _round(r, dps)


def certified_accuracy(
    radii: Sequence[Any], correct: Sequence[Any], thresholds: Sequence[Any], *, dps: int = 50
) -> list[_MPF]:
    """Twin of :func:`rstheory.certify.certified_accuracy`, by exact counting.

    .. math::

        \\mathrm{acc}(r) = \\frac{1}{N} \\#\\{i : \\mathrm{correct}_i \\wedge R_i \\ge r\\}

    over all ``N`` inputs (abstentions, ``correct = False``, count in the
    denominator); "radius >= r" is inclusive (Cohen et al. 2019, Sec. 4).

    Parameters
    ----------
    radii, correct, thresholds : sequences
        Certified radii (``-inf`` allowed), booleans, thresholds.
    dps : int
        Digits of the returned ``mpf`` values.

    Returns
    -------
    list of mpf
        One fraction per threshold.

    Raises
    ------
    ValueError
        If ``radii`` is empty or ``radii`` and ``correct`` differ in length.
    """
    dps = _check_dps(dps)
    if len(radii) == 0:
        raise ValueError("radii must hold at least one input, got an empty sequence")
    if len(radii) != len(correct):
        raise ValueError(
            f"correct must have the length of radii, got {len(correct)} and {len(radii)}"
        )
    with mpmath.workdps(dps):
        out = []
        for t in thresholds:
            tt = mpmath.mpf(float(t))
            pairs = zip(radii, correct, strict=True)
            hits = sum(1 for r, c in pairs if bool(c) and mpmath.mpf(float(r)) >= tt)
            out.append(mpmath.mpf(hits) / len(radii))
        return out


# ---------------------------------------------------------------------- planning

#: :func:`required_n` (``p < 1``, ``stable=False``) scans sample sizes up to this
#: many unless the caller gives ``n_max``.
PLANNING_N_MAX = 10**6
#: :func:`required_n` (``p = 1``) gives up above this many samples.
_PLANNING_Q_MAX = 2**64


def _plan_radius(radius: Any) -> _MPF:
    r = _to_mpf("radius", radius)
    if not (r >= 0) or mpmath.isinf(r):
        raise ValueError(f"radius must be finite and >= 0, got {radius!r}")
    return r


def _plan_open(name: str, value: Any) -> _MPF:
    v = _to_mpf(name, value)
    if not (0 < v < 1):
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return v


def _plan_phi(r: _MPF, s: _MPF, wp: int) -> tuple[_MPF, _MPF]:
    """``(Phi(r/s), Phi(-r/s))`` at ``wp`` digits, each with full relative precision."""
    with mpmath.workdps(wp):
        z = r / s
        return mpmath.ncdf(z), mpmath.ncdf(-z)


def _plan_max_radius(n: int, s: _MPF, al: _MPF, dps: int) -> _MPF:
    """``s * Phi^-1(al**(1/n))`` at ``dps`` digits (mpf ``s`` and ``al``)."""
    if al == mpmath.ldexp(mpmath.mpf(1), -n):  # alpha**(1/n) = 1/2 exactly
        return mpmath.mpf(0)
    wp = dps + 40
    with mpmath.workdps(wp):
        t = mpmath.log(al) / n
        if t > -mpmath.ln2:
            # p = e^t > 1/2: the quantile of the upper tail 1 - p = -expm1(t)
            z = -_ndtri_mp(-mpmath.expm1(t), wp)
        else:
            z = _ndtri_mp(mpmath.exp(t), wp)
        v = s * z
    return _round(v, dps)


def _plan_tail_le(k: int, n: int, x: _MPF, y: _MPF, al: _MPF, dps: int) -> bool:
    """Whether :math:`P[\\mathrm{Bin}(n, x) \\ge k] = I_x(k, n-k+1) \\le \\alpha` (``y = 1-x``).

    The tail at ``dps`` digits; where it lies within ``10**-(dps-5)`` of
    ``alpha`` (relative), exact rational arithmetic on the mpf ``x`` when
    ``n <= 2000`` and ``y`` is exactly ``1 - x`` (ties such as
    ``P[Bin(10, 1/2) >= 10] = 2**-10`` are decided exactly), else a refined
    evaluation (:class:`RuntimeError` if still undecided).
    """
    if k <= 0:
        return False  # the tail is 1
    if k > n or x == 0:
        return True  # the tail is 0
    if y == 0:
        return False  # the tail is 1
    a, b = mpmath.mpf(k), mpmath.mpf(n - k + 1)
    with mpmath.workdps(dps + 20):
        li = _log_tails(a, b, x, y, dps, "auto")[0]
        diff = li - mpmath.log(al)
        if abs(diff) > mpmath.mpf(10) ** (-(dps - 5)):
            return bool(diff < 0)
    if n <= _EXACT_N and _one_minus(x) == y:
        return _le(_binom_upper_tail_exact(k, n, _fraction(x)), _fraction(al))
    return _tail_le_alpha(a, b, x, y, al, 2 * dps)


def _plan_threshold(n: int, x: _MPF, y: _MPF, al: _MPF, dps: int, hint: int | None = None) -> int:
    """Least ``k`` with ``P[Bin(n, x) >= k] <= alpha``; ``n + 1`` if none.

    The tail decreases in ``k``.  Without a hint: bisection on ``[0, n]``.  With
    one (the answer for a neighbouring ``n``): a walk from it, one tail a step,
    to where the test flips.
    """
    if hint is None:
        if not _plan_tail_le(n, n, x, y, al, dps):
            return n + 1
        lo, hi = 0, n  # the test fails at lo (the tail at 0 is 1) and holds at hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _plan_tail_le(mid, n, x, y, al, dps):
                hi = mid
            else:
                lo = mid
        return hi
    k = min(max(hint, 1), n + 1)
    if _plan_tail_le(k, n, x, y, al, dps):
        while _plan_tail_le(k - 1, n, x, y, al, dps):
            k -= 1
        return k
    k += 1
    while k <= n and not _plan_tail_le(k, n, x, y, al, dps):
        k += 1
    return k


def _plan_binom_tail(k: int, n: int, p: _MPF, dps: int) -> _MPF:
    """:math:`P[\\mathrm{Bin}(n, p) \\ge k] = I_p(k, n - k + 1)` at ``dps`` digits."""
    if k <= 0:
        return mpmath.mpf(1)
    if k > n:
        return mpmath.mpf(0)
    return betainc(k, n - k + 1, p, dps=dps)


def _plan_pmf(k: int, n: int, p: _MPF, q: _MPF) -> _MPF:
    """``C(n, k) p**k q**(n-k)`` at the current precision (``0**0 = 1``)."""
    return mpmath.mpf(math.comb(n, k)) * p**k * q ** (n - k)


def max_radius(n: Any, sigma: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""Largest radius CERTIFY can return with ``n`` estimation samples.

    .. math::

        R_{\max}(n) = \sigma\,\Phi^{-1}\bigl(\alpha^{1/n}\bigr),

    the radius of ``n`` votes out of ``n`` (:math:`\underline{p_A} =
    \alpha^{1/n}`).  Where :math:`\alpha^{1/n} > 1/2` the quantile is taken of
    the upper tail :math:`1 - \alpha^{1/n} = -\operatorname{expm1}(\log(\alpha)/n)`
    (no cancellation up to ``n = 2**53``); exactly 0 when :math:`\alpha = 2^{-n}`,
    negative below (CERTIFY always abstains).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        s = _check_positive("sigma", sigma)
        al = _check_alpha(alpha)
    return _plan_max_radius(nn, s, al, dps)


def threshold_count(n: Any, p_r: Any, alpha: Any, *, dps: int = 50) -> int:
    r"""Least count whose exact Clopper-Pearson lower bound reaches ``p_r``.

    .. math::

        k^* = \min\{k : P[\mathrm{Bin}(n, p_r) \ge k] \le \alpha\}
            = \min\{k : \underline{p}_{CP}(k, n, \alpha) \ge p_r\},

    ``n + 1`` if no count qualifies.  Bisection over the integers ``k`` on the
    exact tail :math:`I_{p_r}(k, n - k + 1)` (see :func:`betainc`); each
    comparison with ``alpha`` is decided exactly (rational arithmetic at
    ties for ``n <= 2000``).

    References
    ----------
    Clopper & Pearson (1934); Cohen, Rosenfeld & Kolter (2019).
    """
    dps = _check_dps(dps)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        x = _check_prob("p_r", p_r)
        al = _check_alpha(alpha)
    return _plan_threshold(nn, x, _one_minus(x), al, dps + 10)


def certification_probability(
    p: Any, n: Any, sigma: Any, alpha: Any, radius: Any, *, dps: int = 50
) -> _MPF:
    r"""Probability that CERTIFY certifies ``radius`` when the top class has probability ``p``.

    .. math::

        \pi = P[\mathrm{Bin}(n, p) \ge k^*], \qquad
        k^* = \min\{k : P[\mathrm{Bin}(n, p_r) \ge k] \le \alpha\},
        \quad p_r = \Phi(r/\sigma),

    with :math:`p_r` and :math:`1 - p_r = \Phi(-r/\sigma)` evaluated in mpmath
    at the exact double inputs, :math:`k^*` by :func:`threshold_count`'s
    bisection and :math:`\pi = I_p(k^*, n - k^* + 1)` by :func:`betainc`
    (0 when :math:`k^* = n + 1`).  The selection step is assumed to pick the
    top class.

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        pp = _check_prob("p", p)
        s = _check_positive("sigma", sigma)
        al = _check_alpha(alpha)
        r = _plan_radius(radius)
    x, y = _plan_phi(r, s, dps + 20)
    k = _plan_threshold(nn, x, y, al, dps + 10)
    return _plan_binom_tail(k, nn, pp, dps)


def _plan_required_unanimous(r: _MPF, s: _MPF, al: _MPF, dps: int) -> int:
    """Least ``n >= 1`` with the exact ``max_radius(n) >= r``."""
    if r == 0:
        # Phi^-1(alpha**(1/n)) >= 0  <=>  alpha >= 2**-n: exact on the dyadic alpha
        fa = _fraction(al)
        n = 1
        while Fraction(1, 2**n) > fa:
            n += 1
        return n
    # Phi^-1(alpha**(1/n)) >= r/s  <=>  log(alpha)/n >= L = log Phi(r/s) (L < 0)
    #                              <=>  n >= q = log(alpha)/L
    wp = dps + 30
    for _ in range(4):
        with mpmath.workdps(wp):
            big_l = mpmath.log1p(-mpmath.ncdf(-(r / s)))
            q = mpmath.log(al) / big_l
            if q > _PLANNING_Q_MAX:
                raise ValueError(
                    f"radius={mpmath.nstr(r, 17)} needs more than 2**64 samples "
                    f"(sigma={mpmath.nstr(s, 17)}, alpha={mpmath.nstr(al, 17)})"
                )
            gap = abs(q - mpmath.nint(q))
            if gap > abs(q) * mpmath.mpf(10) ** (10 - wp):
                return max(1, int(mpmath.ceil(q)))
        wp *= 2
    raise RuntimeError(  # pragma: no cover - log(alpha)/log Phi(r/s) an integer to 400 digits
        "cannot decide required_n: log(alpha)/log Phi(radius/sigma) is an integer "
        f"to {wp // 2} digits"
    )


def required_n(
    radius: Any,
    sigma: Any,
    alpha: Any,
    p: Any = 1.0,
    power: Any = 0.5,
    *,
    stable: bool = False,
    n_max: Any = None,
    dps: int = 50,
) -> int:
    r"""Least number of estimation samples that certifies ``radius`` (brute force).

    * ``p = 1``: the least ``n`` with the exact :math:`R_{\max}(n) \ge r`
      (:func:`max_radius`), i.e.

      .. math:: n = \max\Bigl(1, \Bigl\lceil \frac{\log\alpha}{\log\Phi(r/\sigma)}
                \Bigr\rceil\Bigr),

      with :math:`\log\Phi(r/\sigma) = \operatorname{log1p}(-\Phi(-r/\sigma))`
      in mpmath, the ceiling taken where the quotient is provably not an
      integer (precision doubled otherwise), and for ``r = 0`` exactly on the
      dyadic ``alpha`` (:math:`\alpha \ge 2^{-n}`).  :class:`ValueError` above
      2**64 samples.
    * ``p < 1``: :math:`\pi(n)` of :func:`certification_probability` for every
      ``n`` from the ``p = 1`` answer ``n_1`` upward (below it even a unanimous
      vote does not certify, :math:`\pi = 0`), :math:`k^*(n)` by a walk from
      :math:`k^*(n-1)` that verifies both :math:`k^*` and :math:`k^* - 1`
      (no monotonicity assumption beyond that of the tail in ``k``).  Default:
      the first ``n`` with :math:`\pi(n) \ge` ``power``, searched up to
      ``n_max`` (default :data:`PLANNING_N_MAX`; :class:`RuntimeError` if none).
      ``stable=True``: one plus the last ``n <= n_max`` with
      :math:`\pi(n) <` ``power`` (``n_1`` if none); ``n_max`` is then
      required, and **"for every larger n" is only checked up to n_max**
      (:class:`RuntimeError` if :math:`\pi(n_{\max}) <` ``power``).

    Cost: about three incomplete beta evaluations per sample size (a few
    tenths of a millisecond each for ``n`` in the hundreds, 50 digits), so
    ``n_max`` in the thousands takes seconds; this is an oracle for small
    cases, not a planner.

    Raises
    ------
    ValueError
        On invalid arguments (the message names the argument), and when
        ``p < 1`` does not exceed :math:`\Phi(r/\sigma)`.

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        r = _plan_radius(radius)
        s = _check_positive("sigma", sigma)
        al = _check_alpha(alpha)
        pp = _to_mpf("p", p)
        if not (0 < pp <= 1):
            raise ValueError(f"p must lie in (0, 1], got {p!r}")
        pw = _plan_open("power", power)
    n1 = _plan_required_unanimous(r, s, al, dps)
    if pp == 1:
        return n1
    x, y = _plan_phi(r, s, dps + 20)
    if not pp > x:
        raise ValueError(
            f"p={p!r} does not exceed Phi(radius/sigma)={mpmath.nstr(x, 17)}: the probability "
            "of certifying radius is at most alpha for every n"
        )
    if n_max is None:
        if stable:
            raise ValueError("n_max must be given with stable=True (the twin checks up to it)")
        n_max = PLANNING_N_MAX
    top = _to_int("n_max", n_max, 1)
    if top < n1:
        raise RuntimeError(f"n_max={top} is below n={n1}, the least n at which p = 1 certifies")
    last_miss = None
    k = None
    for m in range(n1, top + 1):
        k = _plan_threshold(m, x, y, al, dps + 10, k)
        reached = _plan_binom_tail(k, m, pp, dps) >= pw
        if reached and not stable:
            return m
        if not reached:
            last_miss = m
    if not stable:
        raise RuntimeError(f"no n <= n_max={top} reaches power={power!r}")
    if last_miss == top:
        raise RuntimeError(f"the power is not reached at n_max={top}: no stable n up to it")
    return n1 if last_miss is None else last_miss + 1


def radius_distribution(
    p: Any, n: Any, sigma: Any, alpha: Any, *, dps: int = 50
) -> tuple[list[int], list[_MPF], list[_MPF], _MPF]:
    r"""Law of the radius CERTIFY returns, by the full sum over all counts.

    For every :math:`k = 0, \ldots, n`: :math:`P[K = k] = \binom nk p^k
    (1-p)^{n-k}`; CERTIFY abstains when
    :math:`\underline{p}_{CP}(k, n, \alpha) < 1/2`, decided exactly as
    :math:`P[\mathrm{Bin}(n, 1/2) \ge k] > \alpha` (:func:`threshold_count`
    with :math:`p_r = 1/2`; ties are exact), and otherwise returns
    :math:`\sigma\Phi^{-1}(\underline{p}_{CP}(k, n, \alpha))` with the
    Clopper-Pearson twin (:func:`clopper_pearson_lower`, :func:`gaussian_radius`;
    :func:`max_radius` for ``k = n``), at least 0.

    Returns
    -------
    tuple
        ``(counts, radii, probabilities, abstain)``: the non-abstaining counts
        (ascending ints), their radii and probabilities (lists of mpf), and
        :math:`P[\text{abstain}]` (mpf).  Cost: one Clopper-Pearson solve per
        non-abstaining count (about 1 ms each at 50 digits).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        pp = _check_prob("p", p)
        s = _check_positive("sigma", sigma)
        al = _check_alpha(alpha)
    qq = _one_minus(pp)
    half = mpmath.mpf(1) / 2
    k0 = _plan_threshold(nn, half, half, al, dps + 10)
    wp = dps + 20 + len(str(nn))
    counts: list[int] = []
    radii: list[_MPF] = []
    probs: list[_MPF] = []
    abstain_terms = []
    for k in range(nn + 1):
        with mpmath.workdps(wp):
            prob = _plan_pmf(k, nn, pp, qq)
        if k < k0:
            abstain_terms.append(prob)
            continue
        if k == nn:
            rad = _plan_max_radius(nn, s, al, dps + 5)
        else:
            rad = gaussian_radius(_cp_lower(k, nn, al, dps + 10), s, dps=dps + 5)
        counts.append(k)
        radii.append(_round(max(rad, mpmath.mpf(0)), dps))
        probs.append(_round(prob, dps))
    with mpmath.workdps(wp):
        abstain = mpmath.fsum(abstain_terms)
    return counts, radii, probs, _round(abstain, dps)


def expected_radius(p: Any, n: Any, sigma: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""Expected CERTIFY radius, abstentions counted as 0 (full sum over all counts).

    .. math::

        E[R] = \sum_{k : \underline{p}_{CP}(k) \ge 1/2}
            \sigma\,\Phi^{-1}\bigl(\underline{p}_{CP}(k, n, \alpha)\bigr)
            \binom nk p^k (1-p)^{n-k}

    from :func:`radius_distribution`.

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    _counts, radii, probs, _abstain = radius_distribution(p, n, sigma, alpha, dps=dps + 5)
    with mpmath.workdps(dps + 10):
        v = mpmath.fsum(r * q for r, q in zip(radii, probs, strict=True))
    return _round(v, dps)


def abstain_probability(p: Any, n0: Any, n: Any, alpha: Any, *, dps: int = 50) -> _MPF:
    r"""Probability that CERTIFY abstains, selection step included (two classes).

    .. math::

        P = s\,P[\mathrm{Bin}(n, p) < k_0] + (1 - s)\,P[\mathrm{Bin}(n, 1-p) < k_0],
        \qquad s = \sum_{j \ge n_0 - j} \binom{n_0}{j} p^j (1-p)^{n_0-j},

    with :math:`k_0` the least count whose Clopper-Pearson bound reaches 1/2
    (:func:`threshold_count`); the selection ties go to the top class
    (:math:`j = n_0 - j`), ``n0 = 0`` means the top class is known (``s = 1``).
    Every probability is a direct sum of binomial terms (no incomplete beta),
    :math:`1 - s` its own sum; cost linear in ``n0 + n``.

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), CERTIFY.
    """
    dps = _check_dps(dps)
    nn0 = _to_int("n0", n0, 0)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        pp = _check_prob("p", p)
        al = _check_alpha(alpha)
    qq = _one_minus(pp)
    half = mpmath.mpf(1) / 2
    k0 = _plan_threshold(nn, half, half, al, dps + 10)
    with mpmath.workdps(dps + 20 + len(str(nn + nn0))):
        stay_top = mpmath.fsum(_plan_pmf(k, nn, pp, qq) for k in range(k0))
        stay_other = mpmath.fsum(_plan_pmf(k, nn, qq, pp) for k in range(k0))
        if nn0 == 0:
            sel_top, sel_other = mpmath.mpf(1), mpmath.mpf(0)
        else:
            sel = [_plan_pmf(j, nn0, pp, qq) for j in range(nn0 + 1)]
            sel_top = mpmath.fsum(sel[j] for j in range(nn0 + 1) if j >= nn0 - j)
            sel_other = mpmath.fsum(sel[j] for j in range(nn0 + 1) if j < nn0 - j)
        v = sel_top * stay_top + sel_other * stay_other
    return _round(v, dps)


def predict_min_n(alpha: Any, *, dps: int = 50) -> int:
    r"""Least ``n`` at which PREDICT can answer: the p-value of ``n`` unanimous votes.

    .. math::

        n_{\min} = \min\{n \ge 1 : \min(1, 2 \cdot 2^{-n}) \le \alpha\},

    decided exactly on the dyadic ``alpha`` (see :func:`binomial_test_pvalue`:
    :math:`2 P[\mathrm{Bin}(n, 1/2) \le 0] = 2^{1-n}`).  ``dps`` is accepted for
    uniformity (the answer is exact).

    References
    ----------
    Cohen, Rosenfeld & Kolter (2019), PREDICT.
    """
    _check_dps(dps)
    with mpmath.workdps(dps + 10):
        al = _check_alpha(alpha)
    fa = _fraction(al)
    n = 1
    while Fraction(2, 2**n) > fa:
        n += 1
    return n


# ------------------------------------------------------------------------ levels

#: Tie rules of the majority vote (see :mod:`rstheory.levels`).
LEVEL_TIES = ("lose", "win", "random")
#: ``majority_vote_probability(method="auto")`` sums exactly up to this many votes.
_VOTE_SUM_N = 400


def _check_ties(ties: Any) -> str:
    if isinstance(ties, str) and ties in LEVEL_TIES:
        return ties
    raise ValueError(f"ties must be one of 'lose', 'win', 'random', got {ties!r}")


def _check_pa(pa: Any) -> _MPF:
    v = _to_mpf("pa", pa)
    if not (0 < v < 1):
        raise ValueError(f"pa must lie in the open interval (0, 1), got {pa!r}")
    return v


def vote_shape(n: Any, ties: Any = "lose") -> tuple[int, int]:
    r"""Shape parameters :math:`(a, b)` of the ``n``-vote majority under a tie rule.

    .. math::

        P[\text{the class wins the vote}] = I_q(a, b) = P[\mathrm{Bin}(a+b-1, q) \ge a],

    with :math:`(a, b) = (\tilde n, \tilde n)`, :math:`\tilde n = (n+1)/2`, for
    odd ``n``, and for ``n = 2m``: ``(m+1, m)`` (``"lose"``), ``(m, m+1)``
    (``"win"``), ``(m, m)`` (``"random"``, the ``(2m-1)``-vote value).

    References
    ----------
    Maho, Furon & Le Merrer (2022), eq. (4).
    """
    nn = _to_int("n", n, 1)
    rule = _check_ties(ties)
    m = nn // 2
    if nn % 2 == 1:
        return m + 1, m + 1
    if rule == "lose":
        return m + 1, m
    if rule == "win":
        return m, m + 1
    return m, m


def majority_vote_probability(
    q: Any, n: Any, ties: Any = "lose", *, dps: int = 50, method: str = "auto"
) -> _MPF:
    r"""Probability that a class of single-vote probability ``q`` wins the ``n``-vote majority.

    With :math:`X \sim \mathrm{Bin}(n, q)` and :math:`n = 2m` when even,

    .. math::

        P = \begin{cases}
            P[X \ge (n+1)/2] & n \text{ odd}, \\
            P[X \ge m + 1] & \text{ties="lose"}, \\
            P[X \ge m] & \text{ties="win"}, \\
            P[X > m] + \tfrac12 P[X = m] & \text{ties="random"}.
        \end{cases}

    ``method="sum"`` evaluates these definitions as exact rational binomial
    sums at the exact double ``q`` (then rounds once to ``dps`` digits);
    ``method="beta"`` evaluates :math:`I_q(a, b)` with :func:`vote_shape` by
    the continued fraction (:func:`betainc`); ``"auto"`` (default) uses the
    sum for ``n <= 400`` and the continued fraction above.  The two methods
    share no code, so they check each other (and, for ``"random"``, the
    identity with the ``(n-1)``-vote value, which the sum does not assume).

    References
    ----------
    Maho, Furon & Le Merrer (2022), eq. (4).
    """
    dps = _check_dps(dps)
    rule = _check_ties(ties)
    nn = _to_int("n", n, 1)
    if method not in ("auto", "sum", "beta"):
        raise ValueError(f"method must be 'auto', 'sum' or 'beta', got {method!r}")
    with mpmath.workdps(dps + 10):
        qq = _check_prob("q", q)
    if qq == 0:
        return mpmath.mpf(0)
    if qq == 1:
        return mpmath.mpf(1)
    if method == "beta" or (method == "auto" and nn > _VOTE_SUM_N):
        a, b = vote_shape(nn, rule)
        return betainc(a, b, qq, dps=dps)
    x = _fraction(qq)
    m = nn // 2
    if nn % 2 == 1:
        num, den = _binom_upper_tail_exact(m + 1, nn, x)
    elif rule == "lose":
        num, den = _binom_upper_tail_exact(m + 1, nn, x)
    elif rule == "win":
        num, den = _binom_upper_tail_exact(m, nn, x)
    else:
        # (P[X >= m+1] + P[X >= m]) / 2 = P[X > m] + P[X = m] / 2; both
        # numerators are over the same denominator den = (denominator of q)**n
        num1, den = _binom_upper_tail_exact(m + 1, nn, x)
        num0, _den = _binom_upper_tail_exact(m, nn, x)
        num, den = num1 + num0, 2 * den
    with mpmath.workdps(dps + 10):
        v = mpmath.mpf(num) / mpmath.mpf(den)
    return _round(v, dps)


def _level_roots(pa: _MPF, nn: int, rule: str, dps: int) -> tuple[_MPF, _MPF]:
    """``(q*, pi0* = 1 - q*)`` with ``I_{q*}(a, b) = pa``, each to ``dps`` digits."""
    a, b = vote_shape(nn, rule)
    if a == b and pa == mpmath.mpf(1) / 2:
        half = mpmath.mpf(1) / 2
        return half, half
    return _solve_beta_quantile(mpmath.mpf(a), mpmath.mpf(b), pa, dps)


def level_threshold(pa: Any, n: Any, ties: Any = "lose", *, dps: int = 50) -> _MPF:
    r"""Largest :math:`\pi_0` at which a point is a level-:math:`P_a` adversarial example.

    .. math::

        \pi_0^* = 1 - q^*, \qquad I_{q^*}(a, b) = P_a,

    with :math:`(a, b)` from :func:`vote_shape`; for odd ``n`` the paper's
    :math:`1 - I^{-1}_{P_a}(\tilde n, \tilde n)`.  Solved to ``dps`` digits by
    the safeguarded Newton iteration in :math:`\operatorname{logit} q` of the
    Clopper-Pearson twins (the root of the tail with no cancellation), which
    returns :math:`q^*` and :math:`1 - q^*` each at full relative precision;
    no closed form is used (``n = 1, 2`` included), so the kernel's closed
    forms are checked independently.  Exactly 1/2 when ``a == b`` and
    ``pa = 1/2``.

    References
    ----------
    Maho, Furon & Le Merrer (2022), eq. (5).
    """
    dps = _check_dps(dps)
    rule = _check_ties(ties)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        p = _check_pa(pa)
    return _level_roots(p, nn, rule, dps)[1]


def level_distance_bound(
    radius: Any, pa: Any, n: Any, sigma: Any, ties: Any = "lose", *, dps: int = 50
) -> _MPF:
    r"""Lower bound on the distance of a level-:math:`P_a` adversarial example.

    .. math::

        \|x_o - x_a\| \ge R + \sigma\,\Phi^{-1}(q^*) = R - \sigma\,\Phi^{-1}(\pi_0^*),

    with :math:`q^* = 1 - \pi_0^*` from :func:`level_threshold`; the quantile
    is taken of the smaller of :math:`q^*` and :math:`\pi_0^*`.  ``+-inf``
    when ``radius`` is.

    References
    ----------
    Maho, Furon & Le Merrer (2022), eq. (6); Cohen, Rosenfeld & Kolter (2019).
    """
    dps = _check_dps(dps)
    rule = _check_ties(ties)
    nn = _to_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        r = _to_mpf("radius", radius)
        p = _check_pa(pa)
        s = _check_positive("sigma", sigma)
    if mpmath.isinf(r):
        return r
    q, pi0 = _level_roots(p, nn, rule, dps + 10)
    z = _ndtri_mp(q, dps + 10) if q <= pi0 else -_ndtri_mp(pi0, dps + 10)
    with mpmath.workdps(dps + 10):
        v = r + s * z
    return _round(v, dps)


# --------------------------------------------------------------------------- SORM (sorm.py)


def _curvature_list(name: str, values: Any) -> list[_MPF]:
    seq = [values] if isinstance(values, numbers.Real) else list(values)
    return [_to_mpf(name, v) for v in seq]


def _sorm_mp(method: str, beta: _MPF, kappa: list[_MPF]) -> _MPF:
    """The approximation at the working precision (``inf`` where it breaks down)."""
    tail = mpmath.ncdf(-beta)
    if method == "form":
        return tail
    if method == "hohenbichler":
        psi = mpmath.npdf(beta) / tail
        factors = [1 + k * psi for k in kappa]
        if any(f <= 0 for f in factors):
            return mpmath.inf
        return tail * mpmath.fprod(f ** mpmath.mpf(-0.5) for f in factors)
    f0 = [1 + beta * k for k in kappa]
    if any(f <= 0 for f in f0):
        return mpmath.inf
    b0 = mpmath.fprod(f ** mpmath.mpf(-0.5) for f in f0)
    if method == "breitung":
        return tail * b0
    f1 = [1 + (beta + 1) * k for k in kappa]
    if any(f <= 0 for f in f1):
        return mpmath.inf
    b1 = mpmath.fprod(f ** mpmath.mpf(-0.5) for f in f1)
    b2 = mpmath.re(mpmath.fprod(mpmath.sqrt(1 + (beta + 1j) * k) ** -1 for k in kappa))
    d = beta * tail - mpmath.npdf(beta)
    value = tail * b0 + d * (b0 - b1) + (beta + 1) * d * (b0 - b2)
    return value if value > 0 else mpmath.inf


def sorm(beta: Any, curvatures: Any, method: str = "breitung", *, dps: int = 50) -> _MPF:
    r"""FORM and SORM approximations (twin of :func:`rstheory.sorm.sorm`).

    ``method`` is ``"form"`` (:math:`\Phi(-\beta)`), ``"breitung"``
    (:math:`\Phi(-\beta)\prod(1+\beta\kappa_i)^{-1/2}`), ``"hohenbichler"``
    (:math:`\beta` replaced by :math:`\varphi(\beta)/\Phi(-\beta)` in the product) or
    ``"tvedt"`` (three terms, principal square roots, the products evaluated
    as written); ``inf`` where a factor is :math:`\le 0` or Tvedt's sum is.

    References
    ----------
    Breitung (1984); Hohenbichler et al. (1987); Tvedt (1984).
    """
    dps = _check_dps(dps)
    if method not in ("form", "breitung", "hohenbichler", "tvedt"):
        raise ValueError(f"method must be form, breitung, hohenbichler or tvedt, got {method!r}")
    with mpmath.workdps(dps + 20):
        b = _to_mpf("beta", beta)
        kappa = _curvature_list("curvatures", curvatures)
        v = _sorm_mp(method, b, kappa)
    return _round(v, dps)


def _paraboloid_mp(beta: _MPF, kappa: list[_MPF], offsets: list[_MPF], dps: int) -> _MPF:
    """Gil-Pelaez inversion on the real axis with enough digits for the cancellation."""
    # P[Q >= beta] = 1/2 + (1/pi) int_0^inf Im[exp(-iu beta) phi_Q(u)] / u du.  A small upper
    # tail loses its size in digits to the 1/2: the working precision grows until the result
    # keeps dps + 10 digits.  Equal (kappa, m) pairs are grouped (a power of one factor).
    groups: dict[tuple[_MPF, _MPF], int] = {}
    for k, m in zip(kappa, offsets, strict=True):
        groups[(k, m)] = groups.get((k, m), 0) + 1
    scale = abs(beta) + sum(abs(k) * (1 + m * m) * c for (k, m), c in groups.items()) / 2
    wp = dps + 20
    while True:
        with mpmath.workdps(wp):

            def integrand(u: Any) -> Any:
                if u == 0:
                    return -(beta + sum(k * (1 + m * m) * c for (k, m), c in groups.items()) / 2)
                s = -u * u / 2 - 1j * u * beta
                for (k, m), c in groups.items():
                    z = 1 + 1j * u * k
                    s += c * (-mpmath.log(z) / 2 - 1j * u * k * m * m / (2 * z))
                return mpmath.im(mpmath.exp(s)) / u

            top = mpmath.sqrt(2 * (wp + 10) * mpmath.log(10))
            step = min(mpmath.pi / max(1, scale), mpmath.mpf(1))
            points = [mpmath.mpf(0)]
            while points[-1] < top:
                points.append(points[-1] + step)
            value = mpmath.mpf(1) / 2 + mpmath.quad(integrand, points) / mpmath.pi
            lost = -int(mpmath.floor(mpmath.log10(abs(value)))) if value != 0 else wp
            if wp - lost >= dps + 15:
                return value
            wp = lost + dps + 25


def _paraboloid_equal_mp(beta: _MPF, kappa: _MPF, m: int, dps: int) -> _MPF:
    """:math:`E[\\Phi(-\\beta - \\kappa T^2/2)]`, :math:`T = \\sqrt{\\chi^2_m}`, by quadrature.

    The log-integrand :math:`(m-1)\\log t - t^2/2 + \\log\\Phi(-\\beta - \\kappa t^2/2)` is
    concave in ``t`` (for either sign of kappa), so its peak is found by bisection on the
    slope; the integrand is divided by its peak value (mpmath's quadrature tolerance is
    absolute) and integrated over panels one curvature-width wide until it has dropped by
    ``dps + 10`` digits on both sides.
    """
    h = mpmath.mpf(m) / 2
    log_c = (1 - h) * mpmath.log(2) - mpmath.loggamma(h)

    def log_f(t: Any) -> Any:
        return (
            log_c
            + (m - 1) * mpmath.log(t)
            - t * t / 2
            + mpmath.log(mpmath.ncdf(-beta - kappa * t * t / 2))
        )

    def slope(t: Any) -> Any:
        a = beta + kappa * t * t / 2
        return (m - 1) / t - t - kappa * t * mpmath.npdf(a) / mpmath.ncdf(-a)

    lo, hi = mpmath.mpf(0), mpmath.mpf(1)
    while slope(hi) > 0:
        lo, hi = hi, 2 * hi
    for _ in range(100):  # the peak is 0 when m = 1 and kappa >= 0
        if hi - lo <= mpmath.mpf(10) ** -12 * hi:
            break
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
    peak = (lo + hi) / 2
    top = log_f(peak)
    e = peak * mpmath.mpf(10) ** -8
    width = 1 / mpmath.sqrt(max(-(slope(peak + e) - slope(peak - e)) / (2 * e), 1 / (1 + peak**2)))
    width /= 2
    drop = top - (dps + 10) * mpmath.log(10)
    points = [peak]
    while points[0] > 0 and (points[0] - width <= 0 or log_f(points[0] - width) >= drop):
        points.insert(0, max(points[0] - width, mpmath.mpf(0)))
    if points[0] > 0:
        points.insert(0, points[0] - width)
    points.append(peak + width)
    while log_f(points[-1]) >= drop:
        points.append(points[-1] + width)

    def f(t: Any) -> Any:
        if t > 0:
            return mpmath.exp(log_f(t) - top)
        return mpmath.exp(log_c - top) * mpmath.ncdf(-beta) if m == 1 else mpmath.mpf(0)

    return mpmath.quad(f, points) * mpmath.exp(top)


def _paraboloid_any_mp(beta: _MPF, kappa: list[_MPF], offsets: list[_MPF], dps: int) -> _MPF:
    """The chi-square mixture for equal curvatures on the axis, Gil-Pelaez otherwise."""
    if kappa and all(k == kappa[0] for k in kappa) and not any(offsets):
        with mpmath.workdps(dps + 20):
            return _paraboloid_equal_mp(beta, kappa[0], len(kappa), dps)
    return _paraboloid_mp(beta, kappa, offsets, dps)


def paraboloid_probability(
    beta: Any, curvatures: Any, *, offsets: Any = None, dps: int = 50
) -> _MPF:
    r"""Exact :math:`P[N_d \ge \beta + \frac12\sum_i\kappa_i(m_i + N_i)^2]` (twin).

    Gil-Pelaez inversion of the characteristic function of
    :math:`Q = N_d - \frac12\sum\kappa_i(m_i + N_i)^2`,

    .. math::

        \phi_Q(u) = e^{-u^2/2} \prod_i (1 + iu\kappa_i)^{-1/2}
        \exp\Big(-\frac{iu\kappa_i m_i^2}{2(1 + iu\kappa_i)}\Big),

    :math:`P[Q \ge \beta] = \frac12 + \frac1\pi\int_0^\infty
    \operatorname{Im}[e^{-iu\beta}\phi_Q(u)]/u\,du` (Gil-Pelaez 1951; Imhof
    1961), by tanh-sinh quadrature on the *real* axis (an independent method
    from the saddle-point contour of the kernel), with the working precision
    raised by the number of digits the small tail loses to the 1/2.  With
    equal curvatures and no offsets (the rotationally symmetric paraboloid,
    any dimension) it is instead the chi-square mixture
    :math:`E[\Phi(-\beta - \kappa\chi^2_{d-1}/2)]`, one positive integral
    without cancellation.

    References
    ----------
    J. Gil-Pelaez, "Note on the inversion theorem", Biometrika 38, 1951.
    J. P. Imhof, "Computing the distribution of quadratic forms in normal
    variables", Biometrika 48, 1961.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 20):
        b = _to_mpf("beta", beta)
        kappa = _curvature_list("curvatures", curvatures)
        m = [mpmath.mpf(0)] * len(kappa) if offsets is None else _curvature_list("offsets", offsets)
    if len(m) != len(kappa):
        raise ValueError(f"offsets must have {len(kappa)} entries, got {len(m)}")
    return _round(_paraboloid_any_mp(b, kappa, m, dps), dps)


def _chi2_ball_mp(rho: _MPF, radius: _MPF, d: int) -> _MPF:
    """:math:`P[\\|\\rho e_1 + N\\| \\le r]` in ``d`` dimensions by a 1-D integral."""
    if d == 1:
        return mpmath.ncdf(radius - rho) - mpmath.ncdf(-radius - rho)

    def inner(z: Any) -> Any:
        rest = radius * radius - (rho + z) ** 2
        if rest <= 0:
            return mpmath.mpf(0)
        return mpmath.npdf(z) * mpmath.gammainc(
            mpmath.mpf(d - 1) / 2, 0, rest / 2, regularized=True
        )

    return mpmath.quad(inner, mpmath.linspace(-rho - radius, -rho + radius, 9))


def smoothed_frontier_offset(
    curvatures: Any, sigma: Any = 1.0, method: str = "exact", *, dps: int = 30
) -> _MPF:
    r"""Offset of the smoothed frontier :math:`\pi_0 = 1/2` along the normal (twin).

    ``"exact"``: :math:`-\sigma\,\mathrm{median}(Q)` for the paraboloid, by
    root finding on the Gil-Pelaez CDF; ``"sphere"``: the radius
    :math:`\rho` with :math:`P[\|\rho e_1 + \sigma N\| \le R] = 1/2` (1-D
    integral of the central chi-square CDF), offset :math:`R - \rho`
    (:math:`\kappa > 0`) or :math:`\rho - R` (:math:`\kappa < 0`), ``+-inf``
    when no such :math:`\rho` exists; SORM methods: the root of
    :math:`\mathrm{SORM}(-s/\sigma, \sigma\kappa) = 1/2` nearest to 0.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 15):
        s = _check_positive("sigma", sigma)
        kappa = [k * s for k in _curvature_list("curvatures", curvatures)]
        half = mpmath.mpf(1) / 2
        if method == "exact":
            zeros = [mpmath.mpf(0)] * len(kappa)
            mean = -sum(kappa) / 2
            sd = mpmath.sqrt(1 + sum(k * k for k in kappa) / 2)
            med = mpmath.findroot(
                lambda b: _paraboloid_any_mp(b, kappa, zeros, dps) - half,
                (mean - 1.01 * sd, mean + 1.01 * sd),
                solver="anderson",
            )
            v = -s * med
        elif method == "sphere":
            k0 = kappa[0]
            if any(k != k0 for k in kappa) or k0 == 0:
                raise ValueError("curvatures: method='sphere' needs equal, nonzero curvatures")
            d = len(kappa) + 1
            r = 1 / abs(k0)
            if _chi2_ball_mp(mpmath.mpf(0), r, d) < half:
                return mpmath.inf if k0 > 0 else mpmath.ninf
            rho = mpmath.findroot(
                lambda t: _chi2_ball_mp(t, r, d) - half, (mpmath.mpf(0), r), solver="anderson"
            )
            v = s * ((r - rho) if k0 > 0 else (rho - r))
        elif method in ("breitung", "hohenbichler", "tvedt"):
            if _sorm_mp(method, mpmath.mpf(0), kappa) == half:
                return mpmath.mpf(0)
            root = mpmath.findroot(lambda b: _sorm_mp(method, b, kappa) - half, mpmath.mpf(0))
            v = -s * root
        else:
            raise ValueError(f"unknown method {method!r}")
    return _round(v, dps)


# --------------------------------------------------------------------------- classifiers


def _ncx2_terms_guard(y: _MPF, a: _MPF, mu: _MPF) -> int:
    """Guard digits for the Poisson and gamma densities at these sizes."""
    size = 1 + abs(y) + abs(a) + abs(mu)
    return 20 + int(math.ceil(math.log10(float(size) + 1.0)))


def _log_density_mp(a: _MPF, y: _MPF) -> _MPF:
    """:math:`\\log(y^a e^{-y}/\\Gamma(a+1))` (a Poisson pmf at integer ``a``)."""
    return a * mpmath.log(y) - y - mpmath.loggamma(a + 1)


def _gamma_ratio_series_mp(s: _MPF, y: _MPF) -> _MPF:
    """:math:`\\sum_{k \\ge 0} \\prod_{i=1}^k y/(s+i) = P(s, y)/D(s, y)`, for ``y < s``."""
    eps = mpmath.eps
    total = term = mpmath.mpf(1)
    k = 0
    while True:
        k += 1
        term = term * y / (s + k)
        total += term
        if term * y <= eps * total * (s + k + 1 - y):
            return total


def _gamma_ratio_fraction_mp(s: _MPF, y: _MPF) -> _MPF:
    """:math:`Q(s, y)/D(s, y)` for ``y >= s``: Legendre's continued fraction (modified Lentz)."""
    eps = mpmath.eps
    tiny = mpmath.mpf(2) ** (-2 * mpmath.mp.prec - 100)
    b = y + 1 - s
    c = 1 / tiny
    d = 1 / b
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - s)
        b += 2
        d = an * d + b
        if d == 0:
            d = tiny
        c = b + an / c
        if c == 0:
            c = tiny
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) <= eps:
            return s * h


def _gamma_p_mp(s: _MPF, y: _MPF) -> _MPF:
    """Regularized lower incomplete gamma function :math:`P(s, y)`.

    The smaller tail directly (the series for ``y < s``, the continued
    fraction of :math:`Q` for ``y >= s``), the other as its complement;
    ``mpmath.gammainc`` is not used: its hypergeometric series does not
    converge for large non-integer ``s`` near ``y = s``.
    """
    if y < s:
        return mpmath.exp(_log_density_mp(s, y)) * _gamma_ratio_series_mp(s, y)
    return 1 - _gamma_q_mp(s, y)


def _gamma_q_mp(s: _MPF, y: _MPF) -> _MPF:
    """Regularized upper incomplete gamma function :math:`Q(s, y) = 1 - P(s, y)`."""
    if y >= s:
        return mpmath.exp(_log_density_mp(s, y)) * _gamma_ratio_fraction_mp(s, y)
    return 1 - _gamma_p_mp(s, y)


def _poisson_tail_mp(k: int, mu: _MPF, upper: bool) -> _MPF:
    """:math:`P[\\mathrm{Pois}(\\mu) > k]` (``upper``) or :math:`P[\\mathrm{Pois}(\\mu) \\le k]`."""
    if k < 0:
        return mpmath.mpf(1) if upper else mpmath.mpf(0)
    if upper:
        return _gamma_p_mp(mpmath.mpf(k + 1), mu)
    return _gamma_q_mp(mpmath.mpf(k + 1), mu)


def _ncx2_series_mp(y: _MPF, a: _MPF, mu: _MPF, upper: bool, dps: int) -> _MPF:
    """Poisson mixture :math:`\\sum_j w_j T(a + j, y)` by the stable gamma recurrence.

    ``T`` is the regularized lower (``upper=False``) or upper incomplete gamma
    function, ``w_j`` the Poisson(``mu``) weights.  The lower tail runs down
    from ``j1`` (above which the mixture is below ``10**-(dps+10)`` of the
    sum: :math:`\\sum_{j>j_1} \\le P(a+j_1, y)\\,P[\\mathrm{Pois} > j_1]`)
    with :math:`P(s-1, y) = P(s, y) + D(s-1, y)`; the upper tail runs up
    from ``j0`` with :math:`Q(s+1, y) = Q(s, y) + D(s, y)`
    (:math:`D(s, y) = y^s e^{-y}/\\Gamma(s+1)`): sums of positive terms, no
    cancellation.  The walk stops where a Poisson tail bound on the rest is
    below ``10**-(dps+10)`` of the sum.
    """
    tol = mpmath.mpf(10) ** -(dps + 10)
    spread = mpmath.sqrt(mu) + 1
    k = 1.5 * math.sqrt(2 * math.log(10) * (dps + 12))
    while True:
        if not upper:
            j1 = int(mpmath.ceil(mu + k * spread + k * k))
            j = j1
            t = _gamma_p_mp(a + j, y)
            d = mpmath.exp(_log_density_mp(a + j, y))
            w = mpmath.exp(_log_density_mp(mpmath.mpf(j), mu))
            neglected = t * _poisson_tail_mp(j1, mu, True)
            total = w * t
            t_zero = _gamma_p_mp(a, y)  # the largest P(a + i, y)
            while j > 0:
                d = d * (a + j) / y  # D(a + j - 1)
                t = t + d  # P(a + j - 1)
                w = w * j / mu
                j -= 1
                total += w * t
                if j > 0 and j - 1 < mu:
                    rest = t_zero * w * (j / mu) / (1 - (j - 1) / mu)
                    if rest <= tol * total:
                        break
        else:
            j0 = max(0, int(mpmath.floor(mu - k * spread - k * k)))
            j = j0
            t = _gamma_q_mp(a + j, y)
            d = mpmath.exp(_log_density_mp(a + j, y))
            w = mpmath.exp(_log_density_mp(mpmath.mpf(j), mu))
            total = w * t
            neglected = t * _poisson_tail_mp(j0 - 1, mu, False)
            while True:
                t = t + d  # Q(a + j + 1)
                d = d * y / (a + j + 1)
                j += 1
                w = w * mu / j
                total += w * t
                if j + 1 > mu:
                    rest = w * (mu / (j + 1)) / (1 - mu / (j + 2))
                    if rest <= tol * total:
                        break
        if neglected <= tol * total:
            return total
        k *= 2


def _ncx2_quad_mp(x: _MPF, df: _MPF, nc: _MPF, upper: bool) -> _MPF:
    """The same tail as a 1-D integral over the noise along the offset.

    :math:`\\chi'^2_{df}(\\lambda) = (\\sqrt\\lambda + Z)^2 + \\chi^2_{df-1}`:
    :math:`P[\\le x] = \\int_{|\\sqrt\\lambda + z| < \\sqrt x}
    \\varphi(z)\\,P(\\tfrac{df-1}2, \\tfrac{x - (\\sqrt\\lambda+z)^2}2)\\,dz`, by
    tanh-sinh quadrature on 24 pieces with ``mpmath.gammainc`` (an
    independent check of the series, for ``df`` up to a few hundred).
    """
    s = mpmath.sqrt(nc)
    r = mpmath.sqrt(x)
    lo, hi = -r - s, r - s
    outside = mpmath.ncdf(lo) + mpmath.ncdf(-hi) if upper else mpmath.mpf(0)
    if df == 1:
        return outside if upper else mpmath.ncdf(hi) - mpmath.ncdf(lo)
    h = (df - 1) / 2

    def inner(z: Any) -> Any:
        rest = (x - (s + z) ** 2) / 2
        if rest <= 0:
            return mpmath.mpf(0) if not upper else mpmath.npdf(z)
        if upper:
            return mpmath.npdf(z) * mpmath.gammainc(h, rest, mpmath.inf, regularized=True)
        return mpmath.npdf(z) * mpmath.gammainc(h, 0, rest, regularized=True)

    return outside + mpmath.quad(inner, mpmath.linspace(lo, hi, 25))


def noncentral_chi2_cdf(
    x: Any,
    df: Any,
    nc: Any,
    *,
    complement: bool = False,
    method: str = "series",
    dps: int = 50,
) -> _MPF:
    r"""Noncentral chi-square CDF :math:`P[\chi'^2_{df}(\lambda) \le x]` (or its complement).

    Twin of :func:`rstheory.classifiers.ncx2_log_tails_kernel`.  ``method``:

    * ``"series"`` (default): the Poisson mixture
      :math:`\sum_j e^{-\lambda/2}\frac{(\lambda/2)^j}{j!} P(\tfrac{df}2 + j, \tfrac x2)`
      (``Q`` for the complement), summed by the stable recurrence of the
      regularized incomplete gamma function with a Poisson tail bound on the
      neglected terms (:func:`_ncx2_series_mp`);
    * ``"quad"``: tanh-sinh quadrature of the conditional central chi-square
      CDF over the noise along the offset, with mpmath's own incomplete gamma
      function (an independent method, for ``df`` up to a few hundred).

    Both tails are computed directly, so a tail of ``1e-300`` (or far below the
    smallest double) keeps its relative accuracy.

    References
    ----------
    N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
    Distributions*, vol. 2, 2nd ed., ch. 29 (the Poisson mixture).
    """
    dps = _check_dps(dps)
    if method not in ("series", "quad"):
        raise ValueError(f"method must be 'series' or 'quad', got {method!r}")
    with mpmath.workdps(dps + 20):
        xx = _to_mpf("x", x)
        f = _check_positive("df", df)
        lam = _to_mpf("nc", nc)
        if lam < 0 or mpmath.isinf(lam):
            raise ValueError(f"nc must be finite and >= 0, got {nc!r}")
        if xx <= 0:
            return _round(mpmath.mpf(1 if complement else 0), dps)
        if mpmath.isinf(xx):
            return _round(mpmath.mpf(0 if complement else 1), dps)
        guard = _ncx2_terms_guard(xx, f, lam)
    with mpmath.workdps(dps + guard):
        if method == "quad":
            v = _ncx2_quad_mp(xx, f, lam, complement)
        elif lam == 0:
            h = f / 2
            v = _gamma_q_mp(h, xx / 2) if complement else _gamma_p_mp(h, xx / 2)
        else:
            v = _ncx2_series_mp(xx / 2, f / 2, lam / 2, complement, dps)
    return _round(v, dps)


def _vector_mp(name: str, values: Any) -> list[_MPF]:
    return [_to_mpf(name, v) for v in (values.tolist() if hasattr(values, "tolist") else values)]


def _vector_and_point_mp(name: str, values: Any, x: Any, sigma: Any) -> tuple[Any, ...]:
    """``values`` and ``x`` as mpf lists of equal length, and ``sigma`` (> 0)."""
    v = _vector_mp(name, values)
    p = _vector_mp("x", x)
    if len(v) != len(p):
        raise ValueError(f"x must have {len(v)} coordinates, got {len(p)}")
    return v, p, _check_positive("sigma", sigma)


def ball_probability(
    center: Any, radius: Any, x: Any, sigma: Any, *, complement: bool = False, dps: int = 50
) -> _MPF:
    r""":math:`P[\|x + \sigma N - c\| \le R]` (twin of ``Ball.probability``).

    The noncentral chi-square CDF :func:`noncentral_chi2_cdf` at
    :math:`R^2/\sigma^2` with ``d`` degrees of freedom and noncentrality
    :math:`\|x - c\|^2/\sigma^2`, the squares summed exactly from the double
    inputs; ``complement=True`` gives the probability of the outside.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 30):
        c, p, s = _vector_and_point_mp("center", center, x, sigma)
        r = _check_positive("radius", radius)
        dist2 = mpmath.fsum((pi - ci) ** 2 for pi, ci in zip(p, c, strict=True)) / (s * s)
        r2 = r * r / (s * s)
        v = noncentral_chi2_cdf(r2, len(c), dist2, complement=complement, dps=dps + 10)
    return _round(v, dps)


def linear_probability(w: Any, b: Any, x: Any, sigma: Any, *, dps: int = 50) -> _MPF:
    r""":math:`P[w\cdot(x + \sigma N) + b \ge 0] = \Phi\big((w\cdot x + b)/(\sigma\|w\|)\big)`.

    Twin of :meth:`rstheory.classifiers.Linear.probability`, the dot product
    and the norm summed exactly from the double inputs.  The probability of
    the other side is ``linear_probability(-w, -b, x, sigma)``.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 30):
        ww, p, s = _vector_and_point_mp("w", w, x, sigma)
        bb = _to_mpf("b", b)
        norm = mpmath.sqrt(mpmath.fsum(v * v for v in ww))
        if norm == 0:
            raise ValueError("w must not be zero")
        t = (mpmath.fsum(wi * pi for wi, pi in zip(ww, p, strict=True)) + bb) / (s * norm)
        v = mpmath.ncdf(t)
    return _round(v, dps)


def sphere_probability(beta: Any, curvature: Any, d: Any, *, dps: int = 50) -> _MPF:
    r"""Probability beyond a sphere of signed curvature ``curvature`` (twin).

    Twin of :func:`rstheory.sorm.sphere_probability`: with :math:`R = 1/|\kappa|`,
    :math:`P[\chi'^2_d((R + \beta)^2) \le R^2]` for :math:`\kappa > 0` (the far
    class is the ball), :math:`P[\chi'^2_d((R - \beta)^2) > R^2]` for
    :math:`\kappa < 0` (the far class is the outside), :math:`\Phi(-\beta)` for
    :math:`\kappa = 0`, by :func:`noncentral_chi2_cdf`; requires
    :math:`1 + \beta\kappa > 0`.
    """
    dps = _check_dps(dps)
    dim = _to_int("d", d, 2)
    with mpmath.workdps(dps + 20):
        b = _to_mpf("beta", beta)
        k = _to_mpf("curvature", curvature)
        if mpmath.isinf(b) or mpmath.isinf(k):
            raise ValueError("beta and curvature must be finite")
        if k == 0:
            return _round(mpmath.ncdf(-b), dps)
        if 1 + b * k <= 0:
            raise ValueError("beta, curvature: need 1 + beta * curvature > 0")
        radius = 1 / abs(k)
        centre = radius + b if k > 0 else radius - b
        v = noncentral_chi2_cdf(
            radius * radius, dim, centre * centre, complement=k < 0, dps=dps + 10
        )
    return _round(v, dps)


def linear_normal_cosine(
    n: Any, ratio: Any, dim: Any, queries: Any, ties: Any = "lose", *, dps: int = 30
) -> _MPF:
    r"""Twin of :func:`rstheory.simulate.linear_normal_cosine` (mpmath quadrature).

    The moments :math:`m = E[\phi]`, :math:`c = E[\phi s]`, :math:`w = E[\phi s^2]`
    of :math:`\phi = 2 P_{\text{win}}(\Phi(r s), n) - 1`, :math:`s \sim \mathcal N(0, 1)`,
    by ``mpmath.quad`` split at 0 and :math:`\pm 1` (the vote probability from the
    closed-form binomial sum of :func:`majority_vote_probability`, ``method="beta"``), then

    .. math::

        \frac{c}{\sqrt{c^2 + ((d - 1)(1 - m^2) + 1 + m^2 - 2 m w - c^2)/B}}.
    """
    dps = _check_dps(dps)
    nn = _to_int("n", n, 1)
    d = _to_int("dim", dim, 1)
    b = _to_int("queries", queries, 2)
    with mpmath.workdps(dps + 10):
        r = mpmath.mpf(ratio)

        def phi(x: Any) -> Any:
            q = mpmath.ncdf(r * x)
            p = majority_vote_probability(q, nn, ties, dps=dps + 5, method="beta")
            return 2 * p - 1

        def moment(k: int) -> Any:
            def f(x: Any) -> Any:
                return phi(x) * x**k * mpmath.npdf(x)

            return mpmath.quad(f, [-40, -1, 0, 1, 40])

        m, c, w = moment(0), moment(1), moment(2)
        v = 1 + m * m - 2 * m * w - c * c
        v = v if v > 0 else mpmath.mpf(0)
        out = c / mpmath.sqrt(c * c + ((d - 1) * (1 - m * m) + v) / b)
    return +out
