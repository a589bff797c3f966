"""Geometry of a classifier's frontier: principal curvatures and the FORM design point.

SORM approximates the smoothed probability of the far class at ``x`` from two
geometric quantities of the base classifier's frontier :math:`\\{G = 0\\}`,
where :math:`G` is a score (limit-state) function and the far class owns
:math:`\\{G \\ge 0\\}`:

* the *design point* :math:`z^*`, the point of the frontier nearest to ``x``,
  and the signed distance :math:`\\beta = \\pm\\|z^* - x\\|/\\sigma`
  (:func:`design_point`);
* the *principal curvatures* :math:`\\kappa_i` of the frontier at
  :math:`z^*` (:func:`principal_curvatures`, with
  :func:`finite_difference_hessian` for a classifier that has a gradient but
  no Hessian).

Sign convention
---------------
The unit normal :math:`n = \\nabla G/\\|\\nabla G\\|` points into
:math:`\\{G \\ge 0\\}`.  In local coordinates at a frontier point, with the
last axis along :math:`n`, the frontier is
:math:`y_d = \\tfrac12 \\sum_i \\kappa_i y_i^2 + O(\\|y\\|^3)`, so
:math:`\\kappa_i > 0` where :math:`\\{G \\ge 0\\}` is locally convex (the ball
:math:`G = R^2 - \\|z\\|^2` has every :math:`\\kappa_i = 1/R`) and
:math:`\\kappa_i < 0` where it wraps around ``x``.  Curvatures are in inverse
input units; multiply by :math:`\\sigma` for the units of :math:`1/\\sigma`
that SORM formulas use (:math:`\\beta \\kappa_i` is dimensionless).  Under
this convention Breitung's asymptotic formula reads
:math:`P \\approx \\Phi(-\\beta) \\prod_i (1 + \\beta\\kappa_i)^{-1/2}`.

These are plain NumPy functions (they call user code, so there are no Numba
kernels); every public one validates its input and raises a
:class:`ValueError` naming the bad argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rstheory._validate import FloatArray, as_finite, as_positive, as_vector

__all__ = [
    "DesignPoint",
    "tangent_basis",
    "principal_curvatures",
    "finite_difference_hessian",
    "design_point",
]

_EPS = 2.0**-52
#: default relative finite-difference step, eps**(1/3) (central differences)
_FD_STEP = _EPS ** (1.0 / 3.0)
#: Armijo sufficient-decrease fraction and penalty factor of the merit function
_ARMIJO = 0.5
_GAMMA = 2.0
#: step halvings tried before a line search gives up (2**-40 ~ 1e-12)
_HALVINGS = 40
#: relative residual below which steps are chosen by the residual, not the merit
_LOCAL = 1e-5


# --------------------------------------------------------------------------- validation


def _unit(name: str, vectors: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit vectors and norms along the last axis, without overflow; zero raises."""
    scale = np.max(np.abs(vectors), axis=-1, keepdims=True)
    zero = scale[..., 0] == 0.0
    if zero.any():
        where = np.argwhere(zero)
        at = f" at index {tuple(int(i) for i in where[0])}" if zero.ndim else ""
        raise ValueError(
            f"{name} must be nonzero (a level set has no normal where the gradient "
            f"vanishes), got a zero vector{at}"
        )
    scaled = vectors / scale
    length = np.sqrt(np.sum(scaled * scaled, axis=-1, keepdims=True))
    return scaled / length, (scale * length)[..., 0]


def _householder_tangents(normal: FloatArray) -> FloatArray:
    """Columns 0..d-2 of the Householder reflection mapping a unit ``normal`` to -+e_d.

    With :math:`s = \\operatorname{sign}(n_d)` (``+1`` at ``n_d = 0``) and
    :math:`v = n + s e_d`, the reflection :math:`Q = I - 2 v v^T / v^T v`
    is symmetric and orthogonal with :math:`Q n = -s e_d`, so its first
    ``d - 1`` columns are an orthonormal basis of :math:`n^\\perp`.  The choice
    of sign keeps :math:`v^T v = 2 + 2|n_d| \\ge 2` (no cancellation), and for
    :math:`n = \\pm e_d` the basis is exactly :math:`e_1, \\dots, e_{d-1}`.
    """
    d = normal.shape[-1]
    sign = np.where(normal[..., -1] >= 0.0, 1.0, -1.0)
    v = normal.copy()
    v[..., -1] += sign
    vv = np.sum(v * v, axis=-1)[..., None, None]
    # column i < d - 1 of Q: e_i - 2 v v_i / (v^T v), with v_i = n_i
    return np.eye(d)[:, : d - 1] - 2.0 * v[..., :, None] * normal[..., None, : d - 1] / vv


# --------------------------------------------------------------------------- curvatures


def tangent_basis(normal: npt.ArrayLike) -> FloatArray:
    """Orthonormal basis of the hyperplane orthogonal to ``normal``.

    The first :math:`d - 1` columns of the Householder reflection
    :math:`Q = I - 2 v v^T / (v^T v)`, :math:`v = n + \\operatorname{sign}(n_d)
    e_d`, with :math:`n` the normalized ``normal``: :math:`Q` is symmetric and
    orthogonal and maps :math:`n` to :math:`\\mp e_d`, so its other columns
    span :math:`n^\\perp` (Householder 1958; Golub & Van Loan, *Matrix
    Computations*, 4th ed., sec. 5.1.2).

    Parameters
    ----------
    normal : array_like, shape (..., d)
        Nonzero vectors (need not be unit), ``d >= 1``; leading axes are a
        batch.

    Returns
    -------
    ndarray, shape (..., d, d - 1)
        Column ``i`` of ``[..., :, :]`` is the ``i``-th basis vector.  For
        ``normal`` along :math:`\\pm e_d` the basis is exactly
        :math:`e_1, \\dots, e_{d-1}`.

    Raises
    ------
    ValueError
        If ``normal`` is zero, not finite, or not at least 1-D with a
        nonempty last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory._geometry import tangent_basis
    >>> t = tangent_basis([1.0, 2.0, 2.0])
    >>> t.shape
    (3, 2)
    >>> bool(np.allclose(t.T @ t, np.eye(2)) and np.allclose(t.T @ [1.0, 2.0, 2.0], 0.0))
    True
    """
    arr = as_finite("normal", normal)
    if arr.ndim < 1 or arr.shape[-1] == 0:
        raise ValueError(f"normal must have shape (..., d) with d >= 1, got shape {arr.shape}")
    unit, _ = _unit("normal", arr)
    return _householder_tangents(unit)


def principal_curvatures(
    gradient: npt.ArrayLike, hessian: npt.ArrayLike, *, symmetry_tol: float = 1e-6
) -> FloatArray:
    """Signed principal curvatures of the level set :math:`\\{G = G(z)\\}` at ``z``.

    With :math:`g = \\nabla G(z)`, :math:`H = \\nabla^2 G(z)`, the unit normal
    :math:`n = g/\\|g\\|` (pointing into :math:`\\{G \\ge G(z)\\}`) and the
    projector :math:`P = I - n n^T`, the shape operator of the level set is the
    restriction to the tangent space :math:`n^\\perp` of

    .. math::

        S = -\\frac{P H P}{\\|g\\|},

    and the principal curvatures are its eigenvalues.  They are computed as
    the eigenvalues (``numpy.linalg.eigvalsh``) of the
    :math:`(d-1)\\times(d-1)` matrix :math:`-T^T H T/\\|g\\|`, where the columns
    of :math:`T` are the orthonormal tangent basis of :func:`tangent_basis`
    (a Householder reflection that maps :math:`n` to :math:`\\mp e_d`): the
    rotation of Der Kiureghian, Lin & Hwang (1987) that aligns the last axis
    with the normal.  Differentiating :math:`G(y) = 0` twice along the
    frontier written as :math:`y_d = \\frac12 y^T K y` in that frame gives
    :math:`K = -T^T H T/\\|g\\|`, the second fundamental form (Goldman 2005,
    sec. 4; Spivak, *Differential Geometry* vol. 3).

    Sign convention: :math:`\\kappa_i > 0` where :math:`\\{G \\ge G(z)\\}` is
    locally convex.  :math:`G = R^2 - \\|z\\|^2` (a ball of radius ``R``) gives
    :math:`\\kappa_i = +1/R`; :math:`-G` flips every sign; :math:`c\\,G` with
    :math:`c > 0` changes nothing.  Curvatures are in inverse units of ``z``.

    Parameters
    ----------
    gradient : array_like, shape (..., d)
        :math:`\\nabla G(z)`, nonzero, ``d >= 1``.
    hessian : array_like, shape (..., d, d)
        :math:`\\nabla^2 G(z)`, symmetric to ``symmetry_tol``; its symmetric
        part :math:`(H + H^T)/2` is used.  Leading axes of ``gradient`` and
        ``hessian`` broadcast together.
    symmetry_tol : float, optional
        Largest accepted :math:`\\max_{ij} |H_{ij} - H_{ji}|` relative to
        :math:`\\max_{ij} |H_{ij}|` (default ``1e-6``, loose enough for
        finite-difference Hessians).

    Returns
    -------
    ndarray, shape (..., d - 1)
        The principal curvatures, sorted ascending along the last axis (an
        empty last axis when ``d = 1``: a level set of a function of one
        variable is a point).

    Raises
    ------
    ValueError
        If ``gradient`` is zero somewhere (``gradient`` is named), ``hessian``
        is not symmetric (``hessian`` is named), either holds NaN or
        infinities, the shapes do not match or broadcast, or
        ``symmetry_tol`` is negative or NaN.

    References
    ----------
    R. Goldman, "Curvature formulas for implicit curves and surfaces",
    *Computer Aided Geometric Design* 22(7):632-658, 2005.
    A. Der Kiureghian, H.-Z. Lin and S.-J. Hwang, "Second-order reliability
    approximations", *J. Eng. Mech.* 113(8):1208-1225, 1987.
    K. Breitung, "Asymptotic approximations for multinormal integrals",
    *J. Eng. Mech.* 110(3):357-366, 1984.

    Examples
    --------
    A ball of radius 2 (:math:`G = 4 - \\|z\\|^2`) at ``z = (2, 0, 0)``; the
    sign flips for :math:`-G`:

    >>> import numpy as np
    >>> from rstheory._geometry import principal_curvatures
    >>> principal_curvatures([-4.0, 0.0, 0.0], -2.0 * np.eye(3))
    array([0.5, 0.5])
    >>> principal_curvatures([4.0, 0.0, 0.0], 2.0 * np.eye(3))
    array([-0.5, -0.5])

    A cylinder of radius 2 about the third axis:

    >>> principal_curvatures([-4.0, 0.0, 0.0], np.diag([-2.0, -2.0, 0.0]))
    array([0. , 0.5])
    """
    g = as_finite("gradient", gradient)
    h = as_finite("hessian", hessian)
    if g.ndim < 1 or g.shape[-1] == 0:
        raise ValueError(f"gradient must have shape (..., d) with d >= 1, got shape {g.shape}")
    d = g.shape[-1]
    if h.ndim < 2 or h.shape[-2:] != (d, d):
        raise ValueError(
            f"hessian must have shape (..., {d}, {d}) to match gradient of shape {g.shape}, "
            f"got shape {h.shape}"
        )
    try:
        lead = np.broadcast_shapes(g.shape[:-1], h.shape[:-2])
    except ValueError as exc:
        raise ValueError(
            f"the leading axes of gradient {g.shape} and hessian {h.shape} do not broadcast"
        ) from exc
    tol = float(symmetry_tol)
    if not tol >= 0.0:
        raise ValueError(f"symmetry_tol must be >= 0, got {symmetry_tol!r}")
    ht = np.swapaxes(h, -1, -2)
    asym = np.max(np.abs(h - ht), axis=(-2, -1))
    size = np.max(np.abs(h), axis=(-2, -1))
    bad = asym > tol * size
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        raise ValueError(
            "hessian must be symmetric: max |H - H^T| = "
            f"{float(asym.ravel()[i])!r} > symmetry_tol * max |H| = "
            f"{tol * float(size.ravel()[i])!r}"
        )
    g = np.broadcast_to(g, (*lead, d))
    # H divided by a power of two (exact): no overflow in the products
    # below for entries near the largest double, no 0 * inf where H = 0
    scale = np.ldexp(1.0, np.frexp(size)[1] - 1)[..., None]  # in (max |H| / 2, max |H|]
    h = np.broadcast_to((0.5 * h + 0.5 * ht) / scale[..., None], (*lead, d, d))
    normal, length = _unit("gradient", g)
    if d == 1:
        return np.zeros((*lead, 0))
    t = _householder_tangents(normal)
    shape = -(np.swapaxes(t, -1, -2) @ h @ t)
    kappa = np.linalg.eigvalsh(0.5 * shape + 0.5 * np.swapaxes(shape, -1, -2))
    return kappa * scale / length[..., None] + 0.0  # + 0.0: no -0.0


def finite_difference_hessian(
    gradient_fn: Callable[[FloatArray], Any],
    point: npt.ArrayLike,
    step: npt.ArrayLike | None = None,
    *,
    vectorized: bool = False,
) -> FloatArray:
    """Hessian of :math:`G` at ``point`` by central differences of its gradient.

    Column ``j`` is

    .. math::

        H_{:, j} \\approx \\frac{\\nabla G(z + h_j e_j) - \\nabla G(z - h_j e_j)}
        {2 h_j},

    and the result is symmetrized, :math:`(H + H^T)/2`.  Each entry has a
    truncation error :math:`h_j^2\\,|\\partial_j^3 \\partial_i G|/6 = O(h^2)`
    and a rounding error of about :math:`\\varepsilon \\|\\nabla G\\|/h_j`.  The
    default step :math:`h_j = \\varepsilon^{1/3} \\max(|z_j|, 1) \\approx
    6.1\\times 10^{-6} \\max(|z_j|, 1)` balances the two for derivatives of
    order one, for an error near :math:`\\varepsilon^{2/3} \\approx 4\\times
    10^{-11}` relative (Nocedal & Wright, *Numerical Optimization*, 2nd ed.,
    sec. 8.1).  Pass a ``step`` matched to the scale on which :math:`G`
    varies when that scale is far from one.  The step actually used is
    :math:`(z_j + h_j) - z_j`, so that the offset is exact.

    Parameters
    ----------
    gradient_fn : callable
        ``gradient_fn(z)`` returns :math:`\\nabla G(z)`, shape ``(d,)``, for
        ``z`` of shape ``(d,)``; with ``vectorized=True`` it is called once
        on all ``2 d`` points, shape ``(2 d, d)``, and returns ``(2 d, d)``.
    point : array_like, shape (d,)
        Where to differentiate, finite, ``d >= 1``.
    step : float or array_like of shape (d,), optional
        The steps :math:`h_j > 0` (default above).
    vectorized : bool, optional
        Evaluate all points in one call (default ``False``: ``2 d`` calls).

    Returns
    -------
    ndarray, shape (d, d)
        The symmetrized estimate of the Hessian.

    Raises
    ------
    ValueError
        If ``point`` is not a finite vector, ``step`` is not positive and
        finite or has the wrong shape, or ``gradient_fn`` returns an array of
        the wrong shape or non-finite values (``gradient_fn`` is named).

    Examples
    --------
    >>> import numpy as np
    >>> from rstheory._geometry import finite_difference_hessian
    >>> grad = lambda z: np.array([2.0 * z[0] * z[1], z[0] ** 2 + 3.0 * z[1] ** 2])
    >>> h = finite_difference_hessian(grad, [1.0, 2.0])  # G = z0^2 z1 + z1^3
    >>> bool(np.allclose(h, [[4.0, 2.0], [2.0, 12.0]], rtol=1e-9))
    True
    """
    z = as_vector("point", point)
    d = z.size
    if step is None:
        h = _FD_STEP * np.maximum(np.abs(z), 1.0)
    else:
        h = as_positive("step", step)
        if h.ndim > 1 or h.size not in (1, d):
            raise ValueError(f"step must be a scalar or have shape ({d},), got shape {h.shape}")
        h = np.broadcast_to(h, (d,))
    offsets = np.diag((z + h) - z)
    points = np.concatenate([z + offsets, z - offsets])  # rows: z + h_j e_j, then z - h_j e_j
    if vectorized:
        values = as_finite("gradient_fn", gradient_fn(points.copy()))
        if values.shape != (2 * d, d):
            raise ValueError(
                f"gradient_fn must return shape ({2 * d}, {d}) for points of shape "
                f"({2 * d}, {d}) when vectorized=True, got shape {values.shape}"
            )
    else:
        values = np.stack([as_vector("gradient_fn", gradient_fn(p.copy()), d) for p in points])
    width = points[:d, :].diagonal() - points[d:, :].diagonal()
    hess = (values[:d, :] - values[d:, :]).T / width
    return 0.5 * (hess + hess.T)


# --------------------------------------------------------------------------- design point


@dataclass(frozen=True, eq=False)
class DesignPoint:
    """The FORM design point of a frontier :math:`\\{G = 0\\}` seen from ``x``.

    The arrays are read-only.

    Attributes
    ----------
    point : ndarray, shape (d,)
        :math:`z^*`, the (local) nearest point of :math:`\\{G = 0\\}` to
        ``x``, in input units.
    beta : float
        Signed distance :math:`\\pm\\|z^* - x\\|/\\sigma`: positive when
        :math:`G(x) < 0` (``x`` on the near side), negative when
        :math:`G(x) > 0`; at :math:`G(x) = 0` it takes the sign of
        :math:`n \\cdot (z^* - x)`.
    normal : ndarray, shape (d,)
        Unit normal :math:`\\nabla G(z^*)/\\|\\nabla G(z^*)\\|`, pointing into
        :math:`\\{G \\ge 0\\}`.
    gradient : ndarray, shape (d,)
        :math:`\\nabla G(z^*)` as returned by the gradient callable.
    iterations : int
        Number of steps taken.
    converged : bool
        Whether ``residual <= tol``.
    residual : float
        :math:`\\max(|G(z^*)|/\\|\\nabla G(z^*)\\|,\\ \\|u - (n\\cdot u)\\, n\\|)
        / (\\sigma \\max(1, \\|u\\|))` with :math:`u = (z^* - x)/\\sigma`: the
        linearized distance to the frontier and the part of
        :math:`z^* - x` not along the normal (zero at a true design point),
        in units of :math:`\\sigma` and relative to :math:`\\max(1, |\\beta|)`.
    """

    point: FloatArray
    beta: float
    normal: FloatArray
    gradient: FloatArray
    iterations: int
    converged: bool
    residual: float


class _Problem:
    """The frontier in standardized coordinates ``u = (z - x)/sigma``.

    ``g(u) = G(x + sigma u)`` and ``grad g(u) = sigma grad G(x + sigma u)``.
    """

    def __init__(
        self,
        score: Callable[[FloatArray], Any],
        gradient: Callable[[FloatArray], Any],
        x: FloatArray,
        sigma: float,
    ) -> None:
        self.score = score
        self.gradient = gradient
        self.x = x
        self.sigma = sigma

    def g(self, u: FloatArray) -> float:
        """``G(x + sigma u)``, possibly not finite (the caller decides)."""
        value = np.asarray(self.score(self.x + self.sigma * u), dtype=np.float64)
        if value.size != 1:
            raise ValueError(
                f"score must return one number for a point of shape {u.shape}, "
                f"got shape {value.shape}"
            )
        return float(value.ravel()[0])

    def grad(self, u: FloatArray) -> FloatArray:
        """``grad G(x + sigma u)`` (input units), shape (d,), possibly not finite."""
        value = np.array(self.gradient(self.x + self.sigma * u), dtype=np.float64)
        if value.shape != u.shape:
            raise ValueError(
                f"gradient must return shape {u.shape} for a point of shape {u.shape}, "
                f"got shape {value.shape}"
            )
        return value


class _State:
    """One iterate: ``u``, ``g(u)``, the raw gradient, and the HL-RF quantities there."""

    def __init__(self, u: FloatArray, g: float, raw: FloatArray, sigma: float) -> None:
        self.u = u
        self.g = g
        self.raw = raw
        normal, length = _unit("gradient", raw)
        self.normal = normal
        self.gnorm = float(length) * sigma  # ||grad g(u)||
        #: False where ||grad g(u)|| under- or overflows (no usable linearization)
        self.usable = 0.0 < self.gnorm < math.inf
        self.along = float(normal @ u)  # n . u
        self.across = u - self.along * normal  # u minus its normal component
        self.across2 = float(self.across @ self.across)
        # signed linearized distance to the frontier
        self.offset = g / self.gnorm if self.usable else math.inf
        self.residual = max(abs(self.offset), math.sqrt(self.across2)) / max(
            1.0, float(np.linalg.norm(u))
        )

    def step(self) -> FloatArray:
        """The HL-RF step ``d``: from ``u`` to the foot of the origin on the tangent plane."""
        return -self.offset * self.normal - self.across


def _state_at(problem: _Problem, u: FloatArray, g: float | None = None) -> _State | None:
    """The iterate at ``u``, or None where the score or gradient is not finite or zero."""
    if g is None:
        g = problem.g(u)
    if not math.isfinite(g):
        return None
    raw = problem.grad(u)
    if not (np.all(np.isfinite(raw)) and np.any(raw != 0.0)):
        return None
    state = _State(u, g, raw, problem.sigma)
    return state if state.usable else None


def _armijo(problem: _Problem, s: _State, d: FloatArray) -> tuple[_State, float] | None:
    """Armijo line search on ``m(u) = |u|^2/2 + c |g(u)|``, with a correction step.

    The largest ``lam`` in 1, 1/2, 1/4, ... with
    ``m(v) - m(u) <= ARMIJO * lam * D``, where ``D < 0`` is the directional
    derivative of ``m`` at ``u`` along the HL-RF step ``d`` and ``v`` is
    either the trial point ``w = u + lam d`` or, tried first when it lowers
    ``|g|``, its correction ``v = w - g(w) grad g(w) / |grad g(w)|^2``: one
    minimum-norm Newton step from ``w`` back toward the frontier.  On a
    curved frontier ``w`` misses the frontier by a term quadratic in the
    step, which can make the merit test reject good steps (the Maratos
    effect; Nocedal & Wright, *Numerical Optimization*, 2nd ed., sec. 15.5);
    the correction removes that term.  It uses the gradient at ``w``, not the
    one at ``u`` of the textbook second-order correction: with the stale
    gradient the correction can overshoot far enough to leap to another
    branch of the frontier (from inside a ball, across its centre to the far
    side), which the merit test does not catch.  The gradient at ``w`` is
    needed anyway when ``w`` is accepted.  Merit changes are formed from
    differences (no ``|u|^2`` cancellation).
    """
    c = _GAMMA * (math.sqrt(float(s.u @ s.u)) + abs(s.offset)) / s.gnorm
    slope = -s.along * s.offset - s.across2 - c * abs(s.g)

    def sufficient(v: FloatArray, g_v: float, lam: float) -> bool:
        delta = v - s.u
        change = float(s.u @ delta + 0.5 * (delta @ delta)) + c * (abs(g_v) - abs(s.g))
        return change <= _ARMIJO * lam * slope

    lam = 1.0
    for _ in range(_HALVINGS):
        at_w = _state_at(problem, s.u + lam * d)
        if at_w is not None:
            v = at_w.u - at_w.offset * at_w.normal
            g_v = problem.g(v)
            if math.isfinite(g_v) and abs(g_v) < abs(at_w.g) and sufficient(v, g_v, lam):
                at_v = _state_at(problem, v, g_v)
                if at_v is not None:
                    return at_v, lam
            if sufficient(at_w.u, at_w.g, lam):
                return at_w, lam
        lam *= 0.5
    return None


def _by_residual(
    problem: _Problem, s: _State, d: FloatArray, lam: float
) -> tuple[_State, float] | None:
    """Near the solution: the step ``lam`` on the halving ladder with the smallest residual.

    The merit function changes by the square of the error, which drowns in the
    rounding of the score once the error is below about ``1e-8``; the residual
    is linear in the error and stays informative down to the rounding level.
    Near a design point the error across the normal is multiplied by
    :math:`1 - \\lambda (1 + \\beta\\kappa_i)` per step, whose largest modulus is
    a convex function of :math:`\\lambda`; so the trials start at ``4 lam``
    (at most 1; the previous step may have been too short), halve while the
    residual keeps falling, and stop at the first rise.  Returns None when no
    trial lowers the residual.
    """
    lam = min(1.0, 4.0 * lam)
    best: tuple[_State, float] | None = None
    previous = math.inf
    for _ in range(_HALVINGS):
        new = _state_at(problem, s.u + lam * d)
        residual = math.inf if new is None else new.residual
        if new is not None and residual < s.residual:
            if best is None or residual < best[0].residual:
                best = (new, lam)
        if best is not None and residual >= previous:
            break
        previous = residual
        lam *= 0.5
    return best


def design_point(
    score: Callable[[FloatArray], Any],
    gradient: Callable[[FloatArray], Any],
    x: npt.ArrayLike,
    sigma: float = 1.0,
    *,
    tol: float = 1e-10,
    max_iter: int = 200,
    start: npt.ArrayLike | None = None,
    line_search: bool = True,
) -> DesignPoint:
    """The FORM design point: the nearest point of :math:`\\{G = 0\\}` to ``x``.

    In standardized coordinates :math:`u = (z - x)/\\sigma`, with
    :math:`g(u) = G(x + \\sigma u)`, the design point solves

    .. math::

        \\min_u \\tfrac12 \\|u\\|^2 \\quad\\text{subject to}\\quad g(u) = 0,

    and :math:`|\\beta| = \\|u^*\\|`.  The Hasofer-Lind-Rackwitz-Fiessler
    (HL-RF) iteration steps from :math:`u_k` toward the foot of the origin on
    the tangent plane of :math:`g` at :math:`u_k`,

    .. math::

        u_{k+1} = u_k + \\lambda_k d_k,\\qquad
        u_k + d_k = \\frac{\\nabla g(u_k)^T u_k - g(u_k)}{\\|\\nabla g(u_k)\\|^2}
        \\,\\nabla g(u_k).

    The *improved* HL-RF (Zhang & Der Kiureghian 1995, 1997) chooses
    :math:`\\lambda_k \\in \\{1, \\tfrac12, \\tfrac14, \\dots\\}` by an
    Armijo rule on the merit function

    .. math::

        m(u) = \\tfrac12 \\|u\\|^2 + c_k |g(u)|,\\qquad
        c_k = 2\\,\\frac{\\|u_k\\| + |g(u_k)|/\\|\\nabla g(u_k)\\|}
                       {\\|\\nabla g(u_k)\\|} > \\frac{\\|u_k\\|}{\\|\\nabla g(u_k)\\|},

    for which :math:`d_k` is a descent direction: the largest
    :math:`\\lambda_k` with :math:`m(v) - m(u_k) \\le
    \\tfrac12 \\lambda_k\\, m'(u_k; d_k)`, where :math:`v` is the trial point
    :math:`w = u_k + \\lambda_k d_k` or, tried first when it lowers
    :math:`|g|`, its correction
    :math:`v = w - g(w)\\,\\nabla g(w)/\\|\\nabla g(w)\\|^2` (one Newton step
    back toward the frontier, which keeps the merit test from rejecting
    good steps on curved frontiers, the Maratos effect; Nocedal & Wright,
    *Numerical Optimization*, 2nd ed., sec. 15.5; it uses the gradient at
    :math:`w`, since the gradient at :math:`u_k` can send it across a ball
    to the far side).  Plain HL-RF
    (:math:`\\lambda_k = 1`, ``line_search=False``) converges near a design
    point only when every :math:`|\\beta\\kappa_i| < 1`: the error across the
    normal is multiplied by :math:`1 - \\lambda_k(1 + \\beta\\kappa_i)` per
    step, so strongly curved frontiers (:math:`\\beta\\kappa_i > 1`) make it
    oscillate or diverge, while the damped steps converge linearly.

    Once the relative residual is below ``1e-5``, where changes of the merit
    function (quadratic in the error) approach the rounding of the score, the
    step :math:`\\lambda_k` is instead the one with the smallest residual
    (linear in the error) on the ladder :math:`4\\lambda_{k-1}` (at most 1),
    :math:`2\\lambda_{k-1}`, :math:`\\lambda_{k-1}, \\dots`, halving until the
    residual rises (the contraction factor :math:`\\max_i |1 - \\lambda(1 +
    \\beta\\kappa_i)|` is convex in :math:`\\lambda`); this reaches
    ``tol = 1e-10`` where a merit test alone stalls near ``1e-8``.

    Parameters
    ----------
    score : callable
        ``score(z)`` returns :math:`G(z)` (one number) for ``z`` of shape
        ``(d,)``; the far class owns :math:`\\{G \\ge 0\\}`.  Only called on
        single points.
    gradient : callable
        ``gradient(z)`` returns :math:`\\nabla G(z)`, shape ``(d,)``.
    x : array_like, shape (d,)
        The point seen from the frontier, finite, ``d >= 1``.
    sigma : float, optional
        Noise level (default 1): the unit of ``beta``, finite and > 0.
    tol : float, optional
        Convergence tolerance on ``residual`` (default ``1e-10``), > 0.  Below
        about :math:`\\varepsilon\\,\\|z^*\\|/\\sigma` (the resolution of the
        frontier's location in floating point) it cannot be met.
    max_iter : int, optional
        Maximum number of steps (default 200), >= 1.
    start : array_like, shape (d,), optional
        Starting point in input units (default ``x``); the algorithm finds a
        *local* design point, so a start near the wanted one helps on
        non-convex frontiers.
    line_search : bool, optional
        ``True`` (default): improved HL-RF.  ``False``: plain HL-RF
        (:math:`\\lambda_k = 1`), for comparison.

    Returns
    -------
    DesignPoint
        With ``converged=False`` (not an error) when ``max_iter`` steps did
        not reach ``tol``, or no step along :math:`d_k` lowered the merit
        (or, near the solution, the residual), or a step left the domain
        where the score and gradient are finite; the fields then describe the
        last iterate.  Check ``converged`` before using ``beta``.

    Raises
    ------
    ValueError
        If ``x`` or ``start`` is not a finite vector, ``sigma`` is not finite
        and > 0, ``tol`` is not > 0, ``max_iter`` is not an integer >= 1;
        if ``score`` or ``gradient`` returns the wrong shape, or a non-finite
        value at the starting point; or if the gradient vanishes at the
        starting point (``x`` at the centre of a ball, say: no direction to
        step in) or its norm times ``sigma`` under- or overflows.  The
        message names the argument.

    Notes
    -----
    The point found satisfies the first-order conditions
    :math:`g(u^*) = 0`, :math:`u^* \\parallel \\nabla g(u^*)`; it is a local
    minimum of the distance when every :math:`1 + \\beta\\kappa_i > 0`.  It is
    the global one for convex :math:`\\{G \\ge 0\\}` seen from outside, but a
    non-convex frontier (a neural network's) can have several.  A hyperplane
    takes one step.

    Near the design point the iteration converges linearly: the error
    shrinks per step by a factor of roughly
    :math:`(r - 1)/(r + 1)`, where
    :math:`r = \\max_i(1 + \\beta\\kappa_i) / \\min_i(1 + \\beta\\kappa_i)`
    is the spread of the curvatures seen from ``x``.  A frontier with
    :math:`r` in the tens (an elongated ellipsoid seen from afar) needs a few
    hundred steps; raise ``max_iter`` when ``converged`` is False with a
    small ``residual``.

    References
    ----------
    A. M. Hasofer and N. C. Lind, "Exact and invariant second-moment code
    format", *J. Eng. Mech. Div.* 100(1):111-121, 1974.
    R. Rackwitz and B. Fiessler, "Structural reliability under combined
    random load sequences", *Computers & Structures* 9(5):489-494, 1978.
    Y. Zhang and A. Der Kiureghian, "Two improved algorithms for reliability
    analysis", in *Reliability and Optimization of Structural Systems*
    (Proc. 6th IFIP WG 7.5), pp. 297-304, 1995; and "Finite element
    reliability methods for inelastic structures", Report UCB/SEMM-97/05,
    University of California, Berkeley, 1997.

    Examples
    --------
    A ball of radius 1 centred at the origin, seen from ``x = (3, 4)`` with
    ``sigma = 2``: the design point is ``(0.6, 0.8)`` and ``beta = (5-1)/2``
    (to about ``tol * beta``: the iteration stops once ``residual <= tol``).

    >>> import numpy as np
    >>> from rstheory._geometry import design_point
    >>> dp = design_point(lambda z: 1.0 - z @ z, lambda z: -2.0 * z, [3.0, 4.0], sigma=2.0)
    >>> dp.converged, dp.residual <= 1e-10, round(dp.beta, 9)
    (True, True, 2.0)
    >>> np.round(dp.point, 9), np.round(dp.normal, 9)
    (array([0.6, 0.8]), array([-0.6, -0.8]))
    """
    x_arr = as_vector("x", x)
    d = x_arr.size
    sig = as_positive("sigma", sigma)
    if sig.ndim != 0:
        raise ValueError(f"sigma must be a scalar, got shape {sig.shape}")
    tol_f = float(as_positive("tol", tol)) if np.ndim(tol) == 0 else None
    if tol_f is None:
        raise ValueError(f"tol must be a scalar, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    problem = _Problem(score, gradient, x_arr, float(sig))
    u = np.zeros(d) if start is None else (as_vector("start", start, d) - x_arr) / problem.sigma

    g_x = problem.g(np.zeros(d))
    if not math.isfinite(g_x):
        raise ValueError(f"score must be finite, got {g_x!r} at x")
    g0 = g_x if start is None else problem.g(u)
    if not math.isfinite(g0):
        raise ValueError(f"score must be finite, got {g0!r} at the starting point")
    raw0 = as_finite("gradient", problem.grad(u))
    state = _State(u, g0, raw0, problem.sigma)  # a zero gradient raises, naming gradient
    if not state.usable:
        raise ValueError(
            f"gradient times sigma must have a norm within the floating-point range at the "
            f"starting point, got |gradient| * sigma = {state.gnorm!r}"
        )

    iterations = 0
    lam = 1.0
    while state.residual > tol_f and iterations < int(max_iter):
        d_k = state.step()
        found: tuple[_State, float] | None
        if not line_search:
            new = _state_at(problem, state.u + d_k)
            found = None if new is None else (new, 1.0)
        elif state.residual > _LOCAL:
            found = _armijo(problem, state, d_k)
            if found is None:  # merit test lost in rounding: fall back on the residual
                found = _by_residual(problem, state, d_k, lam)
        else:
            found = _by_residual(problem, state, d_k, lam)
        if found is None:
            break
        state, lam = found
        iterations += 1

    point = x_arr + problem.sigma * state.u
    distance = float(np.linalg.norm(state.u))
    side = -g_x if g_x != 0.0 else state.along
    beta = -distance if side < 0.0 and distance > 0.0 else distance
    for arr in (point, state.normal, state.raw):
        arr.setflags(write=False)
    return DesignPoint(
        point=point,
        beta=beta,
        normal=state.normal,
        gradient=state.raw,
        iterations=iterations,
        converged=bool(state.residual <= tol_f),
        residual=float(state.residual),
    )
