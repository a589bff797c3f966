"""Tests of rstheory.plots: figure structure, monotone data, PNG output, lazy import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from rstheory import plots
from rstheory.bounds import clopper_pearson_lower
from rstheory.levels import level_threshold
from rstheory.planning import expected_radius, max_radius, radius_distribution, required_n
from rstheory.radius import gaussian_radius

ROOT = Path(__file__).resolve().parents[1]


def test_import_rstheory_does_not_import_matplotlib() -> None:
    code = (
        "import sys, rstheory, rstheory.plots, rstheory.report, rstheory.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_radius_vs_p_lines_and_monotone() -> None:
    sigmas = (0.12, 0.25, 0.5, 1.0)
    fig = plots.plot_radius_vs_p(sigmas, num=50)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == len(sigmas)
    assert ax.get_xscale() == "log"
    first = None
    for s, line in zip(sigmas, ax.lines, strict=True):
        q = np.asarray(line.get_xdata(), dtype=float)
        r = np.asarray(line.get_ydata(), dtype=float)
        assert np.all(np.diff(q) < 0)  # 1 - p decreasing, p increasing
        assert np.all(np.diff(r) >= 0)  # radius non-decreasing in p
        assert r[0] == pytest.approx(0.0, abs=1e-12)  # p = 1/2
        assert np.all(np.isfinite(r))
        np.testing.assert_allclose(r, gaussian_radius(1.0 - q, s))
        first = r / s if first is None else first
        np.testing.assert_allclose(r / s, first, rtol=1e-12)  # linear in sigma
        assert f"{s:g}" in str(line.get_label())


def test_lower_bound_vs_n_structure_and_ordering() -> None:
    n = np.array([100, 200, 500, 1000, 10**4, 10**5, 10**6, 10**8], dtype=float)
    fig = plots.plot_lower_bound_vs_n(0.99, 0.001, sigma=0.25, n_values=n)
    assert len(fig.axes) == 2
    top, bottom = fig.axes
    assert len(top.lines) == 4  # three methods + the k/n reference
    assert len(bottom.lines) == 3
    assert top.get_xscale() == "log"
    labels = [str(line.get_label()) for line in top.lines]
    assert labels == ["clopper-pearson", "hoeffding", "wilson", "k / n"]
    cp = np.asarray(top.lines[0].get_ydata(), dtype=float)
    hoeffding = np.asarray(top.lines[1].get_ydata(), dtype=float)
    ratio = np.asarray(top.lines[3].get_ydata(), dtype=float)
    np.testing.assert_array_equal(cp, clopper_pearson_lower(np.floor(0.99 * n), n, 0.001))
    assert np.all(np.diff(cp) > 0)  # k/n fixed at 0.99 exactly: more samples, tighter bound
    assert np.all(cp >= hoeffding)  # Hoeffding is looser near p = 1
    for line in top.lines[:3]:
        assert np.all(np.asarray(line.get_ydata(), dtype=float) <= ratio)
    r_cp = np.asarray(bottom.lines[0].get_ydata(), dtype=float)
    assert np.all(np.diff(r_cp) > 0)
    assert np.all(r_cp >= 0)


def test_lower_bound_vs_n_default_grid() -> None:
    fig = plots.plot_lower_bound_vs_n(methods=("clopper-pearson",))
    n = np.asarray(fig.axes[0].lines[0].get_xdata(), dtype=float)
    assert n[0] == 10 and n[-1] == 1e9
    assert len(fig.axes[1].lines) == 1


def test_save_png(tmp_path: Path) -> None:
    for name, fig in (
        ("a.png", plots.plot_radius_vs_p(num=20)),
        ("b.png", plots.plot_lower_bound_vs_n(n_values=[10, 100, 1000])),
    ):
        path = tmp_path / name
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 1000


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: plots.plot_radius_vs_p(()), "sigmas"),
        (lambda: plots.plot_radius_vs_p((0.25, -1.0)), "sigma"),
        (lambda: plots.plot_radius_vs_p(q_min=0.7), "q_min"),
        (lambda: plots.plot_radius_vs_p(num=1), "num"),
        (lambda: plots.plot_lower_bound_vs_n(methods=("bogus",)), "method"),
        (lambda: plots.plot_lower_bound_vs_n(methods=()), "methods"),
        (lambda: plots.plot_lower_bound_vs_n(ratio=1.5), "ratio"),
        (lambda: plots.plot_lower_bound_vs_n(alpha=2.0), "alpha"),
        (lambda: plots.plot_lower_bound_vs_n(n_values=[]), "n_values"),
        (lambda: plots.plot_lower_bound_vs_n(n_values=[0, 10]), "n"),
    ],
)
def test_bad_input_names_the_argument(call: object, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        call()  # type: ignore[operator]


# --------------------------------------------------------------------------- planning and levels


def test_max_radius_lines_match_library() -> None:
    alphas = (1e-2, 1e-3, 1e-10)
    fig = plots.plot_max_radius(alphas, n_range=(10, 1e9), sigma=1.0, num=60)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == len(alphas)
    assert "n" in ax.get_xlabel() and "radius" in ax.get_ylabel()
    for a, line in zip(alphas, ax.lines, strict=True):
        assert f"{a:g}" in str(line.get_label())
        n = np.asarray(line.get_xdata(), dtype=float)
        r = np.asarray(line.get_ydata(), dtype=float)
        assert n[0] == 10 and n[-1] == 1e9 and np.all(np.diff(n) > 0)
        assert np.all(n == np.round(n))
        np.testing.assert_array_equal(r, np.maximum(max_radius(n, 1.0, a), 0.0))
        assert np.all(np.diff(r) >= 0)
    # alpha = 1e-10 needs n >= 34 unanimous votes: drawn as 0 below
    low = np.asarray(ax.lines[2].get_ydata(), dtype=float)
    assert low[0] == 0.0 and max_radius(10, 1.0, 1e-10) < 0
    n_1e5 = np.asarray(ax.lines[1].get_xdata(), dtype=float)
    assert max_radius(10**5, 1.0, 1e-3) == pytest.approx(3.8115, abs=1e-4)
    assert 3.0 < np.interp(1e5, n_1e5, np.asarray(ax.lines[1].get_ydata(), dtype=float)) < 4.0


def test_max_radius_scales_with_sigma() -> None:
    a = plots.plot_max_radius((1e-3,), n_range=(100, 1e4), sigma=1.0, num=10).axes[0].lines[0]
    b = plots.plot_max_radius((1e-3,), n_range=(100, 1e4), sigma=0.25, num=10).axes[0].lines[0]
    np.testing.assert_allclose(
        np.asarray(b.get_ydata(), dtype=float),
        0.25 * np.asarray(a.get_ydata(), dtype=float),
        rtol=1e-14,
    )


def test_required_n_lines_and_gaps() -> None:
    radii = [0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    ps = (1.0, 0.999, 0.99, 0.9)
    fig = plots.plot_required_n(radii, ps, sigma=1.0, alpha=0.001, power=0.5)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == len(ps)
    labels = [str(line.get_label()) for line in ax.lines]
    assert labels[0] == "p = 1"
    for p, label in zip(ps[1:], labels[1:], strict=True):
        assert f"p = {p:g}" in label and "unreachable" in label
    for p, line in zip(ps, ax.lines, strict=True):
        r = np.asarray(line.get_xdata(), dtype=float)
        n = np.asarray(line.get_ydata(), dtype=float)
        np.testing.assert_array_equal(r, radii)
        reachable = r < (np.inf if p == 1 else norm.ppf(p))
        assert np.all(np.isnan(n[~reachable]))  # left as gaps
        assert np.all(np.isfinite(n[reachable]))
        for i in (0, 2):  # a couple of points: the library's values
            assert n[i] == required_n(radii[i], 1.0, 0.001, p, 0.5)
        assert np.all(np.diff(n[reachable]) >= 0)
    # p = 0.9 reaches 1.0 but not 1.5 (sigma * Phi^-1(0.9) = 1.28)
    n_09 = np.asarray(ax.lines[3].get_ydata(), dtype=float)
    assert np.isfinite(n_09[2]) and np.isnan(n_09[3])
    # a smaller p needs at least as many samples
    n_1 = np.asarray(ax.lines[0].get_ydata(), dtype=float)
    assert np.all(n_09[:3] >= n_1[:3])


def test_required_n_default_radii() -> None:
    fig = plots.plot_required_n(ps=(1.0,), sigma=0.5)
    r = np.asarray(fig.axes[0].lines[0].get_xdata(), dtype=float)
    assert r[0] == pytest.approx(0.025) and r[-1] == pytest.approx(2.0)
    n = np.asarray(fig.axes[0].lines[0].get_ydata(), dtype=float)
    assert n[-1] == required_n(2.0, 0.5, 0.001)


def test_radius_distribution_panels() -> None:
    cases = [(0.7, 100), (0.99, 1000), (0.99, 10**5)]
    fig = plots.plot_radius_distribution(cases, sigma=0.25, alpha=0.001)
    assert len(fig.axes) == 3  # the unused fourth panel is removed
    for (p, n), ax in zip(cases, fig.axes, strict=True):
        dist = radius_distribution(p, n, 0.25, 0.001)
        assert len(ax.lines) == 2  # markers, expected-radius line
        np.testing.assert_array_equal(np.asarray(ax.lines[0].get_xdata()), dist.radius)
        np.testing.assert_array_equal(np.asarray(ax.lines[0].get_ydata()), dist.probability)
        mean = expected_radius(p, n, 0.25, 0.001)
        assert list(ax.lines[1].get_xdata()) == [mean, mean]
        assert len(ax.collections) == 1  # the stems
        texts = [t.get_text() for t in ax.texts]
        assert texts == [f"P[abstain] = {dist.abstain:.3g}"]
        assert f"n = {n:,}" in ax.get_title() and f"p = {p:g}" in ax.get_title()
        assert "radius" in ax.get_xlabel() and ax.get_ylabel() == "probability"
        lo, hi = ax.get_xlim()
        assert lo <= float(dist.radius[int(dist.probability.argmax())]) <= hi
    assert fig.axes[0].texts[0].get_text() == "P[abstain] = 0.163"  # p = 0.7, n = 100


def test_level_threshold_lines_match_library() -> None:
    pas = (0.5, 0.8, 0.95, 0.99)
    fig = plots.plot_level_threshold(pas, n_range=(1, 1e5), num=80)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == len(pas) + 1  # + the 1/2 reference, drawn last
    assert [str(line.get_label()) for line in ax.lines] == [f"Pa = {p:g}" for p in pas] + ["1/2"]
    assert list(ax.lines[-1].get_ydata()) == [0.5, 0.5]
    for pa, line in zip(pas, ax.lines[:-1], strict=True):
        n = np.asarray(line.get_xdata(), dtype=float)
        t = np.asarray(line.get_ydata(), dtype=float)
        assert n[0] == 1 and n[-1] == 1e5
        np.testing.assert_array_equal(t, level_threshold(pa, n))
        assert t[0] == pytest.approx(1 - pa, rel=1e-12)  # one vote
        assert np.all(t <= 0.5) and t[-1] > 0.49  # towards 1/2 as n grows
    odd = np.asarray(ax.lines[3].get_xdata(), dtype=float) % 2 == 1
    t99 = np.asarray(ax.lines[3].get_ydata(), dtype=float)
    assert np.all(np.diff(t99[odd]) > 0)  # odd n: increasing (Condorcet)
    win = plots.plot_level_threshold((0.9,), n_range=(1, 100), ties="win", num=20)
    n = np.asarray(win.axes[0].lines[0].get_xdata(), dtype=float)
    t = np.asarray(win.axes[0].lines[0].get_ydata(), dtype=float)
    np.testing.assert_array_equal(t, level_threshold(0.9, n, "win"))


def test_save_new_figures_png(tmp_path: Path) -> None:
    for name, fig in (
        ("max_radius.png", plots.plot_max_radius(num=20)),
        ("required_n.png", plots.plot_required_n(radii=[0.5, 1.0, 2.0])),
        ("radius_distribution.png", plots.plot_radius_distribution([(0.9, 100)])),
        ("level_threshold.png", plots.plot_level_threshold(num=20)),
    ):
        path = tmp_path / name
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 1000


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: plots.plot_max_radius(()), "alphas"),
        (lambda: plots.plot_max_radius((1e-3, 2.0)), "alpha"),
        (lambda: plots.plot_max_radius(sigma=0.0), "sigma"),
        (lambda: plots.plot_max_radius(n_range=(100, 10)), "n_range"),
        (lambda: plots.plot_max_radius(n_range=(0, 10)), "n_range"),
        (lambda: plots.plot_max_radius(n_range=5), "n_range"),
        (lambda: plots.plot_max_radius(num=1), "num"),
        (lambda: plots.plot_required_n(ps=()), "ps"),
        (lambda: plots.plot_required_n(ps=(1.5,)), "p"),
        (lambda: plots.plot_required_n(ps=(0.0,)), "p"),
        (lambda: plots.plot_required_n(radii=[]), "radii"),
        (lambda: plots.plot_required_n(radii=[-1.0]), "radius"),
        (lambda: plots.plot_required_n(alpha=0.0), "alpha"),
        (lambda: plots.plot_required_n(power=1.0), "power"),
        (lambda: plots.plot_required_n(sigma=-1.0), "sigma"),
        (lambda: plots.plot_radius_distribution(()), "cases"),
        (lambda: plots.plot_radius_distribution([(0.9,)]), "case"),
        (lambda: plots.plot_radius_distribution([(1.5, 100)]), "p"),
        (lambda: plots.plot_radius_distribution([(0.9, 0)]), "n"),
        (lambda: plots.plot_radius_distribution(sigma=0.0), "sigma"),
        (lambda: plots.plot_level_threshold(()), "pas"),
        (lambda: plots.plot_level_threshold((1.0,)), "pa"),
        (lambda: plots.plot_level_threshold(ties="coin"), "ties"),
        (lambda: plots.plot_level_threshold(n_range=(1, 2**54)), "n_range"),
    ],
)
def test_new_plots_bad_input_names_the_argument(call: object, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        call()  # type: ignore[operator]


def test_sorm_error_lines_match_library() -> None:
    from rstheory.sorm import METHODS, approximation_errors

    fig = plots.plot_sorm_error(beta=3.0, dims=(2, 10), bk_range=(-0.5, 2.0), num=11)
    assert len(fig.axes) == 2
    for ax, surface in zip(fig.axes, ("paraboloid", "sphere"), strict=True):
        assert surface in ax.get_title() and ax.get_yscale() == "log"
        assert len(ax.lines) == 2 * len(METHODS)
        line = ax.lines[len(METHODS) + 1]  # breitung, d = 10
        assert str(line.get_label()) == "breitung, d = 10"
        bk = np.asarray(line.get_xdata(), dtype=float)
        assert 0.0 not in bk and bk[0] == -0.5 and bk[-1] == 2.0
        want = np.abs(np.expm1(approximation_errors(3.0, bk / 3.0, 10, surface)["breitung"]))
        np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), want, rtol=1e-12)


def test_frontier_offset_lines_match_library() -> None:
    from rstheory.sorm import smoothed_frontier_offset

    fig = plots.plot_frontier_offset(d=5, kappa_range=(-0.4, 0.8), sigma=0.5, num=7)
    ax = fig.axes[0]
    labels = [str(line.get_label()) for line in ax.lines]
    assert labels[:5] == ["exact paraboloid", "sphere", "hohenbichler", "tvedt", "breitung"]
    x = np.asarray(ax.lines[0].get_xdata(), dtype=float)
    np.testing.assert_allclose(x, 0.5 * np.linspace(-0.4, 0.8, 7))
    exact = np.asarray(ax.lines[0].get_ydata(), dtype=float)
    for xi, yi in zip(x, exact, strict=True):
        assert yi == smoothed_frontier_offset(np.full(4, xi / 0.5), 0.5) / 0.5
    assert np.all(np.asarray(ax.lines[4].get_ydata(), dtype=float) == 0.0)  # Breitung
    sphere = np.asarray(ax.lines[1].get_ydata(), dtype=float)
    assert sphere[-1] == smoothed_frontier_offset(np.full(4, 0.8), 0.5, "sphere") / 0.5
    # sigma kappa = 0.5 in d = 10: P[chi2_10 <= 4] < 1/2, the smoothed ball is empty
    far = plots.plot_frontier_offset(d=10, kappa_range=(0.0, 0.5), num=2).axes[0].lines[1]
    assert np.isnan(np.asarray(far.get_ydata(), dtype=float)[-1])
    first = np.asarray(ax.lines[5].get_ydata(), dtype=float)
    np.testing.assert_allclose(first, 0.5 * 4 * x)
    away = np.abs(x) > 1e-9
    assert np.all(np.sign(exact[away]) == np.sign(x[away]))


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: plots.plot_sorm_error(beta=0.0), "beta"),
        (lambda: plots.plot_sorm_error(dims=()), "dims"),
        (lambda: plots.plot_sorm_error(bk_range=(-1.0, 2.0)), "bk_range"),
        (lambda: plots.plot_sorm_error(num=1), "num"),
        (lambda: plots.plot_frontier_offset(d=1), "d"),
        (lambda: plots.plot_frontier_offset(sigma=0.0), "sigma"),
        (lambda: plots.plot_frontier_offset(kappa_range=(1.0, 0.0)), "kappa_range"),
        (lambda: plots.plot_frontier_offset(num=1), "num"),
    ],
)
def test_sorm_plots_bad_input_names_the_argument(call: object, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        call()  # type: ignore[operator]


# --------------------------------------------------------------------------- simulation


@pytest.fixture(scope="module")
def ball_scans() -> list:
    from rstheory.classifiers import Ball
    from rstheory.simulate import SmoothedClassifier, direction_scan

    d = 50
    u = np.zeros(d)
    u[0] = 1.0
    f = Ball(np.zeros(d), 3.0)
    return [
        direction_scan(
            SmoothedClassifier(f, 0.25, n, rng=n), np.zeros(d), u, np.linspace(0, 4, 21), 40
        )
        for n in (1, 10)
    ]


def test_direction_scan_lines_match_the_scans(ball_scans: list) -> None:
    fig = plots.plot_direction_scan(ball_scans, labels=["n = 1", "n = 10"])
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    # per scan: estimate and exact; then 1 shared radius, 2 x 2 level bounds, f, g_sigma
    assert len(ax.lines) == 2 * 2 + 1 + 4 + 1 + 1
    assert len(ax.collections) == 2  # the Clopper-Pearson bands
    for i, scan in enumerate(ball_scans):
        est, exact = ax.lines[2 * i], ax.lines[2 * i + 1]
        np.testing.assert_array_equal(est.get_xdata(), scan.distances)
        np.testing.assert_array_equal(est.get_ydata(), scan.estimate)
        np.testing.assert_array_equal(exact.get_ydata(), scan.exact)
        assert est.get_color() == exact.get_color()
    verticals = [float(line.get_xdata()[0]) for line in ax.lines[4:]]
    s0, s1 = ball_scans
    assert verticals[0] == s0.radius == s1.radius  # drawn once
    np.testing.assert_array_equal(verticals[1:5], [*s0.level_bounds, *s1.level_bounds])
    assert verticals[5] == pytest.approx(3.0)  # f's frontier, the sphere
    assert verticals[6] == s0.smoothed_frontier
    assert s0.radius < s0.smoothed_frontier < s0.base_frontier  # the picture's message
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["n = 1", "n = 10"]
    for word in ("certified radius", "frontier of f", "frontier of g_sigma", "Pa = 0.8"):
        assert any(word in t for t in texts), word
    assert ax.get_xlim() == (0.0, 4.0)


def test_direction_scan_into_given_axes_and_hidden_frontier(ball_scans: list) -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    short = [s._replace(distances=s.distances * 0.5) for s in ball_scans[:1]]  # up to 2 < 3
    assert plots.plot_direction_scan(short, ax=right) is fig
    assert len(left.lines) == 0
    # estimate, exact, radius, two level bounds, g_sigma's frontier: f's (3.0) is off the range
    assert len(right.lines) == 6
    assert all(float(line.get_xdata()[0]) != pytest.approx(3.0) for line in right.lines[2:])
    assert right.get_legend().get_texts()[0].get_text() == f"n = {short[0].n}"


def test_slices_panels_and_exact_frontier() -> None:
    from rstheory.classifiers import Ball, Sectors
    from rstheory.simulate import SmoothedClassifier, direction_scan, slice_2d

    d = 50
    u, v = np.zeros(d), np.zeros(d)
    u[0] = v[1] = 1.0
    f = Ball(np.zeros(d), 3.0)
    g = SmoothedClassifier(f, 0.25, 10, rng=0)
    slices = [
        slice_2d(f, np.zeros(d), u, v, 3.5, 30),
        slice_2d(g, np.zeros(d), u, v, 3.5, 30, exact_resolution=15),
    ]
    fig = plots.plot_slices(slices)
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["f (no RS)", "n = 10"]
    for ax, sl in zip(fig.axes, slices, strict=True):
        assert len(ax.images) == 1
        np.testing.assert_array_equal(ax.images[0].get_array(), sl.labels)
        assert list(ax.images[0].get_extent()) == [-3.5, 3.5, -3.5, 3.5]
    assert len(fig.axes[0].collections) == 0  # f's slice has no exact probabilities
    assert len(fig.axes[1].collections) == 1
    # the contour is g_sigma's frontier: a circle of the radius where pi crosses 1/2
    radius = direction_scan(g, np.zeros(d), u, [0.0, 3.5], 1).smoothed_frontier
    vertices = np.concatenate([p.vertices for p in fig.axes[1].collections[0].get_paths()])
    assert vertices.shape[0] > 20
    np.testing.assert_allclose(np.hypot(vertices[:, 0], vertices[:, 1]), radius, atol=0.02)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["label 0", "label 1", "frontier of g_sigma (exact)"]
    three = plots.plot_slices([slice_2d(Sectors(3), [0, 0], [1, 0], [0, 1], 1.0, 8)] * 3)
    assert len(three.axes) == 3
    assert [t.get_text() for t in three.legends[0].get_texts()] == ["label 0", "label 1", "label 2"]


def test_search_spread_lines_match_the_laws() -> None:
    from rstheory.classifiers import Linear
    from rstheory.simulate import SmoothedClassifier, binary_search_spread, search_distribution

    f = Linear([1.0, 0.0], -1.0, inside_label=0)
    spreads, laws = [], []
    for n in (1, 25):
        g = SmoothedClassifier(f, 0.5, n, rng=n)
        spreads.append(binary_search_spread(g, [0, 0], [4, 0], 10, 60))
        laws.append(search_distribution(g, [0, 0], [4, 0], 10))
    fig = plots.plot_search_spread(spreads, laws, labels=["n = 1", "n = 25"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 * 2 + 1  # ECDF and exact law per n, one shared frontier
    for i, (spread, law) in enumerate(zip(spreads, laws, strict=True)):
        ecdf, exact = ax.lines[2 * i], ax.lines[2 * i + 1]
        np.testing.assert_array_equal(ecdf.get_xdata(), np.sort(spread.distances))
        np.testing.assert_array_equal(ecdf.get_ydata(), np.arange(1, 61) / 60)
        np.testing.assert_array_equal(exact.get_xdata(), law.distances)
        np.testing.assert_array_equal(exact.get_ydata(), law.cdf(law.distances))
        assert exact.get_linestyle() == "--" and ecdf.get_color() == exact.get_color()
    assert float(ax.lines[4].get_xdata()[0]) == pytest.approx(1.0)  # g_sigma = f: x_0 = 1
    lo, hi = ax.get_xlim()
    assert lo < 1.0 < hi
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["n = 1", "n = 25", "exact law", "frontier of g_sigma"]
    # spread shrinks with n: the n = 25 ECDF reaches 1 - 1/60 over a shorter range
    widths = [np.ptp(np.asarray(line.get_xdata())) for line in ax.lines[0:4:2]]
    assert widths[1] < widths[0]
    plain = plots.plot_search_spread(spreads)
    assert len(plain.axes[0].lines) == 2 + 1


def test_normal_cosine_lines_and_theory() -> None:
    from rstheory.classifiers import Linear
    from rstheory.simulate import linear_normal_cosine, normal_study

    w = np.zeros(5)
    w[0] = 1.0
    ratios = np.array([0.3, 3.0])
    study = normal_study(
        Linear(w, inside_label=0), np.zeros(5), 0.25, [1, 20], 0.25 * ratios, 60, 4, label=0, rng=0
    )
    theory = np.array([[linear_normal_cosine(n, r, 5, 60) for r in ratios] for n in (1, 20)])
    fig = plots.plot_normal_cosine(study, theory)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.containers) == 2  # one errorbar per n
    assert len(ax.lines) == 2 + 2  # data lines, then the dashed theory
    for i in range(2):
        data = ax.containers[i].lines[0]
        np.testing.assert_allclose(data.get_xdata(), ratios)
        np.testing.assert_allclose(data.get_ydata(), study.cosines[i].mean(axis=1))
        assert ax.containers[i].get_label() == f"n = {(1, 20)[i]}"
        np.testing.assert_array_equal(ax.lines[2 + i].get_ydata(), theory[i])
        assert ax.lines[2 + i].get_linestyle() == "--"
        segments = ax.containers[i].lines[2][0].get_segments()  # the error bars
        se = study.cosines[i].std(axis=1, ddof=1) / 2.0
        np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * se, rtol=1e-12)
    assert len(plots.plot_normal_cosine(study).axes[0].lines) == 2


def test_save_simulation_figure_png(tmp_path: Path, ball_scans: list) -> None:
    path = tmp_path / "scan.png"
    plots.plot_direction_scan(ball_scans).savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 1000


def _fake_study(shape: tuple[int, ...]) -> object:
    from rstheory.simulate import NormalStudy

    return NormalStudy(
        ns=np.array([1, 2]), deltas=np.array([0.1, 0.2, 0.3]), cosines=np.zeros(shape), sigma=0.25
    )


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda scans: plots.plot_direction_scan([]), "scans"),
        (lambda scans: plots.plot_direction_scan(scans[0]), "scans"),
        (lambda scans: plots.plot_direction_scan([scans[0], 1.0]), r"scans\[1\]"),
        (lambda scans: plots.plot_direction_scan(scans, labels=["a"]), "labels"),
        (lambda scans: plots.plot_direction_scan(scans, labels="ab"), "labels"),
        (lambda scans: plots.plot_slices([]), "slices"),
        (lambda scans: plots.plot_slices(scans), r"slices\[0\]"),
        (lambda scans: plots.plot_search_spread([]), "spreads"),
        (lambda scans: plots.plot_search_spread(scans), r"spreads\[0\]"),
        (lambda scans: plots.plot_normal_cosine(scans), "study"),
        (lambda scans: plots.plot_normal_cosine(_fake_study((2, 3))), "study.cosines"),
        (lambda scans: plots.plot_normal_cosine(_fake_study((2, 3, 4)), np.zeros(3)), "theory"),
        (
            lambda scans: plots.plot_normal_cosine(_fake_study((2, 3, 4)), np.full((2, 3), np.nan)),
            "theory",
        ),
    ],
)
def test_simulation_plots_bad_input_names_the_argument(
    ball_scans: list, call: object, word: str
) -> None:
    with pytest.raises(ValueError, match=word):
        call(ball_scans)  # type: ignore[operator]


def test_slices_and_spread_bad_arguments() -> None:
    from rstheory.classifiers import Linear, Sectors
    from rstheory.simulate import SmoothedClassifier, binary_search_spread, slice_2d

    sl = slice_2d(Sectors(3), [0, 0], [1, 0], [0, 1], 1.0, 4)
    with pytest.raises(ValueError, match="titles"):
        plots.plot_slices([sl, sl], titles=["one"])
    with pytest.raises(ValueError, match="panel_size"):
        plots.plot_slices([sl], panel_size=0.0)
    g = SmoothedClassifier(Linear([1.0, 0.0], -1.0, inside_label=0), 0.5, 5, rng=0)
    spread = binary_search_spread(g, [0, 0], [4, 0], 6, 10)
    with pytest.raises(ValueError, match="distributions"):
        plots.plot_search_spread([spread], [])
    with pytest.raises(ValueError, match=r"distributions\[0\]"):
        plots.plot_search_spread([spread], [spread])
    with pytest.raises(ValueError, match="labels"):
        plots.plot_search_spread([spread], labels=["a", "b"])


# --------------------------------------------------------------------------- verification figures


def _bars(container: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, frequency, interval low and high of an errorbar container drawn by _frequency_bars."""
    line = container.lines[0]  # type: ignore[attr-defined]
    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    segments = container.lines[2][0].get_segments()  # type: ignore[attr-defined]
    low = np.array([s[0][1] for s in segments])
    high = np.array([s[1][1] for s in segments])
    return x, y, low, high


def _line(ax: object, label: str) -> np.ndarray:
    for line in ax.lines:  # type: ignore[attr-defined]
        if line.get_label() == label:
            return np.asarray(line.get_xydata(), dtype=float)
    raise AssertionError(f"no line labelled {label!r}")


def test_bound_checks_coverage_and_margins() -> None:
    import mpmath
    from scipy.stats import binom

    from rstheory import reference
    from rstheory.bounds import wilson_lower

    n, alpha = 30, 0.1
    fig = plots.plot_bound_checks(n, alpha, twin_ns=(10, 1000), points=8)
    cover, twin = fig.axes
    k = np.arange(n + 1)
    lower = clopper_pearson_lower(k, n, alpha)
    p, cp = _line(cover, "clopper-pearson").T
    # coverage by brute force: sum of the binomial masses of the counts whose bound is <= p
    brute = np.array([binom.pmf(k, n, q)[lower <= q].sum() for q in p])
    np.testing.assert_allclose(cp, brute, atol=1e-12)
    assert cp.min() >= 1 - alpha - 1e-12  # Clopper-Pearson never under-covers
    assert cp.min() < 1 - alpha + 0.01  # and its infimum is 1 - alpha (approached on the grid)
    wilson = _line(cover, "wilson")[:, 1]
    assert wilson.min() < 1 - alpha - 0.02  # the figure shows an under-covering bound as such
    assert np.all(_line(cover, "hoeffding")[:, 1] >= 1 - alpha)
    np.testing.assert_allclose(
        wilson,
        [binom.pmf(k, n, q)[wilson_lower(k, n, alpha) <= q].sum() for q in p],
        atol=1e-12,
    )
    # margins: all on the safe side, and equal to an independent mpmath evaluation
    points = sum(len(line.get_xdata()) for line in twin.lines[:4])  # lower and upper, two n
    assert points == 2 * (8 + 10)  # 8 counts each, and 1, n - 1 added for n = 1000
    assert twin.texts[0].get_text() == f"unsafe: 0 of {points}"
    assert not any("UNSAFE" in str(line.get_label()) for line in twin.lines)
    x, margin = _line(twin, "lower, n = 1000").T
    assert np.all(margin >= plots.MARGIN_FLOOR)
    j = int(np.argmin(np.abs(x - 0.5)))
    kk = int(round(x[j] * 1000))
    exact = reference.clopper_pearson_lower(kk, 1000, 1e-3)
    computed = mpmath.mpf(float(clopper_pearson_lower(kk, 1000, 1e-3)))
    assert margin[j] == pytest.approx(float((exact - computed) / exact), rel=1e-6)
    assert 0 < margin[j] < 1e-12


def test_radius_checks_margins_and_worst_case() -> None:
    from scipy.special import ndtr, ndtri

    pa, sigma = 0.99, 0.5
    t = np.array([0.0, 0.6, 1.2, 1.8, 2.4])
    fig = plots.plot_radius_checks(pa, sigma, dim=6, n=4000, distances=t, num=6, rng=3)
    twin, worst = fig.axes
    assert twin.texts[0].get_text() == "unsafe: 0 of 30"
    for line in twin.lines[:-1]:  # the last line is the eps reference
        m = np.asarray(line.get_ydata(), dtype=float)
        assert np.all(m > plots.MARGIN_FLOOR) and np.all(m < 16 * 2.0**-52)
    fine, bound = _line(worst, "Neyman-Pearson bound").T
    np.testing.assert_allclose(bound, ndtr(ndtri(pa) - fine / sigma), rtol=1e-14)
    ball = _line(worst, "ball, exact")[:, 1]
    assert np.all(ball >= bound - 1e-12)  # no classifier of the same p_A does worse
    assert np.any(ball > bound + 0.1)
    radius = float(gaussian_radius(pa, sigma))
    assert float(ndtr(ndtri(pa) - radius / sigma)) == pytest.approx(0.5, abs=1e-12)
    plane, balls = worst.containers
    x, freq, low, high = _bars(plane)
    np.testing.assert_array_equal(x, t)
    worst_case = ndtr(ndtri(pa) - t / sigma)  # the half-space attains the bound
    assert np.all((low <= worst_case) & (worst_case <= high))
    assert np.all((low <= freq) & (freq <= high))


def test_certify_checks_law_and_accuracy_curve() -> None:
    from scipy.special import ndtri
    from scipy.stats import binom

    from rstheory.planning import certification_probability

    ps, n, sigma, alpha = (0.9, 0.99), 500, 0.25, 0.001
    fig = plots.plot_certify_checks(ps, n, sigma, alpha, repeats=1500, inputs=200, rng=5)
    law, acc = fig.axes
    for i, p in enumerate(ps):
        r, exact = _line(law, f"p = {p:g} (exact)").T
        select = binom.sf(49, 100, p)
        np.testing.assert_allclose(
            exact, select * certification_probability(p, n, sigma, alpha, r), rtol=1e-12
        )
        beyond = r > sigma * ndtri(p)
        assert beyond.any() and np.all(exact[beyond] <= alpha)  # Proposition 2
        x, _, low, high = _bars(law.containers[i])
        at = select * certification_probability(p, n, sigma, alpha, x)
        assert np.all((low <= at + 1e-12) & (at - 1e-12 <= high))
    t, curve = _line(acc, "CERTIFY, one test set").T
    mean = _line(acc, "exact expectation (+- 3 sd)")[:, 1]
    ideal = _line(acc, "ideal g_sigma (exact radii)")[:, 1]
    assert np.all(mean <= ideal + alpha + 1e-12)
    assert np.all(curve[t > max_radius(n, sigma, alpha)] == 0.0)  # no radius beyond R_max(n)
    # the band is the exact mean +- 3 sd of CA(r) (a sum of independent Bernoulli variables)
    vertices = acc.collections[0].get_paths()[0].vertices
    low = np.array([vertices[vertices[:, 0] == v, 1].min() for v in t])
    high = np.array([vertices[vertices[:, 0] == v, 1].max() for v in t])
    np.testing.assert_allclose((low + high) / 2, mean, atol=1e-12)
    inside = (low - 1e-12 <= curve) & (curve <= high + 1e-12)
    assert inside.mean() >= 0.95
    assert np.all(np.abs(curve - mean) <= 4 / 3 * (high - mean) + 1e-12)
    assert 0.5 < curve[0] < 1.0


def test_planning_checks_sawtooth_and_required_n() -> None:
    from rstheory.planning import certification_probability

    fig = plots.plot_planning_checks(rng=1, repeats=1500, every=50)
    pi_ax, twin = fig.axes
    n, pi = _line(pi_ax, "exact pi(n)").T
    first = required_n(2.0, 1.0, 0.001, 0.99, 0.5)
    stable = required_n(2.0, 1.0, 0.001, 0.99, 0.5, stable=True)
    assert (first, stable) == (1054, 1181)
    assert pi[n == first][0] >= 0.5 > pi[n == first - 1][0]
    assert np.all(pi[n < first] < 0.5)
    assert np.all(pi[n >= stable] >= 0.5)
    assert np.any(pi[(n > first) & (n < stable)] < 0.5)  # the sawtooth dips back below
    assert np.any(np.diff(pi) < 0) and np.any(np.diff(pi) > 0)
    x, _, low, high = _bars(pi_ax.containers[0])
    exact = certification_probability(0.99, x, 1.0, 0.001, 2.0)
    assert np.all((low <= exact) & (exact <= high))
    assert twin.texts[0].get_text() == "unsafe: 0 of 62"
    for line in twin.lines[:2]:
        assert np.all(np.asarray(line.get_ydata(), dtype=float) > plots.MARGIN_FLOOR)


@pytest.mark.parametrize("ties", ["lose", "win", "random"])
def test_level_checks_votes_and_thresholds(ties: str) -> None:
    from rstheory.levels import majority_vote_probability

    ns = (1, 2, 11)
    fig = plots.plot_level_checks(0.8, ns, ties, trials=1500, points=7, rng=2)
    ax = fig.axes[0]
    thresholds = [line.get_xdata()[0] for line in ax.lines[-len(ns) :]]
    for i, n in enumerate(ns):
        pi0, exact = _line(ax, f"n = {n}").T
        np.testing.assert_allclose(exact, majority_vote_probability(1 - pi0, n, ties))
        t = thresholds[i]
        assert t == level_threshold(0.8, n, ties)
        # the curve decreases in pi0 and crosses Pa at the threshold
        assert np.all(np.diff(exact) <= 1e-15)
        assert np.interp(t, pi0, exact) == pytest.approx(0.8, abs=2e-3)
        x, _, low, high = _bars(ax.containers[i])
        at = majority_vote_probability(1 - x, n, ties)
        assert np.all((low <= at) & (at <= high))


def test_vote_frequency_panels() -> None:
    from rstheory.classifiers import Ball, Linear, Sectors

    t = np.linspace(0.0, 3.0, 7)
    cases = [
        plots.VoteCase("ball", Ball(np.zeros(5), 2.0), np.zeros(5), np.eye(5)[0], t,
                       full_noise=True),
        plots.VoteCase("plane via a reference", Sectors(2), [0.0, 0.0], [0.0, 1.0], t - 1.5,
                       reference=Linear([0.0, 1.0], 0.0, inside_label=0), label=0),
        plots.VoteCase("no exact answer", Sectors(3), [0.0, 0.0], [1.0, 0.0], t),
    ]  # fmt: skip
    fig = plots.plot_vote_frequency(cases, 0.5, 3000, rng=7)
    ball_ax, ref_ax, toy_ax = fig.axes
    exact = _line(ball_ax, "exact")
    np.testing.assert_allclose(
        exact[:, 1], Ball(np.zeros(5), 2.0).probability(t[:, None] * np.eye(5)[0], 0.5)[:, 0]
    )
    assert len(ball_ax.containers) == 2
    assert ball_ax.texts[0].get_text() == "outside the intervals: 0 of 14"
    # Sectors(2): class 0 is the upper half-plane (angles in [0, pi)), exactly Linear's region
    assert ref_ax.texts[0].get_text() == "outside the intervals: 0 of 7"
    assert "exact" not in [line.get_label() for line in toy_ax.lines] and not toy_ax.texts
    for ax in fig.axes:
        for container in ax.containers:
            _, freq, low, high = _bars(container)
            assert np.all((low <= freq) & (freq <= high))


def test_attack_history_lines_and_a_real_attack() -> None:
    from scipy.special import ndtri

    from rstheory.attacks import AttackResult, rays
    from rstheory.classifiers import Linear
    from rstheory.levels import majority_vote_probability
    from rstheory.simulate import SmoothedClassifier

    fake = AttackResult(np.zeros(2), 3.0, False, 0.0, 40, 400, np.array([[10, 8.0], [40, 3.0]]))
    d, n = 20, 10
    w = np.random.default_rng(0).standard_normal(d)
    f = Linear(w, np.linalg.norm(w))
    g = SmoothedClassifier(f, 0.25, n, rng=1)
    real = rays(g, np.zeros(d), 1, max_queries=2500, pa=0.5, rng=2)
    p = float(majority_vote_probability(g.probability(real.x_adv)[0], n))
    optimum = 1.0 - 0.25 * float(ndtri(level_threshold(0.5, n)))
    fig = plots.plot_attack_history(
        [[fake, real]], [optimum], labels=["fake", "RayS"], exact=[[0.1, p]], pa=0.5
    )
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xydata(), [[10, 8 / optimum], [40, 3 / optimum]])
    assert ax.lines[1].get_markerfacecolor() == "white"  # the fake's check failed
    assert real.success and p >= 0.5
    final = ax.lines[3].get_ydata()[0]
    assert final == pytest.approx(real.distortion / optimum)
    assert final >= 1.0  # a checked level-Pa point is no closer than the nearest one
    assert f"exact P {p:.3f}" in str(ax.lines[2].get_label())
    with pytest.raises(ValueError, match="exact"):
        plots.plot_attack_history([[fake]], [1.0], exact=[[0.1, 0.2]])


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: plots.plot_bound_checks(0), "n"),
        (lambda: plots.plot_bound_checks(alpha=1.0), "alpha"),
        (lambda: plots.plot_bound_checks(twin_ns=()), "twin_ns"),
        (lambda: plots.plot_bound_checks(points=1), "points"),
        (lambda: plots.plot_radius_checks(0.4), "p_a"),
        (lambda: plots.plot_radius_checks(sigma=0.0), "sigma"),
        (lambda: plots.plot_radius_checks(q_min=0.6), "q_min"),
        (lambda: plots.plot_certify_checks(ps=(1.0,)), "ps"),
        (lambda: plots.plot_certify_checks(n0=0), "n0"),
        (lambda: plots.plot_certify_checks(spread=(1.0, 0.0)), "spread"),
        (lambda: plots.plot_planning_checks(p=0.3), "p"),
        (lambda: plots.plot_planning_checks(n_range=(10, 5)), "n_range"),
        (lambda: plots.plot_planning_checks(power=1.0), "power"),
        (lambda: plots.plot_level_checks(pa=0.0), "pa"),
        (lambda: plots.plot_level_checks(ns=(0,)), "ns"),
        (lambda: plots.plot_level_checks(ties="coin"), "ties"),
        (lambda: plots.plot_vote_frequency([], 1.0, 10), "cases"),
        (lambda: plots.plot_vote_frequency([("a", None)], 1.0, 10), "VoteCase"),
        (lambda: plots.plot_attack_history([[]], [1.0]), "results"),
        (lambda: plots.plot_attack_history([[None]], [0.0]), "optimum"),
    ],
)
def test_verification_plots_bad_input_names_the_argument(call: object, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        call()  # type: ignore[operator]
