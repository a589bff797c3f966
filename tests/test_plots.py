"""Tests of rstheory.plots: figure structure, monotone data, PNG output, lazy import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rstheory import plots
from rstheory.bounds import clopper_pearson_lower
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
