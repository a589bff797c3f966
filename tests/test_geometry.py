"""Tests of rstheory._geometry: principal curvatures, finite-difference Hessians, design points.

Curvatures of surfaces with known curvatures (spheres, cylinders, ellipsoids
at their axis points, paraboloids at the vertex in any orthonormal frame,
hyperplanes), agreement with Goldman's closed forms of the mean and Gaussian
curvature of an implicit surface, invariance under positive scaling and the
sign flip under ``G -> -G``, Hessians near the ends of the floating-point
range; central-difference Hessians against analytic ones; design points
against closed forms (hyperplane projection in one step, the nearest point of
a sphere from outside and inside, never the far side of the ball, a
cylinder's radial projection, the nearest point of an off-axis paraboloid from
a cubic), invariance under rotation and translation, against a brute-force
search of a 2-D tanh network's frontier, plain HL-RF failing where the improved
algorithm converges, ``converged=False`` when ``max_iter`` is too small (an
ill-conditioned ellipsoid converges linearly and slowly); and the validation
errors.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import scipy.optimize
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rstheory._geometry import (
    DesignPoint,
    design_point,
    finite_difference_hessian,
    principal_curvatures,
    tangent_basis,
)

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)

seeds = st.integers(min_value=0, max_value=2**32 - 1)
dims = st.integers(min_value=2, max_value=7)


def _rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    """A random orthogonal matrix (QR of a Gaussian matrix, signs fixed: Haar)."""
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


# --------------------------------------------------------------------------- a tanh network


class TanhNet:
    """G(z) = v . tanh(W z + b) + c with its exact gradient and Hessian."""

    def __init__(self, seed: int, d: int = 2, hidden: int = 16, offset: float = 0.8) -> None:
        rng = np.random.default_rng(seed)
        self.w = rng.normal(size=(hidden, d)) * 1.5
        self.b = rng.normal(size=hidden)
        self.v = rng.normal(size=hidden) / 4.0
        self.c = 0.0
        self.c = -self.score(np.zeros(d)) - offset  # G(0) = -offset: 0 on the near side

    def score(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z @ self.w.T + self.b) @ self.v + self.c

    def gradient(self, z: np.ndarray) -> np.ndarray:
        t = np.tanh(z @ self.w.T + self.b)
        return (self.v * (1.0 - t * t)) @ self.w

    def hessian(self, z: np.ndarray) -> np.ndarray:
        t = np.tanh(self.w @ z + self.b)
        return (self.w.T * (-2.0 * self.v * t * (1.0 - t * t))) @ self.w


# --------------------------------------------------------------------------- tangent basis


@SETTINGS
@given(seeds, dims)
def test_tangent_basis_is_orthonormal_and_orthogonal_to_the_normal(seed: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    normal = rng.normal(size=d) * 10.0 ** rng.uniform(-100, 100)
    t = tangent_basis(normal)
    assert t.shape == (d, d - 1)
    np.testing.assert_allclose(t.T @ t, np.eye(d - 1), atol=1e-14)
    np.testing.assert_allclose(t.T @ (normal / np.linalg.norm(normal)), 0.0, atol=1e-14)


def test_tangent_basis_of_the_last_axis_is_exact_and_batched() -> None:
    for sign in (1.0, -1.0):
        np.testing.assert_array_equal(tangent_basis([0.0, 0.0, sign * 3.0]), np.eye(3)[:, :2])
    normals = np.random.default_rng(1).normal(size=(4, 5, 3))
    batch = tangent_basis(normals)
    assert batch.shape == (4, 5, 3, 2)
    np.testing.assert_array_equal(batch[2, 3], tangent_basis(normals[2, 3]))
    assert tangent_basis([2.0]).shape == (1, 0)


@pytest.mark.parametrize("bad", [[0.0, 0.0], [np.nan, 1.0], [np.inf, 1.0], 3.0, []])
def test_tangent_basis_rejects_bad_normals(bad) -> None:
    with pytest.raises(ValueError, match="normal"):
        tangent_basis(bad)


# --------------------------------------------------------------------------- curvatures


@SETTINGS
@given(seeds, dims)
def test_sphere_has_curvature_one_over_r(seed: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    radius = 10.0 ** rng.uniform(-3, 3)
    direction = rng.normal(size=d)
    # z - c (not z and c: rounding z = c + (z - c) would move z off the sphere by
    # eps |c|, a relative error eps |c| / R in the curvature when R << |c|)
    offset = radius * direction / np.linalg.norm(direction)
    grad, hess = -2.0 * offset, -2.0 * np.eye(d)  # G = R^2 - |z - c|^2
    np.testing.assert_allclose(principal_curvatures(grad, hess), 1.0 / radius, rtol=1e-13)
    np.testing.assert_allclose(principal_curvatures(-grad, -hess), -1.0 / radius, rtol=1e-13)


@pytest.mark.parametrize("d", [3, 5])
def test_cylinder_has_curvatures_zero_and_one_over_r(d: int) -> None:
    radius = 2.5
    hess = np.diag([-2.0, -2.0] + [0.0] * (d - 2))  # G = R^2 - z_1^2 - z_2^2
    for angle in (0.0, 0.7, 2.0):
        z = np.zeros(d)
        z[:2] = radius * np.array([math.cos(angle), math.sin(angle)])
        kappa = principal_curvatures(-2.0 * z * (np.arange(d) < 2), hess)
        np.testing.assert_allclose(kappa, [0.0] * (d - 2) + [1.0 / radius], atol=1e-15)


def test_paraboloid_vertex_gives_kappa_exactly() -> None:
    kappa = np.array([3.0, -1.5, 0.0, 0.25, -7.0])
    d = kappa.size + 1
    hess = np.zeros((d, d))
    hess[:-1, :-1] = -np.diag(kappa)  # G = y_d - 1/2 sum kappa_i y_i^2
    grad = np.zeros(d)
    grad[-1] = 1.0
    np.testing.assert_array_equal(principal_curvatures(grad, hess), np.sort(kappa))
    np.testing.assert_array_equal(principal_curvatures(-grad, -hess), np.sort(-kappa))


@SETTINGS
@given(seeds, dims)
def test_rotated_scaled_paraboloid_gives_the_same_curvatures(seed: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    kappa = rng.uniform(-5.0, 5.0, size=d - 1)
    q = _rotation(rng, d)  # y = Q^T z: G(z) = c * ((Q^T z)_d - 1/2 sum kappa_i (Q^T z)_i^2)
    scale = 10.0 ** rng.uniform(-5, 5)
    grad = scale * q[:, -1]
    hess = -scale * (q[:, :-1] * kappa) @ q[:, :-1].T
    hess = 0.5 * (hess + hess.T)
    got = principal_curvatures(grad, hess)
    np.testing.assert_allclose(got, np.sort(kappa), rtol=0, atol=1e-13 * max(1.0, *abs(kappa)))


@pytest.mark.parametrize("axes", [(1.0, 2.0, 3.0), (0.5, 4.0, 1.5, 2.0)])
def test_ellipsoid_axis_points(axes) -> None:
    a = np.asarray(axes)
    d = a.size
    hess = -2.0 * np.diag(1.0 / a**2)  # G = 1 - sum z_i^2 / a_i^2, the inside is convex
    for k in range(d):
        for sign in (1.0, -1.0):
            z = np.zeros(d)
            z[k] = sign * a[k]
            expected = np.sort([a[k] / a[j] ** 2 for j in range(d) if j != k])
            got = principal_curvatures(-2.0 * z / a**2, hess)
            np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_hyperplane_and_line_have_zero_curvature() -> None:
    grad = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_array_equal(principal_curvatures(grad, np.zeros((4, 4))), np.zeros(3))
    assert principal_curvatures([2.0], [[5.0]]).shape == (0,)
    circle = principal_curvatures([0.0, -2.0], -2.0 * np.eye(2))  # G = 1 - |z|^2 at (0, 1)
    np.testing.assert_array_equal(circle, [1.0])


@SETTINGS
@given(seeds)
def test_goldman_mean_and_gaussian_curvature_in_3d(seed: int) -> None:
    """Sum and product of the curvatures against Goldman's (2005) implicit formulas."""
    rng = np.random.default_rng(seed)
    grad = rng.normal(size=3)
    a = rng.normal(size=(3, 3))
    hess = a + a.T
    kappa = principal_curvatures(grad, hess)
    norm2 = grad @ grad
    mean = (grad @ hess @ grad - norm2 * np.trace(hess)) / (2.0 * norm2**1.5)
    bordered = np.block([[hess, grad[:, None]], [grad[None, :], np.zeros((1, 1))]])
    gauss = -np.linalg.det(bordered) / norm2**2
    scale = 1.0 + np.abs(kappa).max()
    assert abs(kappa.sum() / 2.0 - mean) <= 1e-12 * scale
    assert abs(kappa.prod() - gauss) <= 1e-12 * scale**2


@SETTINGS
@given(seeds, dims, st.floats(min_value=-30, max_value=30))
def test_positive_scaling_is_invariant_and_negation_flips(seed: int, d: int, log10c: float) -> None:
    rng = np.random.default_rng(seed)
    grad = rng.normal(size=d)
    a = rng.normal(size=(d, d))
    hess = a + a.T
    kappa = principal_curvatures(grad, hess)
    c = 10.0**log10c
    tol = 1e-12 * (1.0 + np.abs(kappa).max())
    np.testing.assert_allclose(principal_curvatures(c * grad, c * hess), kappa, rtol=0, atol=tol)
    np.testing.assert_allclose(principal_curvatures(-grad, -hess), -kappa[::-1], rtol=0, atol=tol)


def test_curvatures_at_the_ends_of_the_floating_point_range() -> None:
    """Hessian entries near the largest double and tiny gradients: no overflow, no NaN."""
    big = principal_curvatures([1.0, 0.0, 0.0], -1.7e308 * np.eye(3))
    np.testing.assert_allclose(big, [1.7e308, 1.7e308], rtol=1e-15)
    tiny = principal_curvatures([1e-300, 0.0, 0.0], np.diag([5.0, -3e-300, 0.0]))
    np.testing.assert_array_equal(tiny, [0.0, 3.0])
    for scale in (1e-300, 1e300):  # G -> c G leaves the curvatures
        np.testing.assert_allclose(
            principal_curvatures(scale * np.array([0.0, -2.0]), scale * -2.0 * np.eye(2)),
            [1.0],
            rtol=1e-15,
        )


def test_curvatures_are_vectorized_and_broadcast() -> None:
    rng = np.random.default_rng(7)
    grads = rng.normal(size=(4, 3, 5))
    a = rng.normal(size=(4, 3, 5, 5))
    hess = a + np.swapaxes(a, -1, -2)
    got = principal_curvatures(grads, hess)
    assert got.shape == (4, 3, 4)
    for i in range(4):
        for j in range(3):
            np.testing.assert_allclose(got[i, j], principal_curvatures(grads[i, j], hess[i, j]))
    shared = principal_curvatures(grads, hess[0, 0])  # one Hessian for all gradients
    np.testing.assert_allclose(shared[2, 1], principal_curvatures(grads[2, 1], hess[0, 0]))
    assert np.all(np.diff(got, axis=-1) >= 0.0)


def test_curvature_validation() -> None:
    eye = np.eye(3)
    with pytest.raises(ValueError, match="gradient must be nonzero"):
        principal_curvatures([0.0, 0.0, 0.0], eye)
    with pytest.raises(ValueError, match="gradient must be nonzero.*index \\(1,\\)"):
        principal_curvatures([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]], eye)
    with pytest.raises(ValueError, match="hessian must be symmetric"):
        principal_curvatures([1.0, 0.0, 0.0], [[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0, 0, 1.0]])
    nearly = eye.copy()
    nearly[0, 1] += 1e-9  # within the default tolerance
    np.testing.assert_allclose(
        principal_curvatures([0.0, 0.0, 1.0], nearly), [-1.0, -1.0], atol=1e-9
    )
    with pytest.raises(ValueError, match="hessian must be symmetric"):
        principal_curvatures([0.0, 0.0, 1.0], nearly, symmetry_tol=0.0)
    with pytest.raises(ValueError, match="hessian must have shape \\(\\.\\.\\., 3, 3\\)"):
        principal_curvatures([1.0, 0.0, 0.0], np.eye(2))
    with pytest.raises(ValueError, match="hessian must have shape"):
        principal_curvatures([1.0, 0.0, 0.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="gradient must have shape"):
        principal_curvatures(1.0, eye)
    with pytest.raises(ValueError, match="do not broadcast"):
        principal_curvatures(np.ones((2, 3)), np.broadcast_to(eye, (4, 3, 3)))
    with pytest.raises(ValueError, match="gradient must not be NaN"):
        principal_curvatures([np.nan, 1.0, 0.0], eye)
    with pytest.raises(ValueError, match="hessian must be finite"):
        principal_curvatures([1.0, 0.0, 0.0], np.where(eye == 1.0, np.inf, 0.0))
    with pytest.raises(ValueError, match="symmetry_tol"):
        principal_curvatures([1.0, 0.0, 0.0], eye, symmetry_tol=-1.0)
    with pytest.raises(ValueError, match="symmetry_tol"):
        principal_curvatures([1.0, 0.0, 0.0], eye, symmetry_tol=math.nan)


# --------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_finite_difference_hessian_matches_the_analytic_one(seed: int) -> None:
    net = TanhNet(seed, d=6)
    z = np.random.default_rng(seed).normal(size=6)
    exact = net.hessian(z)
    approx = finite_difference_hessian(net.gradient, z)
    np.testing.assert_array_equal(approx, approx.T)
    np.testing.assert_allclose(approx, exact, rtol=0, atol=1e-9 * np.abs(exact).max())
    batched = finite_difference_hessian(net.gradient, z, vectorized=True)
    np.testing.assert_allclose(batched, approx, rtol=0, atol=1e-9 * np.abs(exact).max())
    np.testing.assert_allclose(
        principal_curvatures(net.gradient(z), approx),
        principal_curvatures(net.gradient(z), exact),
        rtol=0,
        atol=1e-8,
    )


def test_finite_difference_error_is_second_order_in_the_step() -> None:
    net = TanhNet(3, d=3)
    z = np.array([0.3, -0.2, 0.5])
    exact = net.hessian(z)
    errors = [
        np.abs(finite_difference_hessian(net.gradient, z, step=h) - exact).max()
        for h in (1e-2, 5e-3)
    ]
    assert 3.5 < errors[0] / errors[1] < 4.5  # halving h quarters the error


def test_finite_difference_hessian_of_a_quadratic_and_per_coordinate_steps() -> None:
    a = np.array([[2.0, -1.0, 0.5], [-1.0, 3.0, 0.0], [0.5, 0.0, -4.0]])
    z = np.array([1e3, -2.0, 0.0])
    got = finite_difference_hessian(lambda p: a @ p, z, step=[1e-2, 1e-4, 1e-3])
    np.testing.assert_allclose(got, a, rtol=0, atol=1e-9)
    np.testing.assert_allclose(finite_difference_hessian(lambda p: a @ p, z), a, atol=1e-7)


def test_finite_difference_validation() -> None:
    grad = lambda p: 2.0 * p  # noqa: E731
    with pytest.raises(ValueError, match="point must have shape"):
        finite_difference_hessian(grad, [[1.0, 2.0]])
    with pytest.raises(ValueError, match="point must be finite"):
        finite_difference_hessian(grad, [1.0, np.inf])
    with pytest.raises(ValueError, match="step must be finite and > 0"):
        finite_difference_hessian(grad, [1.0, 2.0], step=0.0)
    with pytest.raises(ValueError, match="step must be a scalar or have shape \\(2,\\)"):
        finite_difference_hessian(grad, [1.0, 2.0], step=[1e-3, 1e-3, 1e-3])
    with pytest.raises(ValueError, match="gradient_fn must have shape \\(2,\\)"):
        finite_difference_hessian(lambda p: 1.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="gradient_fn must be finite"):
        finite_difference_hessian(lambda p: np.full_like(p, np.inf), [1.0, 2.0])
    with pytest.raises(ValueError, match="gradient_fn must return shape \\(4, 2\\)"):
        finite_difference_hessian(lambda p: p[0], [1.0, 2.0], vectorized=True)


# --------------------------------------------------------------------------- design point


def _plane(w: np.ndarray, b: float):
    return (lambda z: w @ z + b), (lambda z: w.copy())


def _ball(centre: np.ndarray, radius: float, sign: float = 1.0):
    """sign * (R^2 - |z - c|^2): sign +1 puts the far class inside the ball."""
    return (
        lambda z: sign * (radius**2 - (z - centre) @ (z - centre)),
        lambda z: -2.0 * sign * (z - centre),
    )


def _ellipsoid(a: np.ndarray):
    """1 - sum z_i^2 / a_i^2 (the far class inside), its gradient and its Hessian."""
    return (
        lambda z: 1.0 - (z / a) @ (z / a),
        lambda z: -2.0 * z / a**2,
        -2.0 * np.diag(1.0 / a**2),
    )


def _paraboloid(kappa: float, apex: float):
    """G = z_d - apex - kappa/2 |z_1..d-1|^2: the far class above a paraboloid."""
    return (
        lambda z: z[-1] - apex - 0.5 * kappa * (z[:-1] @ z[:-1]),
        lambda z: np.concatenate([-kappa * z[:-1], [1.0]]),
    )


def _paraboloid_nearest(kappa: float, apex: float, x: np.ndarray) -> np.ndarray:
    """Nearest point of the paraboloid to x below it: the real root of a monotone cubic.

    With s = |z_t| along x_t/|x_t|: (s - |x_t|) + kappa s (apex - x_d + kappa s^2 / 2) = 0.
    """
    p = np.linalg.norm(x[:-1])
    roots = np.roots([kappa**2 / 2.0, 0.0, 1.0 + kappa * (apex - x[-1]), -p])
    s = float(roots[np.abs(roots.imag) < 1e-12].real.max())
    z = np.empty_like(x)
    z[:-1] = s * x[:-1] / p
    z[-1] = apex + 0.5 * kappa * s * s
    return z


@SETTINGS
@given(seeds, dims)
def test_hyperplane_takes_one_step(seed: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d) * 10.0 ** rng.uniform(-3, 3)
    b = float(rng.normal()) * 10.0
    x = rng.normal(size=d) * 5.0
    sigma = 10.0 ** rng.uniform(-2, 1)
    score, grad = _plane(w, b)
    dp = design_point(score, grad, x, sigma)
    assert dp.converged and dp.iterations == 1
    norm = np.linalg.norm(w)
    g_x = w @ x + b
    np.testing.assert_allclose(dp.point, x - g_x * w / norm**2, rtol=0, atol=1e-12 * (1 + 5 * d))
    assert abs(dp.beta - (-g_x / norm / sigma)) <= 1e-12 * max(1.0, abs(dp.beta))
    np.testing.assert_allclose(dp.normal, w / norm, atol=1e-15)
    np.testing.assert_array_equal(dp.gradient, w)


@SETTINGS
@given(seeds, dims, st.sampled_from(["outside", "inside_far", "inside_near"]))
@example(seed=1416, d=4, case="inside_far")  # once found the far side of the ball
def test_sphere_design_point_closed_form(seed: int, d: int, case: str) -> None:
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=d)
    radius = 10.0 ** rng.uniform(-1, 1)
    direction = rng.normal(size=d)
    direction /= np.linalg.norm(direction)
    sigma = 10.0 ** rng.uniform(-1, 0.5)
    if case == "outside":  # far class = the ball, x outside: beta > 0, kappa = +1/R
        x = centre + radius * rng.uniform(1.05, 20.0) * direction
        sign, expected_beta = 1.0, (np.linalg.norm(x - centre) - radius) / sigma
    else:  # x inside the ball
        x = centre + radius * rng.uniform(0.05, 0.95) * direction
        sign = 1.0 if case == "inside_far" else -1.0  # x in the far class: beta < 0
        expected_beta = sign * (np.linalg.norm(x - centre) - radius) / sigma
    score, grad = _ball(centre, radius, sign)
    dp = design_point(score, grad, x, sigma)
    assert dp.converged and dp.residual <= 1e-10
    expected = centre + radius * (x - centre) / np.linalg.norm(x - centre)
    scale = sigma * max(1.0, abs(expected_beta))  # the residual is relative to sigma max(1, |beta|)
    np.testing.assert_allclose(dp.point, expected, rtol=0, atol=3e-10 * scale)
    assert abs(dp.beta - expected_beta) <= 3e-10 * max(1.0, abs(expected_beta))
    np.testing.assert_allclose(np.linalg.norm(dp.normal), 1.0, rtol=1e-15)
    # +1/R where the far class is the ball (convex), -1/R where it is the outside (it wraps x)
    kappa = principal_curvatures(dp.gradient, -2.0 * sign * np.eye(d)) * sigma
    expected_kappa = sign * sigma / radius * np.ones(d - 1)
    np.testing.assert_allclose(kappa, expected_kappa, rtol=3e-10 * scale / radius)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_ball_seen_from_inside_gives_the_near_point_not_the_far_side(sign: float) -> None:
    """From x = (r, 0) inside the unit ball the design point is (1, 0), never (-1, 0).

    (-1, 0) also satisfies the first-order conditions (it is the farthest point),
    and a correction step with the gradient of the previous iterate used to leap
    across the centre to it for several r (0.11, 0.16, 0.2, 0.33, ...).
    """
    score, grad = _ball(np.zeros(2), 1.0, sign)
    for r in np.linspace(0.01, 0.99, 99):
        dp = design_point(score, grad, [r, 0.0])
        assert dp.converged, (r, dp)
        np.testing.assert_allclose(dp.point, [1.0, 0.0], rtol=0, atol=1e-10)
        assert abs(dp.beta - sign * (r - 1.0)) <= 1e-10
        # a local minimum of the distance: 1 + beta kappa = r > 0
        kappa = principal_curvatures(dp.gradient, -2.0 * sign * np.eye(2))
        assert 1.0 + dp.beta * kappa[0] == pytest.approx(r, abs=1e-9)


@pytest.mark.parametrize("d", [3, 6])
def test_cylinder_design_point_and_mixed_curvatures(d: int) -> None:
    """G = R^2 - z_1^2 - z_2^2 (the far class inside an infinite cylinder), x outside."""
    radius = 1.5
    axes = (np.arange(d) < 2).astype(float)
    score = lambda z: radius**2 - (axes * z) @ z  # noqa: E731
    grad = lambda z: -2.0 * axes * z  # noqa: E731
    x = np.linspace(1.0, 2.0, d) * np.array([2.0, -1.0] + [3.0] * (d - 2))
    dp = design_point(score, grad, x, sigma=0.5)
    assert dp.converged
    rho = np.linalg.norm(x[:2])
    expected = x.copy()
    expected[:2] *= radius / rho  # radial projection; the axial coordinates stay
    np.testing.assert_allclose(dp.point, expected, rtol=0, atol=1e-10)
    assert abs(dp.beta - (rho - radius) / 0.5) <= 1e-9
    kappa = principal_curvatures(dp.gradient, np.diag(-2.0 * axes))
    np.testing.assert_allclose(kappa, [0.0] * (d - 2) + [1.0 / radius], rtol=0, atol=1e-10)


@SETTINGS
@given(seeds, dims)
def test_design_point_is_invariant_under_rotation_and_translation(seed: int, d: int) -> None:
    """z -> Q z + t moves the design point with it and leaves beta and the curvatures."""
    rng = np.random.default_rng(seed)
    # ellipsoid semi-axes (far class inside), ratios below 4: the iteration converges
    # within max_iter = 200 (see test_ill_conditioned_ellipsoid_needs_more_iterations)
    a = 10.0 ** rng.uniform(-0.3, 0.3, size=d)
    x = rng.normal(size=d)
    x *= rng.uniform(1.5, 4.0) * a.max() / np.linalg.norm(x)  # outside the ellipsoid
    q, t = _rotation(rng, d), rng.normal(size=d) * 3.0
    score, grad, hess = _ellipsoid(a)
    here = design_point(score, grad, x, 0.7)
    there = design_point(
        lambda z: score(q.T @ (z - t)), lambda z: q @ grad(q.T @ (z - t)), q @ x + t, 0.7
    )
    assert here.converged and there.converged
    scale = max(1.0, abs(here.beta))
    np.testing.assert_allclose(there.point, q @ here.point + t, rtol=0, atol=1e-8 * scale)
    assert abs(there.beta - here.beta) <= 1e-9 * scale
    np.testing.assert_allclose(there.normal, q @ here.normal, rtol=0, atol=1e-8)
    np.testing.assert_allclose(
        principal_curvatures(there.gradient, q @ hess @ q.T),
        principal_curvatures(here.gradient, hess),
        rtol=0,
        atol=1e-8 * (1.0 + 1.0 / a.min()),
    )


@pytest.mark.parametrize(
    ("kappa", "apex", "x"),
    [
        (2.0, 3.0, [0.7, -0.3, 0.0]),
        (5.0, 5.0, [0.7, -0.3, 0.0]),
        (5.0, 5.0, [3.0, 1.0, -2.0]),
        (20.0, 3.0, [3.0, 1.0, -2.0]),
        (-0.2, 3.0, [0.7, -0.3, 0.0]),
        (50.0, 4.0, [1.0, 0.0, 0.0]),  # beta kappa ~ 200
        (100.0, 10.0, [1.0, 2.0, 0.0]),  # beta kappa ~ 1000
    ],
)
def test_strongly_curved_paraboloid_converges_where_plain_hlrf_does_not(kappa, apex, x) -> None:
    x = np.asarray(x)
    score, grad = _paraboloid(kappa, apex)
    expected = _paraboloid_nearest(kappa, apex, x)
    dp = design_point(score, grad, x)
    assert dp.converged, dp
    np.testing.assert_allclose(dp.point, expected, rtol=0, atol=1e-9)
    assert abs(dp.beta - np.linalg.norm(expected - x)) <= 1e-9
    plain = design_point(score, grad, x, line_search=False)
    if kappa * dp.beta > 1.0:  # the HL-RF map expands the error by kappa * beta across the normal
        assert not plain.converged and plain.iterations == 200
        assert plain.residual > 1e-3  # it oscillates, it is not merely slow
    else:
        assert plain.converged


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_tanh_network_matches_a_brute_force_search(seed: int) -> None:
    net = TanhNet(seed)
    x = np.zeros(2)
    grid = np.linspace(-5.0, 5.0, 501)
    pts = np.stack(np.meshgrid(grid, grid), axis=-1)
    vals = net.score(pts)
    candidates = []
    for p0, p1, v0, v1 in (
        (pts[:-1], pts[1:], vals[:-1], vals[1:]),
        (pts[:, :-1], pts[:, 1:], vals[:, :-1], vals[:, 1:]),
    ):
        cross = np.sign(v0) != np.sign(v1)
        t = (v0 / (v0 - v1))[cross][:, None]
        candidates.append(p0[cross] + t * (p1[cross] - p0[cross]))
    cand = np.concatenate(candidates)
    nearest = cand[np.argmin(np.linalg.norm(cand - x, axis=1))]
    polished = scipy.optimize.minimize(
        lambda z: (z - x) @ (z - x),
        nearest,
        jac=lambda z: 2.0 * (z - x),
        constraints=[{"type": "eq", "fun": net.score, "jac": net.gradient}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 200},
    ).x
    dp = design_point(net.score, net.gradient, x)
    assert dp.converged
    np.testing.assert_allclose(dp.point, polished, rtol=0, atol=1e-7)
    assert abs(dp.beta - np.linalg.norm(polished - x)) <= 1e-9
    assert dp.beta > 0.0  # G(x) < 0
    kappa = principal_curvatures(dp.gradient, net.hessian(dp.point))
    assert kappa[0] * dp.beta > 1.0  # strongly curved: plain HL-RF has no chance
    assert not design_point(net.score, net.gradient, x, line_search=False).converged


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_tanh_network_in_8d_is_a_local_nearest_point(seed: int) -> None:
    net = TanhNet(seed, d=8, hidden=24)
    rng = np.random.default_rng(seed)
    x = np.zeros(8)
    sigma = 0.5
    dp = design_point(net.score, net.gradient, x, sigma)
    assert dp.converged
    u = (dp.point - x) / sigma
    assert abs(net.score(dp.point)) / np.linalg.norm(dp.gradient) <= 1e-10 * sigma * max(1, dp.beta)
    np.testing.assert_allclose(u, dp.beta * dp.normal, rtol=0, atol=1e-9 * max(1, dp.beta))
    # frontier points near z* (random tangent moves, Newton back along the gradient) are farther
    basis = tangent_basis(dp.normal)
    for _ in range(20):
        z = dp.point + basis @ rng.normal(size=7) * 1e-3
        for _ in range(30):
            g = net.gradient(z)
            z = z - net.score(z) * g / (g @ g)
        assert np.linalg.norm(z - x) >= np.linalg.norm(dp.point - x) * (1 - 1e-12)


def test_ill_conditioned_ellipsoid_needs_more_iterations() -> None:
    """HL-RF converges linearly, at a rate set by the spread of 1 + beta kappa_i.

    Seen from x, this ellipsoid (axes ratio 8) has 1 + beta kappa_i from 3.6 to
    157: the residual falls by a few per cent a step, 200 steps are not enough,
    and the result says so; with more steps it converges to the true design point.
    """
    a = np.array([2.77367841, 1.02642578, 2.99394423, 0.38092197])
    x = np.array([-10.26044221, -0.03252582, -3.89729757, 0.92910178])
    score, grad, hess = _ellipsoid(a)
    short = design_point(score, grad, x, 0.7)
    assert not short.converged and short.iterations == 200 and short.residual < 1e-6
    dp = design_point(score, grad, x, 0.7, max_iter=2000)
    assert dp.converged and 200 < dp.iterations < 2000
    # the first-order conditions: on the ellipsoid, z* - x along the normal
    assert abs(score(dp.point)) <= 1e-9
    u = (dp.point - x) / 0.7
    np.testing.assert_allclose(u, dp.beta * dp.normal, rtol=0, atol=1e-9 * dp.beta)
    kappa = principal_curvatures(dp.gradient, hess) * 0.7
    stretch = 1.0 + dp.beta * kappa
    assert stretch.min() > 3.0 and stretch.max() > 150.0
    np.testing.assert_allclose(short.point, dp.point, rtol=0, atol=1e-5)


def test_sigma_rescales_beta_only() -> None:
    score, grad = _paraboloid(1.5, 2.0)
    x = np.array([1.0, 0.5, -1.0])
    one = design_point(score, grad, x)
    four = design_point(score, grad, x, sigma=4.0)
    np.testing.assert_allclose(four.point, one.point, rtol=0, atol=1e-9)
    assert abs(4.0 * four.beta - one.beta) <= 1e-9


def test_x_on_the_frontier_and_start() -> None:
    score, grad = _ball(np.zeros(2), 1.0)
    dp = design_point(score, grad, [1.0, 0.0])
    assert dp.converged and dp.iterations == 0 and dp.beta == 0.0
    # two balls: x is nearer the left one; a start near the right one finds its design point
    left, right = np.array([-2.0, 0.0]), np.array([2.5, 0.0])

    def two(z):
        return max(1.0 - (z - left) @ (z - left), 1.0 - (z - right) @ (z - right))

    def two_grad(z):
        c = left if (z - left) @ (z - left) <= (z - right) @ (z - right) else right
        return -2.0 * (z - c)

    near = design_point(two, two_grad, [0.0, 0.0])
    np.testing.assert_allclose(near.point, [-1.0, 0.0], atol=1e-9)
    far = design_point(two, two_grad, [0.0, 0.0], start=[1.4, 0.2])
    np.testing.assert_allclose(far.point, [1.5, 0.0], atol=1e-9)
    assert near.beta == pytest.approx(1.0) and far.beta == pytest.approx(1.5)


def test_not_converged_is_reported_not_raised() -> None:
    score, grad = _paraboloid(5.0, 5.0)
    dp = design_point(score, grad, [3.0, 1.0, -2.0], max_iter=3)
    assert not dp.converged and dp.iterations == 3 and dp.residual > 1e-10
    assert np.all(np.isfinite(dp.point)) and math.isfinite(dp.beta)


def test_design_point_is_frozen_and_does_not_touch_user_arrays() -> None:
    w = np.array([1.0, 2.0])
    dp = design_point(lambda z: w @ z - 1.0, lambda z: w, [0.0, 0.0])
    assert isinstance(dp, DesignPoint)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dp.beta = 0.0  # type: ignore[misc]
    for arr in (dp.point, dp.normal, dp.gradient):
        assert not arr.flags.writeable
    assert w.flags.writeable  # the gradient callable's own array is left writable
    assert isinstance(dp.iterations, int) and isinstance(dp.converged, bool)


def test_design_point_validation() -> None:
    score, grad = _ball(np.zeros(2), 1.0)
    x = [3.0, 0.0]
    with pytest.raises(ValueError, match="sigma must be finite and > 0"):
        design_point(score, grad, x, sigma=0.0)
    with pytest.raises(ValueError, match="sigma must be a scalar"):
        design_point(score, grad, x, sigma=[1.0, 2.0])
    with pytest.raises(ValueError, match="tol must be finite and > 0"):
        design_point(score, grad, x, tol=0.0)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="max_iter must be an integer >= 1"):
            design_point(score, grad, x, max_iter=bad)
    with pytest.raises(ValueError, match="x must have shape"):
        design_point(score, grad, [[3.0, 0.0]])
    with pytest.raises(ValueError, match="x must not be NaN"):
        design_point(score, grad, [np.nan, 0.0])
    with pytest.raises(ValueError, match="start must have shape \\(2,\\)"):
        design_point(score, grad, x, start=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="score must return one number"):
        design_point(lambda z: z, grad, x)
    with pytest.raises(ValueError, match="gradient must return shape \\(2,\\)"):
        design_point(score, lambda z: 1.0, x)
    with pytest.raises(ValueError, match="score must be finite"):
        design_point(lambda z: math.nan, grad, x)
    with pytest.raises(ValueError, match="gradient must be finite"):
        design_point(score, lambda z: np.array([np.inf, 1.0]), x)
    with pytest.raises(ValueError, match="gradient must be nonzero"):
        design_point(score, grad, [0.0, 0.0])  # the centre: every direction is nearest
    with pytest.raises(ValueError, match="gradient times sigma must have a norm"):
        design_point(score, lambda z: np.array([1e-300, 0.0]), x, sigma=1e-30)  # underflows
