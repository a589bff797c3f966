"""Tests of the ``rstheory`` command line (in-process and in a subprocess)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import special, stats

import rstheory
from rstheory import bounds, levels, planning, radius, sorm
from rstheory.certify import ABSTAIN, certify, predict
from rstheory.classifiers import Ball, Linear, Sectors
from rstheory.cli import main
from rstheory.simulate import (
    SmoothedClassifier,
    binary_search_spread,
    direction_scan,
    linear_normal_cosine,
    normal_study,
    search_distribution,
    slice_2d,
)

ROOT = Path(__file__).resolve().parents[1]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data: dict[str, Any] = json.loads(out.out)
    return data


def run_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 2
    assert out.out == ""
    assert "Traceback" not in out.err
    return out.err


# --------------------------------------------------------------------------- bound


def test_bound_default_is_cp_lower(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "bound", "990", "1000")
    assert data["lower"] == bounds.clopper_pearson_lower(990, 1000, 0.001)
    assert data["method"] == "clopper-pearson" and data["side"] == "lower"
    assert data["alpha"] == 0.001


@pytest.mark.parametrize("method", ["clopper-pearson", "hoeffding", "wilson"])
def test_bound_sides_match_library(capsys: pytest.CaptureFixture[str], method: str) -> None:
    fn = {"clopper-pearson": "clopper_pearson", "hoeffding": "hoeffding", "wilson": "wilson"}
    lower = getattr(bounds, fn[method] + "_lower")
    upper = getattr(bounds, fn[method] + "_upper")
    k, n, a = 37, 120, 0.01
    args = ["bound", str(k), str(n), "--alpha", str(a), "--method", method]
    assert run_json(capsys, *args, "--side", "upper")["upper"] == upper(k, n, a)
    assert run_json(capsys, *args, "--side", "lower")["lower"] == lower(k, n, a)
    two = run_json(capsys, *args, "--side", "two-sided")
    if method == "clopper-pearson":
        assert (two["lower"], two["upper"]) == tuple(bounds.clopper_pearson(k, n, a))
    assert two["lower"] == lower(k, n, a / 2)
    assert two["upper"] == upper(k, n, a / 2)


def test_bound_large_n_in_exponent_notation(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "bound", "1e9", "1e9", "--alpha", "1e-10")
    assert data["lower"] == bounds.clopper_pearson_lower(10**9, 10**9, 1e-10)


def test_bound_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "5", "10"]) == 0
    out = capsys.readouterr().out
    assert repr(bounds.clopper_pearson_lower(5, 10, 0.001)) in out


# --------------------------------------------------------------------------- radius


def test_radius_gaussian(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "radius", "0.99", "--sigma", "0.25")
    assert data["radius"] == radius.gaussian_radius(0.99, 0.25)
    assert data["noise"] == "gaussian"
    assert "linf_radius" not in data


def test_radius_gaussian_two_and_dim(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "radius", "0.9", "--sigma", "0.5", "--pb", "0.05", "--dim", "3072")
    r = radius.gaussian_radius_two(0.9, 0.05, 0.5)
    assert data["radius"] == r
    assert data["linf_radius"] == radius.linf_radius_from_l2(r, 3072)
    assert data["linf_radius"] == pytest.approx(r / math.sqrt(3072), rel=1e-12)


def test_radius_other_noises(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "radius", "0.9", "--sigma", "0.5", "--noise", "laplace")
    assert data["radius"] == radius.laplace_radius(0.9, 0.5)
    data = run_json(capsys, "radius", "0.9", "--sigma", "0.5", "--noise", "laplace", "--pb", "0.1")
    assert data["radius"] == radius.laplace_radius(0.9, 0.5, p_b_upper=0.1)
    data = run_json(capsys, "radius", "0.9", "--sigma", "0.5", "--noise", "uniform")
    assert data["radius"] == radius.uniform_radius(0.9, 0.5)


def test_radius_infinite_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["radius", "1", "--sigma", "0.25", "--json"]) == 0
    text = capsys.readouterr().out
    assert "Infinity" not in text
    assert json.loads(text)["radius"] == "inf"


# --------------------------------------------------------------------------- certify / predict


def test_certify_example(capsys: pytest.CaptureFixture[str]) -> None:
    sel, est = [3, 990, 7], [5, 99880, 115]
    data = run_json(
        capsys,
        "certify",
        "--selection",
        "3,990,7",
        "--estimation",
        "5,99880,115",
        "--sigma",
        "0.25",
        "--alpha",
        "0.001",
    )
    cert = certify(sel, est, 0.25, 0.001)
    assert data["label"] == cert.label == 1
    assert data["abstain"] is False
    assert data["radius"] == cert.radius
    assert data["p_a_lower"] == bounds.clopper_pearson_lower(99880, 100000, 0.001)
    assert data["radius"] <= radius.gaussian_radius(data["p_a_lower"], 0.25)


def test_certify_text_and_abstain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", "--selection", "0,10", "--estimation", "60,40", "--sigma", "1"]) == 0
    out = capsys.readouterr().out
    assert "label: abstain" in out
    data = run_json(
        capsys, "certify", "--selection", "0,10", "--estimation", "60,40", "--sigma", "1"
    )
    assert data["label"] == ABSTAIN and data["abstain"] is True
    assert data["top_class"] == 1
    assert data["p_a_lower"] == bounds.clopper_pearson_lower(40, 100, 0.001)


def test_predict(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "predict", "--counts", "3,95,2", "--alpha", "0.001")
    assert data["label"] == predict([3, 95, 2], 0.001) == 1
    data = run_json(capsys, "predict", "--counts", "50,50,0")
    assert data["label"] == predict([50, 50, 0], 0.001) == ABSTAIN
    assert main(["predict", "--counts", "3,95,2"]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert main(["predict", "--counts", "50,50"]) == 0
    assert capsys.readouterr().out.strip() == "abstain"


# --------------------------------------------------------------------------- report (wiring only)


def test_report_subcommand_wiring(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import rstheory.report as report

    calls = []

    def fake(
        out_dir: str, quick: bool = False, *, workers: Any = None, progress: Any = None
    ) -> Path:
        calls.append((out_dir, quick, workers, progress))
        path = Path(out_dir) / "report.md"
        path.write_text("# fake\n")
        summary = {"passed": False, "unsound": 3, "nan": 0, "errors": 0, "wall_seconds": 0.5}
        (Path(out_dir) / "report.json").write_text(json.dumps(summary))
        return path

    monkeypatch.setattr(report, "write_report", fake)
    assert main(["report", "--out", str(tmp_path), "--quick"]) == 1  # a failed report: exit 1
    assert calls == [(str(tmp_path), True, None, True)]  # progress lines on by default
    assert "FAIL: 3 unsound" in capsys.readouterr().out
    assert main(["report", "--out", str(tmp_path), "--workers", "1", "--quiet"]) == 1
    assert calls[-1] == (str(tmp_path), False, 1, False)
    capsys.readouterr()
    assert main(["report", "--out", str(tmp_path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["unsound"] == 3 and data["report"] == str(tmp_path / "report.md")


# --------------------------------------------------------------------------- planning


def test_max_radius(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "max-radius", "--n", "1e5", "--sigma", "1", "--alpha", "0.001")
    assert data["max_radius"] == planning.max_radius(100_000, 1.0, 0.001)
    assert data["n"] == 100_000 and isinstance(data["n"], int)
    assert data["max_radius"] == pytest.approx(3.8115, abs=1e-4)
    assert main(["max-radius", "--n", "5", "--sigma", "1"]) == 0  # alpha**(1/5) < 1/2
    out = capsys.readouterr().out
    assert repr(planning.max_radius(5, 1.0, 0.001)) in out and "always abstains" in out


def test_required_n_unanimous(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "required-n", "--radius", "1", "--sigma", "0.25")
    assert data["n"] == planning.required_n(1.0, 0.25, 0.001) == 218105
    assert data["max_radius"] == planning.max_radius(218105, 0.25, 0.001) >= 1.0
    assert planning.max_radius(218104, 0.25, 0.001) < 1.0
    assert data["p"] == 1.0 and data["stable"] is False


@pytest.mark.parametrize("stable", [False, True])
def test_required_n_with_power(capsys: pytest.CaptureFixture[str], stable: bool) -> None:
    argv = ["required-n", "--radius", "0.5", "--sigma", "1", "--p", "0.9", "--power", "0.9"]
    data = run_json(capsys, *argv, *(["--stable"] if stable else []))
    assert data["n"] == planning.required_n(0.5, 1.0, 0.001, 0.9, 0.9, stable=stable)
    assert data["n"] == (76 if stable else 71)
    assert data["stable"] is stable and data["power"] == 0.9
    assert data["certification_probability"] == planning.certification_probability(
        0.9, data["n"], 1.0, 0.001, 0.5
    )
    assert data["certification_probability"] >= 0.9
    assert main(argv) == 0
    assert f": {planning.required_n(0.5, 1.0, 0.001, 0.9, 0.9)}\n" in capsys.readouterr().out


def test_radius_dist_summary_and_arrays(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["radius-dist", "--p", "0.99", "--n", "1000", "--sigma", "0.25", "--radius", "0.5"]
    data = run_json(capsys, *argv)
    dist = planning.radius_distribution(0.99, 1000, 0.25, 0.001)
    assert data["counts"] == dist.count.tolist()
    assert data["radii"] == dist.radius.tolist()
    assert data["probabilities"] == dist.probability.tolist()
    assert data["abstain"] == dist.abstain and data["neglected"] == dist.neglected
    assert data["expected_radius"] == planning.expected_radius(0.99, 1000, 0.25, 0.001)
    assert data["certification_probability"] == planning.certification_probability(
        0.99, 1000, 0.25, 0.001, 0.5
    )
    assert data["certified"] + data["abstain"] == pytest.approx(1.0, abs=1e-15)
    i = int(dist.probability.argmax())
    assert data["mode"] == {
        "radius": dist.radius[i],
        "count": int(dist.count[i]),
        "probability": dist.probability[i],
        "abstain": False,
    }
    assert data["mode"]["count"] == 990  # the mode of Bin(1000, 0.99)
    levels_ = [q["level"] for q in data["quantiles"]]
    assert levels_ == sorted(levels_) and 0.5 in levels_
    radii = [q["radius"] for q in data["quantiles"]]
    assert radii == sorted(radii)
    median = next(q for q in data["quantiles"] if q["level"] == 0.5)
    # the median radius: the first count whose cumulative probability reaches 1/2
    cdf = dist.abstain + dist.probability.cumsum()
    assert median["radius"] == dist.radius[int((cdf >= 0.5).argmax())]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for word in ("expected radius", "P[abstain]", "mode", "quantiles", "P[radius >= 0.5]"):
        assert word in out


def test_radius_dist_mostly_abstains(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "radius-dist", "--p", "0.6", "--n", "100", "--sigma", "0.25")
    assert data["abstain"] == planning.radius_distribution(0.6, 100, 0.25, 0.001).abstain > 0.8
    assert data["mode"]["abstain"] is True and data["mode"]["count"] is None
    median = next(q for q in data["quantiles"] if q["level"] == 0.5)
    assert median == {"level": 0.5, "radius": 0.0, "abstain": True}
    assert data["quantiles"][-1]["abstain"] is False
    assert main(["radius-dist", "--p", "0.6", "--n", "100", "--sigma", "0.25"]) == 0
    assert "mode: abstain" in capsys.readouterr().out


def test_abstain_and_predict_min_n(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "abstain", "--p", "0.6", "--n", "1000", "--alpha", "0.001")
    assert data["abstain"] == planning.abstain_probability(0.6, 100, 1000, 0.001)
    assert data["n0"] == 100
    data = run_json(capsys, "abstain", "--p", "0.6", "--n", "1000", "--n0", "0")
    assert data["abstain"] == planning.abstain_probability(0.6, 0, 1000, 0.001)
    assert run_json(capsys, "predict-min-n")["n"] == planning.predict_min_n(0.001) == 11
    assert run_json(capsys, "predict-min-n", "--alpha", "0.05")["n"] == 6
    assert main(["predict-min-n", "--alpha", "0.01"]) == 0
    assert capsys.readouterr().out.strip().endswith(": 8")


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize("ties", ["lose", "win", "random"])
def test_level(capsys: pytest.CaptureFixture[str], ties: str) -> None:
    data = run_json(capsys, "level", "--pa", "0.99", "--n", "100", "--ties", ties)
    threshold = levels.level_threshold(0.99, 100, ties)
    assert data["threshold"] == threshold and data["ties"] == ties
    assert data["vote_probability"] == levels.majority_vote_probability(1 - threshold, 100, ties)
    assert data["vote_probability"] == pytest.approx(0.99, rel=1e-9)
    assert "distance_bound" not in data


def test_level_distance_bound(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["level", "--pa", "0.9", "--n", "1e3", "--radius", "0.5", "--sigma", "0.25"]
    data = run_json(capsys, *argv)
    assert data["n"] == 1000 and data["ties"] == "lose"
    assert data["distance_bound"] == levels.level_distance_bound(0.5, 0.9, 1000, 0.25)
    assert data["distance_bound"] > 0.5  # a level-0.9 example lies beyond the radius
    assert main(argv) == 0
    assert repr(data["distance_bound"]) in capsys.readouterr().out


# --------------------------------------------------------------------------- sorm


def test_sorm(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "sorm", "--beta", "3", "--curvatures", "0.1,0.1", "--sigma", "0.5")
    exact = sorm.paraboloid_probability(3.0, [0.1, 0.1])
    assert data["exact"]["probability"] == exact
    for name in sorm.METHODS:
        value = sorm.sorm(3.0, [0.1, 0.1], name)
        assert data[name]["probability"] == value
        assert data[name]["relative_error"] == pytest.approx(value / exact - 1, rel=1e-12)
    offsets = data["frontier_offset"]
    # curvatures are given in units of 1/sigma: 0.2 per unit length at sigma = 0.5
    assert offsets["exact"] == sorm.smoothed_frontier_offset([0.2, 0.2], 0.5)
    assert offsets["sphere"] == sorm.smoothed_frontier_offset([0.2, 0.2], 0.5, "sphere")
    assert offsets["breitung"] == 0.0
    assert offsets["first_order"] == pytest.approx(0.5 * 0.5**2 * 0.4)
    assert data["frontier_offset_errors"] == {}


def test_sorm_breakdown_and_offsets(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sorm", "--beta", "1", "--curvatures=-0.7,0.2", "--offsets", "0,1"]
    data = run_json(capsys, *argv)
    assert data["hohenbichler"]["probability"] == "inf"
    assert data["hohenbichler"]["relative_error"] == "inf"
    assert data["exact"]["probability"] == sorm.paraboloid_probability(
        1.0, [-0.7, 0.2], offsets=[0.0, 1.0]
    )
    assert "sphere" not in data["frontier_offset"]  # unequal curvatures
    assert data["frontier_offset"]["hohenbichler"] is None
    assert "breaks down" in data["frontier_offset_errors"]["hohenbichler"]
    assert main(argv) == 0
    assert "breaks down (inf)" in capsys.readouterr().out


# --------------------------------------------------------------------------- simulate

SIGMA = 0.25


def _e(dim: int, i: int = 0) -> np.ndarray:
    out = np.zeros(dim)
    out[i] = 1.0
    return out


def _linear(dim: int, offset: float = 1.0) -> Linear:
    """The CLI's half-space: w = e_0, frontier at x_0 = offset, x_o = 0 in class 0."""
    return Linear(_e(dim), -offset)


SECTORS_XO = np.array([-2.0, math.sqrt(3.0)])  # the CLI's x_o for sectors at offset 1
SECTORS_NORMAL = np.array([0.5 * math.sqrt(3.0), 0.5])  # the 120-degree frontier's normal


def test_simulate_probability_linear(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "probability", "--dim", "10", "--n", "1,20", "--repeats", "300"]
    argv += ["--distance", "0.9", "--seed", "3"]
    data = run_json(capsys, *argv)
    assert data["experiment"] == "probability" and data["classifier"] == "linear"
    assert (data["dim"], data["label"], data["frontier"], data["repeats"]) == (10, 0, 1.0, 300)
    gen = np.random.default_rng(3)
    for row, n in zip(data["results"], (1, 20), strict=True):
        g = SmoothedClassifier(_linear(10), SIGMA, n, rng=gen)
        r = g.adversarial_probability(0.9 * _e(10), 0, 300, 0.001)
        assert row["n"] == n
        assert (row["estimate"], row["low"], row["high"]) == (r.estimate, r.low, r.high)
        assert row["successes"] == r.successes and row["repeats"] == 300
        # the geometry: pi_0 = Phi((1 - 0.9) / sigma), and P = P_win(1 - pi_0, n)
        assert row["pi"] == pytest.approx(float(special.ndtr(0.4)), rel=1e-14)
        assert row["exact"] == r.exact
        assert r.exact == pytest.approx(levels.majority_vote_probability(1.0 - r.pi, n), rel=1e-12)
        assert row["low"] <= row["exact"] <= row["high"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "label under attack 0" in out
    for row in data["results"]:
        assert f"n = {row['n']}: {row['estimate']!r} [{row['low']!r}, {row['high']!r}]" in out
        assert f"exact {row['exact']!r}" in out


def test_simulate_probability_ball_and_sectors(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "probability", "--classifier", "ball", "--dim", "50", "--radius", "3"]
    data = run_json(capsys, *argv, "--distance", "1.5", "--n", "11", "--repeats", "200")
    g = SmoothedClassifier(Ball(np.zeros(50), 3.0), SIGMA, 11, rng=0)
    r = g.adversarial_probability(1.5 * _e(50), 0, 200)
    row = data["results"][0]
    assert (row["estimate"], row["exact"], row["pi"]) == (r.estimate, r.exact, r.pi)
    # the frontier of g_sigma: where P[ncx2(d, t^2/sigma^2) <= R^2/sigma^2] = 1/2
    t = data["frontier"]
    assert 0.0 < t < 3.0
    assert stats.ncx2.cdf(9.0 / SIGMA**2, 50, t**2 / SIGMA**2) == pytest.approx(0.5, abs=1e-9)

    argv = ["simulate", "probability", "--classifier", "sectors", "--distance", "1"]
    data = run_json(capsys, *argv, "--n", "5", "--repeats", "100", "--seed", "1")
    assert data["dim"] == 2 and data["label"] == 1
    g = SmoothedClassifier(Sectors(3), SIGMA, 5, rng=1)
    r = g.adversarial_probability(SECTORS_XO + _e(2), 1, 100)
    row = data["results"][0]
    assert (row["estimate"], row["low"], row["high"]) == (r.estimate, r.low, r.high)
    assert row["exact"] is None and row["pi"] is None
    assert main(argv) == 0
    assert "exact" not in capsys.readouterr().out.splitlines()[-1]


def test_simulate_search(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "search", "--dim", "8", "--n", "1,25", "--repeats", "200", "--steps"]
    argv += ["12", "--queries-per-step", "3", "--to", "3", "--seed", "5"]
    data = run_json(capsys, *argv)
    gen = np.random.default_rng(5)
    for row, n in zip(data["results"], (1, 25), strict=True):
        g = SmoothedClassifier(_linear(8), SIGMA, n, rng=gen)
        s = binary_search_spread(g, np.zeros(8), 3 * _e(8), 12, 200, 3, 0)
        q25, q50, q75 = np.percentile(s.distances, [25, 50, 75])
        assert row["median"] == q50 and row["iqr"] == q75 - q25
        assert row["sd"] == np.std(s.distances) and row["mean"] == np.mean(s.distances)
        assert row["frontier"] == s.frontier == pytest.approx(1.0, abs=1e-12)
        assert row["queries"] == 12 * 3 * 200 and row["base_calls"] == 12 * 3 * 200 * n
        law = search_distribution(g, np.zeros(8), 3 * _e(8), 12, 3, 0)
        assert row["exact"]["median"] == law.quantile(0.5)
        assert row["exact"]["mean"] == pytest.approx(law.mean(), rel=1e-15)
        w = law.probabilities / law.probabilities.sum()
        sd = math.sqrt(float(w @ (law.distances - law.mean()) ** 2))
        assert row["exact"]["sd"] == pytest.approx(sd, rel=1e-12)
        # the sample agrees with its exact law (200 runs: the sd within 30%)
        assert row["sd"] == pytest.approx(sd, rel=0.3)
    assert data["results"][1]["exact"]["sd"] < data["results"][0]["exact"]["sd"] / 3
    assert main(argv) == 0
    out = capsys.readouterr().out
    for row in data["results"]:
        assert f"median {row['median']!r}" in out and f"sd {row['exact']['sd']!r}" in out


def test_simulate_search_sectors_has_no_exact_law(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "search", "--classifier", "sectors", "--n", "9", "--repeats", "50"]
    data = run_json(capsys, *argv)
    g = SmoothedClassifier(Sectors(3), SIGMA, 9, rng=0)
    s = binary_search_spread(g, SECTORS_XO, SECTORS_XO + 2 * _e(2), 16, 50, 1, 1)
    row = data["results"][0]
    assert row["median"] == np.median(s.distances) and row["exact"] is None
    assert row["frontier"] is None
    assert 0.5 < row["median"] < 1.5  # the 120-degree frontier at t = 1


def test_simulate_scan(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "scan", "--dim", "20", "--n", "15", "--repeats", "60"]
    data = run_json(capsys, *argv, "--distances", "0:2:9", "--seed", "2", "--alpha", "0.01")
    g = SmoothedClassifier(_linear(20), SIGMA, 15, rng=2)
    s = direction_scan(g, np.zeros(20), _e(20), np.linspace(0, 2, 9), 60, 0, alpha=0.01)
    row = data["results"][0]
    assert row["distances"] == s.distances.tolist()
    for key in ("estimate", "low", "high", "exact", "pi", "pa", "level_bounds"):
        assert row[key] == getattr(s, key).tolist(), key
    assert row["radius"] == s.radius <= 1.0
    assert row["base_frontier"] == s.base_frontier == pytest.approx(1.0, abs=1e-12)
    assert row["smoothed_frontier"] == s.smoothed_frontier
    assert main([*argv, "--distances", "0.5,1.5"]) == 0
    out = capsys.readouterr().out
    assert f"certified radius {s.radius!r}" in out
    assert len([line for line in out.splitlines() if line.startswith("       ")]) == 3  # 2 rows


def test_simulate_scan_ball_and_sectors(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "scan", "--classifier", "ball", "--dim", "200", "--radius", "4"]
    data = run_json(capsys, *argv, "--n", "7", "--repeats", "30", "--distances", "0,1,3")
    g = SmoothedClassifier(Ball(np.zeros(200), 4.0), SIGMA, 7, rng=0)
    s = direction_scan(g, np.zeros(200), _e(200), [0.0, 1.0, 3.0], 30, 0)
    row = data["results"][0]
    assert row["estimate"] == s.estimate.tolist() and row["exact"] == s.exact.tolist()
    assert row["base_frontier"] == "inf"  # f's sphere (radius 4) lies beyond the scan
    assert row["smoothed_frontier"] == s.smoothed_frontier == pytest.approx(data["frontier"])

    argv = ["simulate", "scan", "--classifier", "sectors", "--n", "9", "--repeats", "40"]
    data = run_json(capsys, *argv, "--distances", "0:2:5")
    g = SmoothedClassifier(Sectors(3), SIGMA, 9, rng=0)
    s = direction_scan(g, SECTORS_XO, _e(2), np.linspace(0, 2, 5), 40, 1)
    row = data["results"][0]
    assert row["estimate"] == s.estimate.tolist() and row["radius"] == s.radius > 0
    assert row["exact"] is None and row["smoothed_frontier"] is None
    assert row["base_frontier"] == pytest.approx(1.0, abs=1e-12)


def test_simulate_slice(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "slice", "--dim", "5", "--n", "1,50", "--resolution", "9", "--seed", "4"]
    data = run_json(capsys, *argv)
    f = _linear(5)
    base = slice_2d(f, np.zeros(5), _e(5, 0), _e(5, 1), 2.0, 9)
    assert data["a"] == base.a.tolist() == np.linspace(-2, 2, 9).tolist()
    assert data["b"] == base.b.tolist()
    assert data["base_labels"] == base.labels.tolist()
    assert base.labels.tolist() == [[0] * 6 + [1] * 3] * 9  # frontier at a = 1 (label 1 on it)
    gen = np.random.default_rng(4)
    for row, n in zip(data["results"], (1, 50), strict=True):
        g = SmoothedClassifier(f, SIGMA, n, rng=gen)
        assert row["labels"] == slice_2d(g, np.zeros(5), _e(5), _e(5, 1), 2.0, 9).labels.tolist()
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[out.index("f itself:") + 1] == "000000111"
    i = out.index("g_sigma,n with n = 50 (one draw per point):")
    rows = ["".join(str(c) for c in r) for r in data["results"][1]["labels"][::-1]]
    assert out[i + 1 : i + 10] == rows  # top row: the largest b

    argv = ["simulate", "slice", "--classifier", "sectors", "--n", "3", "--resolution", "5,4"]
    data = run_json(capsys, *argv, "--extent=-1,1,0,2")  # "=": the value starts with "-"
    g = SmoothedClassifier(Sectors(3), SIGMA, 3, rng=0)
    s = slice_2d(g, SECTORS_XO, _e(2), _e(2, 1), [-1.0, 1.0, 0.0, 2.0], (5, 4))
    assert data["results"][0]["labels"] == s.labels.tolist()
    assert np.asarray(data["base_labels"]).shape == (4, 5)


def test_simulate_normal(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "normal", "--dim", "30", "--n", "1,40", "--delta", "0.1,0.5"]
    argv += ["--queries", "60", "--repeats", "4", "--seed", "6"]
    data = run_json(capsys, *argv)
    study = normal_study(_linear(30), _e(30), SIGMA, [1, 40], [0.1, 0.5], 60, 4, 0, None, rng=6)
    for i, row in enumerate(data["results"]):
        assert row["n"] == study.ns[i] and row["deltas"] == [0.1, 0.5]
        assert row["mean_cosine"] == study.cosines[i].mean(axis=1).tolist()
        assert row["sd_cosine"] == study.cosines[i].std(axis=1).tolist()
        theory = [linear_normal_cosine(int(study.ns[i]), d / SIGMA, 30, 60) for d in (0.1, 0.5)]
        assert row["theory"] == theory
        assert row["mean_cosine"] == pytest.approx(theory, abs=0.15)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"theory {data['results'][1]['theory'][0]!r}" in out

    argv = ["simulate", "normal", "--classifier", "sectors", "--n", "5", "--delta", "0.5"]
    data = run_json(capsys, *argv, "--queries", "50", "--repeats", "3")
    x_b = SECTORS_XO + _e(2)
    study = normal_study(Sectors(3), x_b, SIGMA, [5], [0.5], 50, 3, 1, SECTORS_NORMAL, rng=0)
    row = data["results"][0]
    assert row["mean_cosine"] == study.cosines[0].mean(axis=1).tolist()
    assert row["theory"] is None and row["mean_cosine"][0] > 0.8


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["probability", "--sigma", "0"], "--sigma"),
        (["probability", "--n", "0"], "n must be >= 1"),
        (["probability", "--n", "5,x"], "--n"),
        (["probability", "--n", "2.5"], "n must be an integer"),
        (["probability", "--dim", "0"], "--dim"),
        (["probability", "--dim", "2.5"], "--dim"),
        (["probability", "--classifier", "sectors", "--dim", "3"], "--dim"),
        (["probability", "--classifier", "tree"], "--classifier"),
        (["probability", "--classifier", "ball", "--offset", "1"], "--offset"),
        (["probability", "--radius", "1"], "--radius"),
        (["probability", "--classifier", "ball", "--radius", "-1"], "radius"),
        (["probability", "--offset", "0"], "--offset"),
        (["probability", "--repeats", "0"], "repeats"),
        (["probability", "--alpha", "1"], "alpha"),
        (["probability", "--seed", "-1"], "--seed"),
        (["probability", "--distance", "nan"], "--distance"),
        (["search", "--to", "inf"], "--to"),
        (["probability", "--ties", "coin"], "--ties"),
        (["probability", "--steps", "3"], "--steps"),
        (["search", "--steps", "0"], "steps"),
        (["search", "--queries-per-step", "0"], "--queries-per-step"),
        (["search", "--to", "0"], "--to"),
        (["scan", "--distances", "0:1"], "--distances"),
        (["scan", "--distances", "0:1:0"], "--distances"),
        (["scan", "--distances", "1,-1"], "distances"),
        (["scan", "--distances", "a:b:3"], "--distances"),
        (["slice", "--resolution", "1"], "resolution"),
        (["slice", "--resolution", "3,3,3"], "--resolution"),
        (["slice", "--resolution", "3,2.5"], "resolution"),
        (["slice", "--extent", "1,2"], "--extent"),
        (["slice", "--extent", "0"], "extent"),
        (["slice", "--dim", "1"], "--dim"),
        (["slice", "--repeats", "3"], "--repeats"),
        (["normal", "--delta", "0"], "--delta"),
        (["normal", "--queries", "1"], "queries"),
        (["normal", "--n", "1.5"], "--n"),
        (["walk"], "EXPERIMENT"),
        ([], "EXPERIMENT"),
    ],
)
def test_simulate_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], word: str
) -> None:
    full = ["simulate", *argv]
    if argv and argv[0] != "walk" and "--dim" not in argv and "--classifier" not in argv:
        full += ["--dim", "4"]  # keep the cases that would run small
    err = run_error(capsys, *full)
    assert word in err
    assert err.startswith("rstheory simulate: error:") or err.startswith("usage")
    if err.startswith("rstheory"):
        assert err.count("\n") == 1  # one line


# --------------------------------------------------------------------------- errors and version


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["bound", "5", "3"], "k"),
        (["bound", "5", "10", "--alpha", "2"], "alpha"),
        (["bound", "5", "10", "--alpha", "nan"], "alpha"),
        (["bound", "2.5", "10"], "k"),
        (["bound", "-1", "10"], "k"),
        (["bound", "1", "0"], "n"),
        (["bound", "x", "10"], "K"),
        (["bound", "5", "10", "--method", "exact"], "--method"),
        (["radius", "1.5", "--sigma", "0.25"], "p"),
        (["radius", "0.9", "--sigma", "-1"], "sigma"),
        (["radius", "0.9"], "--sigma"),
        (["radius", "0.9", "--sigma", "1", "--noise", "uniform", "--pb", "0.1"], "--pb"),
        (["radius", "0.9", "--sigma", "1", "--dim", "0"], "dim"),
        (["radius", "0.9", "--sigma", "1", "--pb", "2"], "--pb"),
        (["radius", "0.9", "--sigma", "0", "--noise", "laplace"], "--sigma"),
        (
            ["certify", "--selection", "3,1", "--estimation", "1,2,3", "--sigma", "1"],
            "--estimation",
        ),
        (["certify", "--selection", "3,x", "--estimation", "1,2", "--sigma", "1"], "--selection"),
        (["certify", "--selection", "3,1", "--estimation", "1,,2", "--sigma", "1"], "--estimation"),
        (["certify", "--selection", "3,1", "--estimation", "1,-2", "--sigma", "1"], "count"),
        (["certify", "--selection", "3,1", "--estimation", "1,2", "--sigma", "0"], "sigma"),
        (["predict", "--counts", "1.5,2"], "count"),
        (["predict", "--counts", "1,2", "--alpha", "0"], "alpha"),
        (["max-radius", "--n", "0", "--sigma", "1"], "n"),
        (["max-radius", "--n", "2.5", "--sigma", "1"], "n"),
        (["max-radius", "--n", "100"], "--sigma"),
        (["max-radius", "--n", "100", "--sigma", "1", "--alpha", "1"], "alpha"),
        (["required-n", "--radius", "-1", "--sigma", "1"], "radius"),
        (["required-n", "--radius", "1", "--sigma", "1", "--p", "1.5"], "p must"),
        (["required-n", "--radius", "1", "--sigma", "1", "--p", "0.9", "--power", "1"], "power"),
        (["required-n", "--radius", "3", "--sigma", "1", "--p", "0.99"], "Phi(radius/sigma)"),
        (["required-n", "--radius", "1e300", "--sigma", "1e-300"], "2**53"),
        (["required-n", "--sigma", "1"], "--radius"),
        (["radius-dist", "--p", "2", "--n", "10", "--sigma", "1"], "p must"),
        (["radius-dist", "--p", "0.9", "--n", "10", "--sigma", "nan"], "sigma"),
        (["radius-dist", "--p", "0.9", "--sigma", "1"], "--n"),
        (["abstain", "--p", "0.9", "--n", "10", "--n0", "-1"], "n0"),
        (["abstain", "--p", "0.9", "--n", "x"], "--n"),
        (["predict-min-n", "--alpha", "0"], "alpha"),
        (["level", "--pa", "1", "--n", "10"], "pa"),
        (["level", "--pa", "0.9", "--n", "0"], "n"),
        (["level", "--pa", "0.9", "--n", "10", "--ties", "coin"], "--ties"),
        (["level", "--pa", "0.9", "--n", "10", "--radius", "0.5"], "--sigma"),
        (["level", "--pa", "0.9", "--n", "10", "--sigma", "0.5"], "--radius"),
        (["level", "--pa", "0.9", "--n", "10", "--radius", "1", "--sigma", "0"], "sigma"),
        (["sorm", "--beta", "1", "--curvatures", "0.1,x"], "--curvatures"),
        (["sorm", "--beta", "1", "--curvatures", ""], "--curvatures"),
        (["sorm", "--beta", "nan", "--curvatures", "0.1"], "beta"),
        (["sorm", "--beta", "1", "--curvatures", "inf"], "curvatures"),
        (["sorm", "--beta", "1", "--curvatures", "0.1,0.2", "--offsets", "1"], "--offsets"),
        (["sorm", "--beta", "1", "--curvatures", "0.1", "--sigma", "0"], "sigma"),
        (["sorm", "--curvatures", "0.1"], "--beta"),
        ([], "COMMAND"),
    ],
)
def test_bad_input_exits_2_naming_the_argument(
    capsys: pytest.CaptureFixture[str], argv: list[str], word: str
) -> None:
    err = run_error(capsys, *argv)
    assert word in err
    assert err.startswith("rstheory") or err.startswith("usage")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rstheory {rstheory.__version__}"


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bound", "--help"]) == 0
    assert "--method" in capsys.readouterr().out


# --------------------------------------------------------------------------- subprocess


def _subprocess(*argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "rstheory.cli", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_subprocess_json_and_error() -> None:
    ok = _subprocess("bound", "990", "1000", "--side", "two-sided", "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert (data["lower"], data["upper"]) == tuple(bounds.clopper_pearson(990, 1000, 0.001))
    bad = _subprocess("bound", "11", "10")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "Traceback" not in bad.stderr
    assert "k must be <= n" in bad.stderr


def test_subprocess_planning_json() -> None:
    ok = _subprocess("required-n", "--radius", "1", "--sigma", "0.25", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["n"] == 218105
    bad = _subprocess("level", "--pa", "2", "--n", "3")
    assert bad.returncode == 2 and bad.stdout == "" and "pa" in bad.stderr
