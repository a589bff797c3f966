"""Level-Pa adversarial examples of the practical smoothed classifier (Maho et al. 2022).

The smoothed classifier that is actually run, :math:`g_{\\sigma,n}`, takes a
majority vote of ``n`` noisy votes of the base classifier; Maho, Furon & Le
Merrer (ICASSP 2022, eq. 4-6) call :math:`x_a` a *level-*:math:`P_a`
adversarial example of :math:`x_o` when

.. math::

    P\\left[g_{\\sigma,n}(x_a) \\ne g_\\sigma(x_o)\\right] \\ge P_a .

In the binary case every vote goes to the original class with probability
:math:`\\pi_0` (the smoothed probability of that class at :math:`x_a`) and to
the other class with :math:`q = 1 - \\pi_0`, and the attack succeeds when the
other class wins the vote.  This module gives

* :func:`majority_vote_probability`: the probability that a class of
  single-vote probability ``q`` wins the majority of ``n`` votes, under a tie
  rule;
* :func:`level_threshold`: the largest :math:`\\pi_0` at which :math:`x_a` is
  a level-:math:`P_a` adversarial example;
* :func:`level_distance_bound`: the paper's eq. (6), a lower bound on the
  distance :math:`\\|x_o - x_a\\|` of any level-:math:`P_a` adversarial
  example.

Every case of the vote is one regularized incomplete beta function,
:math:`P[\\mathrm{Bin}(a+b-1, q) \\ge a] = I_q(a, b)`, with the shape
parameters of :func:`vote_shape`:

=============  ====================  ==========================================
``n``          ``ties``              :math:`(a, b)`
=============  ====================  ==========================================
odd            any (no ties)         :math:`(\\tilde n, \\tilde n)`,
                                     :math:`\\tilde n = (n+1)/2`
even, ``2m``   ``"lose"`` (default)  :math:`(m+1, m)`: a strict majority
even, ``2m``   ``"win"``             :math:`(m, m+1)`: half the votes suffice
even, ``2m``   ``"random"``          :math:`(m, m)`: the ``(2m-1)``-vote value
=============  ====================  ==========================================

Three tiers (DESIGN.md): scalar kernels ``*_kernel`` (``@njit``, no checks,
callable from a user's own ``@njit`` code; the tie rule is an integer code,
:data:`TIES_LOSE`, :data:`TIES_WIN` or :data:`TIES_RANDOM`), array kernels
``*_array`` (serial loops over equal-length 1-D float64 arrays) and the
validating, broadcasting public wrappers.  Measured per element: 0.05-0.2 us
for the probability, 0.7-3 us for the threshold and 1-5 us for the distance
bound at ``n <= 1000``, 18 and 31 us at ``n = 1e6``; a ``prange`` variant
gained only 1.1-1.6x on 1e5 elements on a 2-core machine, so there is none.

Soundness
---------
:func:`level_threshold` is rounded *up* (never below the exact threshold for
the same double inputs): "every level-:math:`P_a` adversarial example has
:math:`\\pi_0 \\le` the returned value" is then a true statement, and it is the
direction that keeps :func:`level_distance_bound`, a *lower* bound on a
distance, sound: a larger :math:`\\pi_0^*` gives a smaller bound.  The bound
itself is never above the exact value of eq. (6) for the same double inputs.
:func:`majority_vote_probability` is a plain (nearest-style) evaluation, not a
bound.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rstheory._beta import beta_quantile
from rstheory._jit import jit
from rstheory._special import betainc, ndtri
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
from rstheory.radius import _down

__all__ = [
    "TIES_LOSE",
    "TIES_WIN",
    "TIES_RANDOM",
    "TIES",
    "ties_code",
    "vote_shape",
    "majority_vote_probability",
    "level_threshold",
    "level_distance_bound",
    "majority_vote_probability_kernel",
    "level_threshold_kernel",
    "level_distance_bound_kernel",
    "majority_vote_probability_array",
    "level_threshold_array",
    "level_distance_bound_array",
]

#: Tie code: on a tie the attacked class keeps the vote (the default).
TIES_LOSE = 0
#: Tie code: on a tie the attacker's class takes the vote.
TIES_WIN = 1
#: Tie code: a fair coin decides a tie.
TIES_RANDOM = 2
#: The tie rules accepted by the public functions, by name.
TIES: dict[str, int] = {"lose": TIES_LOSE, "win": TIES_WIN, "random": TIES_RANDOM}

_EPS = 2.220446049250313e-16  # 2**-52
_TINY = 5e-324  # 2**-1074
_HALF_ULP_BELOW_ONE = 2.0**-53  # spacing of the doubles in [1/2, 1)


def ties_code(ties: Any) -> int:
    """The integer code of a tie rule (``"lose"``, ``"win"`` or ``"random"``).

    Raises
    ------
    ValueError
        If ``ties`` is not one of those strings; the message names ``ties``.

    Examples
    --------
    >>> from rstheory.levels import ties_code, TIES_WIN
    >>> ties_code("win") == TIES_WIN
    True
    """
    if isinstance(ties, str) and ties in TIES:
        return TIES[ties]
    raise ValueError(f"ties must be one of 'lose', 'win', 'random', got {ties!r}")


# --------------------------------------------------------------------------- scalar kernels


@jit
def vote_shape(n: float, ties: int) -> tuple[float, float]:
    """Shape parameters ``(a, b)`` with ``P[vote lost] = I_q(a, b)`` (scalar kernel).

    ``n`` a positive integer (as a float or int), ``ties`` a tie code.  Odd
    ``n``: ``((n+1)/2, (n+1)/2)``; even ``n = 2m``: ``(m+1, m)`` under
    :data:`TIES_LOSE`, ``(m, m+1)`` under :data:`TIES_WIN`, ``(m, m)`` under
    :data:`TIES_RANDOM` (any other code is read as random; not checked).
    """
    half = 0.5 * n
    m = float(math.floor(half))
    if half != m:  # odd n
        return m + 1.0, m + 1.0
    if ties == TIES_LOSE:
        return m + 1.0, m
    if ties == TIES_WIN:
        return m, m + 1.0
    return m, m


@jit
def majority_vote_probability_kernel(q: float, n: float, ties: int) -> float:
    """:math:`I_q(a, b)` with ``(a, b) = vote_shape(n, ties)`` (scalar kernel, no checks).

    ``q`` in [0, 1], ``n >= 1`` an integer.  Exactly 0 at ``q = 0``, 1 at
    ``q = 1``, ``1/2`` at ``q = 1/2`` when ``a == b``, ``q`` when ``a = b = 1``;
    otherwise SciPy's ``betainc``.
    """
    a, b = vote_shape(n, ties)
    if q <= 0.0:
        return 0.0
    if q >= 1.0:
        return 1.0
    if a == b:
        if q == 0.5:
            return 0.5
        if a == 1.0:
            return q
    return betainc(a, b, q)


@jit
def _one_minus_up(p: float) -> float:
    """``1 - p`` rounded up, for ``0 < p < 1`` (exact when ``p >= 1/2``, Sterbenz).

    Fast2Sum: ``r = fl(1 - p)``, and ``1 - p = r + t`` exactly with
    ``t = -p - (r - 1)``; when ``t > 0`` the double above ``r`` (in
    ``[1/2, 1)``, spacing ``2**-53``) is returned.
    """
    r = 1.0 - p
    t = -p - (r - 1.0)
    if t > 0.0:
        return r + _HALF_ULP_BELOW_ONE
    return r


@jit
def _up(x: float, rel: float) -> float:
    """``x`` stepped toward +inf by ``rel * x`` plus one subnormal, at most 1."""
    return min(1.0, x + x * rel + _TINY)


@jit
def _toward_zero(x: float, rel: float) -> float:
    """``x`` (``>= 0``) stepped toward 0 by ``rel * x`` plus one subnormal, at least 0."""
    return max(0.0, x - x * rel - _TINY)


@jit
def _root(pa: float, a: float, b: float, pi0: bool) -> float:
    """Root of :math:`I_{q}(a, b) = p_a`: :math:`\\pi_0 = 1 - q` rounded up, or ``q`` toward 0.

    ``pi0=True`` returns :math:`\\pi_0^*` (never below exact), ``pi0=False``
    returns :math:`q^*` (never above exact).  Closed forms for the cases with
    ``a = 1`` or ``b = 1`` (``n <= 2``, where ``beta_quantile`` does not
    apply), each rounded outward by at least twice its rounding error; exactly
    1/2 for ``a == b`` at ``pa = 1/2``; otherwise
    :func:`rstheory._beta.beta_quantile` on the smaller tail.
    """
    if a == b and pa == 0.5:
        return 0.5
    if a == 1.0 and b == 1.0:  # I_q(1, 1) = q
        return _one_minus_up(pa) if pi0 else pa
    if b == 1.0:  # a = 2: I_q(2, 1) = q^2; q = sqrt(pa), pi0 = (1 - pa) / (1 + sqrt(pa))
        s = math.sqrt(pa)  # correctly rounded
        if pi0:
            # 1 - pa, sqrt, 1 + s and the division: below 2 eps relative in all
            return _up((1.0 - pa) / (1.0 + s), 4.0 * _EPS)
        return _toward_zero(s, 2.0 * _EPS)
    if a == 1.0:  # b = 2: I_q(1, 2) = 1 - (1 - q)^2; pi0 = sqrt(1 - pa), q = pa / (1 + pi0)
        r = math.sqrt(1.0 - pa)
        if pi0:
            return _up(r, 4.0 * _EPS)  # 1 - pa and sqrt: below 0.75 eps relative
        return _toward_zero(pa / (1.0 + r), 4.0 * _EPS)  # below 2 eps relative
    if pi0:
        # pi0 is the root of I_pi0(b, a) = 1 - pa (DLMF 8.17.4), rounded up
        if pa >= 0.5:  # 1 - pa is exact and at most 1/2
            return beta_quantile(b, a, math.log(1.0 - pa), False, False)
        return beta_quantile(b, a, math.log(pa), True, False)
    if pa <= 0.5:
        return beta_quantile(a, b, math.log(pa), False, True)
    return beta_quantile(a, b, math.log(1.0 - pa), True, True)


@jit
def level_threshold_kernel(pa: float, n: float, ties: int) -> float:
    """Sound :math:`\\pi_0^* = 1 - q^*`, :math:`I_{q^*}(a, b) = p_a` (scalar kernel, no checks).

    ``pa`` in (0, 1), ``n >= 1`` an integer, ``ties`` a tie code.  Rounded up:
    never below the exact threshold.  Exactly 1/2 at ``pa = 1/2`` for odd
    ``n`` and for ``TIES_RANDOM``.
    """
    a, b = vote_shape(n, ties)
    return _root(pa, a, b, True)


@jit
def level_distance_bound_kernel(
    radius: float, pa: float, n: float, sigma: float, ties: int
) -> float:
    """Sound :math:`R + \\sigma\\,\\Phi^{-1}(q^*)` (eq. 6; scalar kernel, no checks).

    ``radius`` any non-NaN double (``+-inf`` returned as such), ``pa`` in
    (0, 1), ``n >= 1`` an integer, ``sigma`` finite and > 0.  Never above the
    exact value: :math:`\\Phi^{-1}(q^*)` is taken as
    :math:`-\\Phi^{-1}(\\pi_0^*)` with :math:`\\pi_0^*` rounded up when
    :math:`\\pi_0^* \\le 1/2`, else as :math:`\\Phi^{-1}(q^*)` with :math:`q^*`
    rounded toward 0 (each from the small side, at full relative precision),
    and the sum is stepped toward -inf by ``OUTWARD_STEP * (|R| + sigma |z|)``
    (:func:`rstheory.radius._down`).  Exactly ``radius`` where
    :math:`q^* = 1/2` exactly.
    """
    if math.isinf(radius):
        return radius
    a, b = vote_shape(n, ties)
    p0 = _root(pa, a, b, True)
    if p0 <= 0.5:
        z = -ndtri(p0)
    else:
        z = ndtri(_root(pa, a, b, False))
    if z == 0.0:
        return radius
    if math.isinf(z):  # q* returned as 0 (not for valid input): -inf is safe
        return z
    t = sigma * z
    mag = abs(radius) + abs(t)
    if math.isfinite(mag):
        # errors: ndtri 2.6 eps |z|, the product and the sum 0.5 eps each,
        # below 3.6 eps (|R| + |t|); the step is 8 eps of that
        return _down(radius + t, mag)
    # |R| + |t| overflows: the same computation at half scale (halving is exact
    # at these magnitudes), then doubled; an overflow of the doubled value
    # means the exact bound is above the largest double (_down handles +inf)
    ht = (0.5 * sigma) * z
    h = _down(0.5 * radius + ht, 0.5 * abs(radius) + abs(ht))
    r = 2.0 * h
    return _down(r, 0.0) if math.isinf(r) else r


# --------------------------------------------------------------------------- array kernels


@jit
def majority_vote_probability_array(q: FloatArray, n: FloatArray, ties: int) -> FloatArray:
    """:func:`majority_vote_probability_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(q.shape[0])
    for i in range(q.shape[0]):
        out[i] = majority_vote_probability_kernel(q[i], n[i], ties)
    return out


@jit
def level_threshold_array(pa: FloatArray, n: FloatArray, ties: int) -> FloatArray:
    """:func:`level_threshold_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(pa.shape[0])
    for i in range(pa.shape[0]):
        out[i] = level_threshold_kernel(pa[i], n[i], ties)
    return out


@jit
def level_distance_bound_array(
    radius: FloatArray, pa: FloatArray, n: FloatArray, sigma: FloatArray, ties: int
) -> FloatArray:
    """:func:`level_distance_bound_kernel` over equal-length 1-D float64 arrays."""
    out = np.empty(radius.shape[0])
    for i in range(radius.shape[0]):
        out[i] = level_distance_bound_kernel(radius[i], pa[i], n[i], sigma[i], ties)
    return out


# --------------------------------------------------------------------------- wrappers


def majority_vote_probability(q: Any, n: Any, ties: str = "lose") -> Any:
    """Probability that a class of single-vote probability ``q`` wins a majority of ``n`` votes.

    With :math:`X \\sim \\mathrm{Bin}(n, q)` the number of votes for the class
    (binary case), the probability that the class wins the vote is

    .. math::

        P_{\\text{win}}(q, n) =
        \\begin{cases}
            P[X \\ge \\tilde n] = I_q(\\tilde n, \\tilde n),
                & n \\text{ odd},\\ \\tilde n = \\frac{n+1}{2}, \\\\
            P[X \\ge m + 1] = I_q(m + 1, m), & n = 2m,\\ \\text{ties="lose"}, \\\\
            P[X \\ge m] = I_q(m, m + 1), & n = 2m,\\ \\text{ties="win"}, \\\\
            P[X > m] + \\tfrac12 P[X = m] = I_q(m, m), & n = 2m,\\ \\text{ties="random"},
        \\end{cases}

    using :math:`P[\\mathrm{Bin}(a+b-1, q) \\ge a] = I_q(a, b)`, the
    regularized incomplete beta function.  With ``q = 1 - pi_0`` this is the
    probability that the practical smoothed classifier :math:`g_{\\sigma,n}`
    leaves the original class (Maho et al. 2022, eq. 4).

    Parameters
    ----------
    q : float or array_like
        Probability that one vote goes to the class, in ``[0, 1]``.
    n : int or array_like
        Number of votes, an integer ``>= 1`` (up to ``2**53``).
    ties : {"lose", "win", "random"}, optional
        What happens on a tie (even ``n`` only): the class needs a strict
        majority (``"lose"``, the default), half the votes suffice
        (``"win"``), or a fair coin decides (``"random"``).

    Returns
    -------
    float or ndarray
        The probability; a Python float when ``q`` and ``n`` are scalars,
        otherwise an array of their broadcast shape.  Exactly 0 at ``q = 0``,
        1 at ``q = 1``, and 1/2 at ``q = 1/2`` for odd ``n`` or
        ``ties="random"``.

    Raises
    ------
    ValueError
        If ``q`` is outside ``[0, 1]`` or NaN, ``n`` is not an integer
        ``>= 1``, ``ties`` is not one of the three rules, or the shapes do not
        broadcast; the message names the argument.

    See Also
    --------
    level_threshold, rstheory.reference.majority_vote_probability

    Notes
    -----
    **The default** ``ties="lose"`` matches the paper's
    :math:`\\tilde n = 1 + \\lfloor n/2 \\rfloor` votes needed to change the
    decision, i.e. the strict majority an attacker needs to flip the vote
    when the defender keeps its class on a tie; it is the rule under which
    the attack is hardest, since for every ``q``

    .. math::

        I_q(m+1, m) \\le I_q(m, m) \\le I_q(m, m+1)
        \\quad(\\text{lose} \\le \\text{random} \\le \\text{win}).

    **Random ties equal one vote fewer.**  For ``n = 2m``, write
    :math:`X_{2m} = X_{2m-1} + Y` with :math:`Y \\sim \\mathrm{Bernoulli}(q)`
    independent of :math:`X_{2m-1} \\sim \\mathrm{Bin}(2m-1, q)`.  Then

    .. math::

        P[X_{2m} > m] + \\tfrac12 P[X_{2m} = m]
        = P[X_{2m-1} \\ge m] + \\tfrac12\\bigl(q\\,P[X_{2m-1} = m-1]
          - (1-q)\\,P[X_{2m-1} = m]\\bigr),

    and the bracket vanishes: both terms equal
    :math:`\\binom{2m-1}{m} q^m (1-q)^m`, because
    :math:`\\binom{2m-1}{m-1} = \\binom{2m-1}{m}`.  So the coin-flip vote of
    ``2m`` voters is exactly the majority vote of ``2m - 1`` voters,
    :math:`I_q(m, m)`.

    **Accuracy.**  The value is SciPy's ``betainc`` (Boost), except for the
    exact cases above.  Against the 50-digit twin, its relative error was at
    most ``2.5 eps (1 + kappa)`` over thousands of points with ``n`` from 1
    to ``1e9`` (``eps = 2**-52``; the tests allow ``4 eps (1 + kappa)``), where
    :math:`\\kappa = q\\,\\partial_q I_q(a,b) / I_q(a,b)` is the condition
    number of the value with respect to ``q``: one ulp of ``q`` alone moves
    the exact value by :math:`\\kappa\\,\\varepsilon/2` relative, so no
    evaluation at a double ``q`` can do much better.  In practice: below
    ``1e-13`` relative for ``n <= 100`` at every ``q``, and wherever
    :math:`\\kappa \\le 100` (measured maximum ``2.6e-14``; e.g. values
    above about 1e-3 for ``n <= 1e3``);
    in the far tails of large ``n`` (``kappa`` up to about ``n/2``) and near
    the centre of ``n >= 1e6`` (``kappa`` about :math:`0.8\\sqrt n`) the
    error grows with ``kappa`` (measured maximum ``1.1e-11`` at
    ``n = 1e9``).  Results below the smallest normal double lose relative
    accuracy (underflow).  The value is not rounded in a fixed direction.

    References
    ----------
    .. [1] T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under
       attack: how good is it in practice?", ICASSP 2022, eq. (4).
    .. [2] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.levels import majority_vote_probability
    >>> round(majority_vote_probability(0.6, 3), 12)  # 3 q^2 - 2 q^3
    0.648
    >>> majority_vote_probability(0.6, 2), majority_vote_probability(0.6, 2, ties="win")
    (0.36, 0.84)
    >>> majority_vote_probability(0.6, 2, ties="random")  # = one vote
    0.6
    >>> majority_vote_probability([0.0, 0.5, 1.0], 11)
    array([0. , 0.5, 1. ])
    """
    code = ties_code(ties)
    qa = as_probability("q", q)
    na = as_count("n", n, minimum=1)
    shape, (qf, nf) = broadcast(q=qa, n=na)
    return finish(majority_vote_probability_array(qf, nf, code), shape, is_scalar(q, n))


def level_threshold(pa: Any, n: Any, ties: str = "lose") -> Any:
    """Largest :math:`\\pi_0` at which a point is a level-``pa`` adversarial example.

    A point :math:`x_a` whose original class has smoothed probability
    :math:`\\pi_0` is a level-:math:`P_a` adversarial example (Maho et al.
    2022) when the majority vote of ``n`` noisy votes leaves the original
    class with probability at least :math:`P_a`.  That probability,
    :func:`majority_vote_probability` at :math:`q = 1 - \\pi_0`, decreases in
    :math:`\\pi_0`, so the condition is :math:`\\pi_0 \\le \\pi_0^*` with

    .. math::

        \\pi_0^* = 1 - I^{-1}_{P_a}(a, b), \\qquad\\text{equivalently}\\qquad
        I_{\\pi_0^*}(b, a) = 1 - P_a,

    where :math:`(a, b)` depends on ``n`` and the tie rule (:func:`vote_shape`):
    :math:`(\\tilde n, \\tilde n)` with :math:`\\tilde n = (n+1)/2` for odd
    ``n``, and for ``n = 2m`` :math:`(m+1, m)` (``"lose"``), :math:`(m, m+1)`
    (``"win"``) or :math:`(m, m)` (``"random"``).  For odd ``n`` this is the
    paper's eq. (5), :math:`1 - I^{-1}_{P_a}(\\tilde n, \\tilde n)`.

    Parameters
    ----------
    pa : float or array_like
        Attack level :math:`P_a`, in the open interval ``(0, 1)``.
    n : int or array_like
        Number of votes, an integer ``>= 1`` (up to ``2**53``).
    ties : {"lose", "win", "random"}, optional
        Tie rule for even ``n`` (see :func:`majority_vote_probability`);
        default ``"lose"``.

    Returns
    -------
    float or ndarray
        :math:`\\pi_0^*`, rounded up (never below the exact value); a Python
        float when ``pa`` and ``n`` are scalars, otherwise an array of their
        broadcast shape.  Exactly 1/2 at ``pa = 1/2`` for odd ``n`` and for
        ``"random"``; ``1 - pa`` (rounded up) at ``n = 1``.

    Raises
    ------
    ValueError
        If ``pa`` is outside ``(0, 1)`` or NaN, ``n`` is not an integer
        ``>= 1``, ``ties`` is not one of the three rules, or the shapes do not
        broadcast; the message names the argument.

    See Also
    --------
    majority_vote_probability, level_distance_bound,
    rstheory.reference.level_threshold

    Notes
    -----
    **Rounding direction.**  The returned value is never below the exact
    :math:`\\pi_0^*`, so "every level-:math:`P_a` adversarial example has
    :math:`\\pi_0 \\le` the returned value" holds in floating point too.  This
    is the direction that keeps :func:`level_distance_bound` sound (a larger
    :math:`\\pi_0^*` gives a smaller distance bound).  The converse reading,
    "a point with :math:`\\pi_0` at most the returned value *is* adversarial",
    may fail by the rounding alone (about 1e-13 relative): an attacker who
    needs that guarantee should aim slightly below.

    **Method.**  :math:`\\pi_0^*` is computed directly as the root of
    :math:`I_{\\pi_0}(b, a) = 1 - P_a` (no ``1 - q`` cancellation) by
    :func:`rstheory._beta.beta_quantile` on the smaller tail, which rounds
    outward by a margin derived from a bound on its evaluation error and
    verifies the result.  Closed forms where ``a = 1`` or ``b = 1``:
    :math:`1 - P_a` at ``n = 1`` (and ``n = 2`` with ``"random"``),
    :math:`1 - \\sqrt{P_a}` at ``n = 2`` with ``"lose"`` (:math:`I_q(2,1)=q^2`)
    and :math:`\\sqrt{1 - P_a}` with ``"win"``
    (:math:`I_q(1,2) = 1-(1-q)^2`), each rounded up by twice its rounding
    error.  Accuracy: within ``1e-12`` relative of exact for ``n <= 1e9``
    (measured maxima against the 50-digit twin: ``1.2e-13`` for
    ``n <= 1e4``, ``1.7e-13`` for ``n <= 1e6``, ``4.7e-13`` for
    ``n <= 1e9``), and within ``1e-10`` up to ``n = 2**53`` (the accuracy of
    :func:`rstheory.bounds.clopper_pearson_lower`, which uses the same solver).

    **Even n and the paper.**  The paper uses :math:`(\\tilde n, \\tilde n)`
    with :math:`\\tilde n = 1 + \\lfloor n/2 \\rfloor` for every ``n``; for
    even ``n = 2m`` that is :math:`I_q(m+1, m+1)`, the majority vote of
    ``n + 1`` voters, not of ``n``.  With :math:`X_{2m} \\sim \\mathrm{Bin}(2m, q)`,

    .. math::

        I_q(m+1, m+1) = I_q(m+1, m) + q\\,P[X_{2m} = m]
                      = I_q(m, m+1) - (1-q)\\,P[X_{2m} = m],

    so the paper's threshold lies strictly between the exact ones:
    ``lose < paper < win``.  Under the default ``"lose"`` the paper's value
    is too high (at the paper's :math:`\\pi_0^*` the attack succeeds with
    probability below :math:`P_a`); under ``"win"`` it is too low.  Under
    ``"random"``, :math:`I_q(m,m) = I_q(m+1,m+1) + (\\tfrac12 - q)\\,P[X_{2m}=m]`
    (the ``(n-1)``-vote value), so the paper's value is too high for
    :math:`P_a > 1/2`, too low for :math:`P_a < 1/2`, and exact at 1/2.  The
    paper's value is ``level_threshold(pa, n + 1)``.

    **Dependence on n.**  For odd ``n`` and :math:`P_a > 1/2` the threshold
    increases with ``n`` toward 1/2 (for :math:`q > 1/2` the majority of more
    voters is more often right, Condorcet's jury theorem), roughly as
    :math:`\\tfrac12 - \\Phi^{-1}(P_a)/(2\\sqrt n)`; for :math:`P_a < 1/2` it
    decreases toward 1/2.  Under ``"random"`` the same holds over all ``n``
    (non-strictly: ``2m`` and ``2m - 1`` agree).  Under ``"lose"`` the
    threshold at ``2m`` is below those at both ``2m - 1`` and ``2m + 1``
    (the tie is lost), under ``"win"`` above both; over even ``n`` alone it
    increases toward 1/2 under ``"lose"`` when :math:`P_a \\ge 1/2` and
    decreases toward 1/2 under ``"win"`` when :math:`P_a \\le 1/2`; in the
    other two cases it need not be monotone (``"lose"`` at
    :math:`P_a = 0.3`: 0.452 at ``n = 2``, 0.534 at ``n = 14``, then down
    toward 1/2).

    References
    ----------
    .. [1] T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under
       attack: how good is it in practice?", ICASSP 2022, eq. (4)-(5).
    .. [2] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> from rstheory.levels import level_threshold
    >>> level_threshold(0.5, 11)
    0.5
    >>> round(level_threshold(0.9, 1), 12), round(level_threshold(0.9, 2), 6)
    (0.1, 0.051317)
    >>> level_threshold(0.99, [99, 100, 101]).round(6)  # the tie at n = 100 is lost
    array([0.38496 , 0.380717, 0.386069])
    >>> [round(level_threshold(0.99, 100, t), 6) for t in ("lose", "random", "win")]
    [0.380717, 0.38496, 0.390332]
    """
    code = ties_code(ties)
    p = as_alpha("pa", pa)
    na = as_count("n", n, minimum=1)
    shape, (pf, nf) = broadcast(pa=p, n=na)
    return finish(level_threshold_array(pf, nf, code), shape, is_scalar(pa, n))


def level_distance_bound(radius: Any, pa: Any, n: Any, sigma: Any, ties: str = "lose") -> Any:
    """Lower bound on the distance of a level-``pa`` adversarial example (eq. 6).

    If :math:`x_a` is a level-:math:`P_a` adversarial example of :math:`x_o`
    for the ``n``-vote smoothed classifier, and :math:`R(x_o)` is the
    certified radius of :math:`x_o`, then (Maho et al. 2022, eq. 6)

    .. math::

        \\|x_o - x_a\\|_2 \\ \\ge\\ R(x_o) + \\sigma\\,\\Phi^{-1}(q^*),
        \\qquad q^* = I^{-1}_{P_a}(a, b) = 1 - \\pi_0^*,

    with :math:`(a, b)` and :math:`\\pi_0^*` as in :func:`level_threshold`.

    *Derivation.*  Let :math:`p_A = p(x_o)` be the smoothed probability of the
    original class at :math:`x_o`, :math:`R = \\sigma\\Phi^{-1}(p_A)`, and
    :math:`\\pi_0 = p(x_a)`.  The map :math:`x \\mapsto \\Phi^{-1}(p(x))` is
    :math:`1/\\sigma`-Lipschitz (Salman et al. 2019, appendix; the argument
    behind Cohen et al. 2019, Theorem 1), so
    :math:`\\Phi^{-1}(\\pi_0) \\ge \\Phi^{-1}(p_A) - \\|x_a - x_o\\|/\\sigma`.
    A level-:math:`P_a` adversarial example has :math:`\\pi_0 \\le \\pi_0^*`,
    hence

    .. math::

        \\|x_a - x_o\\| \\ge \\sigma\\bigl(\\Phi^{-1}(p_A) - \\Phi^{-1}(\\pi_0^*)\\bigr)
        = R + \\sigma\\,\\Phi^{-1}(1 - \\pi_0^*).

    The bound increases with :math:`R`, so a *certified* radius (from a lower
    confidence bound on :math:`p_A`, :func:`rstheory.certify.certify`) in
    place of the exact :math:`R` still gives a valid bound.  At
    :math:`P_a = 1/2` (odd ``n``) it is :math:`R` itself.

    Parameters
    ----------
    radius : float or array_like
        The radius :math:`R(x_o) = \\sigma\\Phi^{-1}(p_A)` (or a certified
        radius, which is at most that).  Any real number, ``+-inf`` included
        (``+inf`` for :math:`p_A = 1`, ``-inf`` for :math:`p_A = 0`); not NaN.
    pa : float or array_like
        Attack level :math:`P_a`, in the open interval ``(0, 1)``.
    n : int or array_like
        Number of votes of the attacked classifier, an integer ``>= 1``.
    sigma : float or array_like
        Noise standard deviation, finite and ``> 0``.
    ties : {"lose", "win", "random"}, optional
        Tie rule for even ``n`` (see :func:`majority_vote_probability`);
        default ``"lose"``.

    Returns
    -------
    float or ndarray
        The bound, signed (a value ``<= 0`` says nothing, since distances
        are ``>= 0``); a Python float when every input is a scalar, otherwise
        an array of the broadcast shape.  ``+-inf`` when ``radius`` is.

    Raises
    ------
    ValueError
        If ``radius`` is NaN, ``pa`` is outside ``(0, 1)`` or NaN, ``n`` is
        not an integer ``>= 1``, ``sigma`` is not finite and positive,
        ``ties`` is not one of the three rules, or the shapes do not
        broadcast; the message names the argument.

    See Also
    --------
    level_threshold, rstheory.radius.gaussian_radius,
    rstheory.reference.level_distance_bound

    Notes
    -----
    **Soundness.**  The result is never above the exact value of the formula
    for the same double inputs.  :math:`\\Phi^{-1}(q^*)` is evaluated from the
    small side at full relative precision: as :math:`-\\Phi^{-1}(\\pi_0^*)`
    with :math:`\\pi_0^*` rounded up (:func:`level_threshold`) when
    :math:`\\pi_0^* \\le 1/2`, else as :math:`\\Phi^{-1}(q^*)` with :math:`q^*`
    rounded toward 0; either way the computed quantile is at most the exact
    one up to SciPy's ``ndtri`` error (below 2.6 eps).  The sum
    :math:`R + \\sigma z` is then stepped toward -inf by
    ``OUTWARD_STEP * (|R| + sigma |z|)`` (``8 eps``, more than twice the
    rounding of ``ndtri``, the product and the sum; as
    :func:`rstheory.radius.gaussian_radius_two`), plus one subnormal, with an
    overflow-free path for magnitudes near the largest double.  (Should the
    solver ever return :math:`q^* = 0`, which valid input does not produce:
    :math:`q^* \\ge \\sqrt{P_a/3}` for ``n >= 3`` and the closed forms keep
    subnormal values for ``n <= 2``, the safe value ``-inf`` is returned.)

    **Accuracy.**  With :math:`M = |R| + \\sigma(1 + |\\Phi^{-1}(q^*)|)`, the
    result lies in :math:`[B - 10^{-12} M,\\ B]` for ``n <= 1e9``, ``B`` the
    exact bound (measured against the mpmath twin: ``1.4e-13 M`` for
    ``n <= 1e4``, ``4.5e-13 M`` for ``n <= 1e9``; the error is that of the
    threshold, carried through :math:`\\Phi^{-1}`).

    References
    ----------
    .. [1] T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under
       attack: how good is it in practice?", ICASSP 2022, eq. (6).
    .. [2] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.
    .. [3] H. Salman, G. Yang, J. Li, P. Zhang, H. Zhang, I. Razenshteyn and
       S. Bubeck, "Provably robust deep learning via adversarially trained
       smoothed classifiers", NeurIPS 2019, arXiv:1906.04584.

    Examples
    --------
    >>> from rstheory.levels import level_distance_bound
    >>> level_distance_bound(0.5, 0.5, 101, 0.25)
    0.5
    >>> round(level_distance_bound(0.5, 0.99, 101, 0.25), 6)
    0.572395
    >>> level_distance_bound([0.5, 1.0], 0.9, 1, 0.25).round(4)
    array([0.8204, 1.3204])
    """
    code = ties_code(ties)
    r = as_array("radius", radius)
    p = as_alpha("pa", pa)
    na = as_count("n", n, minimum=1)
    s = as_positive("sigma", sigma)
    shape, (rf, pf, nf, sf) = broadcast(radius=r, pa=p, n=na, sigma=s)
    out = level_distance_bound_array(rf, pf, nf, sf, code)
    return finish(out, shape, is_scalar(radius, pa, n, sigma))
