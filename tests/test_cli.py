"""Tests of the ``rstheory`` command line (in-process and in a subprocess)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import rstheory
from rstheory import bounds, levels, planning, radius, sorm
from rstheory.certify import ABSTAIN, certify, predict
from rstheory.cli import main

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

    def fake(out_dir: str, quick: bool = False) -> Path:
        calls.append((out_dir, quick))
        path = Path(out_dir) / "report.md"
        path.write_text("# fake\n")
        summary = {"passed": False, "unsound": 3, "nan": 0, "errors": 0, "wall_seconds": 0.5}
        (Path(out_dir) / "report.json").write_text(json.dumps(summary))
        return path

    monkeypatch.setattr(report, "write_report", fake)
    assert main(["report", "--out", str(tmp_path), "--quick"]) == 1  # a failed report: exit 1
    assert calls == [(str(tmp_path), True)]
    assert "FAIL: 3 unsound" in capsys.readouterr().out
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
